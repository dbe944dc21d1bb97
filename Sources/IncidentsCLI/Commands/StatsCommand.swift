import CommandLineKit
import IncidentLedger
import Interchange

extension Command {
    /// `incidents stats`: time to acknowledge, mitigate or resolve.
    static let stats = Command(
        spec: CommandSpec(
            name: "stats", summary: "Time to acknowledge, mitigate or resolve, and trends",
            discussion: "Measures TTA (first acknowledgement), TTM (first mitigation) or TTR "
                + "(final resolution of resolved and closed incidents) in seconds from "
                + "detection, after corrections, for the selected incidents: count, mean, "
                + "median (p50), p90, p95 and max, overall and per group. Percentiles "
                + "interpolate between closest ranks (R-7). Durations are heavy-tailed: read "
                + "the median and p90 before the mean. With --by week, month or quarter, "
                + "each period also gets a 95% bootstrap interval of its median (fixed seed: "
                + "the same ledger gives the same report), and periods with fewer than 20 "
                + "incidents are marked as too few to compare. Open incidents are not in TTR; "
                + "they are counted and aged separately, to now or to the --as-of moment. "
                + "--resolve first measures TTR to the first resolution of every incident "
                + "ever resolved, also one reopened since. --from impact says how many "
                + "incidents had no impact start and were measured from detection.",
            positionals: [
                PositionalSpec(
                    "METRIC", help: "Time to acknowledge, mitigate or resolve",
                    allowed: DurationMetric.allCases.map(\.rawValue))
            ],
            options: [
                OptionSpec(
                    "by", value: "KEY", help: "Group by this fact or detection period",
                    allowed: GroupKey.allCases.map(\.rawValue)),
                OptionSpec(
                    "since", value: "TIME", help: "Only incidents detected at or after TIME"),
                OptionSpec("until", value: "TIME", help: "Only incidents detected before TIME"),
                OptionSpec(
                    "from", value: "START", help: "Measure from detection or the impact start",
                    allowed: ["detection", "impact"]),
                OptionSpec(
                    "resolve", value: "WHICH", help: "TTR to the final or the first resolution",
                    allowed: ["final", "first"]),
            ] + IncidentFilter.options + [
                AsOfOption.spec,
                OptionSpec.flag("csv", help: "Print CSV"),
                OptionSpec("svg", value: "FILE", help: "Also draw the trend (with --by a period)"),
            ],
            examples: [
                "incidents stats ttr --by process",
                "incidents stats tta --by month --svg tta.svg",
                "incidents stats ttr --from impact --severity SEV1 --json",
            ]
        ).withCommonOptions(json: true)
    ) { arguments, context in
        guard let name = arguments.positional("METRIC"),
            let metric = DurationMetric(rawValue: name)
        else {
            throw UsageError("METRIC must be tta, ttm or ttr")
        }
        let groupBy = arguments.value("by").flatMap(GroupKey.init(rawValue:))
        if arguments.has("svg"), groupBy?.isPeriod != true {
            throw UsageError("--svg draws a trend: give --by week, month or quarter")
        }
        var filter = try IncidentFilter(arguments)
        filter.detectedSince = try arguments.value("since").map {
            try parseTime($0, option: "since")
        }
        filter.detectedUntil = try arguments.value("until").map {
            try parseTime($0, option: "until")
        }
        let start: DurationStart = arguments.value("from") == "impact" ? .impact : .detection
        let moment = try AsOfOption.parse(arguments)

        let ledger = try context.openLedger(.readOnly)
        let now =
            try moment.flatMap { try ledger.recordedTime(asOf: $0) }?.nanoseconds
            ?? Ledger.now()
        var measurement = MetricReport.Measurement(
            metric: metric, start: start, firstResolution: arguments.value("resolve") == "first",
            groupBy: groupBy, now: now)
        try ledger.forEachFacts(asOf: moment) { facts in
            if filter.matches(facts) { measurement.add(facts) }
        }
        let report = measurement.report()

        if let path = arguments.value("svg") {
            let chart = TrendChart(
                title: "\(metric.rawValue.uppercased()) by \(groupBy?.rawValue ?? "")",
                subtitle: selectionText(arguments, start: start, count: report.overall.count),
                groups: report.groups)
            try writeFile(path, Array(chart.render().utf8))
        }
        if arguments.flag("json") {
            context.out.write(bytes: statsJSON(report))
            context.out.line()
        } else if arguments.flag("csv") {
            context.out.write(statsCSV(report))
        } else {
            context.out.line(statsTable(report, groupBy: groupBy, context.terminal))
        }
        return .success
    }

    /// What was selected, for the chart's subtitle.
    private static func selectionText(
        _ arguments: ParsedArguments, start: DurationStart, count: Int
    ) -> String {
        var parts = ["\(count) incidents", "from \(start.rawValue)"]
        for option in ["process", "severity", "status", "team", "owner", "scope"] {
            let values = arguments.values(option)
            if !values.isEmpty { parts.append("\(option) \(values.joined(separator: ","))") }
        }
        for flag in ["customer-facing", "regulatory"] where arguments.flag(flag) {
            parts.append(flag)
        }
        if let since = arguments.value("since") { parts.append("since \(since)") }
        if let until = arguments.value("until") { parts.append("until \(until)") }
        if arguments.value("resolve") == "first" { parts.append("to the first resolution") }
        if let moment = arguments.value("as-of") { parts.append("as of \(moment)") }
        return parts.joined(separator: ", ")
    }

