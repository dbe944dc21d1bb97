import Foundation
import Testing

@testable import IncidentLedger

@Suite("Batches")
struct BatchTests {
    // MARK: Rules within a batch

    @Test("a batch that detects an incident and acknowledges it is accepted")
    func detectionAndAckInOneBatch() throws {
        let test = try TestLedger()

        let report = try test.append(detectedLine(), eventLine("acknowledged", at: time(3)))

        #expect(report.written == 2)
        #expect(report.duplicates == 0)
        #expect(report.rejected.isEmpty)
        #expect(report.firstPosition == 1)
        #expect(report.head == (try test.ledger.head()))
        #expect(report.head.position == 2)
        let state = try #require(try test.ledger.state(of: "INC-1"))
        #expect(state.firstAcknowledgedAt?.text == time(3))
    }

    @Test("a first batch keeps incidents whose ids share long prefixes, each in key order")
    func incidentsSharingLongPrefixes() throws {
        // The batch orders incidents by their first 16 bytes, then by the rest: ids of
        // 16 bytes and more that share those bytes, and shorter ones, mixed. Kept in a
        // first batch, each index is appended in key order, which LMDB checks.
        let ids = [
            "INCIDENT-PREFIX-0001-b", "INCIDENT-PREFIX-", "A", "INCIDENT-PREFIX-0001",
            "INCIDENT-PREFIX-00010", "INCIDENT-PREFIX-0001-a", "INCIDENT-PREFIX", "B-1", "B",
        ]
        let test = try TestLedger()
        let report = try test.append(
            ids.map { detectedLine($0) } + [eventLine("resolved", "B", at: time(2))])
        #expect(report.written == ids.count + 1)
        let kept = try test.ledger.states(asOf: nil).map(\.incident)
        #expect(kept == ids.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        let open = try test.ledger.states(asOf: nil, statuses: [.open]).map(\.incident)
        #expect(open == kept.filter { $0 != "B" })
        #expect(try test.ledger.rebuild(check: true).differing.isEmpty)
    }

