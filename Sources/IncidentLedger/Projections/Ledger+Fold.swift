import Dispatch
import Glibc
import Interchange
import LedgerCrypto
import LedgerStorage
import Synchronization

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

    /// How many incidents were folded (also when their states were released).
    var count = 0
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
    /// The span is cut into one run of positions per worker, and folded in three
    /// rounds, each on every core:
    /// 1. each worker gathers its run's corrections;
    /// 2. with every correction known, so that each event is folded already
    ///    corrected, each worker folds the incidents that begin in its run, and
    ///    leaves aside the records of incidents it has not seen begin; those few are
    ///    then folded here, in order, into the states of the run where their
    ///    incident began. When asked, the workers hash their records as leaves as
    ///    they read them;
    /// 3. each worker hashes its share of the leaf blocks and, when asked, compares
    ///    its incidents with what is kept.
    ///
    /// An incident begins with its one detection, so the runs' incidents are
    /// disjoint and each incident is folded in log order. A log where some incident
    /// is detected in two runs is folded again in one run, which alone gives it the
    /// state a fold in order gives.
    /// - Parameters:
    ///   - txn: The transaction whose snapshot is answered for. Workers read the same
    ///     records in their own snapshots: records are only ever appended, and the
    ///     span ends at this transaction's last record.
    ///   - last: The last position to fold, or nil for all.
    ///   - wantsLeaves: Also hash every record as a leaf of the Merkle tree.
    ///   - comparesKept: Also compare every state with what is kept, each worker its
    ///     own incidents in its own snapshot (`FoldResult.matchesKept`).
    ///   - releasingMatched: When every state matches what is kept, release the
    ///     states on the workers instead of giving them back: `shards` is then
    ///     empty, and only `count` says how many there were.
    ///   - threshold: Below this many records the fold stays on one thread (tests
    ///     lower it to fold small ledgers on every core).
    ///   - progress: Called now and then with (records folded, records in all).
    /// - Returns: The states, the last position folded and, when asked, the leaves.
    /// - Throws: `LedgerError.corrupt` naming a record that cannot be read.
    /// - Complexity: O(n) in the records, shared among the cores.
    func fold(
        in txn: some ReadableTransaction, through last: UInt64?, wantsLeaves: Bool = false,
        comparesKept: Bool = false, releasingMatched: Bool = false,
        splittingFrom threshold: UInt64 = Ledger.foldSplitThreshold,
        progress: ((UInt64, UInt64) -> Void)?
    ) throws -> FoldResult {
        let total = UInt64(try txn.count(records))
        let end = min(last ?? total, total)
        guard end > 0 else { return FoldResult() }
        let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let workers = end < threshold ? 1 : min(cores, 8)
        let options = FoldOptions(
            wantsLeaves: wantsLeaves, comparesKept: comparesKept,
            releasesMatched: releasingMatched, progress: progress)
        if let folded = try fold(in: txn, through: end, among: workers, options) {
            return folded
        }
        guard let folded = try fold(in: txn, through: end, among: 1, options) else {
            preconditionFailure("a fold in one run has no other run to overlap")
        }
        return folded
    }

    /// Below this many records a fold stays on one thread.
    static let foldSplitThreshold: UInt64 = 20_000

    /// The fold in `workers` runs; nil when some incident began in two of them.
    private func fold(
        in txn: some ReadableTransaction, through end: UInt64, among workers: Int,
        _ options: FoldOptions
    ) throws -> FoldResult? {
        let runs = (0..<UInt64(workers)).map { worker in
            (worker * end / UInt64(workers) + 1)..<((worker + 1) * end / UInt64(workers) + 1)
        }
        var result = FoldResult()
        if options.wantsLeaves {
            result.leaves = Array(repeating: .zero, count: Int(end))
            let blocks = Int(end >> UInt64(KeptSubtrees<ReadTransaction>.keptLevel))
            result.blockRoots = Array(repeating: .zero, count: blocks)
        }
        let (environment, records) = (self.environment, self.records)
        let reporter = FoldProgress(progress: options.progress, total: end)

        // Round 1: the corrections.
        let found = try Ledger.onEveryCore(workers) { worker in
            try Ledger.gatherCorrections(
                in: runs[worker], environment: environment, records: records)
        }
        var corrections = Projector.Corrections()
        for event in found.joined() { Projector.gather(event, into: &corrections) }

        // Round 2: each run's incidents, then the records left aside, in order.
        var folds = try result.leaves.withUnsafeMutableBufferPointer { leaves in
            let leaves = options.wantsLeaves ? DigestSlots(base: leaves.baseAddress) : nil
            return try Ledger.onEveryCore(workers) { [corrections] worker in
                try Ledger.foldRun(
                    worker, runs[worker], corrections: corrections, environment: environment,
                    records: records, leaves: leaves, progress: reporter)
            }
        }
        let deferred = folds.map(\.deferred)
        var projectors = folds.map(\.projector)
        // One reference to each run's states, so that folding the records left aside
        // into them changes them in place instead of copying them whole.
        folds = []
        for worker in 1..<max(workers, 1) {
            let earlier = 0..<worker
            for incident in projectors[worker].states.keys
            where earlier.contains(where: { projectors[$0].knows(incident) }) {
                return nil
            }
            for position in deferred[worker] {
                try bigEndianBytes(position).withUnsafeBytes { key in
                    try txn.withValue(in: records, forKey: key) { bytes in
                        guard let bytes else {
                            throw LedgerError.corrupt(
                                position: position, reason: "the record is missing")
                        }
                        let incident = try Ledger.incident(of: bytes, at: position)
                        let owner = earlier.first { projectors[$0].knows(incident) } ?? worker
                        var none: Deferral?
                        try Ledger.fold(
                            bytes, at: position, into: &projectors[owner], deferring: &none)
                    }
                }
            }
        }
        let states = projectors.map { StatesBox($0.states) }
        projectors = []

        // Round 3: the leaf blocks' roots, and the comparison with what is kept.
        let kept = KeptDatabases(
            states: incidents, facts: incidentFacts, statuses: incidentsByStatus)
        let (wantsLeaves, comparesKept) = (options.wantsLeaves, options.comparesKept)
        let matches = try result.leaves.withUnsafeMutableBufferPointer { leaves in
            try result.blockRoots.withUnsafeMutableBufferPointer { roots in
                let blocks = roots.count
                let leaves = DigestSlots(base: leaves.baseAddress)
                let roots = DigestSlots(base: roots.baseAddress)
                return try Ledger.onEveryCore(workers) { worker in
                    if wantsLeaves, let leaves = leaves.base, let roots = roots.base {
                        Ledger.hashBlocks(
                            of: worker, among: workers, leaves: leaves, into: roots,
                            count: blocks, hasher: try SHA256Hasher())
                    }
                    guard comparesKept else { return false }
                    return try environment.read { txn in
                        try kept.match(states[worker].states, in: txn)
                    }
                }
            }
        }
        result.count = states.reduce(0) { $0 + $1.states.count }
        result.matchesKept = options.comparesKept && matches.allSatisfy { $0 }
        if result.matchesKept, options.releasesMatched {
            // Each worker frees its own share: freeing a hundred thousand states on
            // one thread takes a good part of a second.
            _ = try Ledger.onEveryCore(workers) { worker in states[worker].states = [:] }
        }
        result.shards = states.map(\.states)
        result.records = end
        options.progress?(end, end)
        return result
    }

    /// Runs `body` once for each of `workers`, on every core, and gives back what
    /// each returned, in order; the first worker's error, in order, is thrown.
    private static func onEveryCore<Value>(
        _ workers: Int, _ body: @Sendable (Int) throws -> Value
    ) throws -> [Value] {
        var results = [Result<Value, any Error>?](repeating: nil, count: workers)
        results.withUnsafeMutableBufferPointer { buffer in
            let slots = WorkerSlots(base: buffer.baseAddress)
            // With one worker, this runs on the calling thread.
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                slots.base?[worker] = Result { try body(worker) }
            }
        }
        return try results.map { result in
            guard let result else { preconditionFailure("every worker gives a result") }
            return try result.get()
        }
    }

    /// The corrections of `run`, decoded, in order.
    ///
    /// A record is canonical, so its last member is its type: a suffix test finds
    /// the corrections without decoding anything else.
    private static func gatherCorrections(
        in run: Range<UInt64>, environment: Environment, records: Database
    ) throws -> [Event] {
        guard !run.isEmpty else { return [] }
        let marker: StaticString = #","type":"corrected"}"#
        let markerLength = marker.utf8CodeUnitCount
        var found: [Event] = []
        try environment.read { txn in
            try txn.withCursor(records) { cursor in
                var entry = try cursor.seek(atLeast: bigEndianBytes(run.lowerBound))
                while let current = entry, let position = bigEndianValue(current.key),
                    position < run.upperBound
                {
                    let bytes = current.value
                    if bytes.count >= markerLength, let base = bytes.baseAddress,
                        memcmp(base + bytes.count - markerLength, marker.utf8Start, markerLength)
                            == 0
                    {
                        found.append(try Ledger.decodeStored(bytes, at: position))
                    }
                    entry = try cursor.next()
                }
            }
        }
        return found
    }

    /// Hashes the complete blocks of leaves dealt to `worker`, in turn, into their roots.
    private static func hashBlocks(
        of worker: Int, among workers: Int, leaves: UnsafeMutablePointer<SHA256Digest>,
        into roots: UnsafeMutablePointer<SHA256Digest>, count: Int, hasher: SHA256Hasher
    ) {
        let keptLevel = KeptSubtrees<ReadTransaction>.keptLevel
        let blockSize = 1 << keptLevel
        for block in stride(from: worker, to: count, by: workers) {
            let first = UnsafeBufferPointer(start: leaves + block * blockSize, count: blockSize)
            let nodes = BlockNodes(leaves: Array(first), hasher: hasher)
            if let root = nodes.node(level: keptLevel, index: 0) { roots[block] = root }
        }
    }

    /// One worker's fold of its run: every incident the run sees begin, and the
    /// positions of the records it leaves aside (none for the first run, whose
    /// incidents can only begin in it); into `leaves`, when given, the leaf hash of
    /// each of its records, read once for both.
    private static func foldRun(
        _ worker: Int, _ run: Range<UInt64>, corrections: Projector.Corrections,
        environment: Environment, records: Database, leaves: DigestSlots?,
        progress: FoldProgress
    ) throws -> RunFold {
        let hasher = leaves == nil ? nil : try SHA256Hasher()
        // Incidents run to about a dozen records: room for one in sixteen spares the
        // states' table most of its regrowing.
        var projector = Projector(
            corrections: corrections, expectedIncidents: run.count / 16)
        var deferral: Deferral? = worker == 0 ? nil : Deferral()
        guard !run.isEmpty else { return RunFold(projector: projector, deferred: []) }
        try environment.read { txn in
            try txn.withCursor(records) { cursor in
                var entry = try cursor.seek(atLeast: bigEndianBytes(run.lowerBound))
                var unreported: UInt64 = 0
                while let current = entry, let position = bigEndianValue(current.key),
                    position < run.upperBound
                {
                    if let hasher, let leaves = leaves?.base {
                        leaves[Int(position - 1)] =
                            MerkleTree<KeptSubtrees<ReadTransaction>>.leafHash(
                                current.value, hasher: hasher)
                    }
                    try fold(current.value, at: position, into: &projector, deferring: &deferral)
                    unreported += 1
                    if unreported == 1 << 16 {
                        progress.add(unreported, reporting: worker == 0)
                        unreported = 0
                    }
                    entry = try cursor.next()
                }
                progress.add(unreported, reporting: worker == 0)
            }
        }
        return RunFold(projector: projector, deferred: deferral?.positions ?? [])
    }

    /// Folds one record into `projector`, unless `deferral` leaves it aside: from
    /// its type and time alone when its data does not matter and no correction
    /// names it, else decoded.
    @inline(__always)
    private static func fold(
        _ bytes: UnsafeRawBufferPointer, at position: UInt64, into projector: inout Projector,
        deferring deferral: inout Deferral?
    ) throws {
        guard let (incidentKey, value) = canonicalIncident(in: bytes) else {
            // A ledger-level record, or a tail laid out otherwise: the full decoder
            // says whether it has an incident, and whose.
            let event = try decodeStored(bytes, at: position)
            guard !event.type.isLedgerLevel else { return }
            fold(event, at: position, into: &projector, deferring: &deferral)
            return
        }
        let incident = UnsafeRawBufferPointer(rebasing: bytes[value])
        if let (type, id, at, dataRange) = skim(bytes, incidentKey: incidentKey) {
            let name = String(decoding: incident, as: UTF8.self)
            if type.foldsWithoutData, !projector.isCorrected(id) {
                // Never a detection: folded unless its incident is unknown here.
                if !projector.fold(type, at: at, of: name, position: position) {
                    deferral?.leave(name, at: position)
                }
                return
            }
            // The fold reads no actor: the event is made without one.
            if let data = canonicalData(bytes, in: dataRange, of: type) {
                let event = Event(
                    id: id, incident: name, type: type, at: at, actor: "", data: data)
                fold(event, at: position, into: &projector, deferring: &deferral)
                return
            }
        }
        let event = try decodeStored(bytes, at: position)
        guard event.incident.utf8.elementsEqual(incident) else {
            throw LedgerError.corrupt(
                position: position,
                reason: "the record is not in canonical form; run 'incidents verify'")
        }
        fold(event, at: position, into: &projector, deferring: &deferral)
    }

    /// Folds a decoded event into `projector`, unless `deferral` leaves it aside:
    /// when its incident is unknown here, or it detects one left aside before.
    @inline(__always)
    private static func fold(
        _ event: Event, at position: UInt64, into projector: inout Projector,
        deferring deferral: inout Deferral?
    ) {
        if event.type == .detected, deferral?.holds(event.incident) == true {
            deferral?.leave(event.incident, at: position)
            return
        }
        if !projector.fold(event, position: position) {
            deferral?.leave(event.incident, at: position)
        }
    }

    /// The incident of a record that has one.
    private static func incident(
        of bytes: UnsafeRawBufferPointer, at position: UInt64
    ) throws -> String {
        if let (_, value) = canonicalIncident(in: bytes) {
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[value]), as: UTF8.self)
        }
        return try decodeStored(bytes, at: position).incident
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
            guard start >= 0, ByteScan.holds(key, at: base + start)
            else { return nil }
            return start
        }
        // The opening quote of a text without escapes whose closing quote is at `close`.
        func opening(before close: Int) -> Int? {
            ByteScan.lastIndex(of: quote, in: text, from: 0, before: close)
        }

        let count = bytes.count
        guard count > 2, text[count - 1] == UInt8(ascii: "}"), text[count - 2] == quote,
            let typeOpen = opening(before: count - 2),
            let typeKey = key(#","type":""#, before: typeOpen + 1),
            text[typeKey - 1] == quote
        else { return nil }

        // The user's name may hold escaped quotes: an escaped one is preceded by an
        // odd number of backslashes.
        var userOpen = typeKey - 1
        while true {
            guard let found = opening(before: userOpen) else {
                userOpen = -1
                break
            }
            userOpen = found
            var backslashes = 0
            while userOpen - backslashes - 1 >= 0,
                text[userOpen - backslashes - 1] == UInt8(ascii: "\\")
            {
                backslashes += 1
            }
            if backslashes % 2 == 0 { break }
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
        let typeStart =
            (ByteScan.lastIndex(of: quote, in: text, from: 0, before: count - 2) ?? -1) + 1
        let typeKeyStart = typeStart - typeKey.utf8CodeUnitCount
        guard typeKeyStart > incidentKey,
            ByteScan.holds(typeKey, at: base + typeKeyStart),
            let type = EventType.named(
                utf8: UnsafeBufferPointer(start: text + typeStart, count: count - 2 - typeStart))
        else { return nil }

        // The id comes just before the incident: `,"id":"` and 36 characters.
        let idKey: StaticString = #","id":""#
        let idStart = incidentKey - 37
        let idKeyStart = idStart - idKey.utf8CodeUnitCount
        guard idKeyStart > 0, text[incidentKey - 1] == quote,
            ByteScan.holds(idKey, at: base + idKeyStart),
            let id = EventID(utf8: UnsafeBufferPointer(start: text + idStart, count: 36))
        else { return nil }

        // The time follows the actor, the first member: `{"actor":"…","at":"TIME"`.
        let actorKey: StaticString = #"{"actor":""#
        let atKey: StaticString = #","at":""#
        guard count > actorKey.utf8CodeUnitCount, ByteScan.holds(actorKey, at: base) else {
            return nil
        }
        // The actor may hold escapes: the byte after a backslash is stepped over.
        var actorEnd = actorKey.utf8CodeUnitCount
        while true {
            actorEnd = quoteOrBackslash(in: text, from: actorEnd, to: idKeyStart)
            guard actorEnd < idKeyStart, text[actorEnd] == UInt8(ascii: "\\") else { break }
            actorEnd += 2
        }
        let atKeyStart = actorEnd + 1
        let atStart = atKeyStart + atKey.utf8CodeUnitCount
        guard atStart < idKeyStart,
            ByteScan.holds(atKey, at: base + atKeyStart)
        else { return nil }
        let atEnd = ByteScan.firstIndex(of: quote, in: text, from: atStart, to: idKeyStart)
        let atText = UnsafeBufferPointer(start: text + atStart, count: atEnd - atStart)
        guard let at = try? Timestamp(parsing: atText) else { return nil }

        // The data lies between the time and the id: `,"data":{…}`.
        let dataKey: StaticString = #","data":"#
        let dataStart = atEnd + 1 + dataKey.utf8CodeUnitCount
        guard dataStart < idKeyStart,
            ByteScan.holds(dataKey, at: base + atEnd + 1)
        else { return nil }
        return (type, id, at, dataStart..<idKeyStart)
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

/// What a fold is asked for besides the states.
private struct FoldOptions {
    var wantsLeaves: Bool
    var comparesKept: Bool
    var releasesMatched: Bool
    var progress: ((UInt64, UInt64) -> Void)?
}

/// One worker's states, which it may release on its own thread.
private final class StatesBox: @unchecked Sendable {
    var states: [String: IncidentState]

    init(_ states: [String: IncidentState]) {
        self.states = states
    }
}

/// What one worker folded of its run.
private struct RunFold {
    var projector: Projector
    /// The records it left aside, in order.
    var deferred: [UInt64]
}

/// The records a worker leaves to be folded after the earlier runs: those of the
/// incidents it has not seen begin, which began, if at all, before its run.
///
/// A record is left aside when the worker's fold does not know its incident; a
/// detection, which would begin one, is left aside too when its incident was, so
/// that each incident's records stay in order.
private struct Deferral {
    var positions: [UInt64] = []
    var incidents: Set<String> = []

    /// Whether records of `incident` were left aside.
    func holds(_ incident: String) -> Bool {
        !incidents.isEmpty && incidents.contains(incident)
    }

    /// Leaves the record at `position`, of `incident`, aside.
    mutating func leave(_ incident: String, at position: UInt64) {
        incidents.insert(incident)
        positions.append(position)
    }
}

/// The kept projections a fold's states are compared with.
private struct KeptDatabases: Sendable {
    let states: Database
    let facts: Database
    let statuses: Database

    /// Whether each state is kept exactly: its bytes, its facts' and its status entry.
    /// - Complexity: O(k log n) reads for k states; about O(k) cursor steps for
    ///   the states and facts when the incidents lie side by side.
    func match(
        _ folded: [String: IncidentState], in txn: some ReadableTransaction
    ) throws -> Bool {
        // One buffer for every status key (`status`, a zero byte, the incident). The
        // states and facts are held against the kept bytes as they are encoded
        // (`BinaryMatcher`), without being written.
        var statusKey: [UInt8] = []
        statusKey.reserveCapacity(80)
        // In key order, each lookup finds the pages of the one before it in the cache:
        // at random, most of a lookup's time went to misses. The keys are sorted with
        // their indices, without copying the states, which retains their strings.
        let order = zip(folded.keys, folded.indices).sorted { $0.0 < $1.0 }
        // The states and facts are walked with a cursor each: a worker's incidents
        // mostly lie side by side in the kept databases, so the entry after the last
        // one found is most often the next one asked for, and no lookup is needed.
        return try txn.withCursor(states) { stateCursor in
            try txn.withCursor(facts) { factCursor in
                var keptStates = OrderedLookup(cursor: stateCursor)
                var keptFacts = OrderedLookup(cursor: factCursor)
                for (name, index) in order {
                    // One copy of the state, not one per use: each retains all its texts.
                    let state = folded.values[index]
                    let status = state.status
                    var name = name
                    let same = try name.withUTF8 { name in
                        let key = UnsafeRawBufferPointer(name)
                        statusKey.removeAll(keepingCapacity: true)
                        statusKey.append(contentsOf: status.rawValue.utf8)
                        statusKey.append(0)
                        statusKey.append(contentsOf: key)
                        return try keptStates.value(forKey: key).map { kept in
                            var matcher = BinaryMatcher(kept: kept)
                            state.encode(into: &matcher)
                            return matcher.matchesWhole
                        } ?? false
                            && keptFacts.value(forKey: key).map { kept in
                                var matcher = BinaryMatcher(kept: kept)
                                state.encodeFacts(into: &matcher)
                                return matcher.matchesWhole
                            } ?? false
                            && statusKey.withUnsafeBytes { key in
                                try txn.withValue(in: statuses, forKey: key) { $0 != nil }
                            }
                    }
                    guard same else { return false }
                }
                return true
            }
        }
    }
}

/// Values found by key in one database, asked for in increasing key order: the entry
/// after the last one found is tried first, and the cursor seeks only when that is
/// not the key asked for.
private struct OrderedLookup {
    var cursor: Cursor
    var current: Entry?

    init(cursor: Cursor) {
        self.cursor = cursor
    }

    /// The value stored under `key`, or nil; valid until the next call.
    /// - Complexity: O(1) amortised when the key follows the last one found, else
    ///   O(log n).
    mutating func value(
        forKey key: UnsafeRawBufferPointer
    ) throws(StorageError) -> UnsafeRawBufferPointer? {
        if let last = current, OrderedLookup.precedes(last.key, key) {
            current = try cursor.next()
            if let next = current, OrderedLookup.same(next.key, key) { return next.value }
        }
        current = try cursor.seek(atLeast: key)
        guard let found = current, OrderedLookup.same(found.key, key) else { return nil }
        return found.value
    }

    /// Whether `lhs` sorts before `rhs` as LMDB sorts keys: bytes, then length.
    private static func precedes(
        _ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer
    ) -> Bool {
        let common = min(lhs.count, rhs.count)
        guard common > 0, let left = lhs.baseAddress, let right = rhs.baseAddress else {
            return lhs.count < rhs.count
        }
        let order = memcmp(left, right, common)
        return order < 0 || order == 0 && lhs.count < rhs.count
    }

    private static func same(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard let left = lhs.baseAddress, let right = rhs.baseAddress else { return true }
        return memcmp(left, right, lhs.count) == 0
    }
}

/// Where the workers of a fold write what they give: each its own slot.
private struct WorkerSlots<Value>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Result<Value, any Error>?>?
}

/// Where the workers of a fold write digests: each its own run's or blocks' only.
private struct DigestSlots: @unchecked Sendable {
    let base: UnsafeMutablePointer<SHA256Digest>?
}

/// The progress of a fold, summed over the workers and reported by one of them.
private final class FoldProgress: @unchecked Sendable {
    let progress: ((UInt64, UInt64) -> Void)?
    let total: UInt64
    private let folded = Atomic<UInt64>(0)

    init(progress: ((UInt64, UInt64) -> Void)?, total: UInt64) {
        self.progress = progress
        self.total = total
    }

    /// Counts `count` more records folded, and reports the sum when `reporting`.
    func add(_ count: UInt64, reporting: Bool) {
        let done = folded.add(count, ordering: .relaxed).newValue
        if reporting { progress?(done, total) }
    }
}
