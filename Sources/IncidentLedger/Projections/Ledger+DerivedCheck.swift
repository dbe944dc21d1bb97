import LedgerStorage

extension Ledger {
    /// The incidents whose kept facts or status-index entries do not follow from their
    /// kept state. `rebuild(check:)` compares the kept states with the log; this checks
    /// the two projections derived from those states, which `stats`, `recurrence`,
    /// `metrics` and `list` answer from, so that `rebuild --check` covers every one.
    /// - Returns: The incidents that differ, sorted: a kept state that cannot be read,
    ///   facts that are missing, extra or not those of the state, an index entry that is
    ///   missing, extra or of another status.
    /// - Throws: `LedgerError` when the ledger cannot be read.
    /// - Complexity: O(n log n) in the incidents, in one read transaction.
    public func derivedProjectionDifferences() throws(LedgerError) -> [String] {
        do {
            return try environment.read { txn in
                var differing: Set<String> = []
                var expectedFacts: [[UInt8]: [UInt8]] = [:]
                var expectedStatus: Set<[UInt8]> = []
                try txn.withCursor(incidents) { cursor in
                    var entry = try cursor.first()
                    while let current = entry {
                        let key = Array(current.key)
                        if let state = IncidentState(encoded: current.value) {
                            expectedFacts[key] = IncidentFacts(state).encoded()
                            expectedStatus.insert(Ledger.statusKey(state.status, key))
                        } else {
                            differing.insert(String(decoding: key, as: UTF8.self))
                        }
                        entry = try cursor.next()
                    }
                }

                var factsSeen: Set<[UInt8]> = []
                try txn.withCursor(incidentFacts) { cursor in
                    var entry = try cursor.first()
                    while let current = entry {
                        let key = Array(current.key)
                        factsSeen.insert(key)
                        if expectedFacts[key] != Array(current.value) {
                            differing.insert(String(decoding: key, as: UTF8.self))
                        }
                        entry = try cursor.next()
                    }
                }
                for key in expectedFacts.keys where !factsSeen.contains(key) {
                    differing.insert(String(decoding: key, as: UTF8.self))
                }

                // An index key is the status, a zero byte, then the incident.
                var statusSeen: Set<[UInt8]> = []
                try txn.withCursor(incidentsByStatus) { cursor in
                    var entry = try cursor.first()
                    while let current = entry {
                        let key = Array(current.key)
                        statusSeen.insert(key)
                        if !expectedStatus.contains(key) {
                            let incident = key.split(separator: 0, maxSplits: 1).last ?? []
                            differing.insert(String(decoding: incident, as: UTF8.self))
                        }
                        entry = try cursor.next()
                    }
                }
                for key in expectedStatus where !statusSeen.contains(key) {
                    let incident = key.split(separator: 0, maxSplits: 1).last ?? []
                    differing.insert(String(decoding: incident, as: UTF8.self))
                }
                return differing.sorted()
            }
        } catch {
            throw Ledger.wrap(error)
        }
    }
}
