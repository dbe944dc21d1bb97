/// Lower-case hexadecimal text for byte strings such as keys and signatures, the one
/// form the ledger writes them in.
public enum Hex {
    /// The bytes as lower-case hex digits, two per byte.
    /// - Complexity: O(n).
    public static func encode(_ bytes: [UInt8]) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(2 * bytes.count)
        for byte in bytes {
            text.append(digit(byte >> 4))
            text.append(digit(byte & 0x0f))
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes that lower-case hex digits spell.
    /// - Parameter text: An even number of the digits `0-9` and `a-f`.
    /// - Returns: The bytes, or nil for an odd length or any other character.
    /// - Complexity: O(n).
    public static func decode(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func digit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? nibble + UInt8(ascii: "0") : nibble - 10 + UInt8(ascii: "a")
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}

extension Hex {
    /// The eight lower-case hexadecimal digits of four bytes, the first byte's two
    /// first, as the bytes of a little-endian word; the bytes are given the same way
    /// (the first in the lowest lane of `bytes`).
    ///
    /// Each byte is spread to two lanes and split into nibbles, and `0`, or `a` - 10 for
    /// 10 to 15, is added lane by lane: no branch per digit.
    @inlinable
    public static func digits(ofBytes bytes: UInt32) -> UInt64 {
        var spread = UInt64(bytes)
        spread = (spread | spread << 16) & 0x0000_FFFF_0000_FFFF
        spread = (spread | spread << 8) & 0x00FF_00FF_00FF_00FF
        let nibbles = (spread >> 4) & 0x000F_000F_000F_000F | (spread & 0x000F_000F_000F_000F) << 8
        // 1 in each lane of 10 or more: adding 6 carries it into bit 4.
        let letters = ((nibbles &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101
        return nibbles &+ 0x3030_3030_3030_3030 &+ letters &* 0x27
    }

    /// The value of eight hexadecimal digits in either case, the first the most
    /// significant, given as the bytes of a little-endian word (the first digit in the
    /// lowest lane); nil if any byte is not a digit.
    ///
    /// All eight are checked and converted at once, lane by lane, without a branch per
    /// digit: random digits defeat branch prediction.
    @inlinable
    public static func value(ofDigits word: UInt64) -> UInt32? {
        let high: UInt64 = 0x8080_8080_8080_8080
        // With every byte below 0x80, adding to a lane never carries into the next.
        guard word & high == 0 else { return nil }
        let lanes: UInt64 = 0x0101_0101_0101_0101
        // A lane at or above `bound` gets its high bit when `0x80 - bound` is added to it.
        func atLeast(_ value: UInt64, _ bound: UInt64) -> UInt64 {
            (value &+ (lanes &* (0x80 - bound))) & high
        }
        let digit = atLeast(word, 0x30) & ~atLeast(word, 0x3A)
        let lowered = word | (lanes &* 0x20)
        let letter = atLeast(lowered, 0x61) & ~atLeast(lowered, 0x67)
        guard digit | letter == high else { return nil }

        // Each lane's value, the first digit's lane moved to the top, then the lanes'
        // nibbles packed pairwise, then the pairs, then the fours.
        var value = ((word & (lanes &* 0x0F)) &+ (letter >> 7) &* 9).byteSwapped
        value = (value | value >> 4) & 0x00FF_00FF_00FF_00FF
        value = (value | value >> 8) & 0x0000_FFFF_0000_FFFF
        return UInt32(truncatingIfNeeded: value | value >> 16)
    }
}
