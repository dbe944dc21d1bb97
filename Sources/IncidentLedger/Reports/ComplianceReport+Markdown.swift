extension ComplianceReport {
    /// The report as Markdown for wikis: headings and pipe tables, every text from
    /// the ledger escaped so that it shows as written and cannot become markup.
    /// - Complexity: O(n) in the incidents and findings.
    public func markdown() -> String {
        var lines = ["# Incident compliance report", ""]
        lines += [scopeSentence(), ""]

        lines += ["## Summary", ""]
        lines += ["\(summary.incidents) incidents detected in the period.", ""]
        for (title, tallies) in [
            ("Severity", summary.bySeverity), ("Status", summary.byStatus),
            ("Scope", summary.byScope),
        ] {
            lines.append(markdownRow([title] + tallies.map(\.key)))
            lines.append(markdownRow(Array(repeating: "---", count: tallies.count + 1)))
            lines.append(markdownRow(["incidents"] + tallies.map { "\($0.count)" }))
            lines.append("")
        }

        lines += ["### Time to acknowledge and resolve", ""]
        lines.append(markdownRow(["metric", "count", "mean", "p50", "p90", "p95", "max"]))
        lines.append(markdownRow(Array(repeating: "---", count: 7)))
        for (name, metric) in [
            ("TTA", summary.timeToAcknowledge), ("TTR", summary.timeToResolve),
        ] {
            let figures = metric.overall
            lines.append(
                markdownRow(
                    [name, "\(figures.count)"]
                        + [figures.mean, figures.p50, figures.p90, figures.p95, figures.max]
                        .map(ReportText.duration)))
        }
        lines.append("")
        if let mean = summary.timeToResolve.overall.mean,
            let median = summary.timeToResolve.overall.p50, mean > 1.5 * median
        {
            lines += [
                "Durations are heavy-tailed: the TTR mean is well above its median. "
                    + "Compare medians and p90.", "",
            ]
        }

        lines += ["### TTR by week", ""]
        lines.append(markdownRow(["week", "resolved", "p50", "95% interval of p50", "p90", ""]))
        lines.append(markdownRow(Array(repeating: "---", count: 6)))
        for group in summary.timeToResolve.groups {
            let interval = group.medianInterval.map {
                "\(ReportText.duration($0.low)) – \(ReportText.duration($0.high))"
            }
            lines.append(
                markdownRow([
                    group.key, "\(group.summary.count)", ReportText.duration(group.summary.p50),
                    interval ?? "-", ReportText.duration(group.summary.p90),
                    group.tooFew ? "too few to compare" : "",
                ]))
        }
        lines.append("")

        lines += ["### Recurrence", ""]
        let flagged = summary.recurrence.filter(\.flagged)
        lines.append(
            "\(flagged.count) processes had \(policy.recurrenceIncidents) or more incidents "
                + "within \(policy.recurrenceDays) days.")
        lines.append("")
        if !flagged.isEmpty {
            lines.append(markdownRow(["process", "most in one window", "total", "worst window"]))
            lines.append(markdownRow(Array(repeating: "---", count: 4)))
            for finding in flagged {
                lines.append(
                    markdownRow([
                        finding.key, "\(finding.maxInWindow)", "\(finding.total)",
                        "\(finding.from.text) to \(finding.to.text)",
                    ]))
            }
            lines.append("")
        }

        lines += ["## Policy findings", ""]
        lines.append(markdownRow(["#", "check", "rule", "findings"]))
        lines.append(markdownRow(Array(repeating: "---", count: 4)))
        for check in PolicyCheck.allCases {
            let count =
                policy.enabled.contains(check)
                ? "\(findings.count { $0.check == check })" : "off"
            lines.append(
                markdownRow(["\(check.number)", check.rawValue, check.rule(policy), count]))
        }
        lines.append("")
        if !findings.isEmpty {
            lines.append(markdownRow(["#", "incident", "finding", "evidence (positions)"]))
            lines.append(markdownRow(Array(repeating: "---", count: 4)))
            for finding in findings {
                lines.append(
                    markdownRow([
                        "\(finding.check.number)", finding.incident, finding.message,
                        finding.evidence.map(String.init).joined(separator: ", "),
                    ]))
            }
            lines.append("")
        }

        lines += ["## Incidents", ""]
        let header = [
            "incident", "title", "process", "severity", "status", "owner", "detected",
            "resolved", "TTR", "root cause", "change", "after-action", "follow-ups open/done",
            "post-mortem", "escalations",
        ]
        lines.append(markdownRow(header))
        lines.append(markdownRow(Array(repeating: "---", count: header.count)))
        for row in incidents {
            lines.append(markdownRow(ReportCells.cells(of: row)))
        }
        lines.append("")

        lines += ["## Integrity", ""]
        lines += ReportCells.integrity(integrity).map { "- \($0.0): \($0.1)" }
        lines.append("")
        return lines.joined(separator: "\n")
    }

    /// What the report covers, in one sentence.
    func scopeSentence() -> String {
        let period =
            switch (since, until) {
            case (nil, nil): "All incidents"
            case (let since?, nil): "Incidents detected from \(since.text)"
            case (nil, let until?): "Incidents detected before \(until.text)"
            case (let since?, let until?):
                "Incidents detected from \(since.text) to before \(until.text)"
            }
        let moment =
            isAsOf
            ? "as the ledger stood at position \(position), recorded \(self.moment.text)"
            : "as the ledger stood at position \(position) on \(self.moment.text)"
        return "\(period), \(moment)."
    }
}

