import Glibc
import Interchange

/// Where a projection's compact binary form goes, value by value: appended by
/// `BinaryWriter`, or held against kept bytes by `BinaryMatcher`. The composite
/// values (`signed`, `time`, the optionals) are given through the four basic ones,
/// so that both sinks see the same bytes.
protocol BinarySink {
    /// One byte as it is.
    mutating func byte(_ value: UInt8)
    /// A LEB128 varint.
    mutating func unsigned(_ value: UInt64)
    /// A varint length, then the UTF-8.
    mutating func string(_ value: String)
    /// Eight bytes, little-endian, for numbers read often and at fixed offsets.
    mutating func fixed(_ value: Int64)
}

extension BinarySink {
    /// A zigzag-coded varint.
    mutating func signed(_ value: Int64) {
        unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// A byte, 1 or 0.
    mutating func flag(_ value: Bool) {
        byte(value ? 1 : 0)
    }

    /// A flag, then the string when there is one.
    mutating func optionalString(_ value: String?) {
        flag(value != nil)
        if let value { string(value) }
    }

    /// A time as its instant and how its text writes it (`Timestamp.packedForm`).
    mutating func time(_ value: Timestamp) {
        signed(value.nanoseconds)
        unsigned(UInt64(value.packedForm))
    }

    /// A flag, then the time when there is one.
    mutating func optionalTime(_ value: Timestamp?) {
        flag(value != nil)
        if let value { time(value) }
    }
}

/// Holds values against bytes kept in their compact binary form, as `BinaryWriter`
/// would write them, without writing them: a rebuild compares every state and its
/// facts with what is kept, and appending each byte to an array only to compare the
/// array cost more than the comparison.
struct BinaryMatcher: BinarySink {
    /// The kept bytes.
    let kept: UnsafeRawBufferPointer
    /// How many of them the values so far matched.
    private(set) var offset = 0
    /// Whether every value so far matched; once false, the rest is not looked at.
    private(set) var same = true

    /// A matcher at the start of `kept`.
    init(kept: UnsafeRawBufferPointer) {
        self.kept = kept
    }

    /// Whether the values matched the kept bytes, all of them and nothing more.
    var matchesWhole: Bool { same && offset == kept.count }

    mutating func byte(_ value: UInt8) {
        guard same, offset < kept.count, kept[offset] == value else {
            same = false
            return
        }
        offset += 1
    }

    mutating func unsigned(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            byte(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        byte(UInt8(rest))
    }

    mutating func string(_ value: String) {
        let utf8 = value.utf8
        let count = utf8.count
        unsigned(UInt64(count))
        guard same, count > 0 else { return }
        guard count <= kept.count - offset, let base = kept.baseAddress else {
            same = false
            return
        }
        let start = base + offset
        same =
            utf8.withContiguousStorageIfAvailable { stored in
                guard let stored = stored.baseAddress else { return false }
                return memcmp(start, stored, count) == 0
            }
            ?? utf8.elementsEqual(UnsafeRawBufferPointer(start: start, count: count))
        offset += count
    }

    mutating func fixed(_ value: Int64) {
        guard same, kept.count - offset >= 8 else {
            same = false
            return
        }
        let keptValue = kept.loadUnaligned(fromByteOffset: offset, as: Int64.self)
        same = Int64(littleEndian: keptValue) == value
        offset += 8
    }
}

/// Appends values in a compact binary form: LEB128 varints and length-prefixed
/// UTF-8. Used for the projections kept beside the log, never for records.
struct BinaryWriter: BinarySink {
    var bytes: [UInt8] = []

    mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func unsigned(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func string(_ value: String) {
        unsigned(UInt64(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }

    /// Eight bytes, little-endian, for numbers read often and at fixed offsets.
    mutating func fixed(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

/// Reads what `BinaryWriter` wrote; every read fails softly with nil on bad bytes.
struct BinaryReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    mutating func unsigned() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count, shift < 64 {
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }

    mutating func signed() -> Int64? {
        guard let raw = unsigned() else { return nil }
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    mutating func string() -> String? {
        guard let length = unsigned(), length <= UInt64(bytes.count - offset) else { return nil }
        let end = offset + Int(length)
        let text = String(
            decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), as: UTF8.self)
        offset = end
        return text
    }

    mutating func flag() -> Bool? {
        guard offset < bytes.count else { return nil }
        offset += 1
        return bytes[offset - 1] != 0
    }

    mutating func optionalString() -> String?? {
        guard let present = flag() else { return nil }
        return present ? string().map { .some($0) } : .some(nil)
    }

    /// Steps over a string; false when the bytes end before it does.
    mutating func skipString() -> Bool {
        guard let length = unsigned(), length <= UInt64(bytes.count - offset) else {
            return false
        }
        offset += Int(length)
        return true
    }

    /// A string, shared through `interner` with earlier reads of the same bytes.
    mutating func string(interning interner: inout StringInterner) -> String? {
        guard let length = unsigned(), length <= UInt64(bytes.count - offset) else { return nil }
        let end = offset + Int(length)
        let text = interner.string(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
        offset = end
        return text
    }

    /// An optional string, shared through `interner` (see `optionalString()`).
    mutating func optionalString(interning interner: inout StringInterner) -> String?? {
        guard let present = flag() else { return nil }
        return present ? string(interning: &interner).map { .some($0) } : .some(nil)
    }

    /// A time as `BinaryWriter.time` wrote it; nil when damaged.
    mutating func time() -> Timestamp? {
        guard let nanoseconds = signed(), let form = unsigned(), form <= UInt64(UInt32.max)
        else { return nil }
        return Timestamp(nanoseconds: nanoseconds, packedForm: UInt32(form))
    }

    /// A flag, then a signed number when it is set: `.some(nil)` when absent, nil
    /// when the bytes are damaged.
    mutating func optionalSigned() -> Int64?? {
        guard let present = flag() else { return nil }
        guard present else { return .some(nil) }
        return signed().map { .some($0) }
    }

    mutating func optionalTime() -> Timestamp?? {
        guard let present = flag() else { return nil }
        return present ? time().map { .some($0) } : .some(nil)
    }
}
