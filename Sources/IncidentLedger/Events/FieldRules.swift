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
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "-"):
                continue
            default:
                throw EventError(
                    field: "incident", "may hold only A-Z a-z 0-9 . _ -, not \(quoted(value))")
            }
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

    /// A value quoted for an error message, shortened when long.
    static func quoted(_ value: String) -> String {
        let shown = value.unicodeScalars.count > 40 ? String(value.prefix(37)) + "..." : value
        return "\"\(shown)\""
    }
}
