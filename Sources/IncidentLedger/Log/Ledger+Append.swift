import Dispatch
import Interchange
import LedgerCrypto
import LedgerStorage
import Synchronization

/// How an append treats invalid input and reports progress.
public struct AppendOptions: Sendable {
    /// Write the valid events and report the invalid ones, rather than refusing all.
    public var skipInvalid = false
    /// Called now and then with (inputs checked, inputs in all).
    public var progress: (@Sendable (Int, Int) -> Void)?
    /// Accept ledger-level events (`EventType.isLedgerLevel`): only the ledger's own
    /// writers of them (`recordExport`) set this; input never does.
    var acceptsLedgerLevel = false
    /// Count an event whose id is already in the ledger (or earlier in the batch) as a
    /// duplicate even when its content differs. For feeds whose derived ids name one fact
    /// of the source (this alert firing, this log entry), and whose re-deliveries may
    /// re-render its text: the ledger keeps the first delivery.
    public var sameIDIsDuplicate = false

    /// All or nothing, silently.
    public init() {}
}

/// What an append did.
public struct AppendReport: Sendable {
    /// Events written.
    public var written = 0
    /// Events skipped because the same id with the same content was already there.
    public var duplicates = 0
    /// Inputs refused, each naming its line, field and rule (only with `skipInvalid`).
    public var rejected: [EventError] = []
    /// The position of the first event written, if any.
    public var firstPosition: UInt64?
    /// The head after the append.
    public var head = Head.empty
}

extension Ledger {
    /// Appends a batch of events in one transaction.
    ///
    /// Every input is decoded and checked (field rules, idempotency, lifecycle rules
    /// against the ledger and the batch so far) before anything is written. Unless
    /// `skipInvalid` is set, one invalid input refuses the whole batch and the
    /// ledger is left unchanged. Records, indexes and projections are then written
    /// in the same transaction, which commits durably.
    /// - Parameters:
    ///   - batch: The events, in the order they are to be appended.
    ///   - options: Whether to skip invalid inputs, and a progress callback.
    /// - Returns: What was written, skipped and refused.
    /// - Throws: `LedgerError.invalidInput` with every refusal, `.permissionDenied`
    ///   on a read-only ledger, `.storage` when the disk or map is full.
    /// - Complexity: O(n log m) for n inputs into a ledger of m records.
    public func append(
        _ batch: EventBatch, options: AppendOptions = AppendOptions()
    ) throws(LedgerError) -> AppendReport {
        guard access == .readWrite else {
            throw LedgerError.permissionDenied("the ledger at \(path) is open read-only")
        }
        do {
            return try environment.write { txn in
                try refuseIfReplaced(in: txn)
                var writer = try BatchWriter(ledger: self, txn: txn, expected: batch.count)
                writer.acceptsLedgerLevel = options.acceptsLedgerLevel
                writer.sameIDIsDuplicate = options.sameIDIsDuplicate
                // Inputs are decoded a chunk at a time on the other cores, ahead of
                // their checking and writing in order on this thread, which alone uses
                // the transaction.
                // Records are appended through one cursor, each put starting where the
                // last one ended.
                try txn.withWriteCursor(records) { recordCursor in
                    try batch.forEachDecodedChunk { chunk, decoded in
                        try decoded.inputs.withUnsafeBufferPointer { inputs in
                            for offset in inputs.indices {
                                let index = chunk.lowerBound + offset
                                if index & 0xFFFF == 0 { options.progress?(index, batch.count) }
                                // The id table is looked up for every event, at random:
                                // its slot for an event a little ahead is fetched while
                                // this one is checked and written.
                                if let ahead = decoded.keys(of: offset + 2) {
                                    writer.prefetch(ahead)
                                }
                                try writer.accept(
                                    inputs[offset], content: decoded, offset: offset,
                                    records: &recordCursor)
                            }
                        }
                    }
                }
                options.progress?(batch.count, batch.count)
                if !writer.rejected.isEmpty, !options.skipInvalid {
                    throw LedgerError.invalidInput(writer.rejected)
                }
                return try writer.commit()
            }
        } catch {
            throw Ledger.wrap(error)
        }
    }
}

