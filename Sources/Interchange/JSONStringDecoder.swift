/// Resolves the backslash escapes of JSON strings that the parser has already validated.
enum JSONStringDecoder {
    /// Writes the decoded UTF-8 of a string's content to a buffer.
    ///
    /// Decoding never lengthens a string (an escape of 2, 6 or 12 bytes becomes 1 to 4
    /// bytes), so `output` needs no more room than `content` has.
    ///
    /// - Parameters:
    ///   - content: The bytes between the string's quotes, already validated.
    ///   - output: Where to write; at least `content.count` bytes.
    /// - Returns: The number of bytes written.
    /// - Complexity: O(*n*), where *n* is the length of `content`.
    static func decode(
        _ content: UnsafeBufferPointer<UInt8>,
        into output: UnsafeMutableBufferPointer<UInt8>
    ) -> Int {
        var read = 0
        var written = 0
        while read < content.count {
            let byte = content[read]
            guard byte == UInt8(ascii: "\\"), read + 1 < content.count else {
                output[written] = byte
                written += 1
                read += 1
                continue
            }

            let letter = content[read + 1]
            guard letter == UInt8(ascii: "u") else {
                output[written] = unescapedByte(letter)
                written += 1
                read += 2
                continue
            }

            var scalar = hexQuad(content, at: read + 2) ?? 0xFFFD
            read += 6
            if (0xD800...0xDFFF).contains(scalar) {
                // The parser lets a high surrogate through only with a low one after it.
                let low = lowSurrogate(content, at: read)
                if (0xD800...0xDBFF).contains(scalar), let low {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    read += 6
                } else {
                    scalar = 0xFFFD
                }
            }
            written += encodeUTF8(scalar, into: output, at: written)
        }
        return written
    }

    /// Decodes a string's content into a reusable byte array, replacing what it held.
    ///
    /// - Parameters:
    ///   - content: The bytes between the string's quotes, already validated.
    ///   - bytes: The array to fill; its capacity is kept between calls.
    /// - Complexity: O(*n*), where *n* is the length of `content`.
    static func decode(_ content: UnsafeBufferPointer<UInt8>, into bytes: inout [UInt8]) {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: repeatElement(0, count: content.count))
        let written = bytes.withUnsafeMutableBufferPointer { decode(content, into: $0) }
        bytes.removeLast(bytes.count - written)
    }

    /// Makes a `String` of a string's content, resolving escapes only if it has any.
    ///
    /// - Parameters:
    ///   - content: The bytes between the string's quotes, already validated.
    ///   - hasEscapes: Whether `content` contains a backslash.
    /// - Returns: The decoded text.
    /// - Complexity: O(*n*), where *n* is the length of `content`.
    static func string(_ content: UnsafeBufferPointer<UInt8>, hasEscapes: Bool) -> String {
        guard hasEscapes else {
            return String(decoding: content, as: UTF8.self)
        }
        return String(unsafeUninitializedCapacity: content.count) { decode(content, into: $0) }
    }

    /// The value of an ASCII hexadecimal digit, or nil for any other byte.
    ///
    /// - Parameter byte: The byte to read.
    /// - Returns: 0 through 15, or nil.
    @inline(__always)
    static func hexDigitValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte &- UInt8(ascii: "A") &+ 10)
        default: nil
        }
    }

    /// The 16-bit value of four hexadecimal digits, or nil if they are not all there.
    ///
    /// - Parameters:
    ///   - bytes: The text to read.
    ///   - offset: Where the first digit is.
    /// - Returns: 0 through 0xFFFF, or nil.
    @inline(__always)
    static func hexQuad(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt32? {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for index in offset..<offset + 4 {
            guard let digit = hexDigitValue(bytes[index]) else { return nil }
            value = value << 4 | digit
        }
        return value
    }

    /// The value of a `\uDC00` to `\uDFFF` escape at an offset, or nil if there is none.
    ///
    /// - Parameters:
    ///   - bytes: The text to read.
    ///   - offset: Where the backslash would be.
    /// - Returns: 0xDC00 through 0xDFFF, or nil.
    @inline(__always)
    static func lowSurrogate(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt32? {
        guard offset + 6 <= bytes.count,
            bytes[offset] == UInt8(ascii: "\\"),
            bytes[offset + 1] == UInt8(ascii: "u"),
            let value = hexQuad(bytes, at: offset + 2),
            (0xDC00...0xDFFF).contains(value)
        else { return nil }
        return value
    }

    /// The byte a one-letter escape such as `\n` stands for.
    @inline(__always)
    private static func unescapedByte(_ letter: UInt8) -> UInt8 {
        switch letter {
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: letter  // `"`, `\` and `/` stand for themselves
        }
    }

    /// Writes a Unicode scalar value as UTF-8 and returns how many bytes that took.
    @inline(__always)
    private static func encodeUTF8(
        _ scalar: UInt32,
        into output: UnsafeMutableBufferPointer<UInt8>,
        at offset: Int
    ) -> Int {
        switch scalar {
        case 0..<0x80:
            output[offset] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            output[offset] = UInt8(0xC0 | scalar >> 6)
            output[offset + 1] = UInt8(0x80 | scalar & 0x3F)
            return 2
        case 0x800..<0x10000:
            output[offset] = UInt8(0xE0 | scalar >> 12)
            output[offset + 1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            output[offset + 2] = UInt8(0x80 | scalar & 0x3F)
            return 3
        default:
            output[offset] = UInt8(0xF0 | scalar >> 18 & 0x07)
            output[offset + 1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            output[offset + 2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            output[offset + 3] = UInt8(0x80 | scalar & 0x3F)
            return 4
        }
    }
}
