import Foundation
import Testing

/// Runs `tools/crash-test`, which kills writers with SIGKILL at random moments, and
/// checks that its checks fail when the ledger has lost or half-written a batch.
@Suite("Writers killed at random moments")
struct CrashTests {
    static let tool = CLIHarness.packageRoot.appendingPathComponent("tools/crash-test").path
    static let python = URL(fileURLWithPath: "/usr/bin/env")

    /// Runs the crash tool against the debug build with `arguments`.
    static func crashTest(_ arguments: [String]) throws -> CLIHarness.Outcome {
        try CLIHarness.launch(
            python,
            ["python3", tool, "--incidents", CLIHarness.executable.path] + arguments)
    }

    @Test("fifteen writers killed by SIGKILL leave a verified, gap-free, all-or-nothing ledger")
    func killedWritersLoseNothing() throws {
        let harness = try CLIHarness()
        let folder = harness.directory.appendingPathComponent("crash").path
        let outcome = try CrashTests.crashTest([
            "--kills", "15", "--seed", "6", "--max-batch", "400", "--dir", folder,
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.hasPrefix("crash-test: 15 kills survived (seed 6): "))

        // What the tool checked, checked again here from the log it left.
        let log = try CLIHarness.launch(
            CLIHarness.executable, ["log", "--json", "--ledger", folder + "/ledger"])
        let positions = log.stdout.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?[
                "position"] as? Int
        }
        #expect(positions.isEmpty == false)
        #expect(positions == Array(1...max(positions.count, 1)))
        let verify = try CLIHarness.launch(
            CLIHarness.executable, ["verify", "--ledger", folder + "/ledger"])
        #expect(verify.status == 0)
    }

    @Test("the crash tool fails on a batch that reported success but is missing, or half there")
    func crashToolCatchesLostAndHalfBatches() throws {
        let harness = try CLIHarness()
        let folder = harness.directory.appendingPathComponent("crash").path
        let run = try CrashTests.crashTest([
            "--kills", "1", "--seed", "3", "--max-batch", "50", "--dir", folder,
        ])
        try #require(run.status == 0, "\(run.stderr)")
        let intact = try CrashTests.crashTest(["--check-only", "--dir", folder])
        #expect(intact.status == 0, "\(intact.stderr)")

        // One batch known to be in the ledger, recorded as the tool records its own.
        let presentID = "0b6f6a52-84c6-4c4b-9a2e-4d1f0e3a9b00"
        let recorded = try CLIHarness.launch(
            CLIHarness.executable,
            [
                "record",
                eventLine(
                    "CR999-0", "detected", "2026-03-02T09:14:00Z", data: detectedData(),
                    id: presentID),
                "--ledger", folder + "/ledger",
            ])
        try #require(recorded.status == 0, "\(recorded.stderr)")
        let stateURL = URL(fileURLWithPath: folder + "/crash-state.json")
        var state = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: stateURL))
                as? [String: [String: Any]])
        state["CR999"] = ["events": 1, "ids": [presentID], "succeeded": true]
        try JSONSerialization.data(withJSONObject: state).write(to: stateURL)

        state["LOST"] = [
            "events": 1, "ids": ["0b6f6a52-84c6-4c4b-9a2e-4d1f0e3a9b01"], "succeeded": true,
        ]
        try JSONSerialization.data(withJSONObject: state).write(to: stateURL)
        let lost = try CrashTests.crashTest(["--check-only", "--dir", folder])
        #expect(lost.status == 1)
        #expect(lost.stderr.contains("batch LOST reported success but is not in the ledger"))

        state["LOST"] = nil
        state["CR999"] = [
            "events": 2, "ids": [presentID, "0b6f6a52-84c6-4c4b-9a2e-4d1f0e3a9b02"],
            "succeeded": false,
        ]
        try JSONSerialization.data(withJSONObject: state).write(to: stateURL)
        let half = try CrashTests.crashTest(["--check-only", "--dir", folder])
        #expect(half.status == 1)
        #expect(half.stderr.contains("batch CR999 has 1 of its 2 events: half written"))
    }
}