/// The work of one append transaction: checks each event against the ledger and the
/// batch so far, and writes each accepted one as a chained record at once; at the end,
/// writes the index entries and projections of the whole batch.
///
/// A refused batch writes nothing that lasts: the transaction is rolled back.
private struct BatchWriter {
    let ledger: Ledger
    let txn: WriteTransaction
    let start: Head
    let recordedAt: Timestamp
    let recordedBy: String
    let ledgerHasIDs: Bool
    /// Whether the ledger keeps no incident's state or positions yet, so that the
    /// batch's can be appended in key order.
    let keepsNoStates: Bool

    /// Writes each accepted record, one at a time, into the same buffer.
    var encoder = RecordEncoder()
    /// For comparing a resubmitted event with the one stored under its id.
    var contentEncoder = RecordEncoder()
    /// The hash of the last record written.
    var prev: SHA256Digest
    /// How many records this batch has written.
    var written = 0
    /// The RFC 6962 leaf hashes of the records written, for the kept Merkle tree,
    /// made on another thread.
    let leaves: LeafHashing
    /// The position of each event written by this batch, by id.
    var batchIDs: EventPositions
    /// Each incident this batch has touched.
    var incidents: IncidentTable<IncidentSlot>
    var duplicates = 0
    var rejected: [EventError] = []
    /// Whether ledger-level events may be written (see `AppendOptions`).
    var acceptsLedgerLevel = false
    /// Whether an id seen before is a duplicate whatever its content (`AppendOptions`).
    var sameIDIsDuplicate = false

    init(ledger: Ledger, txn: WriteTransaction, expected: Int) throws {
        self.ledger = ledger
        self.txn = txn
        start = try ledger.head(in: txn)
        prev = start.hash
        // The ledger's clock never goes backwards, whatever the system clock does.
        let lastMicros = (start.recordedAt?.nanoseconds ?? 0) / 1000
        recordedAt = Timestamp(
            utcNanoseconds: max(ledger.clock(), lastMicros) * 1000, fractionDigits: 6)
        recordedBy = Ledger.currentUser()
        ledgerHasIDs = try txn.count(ledger.eventIDs) > 0
        keepsNoStates =
            try txn.count(ledger.incidents) == 0 && txn.count(ledger.incidentFacts) == 0
            && txn.count(ledger.incidentsByStatus) == 0 && txn.count(ledger.incidentEvents) == 0
        batchIDs = EventPositions(reservingCapacity: expected)
        // Room for an incident per 8 events, as a history of many steps has, so that
        // the table seldom grows.
        incidents = IncidentTable(reservingCapacity: expected / 8)
        leaves = try LeafHashing(firstLeaf: start.position)
    }

    var nextPosition: UInt64 { start.position + UInt64(written) + 1 }

    /// Fetches into cache where the batch looks up an event's id and incident,
    /// ahead of the event. (Mutating only so that calling it never copies the writer.)
    mutating func prefetch(_ keys: (id: EventID, incidentHash: UInt64)) {
        batchIDs.prefetch(keys.id)
        incidents.prefetch(hash: keys.incidentHash)
    }

    /// Checks one decoded input and writes it when new and valid, or keeps why it
    /// was refused.
    /// - Parameters:
    ///   - input: Its line number and event, or why it could not be decoded.
    ///   - chunk: The chunk it came in, with its canonical content.
    ///   - offset: Its offset in the chunk.
    ///   - records: A cursor that appends to the records.
    mutating func accept(
        _ input: DecodedInput, content chunk: DecodedChunk, offset: Int,
        records: inout WriteCursor
    ) throws {
        do {
            switch input.event {
            case .success(let event):
                try chunk.withContent(of: offset) { content in
                    try accept(
                        event, content: content, incidentHash: chunk.incidentHash(of: offset),
                        records: &records)
                }
            case .failure(let error):
                throw error
            }
        } catch let error as EventError {
            rejected.append(error.line == nil ? error.at(line: input.line) : error)
        } catch let violation as RuleViolation {
            rejected.append(
                EventError(line: input.line, field: violation.field, violation.description))
        }
    }

