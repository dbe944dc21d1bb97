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
}
