import LedgerCrypto
import LedgerStorage

extension Ledger {
    /// The current state of one incident, as kept beside the log.
    /// - Parameter incident: The incident's id.
    /// - Returns: Its state, or nil when the ledger has no such incident.
    /// - Complexity: O(log n).
    public func state(of incident: String) throws(LedgerError) -> IncidentState? {
        do {
            return try environment.read { txn in
                try Array(incident.utf8).withUnsafeBytes { key in
                    try txn.withValue(in: incidents, forKey: key) { value in
                        try value.map { bytes in
                            guard let state = IncidentState(encoded: bytes) else {
                                throw LedgerError.corrupt(
                                    position: 0,
                                    reason: "the kept state of \(incident) cannot be read; "
                                        + "run 'incidents rebuild'")
                            }
                            return state
                        }
                    }
                }
            }
        } catch {
            throw Ledger.wrap(error)
        }
    }

    /// An incident's records in log order.
    /// - Parameter incident: The incident's id.
    /// - Returns: Its records; empty when there is no such incident.
    /// - Complexity: O(k log n) for k records.
    public func history(of incident: String) throws(LedgerError) -> [Record] {
        do {
            return try environment.read { txn in
                try positions(of: incident, in: txn).map { position in
                    try record(at: position, in: txn)
                }
            }
        } catch {
            throw Ledger.wrap(error)
        }
    }

    func record(at position: UInt64, in txn: some ReadableTransaction) throws -> Record {
        guard let bytes = try txn.value(in: records, forKey: bigEndianBytes(position)) else {
            throw LedgerError.corrupt(position: position, reason: "an index names a missing record")
        }
        do {
            return try EventDecoder.decodeRecord(bytes[...])
        } catch {
            throw LedgerError.corrupt(position: position, reason: error.description)
        }
    }

    /// Calls `body` with each stored record's position and exact bytes, in order.
    ///
    /// The bytes point into the memory map and are valid only during the call.
    /// - Parameters:
    ///   - first: The first position to visit.
    ///   - body: Returns false to stop early.
    /// - Throws: `LedgerError.storage` on a read failure, or what `body` throws.
    /// - Complexity: O(n) for n records visited, without copying them.
    public func forEachRecord(
        from first: UInt64 = 1, _ body: (UInt64, UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        do {
            try environment.read { txn in
                try txn.withCursor(records) { cursor in
                    var entry = try cursor.seek(atLeast: bigEndianBytes(max(first, 1)))
                    while let current = entry {
                        guard let position = bigEndianValue(current.key) else {
                            throw LedgerError.corrupt(position: 0, reason: "a key is not 8 bytes")
                        }
                        guard try body(position, current.value) else { return }
                        entry = try cursor.next()
                    }
                }
            }
        } catch let error as LedgerError {
            throw error
        } catch let error as StorageError {
            throw LedgerError.storage(error)
        }
    }

    /// The number of incidents in the ledger.
    /// - Complexity: O(1).
    public func incidentCount() throws(LedgerError) -> Int {
        do {
            return try environment.read { try $0.count(incidents) }
        } catch {
            throw Ledger.wrap(error)
        }
    }
}

extension Ledger {
    /// The exact stored bytes of the record at `position`, or nil when there is none.
    /// - Complexity: O(log n).
    public func recordBytes(at position: UInt64) throws(LedgerError) -> [UInt8]? {
        do {
            return try environment.read { txn in
                try txn.value(in: records, forKey: bigEndianBytes(position))
            }
        } catch {
            throw Ledger.wrap(error)
        }
    }
}

extension Ledger {
    /// The position of a record named by its event id or by its position.
    /// - Throws: `LedgerError.missing`-like `.invalidInput` when there is no such record.
    /// - Complexity: O(log n).
    public func position(ofRecord name: String) throws(LedgerError) -> UInt64 {
        if let position = UInt64(name) {
            guard position >= 1, position <= (try head()).position else {
                throw LedgerError.invalidInput([EventError("no record at position \(name)")])
            }
            return position
        }
        guard let id = EventID(name) else {
            throw LedgerError.invalidInput([
                EventError("'\(name)' is neither a position nor an event id")
            ])
        }
        let found: UInt64?
        do {
            found = try environment.read { txn in
                try txn.value(in: eventIDs, forKey: id.bytes).flatMap { bytes in
                    bytes.withUnsafeBytes { bigEndianValue($0) }
                }
            }
        } catch {
            throw Ledger.wrap(error)
        }
        guard let found else {
            throw LedgerError.invalidInput([EventError("no event \(id) in the ledger")])
        }
        return found
    }
}
