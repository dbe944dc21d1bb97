import CLMDB

/// A cursor that writes, kept open across many puts into one database: each put starts
/// where the last one left off instead of searching the tree from its root, which is
/// what makes a long run of appends cheap.
///
/// A write cursor exists only inside `WriteTransaction.withWriteCursor(_:_:)`.
public struct WriteCursor {
    let handle: OpaquePointer

    /// Stores `value` under `key`, as `WriteTransaction.put(_:forKey:in:flags:)` does.
    /// - Complexity: O(1) amortised with `.append`; O(log n) otherwise.
    public mutating func put(
        _ value: UnsafeRawBufferPointer, forKey key: UnsafeRawBufferPointer, flags: PutFlags = []
    ) throws(StorageError) {
        var k = MDB_val(
            mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(
            mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try check(mdb_cursor_put(handle, &k, &v, flags.rawValue), "put")
    }

    /// Adds values of `size` bytes each, laid end to end in `values`, to `key`'s values
    /// in one call, in a database opened with `DatabaseFlags.fixedSizeDuplicates`.
    /// - Parameters:
    ///   - values: The values; its length is a multiple of `size`.
    ///   - size: The size of each value.
    ///   - key: The key they are added to.
    /// - Complexity: O(log n + k) for k values.
    public mutating func putDuplicates(
        _ values: UnsafeRawBufferPointer, size: Int, forKey key: UnsafeRawBufferPointer
    ) throws(StorageError) {
        precondition(size > 0 && values.count % size == 0, "values must be whole")
        guard let base = values.baseAddress else { return }
        var k = MDB_val(
            mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var done = 0
        let total = values.count / size
        // LMDB reads the value size from the first of two values and the count from
        // the second, and writes back how many it stored.
        var pair = [MDB_val](repeating: MDB_val(), count: 2)
        while done < total {
            pair[0] = MDB_val(
                mv_size: size, mv_data: UnsafeMutableRawPointer(mutating: base + done * size))
            pair[1] = MDB_val(mv_size: total - done, mv_data: nil)
            let rc = pair.withUnsafeMutableBufferPointer { pair in
                mdb_cursor_put(handle, &k, pair.baseAddress, UInt32(MDB_MULTIPLE))
            }
            try check(rc, "put")
            guard pair[1].mv_size > 0 else {
                throw StorageError(code: MDB_INCOMPATIBLE, operation: "put")
            }
            done += pair[1].mv_size
        }
    }
}

extension WriteTransaction {
    /// Calls `body` with a cursor that writes into `database`, closed when `body` returns.
    public func withWriteCursor<Result>(
        _ database: Database, _ body: (inout WriteCursor) throws -> Result
    ) throws -> Result {
        var handle: OpaquePointer?
        try check(mdb_cursor_open(txn, database.dbi, &handle), "open cursor")
        guard let handle else { throw StorageError(code: 12, operation: "open cursor") }
        defer { mdb_cursor_close(handle) }
        var cursor = WriteCursor(handle: handle)
        return try body(&cursor)
    }
}