    /// Checks one event and, when it is new and valid, writes it as the next record.
    /// - Parameters:
    ///   - incoming: The event.
    ///   - content: Its canonical content, when already written (`DecodedChunk`).
    ///   - incidentHash: `IncidentHashing.hash(of: incoming.incident)`.
    ///   - records: A cursor that appends to the records.
    mutating func accept(
        _ incoming: Event, content: UnsafeRawBufferPointer?, incidentHash: UInt64,
        records: inout WriteCursor
    ) throws {
        if incoming.type.isLedgerLevel {
            guard acceptsLedgerLevel else {
                throw EventError(
                    field: "type",
                    "\(incoming.type.rawValue) records are written only by the ledger itself "
                        + "('incidents export'), never accepted as input")
            }
            // Outside any incident: no lifecycle, index or projection, only the record.
            let position = nextPosition
            if try batchIDs[incoming.id] ?? storedPosition(of: incoming.id) != nil {
                throw EventError(field: "id", "\(incoming.id) is already used by another event")
            }
            try write(incoming, at: position, content: nil, records: &records)
            batchIDs.insert(position, for: incoming.id)
            return
        }
        // A correction is typed first, so that a re-submitted one compares as stored.
        let event = incoming.type == .corrected ? try typedCorrection(incoming) : incoming
        if let position = try batchIDs[event.id] ?? storedPosition(of: event.id) {
            if !sameIDIsDuplicate { try checkSameContent(event, as: position) }
            duplicates += 1
            return
        }

        let slot = try incidentSlot(of: event.incident, hash: incidentHash)
        let position = nextPosition
        if event.type == .corrected {
            try slot.update { state in try IncidentState.checkLifecycle(of: event, against: state) }
            var history = try events(of: event.incident, slot: slot)
            history.append((position, event))
            let replayed = try IncidentProjector.replay(history)
            slot.update { $0 = replayed }
        } else {
            // Checked and applied in place: a copy of the state would copy all its arrays.
            try slot.update { state in
                try IncidentState.checkLifecycle(of: event, against: state)
                // Not `state == nil`, which would compare a copy of the whole state.
                if case .some = state {
                    state?.apply(event, position: position)
                } else {
                    state = IncidentState(detected: event, position: position)
                }
            }
        }

        // A correction's data was typed again above, so its content may differ.
        try write(
            event, at: position, content: event.type == .corrected ? nil : content,
            records: &records)
        slot.newPositions.append(position)
        batchIDs.insert(position, for: event.id)
    }

    /// Encodes, chains and stores an accepted event as the record at `position`:
    /// from its canonical content when given, else from the event.
    private mutating func write(
        _ event: Event, at position: UInt64, content: UnsafeRawBufferPointer?,
        records: inout WriteCursor
    ) throws {
        let (ledger, leaves) = (ledger, leaves)
        func store(_ bytes: UnsafeRawBufferPointer) throws -> SHA256Digest {
            try withBigEndianBytes(of: position) { key in
                try records.put(bytes, forKey: key, flags: .append)
            }
            leaves.add(bytes)
            return ledger.hasher.digest(bytes)
        }
        if let content,
            let digest = try encoder.withRecord(
                content: content, type: event.type, position: position, prev: prev,
                recordedAt: recordedAt, recordedBy: recordedBy, store)
        {
            prev = digest
        } else {
            let record = Record(
                position: position, prev: prev, recordedAt: recordedAt,
                recordedBy: recordedBy, event: event)
            prev = try encoder.withEncoded(record, store)
        }
        written += 1
    }

