import Interchange
import LedgerCrypto
import LedgerStorage

/// How an append treats invalid input and reports progress.
public struct AppendOptions: Sendable {
    /// Write the valid events and report the invalid ones, rather than refusing all.
    public var skipInvalid = false
    /// Called now and then with (inputs checked, inputs in all).
    public var progress: (@Sendable (Int, Int) -> Void)?

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
                var writer = try BatchWriter(ledger: self, txn: txn, expected: batch.count)
                for index in 0..<batch.count {
                    if index & 0xFFFF == 0 { options.progress?(index, batch.count) }
                    let (line, result) = batch[index]
                    do {
                        try writer.accept(try result.get())
                    } catch let error as EventError {
                        writer.rejected.append(error.line == nil ? error.at(line: line) : error)
                    } catch let violation as RuleViolation {
                        writer.rejected.append(
                            EventError(line: line, field: violation.field, violation.description))
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
/// batch so far, encodes and chains the accepted ones in memory, then writes them
/// with their index entries and projections.
private struct BatchWriter {
    let ledger: Ledger
    let txn: WriteTransaction
    let start: Head
    let recordedAt: Timestamp
    let recordedBy: String
    let ledgerHasIDs: Bool

    /// The accepted records, encoded one after another.
    var encoder = RecordEncoder()
    /// For comparing a resubmitted event with the one stored under its id.
    var contentEncoder = RecordEncoder()
    var prev: SHA256Digest
    var offsets: [Int] = [0]
    var states: [String: StateSlot] = [:]
    var newPositions: [String: [UInt64]] = [:]
    var batchIDs: [EventID: UInt64] = [:]
    var duplicates = 0
    var rejected: [EventError] = []

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
        encoder.reserve(min(expected, 4_000_000) * 300)
        offsets.reserveCapacity(expected + 1)
        batchIDs.reserveCapacity(expected)
    }

    var nextPosition: UInt64 { start.position + UInt64(offsets.count) }

    /// Checks one event and, when it is new and valid, encodes and chains it.
    mutating func accept(_ incoming: Event) throws {
        var event = incoming
        if event.type == .corrected {
            // Typed first, so that a re-submitted correction compares as stored.
            event = try typedCorrection(event)
        }
        if let position = try batchIDs[event.id] ?? storedPosition(of: event.id) {
            try checkSameContent(event, as: position)
            duplicates += 1
            return
        }

        let slot = try stateSlot(of: event.incident)
        let position = nextPosition
        if event.type == .corrected {
            try slot.update { state in try IncidentState.checkLifecycle(of: event, against: state) }
            var history = try events(of: event.incident)
            history.append((position, event))
            let replayed = try IncidentProjector.replay(history)
            slot.update { $0 = replayed }
        } else {
            // Checked and applied in place: a copy of the state would copy all its arrays.
            try slot.update { state in
                try IncidentState.checkLifecycle(of: event, against: state)
                if state == nil {
                    state = IncidentState(detected: event, position: position)
                } else {
                    state?.apply(event, position: position)
                }
            }
        }

        let record = Record(
            position: position, prev: prev, recordedAt: recordedAt, recordedBy: recordedBy,
            event: event)
        let range = encoder.append(record)
        prev = encoder.withBytes(in: range) { ledger.hasher.digest($0) }
        offsets.append(range.upperBound)
        newPositions[event.incident, default: []].append(position)
        batchIDs[event.id] = position
    }

    /// Writes the accepted records, their index entries and projections.
    mutating func commit() throws -> AppendReport {
        let count = offsets.count - 1
        try encoder.bytes.withUnsafeBytes { all in
            for index in 0..<count {
                let key = bigEndianBytes(start.position + UInt64(index) + 1)
                let value = UnsafeRawBufferPointer(
                    rebasing: all[offsets[index]..<offsets[index + 1]])
                try key.withUnsafeBytes { keyBytes in
                    try txn.put(value, forKey: keyBytes, in: ledger.records, flags: .append)
                }
            }
        }
        // Sorted keys touch each index page once instead of at random, and into an
        // empty index they can be appended.
        let idFlags: PutFlags = ledgerHasIDs ? [] : .append
        for (id, position) in batchIDs.sorted(by: { $0.key < $1.key }) {
            try txn.put(
                bigEndianBytes(position), forKey: id.bytes, in: ledger.eventIDs, flags: idFlags)
        }
        for incident in newPositions.keys.sorted() {
            let key = Array(incident.utf8)
            for position in newPositions[incident] ?? [] {
                try txn.put(bigEndianBytes(position), forKey: key, in: ledger.incidentEvents)
            }
        }
        for (incident, slot) in states.sorted(by: { $0.key < $1.key }) {
            guard let state = slot.state, newPositions[incident] != nil else { continue }
            try txn.put(state.encoded(), forKey: Array(incident.utf8), in: ledger.incidents)
        }
        let head = Head(
            position: start.position + UInt64(count), hash: prev,
            recordedAt: count > 0 ? recordedAt : start.recordedAt)
        if count > 0 {
            try txn.put(head.hash.bytes, forKey: Array("head".utf8), in: ledger.meta)
        }

        var report = AppendReport()
        report.written = count
        report.duplicates = duplicates
        report.rejected = rejected
        report.firstPosition = count > 0 ? start.position + 1 : nil
        report.head = head
        return report
    }

    // MARK: Looking things up in the ledger and the batch

    private func storedPosition(of id: EventID) throws -> UInt64? {
        guard ledgerHasIDs else { return nil }
        return try id.bytes.withUnsafeBytes { key in
            try txn.withValue(in: ledger.eventIDs, forKey: key) { value in
                value.flatMap(bigEndianValue)
            }
        }
    }

    /// The record at `position`, from this batch or from the ledger.
    private func record(at position: UInt64) throws -> Record {
        if position > start.position {
            let index = Int(position - start.position - 1)
            return try EventDecoder.decodeRecord(encoder.bytes[offsets[index]..<offsets[index + 1]])
        }
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

    /// The incident's state as this batch has it, loaded from the ledger on first use.
    private mutating func stateSlot(of incident: String) throws -> StateSlot {
        if let known = states[incident] { return known }
        let stored = try Array(incident.utf8).withUnsafeBytes { key in
            try txn.withValue(in: ledger.incidents, forKey: key) { value in
                value.flatMap { IncidentState(encoded: $0) }
            }
        }
        let slot = StateSlot(stored)
        states[incident] = slot
        return slot
    }

    /// The incident's events so far, in log order: stored ones, then this batch's.
    private func events(of incident: String) throws -> [(position: UInt64, event: Event)] {
        var positions = try ledger.positions(of: incident, in: txn)
        positions += newPositions[incident] ?? []
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

/// An incident's state during a batch, shared by reference so that it is updated
/// in place rather than copied for every event.
private final class StateSlot {
    var state: IncidentState?

    init(_ state: IncidentState?) {
        self.state = state
    }

    /// Gives `body` the state in place, neither copied nor released.
    func update<Result>(_ body: (inout IncidentState?) throws -> Result) rethrows -> Result {
        try body(&state)
    }
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

extension Result where Failure == EventError {
    fileprivate func get() throws(EventError) -> Success {
        switch self {
        case .success(let value): value
        case .failure(let error): throw error
        }
    }
}
