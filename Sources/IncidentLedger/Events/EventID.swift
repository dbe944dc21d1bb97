import LedgerCrypto

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
        guard let first = Hex.value(ofDigits: eight(0)),
            let second = Hex.value(ofDigits: four(9) | four(14) << 32),
            let third = Hex.value(ofDigits: four(19) | four(24) << 32),
            let fourth = Hex.value(ofDigits: eight(28))
        else { return nil }
        self.high = UInt64(first) << 32 | UInt64(second)
        self.low = UInt64(third) << 32 | UInt64(fourth)
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

/// The 8 lower-case hexadecimal digits of the low 32 bits of `value`, as a word whose
/// bytes from the least significant are the digits in order.
@inline(__always)
private func hexDigits(_ value: UInt64) -> UInt64 {
    // The most significant byte first: in the lowest lane.
    Hex.digits(ofBytes: UInt32(truncatingIfNeeded: value).byteSwapped)
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
