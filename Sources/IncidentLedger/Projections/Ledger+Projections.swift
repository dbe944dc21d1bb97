import Interchange
import LedgerCrypto
import LedgerStorage

/// What a rebuild did, or what a check found.
public struct RebuildReport: Sendable {
    /// Records folded.
    public var records: UInt64 = 0
    /// Incidents whose state was computed.
    public var incidents = 0
    /// With `check`: incidents whose kept state differs from the rebuilt one, or that
    /// are kept but not rebuilt, or rebuilt but not kept; sorted.
    public var differing: [String] = []
    /// With `check`: for each differing incident the log has, the position of its last
    /// record, where the state the log gives it stands.
    public var lastPositions: [String: UInt64] = [:]
    /// With `check`: whether the kept Merkle tree has the root the records give.
    public var treeIntact = true
}

/// A moment of the ledger to answer "as of": a position, or a recorded time.
public enum AsOf: Sendable, Equatable {
    /// The ledger as it stood just after the record at this position.
    case position(UInt64)
    /// The ledger as it stood at this time by its own clock (recorded time).
    case recorded(Timestamp)
}

extension Ledger {
    static let projectionVersionKey = Array("projection-version".utf8)
    static let projectedThroughKey = Array("projected-through".utf8)

    /// The shape of the kept projections (the state layout and the indexes beside
    /// it), as stored in the ledger's meta; a change rebuilds them.
    static var projectionVersion: [UInt8] {
        Array("\(IncidentState.layoutVersion).7".utf8)
    }

    /// Keeps incidents' new states, and their entries in the status index, in the
    /// write transaction of the records they derive from.
    /// - Parameters:
    ///   - changes: Each incident's status before (nil when new) and its new state.
    ///   - txn: The write transaction.
    /// - Complexity: O(k log n) for k incidents; pass them sorted by id for locality.
    func keep(
        _ changes: [(before: IncidentStatus?, after: IncidentState)], in txn: WriteTransaction
    ) throws {
        for (before, state) in changes {
            try keep(KeptBytes(state), of: Array(state.incident.utf8), before: before, in: txn)
        }
    }

    /// Keeps one incident's state, facts and status entry, already encoded.
    /// - Parameters:
    ///   - bytes: What is kept of its new state.
    ///   - key: Its id's UTF-8.
    ///   - before: Its status before (nil when new).
    ///   - txn: The write transaction.
    func keep(
        _ bytes: KeptBytes, of key: [UInt8], before: IncidentStatus?, in txn: WriteTransaction
    ) throws {
        try txn.put(bytes.state, forKey: key, in: incidents)
        try txn.put(bytes.facts, forKey: key, in: incidentFacts)
        guard before != bytes.status else { return }
        if let before {
            try txn.delete(Ledger.statusKey(before, key), in: incidentsByStatus)
        }
        try txn.put([], forKey: Ledger.statusKey(bytes.status, key), in: incidentsByStatus)
    }

    /// Keeps the states of new incidents in projections that keep none yet (a first
    /// import), appending each database's entries in key order: its pages are then
    /// filled whole, and none is split.
    /// - Parameters:
    ///   - states: Each incident's id as UTF-8 and what is kept of its state, sorted
    ///     by the ids' bytes.
    ///   - txn: The write transaction, whose states, facts and status index are empty.
    /// - Complexity: O(k) for k incidents.
    func keepFirst(
        _ states: [(key: [UInt8], bytes: KeptBytes)], in txn: WriteTransaction
    ) throws {
        try txn.withWriteCursor(incidents) { cursor in
            for (key, bytes) in states {
                try put(bytes.state, forKey: key, through: &cursor)
            }
        }
        try txn.withWriteCursor(incidentFacts) { cursor in
            for (key, bytes) in states {
                try put(bytes.facts, forKey: key, through: &cursor)
            }
        }
        // A status key is the status, then the incident: the keys of one status
        // come in the incidents' order, and the statuses go in the order of their
        // names' bytes.
        let statuses = IncidentStatus.allCases.sorted { $0.rawValue < $1.rawValue }
        try txn.withWriteCursor(incidentsByStatus) { cursor in
            for status in statuses {
                for (key, bytes) in states where bytes.status == status {
                    try put([], forKey: Ledger.statusKey(status, key), through: &cursor)
                }
            }
        }
    }

