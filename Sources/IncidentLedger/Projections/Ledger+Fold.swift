import Dispatch
import Glibc
import Interchange
import LedgerCrypto
import LedgerStorage

/// What folding a span of the log gave.
struct FoldResult {
    /// Each worker's states, by incident: the workers' incidents are disjoint.
    var shards: [[String: IncidentState]] = []
    /// Whether every worker found each of its incidents kept exactly as folded (its
    /// state, facts and status entry), when asked to compare (`comparesKept`).
    var matchesKept = false
    /// The last position folded (0 for none).
    var records: UInt64 = 0
    /// The RFC 6962 leaf hash of every record folded, in order, when asked for.
    var leaves: [SHA256Digest] = []
    /// The root of each complete block of the kept tree's leaves (`KeptSubtrees`),
    /// in order, when the leaves were asked for.
    var blockRoots: [SHA256Digest] = []

    /// Every incident's state, in one dictionary (made anew on each call).
    /// - Complexity: O(k) for k incidents.
    var states: [String: IncidentState] {
        var shards = self.shards.sorted { $0.count > $1.count }
        guard !shards.isEmpty else { return [:] }
        var states = shards.removeFirst()
        states.reserveCapacity(count)
        for shard in shards {
            for (incident, state) in shard { states[incident] = state }
        }
        return states
    }

    /// How many incidents were folded.
    var count: Int { shards.reduce(0) { $0 + $1.count } }
}

/// An incident's state as the kept projections store it: its state, its facts and
/// its status-index entry.
struct KeptBytes {
    var state: [UInt8]
    var facts: [UInt8]
    var status: IncidentStatus

    init(_ state: IncidentState) {
        self.state = state.encoded()
        facts = IncidentFacts(state).encoded()
        status = state.status
    }
}

extension Ledger {
    /// Folds the records from position 1 through `last` (all when nil) into every
    /// incident's state, on every core.
    ///
    /// Incidents are shared among the workers by a hash of their ids: each worker
    /// reads the whole span in its own read transaction, finds each record's incident
    /// in its canonical bytes, and decodes and folds only its own incidents' records,
    /// so that every incident is folded in log order by exactly one worker. The
    /// corrections are gathered first, on this thread, so that each event is folded
    /// already corrected.
    /// - Parameters:
    ///   - txn: The transaction whose snapshot is answered for. Workers read the same
    ///     records in their own snapshots: records are only ever appended, and the
    ///     span ends at this transaction's last record.
    ///   - last: The last position to fold, or nil for all.
    ///   - wantsLeaves: Also hash every record as a leaf of the Merkle tree.
    ///   - comparesKept: Also compare every state with what is kept, each worker its
    ///     own incidents in its own snapshot (`FoldResult.matchesKept`).
    ///   - threshold: Below this many records the fold stays on one thread (tests
    ///     lower it to fold small ledgers on every core).
    ///   - progress: Called now and then with (records folded, records in all).
    /// - Returns: The states, the last position folded and, when asked, the leaves.
    /// - Throws: `LedgerError.corrupt` naming a record that cannot be read.
    /// - Complexity: O(n) in the records, shared among the cores.
    func fold(
        in txn: some ReadableTransaction, through last: UInt64?, wantsLeaves: Bool = false,
        comparesKept: Bool = false, splittingFrom threshold: UInt64 = Ledger.foldSplitThreshold,
        progress: ((UInt64, UInt64) -> Void)?
    ) throws -> FoldResult {
        let total = UInt64(try txn.count(records))
        let end = min(last ?? total, total)
        var result = FoldResult()
        guard end > 0 else { return result }

        let corrections = try gatherCorrections(in: txn, through: end)
        let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let workers = end < threshold ? 1 : min(cores, 8)
        var shards = [Result<ShardFold, LedgerError>](
            repeating: .success(ShardFold()), count: workers)
        if wantsLeaves {
            result.leaves = Array(repeating: .zero, count: Int(end))
            let blocks = Int(end >> UInt64(KeptSubtrees<ReadTransaction>.keptLevel))
            result.blockRoots = Array(repeating: .zero, count: blocks)
        }
        let environment = self.environment
        let records = self.records
        let keptDatabases = KeptDatabases(
            states: incidents, facts: incidentFacts, statuses: incidentsByStatus)
        let reporter = FoldProgress(progress: progress, total: end)
        let blockCount = result.blockRoots.count
        shards.withUnsafeMutableBufferPointer { shardSlots in
            result.leaves.withUnsafeMutableBufferPointer { leafSlots in
                result.blockRoots.withUnsafeMutableBufferPointer { rootSlots in
                    let slots = FoldSlots(
                        shards: shardSlots.baseAddress,
                        leaves: wantsLeaves ? leafSlots.baseAddress : nil,
                        blockRoots: rootSlots.baseAddress, blockCount: blockCount)
                    let work: @Sendable (Int) -> Void = { worker in
                        let folded = Ledger.foldShard(
                            worker, of: workers, through: end, corrections: corrections,
                            kept: comparesKept ? keptDatabases : nil, environment: environment,
                            records: records, slots: slots,
                            progress: worker == 0 ? reporter : nil)
                        slots.shards?[worker] = folded
                    }
                    if workers == 1 {
                        work(0)
                    } else {
                        DispatchQueue.concurrentPerform(iterations: workers, execute: work)
                    }
                }
            }
        }

        result.matchesKept = comparesKept
        for shard in shards {
            let folded = try shard.get()
            result.shards.append(folded.states)
            result.matchesKept = result.matchesKept && folded.matchesKept
        }
        result.records = end
        progress?(end, end)
        return result
    }

