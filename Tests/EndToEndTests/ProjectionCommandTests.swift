import Foundation
import Testing

@Suite("list, rebuild and --as-of from the command line")
struct ProjectionCommandTests {
    /// A ledger holding a generated sample history of `events` events.
    static func sampleLedger(events: Int) throws -> CLIHarness {
        let harness = try CLIHarness()
        let sample = try harness.sample(events: events, seed: 5)
        #expect(try harness.run(["import", sample]).status == 0)
        return harness
    }

    static func objects(_ outcome: CLIHarness.Outcome) throws -> [[String: Any]] {
        try #require(
            try JSONSerialization.jsonObject(with: outcome.stdoutBytes) as? [[String: Any]])
    }

    @Test("on a generated sample history the kept projections equal a rebuild")
    func rebuildCheckOnSample() throws {
        let harness = try Self.sampleLedger(events: 4000)
        let check = try harness.run(["rebuild", "--check", "--json"])
        #expect(check.status == 0, "\(check.stdout)")
        #expect(check.stdout.contains(#""differing":[]"#))
        let rebuild = try harness.run(["rebuild"])
        #expect(rebuild.status == 0)
        #expect(rebuild.stdout.hasPrefix("rebuilt "))
    }

    @Test("list filters by status, severity and process, and sorts")
    func listFilters() throws {
        let harness = try Self.sampleLedger(events: 4000)
        let all = try Self.objects(try harness.run(["list", "--json"]))
        #expect(all.count > 100)

        let closedSev2 = try Self.objects(
            try harness.run(["list", "--status", "closed", "--severity", "SEV2", "--json"]))
        let expected = all.filter {
            $0["status"] as? String == "closed" && $0["severity"] as? String == "SEV2"
        }
        #expect(closedSev2.count == expected.count)
        #expect(!closedSev2.isEmpty)

        let process = try #require(all.first?["process"] as? String)
        let byProcess = try Self.objects(
            try harness.run(["list", "--process", process, "--sort", "detected", "--json"]))
        #expect(byProcess.allSatisfy { $0["process"] as? String == process })
        let times = byProcess.compactMap { $0["detectedAt"] as? String }
        #expect(times.count == byProcess.count)

        let limited = try harness.run(["list", "--limit", "3"])
        #expect(limited.stdout.split(separator: "\n").count == 4)
        #expect(limited.stderr.contains("more; raise --limit"))
    }

    @Test("show and list --as-of answer as the ledger stood at that position")
    func asOfPosition() throws {
        let harness = try CLIHarness()
        let lines = [
            eventLine(
                "INC-1", "detected", "2026-03-02T09:00:00Z", data: detectedData(),
                id: "00000000-0000-4000-8000-000000000001"),
            eventLine(
                "INC-1", "acknowledged", "2026-03-02T09:10:00Z",
                id: "00000000-0000-4000-8000-000000000002"),
            eventLine(
                "INC-1", "corrected", "2026-03-02T09:20:00Z",
                data: #"{"event":"00000000-0000-4000-8000-000000000002","reason":"r","#
                    + #""at":"2026-03-02T09:05:00Z"}"#),
        ]
        let file = try harness.file("h.ndjson", lines.joined(separator: "\n"))
        #expect(try harness.run(["import", file]).status == 0)

        let before = try harness.run(["show", "INC-1", "--as-of", "2", "--json"])
        #expect(before.stdout.contains(#""firstAcknowledgedAt":"2026-03-02T09:10:00Z""#))
        let after = try harness.run(["show", "INC-1", "--json"])
        #expect(after.stdout.contains(#""firstAcknowledgedAt":"2026-03-02T09:05:00Z""#))
        let none = try harness.run(["list", "--as-of", "0", "--json"])
        #expect(none.stdout == "[]\n")
        let bad = try harness.run(["show", "INC-1", "--as-of", "yesterday"])
        #expect(bad.status == 64)
    }
}