    private static func statsJSON(_ report: MetricReport) -> [UInt8] {
        var writer = CanonicalJSONWriter()
        // Members in key order, as canonical JSON wants them: the group's key and its
        // median interval fall between the summary's figures.
        func summary(_ summary: Summary, key: String? = nil, group: GroupStatistics? = nil) {
            writer.field("count", summary.count)
            writer.field("key", key)
            writer.number("max", summary.max)
            writer.number("mean", summary.mean)
            if let interval = group?.medianInterval {
                writer.number("medianHigh", interval.high)
                writer.number("medianLow", interval.low)
            }
            writer.number("p50", summary.p50)
            writer.number("p90", summary.p90)
            writer.number("p95", summary.p95)
            if let group, group.medianInterval != nil { writer.field("tooFew", group.tooFew) }
        }
        writer.beginObject()
        if report.start == .impact { writer.field("fellBack", report.fellBack) }
        writer.field("from", report.start.rawValue)
        writer.key("groups")
        writer.beginArray()
        for group in report.groups {
            writer.beginObject()
            summary(group.summary, key: group.key, group: group)
            writer.endObject()
        }
        writer.endArray()
        writer.field("metric", report.metric.rawValue)
        if report.metric == .ttr {
            writer.key("open")
            writer.beginObject()
            writer.field("count", report.openAges.count)
            writer.number("maxAge", report.openAges.max)
            writer.number("medianAge", report.openAges.p50)
            writer.endObject()
        }
        writer.key("overall")
        writer.beginObject()
        summary(report.overall)
        writer.endObject()
        writer.field("resolve", report.firstResolution ? "first" : "final")
        writer.field("unit", "seconds")
        writer.field("unmeasured", report.unmeasured)
        writer.endObject()
        return writer.bytes
    }

    private static func statsCSV(_ report: MetricReport) -> String {
        var lines = ["key,count,mean,p50,p90,p95,max,median_low,median_high,too_few"]
        func cell(_ value: Double?) -> String { value.map { "\($0)" } ?? "" }
        func row(_ key: String, _ summary: Summary, _ group: GroupStatistics?) -> String {
            let quoted =
                key.contains(",") || key.contains("\"")
                ? "\""
                    + key.split(separator: "\"", omittingEmptySubsequences: false)
                    .joined(separator: "\"\"") + "\"" : key
            return [
                quoted, "\(summary.count)", cell(summary.mean), cell(summary.p50),
                cell(summary.p90), cell(summary.p95), cell(summary.max),
                cell(group?.medianInterval?.low), cell(group?.medianInterval?.high),
                group?.medianInterval == nil ? "" : (group?.tooFew == true ? "true" : "false"),
            ].joined(separator: ",")
        }
        lines.append(row("(all)", report.overall, nil))
        for group in report.groups { lines.append(row(group.key, group.summary, group)) }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func statsTable(
        _ report: MetricReport, groupBy: GroupKey?, _ terminal: Terminal
    ) -> String {
        func duration(_ seconds: Double?) -> String {
            seconds.map { humanDuration(seconds: Int64($0.rounded())) } ?? "-"
        }
        let period = groupBy?.isPeriod == true
        var header = [
            groupBy?.rawValue.uppercased() ?? "", "COUNT", "MEAN", "P50", "P90", "P95", "MAX",
        ]
        if period { header += ["MEDIAN 95% CI", ""] }
        var table = Table(header)
        func row(_ key: String, _ summary: Summary, _ group: GroupStatistics?) {
            var cells = [
                key, "\(summary.count)", duration(summary.mean), duration(summary.p50),
                duration(summary.p90), duration(summary.p95), duration(summary.max),
            ]
            if period {
                let interval = group?.medianInterval.map {
                    "\(duration($0.low)) - \(duration($0.high))"
                }
                cells += [interval ?? "", group?.tooFew == true ? "too few to compare" : ""]
            }
            table.add(cells)
        }
        row("all", report.overall, nil)
        for group in report.groups { row(group.key, group.summary, group) }

        var lines = [
            terminal.bold("\(report.metric.rawValue.uppercased()) from \(report.start.rawValue)")
                + " (\(report.overall.count) incidents measured)",
            table.render(styleHeader: terminal.bold),
        ]
        if let mean = report.overall.mean, let median = report.overall.p50, mean > 1.5 * median {
            lines.append(
                terminal.dim(
                    "The mean is \(String(format1: mean / max(median, 1)))x the median: a few long "
                        + "incidents pull it up. Compare medians and p90, not means."))
        }
        // A group's mean can mislead even where the overall one does not.
        let skewed = report.groups.filter { group in
            guard let mean = group.summary.mean, let median = group.summary.p50 else {
                return false
            }
            return mean > 1.5 * median
        }
        if !skewed.isEmpty {
            lines.append(
                terminal.dim(
                    "In \(skewed.count) of \(report.groups.count) groups the mean is more than "
                        + "1.5x the median (\(skewed.prefix(3).map(\.key).joined(separator: ", "))"
                        + (skewed.count > 3 ? ", ..." : "") + "): compare their medians."))
        }
        if report.start == .impact, report.fellBack > 0 {
            lines.append(
                "\(report.fellBack) incidents had no impact start; measured from detection.")
        }
        if report.metric == .ttr, report.openAges.count > 0 {
            lines.append(
                "\(report.openAges.count) open incidents are not in TTR; open for a median of "
                    + "\(duration(report.openAges.p50)), the longest "
                    + "\(duration(report.openAges.max))."
            )
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// A number with one decimal, e.g. `3.4`.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}
