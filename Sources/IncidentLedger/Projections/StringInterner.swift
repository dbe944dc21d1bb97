/// Makes one `String` for each distinct run of UTF-8 bytes it is shown, so that
/// reading many kept projections whose names repeat (processes, owners, teams)
/// shares their storage instead of allocating and validating each copy.
///
/// A table of at most `limit` distinct strings; past it, strings are made afresh.
struct StringInterner {
    /// Where one interned string's bytes lie in the arena; `count` -1 marks a free slot.
    private struct Slot {
        var hash: UInt64 = 0
        var start = 0
        var count = -1
        var string = 0
    }

    /// Open addressing, linear probing, of plain values, so a probe copies no string.
    private var slots: [Slot]
    private var strings: [String] = []
    /// The bytes of every interned string, end to end.
    private var arena: [UInt8] = []
    private let limit: Int

    /// An empty table.
    /// - Parameter limit: The most distinct strings kept (the table never grows
    ///   past twice this many slots).
    init(limit: Int = 4096) {
        self.limit = limit
        var capacity = 64
        while capacity < limit * 2 { capacity *= 2 }
        slots = Array(repeating: Slot(), count: capacity)
    }

    /// The string of `bytes`, shared with earlier calls for the same bytes.
    /// - Complexity: O(k) in the length of `bytes`, expected.
    mutating func string(_ bytes: UnsafeRawBufferPointer) -> String {
        let hash = StringInterner.hash(bytes)

        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while slots[index].count >= 0 {
            let slot = slots[index]
            if slot.hash == hash, slot.count == bytes.count, matches(slot, bytes) {
                return strings[slot.string]
            }
            index = (index + 1) & mask
        }

        let string = String(decoding: bytes, as: UTF8.self)
        guard strings.count < limit else { return string }
        slots[index] = Slot(
            hash: hash, start: arena.count, count: bytes.count, string: strings.count)
        strings.append(string)
        arena.append(contentsOf: bytes)
        return string
    }

    private func matches(_ slot: Slot, _ bytes: UnsafeRawBufferPointer) -> Bool {
        arena.withUnsafeBytes { kept in
            StringInterner.equal(
                UnsafeRawBufferPointer(rebasing: kept[slot.start..<slot.start + slot.count]),
                bytes)
        }
    }

    /// A 64-bit hash of `bytes`, eight at a time (FNV-1a over words, then mixed).
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
        var offset = 0
        while offset + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            hash = (hash ^ word) &* 0x100_0000_01b3
            offset += 8
        }
        var tail: UInt64 = 0
        while offset < bytes.count {
            tail = tail << 8 | UInt64(bytes[offset])
            offset += 1
        }
        hash = (hash ^ tail) &* 0x100_0000_01b3
        return hash ^ (hash >> 29)
    }

    /// Whether two runs of bytes of equal length are equal, eight bytes at a time.
    private static func equal(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool
    {
        var offset = 0
        while offset + 8 <= lhs.count {
            if lhs.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                != rhs.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            {
                return false
            }
            offset += 8
        }
        while offset < lhs.count {
            if lhs[offset] != rhs[offset] { return false }
            offset += 1
        }
        return true
    }
}
