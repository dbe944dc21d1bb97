import Glibc
import Interchange

extension Ledger {
    /// The data of a canonical record, read straight from its bytes when it is a flat
    /// object of strings, times, dates and flags without escapes: what most events
    /// carry. Nil otherwise (an array, a nested object, an escaped string, a key the
    /// type does not have), and the full decoder then reads the record.
    ///
    /// Canonical form writes the members in the byte order of their names, the order
    /// of `EventSchema.fieldsInNameOrder`, so each key is matched against the type's
    /// fields in one pass, without making a `String` of it.
    /// - Parameters:
    ///   - bytes: The record.
    ///   - range: The bytes of its `data` object, braces included.
    ///   - type: The record's type.
    /// - Returns: The data, typed as the schema types it.
    /// - Complexity: O(n) in the data's length.
    static func canonicalData(
        _ bytes: UnsafeRawBufferPointer, in range: Range<Int>, of type: EventType
    ) -> EventData? {
        guard let base = bytes.baseAddress, range.count >= 2 else { return nil }
        let text = base.assumingMemoryBound(to: UInt8.self)
        let quote = UInt8(ascii: "\"")
        guard text[range.lowerBound] == UInt8(ascii: "{"),
            text[range.upperBound - 1] == UInt8(ascii: "}")
        else { return nil }

        let fields = EventSchema.fieldsInNameOrder(of: type)
        var data = EventData(reservingCapacity: fields.count)
        var next = 0
        var cursor = range.lowerBound + 1
        let end = range.upperBound - 1
        while cursor < end {
            // A key: a quoted name without escapes, then a colon.
            guard text[cursor] == quote else { return nil }
            let keyStart = cursor + 1
            let keyEnd = quoteOrBackslash(in: text, from: keyStart, to: end)
            guard keyEnd + 1 < end, text[keyEnd] == quote, text[keyEnd + 1] == UInt8(ascii: ":")
            else { return nil }
            let keyLength = keyEnd - keyStart
            while next < fields.count,
                fields[next].key.utf8CodeUnitCount != keyLength
                    || !ByteScan.holds(fields[next].key, at: base + keyStart)
            {
                next += 1
            }
            guard next < fields.count else { return nil }
            // The field is read in place: a copy of its spec would retain and release
            // each of its texts, for every member of every record.
            let field = next
            next += 1

            // A value: a string without escapes, or a flag.
            let valueStart = keyEnd + 2
            guard valueStart < end else { return nil }
            let value: FieldValue
            var valueEnd: Int
            if text[valueStart] == quote {
                valueEnd = quoteOrBackslash(in: text, from: valueStart + 1, to: end)
                guard valueEnd < end, text[valueEnd] == quote else { return nil }
                let utf8 = UnsafeBufferPointer(
                    start: text + valueStart + 1, count: valueEnd - valueStart - 1)
                valueEnd += 1
                switch fields[field].kind {
                case .name, .text, .choice, .eventID, .digest:
                    value = .string(String(decoding: utf8, as: UTF8.self))
                case .time:
                    // Read from the bytes: a time needs no `String` made first.
                    guard let time = try? Timestamp(parsing: utf8) else { return nil }
                    value = .time(time)
                case .date:
                    let string = String(decoding: utf8, as: UTF8.self)
                    guard let date = try? CivilDate(parsing: string) else { return nil }
                    value = .date(date)
                default:
                    return nil
                }
            } else if case .flag = fields[field].kind, literal("true", at: valueStart, in: bytes) {
                value = .flag(true)
                valueEnd = valueStart + 4
            } else if case .flag = fields[field].kind, literal("false", at: valueStart, in: bytes) {
                value = .flag(false)
                valueEnd = valueStart + 5
            } else {
                return nil
            }
            data.appendInOrder(fields[field].name, value)

            // Then a comma and the next member, or the end.
            if valueEnd == end { break }
            guard valueEnd < end, text[valueEnd] == UInt8(ascii: ",") else { return nil }
            cursor = valueEnd + 1
        }
        return data
    }

    /// Where the first quote or backslash in `text[start..<end]` is, or `end` when
    /// there is none: found eight bytes at a time in a word, then byte by byte.
    /// - Complexity: O(n) in the bytes stepped over.
    @inline(__always)
    static func quoteOrBackslash(
        in text: UnsafePointer<UInt8>, from start: Int, to end: Int
    ) -> Int {
        let lanes: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        var offset = start
        while offset + 8 <= end {
            let word = UInt64(
                littleEndian: UnsafeRawPointer(text + offset).loadUnaligned(as: UInt64.self))
            // A lane that is zero after the XOR held the byte; the lowest lane flagged
            // is the first such byte (a borrow can only flag lanes above it).
            let quotes = word ^ (lanes &* UInt64(UInt8(ascii: "\"")))
            let backslashes = word ^ (lanes &* UInt64(UInt8(ascii: "\\")))
            let found =
                ((quotes &- lanes) & ~quotes | (backslashes &- lanes) & ~backslashes) & high
            if found != 0 { return offset + found.trailingZeroBitCount >> 3 }
            offset += 8
        }
        while offset < end, text[offset] != UInt8(ascii: "\""),
            text[offset] != UInt8(ascii: "\\")
        {
            offset += 1
        }
        return offset
    }

    /// Whether `word` is written at `offset` in `bytes`.
    @inline(__always)
    private static func literal(
        _ word: StaticString, at offset: Int, in bytes: UnsafeRawBufferPointer
    ) -> Bool {
        guard let base = bytes.baseAddress, offset + word.utf8CodeUnitCount <= bytes.count
        else { return false }
        return memcmp(base + offset, word.utf8Start, word.utf8CodeUnitCount) == 0
    }
}
