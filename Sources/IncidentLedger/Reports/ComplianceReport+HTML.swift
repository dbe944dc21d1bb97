extension ComplianceReport {
    /// The report as one self-contained HTML file: inline CSS for screen and print,
    /// inline SVG charts, no script and no outside assets. Every text from the ledger
    /// is escaped.
    /// - Complexity: O(n) in the incidents and findings, plus the bootstrap already done.
    public func html() -> String {
        var page = HTMLPage()
        page.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        page.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        page.element("title", "Incident compliance report")
        page.raw("<style>\n\(ComplianceReport.styleSheet)</style>\n</head>\n<body>\n<main>\n")

        page.raw("<header>\n")
        page.element("h1", "Incident compliance report")
        page.element("p", scopeSentence(), class: "lead")
        page.raw("</header>\n")

        htmlCards(&page)
        htmlSummary(&page)
        htmlFindings(&page)
        htmlIncidents(&page)

        page.raw("<section id=\"integrity\">\n")
        page.element("h2", "Integrity")
        page.element(
            "p",
            "The head this report was built from. Anyone holding the ledger, or an export "
                + "of it, can check that the tree of this size has this root "
                + "(incidents prove --consistency, tools/ledger-check.py); a signed head "
                + "is checked with incidents head --check FILE --public-key PUB, or "
                + "tools/ledger-check.py --signed-head, after saving the canonical JSON "
                + "below to FILE.")
        page.raw("<table class=\"kv\">\n")
        for (name, value) in ReportCells.integrity(integrity) {
            page.raw("<tr>")
            page.element("th", name)
            page.element("td", value, class: "mono")
            page.raw("</tr>\n")
        }
        page.raw("</table>\n</section>\n</main>\n</body>\n</html>\n")
        return page.text
    }

    private func htmlCards(_ page: inout HTMLPage) {
        let open = summary.byStatus.first { $0.key == IncidentStatus.open.rawValue }?.count ?? 0
        let flagged = summary.recurrence.count(where: \.flagged)
        let cards = [
            ("Incidents", "\(summary.incidents)", "\(open) open"),
            (
                "TTA median", ReportText.duration(summary.timeToAcknowledge.overall.p50),
                "p90 \(ReportText.duration(summary.timeToAcknowledge.overall.p90))"
            ),
            (
                "TTR median", ReportText.duration(summary.timeToResolve.overall.p50),
                "p90 \(ReportText.duration(summary.timeToResolve.overall.p90))"
            ),
            ("Policy findings", "\(findings.count)", "\(policy.enabled.count) of 8 checks on"),
            (
                "Recurring processes", "\(flagged)",
                "\(policy.recurrenceIncidents)+ in \(policy.recurrenceDays) days"
            ),
            (
                "Chain", integrity.verify.isIntact ? "intact" : "BROKEN",
                "\(integrity.tree.size) records"
            ),
        ]
        page.raw("<section class=\"cards\">\n")
        for (title, value, note) in cards {
            let alert =
                (title == "Policy findings" && !findings.isEmpty)
                || (title == "Chain" && !integrity.verify.isIntact)
            page.raw(alert ? "<div class=\"card alert\">" : "<div class=\"card\">")
            page.element("div", title, class: "label")
            page.element("div", value, class: "value")
            page.element("div", note, class: "note")
            page.raw("</div>\n")
        }
        page.raw("</section>\n")
    }

    private func htmlSummary(_ page: inout HTMLPage) {
        page.raw("<section id=\"summary\">\n")
        page.element("h2", "Summary")
        page.raw("<div class=\"tallies\">\n")
        for (title, tallies) in [
            ("Severity", summary.bySeverity), ("Status", summary.byStatus),
            ("Scope", summary.byScope),
        ] {
            page.raw("<table>\n<thead><tr>")
            page.element("th", title)
            page.element("th", "incidents", class: "num")
            page.raw("</tr></thead>\n<tbody>\n")
            for tally in tallies {
                page.raw("<tr>")
                page.element("td", tally.key)
                page.element("td", "\(tally.count)", class: "num")
                page.raw("</tr>\n")
            }
            page.raw("</tbody>\n</table>\n")
        }
        page.raw("</div>\n")

        page.element("h3", "Time to acknowledge and resolve")
        page.raw("<table>\n<thead><tr>")
        for heading in ["metric", "count", "mean", "p50", "p90", "p95", "max"] {
            page.element("th", heading, class: heading == "metric" ? nil : "num")
        }
        page.raw("</tr></thead>\n<tbody>\n")
        for (name, metric) in [
            ("TTA (to first acknowledgement)", summary.timeToAcknowledge),
            ("TTR (to the resolution that stands)", summary.timeToResolve),
        ] {
            let figures = metric.overall
            page.raw("<tr>")
            page.element("td", name)
            page.element("td", "\(figures.count)", class: "num")
            for value in [figures.mean, figures.p50, figures.p90, figures.p95, figures.max] {
                page.element("td", ReportText.duration(value), class: "num")
            }
            page.raw("</tr>\n")
        }
        page.raw("</tbody>\n</table>\n")
        page.element(
            "p",
            "Durations are heavy-tailed: read the median and p90 before the mean. "
                + "\(summary.timeToResolve.openAges.count) open incidents are not in TTR.",
            class: "note")

        page.raw("<figure>\n")
        page.raw(
            TrendChart(
                title: "TTR by ISO week of detection",
                subtitle: "\(summary.timeToResolve.overall.count) resolved incidents, "
                    + "median with its 95% bootstrap interval, and p90",
                groups: summary.timeToResolve.groups
            ).render())
        page.raw("</figure>\n<figure>\n")
        page.raw(ReportCharts.weeklySeverity(summary.weeks))
        page.raw("</figure>\n<figure>\n")
        page.raw(
            ReportCharts.recurrence(
                summary.recurrence, threshold: policy.recurrenceIncidents,
                windowDays: policy.recurrenceDays))
        page.raw("</figure>\n</section>\n")
    }

    private func htmlFindings(_ page: inout HTMLPage) {
        page.raw("<section id=\"findings\">\n")
        page.element("h2", "Policy findings")
        page.raw("<table class=\"checks\">\n<thead><tr>")
        for heading in ["#", "check", "rule", "findings"] {
            page.element("th", heading, class: heading == "findings" ? "num" : nil)
        }
        page.raw("</tr></thead>\n<tbody>\n")
        for check in PolicyCheck.allCases {
            let on = policy.enabled.contains(check)
            let count = findings.count { $0.check == check }
            page.raw("<tr>")
            page.element("td", "\(check.number)", class: "num")
            page.element("td", check.rawValue, class: "mono")
            page.element("td", check.rule(policy))
            page.element(
                "td", on ? "\(count)" : "off", class: on && count > 0 ? "num bad" : "num")
            page.raw("</tr>\n")
        }
        page.raw("</tbody>\n</table>\n")
        if findings.isEmpty {
            page.element("p", "No findings.")
        } else {
            page.raw("<table class=\"findings\">\n<thead><tr>")
            for heading in ["#", "incident", "finding", "evidence (positions)"] {
                page.element("th", heading)
            }
            page.raw("</tr></thead>\n<tbody>\n")
            for finding in findings {
                page.raw("<tr>")
                page.element("td", "\(finding.check.number)", class: "num")
                page.element("td", finding.incident, class: "mono")
                page.element("td", finding.message)
                page.element(
                    "td", finding.evidence.map(String.init).joined(separator: ", "),
                    class: "mono")
                page.raw("</tr>\n")
            }
            page.raw("</tbody>\n</table>\n")
        }
        page.raw("</section>\n")
    }

    private func htmlIncidents(_ page: inout HTMLPage) {
        page.raw("<section id=\"incidents\">\n")
        page.element("h2", "Incidents (\(incidents.count))")
        page.element(
            "p", "Times in UTC, to the minute; the JSON report has them exactly.", class: "note")
        page.raw("<div class=\"wide\">\n<table class=\"incidents\">\n<thead><tr>")
        for heading in [
            "incident", "title", "process", "sev", "status", "owner", "detected", "resolved",
            "TTR", "root cause", "change", "after-action", "follow-ups open/done",
            "post-mortem", "esc.",
        ] {
            page.element("th", heading)
        }
        page.raw("</tr></thead>\n<tbody>\n")
        for row in incidents {
            page.raw("<tr>")
            var cells = ReportCells.cells(of: row)
            cells[6] = ReportText.minute(row.detectedAt)
            cells[7] = row.resolvedAt.map(ReportText.minute) ?? "-"
            for (index, cell) in cells.enumerated() {
                let style: String? =
                    switch index {
                    case 0, 6, 7: "mono"
                    case 3: "sev \(row.severity.rawValue.lowercased())"
                    case 10: "ref"
                    case 8, 11, 12, 14: "num"
                    default: nil
                    }
                page.element("td", cell, class: style)
            }
            page.raw("</tr>\n")
        }
        page.raw("</tbody>\n</table>\n</div>\n</section>\n")
    }

    /// Screen and print styles.
    static let styleSheet = """
        :root { --ink: #1d2330; --muted: #5b6473; --line: #dde1e8; --accent: #1f4e9c; }
        * { box-sizing: border-box; }
        body { margin: 0; color: var(--ink); background: #f4f6f9;
          font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
        main { max-width: 1260px; margin: 0 auto; padding: 24px 28px 48px; background: white; }
        h1 { font-size: 26px; margin: 0 0 4px; }
        h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px;
          border-bottom: 2px solid var(--accent); }
        h3 { font-size: 15px; margin: 20px 0 8px; }
        p.lead { color: var(--muted); margin: 0 0 18px; }
        p.note { color: var(--muted); font-size: 12.5px; }
        .cards { display: grid; grid-template-columns: repeat(6, 1fr); gap: 10px; }
        .card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
        .card.alert { border-color: #d9a3a0; background: #fdf3f2; }
        .card .label { color: var(--muted); font-size: 12px; }
        .card .value { font-size: 22px; font-weight: 600; }
        .card .note { color: var(--muted); font-size: 12px; }
        .tallies { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
        table { border-collapse: collapse; margin: 6px 0 12px; }
        th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line);
          vertical-align: top; }
        thead th { background: #eef1f6; font-weight: 600; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace;
          font-size: 0.92em; white-space: nowrap; }
        table.kv td { white-space: normal; word-break: break-all; }
        td.bad { color: #b3261e; font-weight: 600; }
        td.sev1 { color: #9b1c1c; font-weight: 600; }
        td.sev2 { color: #c05621; font-weight: 600; }
        .wide { overflow-x: auto; }
        table.incidents { font-size: 11.5px; width: 100%; }
        table.incidents th, table.incidents td { padding: 3px 5px; }
        table.incidents td.ref { overflow-wrap: anywhere; min-width: 7em; }
        table.incidents td.num, table.incidents td.mono, table.incidents td.sev {
          white-space: nowrap; }
        figure { margin: 14px 0; }
        figure svg { width: 100%; height: auto; border: 1px solid var(--line); }
        @page { size: A4 landscape; margin: 12mm; }
        @media print {
          body { background: white; font-size: 10.5pt; }
          main { max-width: none; padding: 0; }
          .cards { grid-template-columns: repeat(3, 1fr); }
          figure, table.checks, .cards, tr { break-inside: avoid; }
          h2 { break-after: avoid; }
          thead { display: table-header-group; }
          table.incidents { font-size: 7.5pt; }
          .wide { overflow: visible; }
          figure svg { border: none; }
        }

        """
}

/// An HTML text being written: raw markup from this file, element content always
/// escaped.
private struct HTMLPage {
    var text = ""

    /// Appends markup written by this program, never text from the ledger.
    mutating func raw(_ markup: String) {
        text += markup
    }

    /// Appends `<name class="...">content</name>` with the content escaped.
    mutating func element(_ name: String, _ content: String, class style: String? = nil) {
        let attribute = style.map { " class=\"\(ReportText.escapeHTML($0))\"" } ?? ""
        text += "<\(name)\(attribute)>\(ReportText.escapeHTML(content))</\(name)>"
        if name == "p" || (name.count == 2 && name.first == "h") { text += "\n" }
    }
}
