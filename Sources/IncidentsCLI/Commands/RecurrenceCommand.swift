import CommandLineKit
import IncidentLedger
import Interchange

extension Command {
    /// `incidents recurrence`: which processes keep failing.
    static let recurrence = Command(
        spec: CommandSpec(
            name: "recurrence", summary: "Find processes that keep failing",
            discussion: "For each process (or process and root-cause category), finds the "
                + "largest number of incidents whose detection times all lie within one "
                + "window (the last minus the first at most the window's length), and flags "
                + "the keys that reach the threshold: by default 3 or more in 30 days, the "
                + "playbook's signal to escalate. Flagged keys come first.",
            options: [
                OptionSpec(
                    "by", value: "KEY", help: "Group by process, or process and category",
                    allowed: RecurrenceKey.allCases.map(\.rawValue)),
                OptionSpec(
                    "window", value: "DURATION", help: "The window, e.g. 30d, 12h (default 30d)"),
                OptionSpec(
                    "threshold", value: "N",
                    help: "Incidents in one window that flag a key (default 3)"),
                OptionSpec.flag("flagged", help: "Only flagged keys"),
                AsOfOption.spec,
            ],
            examples: [
                "incidents recurrence", "incidents recurrence --by process,category --json",
            ]
        ).withCommonOptions(json: true)
    ) { arguments, context in
        let key = arguments.value("by").flatMap(RecurrenceKey.init(rawValue:)) ?? .process
        let window = try parseWindow(arguments.value("window") ?? "30d")
        let threshold =
            try arguments.wholeNumber("threshold", minimum: 1).map {
                Int(clamping: $0)
            } ?? 3
        let moment = try AsOfOption.parse(arguments)
        let ledger = try context.openLedger(.readOnly)
        var tally = Recurrence.Tally(by: key)
        try ledger.forEachFacts(asOf: moment) { tally.add($0) }
        var findings = tally.findings(windowSeconds: window, threshold: threshold)
        if arguments.flag("flagged") { findings = findings.filter(\.flagged) }

        if arguments.flag("json") {
            var writer = CanonicalJSONWriter(reservingCapacity: 1 << 14)
            writer.beginArray()
            for finding in findings {
                writer.beginObject()
                writer.field("flagged", finding.flagged)
                writer.field("key", finding.key)
                writer.field("maxInWindow", finding.maxInWindow)
                writer.field("total", finding.total)
                writer.key("window")
                writer.beginObject()
                writer.field("from", finding.from)
                writer.key("incidents")
                writer.beginArray()
                for incident in finding.incidents { writer.string(incident) }
                writer.endArray()
                writer.field("to", finding.to)
                writer.endObject()
                writer.endObject()
            }
            writer.endArray()
            context.out.write(bytes: writer.bytes)
            context.out.line()
            return .success
        }
        var table = Table([
            "KEY", "MAX IN WINDOW", "TOTAL", "FLAGGED", "WORST WINDOW", "ITS INCIDENTS",
        ])
        for finding in findings {
            table.add([
                finding.key, "\(finding.maxInWindow)", "\(finding.total)",
                finding.flagged ? context.terminal.red("yes") : "no",
                "\(finding.from.text) .. \(finding.to.text)",
                finding.incidents.joined(separator: " "),
            ])
        }
        context.out.line(table.render(styleHeader: context.terminal.bold))
        let flagged = findings.filter(\.flagged).count
        context.out.line(
            "\(flagged) of \(findings.count) keys reach \(threshold) incidents in one window.")
        return .success
    }

    /// `30d`, `12h`, `90m` or plain seconds, as seconds.
    static func parseWindow(_ text: String) throws -> Int64 {
        let units: [Character: Int64] = ["d": 86_400, "h": 3600, "m": 60, "s": 1]
        var number = Substring(text)
        var unit: Int64 = 1
        if let last = text.last, let scale = units[last] {
            number = text.dropLast()
            unit = scale
        }
        // Windows are compared in nanoseconds, so the longest is what those can hold.
        guard let value = Int64(number), value > 0, value <= maximumWindowSeconds / unit
        else {
            throw UsageError(
                "'--window' must be a duration such as 30d, 12h or 90m, at most "
                    + "\(maximumWindowSeconds / 86_400)d, not '\(text)'")
        }
        return value * unit
    }

    /// The longest window, in seconds, whose length in nanoseconds fits in 64 bits.
    static let maximumWindowSeconds = Int64.max / 1_000_000_000
}
