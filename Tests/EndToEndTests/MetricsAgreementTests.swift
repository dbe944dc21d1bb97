import Foundation
import Testing

@Suite("stats and recurrence agree with an independent computation")
struct MetricsAgreementTests {
    /// `stats` against tools/metrics-check.py over the exported log, for one set of options.
    static func compare(
        _ harness: CLIHarness, log: String, _ metric: String, _ options: [String]
    ) throws {
        let ours = try harness.run(["stats", metric, "--json"] + options)
        #expect(ours.status == 0, "\(ours.stderr)")
        // A trend's bootstrap intervals too: slow in Python, so only on this small log.
        let trend = ["week", "month", "quarter"].contains { options.contains($0) }
        let script = CLIHarness.packageRoot.appendingPathComponent("tools/metrics-check.py").path
        let theirs = try CLIHarness.launch(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", script, log, metric] + options + (trend ? ["--intervals"] : []))
        #expect(theirs.status == 0, "\(theirs.stderr)")

        let mine = try JSONSerialization.jsonObject(with: ours.stdoutBytes)
        let other = try JSONSerialization.jsonObject(with: theirs.stdoutBytes)
        try sameReport(mine, other, grouped: options.contains("--by"), "\(metric) \(options)")
        if trend {
            let groups = try #require((other as? [String: Any])?["groups"] as? [[String: Any]])
            #expect(groups.allSatisfy { $0["medianLow"] != nil && $0["tooFew"] != nil })
        }
    }

    /// The same query, the same counts of incidents that fell back to detection, were not
    /// measured and are open, the same overall figures and, when `grouped`, the same groups
    /// in the same order.
    static func sameReport(_ ours: Any, _ theirs: Any?, grouped: Bool, _ label: String) throws {
        let mine = try #require(ours as? [String: Any], "\(label)")
        let other = try #require(theirs as? [String: Any], "\(label)")
        for name in ["metric", "from", "resolve"] {
            let value = try #require(mine[name] as? String, "\(label) \(name)")
            #expect(value == other[name] as? String, "\(label) \(name)")
        }
        let unmeasured = try #require(mine["unmeasured"] as? Int, "\(label) unmeasured")
        #expect(unmeasured == other["unmeasured"] as? Int, "\(label) unmeasured")
        #expect(mine["fellBack"] as? Int == other["fellBack"] as? Int, "\(label) fellBack")
        if mine["from"] as? String == "impact" {
            #expect(mine["fellBack"] as? Int ?? 0 > 0, "\(label): none fell back")
        }
        let open = (mine["open"] as? [String: Any])?["count"] as? Int
        #expect(open == (other["open"] as? [String: Any])?["count"] as? Int, "\(label) open")
        #expect((open != nil) == (mine["metric"] as? String == "ttr"), "\(label) open")
        try same(mine["overall"], other["overall"], "\(label) overall")
        if grouped {
            let groups = try #require(mine["groups"] as? [[String: Any]])
            let expected = try #require(other["groups"] as? [[String: Any]])
            #expect(groups.count == expected.count, "\(label) groups")
            #expect(groups.count > 1)
            for (group, reference) in zip(groups, expected) {
                let key = "\(label) \(group["key"] ?? "")"
                #expect(group["key"] as? String == reference["key"] as? String)
                try same(group, reference, key)
                // The independent side gives the intervals only when asked to.
                guard reference["medianLow"] != nil else { continue }
                try close(group["medianLow"], reference["medianLow"], "\(key) medianLow")
                try close(group["medianHigh"], reference["medianHigh"], "\(key) medianHigh")
                let tooFew = try #require(group["tooFew"] as? Bool, "\(key) tooFew")
                #expect(tooFew == reference["tooFew"] as? Bool, "\(key) tooFew")
            }
        }
    }

    /// Equal counts, and every figure equal to 1e-9 relative.
    static func same(_ lhs: Any?, _ rhs: Any?, _ label: String) throws {
        let a = try #require(lhs as? [String: Any], "\(label)")
        let b = try #require(rhs as? [String: Any], "\(label)")
        let count = try #require(a["count"] as? Int, "\(label) count")
        #expect(count == b["count"] as? Int, "\(label) count")
        for figure in ["mean", "p50", "p90", "p95", "max"] {
            guard let x = (a[figure] as? NSNumber)?.doubleValue,
                let y = (b[figure] as? NSNumber)?.doubleValue
            else {
                #expect(a[figure] == nil && b[figure] == nil, "\(label) \(figure)")
                continue
            }
            #expect(abs(x - y) <= 1e-9 * max(abs(x), abs(y), 1), "\(label) \(figure): \(x) vs \(y)")
        }
    }

    /// Two numbers, both present, equal to 1e-9 relative.
    static func close(_ lhs: Any?, _ rhs: Any?, _ label: String) throws {
        let x = try #require((lhs as? NSNumber)?.doubleValue, "\(label)")
        let y = try #require((rhs as? NSNumber)?.doubleValue, "\(label)")
        #expect(abs(x - y) <= 1e-9 * max(abs(x), abs(y), 1), "\(label): \(x) vs \(y)")
    }

    @Test("TTA, TTM and TTR by group, and trends' intervals, match plain Python over the export")
    func statsAgree() throws {
        let harness = try ProjectionCommandTests.sampleLedger(events: 6000)
        let log = harness.directory.appendingPathComponent("log.ndjson")
        try harness.run(["log", "--json"]).stdoutBytes.write(to: log)

        try Self.compare(harness, log: log.path, "ttr", ["--by", "process"])
        try Self.compare(harness, log: log.path, "ttr", ["--by", "severity", "--resolve", "first"])
        try Self.compare(harness, log: log.path, "tta", ["--by", "month"])
        try Self.compare(harness, log: log.path, "tta", ["--by", "week"])
        try Self.compare(harness, log: log.path, "ttm", ["--by", "team", "--from", "impact"])
        try Self.compare(harness, log: log.path, "ttr", ["--by", "quarter"])
    }

    @Test("stats --svg draws a trend with its title, band and axes")
    func svgTrend() throws {
        let harness = try ProjectionCommandTests.sampleLedger(events: 3000)
        let path = harness.directory.appendingPathComponent("ttr.svg").path
        let outcome = try harness.run(["stats", "ttr", "--by", "month", "--svg", path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("TTR by month"))
        #expect(svg.contains("<polygon"))
        #expect(svg.contains("hours") || svg.contains("minutes"))
        #expect(try harness.run(["stats", "ttr", "--svg", path]).status == 64)
    }

    @Test("recurrence --json flags processes with 3 incidents in 30 days, flagged first")
    func recurrenceJSON() throws {
        let harness = try ProjectionCommandTests.sampleLedger(events: 6000)
        let outcome = try harness.run(["recurrence", "--json"])
        #expect(outcome.status == 0)
        let findings = try #require(
            try JSONSerialization.jsonObject(with: outcome.stdoutBytes) as? [[String: Any]])
        #expect(!findings.isEmpty)
        let flags = findings.compactMap { $0["flagged"] as? Bool }
        #expect(flags == flags.sorted { $0 && !$1 })
        for finding in findings {
            let count = try #require(finding["maxInWindow"] as? Int)
            #expect((finding["flagged"] as? Bool) == (count >= 3))
            let window = try #require(finding["window"] as? [String: Any])
            #expect((window["incidents"] as? [String])?.count == count)
        }
    }
}