/// A Markdown table row with each cell escaped.
private func markdownRow(_ cells: [String]) -> String {
    "| " + cells.map(escapeMarkdown).joined(separator: " | ") + " |"
}

/// Text shown literally in a Markdown table cell: HTML's special characters as
/// references, Markdown's punctuation backslash-escaped, line breaks as spaces.
func escapeMarkdown(_ text: String) -> String {
    var escaped = ""
    for character in text {
        switch character {
        case "&": escaped += "&amp;"
        case "<": escaped += "&lt;"
        case ">": escaped += "&gt;"
        case "\n", "\r", "\t": escaped += " "
        case "\\", "|", "*", "_", "`", "[", "]", "#": escaped += "\\\(character)"
        default: escaped.append(character)
        }
    }
    return escaped
}

/// The cells both text renderings show for an incident and for integrity.
enum ReportCells {
    static func cells(of row: IncidentRow) -> [String] {
        [
            row.incident, row.title, row.process, row.severity.rawValue, row.status.rawValue,
            row.owner ?? "-", row.detectedAt.text, row.resolvedAt?.text ?? "-",
            ReportText.duration(row.timeToResolve), row.rootCauseCategory ?? "-",
            row.changeReference ?? "-", "\(row.afterActionFields)/3",
            "\(row.followUpsOpen)/\(row.followUpsDone)", row.postmortem ?? "-",
            "\(row.escalations)",
        ]
    }

    static func integrity(_ integrity: ReportIntegrity) -> [(String, String)] {
        let verify = integrity.verify
        let verdict =
            verify.firstBad.map { "broken at position \($0.position): \($0.reason)" }
            ?? "ok, \(verify.records) records, head \(verify.head.position) \(verify.head.hash.hex)"
        var rows = [
            ("Tree size", "\(integrity.tree.size)"),
            ("Tree root (RFC 6962)", integrity.tree.root.hex),
            ("Head record", "\(integrity.head.position)"),
            ("Head hash (SHA-256)", integrity.head.hash.hex),
            ("Head recorded at", integrity.head.recordedAt?.text ?? "-"),
            ("verify", verdict),
        ]
        if let signed = integrity.signedHead {
            rows += [
                ("Signed by key (Ed25519, id)", signed.keyID),
                ("Signed at", signed.signedAt.text),
                ("Signature", signed.signatureHex),
                (
                    "Signed head (canonical JSON)",
                    String(decoding: signed.canonicalBytes, as: UTF8.self)
                ),
            ]
        } else {
            rows.append(("Signature", "none (run with --key KEY to sign the head)"))
        }
        return rows
    }
}