    /// Leaves are hashed by the workers in spans of 2^12 records, dealt in turn.
    static let leafSpanShift: UInt64 = 12

    /// Hashes the complete blocks of the leaf spans dealt to `worker` into their roots.
    private static func hashBlocks(
        of worker: Int, among workers: Int, leaves: UnsafeMutablePointer<SHA256Digest>,
        into roots: UnsafeMutablePointer<SHA256Digest>, count: Int, hasher: SHA256Hasher
    ) {
        let keptLevel = KeptSubtrees<ReadTransaction>.keptLevel
        let blocksPerSpan = 1 << (Int(leafSpanShift) - keptLevel)
        let blockSize = 1 << keptLevel
        for block in 0..<count where (block / blocksPerSpan) % workers == worker {
            let first = UnsafeBufferPointer(start: leaves + block * blockSize, count: blockSize)
            let nodes = BlockNodes(leaves: Array(first), hasher: hasher)
            if let root = nodes.node(level: keptLevel, index: 0) { roots[block] = root }
        }
    }

    /// Below this many records a fold stays on one thread.
    static let foldSplitThreshold: UInt64 = 20_000

    /// Every correction in the span, by the event it corrects (later ones win).
    ///
    /// A record is canonical, so its last member is its type: a suffix test finds
    /// the corrections without decoding anything else.
    private func gatherCorrections(
        in txn: some ReadableTransaction, through end: UInt64
    ) throws -> Projector.Corrections {
        var corrections = Projector.Corrections()
        let marker: StaticString = #","type":"corrected"}"#
        let markerLength = marker.utf8CodeUnitCount
        try txn.withCursor(records) { cursor in
            var entry = try cursor.first()
            while let current = entry, let position = bigEndianValue(current.key),
                position <= end
            {
                let bytes = current.value
                if bytes.count >= markerLength, let base = bytes.baseAddress,
                    memcmp(base + bytes.count - markerLength, marker.utf8Start, markerLength) == 0
                {
                    Projector.gather(
                        try Ledger.decodeStored(bytes, at: position), into: &corrections)
                }
                entry = try cursor.next()
            }
        }
        return corrections
    }

