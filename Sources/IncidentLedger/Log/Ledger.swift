import Glibc
import Interchange
import LedgerCrypto
import LedgerStorage

/// The position and hash of the last record: the digest an auditor writes down.
public struct Head: Equatable, Sendable {
    /// The last position; 0 for an empty ledger.
    public var position: UInt64
    /// The SHA-256 of the last record's bytes; zero for an empty ledger.
    public var hash: SHA256Digest
    /// When the last record was appended; nil for an empty ledger.
    public var recordedAt: Timestamp?

    /// The head of a ledger with no records.
    public static let empty = Head(position: 0, hash: .zero, recordedAt: nil)
}

/// An incident ledger: the append-only log of records in one directory, with the
/// indexes and projections kept beside it in the same LMDB environment.
///
/// Every append happens in one write transaction that also updates the event-id
/// index, the incident index and the incident projections, so a reader never sees
/// one without the others.
public final class Ledger {
    /// How a ledger is opened.
    public enum Access: Sendable {
        /// Reading only; every write is refused.
        case readOnly
        /// Reading and appending.
        case readWrite
    }

    /// How large the ledger's memory map starts and how far it may grow.
    ///
    /// The map is address space, not disk: the data file grows only as pages are
    /// used. When a write finds the map full it is rolled back, the map doubles (up
    /// to `maximumSize`) and the write runs again; past `maximumSize` it fails with
    /// `LedgerError.storage` (out of space) and nothing is written.
    public struct MapLimits: Sendable, Equatable {
        /// The map size to open with, in bytes (a larger data file is mapped whole).
        public var initialSize: Int
        /// The largest map size, in bytes.
        public var maximumSize: Int

        /// Limits; by default 16 GiB to start with and 1 TiB at most.
        /// - Parameters:
        ///   - initialSize: The map size to open with, in bytes.
        ///   - maximumSize: The largest map size, in bytes.
        public init(initialSize: Int = Ledger.initialMapSize, maximumSize: Int = 1 << 40) {
            self.initialSize = initialSize
            self.maximumSize = maximumSize
        }
    }

    /// The version of the on-disk layout this program writes.
    public static let formatVersion = "1"

    /// The ledger's directory.
    public let path: String
    /// How it was opened.
    public let access: Access

    let environment: Environment
    let records: Database
    let eventIDs: Database
    let incidentEvents: Database
    let incidents: Database
    /// Incident ids by status (`open\0INC-7`), so that a status is listed without
    /// reading every incident.
    let incidentsByStatus: Database
    /// The RFC 6962 tree over the records, as the hashes of its complete subtrees of
    /// 256 leaves and more (`KeptSubtrees`),
    /// keyed by level (1 byte) and index (8 bytes, big-endian).
    let merkle: Database
    /// The facts of every incident (`IncidentFacts`), small enough to read them all.
    let incidentFacts: Database
    let meta: Database
    let hasher: SHA256Hasher
    /// Microseconds since the epoch, now: the ledger's clock (replaceable in tests).
    var clock: () -> Int64 = Ledger.systemClock

    /// Opens the ledger in `path`, creating it first when asked to and absent.
    /// - Parameters:
    ///   - path: The ledger's directory.
    ///   - access: Read-only or read-write.
    ///   - create: Make the directory and its files when there is no ledger yet.
    ///   - sharing: Who may use a ledger that `create` makes: by default its owner
    ///     only (see `Sharing` for the modes).
    ///   - mapLimits: The map's starting and largest size.
    /// - Throws: `LedgerError.missing` when there is no ledger and `create` is false,
    ///   `.permissionDenied` (also when the ledger is opened for writing by a user who
    ///   may only read it, or one of its files is a symbolic link),
    ///   `.unsupportedFormat` or `.storage`.
    public init(
        path: String, access: Access, create: Bool = false, sharing: Sharing = .ownerOnly,
        mapLimits: MapLimits = MapLimits()
    ) throws(LedgerError) {
        self.path = path
        self.access = access
        let exists = Ledger.exists(at: path)
        if !exists {
            guard create, access == .readWrite else { throw LedgerError.missing(path: path) }
            try Ledger.makeFiles(path, sharing: sharing)
        } else if access == .readWrite {
            try Ledger.refuseReadOnly(path)
        }

        var options = Environment.Options()
        // Address space, not disk: the file grows only as pages are used. A large
        // start spares a big import the roll-back and retry of each doubling.
        options.initialMapSize = mapLimits.initialSize
        options.maximumMapSize = mapLimits.maximumSize
        options.readOnly = access == .readOnly
        let writable = access == .readWrite
        do {
            environment = try Environment(path: path, options: options)
            records = try environment.openDatabase("records", create: writable)
            eventIDs = try environment.openDatabase("event-ids", create: writable)
            incidentEvents = try environment.openDatabase(
                "incident-events", flags: [.duplicateKeys, .fixedSizeDuplicates],
                create: writable)
            incidents = try environment.openDatabase("incidents", create: writable)
            meta = try environment.openDatabase("meta", create: writable)
            incidentsByStatus = try Ledger.openDerived(
                "incidents-by-status", environment, writable: writable, path: path)
            merkle = try Ledger.openDerived("merkle", environment, writable: writable, path: path)
            incidentFacts = try Ledger.openDerived(
                "incident-facts", environment, writable: writable, path: path)
            hasher = try SHA256Hasher()
        } catch let error as StorageError {
            throw Ledger.openFailure(error, path: path, access: access)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError.unsupportedFormat("cannot start SHA-256: \(error)")
        }
        try checkFormat()
        try upgradeProjectionsIfNeeded()
    }

