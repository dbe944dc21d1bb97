/// A mistake in the command line, with a one-line message saying what to change.
///
/// The executable prints the message and exits with the usage status; the parser never prints.
public struct UsageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// One line naming the argument at fault and the rule it broke.
    public var message: String

    /// The message, so the error prints as itself.
    public var description: String { message }

    /// Creates a usage error.
    ///
    /// - Parameter message: One line naming the argument at fault and the rule it broke.
    public init(_ message: String) {
        self.message = message
    }
}