    /// Writes the batch's index entries and projections, and the new head.
    mutating func commit() throws -> AppendReport {
        let touched = IncidentSlot.sortedByIncident(
            incidents.entries.filter { !$0.newPositions.isEmpty })
        incidents = IncidentTable(reservingCapacity: 0)
        // Pure work runs on the other cores while this thread, which alone may use
        // the transaction, writes what needs nothing more: the ids are sorted, and
        // the touched incidents' states encoded (each state let go once encoded, so
        // that the encodings take its room), while the incidents' positions are
        // written. This thread then helps encode the states left.
        let sorted = SortedIDs(batchIDs)
        batchIDs = EventPositions(reservingCapacity: 0)
        let encoded = EncodedStates(touched)
        let sorting = DispatchGroup()
        let encoding = DispatchGroup()
        DispatchQueue.global().async(group: sorting) { sorted.sort() }
        DispatchQueue.global().async(group: encoding) { encoded.help() }
        defer {
            sorting.wait()
            encoding.wait()
        }
        try writePositions(touched)
        sorting.wait()
        try writeEventIDs(sorted.take())
        try extendTree()
        encoded.help()
        encoding.wait()
        try writeStates(touched, encoded: encoded)
        let head = Head(
            position: start.position + UInt64(written), hash: prev,
            recordedAt: written > 0 ? recordedAt : start.recordedAt)
        if written > 0 {
            try txn.put(head.hash.bytes, forKey: Array("head".utf8), in: ledger.meta)
            // The projections were updated in this same transaction: they reflect the head.
            try txn.put(
                bigEndianBytes(head.position), forKey: Ledger.projectedThroughKey,
                in: ledger.meta)
        }

        var report = AppendReport()
        report.written = written
        report.duplicates = duplicates
        report.rejected = rejected
        report.firstPosition = written > 0 ? start.position + 1 : nil
        report.head = head
        return report
    }

    /// Extends the kept tree with the batch's leaves.
    private func extendTree() throws {
        let hashed = leaves.finish()
        try ledger.extendTree(
            count: written, from: start.position, headLeaves: hashed.headLeaves,
            blockRoots: hashed.blockRoots, in: txn)
    }

    /// Writes the event-id index entries, given in id order.
    private func writeEventIDs(_ ids: [(id: EventID, position: UInt64)]) throws {
        // Sorted keys touch each index page once instead of at random, and into an
        // empty index they can be appended, each put starting where the last ended.
        let flags: PutFlags = ledgerHasIDs ? [] : .append
        try txn.withWriteCursor(ledger.eventIDs) { cursor in
            for (id, position) in ids {
                try withBigEndianBytes(of: position) { value in
                    try withBigEndianBytes(of: id) { key in
                        try cursor.put(value, forKey: key, flags: flags)
                    }
                }
            }
        }
    }

    /// Writes each touched incident's new positions, in incident order: all of an
    /// incident's in one put, as the index keeps them as fixed-size duplicates.
    private func writePositions(_ touched: [IncidentSlot]) throws {
        var values: [UInt64] = []
        try txn.withWriteCursor(ledger.incidentEvents) { cursor in
            for slot in touched {
                values.removeAll(keepingCapacity: true)
                for position in slot.newPositions { values.append(position.bigEndian) }
                try values.withUnsafeBytes { packed in
                    try Array(slot.incident.utf8).withUnsafeBytes { key in
                        try cursor.putDuplicates(
                            packed, size: MemoryLayout<UInt64>.size, forKey: key)
                    }
                }
            }
        }
    }

    /// Writes each touched incident's projection, in incident order, from its state
    /// encoded beforehand.
    private func writeStates(_ touched: [IncidentSlot], encoded: EncodedStates) throws {
        var first: [(key: [UInt8], bytes: KeptBytes)] = []
        for (index, slot) in touched.enumerated() {
            guard let bytes = encoded[index] else { continue }
            let key = Array(slot.incident.utf8)
            if keepsNoStates {
                first.append((key, bytes))
            } else {
                try ledger.keep(bytes, of: key, before: slot.statusBefore, in: txn)
            }
        }
        if keepsNoStates { try ledger.keepFirst(first, in: txn) }
    }

    // MARK: Looking things up in the ledger and the batch

    private func storedPosition(of id: EventID) throws -> UInt64? {
        guard ledgerHasIDs else { return nil }
        return try withBigEndianBytes(of: id) { key in
            try txn.withValue(in: ledger.eventIDs, forKey: key) { value in
                value.flatMap(bigEndianValue)
            }
        }
    }

