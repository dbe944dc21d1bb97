import CLMDB

/// One entry seen through a cursor: buffers into the memory map, valid until the
/// cursor moves or its transaction ends.
public struct Entry {
    /// The key's bytes.
    public var key: UnsafeRawBufferPointer
    /// The value's bytes.
    public var value: UnsafeRawBufferPointer
}

/// A position in a database, moved by the methods below; each returns the entry it
/// lands on, or nil when there is none.
///
/// A cursor exists only inside `ReadableTransaction.withCursor(_:_:)`.
public struct Cursor {
    let handle: OpaquePointer

    /// The first entry. - Complexity: O(log n).
    public mutating func first() throws(StorageError) -> Entry? { try move(MDB_FIRST) }
    /// The last entry. - Complexity: O(log n).
    public mutating func last() throws(StorageError) -> Entry? { try move(MDB_LAST) }
    /// The next entry (the next duplicate, then the next key). - Complexity: O(1) amortised.
    public mutating func next() throws(StorageError) -> Entry? { try move(MDB_NEXT) }
    /// The previous entry. - Complexity: O(1) amortised.
    public mutating func previous() throws(StorageError) -> Entry? { try move(MDB_PREV) }
    /// The next value of the current key only. - Complexity: O(1) amortised.
    public mutating func nextDuplicate() throws(StorageError) -> Entry? {
        try move(MDB_NEXT_DUP)
    }
    /// The first entry of the next key. - Complexity: O(log n).
    public mutating func nextKey() throws(StorageError) -> Entry? { try move(MDB_NEXT_NODUP) }

    /// The first entry whose key is `key` exactly. - Complexity: O(log n).
    public mutating func seek(exactly key: UnsafeRawBufferPointer) throws(StorageError) -> Entry? {
        try move(MDB_SET_KEY, key: key)
    }

    /// The first entry whose key sorts at or after `key`. - Complexity: O(log n).
    public mutating func seek(atLeast key: UnsafeRawBufferPointer) throws(StorageError) -> Entry? {
        try move(MDB_SET_RANGE, key: key)
    }

    /// The first entry whose key is `key` exactly. - Complexity: O(log n).
    public mutating func seek(exactly key: [UInt8]) throws(StorageError) -> Entry? {
        let result: Result<Entry?, StorageError> = key.withUnsafeBytes { k in
            Result { () throws(StorageError) in try move(MDB_SET_KEY, key: k) }
        }
        return try result.get()
    }

    /// The first entry whose key sorts at or after `key`. - Complexity: O(log n).
    public mutating func seek(atLeast key: [UInt8]) throws(StorageError) -> Entry? {
        let result: Result<Entry?, StorageError> = key.withUnsafeBytes { k in
            Result { () throws(StorageError) in try move(MDB_SET_RANGE, key: k) }
        }
        return try result.get()
    }

    private mutating func move(
        _ op: MDB_cursor_op, key: UnsafeRawBufferPointer? = nil
    ) throws(StorageError) -> Entry? {
        var k = MDB_val()
        if let key {
            k = MDB_val(
                mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        }
        var v = MDB_val()
        let rc = mdb_cursor_get(handle, &k, &v, op)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "cursor")
        return Entry(
            key: UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size),
            value: UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }
}
