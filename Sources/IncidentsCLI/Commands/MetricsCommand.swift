import CommandLineKit
import IncidentLedger

extension Command {
    /// `incidents metrics`: the ledger's figures for dashboards.
    static let metrics = Command(
        spec: CommandSpec(
            name: "metrics", summary: "Figures for dashboards, in Prometheus's text format",
            discussion: "Prints the Prometheus text exposition format (version 0.0.4): open "
                + "incidents by process and severity (incidents_open), incidents by status "
                + "(incidents_by_status) and in all (incidents_detected_total), TTA and TTR "
                + "as summaries by process with quantiles 0.5, 0.9 and 0.95 "
                + "(incidents_tta_seconds, incidents_ttr_seconds; R-7, as stats), and the "
                + "recurrence flag by process (incidents_recurring, with "
                + "incidents_recurrence_max_in_window; the window and threshold as "
                + "recurrence's). With -o the text replaces FILE in one step, for the node "
                + "exporter's textfile collector: run it from cron or a timer. With --as-of, "
                + "the figures as the ledger stood at that position or recorded time.",
            options: [
                OptionSpec.flag("prometheus", help: "Print the Prometheus text format"),
                OptionSpec(
                    "output", short: "o", value: "FILE",
                    help: "Write to FILE atomically (e.g. a textfile collector's incidents.prom)"),
                OptionSpec(
                    "window", value: "DURATION",
                    help: "The recurrence window, e.g. 30d, 12h (default 30d)"),
                OptionSpec(
                    "threshold", value: "N",
                    help: "Incidents in one window that flag a process (default 3)"),
                AsOfOption.spec,
            ],
            examples: [
                "incidents metrics --prometheus",
                "incidents metrics --prometheus -o /var/lib/node_exporter/textfile/incidents.prom",
            ]
        ).withCommonOptions(json: false)
    ) { arguments, context in
        guard arguments.flag("prometheus") else {
            throw UsageError("give the format: --prometheus (the only one so far)")
        }
        let window = try parseWindow(arguments.value("window") ?? "30d")
        let threshold =
            try arguments.wholeNumber("threshold", minimum: 1).map { Int(clamping: $0) } ?? 3
        let moment = try AsOfOption.parse(arguments)
        let ledger = try context.openLedger(.readOnly)
        let exposition = PrometheusExposition(
            facts: try ledger.facts(asOf: moment), recurrenceWindowSeconds: window,
            recurrenceThreshold: threshold)

        if let path = arguments.value("output") {
            try writeFileAtomically(path, Array(exposition.text.utf8))
        } else {
            context.out.write(exposition.text)
        }
        return .success
    }
}
