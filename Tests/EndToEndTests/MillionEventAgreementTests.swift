import Foundation
import Testing

/// The metrics issue's bar: on the generated 1,000,000-event sample, every figure of `stats`
/// and `recurrence` agrees with tools/metrics-check.py, plain Python over the exported log.
///
/// One ledger is built for all the comparisons (generating and importing the sample is most
/// of the time), and the Python side reads the export once and answers every query.
@Suite("metrics agree with an independent computation on 1,000,000 events")
struct MillionEventAgreementTests {
    /// The `stats` queries compared, as the arguments after `stats`.
    static let statsQueries = [
        "ttr --by process", "ttr --by severity --resolve first", "tta --by month",
        "tta --by week", "ttm --by team --from impact", "ttr --by quarter",
    ]

    /// The `recurrence` queries compared, as the arguments after `recurrence`.
    static let recurrenceQueries = [
        "--by process", "--by process,category", "--by process --window 36h --threshold 5",
    ]

    @Test("on the 1,000,000-event sample, stats and recurrence equal plain Python over the log")
    func millionEventSampleAgrees() throws {
        let harness = try ProjectionCommandTests.sampleLedger(events: 1_000_000)
        let head = try harness.run(["head", "--json"])
        #expect(head.stdout.contains(#""position":1000000,"#), "\(head.stdout)")
        let log = harness.directory.appendingPathComponent("log.ndjson")
        #expect(try Self.export(harness, to: log) == 0)

        let queries = Self.statsQueries + Self.recurrenceQueries.map { "recurrence " + $0 }
        let script = CLIHarness.packageRoot.appendingPathComponent("tools/metrics-check.py")
        let theirs = try CLIHarness.launch(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", script.path, log.path] + queries.flatMap { ["--each", $0] })
        #expect(theirs.status == 0, "\(theirs.stderr)")
        let answers = try #require(
            try JSONSerialization.jsonObject(with: theirs.stdoutBytes) as? [String: Any])

        for query in Self.statsQueries {
            let ours = try harness.run(["stats"] + Self.words(query) + ["--json"])
            #expect(ours.status == 0, "\(ours.stderr)")
            try MetricsAgreementTests.sameReport(
                try JSONSerialization.jsonObject(with: ours.stdoutBytes), answers[query],
                grouped: true, "stats \(query)")
        }
        for options in Self.recurrenceQueries {
            let ours = try harness.run(["recurrence"] + Self.words(options) + ["--json"])
            #expect(ours.status == 0, "\(ours.stderr)")
            let mine = try #require(
                try JSONSerialization.jsonObject(with: ours.stdoutBytes) as? [[String: Any]])
            let other = try #require(answers["recurrence " + options] as? [[String: Any]])
            #expect(mine.count == other.count, "recurrence \(options): keys")
            #expect(mine.contains { $0["flagged"] as? Bool == true })
            for (finding, reference) in zip(mine, other) {
                #expect(
                    try Finding(finding) == Finding(reference),
                    "recurrence \(options): \(finding) vs \(reference)")
            }
        }
    }

    /// One key of `recurrence --json`, every field typed, so that two compare exactly.
    struct Finding: Equatable {
        var key: String
        var maxInWindow: Int
        var total: Int
        var flagged: Bool
        var from: String
        var to: String
        var incidents: [String]

        init(_ object: [String: Any]) throws {
            let window = try #require(object["window"] as? [String: Any])
            key = try #require(object["key"] as? String)
            maxInWindow = try #require(object["maxInWindow"] as? Int)
            total = try #require(object["total"] as? Int)
            flagged = try #require(object["flagged"] as? Bool)
            from = try #require(window["from"] as? String)
            to = try #require(window["to"] as? String)
            incidents = try #require(window["incidents"] as? [String])
        }
    }

    /// `query` split into command-line arguments.
    static func words(_ query: String) -> [String] {
        query.split(separator: " ").map(String.init)
    }

    /// Writes `log --json` straight to `file` (hundreds of megabytes, so not through a pipe
    /// into memory) and returns the exit status.
    static func export(_ harness: CLIHarness, to file: URL) throws -> Int32 {
        FileManager.default.createFile(atPath: file.path, contents: nil)
        let output = try FileHandle(forWritingTo: file)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = CLIHarness.executable
        process.arguments = ["log", "--json", "--ledger", harness.ledger]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