    /// One worker's fold: the incidents whose id hashes to `worker`, and the leaf
    /// hashes of the blocks of records dealt to it.
    private static func foldShard(
        _ worker: Int, of workers: Int, through end: UInt64,
        corrections: Projector.Corrections, kept: KeptDatabases?, environment: Environment,
        records: Database, slots: FoldSlots, progress: FoldProgress?
    ) -> Result<ShardFold, LedgerError> {
        do {
            let hasher = slots.leaves == nil ? nil : try SHA256Hasher()
            var projector = Projector(corrections: corrections)
            try environment.read { txn in
                try txn.withCursor(records) { cursor in
                    var entry = try cursor.first()
                    while let current = entry, let position = bigEndianValue(current.key),
                        position <= end
                    {
                        let bytes = current.value
                        if let hasher, let leaves = slots.leaves,
                            Int((position - 1) >> Ledger.leafSpanShift) % workers == worker
                        {
                            leaves[Int(position - 1)] =
                                MerkleTree<KeptSubtrees<ReadTransaction>>.leafHash(
                                    bytes, hasher: hasher)
                        }
                        if position & 0xFFFF == 0 { progress?.report(position) }
                        if let (key, value) = canonicalIncident(in: bytes) {
                            let incident = UnsafeRawBufferPointer(rebasing: bytes[value])
                            if workers == 1 || shard(of: incident, among: workers) == worker {
                                try fold(
                                    bytes, at: position, incidentKey: key, incident: incident,
                                    into: &projector)
                            }
                        } else {
                            // A ledger-level record, or a tail laid out otherwise: the
                            // full decoder says whether it has an incident, and whose.
                            let event = try decodeStored(bytes, at: position)
                            let owner = Array(event.incident.utf8).withUnsafeBytes { name in
                                shard(of: name, among: workers)
                            }
                            if !event.type.isLedgerLevel, workers == 1 || owner == worker {
                                projector.fold(event, position: position)
                            }
                        }
                        entry = try cursor.next()
                    }
                }
            }
            if let hasher, let leaves = slots.leaves, let roots = slots.blockRoots {
                hashBlocks(
                    of: worker, among: workers, leaves: leaves, into: roots,
                    count: slots.blockCount, hasher: hasher)
            }
            var folded = ShardFold(states: projector.states)
            if let kept {
                folded.matchesKept = try environment.read { txn in
                    try kept.match(folded.states, in: txn)
                }
            }
            return .success(folded)
        } catch let error as LedgerError {
            return .failure(error)
        } catch {
            return .failure(Ledger.wrap(error))
        }
    }

    /// Folds one record of an incident of this worker's: from its type and time
    /// alone when its data does not matter and no correction names it, else decoded.
    @inline(__always)
    private static func fold(
        _ bytes: UnsafeRawBufferPointer, at position: UInt64, incidentKey: Int,
        incident: UnsafeRawBufferPointer, into projector: inout Projector
    ) throws {
        if let (type, id, at, dataRange) = skim(bytes, incidentKey: incidentKey) {
            let name = String(decoding: incident, as: UTF8.self)
            if type.foldsWithoutData, !projector.isCorrected(id) {
                projector.fold(type, at: at, of: name, position: position)
                return
            }
            // The fold reads no actor: the event is made without one.
            if let data = canonicalData(bytes, in: dataRange, of: type) {
                let event = Event(
                    id: id, incident: name, type: type, at: at, actor: "", data: data)
                projector.fold(event, position: position)
                return
            }
        }
        let event = try decodeStored(bytes, at: position)
        guard event.incident.utf8.elementsEqual(incident) else {
            throw LedgerError.corrupt(
                position: position,
                reason: "the record is not in canonical form; run 'incidents verify'")
        }
        projector.fold(event, position: position)
    }

