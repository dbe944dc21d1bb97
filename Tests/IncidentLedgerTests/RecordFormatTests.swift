import Interchange
import LedgerCrypto
import Testing

@testable import IncidentLedger

/// One accepted form of one event type: the events it needs before it, and its data.
struct TypeSample: Sendable, CustomTestStringConvertible {
    var type: EventType
    var variant: String
    var data: [String: JSONInput]

    var testDescription: String { "\(type.rawValue) \(variant)" }

    /// The lines that put INC-1 in a state that accepts `type`.
    var setup: [String] {
        let detected = detectedLine(id: eventID(1))
        switch type {
        case .detected:
            return []
        case .reopened, .closed:
            return [detected, eventLine("resolved", at: time(10), id: eventID(2))]
        case .followUpDone:
            return [
                detected,
                eventLine(
                    "follow-up", at: time(10), id: eventID(2),
                    data: ["task": "T-1", "title": "Add an alert"]),
            ]
        default:
            return [detected]
        }
    }
}

/// Each type's required data and its optional fields, one value each.
let typeFields: [(EventType, required: [String: JSONInput], optional: [String: JSONInput])] =
    [
        (
            .detected,
            ["process": "nightly-export", "severity": "SEV2", "title": "Export job failed"],
            [
                "impactStartedAt": "2026-03-02T08:55:00Z", "service": "exports",
                "source": "monitoring",
            ]
        ),
        (.acknowledged, [:], [:]),
        (.assigned, ["owner": "bob"], ["team": "payments"]),
        (
            .triaged, ["scope": "single-process"],
            [
                "customerFacing": true, "processes": ["billing", "export"], "regulatory": false,
                "severity": "SEV1",
            ]
        ),
        (.severityChanged, ["severity": "SEV4"], ["reason": "fewer users hit than thought"]),
        (.escalated, ["reason": "spreading to billing"], ["scope": "multi-process"]),
        (.note, ["text": "Looking at the logs"], [:]),
        (
            .rootCause, ["category": "config", "summary": "A bad timeout"],
            ["change": "PR-1234"]
        ),
        (.mitigated, ["action": "rollback"], ["summary": "Rolled back the deploy"]),
        (.resolved, [:], ["summary": "Export completed"]),
        (.reopened, ["reason": "It failed again"], [:]),
        (
            .closed, [:],
            [
                "whatHappened": "The export timed out", "whatWillChange": "Longer timeout",
                "why": "A config change",
            ]
        ),
        (.notified, ["channel": "#incidents"], ["audience": "support"]),
        (
            .followUp, ["task": "T-9", "title": "Add an alert"],
            ["due": "2026-04-01", "owner": "carol"]
        ),
        (.followUpDone, ["task": "T-1"], [:]),
        (.postmortem, ["document": "https://wiki.example/pm/1"], [:]),
        (
            .corrected,
            ["event": .string(eventID(1)), "reason": "typo", "at": "2026-03-02T08:59:00Z"],
            ["data": ["title": "Export job failed twice"]]
        ),
    ]

/// The data of a valid event of `type` with only its required fields (a correction
/// corrects the time of event 1).
func requiredData(of type: EventType) -> [String: JSONInput] {
    typeFields.first { $0.0 == type }?.required ?? [:]
}

/// Every type with only its required fields, with each optional field alone, and with
/// all of them.
private let typeSamples: [TypeSample] = typeFields.flatMap { type, required, optional in
    var samples = [TypeSample(type: type, variant: "with required fields only", data: required)]
    for (name, value) in optional.sorted(by: { $0.key < $1.key }) {
        samples.append(
            TypeSample(
                type: type, variant: "with optional \(name)",
                data: required.merging([name: value]) { $1 }))
    }
    if optional.count > 1 {
        samples.append(
            TypeSample(
                type: type, variant: "with every optional field",
                data: required.merging(optional) { $1 }))
    }
    return samples
}