    /// Appends `value` under `key`, which sorts after every key of the cursor's database.
    private func put(
        _ value: [UInt8], forKey key: [UInt8], through cursor: inout WriteCursor
    ) throws {
        try value.withUnsafeBytes { value in
            try key.withUnsafeBytes { key in
                try cursor.put(value, forKey: key, flags: .append)
            }
        }
    }

    static func statusKey(_ status: IncidentStatus, _ incident: [UInt8]) -> [UInt8] {
        Array(status.rawValue.utf8) + [0] + incident
    }

    /// The kept states of the incidents with one of `statuses`, through the index.
    /// - Complexity: O(k log n) for the k incidents listed.
    func keptStates(
        with statuses: Set<IncidentStatus>, in txn: some ReadableTransaction
    ) throws -> [IncidentState] {
        var states: [IncidentState] = []
        for status in IncidentStatus.allCases where statuses.contains(status) {
            let prefix = Ledger.statusKey(status, [])
            var incidentsWithStatus: [[UInt8]] = []
            try txn.withCursor(incidentsByStatus) { cursor in
                var entry = try cursor.seek(atLeast: prefix)
                while let current = entry, current.key.starts(with: prefix) {
                    incidentsWithStatus.append(Array(current.key.dropFirst(prefix.count)))
                    entry = try cursor.next()
                }
            }
            for incident in incidentsWithStatus {
                let state = try incident.withUnsafeBytes { key in
                    try txn.withValue(in: incidents, forKey: key) { value in
                        value.flatMap { IncidentState(encoded: $0) }
                    }
                }
                if let state { states.append(state) }
            }
        }
        return states
    }

    /// Rebuilds the kept projections when they were written by a program with
    /// another layout; a new ledger just records the current one.
    func upgradeProjectionsIfNeeded() throws(LedgerError) {
        let stored: [UInt8]?
        let hasRecords: Bool
        do {
            (stored, hasRecords) = try environment.read { txn in
                (
                    try txn.value(in: meta, forKey: Ledger.projectionVersionKey),
                    try txn.count(records) > 0
                )
            }
        } catch {
            throw Ledger.wrap(error)
        }
        guard stored != Ledger.projectionVersion else { return }
        if stored == nil, !hasRecords, access == .readWrite {
            do {
                try environment.write { txn in
                    try txn.put(
                        Ledger.projectionVersion, forKey: Ledger.projectionVersionKey, in: meta)
                }
            } catch {
                throw Ledger.wrap(error)
            }
            return
        }
        guard access == .readWrite else {
            throw LedgerError.projectionsOutdated(path: path)
        }
        _ = try rebuild()
    }

    /// Recomputes every incident's state from position 1 and replaces what is kept,
    /// in one transaction; with `check`, only compares and reports, writing nothing.
    /// - Parameters:
    ///   - check: Compare the rebuilt states with the kept ones instead of writing.
    ///   - progress: Called now and then with (records folded, records in all).
    /// - Returns: How many records and incidents, and with `check` which differ.
    /// - Throws: `LedgerError` when the ledger cannot be read or written.
    /// - Complexity: O(n) in the records, plus O(k log k) to write k incidents.
    public func rebuild(
        check: Bool = false, progress: ((UInt64, UInt64) -> Void)? = nil
    ) throws(LedgerError) -> RebuildReport {
        if !check, access != .readWrite {
            throw LedgerError.permissionDenied("the ledger at \(path) is open read-only")
        }
        do {
            if check {
                return try environment.read { txn in
                    let folded = try fold(
                        in: txn, through: nil, wantsLeaves: true, progress: progress)
                    let states = folded.states
                    var report = RebuildReport(records: folded.records, incidents: states.count)
                    report.differing = try differences(states, in: txn)
                    for incident in report.differing {
                        report.lastPositions[incident] = states[incident]?.lastPosition
                    }
                    report.treeIntact = try treeMatches(folded.leaves, in: txn)
                    return report
                }
            }
            return try environment.write { txn in
                var folded = try fold(
                    in: txn, through: nil, wantsLeaves: true, comparesKept: true,
                    releasingMatched: true, progress: progress)
                if !(try keptCountsMatch(folded, in: txn)) {
                    if folded.matchesKept {
                        // Every state matched, and was released, but something else
                        // is kept: the states are needed after all.
                        folded = try fold(in: txn, through: nil, wantsLeaves: true, progress: nil)
                    }
                    try rewriteDifferingStates(with: folded, in: txn)
                }
                try replaceKeptTree(with: keptTreeNodes(blockRoots: folded.blockRoots), in: txn)
                try txn.put(Ledger.projectionVersion, forKey: Ledger.projectionVersionKey, in: meta)
                try txn.put(
                    bigEndianBytes(folded.records), forKey: Ledger.projectedThroughKey, in: meta)
                return RebuildReport(records: folded.records, incidents: folded.count)
            }
        } catch {
            throw Ledger.wrap(error)
        }
    }

