import Glibc

/// Finds one byte in a run of bytes eight at a time, in a word, where a loop over
/// single bytes would take most of the time of reading a record's layout.
enum ByteScan {
    /// Where the last `byte` in `text[lower..<upper]` is, or nil when there is none.
    /// - Parameters:
    ///   - byte: The byte looked for.
    ///   - text: The bytes.
    ///   - lower: The first offset looked at.
    ///   - upper: The offset just past the last one looked at.
    /// - Returns: The highest offset in the range that holds `byte`.
    /// - Complexity: O(n) in the bytes stepped over, eight at a time.
    @inline(__always)
    static func lastIndex(
        of byte: UInt8, in text: UnsafePointer<UInt8>, from lower: Int, before upper: Int
    ) -> Int? {
        var end = upper
        while end - 8 >= lower {
            let word = UInt64(
                littleEndian: UnsafeRawPointer(text + end - 8).loadUnaligned(as: UInt64.self))
            let found = lanes(of: word, equalTo: byte)
            // The highest flagged lane is the last byte of the eight that matches.
            if found != 0 { return end - 8 + (63 - found.leadingZeroBitCount) >> 3 }
            end -= 8
        }
        while end > lower {
            end -= 1
            if text[end] == byte { return end }
        }
        return nil
    }

    /// Where the first `byte` in `text[start..<end]` is, or `end` when there is none
    /// (`start` when `start` is past `end`).
    /// - Parameters:
    ///   - byte: The byte looked for.
    ///   - text: The bytes.
    ///   - start: The first offset looked at.
    ///   - end: The offset just past the last one looked at.
    /// - Returns: The lowest offset in the range that holds `byte`, else `end`.
    /// - Complexity: O(n) in the bytes stepped over, eight at a time.
    @inline(__always)
    static func firstIndex(
        of byte: UInt8, in text: UnsafePointer<UInt8>, from start: Int, to end: Int
    ) -> Int {
        var offset = start
        while offset + 8 <= end {
            let word = UInt64(
                littleEndian: UnsafeRawPointer(text + offset).loadUnaligned(as: UInt64.self))
            let found = lanes(of: word, equalTo: byte)
            if found != 0 { return offset + found.trailingZeroBitCount >> 3 }
            offset += 8
        }
        while offset < end, text[offset] != byte { offset += 1 }
        return offset
    }

    /// The high bit of each lane (byte) of `word` that equals `byte`, and no other
    /// bit: exact in every lane, so that the highest flag is as true as the lowest.
    @inline(__always)
    static func lanes(of word: UInt64, equalTo byte: UInt8) -> UInt64 {
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let difference = word ^ (0x0101_0101_0101_0101 &* UInt64(byte))
        // A lane's high bit survives only when its low seven bits add nothing to 0x7F
        // and its own high bit is clear: when the lane is zero.
        return ~(((difference & low) &+ low) | difference | low)
    }

    /// Whether the bytes at `text` are `key`'s: compared in two overlapping words
    /// when the key is 4 to 16 bytes long, as the keys of a record's members are,
    /// instead of in a call to `memcmp` for a dozen bytes.
    /// - Parameters:
    ///   - text: Where the bytes start; `key.utf8CodeUnitCount` of them are read.
    ///   - key: The bytes looked for.
    /// - Returns: True when every byte is the key's.
    /// - Complexity: O(1) up to 16 bytes, else O(n).
    @inline(__always)
    static func holds(_ key: StaticString, at text: UnsafeRawPointer) -> Bool {
        let count = key.utf8CodeUnitCount
        let expected = UnsafeRawPointer(key.utf8Start)
        switch count {
        case 8...16:
            return text.loadUnaligned(as: UInt64.self) == expected.loadUnaligned(as: UInt64.self)
                && text.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                    == expected.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        case 4..<8:
            return text.loadUnaligned(as: UInt32.self) == expected.loadUnaligned(as: UInt32.self)
                && text.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
                    == expected.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
        default:
            return memcmp(text, expected, count) == 0
        }
    }
}
