/// An event's unique id: a UUID, kept as its 16 bytes and written in lower case.
public struct EventID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 16 bytes, big-endian halves, so that ids sort as their text does.
    public var high: UInt64
    /// The low 8 bytes.
    public var low: UInt64

    /// Parses `8-4-4-4-12` hexadecimal digits, in either case.
    /// - Parameter text: The UUID's text.
    /// - Returns: nil when `text` is not a UUID.
    public init?(_ text: some StringProtocol) {
        var value: (UInt64, UInt64) = (0, 0)
        var digits = 0
        var index = 0
        for byte in text.utf8 {
            defer { index += 1 }
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard let nibble = hexNibble(byte) else { return nil }
            if digits < 16 {
                value.0 = value.0 << 4 | UInt64(nibble)
            } else {
                value.1 = value.1 << 4 | UInt64(nibble)
            }
            digits += 1
        }
        guard index == 36, digits == 32 else { return nil }
        self.high = value.0
        self.low = value.1
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
        var out = [UInt8]()
        out.reserveCapacity(36)
        for (index, shift) in stride(from: 60, through: 0, by: -4).enumerated() {
            if index == 8 || index == 12 { out.append(UInt8(ascii: "-")) }
            out.append(hexDigit(high >> UInt64(shift) & 0xF))
        }
        for (index, shift) in stride(from: 60, through: 0, by: -4).enumerated() {
            if index == 0 || index == 4 { out.append(UInt8(ascii: "-")) }
            out.append(hexDigit(low >> UInt64(shift) & 0xF))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The 16 bytes, big-endian: the key of the event-id index.
    public var bytes: [UInt8] {
        bigEndianBytes(high) + bigEndianBytes(low)
    }

    public static func < (lhs: EventID, rhs: EventID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

@inline(__always)
private func hexNibble(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- UInt8(ascii: "a") &+ 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte &- UInt8(ascii: "A") &+ 10
    default: nil
    }
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
