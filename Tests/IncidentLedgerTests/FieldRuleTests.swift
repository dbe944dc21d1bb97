import Testing

@testable import IncidentLedger

/// A line that breaks a field rule, and the exact refusal it earns as line 1 of an import.
struct RejectedLine: Sendable, CustomTestStringConvertible {
    var rule: String
    var bytes: [UInt8]
    var expected: String

    init(_ rule: String, _ text: String, _ expected: String) {
        self.rule = rule
        self.bytes = Array(text.utf8)
        self.expected = expected
    }

    init(_ rule: String, bytes: [UInt8], _ expected: String) {
        self.rule = rule
        self.bytes = bytes
        self.expected = expected
    }

    var testDescription: String { rule }
}

/// The envelope of a valid `detected` line around other data.
private func detected(data: String, at: String = "2026-03-02T09:00:00Z") -> String {
    #"{"actor":"alice","at":"\#(at)","data":\#(data),"incident":"INC-1","type":"detected"}"#
}

private let validData =
    #"{"process":"nightly-export","severity":"SEV3","title":"Export job failed"}"#

/// The lines of a valid `detected` event with `byte` in the middle of its title.
private func titleContaining(_ inserted: [UInt8]) -> [UInt8] {
    let text = detected(data: validData)
    let marker = Array("Export job".utf8)
    let bytes = Array(text.utf8)
    let start = offsets(of: marker, in: bytes)[0] + marker.count
    return Array(bytes[..<start]) + inserted + Array(bytes[start...])
}

private let deepNesting =
    String(repeating: "[", count: 100_000)
    + String(repeating: "]", count: 100_000)
private let nestingUnderLineLimit =
    String(repeating: "[", count: 30_000)
    + String(repeating: "]", count: 30_000)