    @Test("a batch whose line 3 breaks a rule is refused whole, naming line 3")
    func ruleBrokenMidBatchRefusesAll() throws {
        let test = try TestLedger()
        try test.append(detectedLine("INC-0"), eventLine("acknowledged", "INC-0", at: time(1)))
        let headBefore = try test.ledger.head()
        let stateBefore = try test.ledger.state(of: "INC-0")

        let errors = test.refusals([
            detectedLine("INC-1"),
            eventLine("resolved", "INC-1", at: time(2)),
            eventLine("resolved", "INC-1", at: time(3)),
            eventLine("note", "INC-0", at: time(4), data: ["text": "unrelated"]),
        ])

        #expect(
            errors.map(\.description)
                == ["line 3: type: rule 2: incident INC-1 is resolved, not open"])
        #expect(errors.first?.line == 3)
        #expect(try test.ledger.head() == headBefore)
        #expect(try test.ledger.state(of: "INC-0") == stateBefore)
        #expect(try test.ledger.state(of: "INC-1") == nil)
        #expect(try test.ledger.history(of: "INC-1").isEmpty)
        #expect(try test.ledger.recordBytes(at: 3) == nil)
    }

    @Test("a refused batch reports every bad line, each with its own number")
    func everyRefusalIsReported() throws {
        let test = try TestLedger()

        let errors = test.refusals([
            detectedLine(),
            eventLine("resolved", at: time(1), data: ["summary": ""]),
            eventLine("closed", at: time(2)),
            "{}",
        ])

        #expect(
            errors.map(\.description)
                == [
                    "line 2: data.summary: must not be empty",
                    "line 3: type: rule 3: incident INC-1 is open; only a resolved one can be "
                        + "closed",
                    "line 4: type: is required",
                ])
        #expect(
            LedgerError.invalidInput(errors).description
                == "line 2: data.summary: must not be empty (and 2 more errors)")
    }

    @Test("a refused batch leaves the event ids free for a later batch")
    func refusedBatchWritesNoIDs() throws {
        let test = try TestLedger()
        _ = test.refusals([detectedLine(id: eventID(1)), eventLine("closed", at: time(1))])

        let report = try test.append(detectedLine(id: eventID(1)))

        #expect(report.written == 1)
        #expect(report.duplicates == 0)
    }

    @Test("events made by the builder are checked like imported lines, numbered from 1")
    func builtEventsAreChecked() throws {
        let test = try TestLedger()
        let detected = try EventBuilder.build(
            type: .detected, incident: "INC-1", at: time(10), actor: "alice", id: nil,
            fields: ["process": .string("p"), "severity": .string("SEV2"), "title": .string("t")])
        let early = try EventBuilder.build(
            type: .acknowledged, incident: "INC-1", at: time(5), actor: "bob", id: nil,
            fields: [:])

        do {
            _ = try test.ledger.append(EventBatch(events: [detected, early]))
            Issue.record("an ack before the detection was accepted")
        } catch {
            guard case .invalidInput(let errors) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(
                errors.map(\.description)
                    == [
                        "line 2: at: rule 7: acknowledged at 2026-03-02T09:05:00Z is earlier "
                            + "than the detection of INC-1 at 2026-03-02T09:10:00Z"
                    ])
        }
        let report = try test.ledger.append(EventBatch(events: [detected]))
        #expect(report.written == 1)
        #expect(try test.ledger.state(of: "INC-1")?.severity == .sev2)
    }

    @Test("an empty batch writes nothing and reports the unchanged head")
    func emptyBatch() throws {
        let test = try TestLedger()
        try test.append(detectedLine())
        let head = try test.ledger.head()

        let report = try test.append(bytes: Array("\n\n   \n".utf8))

        #expect(report.written == 0)
        #expect(report.duplicates == 0)
        #expect(report.firstPosition == nil)
        #expect(report.head == head)
    }

    // MARK: Idempotency

    @Test("a batch of duplicates and new events reports the first new position")
    func duplicatesAndNewEvents() throws {
        let test = try TestLedger()
        let detected = detectedLine(id: eventID(1))
        try test.append(detected)

        let report = try test.append(
            detected, eventLine("acknowledged", at: time(1)), detected,
            eventLine("resolved", at: time(2)))

        #expect(report.written == 2)
        #expect(report.duplicates == 2)
        #expect(report.firstPosition == 2)
        #expect(report.head.position == 3)
    }

    @Test("importing the same lines twice writes nothing the second time")
    func reimportIsAllDuplicates() throws {
        let test = try TestLedger()
        let lines = [
            detectedLine(id: eventID(1)),
            eventLine("acknowledged", at: time(1), id: eventID(2)),
            eventLine("resolved", at: time(2), id: eventID(3)),
        ]
        try test.append(lines)
        let head = try test.ledger.head()
        let state = try test.ledger.state(of: "INC-1")
        let fileBefore = try fileBytes(test.dataFile)

        let report = try test.append(lines)

        #expect(report.written == 0)
        #expect(report.duplicates == 3)
        #expect(report.firstPosition == nil)
        #expect(report.head == head)
        #expect(try test.ledger.head() == head)
        #expect(try test.ledger.state(of: "INC-1") == state)
        #expect(try fileBytes(test.dataFile) == fileBefore)
    }

    @Test("an id given in upper case matches the same id stored in lower case")
    func idCaseDoesNotMatter() throws {
        let test = try TestLedger()
        try test.append(detectedLine(id: "ABCDEF00-0000-4000-8000-000000000001"))

        let report = try test.append(detectedLine(id: "abcdef00-0000-4000-8000-000000000001"))

        #expect(report.written == 0)
        #expect(report.duplicates == 1)
    }

    @Test("a duplicate is recognised before the lifecycle rules, so it is not refused")
    func duplicateSkipsRules() throws {
        let test = try TestLedger()
        try test.append(
            detectedLine(id: eventID(1)), eventLine("resolved", at: time(1), id: eventID(2)))

        let report = try test.append(eventLine("resolved", at: time(1), id: eventID(2)))

        #expect(report.written == 0)
        #expect(report.duplicates == 1)
    }

    @Test("the same id with other content is refused, naming the id field")
    func sameIDOtherContentIsRefused() throws {
        let test = try TestLedger()
        try test.append(
            detectedLine(id: eventID(1)),
            eventLine("note", at: time(1), id: eventID(2), data: ["text": "a"]))

        #expect(
            test.refusal(eventLine("note", at: time(1), id: eventID(2), data: ["text": "b"]))
                == "line 1: id: \(eventID(2)) is already used by the event at position 2 with "
                + "different content")
    }

    @Test("the same instant written with another offset is other content")
    func sameInstantOtherTextIsOtherContent() throws {
        let test = try TestLedger()
        try test.append(detectedLine(id: eventID(1)))

        #expect(
            test.refusal(detectedLine(at: "2026-03-02T10:00:00+01:00", id: eventID(1)))
                == "line 1: id: \(eventID(1)) is already used by the event at position 1 with "
                + "different content")
    }

    @Test("a duplicate inside one batch is skipped")
    func duplicateInsideBatchIsSkipped() throws {
        let test = try TestLedger()
        let note = eventLine("note", at: time(1), id: eventID(2), data: ["text": "a"])

        let report = try test.append(detectedLine(id: eventID(1)), note, note)

        #expect(report.written == 2)
        #expect(report.duplicates == 1)
        #expect(try test.ledger.state(of: "INC-1")?.eventCount == 2)
        #expect(try test.ledger.head().position == 2)
    }

    @Test("the same id twice in one batch with other content is refused")
    func conflictInsideBatchIsRefused() throws {
        let test = try TestLedger()

        let errors = test.refusals([
            detectedLine(id: eventID(1)),
            eventLine("note", at: time(1), id: eventID(2), data: ["text": "a"]),
            eventLine("note", at: time(1), id: eventID(2), data: ["text": "b"]),
        ])

        #expect(
            errors.map(\.description)
                == [
                    "line 3: id: \(eventID(2)) is already used by the event at position 2 with "
                        + "different content"
                ])
    }

    @Test("re-importing a correction is a duplicate")
    func reimportedCorrectionIsDuplicate() throws {
        let test = try TestLedger()
        let lines = [
            detectedLine(id: eventID(1)),
            eventLine(
                "corrected", at: time(5), id: eventID(2),
                data: [
                    "event": .string(eventID(1)), "reason": "r",
                    "data": ["severity": "SEV1", "impactStartedAt": "2026-03-02T08:50:00Z"],
                ]),
        ]
        try test.append(lines)

        let report = try test.append(lines)

        #expect(report.written == 0)
        #expect(report.duplicates == 2)
    }

    @Test("re-importing a correction whose corrected time has a lower-case t or z is a duplicate")
    func reimportedCorrectionWithLowerCaseTime() throws {
        let test = try TestLedger()
        let lines = [
            detectedLine(id: eventID(1)),
            eventLine(
                "corrected", at: time(5), id: eventID(2),
                data: [
                    "event": .string(eventID(1)), "reason": "r",
                    "data": ["impactStartedAt": "2026-03-02t08:50:00z"],
                ]),
        ]
        try test.append(lines)

        let report = try test.append(lines)

        #expect(report.written == 0)
        #expect(report.duplicates == 2)
    }

    // MARK: All or nothing

    @Test("an import failing after 1,000 valid lines leaves data.mdb byte for byte unchanged")
    func failedImportChangesNoByte() throws {
        let test = try TestLedger()
        try test.append(
            detectedLine("OLD-1", id: eventID(1)), eventLine("acknowledged", "OLD-1", at: time(1)))
        let before = try fileBytes(test.dataFile)
        let headBefore = try test.ledger.head()
        var lines: [String] = []
        for number in 0..<500 {
            lines.append(detectedLine("NEW-\(number)", title: "Incident number \(number)"))
            lines.append(eventLine("acknowledged", "NEW-\(number)", at: time(2)))
        }
        lines.append(eventLine("acknowledged", "OLD-1", at: "2026-03-02T09:02:00"))

        let errors = test.refusals(lines)

        #expect(
            errors.map(\.description)
                == [
                    "line 1001: at: must be an RFC 3339 time: missing UTC offset "
                        + "(add Z or +HH:MM)"
                ])
        #expect(try fileBytes(test.dataFile) == before)
        #expect(try test.ledger.head() == headBefore)
        #expect(try test.ledger.incidentCount() == 1)
    }

    @Test("an append to a ledger opened read-only is refused and writes nothing")
    func readOnlyLedgerRefusesAppend() throws {
        let test = try TestLedger()
        try test.append(detectedLine())
        let reader = try Ledger(path: test.path, access: .readOnly)

        do {
            _ = try reader.append(.ndjson(ndjson([eventLine("acknowledged", at: time(1))])))
            Issue.record("a read-only ledger accepted an append")
        } catch {
            guard case .permissionDenied(let message) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(message == "the ledger at \(test.path) is open read-only")
        }
        #expect(try reader.head().position == 1)
    }

    @Test("opening a missing ledger without create fails with its path")
    func missingLedger() throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/absent"

        do {
            _ = try Ledger(path: path, access: .readWrite)
            Issue.record("a missing ledger was opened")
        } catch {
            #expect(error.description == "no ledger at \(path) (create one with 'incidents init')")
        }
    }

    // MARK: Skipping invalid lines

    @Test("with skipInvalid the valid events are written and the rejected reported by line")
    func skipInvalidWritesValidLines() throws {
        let test = try TestLedger()
        var options = AppendOptions()
        options.skipInvalid = true
        let lines = [
            detectedLine(severity: "SEV3"),
            eventLine("severity-changed", at: time(1), data: ["severity": "SEV9"]),
            eventLine("resolved", at: time(2)),
            eventLine("assigned", at: time(3), data: ["owner": "bob"]),
            eventLine("closed", at: time(4)),
            eventLine("assigned", at: time(5), data: ["owner": "carol"]),
        ]

        let report = try test.ledger.append(.ndjson(ndjson(lines)), options: options)

        #expect(report.written == 4)
        #expect(report.firstPosition == 1)
        #expect(
            report.rejected.map(\.description)
                == [
                    #"line 2: data.severity: must be one of SEV1, SEV2, SEV3, SEV4, not "SEV9""#,
                    "line 6: type: rule 4: incident INC-1 is closed; assigned is not accepted",
                ])
        #expect(report.rejected.map(\.line) == [2, 6])
        let state = try #require(try test.ledger.state(of: "INC-1"))
        #expect(state.severity == .sev3)
        #expect(state.owner == "bob")
        #expect(state.status == .closed)
        #expect(state.eventCount == 4)
        #expect(try test.ledger.head().position == 4)
    }

    @Test("with skipInvalid a rejected event does not change the state later lines see")
    func skipInvalidRejectedEventLeavesNoTrace() throws {
        let test = try TestLedger()

        let report = try test.append(
            [
                detectedLine(id: eventID(1)),
                eventLine("reopened", at: time(1), data: ["reason": "not resolved"]),
                eventLine("resolved", at: time(2)),
                eventLine("follow-up-done", at: time(3), id: eventID(4), data: ["task": "T-1"]),
                eventLine("follow-up", at: time(4), data: ["task": "T-1", "title": "t"]),
                eventLine("follow-up-done", at: time(5), id: eventID(4), data: ["task": "T-1"]),
            ], skipInvalid: true)

        #expect(report.written == 4)
        #expect(report.rejected.map(\.line) == [2, 4])
        let state = try #require(try test.ledger.state(of: "INC-1"))
        #expect(state.reopenCount == 0)
        #expect(state.status == .resolved)
        #expect(state.followUps.map(\.doneAt?.text) == [time(5)])
    }

    @Test("with skipInvalid and nothing valid, nothing is written")
    func skipInvalidAllRejected() throws {
        let test = try TestLedger()
        try test.append(detectedLine())
        let head = try test.ledger.head()

        let report = try test.append(
            [eventLine("closed", at: time(1)), "not json"], skipInvalid: true)

        #expect(report.written == 0)
        #expect(report.firstPosition == nil)
        #expect(report.head == head)
        #expect(
            report.rejected.map(\.description)
                == [
                    "line 1: type: rule 3: incident INC-1 is open; only a resolved one can be "
                        + "closed",
                    "line 2: invalid JSON at byte 1: invalid literal (expected null)",
                ])
        #expect(try test.ledger.head() == head)
    }

    @Test("progress is reported at the start and the end of an append")
    func progressIsReported() throws {
        let test = try TestLedger()
        let calls = ProgressLog()
        var options = AppendOptions()
        options.progress = { done, total in calls.add(done, total) }

        _ = try test.ledger.append(
            .ndjson(ndjson([detectedLine(), eventLine("acknowledged", at: time(1))])),
            options: options)

        #expect(calls.entries == [[0, 2], [2, 2]])
    }
}

