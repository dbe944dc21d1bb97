/// The compliance report's bar charts as self-contained SVG: no script, no outside
/// assets, every text escaped.
public enum ReportCharts {
    /// Colours of SEV1 to SEV4, worst first.
    static let severityColours = ["#9b1c1c", "#e0702b", "#e8b93a", "#7d9bb8"]

    /// Incidents per week as bars stacked by severity, SEV1 at the bottom.
    /// - Parameter weeks: Every week of the period, in order.
    /// - Returns: The SVG text.
    /// - Complexity: O(w) in the weeks.
    public static func weeklySeverity(_ weeks: [WeekSeverityCounts]) -> String {
        let width = 860.0
        let height = 320.0
        let (left, right, top, bottom) = (50.0, 20.0, 40.0, 62.0)
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let totals = weeks.map { $0.counts.reduce(0, +) }
        let ceiling = niceCeiling(Double(max(totals.max() ?? 1, 1)))
        let slot = weeks.isEmpty ? plotWidth : plotWidth / Double(weeks.count)
        let barWidth = min(max(1, slot * 0.8), 48)
        func y(_ count: Double) -> Double { top + plotHeight * (1 - count / ceiling) }

        var svg = header(width: width, height: height, title: "Incidents per week by severity")
        svg += axis(ceiling: ceiling, left: left, right: width - right, y: y, integer: true)
        svg +=
            "<text transform=\"translate(14,\(f(top + plotHeight / 2))) rotate(-90)\" "
            + "text-anchor=\"middle\">incidents</text>\n"
        for (index, week) in weeks.enumerated() {
            let x = left + Double(index) * slot + (slot - barWidth) / 2
            var base = 0.0
            for (level, count) in week.counts.enumerated() where count > 0 {
                let name = Severity.allCases[level].rawValue
                svg +=
                    "<rect x=\"\(f(x))\" y=\"\(f(y(base + Double(count))))\" "
                    + "width=\"\(f(barWidth))\" height=\"\(f(y(base) - y(base + Double(count))))\" "
                    + "fill=\"\(severityColours[level])\"><title>"
                    + "\(ReportText.escapeHTML(week.week)): \(count) \(name)</title></rect>\n"
                base += Double(count)
            }
        }
        let labelEvery = max(1, Int((Double(weeks.count) / 10).rounded(.up)))
        for (index, week) in weeks.enumerated() where index % labelEvery == 0 {
            let x = left + (Double(index) + 0.5) * slot
            svg +=
                "<text x=\"\(f(x))\" y=\"\(f(height - bottom + 16))\" text-anchor=\"middle\">"
                + "\(ReportText.escapeHTML(week.week))</text>\n"
        }
        for (level, colour) in severityColours.enumerated() {
            let x = left + Double(level) * 80
            svg +=
                "<rect x=\"\(f(x))\" y=\"\(f(height - 22))\" width=\"12\" height=\"12\" "
                + "fill=\"\(colour)\"/><text x=\"\(f(x + 16))\" y=\"\(f(height - 12))\">"
                + "\(Severity.allCases[level].rawValue)</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// The processes with the most incidents in one window, as horizontal bars, the
    /// flagged ones in red, with the threshold marked.
    /// - Parameters:
    ///   - findings: Recurrence by process, worst first.
    ///   - threshold: The count that flags a process.
    ///   - windowDays: The window's length, for the title.
    ///   - limit: How many processes to draw.
    /// - Returns: The SVG text.
    public static func recurrence(
        _ findings: [RecurrenceFinding], threshold: Int, windowDays: Int, limit: Int = 10
    ) -> String {
        let shown = Array(findings.prefix(limit))
        let width = 860.0
        let rowHeight = 24.0
        let (left, right, top) = (190.0, 60.0, 44.0)
        let height = top + Double(max(shown.count, 1)) * rowHeight + 44
        let plotWidth = width - left - right
        let ceiling = niceCeiling(Double(max(shown.map(\.maxInWindow).max() ?? 1, threshold)))
        func x(_ count: Double) -> Double { left + plotWidth * count / ceiling }

        var svg = header(
            width: width, height: height,
            title: "Top recurring processes: most incidents within \(windowDays) days")
        if shown.isEmpty {
            svg += "<text x=\"\(f(left))\" y=\"\(f(top + 16))\">No incidents.</text>\n"
        }
        for (index, finding) in shown.enumerated() {
            let y = top + Double(index) * rowHeight
            let colour = finding.flagged ? "#b3261e" : "#7d9bb8"
            let name = ReportText.escapeHTML(finding.key)
            svg +=
                "<text x=\"\(f(left - 8))\" y=\"\(f(y + 16))\" text-anchor=\"end\">\(name)</text>\n"
                + "<rect x=\"\(f(left))\" y=\"\(f(y + 4))\" "
                + "width=\"\(f(x(Double(finding.maxInWindow)) - left))\" height=\"16\" "
                + "fill=\"\(colour)\"><title>\(name): \(finding.maxInWindow) in one window, "
                + "\(finding.total) in all</title></rect>\n"
                + "<text x=\"\(f(x(Double(finding.maxInWindow)) + 6))\" y=\"\(f(y + 16))\">"
                + "\(finding.maxInWindow) of \(finding.total)</text>\n"
        }
        let bottom = top + Double(max(shown.count, 1)) * rowHeight
        svg +=
            "<line x1=\"\(f(x(Double(threshold))))\" y1=\"\(f(top))\" "
            + "x2=\"\(f(x(Double(threshold))))\" y2=\"\(f(bottom + 4))\" stroke=\"#333\" "
            + "stroke-dasharray=\"4,3\"/>\n"
            + "<text x=\"\(f(x(Double(threshold))))\" y=\"\(f(bottom + 18))\" "
            + "text-anchor=\"middle\">threshold \(threshold)</text>\n"
            + "<rect x=\"\(f(left))\" y=\"\(f(height - 16))\" width=\"12\" height=\"12\" "
            + "fill=\"#b3261e\"/><text x=\"\(f(left + 16))\" y=\"\(f(height - 6))\">flagged"
            + "</text><rect x=\"\(f(left + 90))\" y=\"\(f(height - 16))\" width=\"12\" "
            + "height=\"12\" fill=\"#7d9bb8\"/><text x=\"\(f(left + 106))\" "
            + "y=\"\(f(height - 6))\">below threshold</text>\n"
        return svg + "</svg>\n"
    }

    private static func header(width: Double, height: Double, title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" "
            + "height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" "
            + "font-family=\"sans-serif\" font-size=\"12\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">"
            + "\(ReportText.escapeHTML(title))</text>\n"
    }

    private static func axis(
        ceiling: Double, left: Double, right: Double, y: (Double) -> Double, integer: Bool
    ) -> String {
        var svg = ""
        for tick in 0...4 {
            let value = ceiling * Double(tick) / 4
            guard !integer || value == value.rounded() || tick == 0 else { continue }
            svg +=
                "<line x1=\"\(f(left))\" y1=\"\(f(y(value)))\" x2=\"\(f(right))\" "
                + "y2=\"\(f(y(value)))\" stroke=\"#ddd\"/>\n"
                + "<text x=\"\(f(left - 6))\" y=\"\(f(y(value) + 4))\" text-anchor=\"end\">"
                + "\(f(value))</text>\n"
        }
        return svg
    }

    /// The smallest of 1, 2, 2.5, 5 × 10^k at or above `value` (at least 1).
    static func niceCeiling(_ value: Double) -> Double {
        var magnitude = 1.0
        while magnitude * 10 <= value { magnitude *= 10 }
        for factor in [1.0, 2.0, 2.5, 5.0, 10.0] where factor * magnitude >= value {
            return factor * magnitude
        }
        return 10 * magnitude
    }

    /// A coordinate with at most one decimal.
    static func f(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