    /// Where the top-level `incident` of a canonical record stands: the offset of its
    /// key's comma and the range of its value.
    ///
    /// Canonical form sorts the members, so the incident is followed only by the
    /// record's tail, whose layout is fixed: `,"position":N,"prev":"…64…",
    /// "recordedAt":"…","recordedBy":"…","type":"…"}`. The tail is stepped over member
    /// by member from the end, the hash in one jump. Nil when the record is not laid
    /// out so: a ledger-level record has no incident (though its data may name one),
    /// and any other record is left to the full decoder.
    /// - Complexity: O(m) in the length of the tail's texts.
    static func canonicalIncident(
        in bytes: UnsafeRawBufferPointer
    ) -> (key: Int, value: Range<Int>)? {
        guard let base = bytes.baseAddress else { return nil }
        let text = base.assumingMemoryBound(to: UInt8.self)
        let quote = UInt8(ascii: "\"")

        // Where `key` starts when it ends just before `offset`.
        func key(_ key: StaticString, before offset: Int) -> Int? {
            let start = offset - key.utf8CodeUnitCount
            guard start >= 0, memcmp(base + start, key.utf8Start, key.utf8CodeUnitCount) == 0
            else { return nil }
            return start
        }
        // The opening quote of a text without escapes whose closing quote is at `close`.
        func opening(before close: Int) -> Int? {
            var open = close - 1
            while open >= 0, text[open] != quote { open -= 1 }
            return open >= 0 ? open : nil
        }

        let count = bytes.count
        guard count > 2, text[count - 1] == UInt8(ascii: "}"), text[count - 2] == quote,
            let typeOpen = opening(before: count - 2),
            let typeKey = key(#","type":""#, before: typeOpen + 1),
            text[typeKey - 1] == quote
        else { return nil }

        // The user's name may hold escaped quotes: an escaped one is preceded by an
        // odd number of backslashes.
        var userOpen = typeKey - 2
        while userOpen >= 0 {
            if text[userOpen] == quote {
                var backslashes = 0
                while userOpen - backslashes - 1 >= 0,
                    text[userOpen - backslashes - 1] == UInt8(ascii: "\\")
                {
                    backslashes += 1
                }
                if backslashes % 2 == 0 { break }
            }
            userOpen -= 1
        }
        guard userOpen > 0, let userKey = key(#","recordedBy":""#, before: userOpen + 1),
            text[userKey - 1] == quote, let timeOpen = opening(before: userKey - 1),
            let timeKey = key(#","recordedAt":""#, before: timeOpen + 1),
            text[timeKey - 1] == quote,
            let prevKey = key(#","prev":""#, before: timeKey - 65)
        else { return nil }
        var digits = prevKey - 1
        while digits >= 0, text[digits] >= UInt8(ascii: "0"), text[digits] <= UInt8(ascii: "9") {
            digits -= 1
        }
        guard let positionKey = key(#","position":"#, before: digits + 1),
            positionKey > 0, text[positionKey - 1] == quote,
            let incidentOpen = opening(before: positionKey - 1),
            let incidentKey = key(#","incident":""#, before: incidentOpen + 1)
        else { return nil }
        return (incidentKey, (incidentOpen + 1)..<(positionKey - 1))
    }

    /// The type, id and time of a canonical record, read straight from its bytes:
    /// enough to fold an event whose data no fact depends on. Nil when the bytes are
    /// not laid out as canonical form lays them (the full decoder then reads them).
    /// - Parameters:
    ///   - bytes: The record.
    ///   - incidentKey: Where its `,"incident":"` starts (`canonicalIncident`).
    /// - Complexity: O(n) in the length of the actor and the type.
    static func skim(
        _ bytes: UnsafeRawBufferPointer, incidentKey: Int
    ) -> (type: EventType, id: EventID, at: Timestamp, data: Range<Int>)? {
        guard let base = bytes.baseAddress else { return nil }
        let text = base.assumingMemoryBound(to: UInt8.self)
        let count = bytes.count
        let quote = UInt8(ascii: "\"")

        // The type closes the record: `,"type":"NAME"}`, a name without escapes.
        let typeKey: StaticString = #","type":""#
        guard count > 2, text[count - 1] == UInt8(ascii: "}"), text[count - 2] == quote else {
            return nil
        }
        var typeStart = count - 2
        while typeStart > 0, text[typeStart - 1] != quote { typeStart -= 1 }
        let typeKeyStart = typeStart - typeKey.utf8CodeUnitCount
        guard typeKeyStart > incidentKey,
            memcmp(base + typeKeyStart, typeKey.utf8Start, typeKey.utf8CodeUnitCount) == 0,
            let type = EventType.named(
                utf8: UnsafeBufferPointer(start: text + typeStart, count: count - 2 - typeStart))
        else { return nil }

        // The id comes just before the incident: `,"id":"` and 36 characters.
        let idKey: StaticString = #","id":""#
        let idStart = incidentKey - 37
        let idKeyStart = idStart - idKey.utf8CodeUnitCount
        guard idKeyStart > 0, text[incidentKey - 1] == quote,
            memcmp(base + idKeyStart, idKey.utf8Start, idKey.utf8CodeUnitCount) == 0,
            let id = EventID(utf8: UnsafeBufferPointer(start: text + idStart, count: 36))
        else { return nil }

        // The time follows the actor, the first member: `{"actor":"…","at":"TIME"`.
        let actorKey: StaticString = #"{"actor":""#
        let atKey: StaticString = #","at":""#
        guard memcmp(base, actorKey.utf8Start, actorKey.utf8CodeUnitCount) == 0 else {
            return nil
        }
        var actorEnd = actorKey.utf8CodeUnitCount
        while actorEnd < idKeyStart, text[actorEnd] != quote {
            actorEnd += text[actorEnd] == UInt8(ascii: "\\") ? 2 : 1
        }
        let atKeyStart = actorEnd + 1
        let atStart = atKeyStart + atKey.utf8CodeUnitCount
        guard atStart < idKeyStart,
            memcmp(base + atKeyStart, atKey.utf8Start, atKey.utf8CodeUnitCount) == 0
        else { return nil }
        var atEnd = atStart
        while atEnd < idKeyStart, text[atEnd] != quote { atEnd += 1 }
        let atText = String(
            decoding: UnsafeBufferPointer(start: text + atStart, count: atEnd - atStart),
            as: UTF8.self)
        guard let at = try? Timestamp(parsing: atText) else { return nil }

        // The data lies between the time and the id: `,"data":{…}`.
        let dataKey: StaticString = #","data":"#
        let dataStart = atEnd + 1 + dataKey.utf8CodeUnitCount
        guard dataStart < idKeyStart,
            memcmp(base + atEnd + 1, dataKey.utf8Start, dataKey.utf8CodeUnitCount) == 0
        else { return nil }
        return (type, id, at, dataStart..<idKeyStart)
    }

    /// Which of `workers` folds `incident`: FNV-1a over its bytes.
    @inline(__always)
    static func shard(of incident: UnsafeRawBufferPointer, among workers: Int) -> Int {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in incident {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return Int(hash % UInt64(workers))
    }

    /// A stored record's event, decoded, or the position that cannot be.
    static func decodeStored(_ bytes: UnsafeRawBufferPointer, at position: UInt64) throws -> Event {
        do {
            return try EventDecoder.decodeStoredEvent(ArraySlice(bytes))
        } catch {
            throw LedgerError.corrupt(position: position, reason: error.description)
        }
    }
}

/// What one worker folded.
private struct ShardFold {
    var states: [String: IncidentState] = [:]
    var matchesKept = false
}

/// The kept projections a fold's states are compared with.
private struct KeptDatabases: Sendable {
    let states: Database
    let facts: Database
    let statuses: Database

    /// Whether each state is kept exactly: its bytes, its facts' and its status entry.
    /// - Complexity: O(k log n) reads for k states.
    func match(
        _ folded: [String: IncidentState], in txn: some ReadableTransaction
    ) throws -> Bool {
        for (name, state) in folded {
            let bytes = KeptBytes(state)
            let key = Array(name.utf8)
            let same = try key.withUnsafeBytes { key in
                try txn.withValue(in: states, forKey: key) {
                    $0.map { sameBytes(bytes.state, $0) } ?? false
                }
                    && txn.withValue(in: facts, forKey: key) {
                        $0.map { sameBytes(bytes.facts, $0) } ?? false
                    }
            }
            guard same, try txn.contains(Ledger.statusKey(bytes.status, key), in: statuses)
            else { return false }
        }
        return true
    }
}

/// Where the workers of a fold put their results: each writes its own shard's slot
/// and the leaves of its own blocks only.
private struct FoldSlots: @unchecked Sendable {
    let shards: UnsafeMutablePointer<Result<ShardFold, LedgerError>>?
    let leaves: UnsafeMutablePointer<SHA256Digest>?
    let blockRoots: UnsafeMutablePointer<SHA256Digest>?
    let blockCount: Int
}

/// The progress callback, called by one worker only.
private struct FoldProgress: @unchecked Sendable {
    let progress: ((UInt64, UInt64) -> Void)?
    let total: UInt64

    func report(_ done: UInt64) {
        progress?(done, total)
    }
}