/// Collects progress calls; the callback is `@Sendable`, so the log locks.
private final class ProgressLog: @unchecked Sendable {
    private var calls: [[Int]] = []
    private let lock = NSLock()

    func add(_ done: Int, _ total: Int) {
        lock.lock()
        calls.append([done, total])
        lock.unlock()
    }

    var entries: [[Int]] {
        lock.lock()
        defer { lock.unlock() }
        return calls
    }

    // MARK: Records written from content made on the decoding cores

    @Test("each record of a batch over several chunks holds its own line's event")
    func recordsOfManyChunksHoldTheirOwnEvents() throws {
        // Over two chunks of 4,096 inputs, each decoded beside its content on the other
        // cores: refused lines and duplicates between them shift every later record's
        // position against its input's index, and each record must still be the
        // canonical form of its own line.
        let test = try TestLedger()
        var lines = [detectedLine(id: eventID(1))]
        var expected: [(id: String, text: String)] = []
        for number in 2...9_000 {
            switch number % 1_000 {
            case 7: lines.append("{\"type\": \"note\"}")
            case 11: lines.append(lines[1])
            default:
                let text = "note \(number) " + String(repeating: "x", count: number % 40)
                let data: [String: JSONInput] = ["text": .string(text)]
                lines.append(
                    eventLine("note", at: time(number % 600), id: eventID(number), data: data))
                expected.append((eventID(number), text))
            }
        }

        let report = try test.append(lines, skipInvalid: true)

        #expect(report.rejected.count == 9)
        #expect(report.duplicates == 9)
        #expect(report.written == 1 + expected.count)
        for (offset, event) in expected.enumerated() {
            let position = UInt64(offset + 2)
            let record = try #require(try test.ledger.recordBytes(at: position))
            let stored = try EventDecoder.decodeRecord(record[...])
            #expect(stored.event.id.description == event.id)
            #expect(stored.event.data.string("text") == event.text)
            var encoder = RecordEncoder()
            #expect(encoder.encode(stored) == record)
        }
        #expect(try test.ledger.verify().isIntact)
    }
}
