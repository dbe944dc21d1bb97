import Foundation
import Testing

/// `stats`, `recurrence` and `list` from the command line on a history small enough to
/// work out by hand.
@Suite("stats, recurrence and list figures worked out by hand")
struct StatsCommandTests {
    static let ackID = "00000000-0000-4000-8000-000000000007"

    /// Two imports. The first (positions 1-10): INC-1, export, SEV2, impact 08:50, detected
    /// 2026-03-02 09:00, owner ann of team core, multi-process and regulatory, acknowledged
    /// 09:10, resolved 10:00; INC-2, export, SEV3, detected 2026-03-03 09:00, acknowledged
    /// 09:30, resolved 11:00; INC-3, billing, SEV3, detected 2026-03-10 09:00,
    /// single-process and customer-facing, open. The second (11-14): a correction of
    /// INC-2's acknowledgement to 09:06; INC-4, export, SEV4, detected 2026-03-11 00:00,
    /// acknowledged 00:01, resolved a day after its detection.
    static func ledger() throws -> (harness: CLIHarness, firstImportRecordedAt: String) {
        let harness = try CLIHarness()
        let first = [
            eventLine(
                "INC-1", "detected", "2026-03-02T09:00:00Z",
                data: #"{"title":"t","process":"export","severity":"SEV2","#
                    + #""impactStartedAt":"2026-03-02T08:50:00Z"}"#),
            eventLine(
                "INC-1", "assigned", "2026-03-02T09:01:00Z",
                data: #"{"owner":"ann","team":"core"}"#),
            eventLine(
                "INC-1", "triaged", "2026-03-02T09:02:00Z",
                data: #"{"scope":"multi-process","regulatory":true}"#),
            eventLine("INC-1", "acknowledged", "2026-03-02T09:10:00Z"),
            eventLine("INC-1", "resolved", "2026-03-02T10:00:00Z"),
            eventLine("INC-2", "detected", "2026-03-03T09:00:00Z", data: detectedData("export")),
            eventLine("INC-2", "acknowledged", "2026-03-03T09:30:00Z", id: ackID),
            eventLine("INC-2", "resolved", "2026-03-03T11:00:00Z"),
            eventLine("INC-3", "detected", "2026-03-10T09:00:00Z", data: detectedData("billing")),
            eventLine(
                "INC-3", "triaged", "2026-03-10T09:05:00Z",
                data: #"{"scope":"single-process","customerFacing":true}"#),
        ]
        let second = [
            eventLine(
                "INC-2", "corrected", "2026-03-04T09:00:00Z",
                data: #"{"event":"\#(ackID)","reason":"r","at":"2026-03-03T09:06:00Z"}"#),
            eventLine(
                "INC-4", "detected", "2026-03-11T00:00:00Z",
                data: detectedData("export", severity: "SEV4")),
            eventLine("INC-4", "acknowledged", "2026-03-11T00:01:00Z"),
            eventLine("INC-4", "resolved", "2026-03-12T00:00:00Z"),
        ]
        let firstFile = try harness.file("first.ndjson", first.joined(separator: "\n"))
        #expect(try harness.run(["import", firstFile]).status == 0)
        let last = try harness.run(["log", "--from", "10", "--json"])
        let record = try #require(
            try JSONSerialization.jsonObject(with: last.stdoutBytes) as? [String: Any])
        let recordedAt = try #require(record["recordedAt"] as? String)
        // The ledger's clock never goes backwards; a pause makes it go forwards.
        usleep(20_000)
        let secondFile = try harness.file("second.ndjson", second.joined(separator: "\n"))
        #expect(try harness.run(["import", secondFile]).status == 0)
        return (harness, recordedAt)
    }

    /// The standard output of a command that must succeed.
    static func output(_ harness: CLIHarness, _ arguments: [String]) throws -> String {
        let outcome = try harness.run(arguments)
        #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
        return outcome.stdout
    }

    /// TTA by severity as the issue's JSON shape; `sev3` is INC-2's acknowledgement.
    static func ttaBySeverity(sev3: String, overall: String) -> String {
        func group(_ key: String, _ seconds: String) -> String {
            #"{"count":1,"key":"\#(key)","max":\#(seconds),"mean":\#(seconds),"p50":\#(seconds),"#
                + #""p90":\#(seconds),"p95":\#(seconds)}"#
        }
        return #"{"from":"detection","groups":["# + group("SEV2", "600.0") + ","
            + group("SEV3", sev3) + "," + group("SEV4", "60.0") + #"],"metric":"tta","#
            + #""overall":\#(overall),"resolve":"final","unit":"seconds","unmeasured":1}"#
            + "\n"
    }

    @Test("stats --json gives the issue's shape with figures computed by hand")
    func statsJSONByHand() throws {
        let (harness, _) = try Self.ledger()
        // TTA: INC-1 600 s, INC-2 360 s after the correction, INC-4 60 s; INC-3 never.
        // Sorted 60, 360, 600: p90 at h = 1.8 is 360 + 0.8 * 240, p95 360 + 0.9 * 240.
        let overall =
            #"{"count":3,"max":600.0,"mean":340.0,"p50":360.0,"p90":552.0,"p95":576.0}"#
        #expect(
            try Self.output(harness, ["stats", "tta", "--by", "severity", "--json"])
                == Self.ttaBySeverity(sev3: "360.0", overall: overall))

        // TTR: 3600, 7200 and 86,400 s; INC-3 open, aged to the answer's moment.
        let ttr = try #require(
            try JSONSerialization.jsonObject(
                with: Data(try Self.output(harness, ["stats", "ttr", "--json"]).utf8))
                as? [String: Any])
        let figures = try #require(ttr["overall"] as? [String: Double])
        #expect(
            figures == [
                "count": 3, "mean": 32400, "p50": 7200, "p90": 70560, "p95": 78480, "max": 86400,
            ])
        #expect(ttr["unmeasured"] as? Int == 1)
        let open = try #require(ttr["open"] as? [String: Any])
        #expect(open["count"] as? Int == 1)
        #expect(open["maxAge"] as? Double == open["medianAge"] as? Double)
        #expect(try #require(open["maxAge"] as? Double) > 86_400 * 200)
        #expect(ttr["fellBack"] == nil)

        // From impact: INC-1 from 08:50, 4200 s; INC-2, INC-4 measured and INC-3 aged
        // from their detection.
        let impact = try Self.output(harness, ["stats", "ttr", "--from", "impact", "--json"])
        #expect(impact.hasPrefix(#"{"fellBack":3,"from":"impact","groups":[],"metric":"ttr","#))
        #expect(impact.contains(#""overall":{"count":3,"max":86400.0,"mean":32600.0,"#))
    }

    @Test("a trend gives each period its bootstrap interval and marks small ones, in every format")
    func trendFormats() throws {
        let (harness, _) = try Self.ledger()
        // W10: INC-1 600 and INC-2 360; W11: INC-4 60. A median of resamples of two values
        // is 360, 480 or 600, each end with probability 1/4: the interval is 360 to 600.
        let json = try Self.output(harness, ["stats", "tta", "--by", "week", "--json"])
        #expect(
            json.contains(
                #""groups":[{"count":2,"key":"2026-W10","max":600.0,"mean":480.0,"#
                    + #""medianHigh":600.0,"medianLow":360.0,"p50":480.0,"p90":576.0,"#
                    + #""p95":588.0,"tooFew":true},{"count":1,"key":"2026-W11","max":60.0,"#
                    + #""mean":60.0,"medianHigh":60.0,"medianLow":60.0,"p50":60.0,"p90":60.0,"#
                    + #""p95":60.0,"tooFew":true}]"#), "\(json)")
        #expect(try Self.output(harness, ["stats", "tta", "--by", "week", "--json"]) == json)

        let csv = try Self.output(harness, ["stats", "tta", "--by", "week", "--csv"])
        #expect(
            csv == """
                key,count,mean,p50,p90,p95,max,median_low,median_high,too_few
                (all),3,340.0,360.0,552.0,576.0,600.0,,,
                2026-W10,2,480.0,480.0,576.0,588.0,600.0,360.0,600.0,true
                2026-W11,1,60.0,60.0,60.0,60.0,60.0,60.0,60.0,true

                """)

        let months = try Self.output(harness, ["stats", "tta", "--by", "month", "--csv"])
        #expect(months.contains("\n2026-03,3,340.0,360.0,552.0,576.0,600.0,"))
        let quarters = try Self.output(harness, ["stats", "tta", "--by", "quarter", "--csv"])
        #expect(quarters.contains("\n2026-Q1,3,340.0,"))

        let table = try Self.output(harness, ["stats", "tta", "--by", "week"])
        let rows = table.split(separator: "\n").map(String.init)
        #expect(rows.first == "TTA from detection (3 incidents measured)")
        let small = rows.filter { $0.hasPrefix("2026-W") && $0.hasSuffix("too few to compare") }
        #expect(small.count == 2)
        #expect(table.contains("6m 00s - 10m 00s"))
    }

    @Test("the human table warns of a heavy tail, open incidents and fallen-back starts")
    func humanTable() throws {
        let (harness, _) = try Self.ledger()
        let table = try Self.output(harness, ["stats", "ttr", "--from", "impact"])
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines.first == "TTR from impact (3 incidents measured)")
        #expect(lines.contains { $0.hasPrefix("all ") && $0.contains("2h 00m") })
        // Mean 32,600 s over a median of 7,200 s.
        #expect(
            lines.contains(
                "The mean is 4.5x the median: a few long incidents pull it up. Compare medians "
                    + "and p90, not means."))
        #expect(lines.contains("3 incidents had no impact start; measured from detection."))
        #expect(lines.contains { $0.hasPrefix("1 open incidents are not in TTR; open for ") })

