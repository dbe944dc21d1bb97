/// The ledger's figures in the Prometheus text exposition format (version 0.0.4), for the
/// node exporter's textfile collector or any scraper. Every metric name begins with
/// `incidents_`:
///
/// - `incidents_open{process, severity}`, gauge: open incidents (detected or reopened,
///   not resolved since);
/// - `incidents_by_status{status}`, gauge: incidents by current status (open, resolved,
///   closed);
/// - `incidents_detected_total`, counter: every incident the ledger holds;
/// - `incidents_tta_seconds{process}`, summary: time to the first acknowledgement;
/// - `incidents_ttr_seconds{process}`, summary: time to the final resolution of resolved
///   and closed incidents;
/// - `incidents_recurring{process}`, gauge: 1 when the process reaches the recurrence
///   threshold within one window, else 0;
/// - `incidents_recurrence_max_in_window{process}`, gauge: the most incidents of the
///   process detected within one window.
///
/// `incidents_open` has a series for each process and severity that some incident has,
/// so that a pair whose incidents are all resolved shows 0 rather than vanishing. TTA and
/// TTR are measured from detection, after corrections, exactly as `stats` measures them;
/// their quantiles 0.5, 0.9 and 0.95 interpolate between closest ranks, and a
/// process with nothing measured has `NaN` quantiles and a count of 0.
public struct PrometheusExposition: Sendable {
    /// The exposition's text, one line per `\n`-ended line.
    public let text: String

    /// The media type a scraper is told.
    public static let contentType = "text/plain; version=0.0.4"

    /// Computes the figures of `facts` and writes them out.
    /// - Parameters:
    ///   - facts: Every incident's facts.
    ///   - recurrenceWindowSeconds: The recurrence window (as `recurrence --window`).
    ///   - recurrenceThreshold: Incidents in one window that flag a process.
    /// - Complexity: O(n log n) in the incidents.
    public init(
        facts: [some IncidentFactsView], recurrenceWindowSeconds: Int64,
        recurrenceThreshold: Int
    ) {
        var out = ExpositionWriter()
        let processes = Set(facts.map(\.process)).sorted()

        out.header(
            "incidents_open", type: "gauge",
            help: "Open incidents by process and severity.")
        var open: [String: [Severity: Int]] = [:]
        for fact in facts {
            open[fact.process, default: [:]][fact.severity, default: 0] +=
                fact.status == .open ? 1 : 0
        }
        for process in processes {
            for (severity, count) in (open[process] ?? [:]).sorted(by: { $0.key < $1.key }) {
                out.sample(
                    "incidents_open",
                    [("process", process), ("severity", severity.rawValue)], Double(count))
            }
        }

        out.header(
            "incidents_by_status", type: "gauge",
            help: "Incidents in the ledger by current status.")
        for status in IncidentStatus.allCases {
            let count = facts.reduce(0) { $0 + ($1.status == status ? 1 : 0) }
            out.sample("incidents_by_status", [("status", status.rawValue)], Double(count))
        }
        out.header(
            "incidents_detected_total", type: "counter",
            help: "Incidents ever detected (all in the ledger).")
        out.sample("incidents_detected_total", [], Double(facts.count))

        for (metric, help) in [
            (DurationMetric.tta, "Time to first acknowledgement"),
            (.ttr, "Time to final resolution of resolved incidents"),
        ] {
            let name = "incidents_\(metric.rawValue)_seconds"
            out.header(name, type: "summary", help: "\(help), by process.")
            var durations: [String: [Double]] = [:]
            for fact in facts {
                guard let end = IncidentMetrics.end(of: metric, fact, firstResolution: false)
                else { continue }
                durations[fact.process, default: []].append(
                    IncidentMetrics.seconds(from: fact.detectedNanoseconds, to: end))
            }
            for process in processes {
                let sorted = (durations[process] ?? []).sorted()
                for quantile in [0.5, 0.9, 0.95] {
                    out.sample(
                        name, [("process", process), ("quantile", "\(quantile)")],
                        Statistics.percentile(sorted: sorted, quantile) ?? .nan)
                }
                out.sample(name + "_sum", [("process", process)], sorted.reduce(0, +))
                out.sample(name + "_count", [("process", process)], Double(sorted.count))
            }
        }

        let findings = Recurrence.findings(
            facts, by: .process, windowSeconds: recurrenceWindowSeconds,
            threshold: recurrenceThreshold
        ).sorted { $0.key < $1.key }
        out.header(
            "incidents_recurring", type: "gauge",
            help: "1 if \(recurrenceThreshold)+ incidents in \(recurrenceWindowSeconds) s, else 0.")
        for finding in findings {
            out.sample(
                "incidents_recurring", [("process", finding.key)], finding.flagged ? 1 : 0)
        }
        out.header(
            "incidents_recurrence_max_in_window", type: "gauge",
            help: "Most incidents within \(recurrenceWindowSeconds) s.")
        for finding in findings {
            out.sample(
                "incidents_recurrence_max_in_window", [("process", finding.key)],
                Double(finding.maxInWindow))
        }
        text = out.text
    }
}

/// Writes the lines of the text exposition format.
private struct ExpositionWriter {
    var text = ""

    /// The `# HELP` and `# TYPE` lines of a metric.
    mutating func header(_ name: String, type: String, help: String) {
        text += "# HELP \(name) \(escaped(help, quote: false))\n# TYPE \(name) \(type)\n"
    }

    /// One sample line: the name, the labels in braces when there are any, the value.
    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{"
            text += labels.map { "\($0.0)=\"\(escaped($0.1, quote: true))\"" }
                .joined(separator: ",")
            text += "}"
        }
        text += " \(formatted(value))\n"
    }

    /// `\` and newline escaped, and `"` too in a label value, as the format requires.
    private func escaped(_ text: String, quote: Bool) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\"" where quote: out += "\\\""
            default: out.append(character)
            }
        }
        return out
    }

    /// A value as Go's `ParseFloat` reads it: whole numbers without a fraction, `NaN`,
    /// `+Inf` and `-Inf` by those names, anything else in Swift's shortest exact form.
    private func formatted(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return "\(Int64(value))" }
        return "\(value)"
    }
}