    /// Whether the kept states, facts and status index are exactly those of
    /// `rebuilt`: each incident's bytes matched, and nothing else is kept. A rebuild
    /// of projections that were right then writes nothing but the meta.
    private func keptCountsMatch(_ rebuilt: FoldResult, in txn: WriteTransaction) throws -> Bool {
        let count = rebuilt.count
        return try rebuilt.matchesKept && txn.count(incidents) == count
            && txn.count(incidentFacts) == count && txn.count(incidentsByStatus) == count
    }

    /// Deletes what the log does not give and writes the incidents whose state,
    /// facts or status entry differ.
    private func rewriteDifferingStates(
        with rebuilt: FoldResult, in txn: WriteTransaction
    ) throws {
        // Each incident encoded once, for the three databases compared below.
        var expected: [String: KeptBytes] = [:]
        expected.reserveCapacity(rebuilt.count)
        for shard in rebuilt.shards {
            for (name, state) in shard { expected[name] = KeptBytes(state) }
        }

        var stale: [(Database, [UInt8])] = []
        // Incidents to write: those whose state, facts or status entry differ or are
        // missing. Each starts here and leaves when a walk finds it kept right.
        var missingState = Set(expected.keys)
        var missingFacts = missingState
        var changed: Set<String> = []
        var statusKept: Set<String> = []
        // Walks a database keyed by incident: marks the incidents whose bytes differ,
        // and collects what the log does not give.
        func walk(
            _ database: Database, _ bytesOf: (KeptBytes) -> [UInt8],
            unseen: inout Set<String>
        ) throws {
            try txn.withCursor(database) { cursor in
                var entry = try cursor.first()
                while let current = entry {
                    let name = String(decoding: current.key, as: UTF8.self)
                    if let bytes = expected[name] {
                        unseen.remove(name)
                        if !sameBytes(bytesOf(bytes), current.value) { changed.insert(name) }
                    } else {
                        stale.append((database, Array(current.key)))
                    }
                    entry = try cursor.next()
                }
            }
        }
        try walk(incidents, { $0.state }, unseen: &missingState)
        try walk(incidentFacts, { $0.facts }, unseen: &missingFacts)
        try txn.withCursor(incidentsByStatus) { cursor in
            var entry = try cursor.first()
            while let current = entry {
                let key = Array(current.key)
                if let split = key.firstIndex(of: 0) {
                    let status = String(decoding: key[..<split], as: UTF8.self)
                    let name = String(decoding: key[(split + 1)...], as: UTF8.self)
                    if expected[name]?.status.rawValue == status,
                        statusKept.insert(name).inserted
                    {
                        entry = try cursor.next()
                        continue
                    }
                }
                stale.append((incidentsByStatus, key))
                entry = try cursor.next()
            }
        }

        for (database, key) in stale { _ = try txn.delete(key, in: database) }
        changed.formUnion(missingState)
        changed.formUnion(missingFacts)
        for shard in rebuilt.shards {
            for (name, state) in shard where changed.contains(name) || !statusKept.contains(name) {
                // Its status entry, if right, is kept; any wrong one was deleted above.
                try keep([(statusKept.contains(name) ? state.status : nil, state)], in: txn)
            }
        }
    }