private let rejectedLines: [RejectedLine] = [
    RejectedLine(
        "an unknown envelope field",
        #"{"actor":"alice","at":"2026-03-02T09:00:00Z","data":\#(validData),"#
            + #""incident":"INC-1","severity":"SEV1","type":"detected"}"#,
        "line 1: severity: unknown field"),
    RejectedLine(
        "an unknown data field",
        detected(
            data: #"{"owner":"bob","process":"p","severity":"SEV3","title":"t"}"#),
        "line 1: data.owner: unknown field for this event type"),
    RejectedLine(
        "a missing required data field",
        detected(data: #"{"process":"p","severity":"SEV3"}"#),
        "line 1: data.title: is required"),
    RejectedLine(
        "a missing actor",
        #"{"at":"2026-03-02T09:00:00Z","data":\#(validData),"incident":"INC-1","type":"detected"}"#,
        "line 1: actor: is required"),
    RejectedLine(
        "a missing data object",
        #"{"actor":"alice","at":"2026-03-02T09:00:00Z","incident":"INC-1","type":"detected"}"#,
        "line 1: data: is required"),
    RejectedLine(
        "a number where a string belongs",
        detected(data: #"{"process":"p","severity":"SEV3","title":5}"#),
        "line 1: data.title: must be a string"),
    RejectedLine(
        "a number as the incident",
        #"{"actor":"alice","at":"2026-03-02T09:00:00Z","data":\#(validData),"#
            + #""incident":42,"type":"detected"}"#,
        "line 1: incident: must be a string"),
    RejectedLine(
        "a string where a flag belongs",
        #"{"actor":"alice","at":"2026-03-02T09:10:00Z","#
            + #""data":{"customerFacing":"yes","scope":"single-process"},"#
            + #""incident":"INC-1","type":"triaged"}"#,
        "line 1: data.customerFacing: must be true or false"),
    RejectedLine(
        "a string where a list belongs",
        #"{"actor":"alice","at":"2026-03-02T09:10:00Z","#
            + #""data":{"processes":"billing","scope":"single-process"},"#
            + #""incident":"INC-1","type":"triaged"}"#,
        "line 1: data.processes: must be an array of strings"),
    RejectedLine(
        "a severity outside SEV1 to SEV4",
        detected(data: #"{"process":"p","severity":"SEV5","title":"t"}"#),
        #"line 1: data.severity: must be one of SEV1, SEV2, SEV3, SEV4, not "SEV5""#),
    RejectedLine(
        "a lower-case severity",
        detected(data: #"{"process":"p","severity":"sev1","title":"t"}"#),
        #"line 1: data.severity: must be one of SEV1, SEV2, SEV3, SEV4, not "sev1""#),
    RejectedLine(
        "an unknown event type",
        #"{"actor":"alice","at":"2026-03-02T09:00:00Z","data":{},"#
            + #""incident":"INC-1","type":"exploded"}"#,
        #"line 1: type: unknown event type "exploded""#),
    RejectedLine(
        "an incident id with a space",
        #"{"actor":"alice","at":"2026-03-02T09:00:00Z","data":\#(validData),"#
            + #""incident":"INC 1","type":"detected"}"#,
        #"line 1: incident: may hold only A-Z a-z 0-9 . _ -, not "INC 1""#),
    RejectedLine(
        "an incident id with a slash",
        #"{"actor":"alice","at":"2026-03-02T09:00:00Z","data":\#(validData),"#
            + #""incident":"INC/1","type":"detected"}"#,
        #"line 1: incident: may hold only A-Z a-z 0-9 . _ -, not "INC/1""#),
    RejectedLine(
        "an incident id of 65 characters",
        #"{"actor":"alice","at":"2026-03-02T09:00:00Z","data":\#(validData),"#
            + #""incident":"\#(String(repeating: "A", count: 65))","type":"detected"}"#,
        "line 1: incident: must be 1 to 64 characters long"),
    RejectedLine(
        "an empty incident id",
        #"{"actor":"alice","at":"2026-03-02T09:00:00Z","data":\#(validData),"#
            + #""incident":"","type":"detected"}"#,
        "line 1: incident: must be 1 to 64 characters long"),
    RejectedLine(
        "an actor of 129 characters",
        #"{"actor":"\#(String(repeating: "é", count: 129))","at":"2026-03-02T09:00:00Z","#
            + #""data":\#(validData),"incident":"INC-1","type":"detected"}"#,
        "line 1: actor: must be at most 128 characters long"),
    RejectedLine(
        "an empty actor",
        #"{"actor":"","at":"2026-03-02T09:00:00Z","#
            + #""data":\#(validData),"incident":"INC-1","type":"detected"}"#,
        "line 1: actor: must not be empty"),
    RejectedLine(
        "a control character in a name",
        detected(data: #"{"process":"night\u0001ly","severity":"SEV3","title":"t"}"#),
        "line 1: data.process: must not contain control characters"),
    RejectedLine(
        "a newline in a name",
        detected(data: #"{"process":"night\nly","severity":"SEV3","title":"t"}"#),
        "line 1: data.process: must not contain control characters"),
    RejectedLine(
        "a name of 257 characters",
        detected(
            data: #"{"process":"\#(String(repeating: "p", count: 257))","severity":"SEV3","#
                + #""title":"t"}"#),
        "line 1: data.process: must be at most 256 characters long"),
    RejectedLine(
        "a text of 16,385 bytes",
        detected(
            data: #"{"process":"p","severity":"SEV3","#
                + #""title":"\#(String(repeating: "t", count: 16_385))"}"#),
        "line 1: data.title: must be at most 16384 bytes long"),
    RejectedLine(
        "an empty text",
        detected(data: #"{"process":"p","severity":"SEV3","title":""}"#),
        "line 1: data.title: must not be empty"),
    RejectedLine(
        "a carriage return in a text",
        detected(data: #"{"process":"p","severity":"SEV3","title":"a\rb"}"#),
        "line 1: data.title: must not contain control characters other than tab and newline"),
    RejectedLine(
        "a timestamp without an offset",
        detected(data: validData, at: "2026-03-02T09:00:00"),
        "line 1: at: must be an RFC 3339 time: missing UTC offset (add Z or +HH:MM)"),
    RejectedLine(
        "a timestamp with a leap second",
        detected(data: validData, at: "2026-06-30T23:59:60Z"),
        "line 1: at: must be an RFC 3339 time: leap second 60 not accepted (use 00 to 59)"),
    RejectedLine(
        "a timestamp before 1970",
        detected(data: validData, at: "1969-12-31T23:59:59Z"),
        "line 1: at: must be an RFC 3339 time: year 1969 out of range (1970 to 2200)"),
    RejectedLine(
        "an id that is not a UUID",
        #"{"actor":"alice","at":"2026-03-02T09:00:00Z","data":\#(validData),"#
            + #""id":"3b8f2a56-0c1e-4e8a-9a53-8d6f0f8f2c1","incident":"INC-1","type":"detected"}"#,
        "line 1: id: must be a UUID (8-4-4-4-12 hex digits)"),
    RejectedLine(
        "an id with a non-hex digit",
        #"{"actor":"alice","at":"2026-03-02T09:00:00Z","data":\#(validData),"#
            + #""id":"3b8f2a56-0c1e-4e8a-9a53-8d6f0f8f2c1g","incident":"INC-1","type":"detected"}"#,
        "line 1: id: must be a UUID (8-4-4-4-12 hex digits)"),
    RejectedLine(
        "a duplicate key in the envelope",
        #"{"actor":"alice","actor":"bob","at":"2026-03-02T09:00:00Z","data":\#(validData),"#
            + #""incident":"INC-1","type":"detected"}"#,
        #"line 1: invalid JSON at byte 18: duplicate key "actor""#),
    RejectedLine(
        "a duplicate key in data",
        detected(data: #"{"process":"p","severity":"SEV3","title":"t","title":"u"}"#),
        #"line 1: invalid JSON at byte 98: duplicate key "title""#),
    RejectedLine(
        "invalid UTF-8",
        bytes: titleContaining([0xC3, 0x28]),
        "line 1: invalid JSON at byte 118: invalid UTF-8 (truncated sequence)"),
    RejectedLine(
        "a raw NUL byte in a string",
        bytes: titleContaining([0x00]),
        "line 1: invalid JSON at byte 118: raw control character U+0000 in string"),
    RejectedLine(
        "a lone surrogate escape",
        detected(data: #"{"process":"p","severity":"SEV3","title":"\ud800"}"#),
        #"line 1: invalid JSON at byte 95: lone surrogate \ud800"#),
    RejectedLine(
        "nesting 100,000 levels deep",
        detected(data: deepNesting),
        "line 1: line is longer than 65536 bytes"),
    RejectedLine(
        "nesting 30,000 levels deep within the line limit",
        detected(data: nestingUnderLineLimit),
        "line 1: invalid JSON at byte 84: nesting deeper than 32 levels"),
    RejectedLine(
        "a line of 65,537 bytes",
        detected(data: validData)
            + String(repeating: " ", count: 65_537 - detected(data: validData).utf8.count),
        "line 1: line is longer than 65536 bytes"),
    RejectedLine(
        "a line that is not an object",
        #"["detected"]"#,
        "line 1: an event must be a JSON object"),
    RejectedLine(
        "a second value after the object",
        detected(data: validData) + "{}",
        "line 1: invalid JSON at byte 165: trailing characters after the value"),
    RejectedLine(
        "data that is not an object",
        detected(data: #""none""#),
        "line 1: data: must be an object"),
    RejectedLine(
        "an impact start after the detection",
        detected(
            data: #"{"impactStartedAt":"2026-03-02T09:00:01Z","process":"p","#
                + #""severity":"SEV3","title":"t"}"#),
        "line 1: data.impactStartedAt: must not be after at"),
    RejectedLine(
        "a correction with neither at nor data",
        #"{"actor":"alice","at":"2026-03-02T09:10:00Z","#
            + #""data":{"event":"00000000-0000-4000-8000-000000000001","reason":"typo"},"#
            + #""incident":"INC-1","type":"corrected"}"#,
        "line 1: data: a correction needs at least one of at and data"),
    RejectedLine(
        "a correction naming no event id",
        #"{"actor":"alice","at":"2026-03-02T09:10:00Z","#
            + #""data":{"at":"2026-03-02T09:00:00Z","event":"first","reason":"typo"},"#
            + #""incident":"INC-1","type":"corrected"}"#,
        "line 1: data.event: must be an event id (a UUID)"),
    RejectedLine(
        "a correction with empty corrected data",
        #"{"actor":"alice","at":"2026-03-02T09:10:00Z","#
            + #""data":{"data":{},"event":"00000000-0000-4000-8000-000000000001","#
            + #""reason":"typo"},"incident":"INC-1","type":"corrected"}"#,
        "line 1: data.data: must name at least one field"),
    RejectedLine(
        "a follow-up due date that is not a date",
        #"{"actor":"alice","at":"2026-03-02T09:10:00Z","#
            + #""data":{"due":"2026-02-30","task":"T-1","title":"t"},"#
            + #""incident":"INC-1","type":"follow-up"}"#,
        "line 1: data.due: must be a date YYYY-MM-DD: day 30 out of range (2026-02 has 28 days)"),
]

@Suite("Field rules")
struct FieldRuleTests {
    @Test(
        "a line breaking a field rule is refused with its line, field and rule",
        arguments: rejectedLines)
    func lineIsRefused(line: RejectedLine) throws {
        let test = try TestLedger()

        let errors = test.refusals(bytes: line.bytes)

        #expect(errors.map(\.description) == [line.expected])
        #expect(try test.ledger.head() == Head.empty)
    }

    @Test("an incident id of exactly 64 allowed characters is accepted")
    func longestIncidentIsAccepted() throws {
        let test = try TestLedger()
        let incident = String(repeating: "aZ9._-", count: 10) + "ABCD"

        try test.append(detectedLine(incident))

        #expect(try test.ledger.state(of: incident)?.incident == incident)
    }

    @Test("an actor of exactly 128 characters is accepted")
    func longestActorIsAccepted() throws {
        let test = try TestLedger()
        let actor = String(repeating: "é", count: 128)

        try test.append(
            eventLine(
                "detected", actor: actor,
                data: ["process": "p", "severity": "SEV3", "title": "t"]))

        #expect(try test.ledger.history(of: "INC-1").first?.event.actor == actor)
    }

    @Test("a line of exactly 65,536 bytes is accepted")
    func longestLineIsAccepted() throws {
        let test = try TestLedger()
        let line = detected(data: validData)
        let padded = line + String(repeating: " ", count: 65_536 - line.utf8.count)

        let report = try test.append(padded)

        #expect(padded.utf8.count == 65_536)
        #expect(report.written == 1)
    }

    @Test("a text of exactly 16,384 bytes with tabs and newlines is accepted")
    func longestTextIsAccepted() throws {
        let test = try TestLedger()
        let title = "a\tb\n" + String(repeating: "t", count: 16_380)

        try test.append(detectedLine(title: title))

        #expect(try test.ledger.state(of: "INC-1")?.title == title)
    }

    @Test("an impact start equal to the detection time is accepted")
    func impactAtDetectionIsAccepted() throws {
        let test = try TestLedger()

        try test.append(
            detected(
                data: #"{"impactStartedAt":"2026-03-02T10:00:00+01:00","process":"p","#
                    + #""severity":"SEV3","title":"t"}"#))

        #expect(
            try test.ledger.state(of: "INC-1")?.impactStartedAt?.text
                == "2026-03-02T10:00:00+01:00")
    }

    @Test("a CRLF line ending and blank lines are accepted, blank lines keeping line numbers")
    func crlfAndBlankLines() throws {
        let test = try TestLedger()
        let bytes = Array(
            ("\r\n" + detectedLine() + "\r\n   \r\n" + eventLine("acknowledged", at: time(1))
                + "\r\n\n" + eventLine("resolved", at: "2026-03-02T08:00:00Z") + "\r\n").utf8)

        let errors = test.refusals(bytes: bytes)

        #expect(errors.map(\.line) == [6])
        #expect(errors.first?.field == "at")
    }

    @Test("the event builder applies the same field rules as an imported line")
    func builderAppliesFieldRules() throws {
        func failure(
            _ type: EventType, incident: String = "INC-1", at: String? = "2026-03-02T09:00:00Z",
            actor: String? = "alice", id: String? = nil, fields: [String: FieldValue]
        ) -> String? {
            do {
                _ = try EventBuilder.build(
                    type: type, incident: incident, at: at, actor: actor, id: id, fields: fields)
                return nil
            } catch {
                return error.description
            }
        }
        let valid: [String: FieldValue] = [
            "process": .string("p"), "severity": .string("SEV3"), "title": .string("t"),
        ]

        #expect(
            failure(.detected, incident: "INC 1", fields: valid)
                == #"incident: may hold only A-Z a-z 0-9 . _ -, not "INC 1""#)
        #expect(
            failure(.detected, actor: String(repeating: "a", count: 129), fields: valid)
                == "actor: must be at most 128 characters long")
        #expect(
            failure(.detected, at: "2026-03-02 09:00:00Z", fields: valid)
                == "at: must be an RFC 3339 time: expected 'T' between date and time, found ' '")
        #expect(
            failure(.detected, id: "not-a-uuid", fields: valid)
                == "id: must be a UUID (8-4-4-4-12 hex digits)")
        #expect(
            failure(.detected, fields: ["process": .string("p"), "severity": .string("SEV3")])
                == "data.title: is required")
        #expect(
            failure(.detected, fields: valid.merging(["owner": .string("bob")]) { $1 })
                == "data.owner: unknown field for detected events")
        #expect(
            failure(.detected, fields: valid.merging(["severity": .string("SEV0")]) { $1 })
                == #"data.severity: must be one of SEV1, SEV2, SEV3, SEV4, not "SEV0""#)
        #expect(
            failure(
                .triaged, fields: ["scope": .string("single-process"), "regulatory": .string("no")])
                == "data.regulatory: must be true or false")
        #expect(
            failure(
                .detected,
                fields: valid.merging(["impactStartedAt": .string("2026-03-02T09:00:01Z")]) { $1 })
                == "data.impactStartedAt: must not be after at")
        #expect(
            failure(
                .corrected,
                fields: ["event": .string(eventID(1)), "reason": .string("typo")])
                == "data: a correction needs at least one of at and data")
    }

    @Test("the event builder makes the same event as the equivalent imported line")
    func builderMatchesDecoder() throws {
        let built = try EventBuilder.build(
            type: .triaged, incident: "INC-1", at: "2026-03-02t09:10:00z", actor: "bob",
            id: "ABCDEF01-0000-4000-8000-000000000001",
            fields: [
                "scope": .string("multi-process"), "processes": .strings(["a", "b"]),
                "customerFacing": .flag(true),
            ])
        let line =
            #"{"actor":"bob","at":"2026-03-02T09:10:00Z","data":{"customerFacing":true,"#
            + #""processes":["a","b"],"scope":"multi-process"},"#
            + #""id":"abcdef01-0000-4000-8000-000000000001","incident":"INC-1","type":"triaged"}"#

        let decoded = try EventDecoder.decodeEvent(Array(line.utf8)[...])

        var encoder = RecordEncoder()
        #expect(built == decoded)
        #expect(encoder.encodeContent(built) == Array(line.utf8))
    }

    @Test("an incident id takes exactly the bytes A-Z a-z 0-9 . _ -, whatever its length")
    func incidentAlphabet() throws {
        let allowed = Set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-".utf8)
        for byte in UInt8.min...UInt8.max {
            #expect(FieldRules.isIncidentByte(byte) == allowed.contains(byte), "\(byte)")
        }
        for good in ["a", "INC-7", "x.y_z-0", String(repeating: "Z", count: 64)] {
            #expect(throws: Never.self) { try FieldRules.checkIncident(good) }
        }
        for bad in ["", "INC 1", "INC-é", "INC\u{0}", "a/b", String(repeating: "Z", count: 65)] {
            #expect(throws: EventError.self, "\(bad)") { try FieldRules.checkIncident(bad) }
        }
    }
}
