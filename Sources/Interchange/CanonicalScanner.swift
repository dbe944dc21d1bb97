/// Checks in one pass, without building anything, that a text is a JSON object in
/// canonical form (RFC 8785 for strings, booleans, null, integers, arrays and
/// objects), and hands over its top-level members.
///
/// It says yes exactly when `JSONDocument(parsing:)` would parse the text and
/// `isCanonical` would hold for it, at several times the speed, except that an object
/// key written with an escape is refused (no record has one): `verify` reads every
/// record this way.
public enum CanonicalScanner {
    /// Scans `text`.
    /// - Parameters:
    ///   - text: The bytes.
    ///   - maxDepth: The deepest nesting accepted (the root object is level 1).
    ///   - member: Called with each top-level member's key (its bytes between the
    ///     quotes) and value (its exact text), in order.
    /// - Returns: Whether the text is one canonical JSON object.
    /// - Complexity: O(n), no allocation.
    public static func scan(
        _ text: UnsafeRawBufferPointer, maxDepth: Int = 32,
        member: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void
    ) -> Bool {
        var scanner = Scanner(text: text, maxDepth: maxDepth)
        guard scanner.peek == UInt8(ascii: "{") else { return false }
        return scanner.object(depth: 1, member: member) && scanner.index == text.count
    }
}

private struct Scanner {
    let text: UnsafeRawBufferPointer
    let maxDepth: Int
    var index = 0

    init(text: UnsafeRawBufferPointer, maxDepth: Int) {
        self.text = text
        self.maxDepth = maxDepth
    }

    var peek: UInt8? { index < text.count ? text[index] : nil }

    @inline(__always)
    mutating func take(_ byte: UInt8) -> Bool {
        guard index < text.count, text[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func value(depth: Int) -> Bool {
        guard let byte = peek else { return false }
        switch byte {
        case UInt8(ascii: "{"): return object(depth: depth + 1) { _, _ in }
        case UInt8(ascii: "["): return array(depth: depth + 1)
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return integer()
        }
    }

    mutating func object(
        depth: Int, member: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void
    ) -> Bool {
        guard depth <= maxDepth, take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return true }
        var previous: Range<Int>?
        repeat {
            guard let key = string(),
                !UnsafeRawBufferPointer(rebasing: text[key]).contains(UInt8(ascii: "\\"))
            else { return false }
            // Canonical keys ascend (by bytes, which for unescaped keys is their order).
            if let previous,
                !UnsafeRawBufferPointer(rebasing: text[previous]).lexicographicallyPrecedes(
                    UnsafeRawBufferPointer(rebasing: text[key]))
            {
                return false
            }
            previous = key
            guard take(UInt8(ascii: ":")) else { return false }
            let start = index
            guard value(depth: depth) else { return false }
            member(
                UnsafeRawBufferPointer(rebasing: text[key]),
                UnsafeRawBufferPointer(rebasing: text[start..<index]))
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}"))
    }

    mutating func array(depth: Int) -> Bool {
        guard depth <= maxDepth, take(UInt8(ascii: "[")) else { return false }
        if take(UInt8(ascii: "]")) { return true }
        repeat {
            guard value(depth: depth) else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]"))
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= text.count else { return false }
        for offset in 0..<count where text[index + offset] != word.utf8Start[offset] {
            return false
        }
        index += count
        return true
    }

    /// A canonical integer: `0`, or an optional minus and digits without a leading zero.
    mutating func integer() -> Bool {
        let start = index
        _ = take(UInt8(ascii: "-"))
        guard let first = peek, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else {
            return false
        }
        index += 1
        if first == UInt8(ascii: "0") {
            if index - start > 1 { return false }  // -0
        } else {
            while let digit = peek, digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") {
                index += 1
            }
        }
        // A fraction or exponent is valid JSON but never canonical for our values.
        return true
    }

    /// A string with only canonical escapes and valid UTF-8; returns its content range.
    mutating func string() -> Range<Int>? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < text.count {
            // Eight plain ASCII bytes at a time: none a quote, a backslash, a control
            // byte or the start of a multi-byte sequence.
            while index + 8 <= text.count {
                let word = text.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                let flags = Scanner.attention(word)
                if flags != 0 {
                    // The lowest flag is exact (borrows only reach higher bytes).
                    index += flags.trailingZeroBitCount / 8
                    break
                }
                index += 8
            }
            guard index < text.count else { break }
            let byte = text[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return start..<(index - 1)
            case UInt8(ascii: "\\"):
                guard escape() else { return nil }
            case 0..<0x20:
                return nil
            case 0x20..<0x80:
                index += 1
            default:
                guard utf8Sequence() else { return nil }
            }
        }
        return nil
    }

    /// A mask with the high bit set in each byte of `word` (little-endian) that is `"`,
    /// `\\`, below 0x20, or 0x80 and above; 0 when there is none.
    @inline(__always)
    static func attention(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func zeroBytes(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & highs }
        let control = (word &- ones &* 0x20) & ~word & highs
        return control | (word & highs) | zeroBytes(word ^ (ones &* 0x22))
            | zeroBytes(word ^ (ones &* 0x5C))
    }

    mutating func escape() -> Bool {
        guard index + 1 < text.count else { return false }
        switch text[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            index += 2
            return true
        case UInt8(ascii: "u"):
            // Only \u00XX in lower-case hex, for a control character with no short form.
            guard index + 6 <= text.count, text[index + 2] == UInt8(ascii: "0"),
                text[index + 3] == UInt8(ascii: "0")
            else { return false }
            let high = text[index + 4]
            let low = text[index + 5]
            guard high == UInt8(ascii: "0") || high == UInt8(ascii: "1") else { return false }
            let lowValue: UInt8
            switch low {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): lowValue = low - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): lowValue = low - UInt8(ascii: "a") + 10
            default: return false
            }
            let value = (high - UInt8(ascii: "0")) << 4 | lowValue
            guard ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(value) else { return false }
            index += 6
            return true
        default:
            return false
        }
    }

    /// One well-formed multi-byte UTF-8 sequence (no overlong form, no surrogate, at
    /// most U+10FFFF).
    mutating func utf8Sequence() -> Bool {
        let lead = text[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return false
        }
        guard index + length <= text.count else { return false }
        let second = text[index + 1]
        guard second >= low, second <= high else { return false }
        for offset in 2..<length where text[index + offset] & 0xC0 != 0x80 {
            return false
        }
        index += length
        return true
    }
}
