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

        // 8-4-4 digits make the high half, 4-12 the low one.
        var high: UInt64 = 0
        var low: UInt64 = 0
        guard accumulateHex(bytes, 0..<8, into: &high),
            accumulateHex(bytes, 9..<13, into: &high),
            accumulateHex(bytes, 14..<18, into: &high),
            accumulateHex(bytes, 19..<23, into: &low),
            accumulateHex(bytes, 24..<36, into: &low)
        else { return nil }
        self.high = high
        self.low = low
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

    /// Writes the 36 characters of the id into `out`; returns how many were written.
    private func write(into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        // 8-4-4 digits from the high half, 4-12 from the low one.
        let index = writeHex(high, dashesBefore: 8, 12, into: out, at: 0)
        return writeHex(low, dashesBefore: 0, 4, into: out, at: index)
    }

    /// Writes the 16 hexadecimal digits of `half` at `start`, with a dash before digits
    /// `first` and `second`; returns where the next character goes.
    @inline(__always)
    private func writeHex(
        _ half: UInt64, dashesBefore first: Int, _ second: Int,
        into out: UnsafeMutableBufferPointer<UInt8>, at start: Int
    ) -> Int {
        var index = start
        for digit in 0..<16 {
            if digit == first || digit == second {
                out[index] = UInt8(ascii: "-")
                index += 1
            }
            out[index] = hexDigit(half >> UInt64(60 - 4 * digit) & 0xF)
            index += 1
        }
        return index
    }

    /// The 16 bytes, big-endian: the key of the event-id index.
    public var bytes: [UInt8] {
        bigEndianBytes(high) + bigEndianBytes(low)
    }

    public static func < (lhs: EventID, rhs: EventID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

/// Shifts the hexadecimal digits of `bytes[range]` into `value`; false if any byte is
/// not one.
@inline(__always)
private func accumulateHex(
    _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into value: inout UInt64
) -> Bool {
    // Random digits defeat branch prediction: every byte is converted, failures collected.
    var notDigits: UInt8 = 0
    for index in range {
        let nibble = hexValue(bytes[index])
        notDigits |= nibble
        value = value << 4 | UInt64(nibble & 0x0F)
    }
    return notDigits & 0xF0 == 0
}

/// The value of a hexadecimal digit in either case, or 0xFF for any other byte.
@inline(__always)
private func hexValue(_ byte: UInt8) -> UInt8 {
    let digit = byte &- UInt8(ascii: "0")
    let letter = (byte | 0x20) &- UInt8(ascii: "a")
    return digit < 10 ? digit : letter < 6 ? letter &+ 10 : 0xFF
}

@inline(__always)
private func hexDigit(_ nibble: UInt64) -> UInt8 {
    nibble < 10 ? UInt8(nibble) + UInt8(ascii: "0") : UInt8(nibble - 10) + UInt8(ascii: "a")
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
