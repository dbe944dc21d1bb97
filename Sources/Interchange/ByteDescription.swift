/// Shows single bytes of input the way error messages name them.
enum ByteDescription {
    /// A byte as a person would want to see it in a message: `'x'` for printable ASCII,
    /// `U+0001` for a control character, `0xC3` for a byte that is not ASCII.
    ///
    /// - Parameter byte: The byte.
    /// - Returns: Its description.
    static func describe(_ byte: UInt8) -> String {
        switch byte {
        case 0x20...0x7E: "'\(Character(Unicode.Scalar(byte)))'"
        case 0x80...: "0x\(hex(byte))"
        default: codePoint(byte)
        }
    }

    /// An ASCII byte as a code point.
    ///
    /// - Parameter byte: A byte below 0x80.
    /// - Returns: For example `U+001F`.
    static func codePoint(_ byte: UInt8) -> String {
        "U+00\(hex(byte))"
    }

    /// A byte as two upper-case hex digits.
    ///
    /// - Parameter byte: The byte.
    /// - Returns: For example `0A`.
    static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return byte < 0x10 ? "0" + digits : digits
    }
}