    /// Opens a database derived from the log, which ledgers written by older programs
    /// may lack (a writable open makes it, and the upgrade fills it).
    private static func openDerived(
        _ name: String, _ environment: Environment, writable: Bool, path: String
    ) throws -> Database {
        do {
            return try environment.openDatabase(name, create: writable)
        } catch {
            guard error.code == StorageError.notFound else { throw error }
            throw LedgerError.unsupportedFormat(
                "the projections kept in \(path) are of an older layout; run 'incidents "
                    + "rebuild' as a user who may write the ledger")
        }
    }

    /// The map size a ledger is opened with: 16 GiB of address space, past which it
    /// grows by itself.
    public static let initialMapSize = 1 << 34

    /// Whether `path` holds a ledger, or may: a link in the place of its data file,
    /// which opening then refuses, or a directory this user may not look into, which
    /// opening then reports as permission denied rather than as no ledger.
    public static func exists(at path: String) -> Bool {
        var info = stat()
        return lstat(path + "/" + EnvironmentFiles.dataFile, &info) == 0 || errno == EACCES
    }

    static func classify(_ error: StorageError, path: String) -> LedgerError {
        switch error.code {
        case EACCES, EPERM, EROFS:
            .permissionDenied("permission denied opening the ledger at \(path)")
        case ENOENT, StorageError.notFound:
            .missing(path: path)
        default:
            .storage(error)
        }
    }

    private func checkFormat() throws(LedgerError) {
        let key = Array("format".utf8)
        let found: [UInt8]?
        do {
            found = try environment.read { try $0.value(in: meta, forKey: key) }
        } catch {
            throw LedgerError.storage(
                error as? StorageError ?? StorageError(code: -1, operation: "read format"))
        }
        if let found {
            let version = String(decoding: found, as: UTF8.self)
            guard version == Ledger.formatVersion else {
                throw LedgerError.unsupportedFormat(
                    "the ledger at \(path) has format \(version); this program reads format "
                        + Ledger.formatVersion)
            }
            return
        }
        guard access == .readWrite else { return }
        do {
            try environment.write { txn in
                try txn.put(Array(Ledger.formatVersion.utf8), forKey: key, in: meta)
            }
        } catch {
            throw Ledger.wrap(error)
        }
    }

    /// Turns any error from a storage closure into a `LedgerError`.
    static func wrap(_ error: any Error) -> LedgerError {
        switch error {
        case let error as LedgerError: error
        case let error as StorageError: .storage(error)
        default: .storage(StorageError(code: -1, operation: "\(error)"))
        }
    }

    /// The current head: the last record's position and hash.
    /// - Throws: `LedgerError.storage` when the ledger cannot be read.
    /// - Complexity: O(log n) plus the last record's length.
    public func head() throws(LedgerError) -> Head {
        do {
            return try environment.read { txn in try head(in: txn) }
        } catch {
            throw Ledger.wrap(error)
        }
    }

    func head(in txn: some ReadableTransaction) throws -> Head {
        try txn.withCursor(records) { cursor in
            guard let last = try cursor.last() else { return Head.empty }
            guard let position = bigEndianValue(last.key) else {
                throw LedgerError.corrupt(position: 0, reason: "a record key is not 8 bytes")
            }
            let bytes = ArraySlice(last.value)
            let record: Record
            do {
                record = try EventDecoder.decodeRecord(bytes)
            } catch let error as EventError {
                throw LedgerError.corrupt(position: position, reason: error.description)
            }
            return Head(
                position: position, hash: hasher.digest(last.value),
                recordedAt: record.recordedAt)
        }
    }

    /// The name of the operating-system user running this process.
    public static func currentUser() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name {
            return String(cString: name)
        }
        return "uid-\(geteuid())"
    }

    /// Nanoseconds since the epoch now, by the system's real-time clock.
    public static func now() -> Int64 {
        systemClock() * 1000
    }

    /// Microseconds since the epoch by the system's real-time clock.
    static func systemClock() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }
}