    /// The record at `position`, stored earlier or written by this batch.
    private func record(at position: UInt64) throws -> Record {
        let stored = try txn.value(in: ledger.records, forKey: bigEndianBytes(position))
        guard let stored else {
            throw LedgerError.corrupt(position: position, reason: "an index names a missing record")
        }
        return try EventDecoder.decodeRecord(stored[...])
    }

    private mutating func checkSameContent(_ event: Event, as position: UInt64) throws {
        let existing = try record(at: position).event
        let mine = contentEncoder.encodeContent(event)
        guard mine == contentEncoder.encodeContent(existing) else {
            throw EventError(
                field: "id",
                "\(event.id) is already used by the event at position \(position) "
                    + "with different content")
        }
    }

    /// The incident as this batch has it, its state loaded from the ledger on first use.
    private mutating func incidentSlot(of incident: String, hash: UInt64) throws -> IncidentSlot {
        if let known = incidents.entry(of: incident, hash: hash) { return known }
        let stored = try Array(incident.utf8).withUnsafeBytes { key in
            try txn.withValue(in: ledger.incidents, forKey: key) { value in
                value.flatMap { IncidentState(encoded: $0) }
            }
        }
        let slot = IncidentSlot(incident, stored)
        incidents.insert(slot, hash: hash)
        return slot
    }

    /// The incident's events so far, in log order: stored ones, then this batch's.
    private func events(
        of incident: String, slot: IncidentSlot
    ) throws -> [(position: UInt64, event: Event)] {
        var positions = try ledger.positions(of: incident, in: txn)
        positions += slot.newPositions
        return try positions.map { ($0, try record(at: $0).event) }
    }

    /// Checks what a correction names (rule 6) and types its data for that event.
    private func typedCorrection(_ event: Event) throws -> Event {
        guard case .string(let text)? = event.data["event"], let target = EventID(text) else {
            throw EventError(field: "data.event", "must be an event id")
        }
        guard let position = try batchIDs[target] ?? storedPosition(of: target) else {
            throw RuleViolation(
                rule: 6, message: "event \(target) does not exist in incident \(event.incident)")
        }
        let corrected = try record(at: position).event
        guard !corrected.type.isLedgerLevel else {
            throw RuleViolation(
                rule: 6,
                message: "event \(target) is a ledger-level \(corrected.type.rawValue) record, "
                    + "not an event of incident \(event.incident)")
        }
        guard corrected.incident == event.incident else {
            throw RuleViolation(
                rule: 6,
                message: "event \(target) belongs to incident \(corrected.incident), "
                    + "not \(event.incident)")
        }
        guard corrected.type != .corrected else {
            throw RuleViolation(rule: 6, message: "event \(target) is itself a correction")
        }
        var typed = event
        if case .fields(let fields)? = event.data["data"] {
            typed.data.set("data", .fields(try EventDecoder.check(fields, against: corrected.type)))
        }
        return typed
    }
}

/// A batch's event ids and positions, sorted on another thread than the writer's,
/// which leaves them alone until `sort()` is done.
private final class SortedIDs: @unchecked Sendable {
    private var table: EventPositions
    private var entries: [(id: EventID, position: UInt64)] = []

    init(_ table: EventPositions) {
        self.table = table
    }

    /// Sorts the entries by id, and lets the table go.
    func sort() {
        entries = table.sortedByID()
        table = EventPositions(reservingCapacity: 0)
    }

    /// The sorted entries, handed over once: this holds them no longer.
    func take() -> [(id: EventID, position: UInt64)] {
        defer { entries = [] }
        return entries
    }
}

/// The states a batch touched, encoded by whichever threads are free to help: each
/// claims the next block of states not yet claimed, encodes them and lets each state
/// go, so that the encodings take its room. The writer leaves the slots alone until
/// every helper has returned.
private final class EncodedStates: @unchecked Sendable {
    /// States in a block: a fraction of a millisecond of work.
    private static let blockSize = 256

    private let slots: [IncidentSlot]
    private let blockCount: Int
    private let nextBlock = Atomic<Int>(0)
    /// Each slot's encoding, initialized by the thread that encodes its block.
    private let encoded: UnsafeMutablePointer<KeptBytes?>