        // TTA's mean, 340 s, is below 1.5 times its median, 360 s: no warning.
        let tta = try Self.output(harness, ["stats", "tta"])
        #expect(!tta.contains("The mean is"))
        #expect(!tta.contains("groups the mean"))

        // By severity, each group holds one incident: no group's mean is above its median.
        let bySeverity = try Self.output(harness, ["stats", "ttr", "--by", "severity"])
        #expect(!bySeverity.contains("groups the mean"))
        // By process, export's 4200, 7200 and 86,400 s have a mean 4.5 times the median.
        let byProcess = try Self.output(harness, ["stats", "ttr", "--by", "process"])
        #expect(
            byProcess.contains(
                "In 1 of 1 groups the mean is more than 1.5x the median (export): compare "
                    + "their medians."))
    }

    @Test("stats selects by detection time and by every list filter")
    func statsSelection() throws {
        let (harness, _) = try Self.ledger()
        func count(_ options: [String], _ metric: String = "tta") throws -> [Int?] {
            let json = try Self.output(harness, ["stats", metric, "--json"] + options)
            let report = try #require(
                try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            return [
                (report["overall"] as? [String: Any])?["count"] as? Int,
                report["unmeasured"] as? Int,
            ]
        }
        // Since is inclusive, until exclusive: INC-2 and INC-3.
        #expect(
            try count(["--since", "2026-03-03T09:00:00Z", "--until", "2026-03-11T00:00:00Z"])
                == [1, 1])
        #expect(try count(["--process", "export"]) == [3, 0])
        #expect(try count(["--process", "billing", "--process", "export"]) == [3, 1])
        #expect(try count(["--severity", "SEV3"]) == [1, 1])
        #expect(try count(["--status", "open"], "ttr") == [0, 1])
        #expect(try count(["--status", "resolved"], "ttr") == [3, 0])
        #expect(try count(["--owner", "ann"]) == [1, 0])
        #expect(try count(["--team", "core"]) == [1, 0])
        #expect(try count(["--scope", "single-process"]) == [0, 1])
        #expect(try count(["--customer-facing"]) == [0, 1])
        #expect(try count(["--regulatory"]) == [1, 0])
        #expect(try harness.run(["stats", "tta", "--since", "Monday"]).status == 64)
    }

    @Test("stats and recurrence --as-of a position or time do not apply later corrections")
    func asOfStatistics() throws {
        let (harness, recordedAt) = try Self.ledger()
        // After the first import, INC-2's acknowledgement was still 30 minutes.
        let before =
            #"{"count":2,"max":1800.0,"mean":1200.0,"p50":1200.0,"p90":1680.0,"p95":1740.0}"#
        let asOfPosition = try Self.output(
            harness, ["stats", "tta", "--by", "severity", "--json", "--as-of", "10"])
        #expect(
            asOfPosition.hasPrefix(
                #"{"from":"detection","groups":[{"count":1,"key":"SEV2","max":600.0,"#))
        #expect(asOfPosition.contains(#"{"count":1,"key":"SEV3","max":1800.0,"#))
        #expect(!asOfPosition.contains("SEV4"))
        #expect(asOfPosition.contains(#""overall":\#(before),"#))
        let asOfTime = try Self.output(
            harness, ["stats", "tta", "--by", "severity", "--json", "--as-of", recordedAt])
        #expect(asOfTime == asOfPosition)

        // INC-3 was open at the first import's recorded time: aged to that moment exactly.
        let ttr = try Self.output(harness, ["stats", "ttr", "--json", "--as-of", "10"])
        let opened = try #require(
            try JSONSerialization.jsonObject(with: Data(ttr.utf8)) as? [String: Any])
        let age = try #require((opened["open"] as? [String: Any])?["maxAge"] as? Double)
        let detected = try #require(
            ISO8601DateFormatter().date(from: "2026-03-10T09:00:00Z"))
        // Recorded times are UTC with up to nine fraction digits.
        let whole = try #require(
            ISO8601DateFormatter().date(from: String(recordedAt.prefix(19)) + "Z"))
        let fraction = recordedAt.dropFirst(19).dropLast()
        let seconds = whole.timeIntervalSince(detected) + (Double("0" + fraction) ?? -1)
        #expect(abs(age - seconds) < 1e-6, "\(age) vs \(seconds) (\(recordedAt))")

        // Recurrence: export had 2 incidents at position 10, 3 now.
        let now = try Self.output(harness, ["recurrence", "--json"])
        #expect(
            now == #"[{"flagged":true,"key":"export","maxInWindow":3,"total":3,"window":{"#
                + #""from":"2026-03-02T09:00:00Z","incidents":["INC-1","INC-2","INC-4"],"#
                + #""to":"2026-03-11T00:00:00Z"}},{"flagged":false,"key":"billing","#
                + #""maxInWindow":1,"total":1,"window":{"from":"2026-03-10T09:00:00Z","#
                + #""incidents":["INC-3"],"to":"2026-03-10T09:00:00Z"}}]"# + "\n")
        for moment in ["10", recordedAt] {
            let then = try Self.output(harness, ["recurrence", "--json", "--as-of", moment])
            #expect(
                then == #"[{"flagged":false,"key":"export","maxInWindow":2,"total":2,"#
                    + #""window":{"from":"2026-03-02T09:00:00Z","incidents":["INC-1","INC-2"],"#
                    + #""to":"2026-03-03T09:00:00Z"}},{"flagged":false,"key":"billing","#
                    + #""maxInWindow":1,"total":1,"window":{"from":"2026-03-10T09:00:00Z","#
                    + #""incidents":["INC-3"],"to":"2026-03-10T09:00:00Z"}}]"# + "\n")
        }
    }

    @Test("metrics --prometheus --as-of gives the figures as the ledger stood then")
    func prometheusAsOf() throws {
        let (harness, recordedAt) = try Self.ledger()
        let now = try Self.output(harness, ["metrics", "--prometheus"])
        #expect(now.contains("incidents_detected_total 4\n"))
        #expect(now.contains(#"incidents_recurring{process="export"} 1"#))
        for moment in ["10", recordedAt] {
            let then = try Self.output(
                harness, ["metrics", "--prometheus", "--as-of", moment])
            #expect(then.contains("incidents_detected_total 3\n"), "\(then)")
            #expect(then.contains(#"incidents_recurring{process="export"} 0"#), "\(then)")
            #expect(then.contains(#"incidents_tta_seconds_count{process="export"} 2"#))
            #expect(then.contains(#"incidents_tta_seconds_sum{process="export"} 2400"#))
        }
    }

    @Test("recurrence shows each worst window's incidents and refuses a window too long")
    func recurrenceTable() throws {
        let (harness, _) = try Self.ledger()
        let table = try Self.output(harness, ["recurrence", "--window", "1d", "--threshold", "2"])
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[1].hasPrefix("export "))
        #expect(lines[1].contains("2026-03-02T09:00:00Z .. 2026-03-03T09:00:00Z"))
        #expect(lines[1].hasSuffix("INC-1 INC-2"))
        #expect(lines[3] == "1 of 2 keys reach 2 incidents in one window.")

        // No incident has a root cause: every key's category is `-`.
        let flagged = try Self.output(
            harness, ["recurrence", "--by", "process,category", "--flagged", "--json"])
        #expect(flagged.hasPrefix(#"[{"flagged":true,"key":"export/-","maxInWindow":3,"#))
        #expect(!flagged.contains("billing"))
        for window in ["99999999999999d", "106752d", "0d", "1w"] {
            let refused = try harness.run(["recurrence", "--window", window])
            #expect(refused.status == 64, "\(window): \(refused.stderr)")
            #expect(refused.stderr.contains("'--window' must be a duration"), "\(window)")
        }
        #expect(try harness.run(["recurrence", "--window", "106751d"]).status == 0)
    }

    @Test("list filters by every fact and detection time, sorts and limits")
    func listFiltersByHand() throws {
        let (harness, recordedAt) = try Self.ledger()
        func incidents(_ options: [String]) throws -> [String] {
            let json = try Self.output(harness, ["list", "--json"] + options)
            let objects = try #require(
                try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
            return objects.compactMap { $0["incident"] as? String }
        }
        #expect(try incidents([]) == ["INC-1", "INC-2", "INC-3", "INC-4"])
        #expect(try incidents(["--status", "open"]) == ["INC-3"])
        #expect(try incidents(["--status", "resolved", "--process", "export"]).count == 3)
        #expect(try incidents(["--severity", "SEV3"]) == ["INC-2", "INC-3"])
        #expect(try incidents(["--owner", "ann"]) == ["INC-1"])
        #expect(try incidents(["--team", "core"]) == ["INC-1"])
        #expect(try incidents(["--owner", "bob"]) == [])
        #expect(try incidents(["--scope", "multi-process"]) == ["INC-1"])
        #expect(try incidents(["--scope", "single-process"]) == ["INC-3"])
        #expect(try incidents(["--customer-facing"]) == ["INC-3"])
        #expect(try incidents(["--regulatory"]) == ["INC-1"])
        #expect(
            try incidents(["--detected-since", "2026-03-03T09:00:00Z"])
                == ["INC-2", "INC-3", "INC-4"])
        #expect(try incidents(["--detected-until", "2026-03-10T09:00:00Z"]) == ["INC-1", "INC-2"])
        #expect(
            try incidents(["--sort", "severity"]) == ["INC-1", "INC-2", "INC-3", "INC-4"])
        #expect(try incidents(["--sort", "process"]) == ["INC-3", "INC-1", "INC-2", "INC-4"])
        #expect(try incidents(["--sort", "status"]) == ["INC-3", "INC-1", "INC-2", "INC-4"])
        #expect(
            try incidents(["--sort", "incident", "--reverse"])
                == ["INC-4", "INC-3", "INC-2", "INC-1"])
        #expect(try incidents(["--reverse", "--limit", "2"]) == ["INC-4", "INC-3"])
        #expect(try incidents(["--as-of", "10"]) == ["INC-1", "INC-2", "INC-3"])
        #expect(try incidents(["--as-of", recordedAt, "--severity", "SEV4"]) == [])

        let table = try Self.output(harness, ["list", "--status", "open"])
        let rows = table.split(separator: "\n").map(String.init)
        #expect(rows.count == 2)
        #expect(rows[0].hasPrefix("INCIDENT") && rows[0].hasSuffix("TITLE"))
        #expect(rows[1].hasPrefix("INC-3 ") && rows[1].contains("2026-03-10T09:00:00Z"))
    }

    @Test("stats, recurrence, show and list --json follow their schemas")
    func outputsFollowSchemas() throws {
        let (harness, _) = try Self.ledger()
        var stats: [String] = []
        for (index, options) in [
            ["ttr"], ["ttr", "--by", "week", "--from", "impact"], ["tta", "--by", "owner"],
            ["ttm", "--resolve", "first", "--by", "quarter"], ["ttr", "--as-of", "0"],
        ].enumerated() {
            let output = try Self.output(harness, ["stats"] + options + ["--json"])
            stats.append(try harness.file("stats-\(index).json", output))
        }
        let recurrence = try harness.file(
            "recurrence.json", try Self.output(harness, ["recurrence", "--json"]))
        let show = try harness.file(
            "show.json", try Self.output(harness, ["show", "INC-1", "--json"]))
        let list = try harness.file("list.json", try Self.output(harness, ["list", "--json"]))
        let cases: [(schema: String, files: [String])] = [
            ("stats.schema.json", stats), ("recurrence.schema.json", [recurrence]),
            ("incident.schema.json", [show]),
        ]
        for (schema, files) in cases {
            let outcome = try schemaCheck(schema, files)
            #expect(outcome.stdout == "ok\n", "\(schema): \(outcome.stdout)\(outcome.stderr)")
        }
        // list prints an array of what show prints.
        let listed = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: list)))
                as? [Any])
        #expect(listed.count == 4)
        for (index, incident) in listed.enumerated() {
            let file = harness.directory.appendingPathComponent("listed-\(index).json")
            try JSONSerialization.data(withJSONObject: incident).write(to: file)
            let outcome = try schemaCheck("incident.schema.json", [file.path])
            #expect(outcome.stdout == "ok\n", "list[\(index)]: \(outcome.stdout)")
        }
        let broken = try harness.file("broken.json", #"{"metric":"ttr"}"#)
        #expect(try schemaCheck("stats.schema.json", [broken]).status == 1)
    }
}
