import Interchange
import Testing

@testable import IncidentLedger

@Suite("Statistics and metrics")
struct MetricsTests {
    @Test("R-7 percentiles interpolate between closest ranks, as numpy does")
    func percentilesR7() {
        let values: [Double] = [1, 2, 3, 4, 10]
        // numpy.percentile([1,2,3,4,10], [50, 90, 95, 25]) = [3.0, 7.6, 8.8, 2.0]
        #expect(Statistics.percentile(sorted: values, 0.5) == 3)
        #expect(abs((Statistics.percentile(sorted: values, 0.9) ?? 0) - 7.6) < 1e-12)
        #expect(abs((Statistics.percentile(sorted: values, 0.95) ?? 0) - 8.8) < 1e-12)
        #expect(Statistics.percentile(sorted: values, 0.25) == 2)
        #expect(Statistics.percentile(sorted: [42], 0.9) == 42)
        #expect(Statistics.percentile(sorted: [], 0.5) == nil)
        #expect(Statistics.percentile(sorted: [1, 2], 0.5) == 1.5)
    }

    @Test("the radix sort of large samples orders exactly as the standard sort")
    func radixSortMatchesStandardSort() {
        var generator = SplitMix64(seed: 42)
        for count in [511, 512, 513, 5000] {
            let values = (0..<count).map { index -> Double in
                let raw = Double(generator.next() % 2_000_000) / 7 - 100_000
                // Ties, whole numbers, tiny and huge values, negatives.
                switch index % 5 {
                case 0: return raw.rounded()
                case 1: return 3600
                case 2: return raw * 1e-9
                case 3: return raw * 1e12
                default: return raw
                }
            }
            #expect(Statistics.sortedAscending(values) == values.sorted())
        }
        #expect(Statistics.sortedAscending([2, 1]) == [1, 2])
        #expect(Statistics.sortedAscending([]) == [])
    }