    /// Makes the kept Merkle tree exactly `nodes`, rewriting it only when it differs.
    private func replaceKeptTree(
        with nodes: [(level: Int, index: UInt64, hash: SHA256Digest)], in txn: WriteTransaction
    ) throws {
        var same = try txn.count(merkle) == nodes.count
        if same {
            let kept = keptSubtrees(in: txn)
            for node in nodes {
                guard try kept.hash(level: node.level, index: node.index) == node.hash else {
                    same = false
                    break
                }
            }
        }
        guard !same else { return }
        try txn.removeAll(in: merkle)
        for node in nodes {
            try txn.put(
                node.hash.bytes,
                forKey: KeptSubtrees<WriteTransaction>.key(level: node.level, index: node.index),
                in: merkle)
        }
    }

    /// Every incident's state as it stood at `moment`, from the records up to it;
    /// with nil, the states kept now.
    /// - Parameters:
    ///   - moment: The moment to answer for, or nil for now.
    ///   - statuses: When not empty, only incidents with one of these statuses (now,
    ///     read through the status index; as of a moment, filtered after the fold).
    /// - Complexity: O(n) in the records up to the moment; O(k) for the kept states.
    public func states(
        asOf moment: AsOf?, statuses: Set<IncidentStatus> = []
    ) throws(LedgerError) -> [IncidentState] {
        do {
            return try environment.read { txn in
                guard let moment else {
                    return statuses.isEmpty
                        ? try keptStates(in: txn) : try keptStates(with: statuses, in: txn)
                }
                let position = try self.position(of: moment, in: txn)
                let folded = try fold(in: txn, through: position, progress: nil)
                return folded.states.values.filter {
                    statuses.isEmpty || statuses.contains($0.status)
                }
            }
        } catch {
            throw Ledger.wrap(error)
        }
    }

    /// One incident's state as it stood at `moment`: its events up to that position
    /// replayed, with only the corrections recorded by then.
    /// - Complexity: O(k log n) for the incident's k events.
    public func state(
        of incident: String, asOf moment: AsOf
    ) throws(LedgerError)
        -> IncidentState?
    {
        do {
            return try environment.read { txn in
                let last = try position(of: moment, in: txn)
                let history = try positions(of: incident, in: txn).filter { $0 <= last }
                    .map { ($0, try record(at: $0, in: txn).event) }
                var corrections = Projector.Corrections()
                for (_, event) in history { Projector.gather(event, into: &corrections) }
                var projector = Projector(corrections: corrections)
                for (position, event) in history { projector.fold(event, position: position) }
                return projector.states[incident]
            }
        } catch {
            throw Ledger.wrap(error)
        }
    }

    /// The last position at `moment`: the position itself (capped at the head), or
    /// the last record whose recorded time is at or before the time.
    /// - Complexity: O(log n) record reads: recorded times never decrease.
    func position(of moment: AsOf, in txn: some ReadableTransaction) throws -> UInt64 {
        let head = try txn.count(records)
        switch moment {
        case .position(let position):
            return min(position, UInt64(head))
        case .recorded(let time):
            var low: UInt64 = 0  // known at or before the time (0: before everything)
            var high = UInt64(head) + 1  // known after the time
            while high - low > 1 {
                let middle = low + (high - low) / 2
                if try record(at: middle, in: txn).recordedAt <= time {
                    low = middle
                } else {
                    high = middle
                }
            }
            return low
        }
    }

    /// Whether the kept tree's root equals the root of `leaves`, recomputed here.
    private func treeMatches(
        _ leaves: [SHA256Digest], in txn: some ReadableTransaction
    ) throws -> Bool {
        guard !leaves.isEmpty else { return true }
        // The root of n leaves: fold complete subtrees from the right as RFC 6962 splits.
        func root(_ nodes: ArraySlice<SHA256Digest>) -> SHA256Digest {
            if nodes.count == 1, let only = nodes.first { return only }
            let split = Int(largestPowerOfTwo(below: UInt64(nodes.count)))
            let start = nodes.startIndex
            return MerkleTree<KeptSubtrees<ReadTransaction>>.nodeHash(
                root(nodes[start..<start + split]), root(nodes[(start + split)...]), hasher: hasher)
        }
        let expected = root(leaves[...])
        let tree = keptTree(in: txn)
        return (try? tree.root(size: UInt64(leaves.count))) == expected
    }