@Suite("Stored records")
struct RecordFormatTests {
    @Test("every event type is accepted and stored as its canonical record", arguments: typeSamples)
    func everyTypeIsStoredCanonically(sample: TypeSample) throws {
        let test = try TestLedger()
        try test.append(sample.setup)
        let position = UInt64(sample.setup.count + 1)
        let previous = try test.ledger.recordBytes(at: position - 1) ?? []
        let id = eventID(50)
        let at = time(30)

        let report = try test.append(
            eventLine(sample.type.rawValue, at: at, id: id, data: sample.data))

        #expect(report.written == 1)
        #expect(report.firstPosition == position)
        let expected =
            "{\"actor\":\"alice\",\"at\":\"\(at)\",\"data\":\(JSONInput.object(sample.data).json),"
            + "\"id\":\"\(id)\",\"incident\":\"INC-1\",\"position\":\(position),"
            + "\"prev\":\"\(position == 1 ? zeroHash : try sha256Hex(previous))\","
            + "\"recordedAt\":\"\(TestLedger.recordedAtText)\","
            + "\"recordedBy\":\"\(Ledger.currentUser())\",\"type\":\"\(sample.type.rawValue)\"}"
        #expect(try test.recordText(at: position) == expected)
        let stored = try #require(try test.ledger.recordBytes(at: position))
        var encoder = RecordEncoder()
        #expect(encoder.encode(try EventDecoder.decodeRecord(stored[...])) == stored)
    }

    @Test("a record made from its event's content has the bytes the event encodes to")
    func recordFromContent() throws {
        var data = EventData()
        data.set("text", .string("line one\nwith \"quotes\" and \\"))
        let event = Event(
            id: try #require(EventID(eventID(7))), incident: "INC-9", type: .note,
            at: try Timestamp(parsing: "2026-03-02T10:14:00.25+01:00"), actor: "zoë",
            data: data)
        let record = Record(
            position: 12, prev: try #require(SHA256Digest(bytes: (0..<32).map { UInt8($0) })),
            recordedAt: try Timestamp(parsing: TestLedger.recordedAtText), recordedBy: "ops",
            event: event)
        var encoder = RecordEncoder()
        let whole = encoder.encode(record)
        var content: [UInt8] = []
        encoder.appendContent(of: event, to: &content)

        let spliced = content.withUnsafeBytes { content in
            encoder.withRecord(content: content, type: .note, ledgerFields: record) { Array($0) }
        }
        #expect(spliced == whole)
        // Content whose last member is not of the type named, and a ledger-level type,
        // are refused: the caller then encodes the event itself.
        let mismatched = content.withUnsafeBytes { content in
            encoder.withRecord(content: content, type: .postmortem, ledgerFields: record) {
                Array($0)
            }
        }
        #expect(mismatched == nil)
        let ledgerLevel = content.withUnsafeBytes { content in
            encoder.withRecord(content: content, type: .exported, ledgerFields: record) {
                Array($0)
            }
        }
        #expect(ledgerLevel == nil)
    }

