import CLMDB

/// What every transaction can do: look values up and walk databases with cursors.
///
/// Buffers handed to closures point into LMDB's memory map and are valid only
/// inside the closure; copy what must outlive it.
public protocol ReadableTransaction {
    /// Looks a key up and passes its value, or nil when absent, to `body`.
    /// - Parameters:
    ///   - database: Where to look.
    ///   - key: The key's bytes (1 to 511 bytes).
    ///   - body: Receives the value's bytes, valid only during the call.
    /// - Returns: What `body` returns.
    /// - Throws: `StorageError` for failures other than absence, or what `body` throws.
    /// - Complexity: O(log n) in the number of keys.
    func withValue<Result>(
        in database: Database, forKey key: UnsafeRawBufferPointer,
        _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) throws -> Result

    /// Opens a cursor over `database` for the duration of `body`.
    /// - Parameters:
    ///   - database: The database to walk.
    ///   - body: Moves the cursor and reads entries.
    /// - Returns: What `body` returns.
    /// - Throws: `StorageError` when the cursor cannot be opened, or what `body` throws.
    func withCursor<Result>(
        _ database: Database, _ body: (inout Cursor) throws -> Result
    ) throws -> Result

    /// The number of entries in `database` (each duplicate counts).
    /// - Complexity: O(1).
    func count(_ database: Database) throws(StorageError) -> Int
}

extension ReadableTransaction {
    /// The value stored under `key`, copied out, or nil when absent.
    /// - Complexity: O(log n) plus the value's length.
    public func value(in database: Database, forKey key: [UInt8]) throws -> [UInt8]? {
        try key.withUnsafeBytes { keyBytes in
            try withValue(in: database, forKey: keyBytes) { $0.map { Array($0) } }
        }
    }

    /// Whether `key` is present in `database`.
    /// - Complexity: O(log n).
    public func contains(_ key: [UInt8], in database: Database) throws -> Bool {
        try key.withUnsafeBytes { keyBytes in
            try withValue(in: database, forKey: keyBytes) { $0 != nil }
        }
    }
}

/// A read-only snapshot, valid inside the closure given to `Environment.read(_:)`.
public struct ReadTransaction: ReadableTransaction {
    let txn: OpaquePointer

    public func withValue<Result>(
        in database: Database, forKey key: UnsafeRawBufferPointer,
        _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) throws -> Result {
        try lookUp(txn, database, key, body)
    }

    public func withCursor<Result>(
        _ database: Database, _ body: (inout Cursor) throws -> Result
    ) throws -> Result {
        try openCursor(txn, database, body)
    }

    public func count(_ database: Database) throws(StorageError) -> Int {
        try entries(txn, database)
    }
}

/// A write transaction, valid inside the closure given to `Environment.write(_:)`.
public struct WriteTransaction: ReadableTransaction {
    let txn: OpaquePointer

    public func withValue<Result>(
        in database: Database, forKey key: UnsafeRawBufferPointer,
        _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) throws -> Result {
        try lookUp(txn, database, key, body)
    }

    public func withCursor<Result>(
        _ database: Database, _ body: (inout Cursor) throws -> Result
    ) throws -> Result {
        try openCursor(txn, database, body)
    }

    public func count(_ database: Database) throws(StorageError) -> Int {
        try entries(txn, database)
    }

    /// Stores `value` under `key`.
    /// - Parameters:
    ///   - value: The bytes to store.
    ///   - key: The key (1 to 511 bytes).
    ///   - database: Where to store it.
    ///   - flags: Append or no-overwrite behaviour.
    /// - Throws: `StorageError`, with `StorageError.keyExists` when `noOverwrite` finds
    ///   the key, or `StorageError.mapFull` when the map has no room left.
    /// - Complexity: O(log n); O(1) amortised with `.append`.
    public func put(
        _ value: UnsafeRawBufferPointer, forKey key: UnsafeRawBufferPointer,
        in database: Database, flags: PutFlags = []
    ) throws(StorageError) {
        var k = MDB_val(
            mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(
            mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try check(mdb_put(txn, database.dbi, &k, &v, flags.rawValue), "put")
    }

    /// Stores `value` under `key`; see `put(_:forKey:in:flags:)` over raw buffers.
    public func put(
        _ value: [UInt8], forKey key: [UInt8], in database: Database, flags: PutFlags = []
    ) throws(StorageError) {
        let result: Result<Void, StorageError> = value.withUnsafeBytes { v in
            key.withUnsafeBytes { k in
                Result { () throws(StorageError) in
                    try put(v, forKey: k, in: database, flags: flags)
                }
            }
        }
        try result.get()
    }

    /// Removes `key` and its value(s); absent keys are not an error.
    /// - Returns: Whether anything was removed.
    /// - Complexity: O(log n).
    @discardableResult
    public func delete(_ key: [UInt8], in database: Database) throws(StorageError) -> Bool {
        let rc = key.withUnsafeBytes { k in
            var kv = MDB_val(
                mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
            return mdb_del(txn, database.dbi, &kv, nil)
        }
        if rc == MDB_NOTFOUND { return false }
        try check(rc, "delete")
        return true
    }

    /// Removes every entry of `database`, keeping the database itself.
    public func removeAll(in database: Database) throws(StorageError) {
        try check(mdb_drop(txn, database.dbi, 0), "empty database")
    }
}

func lookUp<Result>(
    _ txn: OpaquePointer, _ database: Database, _ key: UnsafeRawBufferPointer,
    _ body: (UnsafeRawBufferPointer?) throws -> Result
) throws -> Result {
    var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
    var v = MDB_val()
    let rc = mdb_get(txn, database.dbi, &k, &v)
    if rc == MDB_NOTFOUND { return try body(nil) }
    try check(rc, "get")
    return try body(UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
}

func openCursor<Result>(
    _ txn: OpaquePointer, _ database: Database, _ body: (inout Cursor) throws -> Result
) throws -> Result {
    var handle: OpaquePointer?
    try check(mdb_cursor_open(txn, database.dbi, &handle), "open cursor")
    guard let handle else { throw StorageError(code: 12, operation: "open cursor") }
    defer { mdb_cursor_close(handle) }
    var cursor = Cursor(handle: handle)
    return try body(&cursor)
}

func entries(_ txn: OpaquePointer, _ database: Database) throws(StorageError) -> Int {
    var stat = MDB_stat()
    try check(mdb_stat(txn, database.dbi, &stat), "stat")
    return stat.ms_entries
}