    init(_ slots: [IncidentSlot]) {
        self.slots = slots
        blockCount = (slots.count + EncodedStates.blockSize - 1) / EncodedStates.blockSize
        encoded = .allocate(capacity: slots.count)
    }

    deinit {
        // Every block is encoded before the states are let go (see `help()`).
        encoded.deinitialize(count: slots.count)
        encoded.deallocate()
    }

    /// Encodes blocks not yet claimed until none is left; a block claimed by another
    /// thread is done when that thread's call returns.
    func help() {
        while true {
            let block = nextBlock.wrappingAdd(1, ordering: .relaxed).oldValue
            guard block < blockCount else { return }
            let first = block * EncodedStates.blockSize
            for index in first..<min(first + EncodedStates.blockSize, slots.count) {
                (encoded + index).initialize(to: slots[index].state.map(KeptBytes.init))
                slots[index].state = nil
            }
        }
    }

    /// The encoding of slot `index`'s state, nil when it has none; read once every
    /// helper has returned.
    subscript(index: Int) -> KeptBytes? {
        encoded[index]
    }
}

/// An incident during a batch: its state and the positions the batch gave it, shared
/// by reference so that the state is updated in place rather than copied for every event.
private final class IncidentSlot: IncidentNamed {
    let incident: String
    var state: IncidentState?
    var newPositions: [UInt64] = []
    /// The status kept before this batch, to move the incident in the status index.
    let statusBefore: IncidentStatus?

    init(_ incident: String, _ state: IncidentState?) {
        self.incident = incident
        self.state = state
        statusBefore = state?.status
    }

    /// `slots` sorted by the UTF-8 bytes of their incident ids, the order of their keys.
    /// - Complexity: O(n log n), comparing two words for most pairs: ids of up to 16
    ///   bytes are ordered by their bytes read as two big-endian words.
    static func sortedByIncident(_ slots: [IncidentSlot]) -> [IncidentSlot] {
        var keyed = slots.map { slot -> (prefix: (UInt64, UInt64), slot: IncidentSlot) in
            var incident = slot.incident
            let prefix = incident.withUTF8 { bytes -> (UInt64, UInt64) in
                var words: (UInt64, UInt64) = (0, 0)
                withUnsafeMutableBytes(of: &words) { raw in
                    raw.copyBytes(from: bytes.prefix(16))
                }
                return (words.0.bigEndian, words.1.bigEndian)
            }
            return (prefix, slot)
        }
        keyed.sort { a, b in
            if a.prefix != b.prefix { return a.prefix < b.prefix }
            return a.slot.incident.utf8.lexicographicallyPrecedes(b.slot.incident.utf8)
        }
        return keyed.map { $0.slot }
    }

    /// Gives `body` the state in place, neither copied nor released.
    func update<Result>(_ body: (inout IncidentState?) throws -> Result) rethrows -> Result {
        try body(&state)
    }
}

/// Calls `body` with the 8 bytes of `value`, most significant first, without an array.
@inline(__always)
private func withBigEndianBytes<Result>(
    of value: UInt64, _ body: (UnsafeRawBufferPointer) throws -> Result
) rethrows -> Result {
    try withUnsafeBytes(of: value.bigEndian, body)
}

/// Calls `body` with the 16 bytes of `id`, as `EventID.bytes` has them, without an array.
@inline(__always)
private func withBigEndianBytes<Result>(
    of id: EventID, _ body: (UnsafeRawBufferPointer) throws -> Result
) rethrows -> Result {
    try withUnsafeBytes(of: (id.high.bigEndian, id.low.bigEndian), body)
}

extension Ledger {
    /// The positions of an incident's events, in log order.
    /// - Complexity: O(log n + k) for k events.
    func positions(of incident: String, in txn: some ReadableTransaction) throws -> [UInt64] {
        try txn.withCursor(incidentEvents) { cursor in
            var positions: [UInt64] = []
            var entry = try cursor.seek(exactly: Array(incident.utf8))
            while let current = entry {
                if let position = bigEndianValue(current.value) { positions.append(position) }
                entry = try cursor.nextDuplicate()
            }
            return positions
        }
    }
}
