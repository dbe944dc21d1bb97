/// Draws a metric's trend as a self-contained SVG: the median per period with its
/// 95% confidence band, the 90th percentile dashed, readable axes with units. Used by
/// `stats --svg` and by the compliance report.
public struct TrendChart: Sendable {
    /// The chart's heading.
    public var title: String
    /// A line under the heading saying what was selected.
    public var subtitle: String
    /// The periods, in order, with their figures.
    public var groups: [GroupStatistics]

    /// A chart of `groups`.
    public init(title: String, subtitle: String, groups: [GroupStatistics]) {
        self.title = title
        self.subtitle = subtitle
        self.groups = groups
    }

    private let width = 860.0
    private let height = 420.0
    private let left = 70.0
    private let right = 45.0
    private let top = 60.0
    private let bottom = 70.0

    /// The chart's SVG text.
    /// - Complexity: O(p) in the periods.
    public func render() -> String {
        let values = groups.flatMap { group in
            [group.summary.p90, group.medianInterval?.high, group.summary.p50].compactMap { $0 }
        }
        let maximum = max(values.max() ?? 1, 1)
        let unit =
            maximum >= 3 * 3600
            ? (name: "hours", seconds: 3600.0) : (name: "minutes", seconds: 60.0)
        let ceiling = niceCeiling(maximum / unit.seconds)
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let step = groups.count > 1 ? plotWidth / Double(groups.count - 1) : 0
        func x(_ index: Int) -> Double {
            groups.count > 1 ? left + Double(index) * step : left + plotWidth / 2
        }
        func y(_ seconds: Double) -> Double {
            top + plotHeight * (1 - seconds / unit.seconds / ceiling)
        }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="24" font-size="16" font-weight="bold">\(escape(title))</text>
            <text x="\(left)" y="42" fill="#555">\(escape(subtitle))</text>

            """
        for tick in 0...4 {
            let value = ceiling * Double(tick) / 4
            let ty = y(value * unit.seconds)
            svg +=
                "<line x1=\"\(left)\" y1=\"\(f(ty))\" x2=\"\(width - right)\" y2=\"\(f(ty))\" "
                + "stroke=\"#ddd\"/>\n"
            svg +=
                "<text x=\"\(left - 8)\" y=\"\(f(ty + 4))\" text-anchor=\"end\">"
                + "\(f(value))</text>\n"
        }
        svg +=
            "<text transform=\"translate(18,\(f(top + plotHeight / 2))) rotate(-90)\" "
            + "text-anchor=\"middle\">\(unit.name)</text>\n"

        // A period label such as "2026-W09" takes about 60 px: label only as many
        // periods as fit side by side, evenly spaced.
        let labelsThatFit = max(1, Int(plotWidth / 64))
        let labelEvery = max(1, (groups.count + labelsThatFit - 1) / labelsThatFit)
        for (index, group) in groups.enumerated() where index % labelEvery == 0 {
            svg +=
                "<text x=\"\(f(x(index)))\" y=\"\(f(height - bottom + 18))\" "
                + "text-anchor=\"middle\">\(escape(group.key))</text>\n"
        }

        let band = groups.enumerated().compactMap { index, group in
            group.medianInterval.map { (index, $0) }
        }
        if !band.isEmpty {
            let upper = band.map { "\(f(x($0.0))),\(f(y($0.1.high)))" }
            let lower = band.reversed().map { "\(f(x($0.0))),\(f(y($0.1.low)))" }
            svg +=
                "<polygon points=\"\((upper + lower).joined(separator: " "))\" "
                + "fill=\"#4a78c2\" fill-opacity=\"0.2\" stroke=\"none\"/>\n"
        }
        svg += polyline({ $0.summary.p90 }, stroke: "#c2504a", dashed: true)
        svg += polyline({ $0.summary.p50 }, stroke: "#1f4e9c", dashed: false)
        for (index, group) in groups.enumerated() where group.tooFew {
            if let median = group.summary.p50 {
                svg +=
                    "<circle cx=\"\(f(x(index)))\" cy=\"\(f(y(median)))\" r=\"4\" fill=\"white\" "
                    + "stroke=\"#1f4e9c\"><title>\(escape(group.key)): fewer than 20 incidents"
                    + "</title></circle>\n"
            }
        }
        let legendY = height - 22
        func label(_ x: Double, _ text: String) -> String {
            "<text x=\"\(f(left + x))\" y=\"\(f(legendY + 4))\">\(text)</text>\n"
        }
        svg +=
            "<line x1=\"\(f(left))\" y1=\"\(f(legendY))\" x2=\"\(f(left + 24))\" "
            + "y2=\"\(f(legendY))\" stroke=\"#1f4e9c\" stroke-width=\"2\"/>\n"
        svg += label(30, "median")
        svg +=
            "<rect x=\"\(f(left + 90))\" y=\"\(f(legendY - 6))\" width=\"24\" height=\"12\" "
            + "fill=\"#4a78c2\" fill-opacity=\"0.2\"/>\n"
        svg += label(120, "95% interval of the median")
        svg +=
            "<line x1=\"\(f(left + 300))\" y1=\"\(f(legendY))\" x2=\"\(f(left + 324))\" "
            + "y2=\"\(f(legendY))\" stroke=\"#c2504a\" stroke-width=\"2\" "
            + "stroke-dasharray=\"5,3\"/>\n"
        svg += label(330, "90th percentile")
        svg +=
            "<circle cx=\"\(f(left + 450))\" cy=\"\(f(legendY))\" r=\"4\" fill=\"white\" "
            + "stroke=\"#1f4e9c\"/>\n"
        svg += label(460, "fewer than 20 incidents")
        svg += "</svg>\n"
        return svg

        func polyline(_ value: (GroupStatistics) -> Double?, stroke: String, dashed: Bool) -> String
        {
            let points = groups.enumerated().compactMap { index, group in
                value(group).map { "\(f(x(index))),\(f(y($0)))" }
            }
            guard !points.isEmpty else { return "" }
            let dash = dashed ? " stroke-dasharray=\"5,3\"" : ""
            return "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" "
                + "stroke=\"\(stroke)\" stroke-width=\"2\"\(dash)/>\n"
        }
    }

    /// The smallest of 1, 2, 2.5, 5 × 10^k at or above `value`.
    private func niceCeiling(_ value: Double) -> Double {
        var magnitude = 1.0
        while magnitude * 10 <= value { magnitude *= 10 }
        while magnitude > value, magnitude > 0.01 { magnitude /= 10 }
        for factor in [1.0, 2.0, 2.5, 5.0, 10.0] where factor * magnitude >= value {
            return factor * magnitude
        }
        return 10 * magnitude
    }

    private func f(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    private func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
