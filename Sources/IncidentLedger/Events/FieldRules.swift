import Glibc
import Interchange

/// The limits every string of the format obeys.
enum FieldRules {
    static let maximumNameCharacters = 256
    static let maximumTextBytes = 16_384
    static let maximumActorCharacters = 128
    static let maximumIncidentCharacters = 64

    /// Checks an incident id: 1 to 64 of `A-Z a-z 0-9 . _ -`.
    static func checkIncident(_ value: String) throws(EventError) {
        let utf8 = value.utf8
        guard !utf8.isEmpty, utf8.count <= maximumIncidentCharacters else {
            throw EventError(field: "incident", "must be 1 to 64 characters long")
        }
        let allowed =
            utf8.withContiguousStorageIfAvailable { $0.allSatisfy(isIncidentByte) }
            ?? utf8.allSatisfy(isIncidentByte)
        guard allowed else {
            throw EventError(
                field: "incident", "may hold only A-Z a-z 0-9 . _ -, not \(quoted(value))")
        }
    }

    /// Whether `byte` may be in an incident id: one bit per ASCII byte, `- . 0-9` among
    /// the first 64, `A-Z _ a-z` among the next.
    @inline(__always)
    static func isIncidentByte(_ byte: UInt8) -> Bool {
        let first64: UInt64 = 0x03FF_6000_0000_0000
        let next64: UInt64 = 0x07FF_FFFE_87FF_FFFE
        switch byte {
        case 0..<64: return first64 >> byte & 1 == 1
        case 64..<128: return next64 >> (byte - 64) & 1 == 1
        default: return false
        }
    }

    /// Checks a name or reference: 1 to `limit` characters, no control characters.
    static func checkName(
        _ value: String, field: String, limit: Int = maximumNameCharacters
    ) throws(EventError) {
        let utf8 = value.utf8
        guard !utf8.isEmpty else { throw EventError(field: field, "must not be empty") }
        if containsControl(utf8, allowingTabAndNewline: false) {
            throw EventError(field: field, "must not contain control characters")
        }
        // A character is at least one byte: only a long text needs counting.
        if utf8.count > limit, value.unicodeScalars.count > limit {
            throw EventError(field: field, "must be at most \(limit) characters long")
        }
    }

    /// Checks free text: 1 to 16,384 bytes, no control characters but tab and newline.
    static func checkText(_ value: String, field: String) throws(EventError) {
        let utf8 = value.utf8
        guard !utf8.isEmpty else { throw EventError(field: field, "must not be empty") }
        guard utf8.count <= maximumTextBytes else {
            throw EventError(field: field, "must be at most \(maximumTextBytes) bytes long")
        }
        if containsControl(utf8, allowingTabAndNewline: true) {
            throw EventError(
                field: field, "must not contain control characters other than tab and newline")
        }
    }

    /// Whether UTF-8 text holds a control character: C0 (below U+0020), DEL, or C1
    /// (U+0080 to U+009F, encoded as 0xC2 0x80 to 0xC2 0x9F).
    /// - Complexity: O(n) in bytes, without decoding.
    static func containsControl(_ utf8: String.UTF8View, allowingTabAndNewline: Bool) -> Bool {
        let found = utf8.withContiguousStorageIfAvailable { bytes in
            containsControl(bytes, allowingTabAndNewline: allowingTabAndNewline)
        }
        return found ?? scanForControl(utf8, allowingTabAndNewline: allowingTabAndNewline)
    }

    /// `containsControl(_:allowingTabAndNewline:)` over contiguous bytes: 8 bytes at a time
    /// while they are printable ASCII, then byte by byte.
    @inline(__always)
    private static func containsControl(
        _ bytes: UnsafeBufferPointer<UInt8>, allowingTabAndNewline: Bool
    ) -> Bool {
        var start = 0
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while start + 8 <= bytes.count {
                let word = raw.loadUnaligned(fromByteOffset: start, as: UInt64.self)
                if !isPrintableASCII(word) { break }
                start += 8
            }
        }
        return scanForControl(bytes[start...], allowingTabAndNewline: allowingTabAndNewline)
    }

    /// Whether all 8 bytes of `word` lie in 0x20 to 0x7E.
    @inline(__always)
    private static func isPrintableASCII(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        // A byte below 0x20 borrows into its high bit; 0x7F and above have it set after
        // adding 1 (a carry only comes from a byte that already has it set).
        let below20 = (word &- ones &* 0x20) & ~word & highBits
        let from7F = (word | (word &+ ones)) & highBits
        return below20 | from7F == 0
    }

    /// The byte-by-byte scan of `containsControl(_:allowingTabAndNewline:)`, from a byte
    /// that does not follow 0xC2.
    @inline(__always)
    private static func scanForControl<Bytes: Sequence<UInt8>>(
        _ utf8: Bytes, allowingTabAndNewline: Bool
    ) -> Bool {
        var afterC2 = false
        for byte in utf8 {
            if afterC2, byte >= 0x80, byte <= 0x9F { return true }
            afterC2 = byte == 0xC2
            if byte < 0x20 || byte == 0x7F {
                if allowingTabAndNewline, byte == 0x09 || byte == 0x0A { continue }
                return true
            }
        }
        return false
    }

    /// Whether `text` is exactly the UTF-8 bytes `bytes`.
    @inline(__always)
    static func equal(_ text: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        text.count == bytes.count && text.withUnsafeBufferPointer { equal($0, bytes) }
    }

    /// Whether `text`'s UTF-8 is exactly the bytes `bytes`.
    @inline(__always)
    static func equal(_ text: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var text = text
        return text.utf8.count == bytes.count && text.withUTF8 { equal($0, bytes) }
    }

    /// Whether two byte buffers hold the same bytes.
    @inline(__always)
    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard let first = a.baseAddress, let second = b.baseAddress else { return true }
        return memcmp(first, second, a.count) == 0
    }

    /// A value quoted for an error message, shortened when long.
    static func quoted(_ value: String) -> String {
        let shown = value.unicodeScalars.count > 40 ? String(value.prefix(37)) + "..." : value
        return "\"\(shown)\""
    }
}
