/// Scans text eight bytes at a time, holding them in a `UInt64` with the first byte in the
/// lowest bits.
///
/// Each mask function sets the high bit of the lowest byte that matches; bits above that
/// byte may be set too, so only the lowest set bit is meaningful, and a zero mask means no
/// byte of the word matches.
enum ByteWord {
    /// `0x01` in every byte.
    private static var ones: UInt64 { 0x0101_0101_0101_0101 }

    /// `0x80` in every byte.
    private static var highBits: UInt64 { 0x8080_8080_8080_8080 }

    /// Reads eight bytes of text from any alignment.
    ///
    /// - Parameters:
    ///   - text: The text; at least `offset + 8` bytes long.
    ///   - offset: Where the first byte is.
    /// - Returns: The bytes as a word, the first in the lowest bits.
    @inline(__always)
    static func load(_ text: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt64 {
        UInt64(
            littleEndian: UnsafeRawBufferPointer(text).loadUnaligned(
                fromByteOffset: offset, as: UInt64.self))
    }

    /// Marks the bytes canonical JSON must escape: `"`, `\` and control characters.
    ///
    /// - Parameter word: Eight bytes of text.
    /// - Returns: A mask whose lowest set bit is in the first such byte, or zero.
    @inline(__always)
    static func escapedBytes(in word: UInt64) -> UInt64 {
        let quotes = word ^ (ones &* 0x22)
        let backslashes = word ^ (ones &* 0x5C)
        let zeroInQuotes = (quotes &- ones) & ~quotes
        let zeroInBackslashes = (backslashes &- ones) & ~backslashes
        let controls = (word &- ones &* 0x20) & ~word
        return (zeroInQuotes | zeroInBackslashes | controls) & highBits
    }

    /// Marks the bytes a JSON string scanner must stop at: those of
    /// ``escapedBytes(in:)`` and every byte that is not ASCII.
    ///
    /// - Parameter word: Eight bytes of text.
    /// - Returns: A mask whose lowest set bit is in the first such byte, or zero.
    @inline(__always)
    static func specialStringBytes(in word: UInt64) -> UInt64 {
        escapedBytes(in: word) | (word & highBits)
    }

    /// The offset of the first byte from `start` on that canonical JSON must escape.
    ///
    /// - Parameters:
    ///   - text: The text to scan.
    ///   - start: Where to begin.
    /// - Returns: The offset, or `text.count` if no byte needs escaping.
    /// - Complexity: O(*n*) in the bytes scanned, eight at a time.
    @inline(__always)
    static func firstEscapedByte(in text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        while index &+ 8 <= text.count {
            let mask = escapedBytes(in: load(text, at: index))
            if mask != 0 {
                return index &+ mask.trailingZeroBitCount &>> 3
            }
            index &+= 8
        }
        while index < text.count {
            let byte = text[index]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                return index
            }
            index &+= 1
        }
        return index
    }

    /// Reads up to eight bytes of text, the first in the lowest bits and zeros above the
    /// last, without reading past the end of the text.
    ///
    /// - Parameters:
    ///   - text: The text.
    ///   - offset: Where the first byte is.
    ///   - count: How many bytes to read, 0 to 8, all within the text.
    /// - Returns: The bytes as a word.
    @inline(__always)
    static func load(
        _ text: UnsafeBufferPointer<UInt8>, at offset: Int, count: Int
    ) -> UInt64 {
        if offset &+ 8 <= text.count {
            let shift = UInt64(truncatingIfNeeded: (8 &- count) &* 8)
            return count == 0 ? 0 : (load(text, at: offset) &<< shift) &>> shift
        }
        var word: UInt64 = 0
        var index = count
        while index > 0 {
            index &-= 1
            word = word << 8 | UInt64(text[offset &+ index])
        }
        return word
    }

    /// A digest of a run of bytes that equal runs share; runs of up to seven bytes have
    /// distinct digests.
    ///
    /// - Parameters:
    ///   - text: The text.
    ///   - start: The offset of the run's first byte.
    ///   - end: The offset just past the run.
    /// - Returns: The digest.
    @inline(__always)
    static func fingerprint(
        _ text: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int
    ) -> UInt64 {
        let count = end &- start
        let length = UInt64(truncatingIfNeeded: count) << 56
        if count <= 8 {
            return load(text, at: start, count: count) ^ length
        }
        // Longer runs: the first and last eight bytes, which overlap for short ones.
        let first = load(text, at: start, count: 8)
        let last = load(text, at: end &- 8, count: 8)
        return first ^ (last << 29 | last >> 35) ^ length
    }

    /// Whether two runs of bytes of the same length are equal, comparing eight at a time.
    ///
    /// - Parameters:
    ///   - a: The text holding the first run.
    ///   - aStart: The offset of the first run.
    ///   - b: The text holding the second run.
    ///   - bStart: The offset of the second run.
    ///   - count: The length of both runs.
    /// - Returns: True if every byte is the same.
    @inline(__always)
    static func equal(
        _ a: UnsafeBufferPointer<UInt8>, _ aStart: Int,
        _ b: UnsafeBufferPointer<UInt8>, _ bStart: Int, count: Int
    ) -> Bool {
        var offset = 0
        while offset &+ 8 <= count {
            guard load(a, at: aStart &+ offset) == load(b, at: bStart &+ offset) else {
                return false
            }
            offset &+= 8
        }
        let rest = count &- offset
        return load(a, at: aStart &+ offset, count: rest)
            == load(b, at: bStart &+ offset, count: rest)
    }

    /// Whether one run of bytes sorts strictly before another in byte order.
    ///
    /// - Parameters:
    ///   - a: The text holding the first run.
    ///   - aStart: The offset of the first run.
    ///   - aEnd: The offset just past the first run.
    ///   - b: The text holding the second run.
    ///   - bStart: The offset of the second run.
    ///   - bEnd: The offset just past the second run.
    /// - Returns: True if the first run is a proper prefix of the second or is less at the
    ///   first byte where they differ.
    @inline(__always)
    static func precedes(
        _ a: UnsafeBufferPointer<UInt8>, from aStart: Int, to aEnd: Int,
        _ b: UnsafeBufferPointer<UInt8>, from bStart: Int, to bEnd: Int
    ) -> Bool {
        let aCount = aEnd &- aStart
        let bCount = bEnd &- bStart
        let common = Swift.min(aCount, bCount)
        var offset = 0
        while true {
            let count = Swift.min(common &- offset, 8)
            // Byte-swapped, the first byte is the most significant.
            let x = load(a, at: aStart &+ offset, count: count).byteSwapped
            let y = load(b, at: bStart &+ offset, count: count).byteSwapped
            if x != y {
                return x < y
            }
            offset &+= 8
            if offset >= common {
                return aCount < bCount
            }
        }
    }
}
