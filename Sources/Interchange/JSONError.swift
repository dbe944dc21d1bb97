/// Why a JSON text was rejected, and where.
///
/// The parser stops at the first rule the text breaks, so `offset` points at the first byte
/// that cannot belong to a strictly valid RFC 8259 text, or at the start of the construct
/// that is wrong (the opening quote of an unterminated string, the backslash of a bad
/// escape).
public struct JSONError: Error, Equatable, Sendable {
    /// The 0-based byte offset into the parsed bytes where the text went wrong.
    public var offset: Int

    /// What is wrong, in words, for example `duplicate key "title"`.
    public var message: String

    /// Creates an error at a byte offset.
    ///
    /// - Parameters:
    ///   - offset: The 0-based byte offset into the parsed bytes.
    ///   - message: What is wrong.
    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }
}

extension JSONError: CustomStringConvertible {
    /// The message followed by the byte offset, for example
    /// `invalid UTF-8 (overlong encoding) at byte 17`.
    public var description: String {
        "\(message) at byte \(offset)"
    }
}
