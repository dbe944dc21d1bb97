import CLMDB

/// A named key-value store inside an `Environment`.
///
/// A handle is a small number that stays valid for the life of the environment;
/// it is obtained once, from `Environment.openDatabase(_:flags:)`.
public struct Database: Sendable, Hashable {
    let dbi: MDB_dbi
}

/// How a database orders and stores its entries.
public struct DatabaseFlags: OptionSet, Sendable {
    public let rawValue: UInt32

    /// Creates flags from LMDB's bits.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Several sorted values may be stored under one key.
    public static let duplicateKeys = DatabaseFlags(rawValue: UInt32(MDB_DUPSORT))
    /// With `duplicateKeys`: all values of a key have the same size, stored densely.
    public static let fixedSizeDuplicates = DatabaseFlags(rawValue: UInt32(MDB_DUPFIXED))
}

/// How a single `put` behaves.
public struct PutFlags: OptionSet, Sendable {
    public let rawValue: UInt32

    /// Creates flags from LMDB's bits.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// The key sorts after every existing key: a fast append, an error otherwise.
    public static let append = PutFlags(rawValue: UInt32(MDB_APPEND))
    /// In a duplicate-keys database, the value sorts after the key's existing values.
    public static let appendDuplicate = PutFlags(rawValue: UInt32(MDB_APPENDDUP))
    /// Fail with `StorageError.keyExists` rather than replace an existing value.
    public static let noOverwrite = PutFlags(rawValue: UInt32(MDB_NOOVERWRITE))
}
