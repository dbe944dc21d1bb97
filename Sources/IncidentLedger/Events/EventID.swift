/// An event's unique id: a UUID, kept as its 16 bytes and written in lower case.
public struct EventID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 16 bytes, big-endian halves, so that ids sort as their text does.
    public var high: UInt64
    /// The low 8 bytes.
    public var low: UInt64

    /// Parses `8-4-4-4-12` hexadecimal digits, in either case.
    /// - Parameter text: The UUID's text.
    /// - Returns: nil when `text` is not a UUID.
    public init?(_ text: String) {
        var text = text
        guard let parsed = text.withUTF8({ EventID(utf8: $0) }) else { return nil }
        self = parsed
    }

    /// Parses `8-4-4-4-12` hexadecimal digits from UTF-8 bytes.
    /// - Complexity: O(1): exactly 36 bytes are looked at.
    init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        let dash = UInt8(ascii: "-")
        guard bytes.count == 36, bytes[8] == dash, bytes[13] == dash, bytes[18] == dash,
            bytes[23] == dash
        else { return nil }

        // 8-4-4 digits make the high half, 4-12 the low one, eight digits a word: the
        // two groups of four between dashes are read as one word of eight.
        guard let base = bytes.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        func four(_ offset: Int) -> UInt64 {
            UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        }
        func eight(_ offset: Int) -> UInt64 {
            UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }
        guard let first = hexWord(eight(0)), let second = hexWord(four(9) | four(14) << 32),
            let third = hexWord(four(19) | four(24) << 32), let fourth = hexWord(eight(28))
        else { return nil }
        self.high = first << 32 | second
        self.low = third << 32 | fourth
    }

    /// Makes an id from its two halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A new random (version 4) id from the system's secure generator.
    public static func random() -> EventID {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() & ~0xF000 | 0x4000
        let low = generator.next() & ~(0xC000 << 48) | (0x8000 << 48)
        return EventID(high: high, low: low)
    }

    /// The id in `8-4-4-4-12` lower-case form.
    public var description: String {
        String(unsafeUninitializedCapacity: 36) { write(into: $0) }
    }

    /// Calls `body` with the id's text as UTF-8, without making a `String`.
    public func withUTF8<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 36) { buffer in
            let count = write(into: buffer)
            return body(UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// Writes the 36 characters of the id into `out`, which has room for them; returns
    /// how many were written.
    /// - Complexity: O(1): four words of eight digits, stored around the dashes.
    private func write(into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        guard let base = out.baseAddress, out.count >= 36 else { return 0 }
        let raw = UnsafeMutableRawPointer(base)
        func eight(_ digits: UInt64, at offset: Int) {
            raw.storeBytes(of: digits.littleEndian, toByteOffset: offset, as: UInt64.self)
        }
        func four(_ digits: UInt64, at offset: Int) {
            let word = UInt32(truncatingIfNeeded: digits).littleEndian
            raw.storeBytes(of: word, toByteOffset: offset, as: UInt32.self)
        }
        // 8-4-4 digits from the high half, 4-12 from the low one.
        let second = hexDigits(high)
        let third = hexDigits(low >> 32)
        eight(hexDigits(high >> 32), at: 0)
        four(second, at: 9)
        four(second >> 32, at: 14)
        four(third, at: 19)
        four(third >> 32, at: 24)
        eight(hexDigits(low), at: 28)
        let dash = UInt8(ascii: "-")
        out[8] = dash
        out[13] = dash
        out[18] = dash
        out[23] = dash
        return 36
    }

    /// The 16 bytes, big-endian: the key of the event-id index.
    public var bytes: [UInt8] {
        bigEndianBytes(high) + bigEndianBytes(low)
    }

    public static func < (lhs: EventID, rhs: EventID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

/// The value of eight hexadecimal digits in either case, given as the bytes of a
/// little-endian word (the first digit in the lowest byte); nil if any byte is not one.
///
/// All eight are checked and converted at once, lane by lane, without a branch per
/// digit: random digits defeat branch prediction.
@inline(__always)
private func hexWord(_ word: UInt64) -> UInt64? {
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
    return (value | value >> 16) & 0xFFFF_FFFF
}

/// The 8 lower-case hexadecimal digits of the low 32 bits of `value`, as a word whose
/// bytes from the least significant are the digits in order.
@inline(__always)
private func hexDigits(_ value: UInt64) -> UInt64 {
    // Each nibble moved to a byte of its own, then the first digit's byte to the bottom.
    var nibbles = value & 0xFFFF_FFFF
    nibbles = (nibbles | nibbles << 16) & 0x0000_FFFF_0000_FFFF
    nibbles = (nibbles | nibbles << 8) & 0x00FF_00FF_00FF_00FF
    nibbles = (nibbles | nibbles << 4) & 0x0F0F_0F0F_0F0F_0F0F
    nibbles = nibbles.byteSwapped
    // 1 in each byte whose nibble is 10 or more: adding 6 carries it into bit 4.
    let letters = (nibbles &+ 0x0606_0606_0606_0606) >> 4 & 0x0101_0101_0101_0101
    // "0" is 0x30; "a" is 0x27 more than "0" plus 10.
    return nibbles &+ 0x3030_3030_3030_3030 &+ letters &* 0x27
}

/// The 8 bytes of `value`, most significant first.
func bigEndianBytes(_ value: UInt64) -> [UInt8] {
    (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * UInt64($0))) }
}

/// Reads 8 big-endian bytes as an unsigned integer; nil unless exactly 8 bytes.
func bigEndianValue(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
    guard bytes.count == 8 else { return nil }
    return bytes.reduce(0) { $0 << 8 | UInt64($1) }
}
