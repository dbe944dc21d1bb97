/// Why a timestamp or date text was rejected, in words that name the field and the rule,
/// for example `month 13 out of range`.
public struct TimestampError: Error, Equatable, Sendable {
    /// What is wrong.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameter message: What is wrong.
    public init(message: String) {
        self.message = message
    }
}

extension TimestampError: CustomStringConvertible {
    /// The message.
    public var description: String {
        message
    }
}
