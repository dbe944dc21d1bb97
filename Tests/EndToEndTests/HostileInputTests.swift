import Foundation
import Testing

/// One hostile input file and the one line `import` must refuse it with.
struct HostileInput: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    /// The error after `incidents import: `; `FILE` stands for the input's path.
    let message: String

    var testDescription: String { name }

    /// A detected event of INC-9, as `eventLine` writes it.
    static let valid = Array(
        eventLine("INC-9", "detected", "2026-03-02T09:14:00Z", data: detectedData()).utf8)

    /// The valid line with its first `old` replaced by `new`.
    static func valid(replacing old: String, with new: [UInt8]) -> [UInt8] {
        let text = String(decoding: valid, as: UTF8.self)
        guard let range = text.range(of: old) else { return valid }
        let start = text.utf8.distance(from: text.startIndex, to: range.lowerBound)
        return Array(valid[..<start]) + new + Array(valid[(start + old.utf8.count)...])
    }

    static func nested(_ depth: Int) -> [UInt8] {
        valid(
            replacing: #""severity":"SEV3""#,
            with: Array(#""severity":"SEV3","x":"#.utf8)
                + Array(repeating: UInt8(ascii: "["), count: depth)
                + Array(repeating: UInt8(ascii: "]"), count: depth))
    }

    static let all: [HostileInput] = [
        HostileInput(
            name: "invalid UTF-8", bytes: valid(replacing: "failed", with: [0xFF, 0xFE]),
            message: "line 1: invalid JSON at byte 107: invalid UTF-8 (byte 0xFF is never valid)"),
        HostileInput(
            name: "a NUL byte in a string", bytes: valid(replacing: "failed", with: [0x00]),
            message: "line 1: invalid JSON at byte 107: raw control character U+0000 in string"),
        HostileInput(
            name: "a NUL byte after the object", bytes: valid + [0x00],
            message: "line 1: invalid JSON at byte 161: trailing characters after the value"),
        HostileInput(
            name: "a line over 65,536 bytes",
            bytes: valid(replacing: "Export failed", with: Array(repeating: 0x78, count: 70_000)),
            message: "line 1: line is longer than 65536 bytes"),
        HostileInput(
            name: "JSON nested 100,000 deep", bytes: nested(100_000),
            message: "line 1: line is longer than 65536 bytes"),
        HostileInput(
            name: "JSON nested 30,000 deep, within the line limit", bytes: nested(30_000),
            message: "line 1: invalid JSON at byte 194: nesting deeper than 32 levels"),
        HostileInput(
            name: "a duplicate key",
            bytes: valid(
                replacing: #""incident":"INC-9","#,
                with: Array(#""incident":"INC-9","incident":"INC-10","#.utf8)),
            message: #"line 1: invalid JSON at byte 21: duplicate key "incident""#),
        HostileInput(
            name: "a number where a string belongs",
            bytes: valid(replacing: #""SEV3""#, with: Array("3".utf8)),
            message: "line 1: data.severity: must be a string"),
        HostileInput(
            name: "a time that is a number",
            bytes: valid(replacing: #""2026-03-02T09:14:00Z""#, with: Array("1772442840".utf8)),
            message: "line 1: at: must be a string"),
        HostileInput(
            name: "a string where true or false belongs",
            bytes: Array(
                eventLine(
                    "INC-1", "triaged", "2026-03-02T09:20:00Z",
                    data: #"{"scope":"single-process","customerFacing":"yes"}"#
                ).utf8),
            message: "line 1: data.customerFacing: must be true or false"),
        HostileInput(
            name: "a time out of range",
            bytes: valid(
                replacing: "2026-03-02T09:14:00Z", with: Array("2026-13-40T25:00:00Z".utf8)),
            message: "line 1: at: must be an RFC 3339 time: month 13 out of range"),
        HostileInput(
            name: "a time without an offset",
            bytes: valid(
                replacing: "2026-03-02T09:14:00Z", with: Array("2026-03-02T09:14:00".utf8)),
            message: "line 1: at: must be an RFC 3339 time: missing UTC offset (add Z or +HH:MM)"),
        HostileInput(
            name: "an unknown event type",
            bytes: valid(replacing: #""detected""#, with: Array(#""exploded""#.utf8)),
            message: #"line 1: type: unknown event type "exploded""#),
        HostileInput(
            name: "an unknown field",
            bytes: valid(replacing: #""actor""#, with: Array(#""colour":"red","actor""#.utf8)),
            message: "line 1: colour: unknown field"),
        HostileInput(
            name: "an unknown field in data",
            bytes: valid(replacing: #""title""#, with: Array(#""colour":"red","title""#.utf8)),
            message: "line 1: data.colour: unknown field for this event type"),
        HostileInput(
            name: "an empty file", bytes: [], message: "FILE: no events (the input is empty)"),
        HostileInput(
            name: "a JSON array over several lines, not NDJSON",
            bytes: Array("[\n".utf8) + valid + Array(",\n".utf8) + valid + Array("\n]".utf8),
            message: "line 1: invalid JSON at byte 2: unexpected end of input (expected a value)"
                + " (and 2 more errors)"),
        HostileInput(
            name: "a binary file, not text",
            bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D],
            message: "line 1: invalid JSON at byte 1: unexpected byte 0x89 (expected a value)"
                + " (and 2 more errors)"),
    ]
}

/// Hostile input through `incidents import`: each refused with one line naming the
/// rule, status 65, and the ledger's data file byte for byte as it was.
@Suite("Hostile input through the command line")
struct HostileInputTests {
    /// A ledger holding one incident, INC-1, so that "unchanged" has content to keep.
    static func ledgerWithOneIncident() throws -> CLIHarness {
        let harness = try CLIHarness()
        let first = eventLine("INC-1", "detected", "2026-03-02T09:14:00Z", data: detectedData())
        let recorded = try harness.run(["record", first])
        try #require(recorded.status == 0, "\(recorded.stderr)")
        return harness
    }

    @Test(
        "hostile input is refused with one line, status 65, the ledger unchanged",
        arguments: HostileInput.all)
    func hostileInputIsRefused(input: HostileInput) throws {
        let harness = try Self.ledgerWithOneIncident()
        let before = try harness.ledgerFiles()["data.mdb"]
        let path = harness.directory.appendingPathComponent("hostile.ndjson").path
        try Data(input.bytes + (input.bytes.isEmpty ? [] : [0x0A])).write(
            to: URL(fileURLWithPath: path))

        let outcome = try harness.run(["import", path])
        #expect(outcome.status == 65)
        let message = input.message.replacingOccurrences(of: "FILE", with: path)
        #expect(outcome.stderr == "incidents import: \(message)\n")
        #expect(outcome.stdout == "")
        #expect(try harness.ledgerFiles()["data.mdb"] == before)
        let verify = try harness.run(["verify", "--json"])
        #expect(verify.status == 0)
        #expect(verify.stdout.contains(#""records":1"#))
    }

    @Test("an event id reused with other content is refused, naming the id, the ledger unchanged")
    func reusedIDWithOtherContentIsRefused() throws {
        let harness = try Self.ledgerWithOneIncident()
        let id = "6d1c4a6e-0f7e-4c43-9d55-3b1f4b7f2a10"
        let note = eventLine(
            "INC-1", "note", "2026-03-02T09:20:00Z", data: #"{"text":"first"}"#, id: id)
        #expect(try harness.run(["import", try harness.file("a.ndjson", note)]).status == 0)
        let before = try harness.ledgerFiles()["data.mdb"]

        let other = eventLine(
            "INC-1", "note", "2026-03-02T09:20:00Z", data: #"{"text":"second"}"#, id: id)
        let outcome = try harness.run(["import", try harness.file("b.ndjson", other)])
        #expect(outcome.status == 65)
        #expect(
            outcome.stderr
                == "incidents import: line 1: id: \(id) is already used by the event at "
                + "position 2 with different content\n")
        #expect(try harness.ledgerFiles()["data.mdb"] == before)
        #expect(try harness.run(["verify", "--json"]).stdout.contains(#""records":2"#))
    }
}