    func keptStates(in txn: some ReadableTransaction) throws -> [IncidentState] {
        let count = try txn.count(incidents)
        return try txn.withCursor(incidents) { cursor in
            var states: [IncidentState] = []
            states.reserveCapacity(count)
            var entry = try cursor.first()
            while let current = entry {
                guard let state = IncidentState(encoded: current.value) else {
                    let name = String(decoding: current.key, as: UTF8.self)
                    throw LedgerError.corrupt(
                        position: 0,
                        reason: "the kept state of \(name) cannot be read; run 'incidents rebuild'")
                }
                states.append(state)
                entry = try cursor.next()
            }
            return states
        }
    }

    /// The incidents whose kept bytes differ from the rebuilt state's, sorted.
    private func differences(
        _ rebuilt: [String: IncidentState], in txn: some ReadableTransaction
    ) throws -> [String] {
        var differing: Set<String> = []
        var seen: Set<String> = []
        try txn.withCursor(incidents) { cursor in
            var entry = try cursor.first()
            while let current = entry {
                let incident = String(decoding: current.key, as: UTF8.self)
                seen.insert(incident)
                if let state = rebuilt[incident] {
                    if !sameBytes(state.encoded(), current.value) { differing.insert(incident) }
                } else {
                    differing.insert(incident)
                }
                entry = try cursor.next()
            }
        }
        for incident in rebuilt.keys where !seen.contains(incident) {
            differing.insert(incident)
        }
        return differing.sorted()
    }
}

extension Ledger {
    /// The time an answer "as of" `moment` is given at: the recorded time asked for,
    /// or that of the record at the position; nil for an empty span.
    /// - Complexity: O(log n).
    public func recordedTime(asOf moment: AsOf) throws(LedgerError) -> Timestamp? {
        if case .recorded(let time) = moment { return time }
        do {
            return try environment.read { txn in
                let position = try self.position(of: moment, in: txn)
                return position == 0 ? nil : try record(at: position, in: txn).recordedAt
            }
        } catch {
            throw Ledger.wrap(error)
        }
    }
}

extension Ledger {
    /// Every incident's facts as they stood at `moment` (now when nil): read from
    /// the kept facts now, folded from the records up to the moment otherwise.
    /// - Parameters:
    ///   - moment: The moment to answer for, or nil for now.
    ///   - isIncluded: Which incidents to return; the others are never copied out.
    /// - Returns: The facts of the included incidents, in id order for now.
    /// - Complexity: O(k) small reads now; O(n) in the records for a past moment.
    public func facts(
        asOf moment: AsOf?, where isIncluded: (IncidentFacts) -> Bool = { _ in true }
    ) throws(LedgerError) -> [IncidentFacts] {
        if let moment {
            return try states(asOf: moment).map { IncidentFacts($0) }.filter(isIncluded)
        }
        do {
            return try environment.read { txn in
                try txn.withCursor(incidentFacts) { cursor in
                    var facts: [IncidentFacts] = []
                    facts.reserveCapacity(try txn.count(incidentFacts))
                    var names = StringInterner()
                    var entry = try cursor.first()
                    while let current = entry {
                        let incident = String(decoding: current.key, as: UTF8.self)
                        guard
                            let fact = IncidentFacts(
                                incident: incident, encoded: current.value, names: &names)
                        else {
                            throw LedgerError.corrupt(
                                position: 0,
                                reason: "the kept facts of \(incident) cannot be read; run "
                                    + "'incidents rebuild'")
                        }
                        if isIncluded(fact) { facts.append(consume fact) }
                        entry = try cursor.next()
                    }
                    return facts
                }
            }
        } catch {
            throw Ledger.wrap(error)
        }
    }

    /// The kept states of the named incidents, in the order named (missing ones left out).
    /// - Complexity: O(k log n).
    public func states(of names: [String]) throws(LedgerError) -> [IncidentState] {
        do {
            return try environment.read { txn in
                try names.compactMap { name in
                    try Array(name.utf8).withUnsafeBytes { key in
                        try txn.withValue(in: incidents, forKey: key) { value in
                            value.flatMap { IncidentState(encoded: $0) }
                        }
                    }
                }
            }
        } catch {
            throw Ledger.wrap(error)
        }
    }
}
