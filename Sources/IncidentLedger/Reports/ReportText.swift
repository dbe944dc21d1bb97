import Interchange

/// Text helpers shared by the report's renderings.
public enum ReportText {
    /// An instant to the minute in UTC, `2026-03-02 09:14`, for narrow table cells.
    public static func minute(_ time: Timestamp) -> String {
        let text = Timestamp(utcNanoseconds: time.nanoseconds, fractionDigits: 0).text
        return String(text.prefix(16).map { $0 == "T" ? " " : $0 })
    }

    /// A duration for people: `42s`, `17m 05s`, `3h 12m`, `2d 4h`.
    /// - Parameter seconds: Whole seconds.
    public static func duration(_ seconds: Int64) -> String {
        if seconds < 0 { return "-" + duration(-seconds) }
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m \(pad2(seconds % 60))s" }
        if seconds < 86_400 { return "\(seconds / 3600)h \(pad2(seconds % 3600 / 60))m" }
        return "\(seconds / 86_400)d \(seconds % 86_400 / 3600)h"
    }

    /// A duration in seconds for people, or `-` when there is none.
    public static func duration(_ seconds: Double?) -> String {
        seconds.map { duration(Int64($0.rounded())) } ?? "-"
    }

    /// Text made safe for HTML and XML element content and attribute values: `&`,
    /// `<`, `>`, `"` and `'` become character references.
    public static func escapeHTML(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    private static func pad2(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