    @Test("a detected event is stored with sorted keys, no whitespace and canonical text")
    func detectedRecordBytes() throws {
        let test = try TestLedger()
        let line = """
             { "type" : "detected", "incident": "INC-0042", "actor": "alice",
            "at": "2026-03-02t09:14:00z", "id": "3B8F2A56-0C1E-4E8A-9A53-8D6F0F8F2C11",
            "data": {"title": "Export job failed", "severity": "SEV3",
            "process": "nightly\\/export", "source": "monitoring",
            "impactStartedAt": "2026-03-02T10:05:00+01:00", "service": "caf\\u00e9"} }
            """.split(separator: "\n").joined(separator: " ")

        try test.append(line)

        let user = Ledger.currentUser()
        #expect(
            try test.recordText(at: 1)
                == "{\"actor\":\"alice\",\"at\":\"2026-03-02T09:14:00Z\",\"data\":{"
                + "\"impactStartedAt\":\"2026-03-02T10:05:00+01:00\","
                + "\"process\":\"nightly/export\",\"service\":\"café\",\"severity\":\"SEV3\","
                + "\"source\":\"monitoring\",\"title\":\"Export job failed\"},"
                + "\"id\":\"3b8f2a56-0c1e-4e8a-9a53-8d6f0f8f2c11\",\"incident\":\"INC-0042\","
                + "\"position\":1,\"prev\":\"\(zeroHash)\","
                + "\"recordedAt\":\"2026-03-02T09:14:03.512000Z\",\"recordedBy\":\"\(user)\","
                + "\"type\":\"detected\"}")
    }

    @Test("a triaged event stores its list of processes and its flags")
    func triagedRecordBytes() throws {
        let test = try TestLedger()
        try test.append(detectedLine(id: eventID(1)))
        let first = try #require(try test.ledger.recordBytes(at: 1))

        try test.append(
            #"{"data":{"regulatory":false,"processes":["export","billing"],"#
                + #""scope":"multi-process","customerFacing":true,"severity":"SEV2"},"#
                + #""type":"triaged","incident":"INC-1","at":"2026-03-02T09:20:00.250Z","#
                + #""actor":"bob","id":"00000000-0000-4000-8000-000000000002"}"#)

        let user = Ledger.currentUser()
        #expect(
            try test.recordText(at: 2)
                == "{\"actor\":\"bob\",\"at\":\"2026-03-02T09:20:00.250Z\",\"data\":{"
                + "\"customerFacing\":true,\"processes\":[\"export\",\"billing\"],"
                + "\"regulatory\":false,\"scope\":\"multi-process\",\"severity\":\"SEV2\"},"
                + "\"id\":\"00000000-0000-4000-8000-000000000002\",\"incident\":\"INC-1\","
                + "\"position\":2,\"prev\":\"\(try sha256Hex(first))\","
                + "\"recordedAt\":\"2026-03-02T09:14:03.512000Z\",\"recordedBy\":\"\(user)\","
                + "\"type\":\"triaged\"}")
    }

    @Test("a follow-up stores its due date as YYYY-MM-DD")
    func followUpRecordBytes() throws {
        let test = try TestLedger()
        try test.append(detectedLine(id: eventID(1)))
        let first = try #require(try test.ledger.recordBytes(at: 1))

        try test.append(
            eventLine(
                "follow-up", at: time(45), actor: "carol", id: eventID(2),
                data: [
                    "task": "T-7", "title": "Alert on\tslow\nexports", "due": "2026-04-30",
                    "owner": "dave",
                ]))

        let user = Ledger.currentUser()
        #expect(
            try test.recordText(at: 2)
                == "{\"actor\":\"carol\",\"at\":\"2026-03-02T09:45:00Z\",\"data\":{"
                + "\"due\":\"2026-04-30\",\"owner\":\"dave\",\"task\":\"T-7\","
                + "\"title\":\"Alert on\\tslow\\nexports\"},"
                + "\"id\":\"00000000-0000-4000-8000-000000000002\",\"incident\":\"INC-1\","
                + "\"position\":2,\"prev\":\"\(try sha256Hex(first))\","
                + "\"recordedAt\":\"2026-03-02T09:14:03.512000Z\",\"recordedBy\":\"\(user)\","
                + "\"type\":\"follow-up\"}")
    }

    @Test("a correction stores the corrected fields as a nested, sorted object")
    func correctedRecordBytes() throws {
        let test = try TestLedger()
        try test.append(detectedLine(id: eventID(1)))
        let first = try #require(try test.ledger.recordBytes(at: 1))

        try test.append(
            eventLine(
                "corrected", at: time(50), id: eventID(2),
                data: [
                    "event": "00000000-0000-4000-8000-000000000001",
                    "reason": "Wrong severity and title", "at": "2026-03-02T08:58:00Z",
                    "data": ["title": "Export and import failed", "severity": "SEV1"],
                ]))

        let user = Ledger.currentUser()
        #expect(
            try test.recordText(at: 2)
                == "{\"actor\":\"alice\",\"at\":\"2026-03-02T09:50:00Z\",\"data\":{"
                + "\"at\":\"2026-03-02T08:58:00Z\","
                + "\"data\":{\"severity\":\"SEV1\",\"title\":\"Export and import failed\"},"
                + "\"event\":\"00000000-0000-4000-8000-000000000001\","
                + "\"reason\":\"Wrong severity and title\"},"
                + "\"id\":\"00000000-0000-4000-8000-000000000002\",\"incident\":\"INC-1\","
                + "\"position\":2,\"prev\":\"\(try sha256Hex(first))\","
                + "\"recordedAt\":\"2026-03-02T09:14:03.512000Z\",\"recordedBy\":\"\(user)\","
                + "\"type\":\"corrected\"}")
    }

    @Test("an event without an id is given a random version 4 UUID in lower case")
    func missingIDIsGenerated() throws {
        let test = try TestLedger()

        try test.append(detectedLine())

        let record = try #require(try test.ledger.history(of: "INC-1").first)
        let text = record.event.id.description
        #expect(text.count == 36)
        #expect(text == text.lowercased())
        #expect(Array(text)[14] == "4")
        #expect("89ab".contains(Array(text)[19]))
    }

    @Test("record 1 has 64 zeros as prev and each later record the SHA-256 of the one before")
    func prevChainsRecords() throws {
        let test = try TestLedger()
        try test.append(detectedLine("INC-1"), detectedLine("INC-2"))
        try test.append(eventLine("acknowledged", "INC-1", at: time(5)))
        try test.append(
            eventLine("note", "INC-2", at: time(6), data: ["text": "still failing"]),
            eventLine("resolved", "INC-1", at: time(7)))

        var records: [[UInt8]] = []
        try test.ledger.forEachRecord { _, bytes in
            records.append(Array(bytes))
            return true
        }

        #expect(records.count == 5)
        var expectedPrev = zeroHash
        for (index, bytes) in records.enumerated() {
            let record = try EventDecoder.decodeRecord(bytes[...])
            #expect(record.position == UInt64(index + 1))
            #expect(record.prev.hex == expectedPrev)
            expectedPrev = try sha256Hex(bytes)
        }
        let head = try test.ledger.head()
        #expect(head.position == 5)
        #expect(head.hash.hex == expectedPrev)
        #expect(head.recordedAt?.text == TestLedger.recordedAtText)
    }

    @Test("the ledger's empty head is position 0 with a zero hash")
    func emptyHead() throws {
        let test = try TestLedger()

        let head = try test.ledger.head()

        #expect(head == Head.empty)
        #expect(head.hash.hex == zeroHash)
        #expect(try test.ledger.recordBytes(at: 1) == nil)
    }

    @Test("each type is found by its name's bytes, and no near miss is")
    func typeNamedByBytes() {
        func named(_ text: String) -> EventType? {
            var text = text
            return text.withUTF8 { EventType.named(utf8: $0) }
        }
        for type in EventType.allCases {
            #expect(named(type.rawValue) == type)
        }
        for miss in ["", "not", "notes", "Detected", "resolves", "reopenex", "follow-ups"] {
            #expect(named(miss) == nil)
        }
    }

    @Test("an id is read in either case, and a byte that is no digit is refused")
    func idParsedFromBytes() throws {
        let id = try #require(EventID("0123abcd-EF45-6789-aBcD-ef0123456789"))
        #expect(id.high == 0x0123_abcd_ef45_6789)
        #expect(id.low == 0xabcd_ef01_2345_6789)
        #expect(id.description == "0123abcd-ef45-6789-abcd-ef0123456789")
        let valid = Array("0123abcd-ef45-6789-abcd-ef0123456789".utf8)
        for index in valid.indices where ![8, 13, 18, 23].contains(index) {
            for byte: UInt8 in [0x2F, 0x3A, 0x40, 0x47, 0x60, 0x67, 0x10, 0x19, 0xC1, 0xE6] {
                var text = valid
                text[index] = byte
                #expect(text.withUnsafeBufferPointer { EventID(utf8: $0) } == nil)
            }
        }
    }
}