    @Test("a summary of ties and of no values")
    func summaries() {
        let ties = Summary([5, 5, 5, 5])
        #expect(ties == Summary([5, 5, 5, 5]))
        #expect(
            ties.count == 4 && ties.mean == 5 && ties.p50 == 5 && ties.p95 == 5 && ties.max == 5)
        let none = Summary([])
        #expect(none.count == 0 && none.mean == nil && none.p50 == nil && none.max == nil)
        let mixed = Summary([600, 60, 3600])
        #expect(mixed.mean == 1420)
        #expect(mixed.p50 == 600)
        #expect(mixed.p90 == 3000)  // h = 1.8: 600 + 0.8 * 3000
        #expect(mixed.max == 3600)
    }

    @Test("the bootstrap interval of the median is the same on every run and brackets it")
    func bootstrapIsDeterministic() throws {
        let values = (1...40).map { Double($0 * $0) }
        let first = try #require(Statistics.medianInterval(values))
        let second = try #require(Statistics.medianInterval(values))
        #expect(first.low == second.low && first.high == second.high)
        let median = try #require(Statistics.percentile(sorted: values, 0.5))
        #expect(first.low <= median && median <= first.high)
        #expect(first.low < first.high)
        #expect(Statistics.medianInterval([]) == nil)
    }

    /// Incident A: detected 09:00, impact 08:50, ack 09:10, mitigated 09:20, resolved
    /// 09:30, reopened, resolved again 10:00. B: detected 09:05, ack 09:06 corrected to
    /// 09:08, resolved 09:35, closed. C: detected 09:40, open, never acknowledged.
    static func ledger() throws -> TestLedger {
        let test = try TestLedger()
        try test.append(
            eventLine(
                "detected", "A", at: time(0), id: eventID(1),
                data: [
                    "process": "export", "severity": "SEV2", "title": "a",
                    "impactStartedAt": .string("2026-03-02T08:50:00Z"),
                ]),
            eventLine("acknowledged", "A", at: time(10)),
            eventLine("mitigated", "A", at: time(20), data: ["action": "restart"]),
            eventLine("resolved", "A", at: time(30)),
            eventLine("reopened", "A", at: time(40), data: ["reason": "again"]),
            eventLine("resolved", "A", at: time(60)),
            detectedLine("B", at: time(5), severity: "SEV3"),
            eventLine("acknowledged", "B", at: time(6), id: eventID(2)),
            eventLine(
                "corrected", "B", at: time(7),
                data: ["event": .string(eventID(2)), "reason": "clock", "at": .string(time(8))]),
            eventLine("resolved", "B", at: time(35)),
            eventLine("closed", "B", at: time(36)),
            detectedLine("C", at: time(40)))
        return test
    }

    @Test("TTA, TTM and TTR by hand on a small history with a reopening and a correction")
    func metricsByHand() throws {
        let test = try Self.ledger()
        let states = try test.ledger.states(asOf: nil)
        let now = try Timestamp(parsing: time(100)).nanoseconds

        let tta = MetricReport(
            metric: .tta, states: states, start: .detection, groupBy: nil, now: now)
        #expect(tta.overall.count == 2)
        #expect(tta.overall.mean == 390.0)  // A 10 min, B 3 min after correction: (600 + 180) / 2
        #expect(tta.unmeasured == 1)

        let ttr = MetricReport(
            metric: .ttr, states: states, start: .detection, groupBy: nil, now: now)
        #expect(ttr.overall.count == 2)
        #expect(ttr.overall.max == 3600)  // A's final resolution
        #expect(ttr.overall.p50 == 2700.0)  // (3600 + 1800) / 2
        #expect(ttr.openAges.count == 1)
        #expect(ttr.openAges.max == 3600)  // C open since 09:40, now 10:40

        let first = MetricReport(
            metric: .ttr, states: states, start: .detection, firstResolution: true, groupBy: nil,
            now: now)
        #expect(first.overall.max == 1800)  // A's first resolution, B 30 min

        let impact = MetricReport(
            metric: .ttm, states: states, start: .impact, groupBy: .severity, now: now)
        #expect(impact.overall.count == 1)
        #expect(impact.overall.max == 1800)  // 08:50 to 09:20
        #expect(impact.fellBack == 0)  // B and C, without impact starts, are not mitigated
        #expect(impact.unmeasured == 2)
        #expect(impact.groups.map { $0.key } == ["SEV2"])

        // A from 08:50 (20 min), B from its detection (3 min); C is never acknowledged.
        let ttaImpact = MetricReport(
            metric: .tta, states: states, start: .impact, groupBy: nil, now: now)
        #expect(ttaImpact.overall.count == 2)
        #expect(ttaImpact.overall.mean == 690.0)  // (1200 + 180) / 2
        #expect(ttaImpact.fellBack == 1)

        // TTR from impact: A 70 min, B 30 min; C, open, is aged from its detection.
        let ttrImpact = MetricReport(
            metric: .ttr, states: states, start: .impact, groupBy: nil, now: now)
        #expect(ttrImpact.overall.max == 4200)
        #expect(ttrImpact.fellBack == 2)
        #expect(ttrImpact.openAges.max == 3600)
    }

    /// A detected 09:00, resolved 09:30, reopened 09:40 and still open; B detected 09:00,
    /// resolved 09:30 too (a tie), closed. Both SEV3; B has a team, A none.
    static func reopenedLedger() throws -> TestLedger {
        let test = try TestLedger()
        try test.append(
            detectedLine("A", at: time(0)),
            eventLine("resolved", "A", at: time(30)),
            eventLine("reopened", "A", at: time(40), data: ["reason": "back"]),
            detectedLine("B", at: time(0)),
            eventLine("assigned", "B", at: time(1), data: ["owner": "bo", "team": "data"]),
            eventLine("resolved", "B", at: time(30)),
            eventLine("closed", "B", at: time(31)))
        return test
    }

    @Test("an incident reopened and not resolved again is out of TTR and aged; first keeps it")
    func reopenedIncidentIsOpen() throws {
        let test = try Self.reopenedLedger()
        let states = try test.ledger.states(asOf: nil)
        let now = try Timestamp(parsing: time(100)).nanoseconds

        let final = MetricReport(
            metric: .ttr, states: states, start: .detection, groupBy: .team, now: now)
        #expect(final.overall == Summary([1800]))
        #expect(final.unmeasured == 1)
        #expect(final.openAges == Summary([6000]))  // A, open since 09:00, at 10:40
        #expect(final.groups.map { $0.key } == ["data"])

        let first = MetricReport(
            metric: .ttr, states: states, start: .detection, firstResolution: true,
            groupBy: .team, now: now)
        #expect(first.overall == Summary([1800, 1800]))
        #expect(first.overall.p90 == 1800 && first.overall.mean == 1800)  // a tie
        #expect(first.unmeasured == 0)
        #expect(first.openAges.count == 0)
        // A has no team: its group is `-`, sorted before `data`.
        #expect(first.groups.map { $0.key } == ["-", "data"])
        #expect(first.groups.map { $0.summary.count } == [1, 1])
    }

    @Test("a single incident gives its own duration for every figure and group")
    func singleIncident() throws {
        let test = try TestLedger()
        try test.append(
            detectedLine("A", at: time(0)),
            eventLine("acknowledged", "A", at: time(7)))
        let states = try test.ledger.states(asOf: nil)
        for key in GroupKey.allCases {
            let report = MetricReport(
                metric: .tta, states: states, start: .detection, groupBy: key, now: 0)
            #expect(report.overall == Summary([420]))
            #expect(report.overall.mean == 420 && report.overall.p95 == 420)
            #expect(report.overall.max == 420)
            #expect(report.groups.count == 1)
            let group = try #require(report.groups.first)
            #expect(group.summary == Summary([420]))
            if key.isPeriod {
                #expect(group.tooFew)
                #expect(group.medianInterval?.low == 420 && group.medianInterval?.high == 420)
            } else {
                #expect(!group.tooFew && group.medianInterval == nil)
            }
        }
    }

    @Test("each fact key groups by the incident's current value, `-` when it has none")
    func factKeys() throws {
        let test = try TestLedger()
        try test.append(
            eventLine(
                "detected", "A", at: time(0),
                data: [
                    "process": "export", "severity": "SEV4", "title": "a", "source": "log",
                ]),
            eventLine("severity-changed", "A", at: time(1), data: ["severity": "SEV2"]),
            eventLine("assigned", "A", at: time(2), data: ["owner": "ann", "team": "core"]),
            eventLine("triaged", "A", at: time(3), data: ["scope": "multi-process"]),
            eventLine("acknowledged", "A", at: time(4)),
            detectedLine("B", at: time(0)),
            eventLine("acknowledged", "B", at: time(10)))
        let states = try test.ledger.states(asOf: nil)
        let expected: [GroupKey: [String]] = [
            .process: ["export", "nightly-export"], .severity: ["SEV2", "SEV3"],
            .team: ["-", "core"], .owner: ["-", "ann"], .scope: ["-", "multi-process"],
            .source: ["-", "log"],
        ]
        for (key, keys) in expected {
            let report = MetricReport(
                metric: .tta, states: states, start: .detection, groupBy: key, now: 0)
            #expect(report.groups.map { $0.key } == keys, "\(key)")
            // B (10 min) has none of A's optional facts, so it is in the first group
            // of every key but process and severity.
            let minutes = report.groups.map { $0.summary.max.map { $0 / 60 } }
            let byFact: [Double?] = key == .process || key == .severity ? [4, 10] : [10, 4]
            #expect(minutes == byFact, "\(key)")
        }
    }

    @Test("no incidents give empty figures, not errors")
    func noIncidents() {
        let report = MetricReport(
            metric: .ttr, states: [IncidentFacts](), start: .detection, groupBy: .month, now: 0)
        #expect(report.overall.count == 0)
        #expect(report.overall.mean == nil && report.overall.p50 == nil)
        #expect(report.groups.isEmpty)
        #expect(report.unmeasured == 0 && report.openAges.count == 0)
        let findings = Recurrence.findings(
            [IncidentFacts](), by: .process, windowSeconds: 86_400, threshold: 3)
        #expect(findings.isEmpty)
    }

    @Test("periods are keyed by UTC month, ISO week and quarter, and small ones marked")
    func periods() throws {
        let test = try Self.ledger()
        let states = try test.ledger.states(asOf: nil)
        let byWeek = MetricReport(
            metric: .tta, states: states, start: .detection, groupBy: .week, now: 0)
        #expect(byWeek.groups.map { $0.key } == ["2026-W10"])
        #expect(byWeek.groups[0].tooFew)
        #expect(byWeek.groups[0].medianInterval != nil)
        let byQuarter = MetricReport(
            metric: .tta, states: states, start: .detection, groupBy: .quarter, now: 0)
        #expect(byQuarter.groups.map { $0.key } == ["2026-Q1"])
    }

    @Test("recurrence finds the largest set of detections within one window")
    func recurrenceWindows() throws {
        let test = try TestLedger()
        // Process p fails on January 1, 2 and 20 and February 9 to 12: the worst 30-day
        // window runs from January 20 to February 12 (23 days) and holds 5 incidents.
        let dates = ["01-01", "01-02", "01-20", "02-09", "02-10", "02-11", "02-12"]
        var lines: [String] = []
        for (index, date) in dates.enumerated() {
            let at = "2026-\(date)T12:00:00Z"
            lines.append(
                eventLine(
                    "detected", "P-\(index)", at: at,
                    data: ["process": "p", "severity": "SEV4", "title": "t"]))
        }
        lines.append(
            eventLine(
                "detected", "Q-1", at: "2026-01-05T00:00:00Z",
                data: ["process": "q", "severity": "SEV4", "title": "t"]))
        try test.append(lines)

        let findings = Recurrence.findings(
            try test.ledger.states(asOf: nil), by: .process, windowSeconds: 30 * 86_400,
            threshold: 3)
        #expect(findings.map { $0.key } == ["p", "q"])
        #expect(findings[0].maxInWindow == 5)
        #expect(findings[0].total == 7)
        #expect(findings[0].flagged)
        #expect(findings[0].incidents == ["P-2", "P-3", "P-4", "P-5", "P-6"])
        #expect(findings[0].from.text == "2026-01-20T12:00:00Z")
        #expect(findings[0].to.text == "2026-02-12T12:00:00Z")
        #expect(!findings[1].flagged && findings[1].maxInWindow == 1)

        let byCategory = Recurrence.findings(
            try test.ledger.states(asOf: nil), by: .processAndCategory,
            windowSeconds: 30 * 86_400, threshold: 3)
        #expect(byCategory.map { $0.key } == ["p/-", "q/-"])
    }

    @Test("recurrence: ties at one instant, a window's exact length, the earliest worst window")
    func recurrenceTies() throws {
        let test = try TestLedger()
        // B-2 and B-1 at the same instant, B-3 exactly 2 days later: one 2-day window.
        // C-1..C-4: two 1-day windows of two; the earlier is reported.
        try test.append(
            detectedLine("B-2", at: "2026-01-01T00:00:00Z"),
            detectedLine("B-1", at: "2026-01-01T00:00:00Z"),
            detectedLine("B-3", at: "2026-01-03T00:00:00Z"),
            eventLine(
                "root-cause", "B-3", at: "2026-01-03T01:00:00Z",
                data: ["category": "config", "summary": "s"]),
            eventLine(
                "detected", "C-1", at: "2026-02-01T00:00:00Z",
                data: ["process": "c", "severity": "SEV4", "title": "t"]),
            eventLine(
                "detected", "C-2", at: "2026-02-02T00:00:00Z",
                data: ["process": "c", "severity": "SEV4", "title": "t"]),
            eventLine(
                "detected", "C-3", at: "2026-02-05T00:00:00Z",
                data: ["process": "c", "severity": "SEV4", "title": "t"]),
            eventLine(
                "detected", "C-4", at: "2026-02-06T00:00:00.5Z",
                data: ["process": "c", "severity": "SEV4", "title": "t"]))
        let states = try test.ledger.states(asOf: nil)

        let twoDays = Recurrence.findings(
            states, by: .process, windowSeconds: 2 * 86_400, threshold: 3)
        #expect(twoDays.map { $0.key } == ["nightly-export", "c"])
        #expect(twoDays[0].incidents == ["B-1", "B-2", "B-3"])
        #expect(twoDays[0].flagged && twoDays[0].maxInWindow == 3 && twoDays[0].total == 3)
        #expect(twoDays[1].incidents == ["C-1", "C-2"])
        #expect(twoDays[1].from.text == "2026-02-01T00:00:00Z")
        #expect(twoDays[1].to.text == "2026-02-02T00:00:00Z")
        #expect(!twoDays[1].flagged && twoDays[1].total == 4)

        // One second shorter, B-3 falls out: both keys reach 2, and sort by key.
        let shorter = Recurrence.findings(
            states, by: .process, windowSeconds: 2 * 86_400 - 1, threshold: 2)
        #expect(shorter.map { $0.incidents } == [["C-1", "C-2"], ["B-1", "B-2"]])
        #expect(shorter.allSatisfy { $0.flagged })

        // By category: B-3's latest root cause is config, the others have none.
        let byCategory = Recurrence.findings(
            states, by: .processAndCategory, windowSeconds: 2 * 86_400, threshold: 2)
        #expect(byCategory.map { $0.key } == ["c/-", "nightly-export/-", "nightly-export/config"])
        #expect(byCategory.map { $0.maxInWindow } == [2, 2, 1])
        #expect(byCategory.map { $0.flagged } == [true, true, false])

        // A window longer than 64 bits of nanoseconds holds every detection.
        let endless = Recurrence.findings(
            states, by: .process, windowSeconds: .max, threshold: 3)
        #expect(endless.map { $0.maxInWindow } == [4, 3])
    }
}

@Suite("The kept incident facts")
struct IncidentFactsTests {
    @Test("kept facts equal the facts of the kept states, and give the same metrics")
    func factsMatchStates() throws {
        let test = try MetricsTests.ledger()
        let states = try test.ledger.states(asOf: nil).sorted { $0.incident < $1.incident }
        let facts = try test.ledger.facts(asOf: nil).sorted { $0.incident < $1.incident }
        #expect(facts == states.map { IncidentFacts($0) })
        let fromStates = MetricReport(
            metric: .ttr, states: states, start: .impact, groupBy: .severity, now: 0)
        let fromFacts = MetricReport(
            metric: .ttr, states: facts, start: .impact, groupBy: .severity, now: 0)
        #expect(fromStates.overall == fromFacts.overall)
        #expect(fromStates.groups == fromFacts.groups)
        #expect(fromStates.fellBack == fromFacts.fellBack)
    }
}
