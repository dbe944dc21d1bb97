/// How a source's severity words (an alert's `severity` label) become the ledger's
/// severities. Words are matched without regard to case.
public struct SeverityMap: Equatable, Sendable {
    /// The severity of each word, the word in lower case.
    public private(set) var severities: [String: Severity]

    /// The defaults: `critical` SEV1; `error` and `high` SEV2; `warning` SEV3; `info`
    /// SEV4; and the ledger's own `SEV1` to `SEV4`.
    public static let defaults = SeverityMap(severities: [
        "critical": .sev1, "error": .sev2, "high": .sev2, "warning": .sev3, "info": .sev4,
        "sev1": .sev1, "sev2": .sev2, "sev3": .sev3, "sev4": .sev4,
    ])

    /// The severity of `word`, or nil when the map does not name it.
    public func severity(of word: String) -> Severity? {
        severities[word.lowercased()]
    }

    /// These mappings with `text`'s laid over them.
    /// - Parameter text: Comma-separated `WORD=SEVn` entries, e.g. `critical=SEV1,page=SEV2`.
    /// - Returns: The map with each entry added, replacing the same word's mapping.
    /// - Throws: `EventError` naming the first malformed entry.
    public func merging(parsing text: String) throws(EventError) -> SeverityMap {
        var merged = self
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = entry.split(separator: "=", omittingEmptySubsequences: false)
            let word = parts.first.map { String($0).trimmed } ?? ""
            let value = parts.count == 2 ? String(parts[1]).trimmed.uppercased() : ""
            guard parts.count == 2, !word.isEmpty, let severity = Severity(rawValue: value) else {
                throw EventError(
                    field: "--severity-map",
                    "entry \"\(entry)\" must be WORD=SEVn with SEVn one of "
                        + "\(EventSchema.severities.joined(separator: ", ")), "
                        + "e.g. critical=SEV1,page=SEV2")
            }
            merged.severities[word.lowercased()] = severity
        }
        return merged
    }
}

extension String {
    /// The text without spaces at either end.
    fileprivate var trimmed: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
