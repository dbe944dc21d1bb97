extension Timestamp {
    /// Restores a timestamp from what an earlier `Timestamp` held, without parsing.
    ///
    /// For reading back values this program wrote itself (kept projections), where
    /// parsing again would only repeat work: the caller vouches that `text` names
    /// exactly the instant `nanoseconds`.
    /// - Parameters:
    ///   - nanoseconds: The instant, in nanoseconds since 1970-01-01T00:00:00Z.
    ///   - text: Its canonical text, as `Timestamp.text` gave it.
    /// - Complexity: O(1).
    public init(trustedNanoseconds nanoseconds: Int64, text: String) {
        self.nanoseconds = nanoseconds
        self.text = text
    }
}
