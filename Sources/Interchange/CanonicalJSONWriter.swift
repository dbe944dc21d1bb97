/// Appends canonical JSON to a byte buffer: RFC 8785 (the JSON Canonicalization Scheme)
/// restricted to strings, booleans, integers, arrays and objects.
///
/// The writer adds no whitespace and places commas and colons itself. It escapes only `"`,
/// `\` and control characters (`\b \t \n \f \r` by name, the others as `\u00xx` with
/// lower-case hex) and writes every other character as its UTF-8 bytes. The caller supplies
/// each object's keys in ascending byte order; debug builds check that.
///
/// ```swift
/// var writer = CanonicalJSONWriter()
/// writer.beginObject()
/// writer.key("at")
/// writer.string("2026-03-02T09:14:00Z")
/// writer.key("position")
/// writer.integer(1)
/// writer.endObject()
/// // writer.bytes: {"at":"2026-03-02T09:14:00Z","position":1}
/// ```
public struct CanonicalJSONWriter: Sendable {
    /// The canonical text written so far.
    public var bytes: [UInt8]

    /// Whether the next key or value needs a comma before it.
    private var needsComma = false

    #if DEBUG
        /// For each open object, the last key written, to check that keys ascend.
        private var lastKeys: [[UInt8]?] = []
    #endif

    /// Creates a writer with an empty buffer.
    ///
    /// - Parameter reservingCapacity: How many bytes to reserve up front.
    public init(reservingCapacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(reservingCapacity)
    }

    /// Empties the buffer, keeping its capacity, to write another text.
    ///
    /// - Complexity: O(1).
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = false
        #if DEBUG
            lastKeys.removeAll(keepingCapacity: true)
        #endif
    }

    /// Writes `{`, starting an object as the next value.
    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        #if DEBUG
            lastKeys.append(nil)
        #endif
    }

    /// Writes `}`, ending the innermost object.
    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
        #if DEBUG
            let closed = lastKeys.popLast()
            assert(closed != nil, "endObject() without an open object")
        #endif
    }

    /// Writes `[`, starting an array as the next value.
    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    /// Writes `]`, ending the innermost array.
    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes a member's key and the colon after it; the member's value comes next.
    ///
    /// - Parameter name: The key, greater in byte order than the object's previous key.
    /// - Complexity: O(*n*) in the key's length.
    public mutating func key(_ name: String) {
        #if DEBUG
            let utf8 = Array(name.utf8)
            if let previous = lastKeys.last, let previous {
                assert(
                    previous.lexicographicallyPrecedes(utf8),
                    "canonical JSON needs keys in ascending order: \"\(name)\" comes too late")
            }
            if !lastKeys.isEmpty {
                lastKeys[lastKeys.count - 1] = utf8
            }
        #endif
        appendQuoted(name, colonAfter: true)
        needsComma = false
    }

    /// Starts another top-level value after the bytes written so far, without a
    /// comma: for writing many records one after another into one buffer.
    public mutating func startNextValue() {
        needsComma = false
        #if DEBUG
            lastKeys.removeAll(keepingCapacity: true)
        #endif
    }

    /// Appends a string value given as UTF-8 bytes, escaped as canonical form requires.
    ///
    /// - Parameter text: Valid UTF-8.
    /// - Complexity: O(*n*) in the length of the text.
    public mutating func string(utf8 text: UnsafeBufferPointer<UInt8>) {
        appendQuoted(text, colonAfter: false)
        needsComma = true
    }

    /// Writes a string value, escaping only what canonical JSON escapes.
    ///
    /// - Parameter value: The text.
    /// - Complexity: O(*n*) in the text's UTF-8 length.
    public mutating func string(_ value: String) {
        appendQuoted(value, colonAfter: false)
        needsComma = true
    }

    /// Writes `true` or `false`.
    ///
    /// - Parameter value: The boolean.
    public mutating func bool(_ value: Bool) {
        switch (needsComma, value) {
        case (false, true): appendASCII("true")
        case (false, false): appendASCII("false")
        case (true, true): appendASCII(",true")
        case (true, false): appendASCII(",false")
        }
        needsComma = true
    }

    /// Writes an integer in plain decimal, with a `-` if negative.
    ///
    /// - Parameter value: Any `Int64`, `Int64.min` included.
    public mutating func integer(_ value: Int64) {
        // A comma, a sign and 19 digits at most; digits are made lowest first, from the end.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 21) { buffer in
            var start = buffer.count
            var magnitude = value.magnitude
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "-")
            }
            if needsComma {
                start -= 1
                buffer[start] = UInt8(ascii: ",")
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...]))
        }
        needsComma = true
    }

    /// Writes a comma if a value or member came before in the same container.
    @inline(__always)
    private mutating func separate() {
        if needsComma {
            bytes.append(UInt8(ascii: ","))
        }
    }

    /// Appends a literal's bytes.
    @inline(__always)
    private mutating func appendASCII(_ text: StaticString) {
        bytes.append(
            contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends a quoted, escaped string, with the comma before it and the colon after it
    /// when asked.
    private mutating func appendQuoted(_ text: String, colonAfter: Bool) {
        let written: Void? = text.utf8.withContiguousStorageIfAvailable {
            appendQuoted($0, colonAfter: colonAfter)
        }
        if written == nil {
            var contiguous = text
            contiguous.withUTF8 { appendQuoted($0, colonAfter: colonAfter) }
        }
    }

    /// Appends a quoted, escaped string given as UTF-8.
    ///
    /// A short string with nothing to escape, the usual case, is assembled on the stack and
    /// appended at once; anything else is appended in runs between escapes.
    private mutating func appendQuoted(_ text: UnsafeBufferPointer<UInt8>, colonAfter: Bool) {
        let firstEscape = ByteWord.firstEscapedByte(in: text, from: 0)
        guard firstEscape == text.count, text.count <= 240 else {
            separate()
            bytes.append(UInt8(ascii: "\""))
            appendEscaped(text, from: firstEscape)
            bytes.append(UInt8(ascii: "\""))
            if colonAfter {
                bytes.append(UInt8(ascii: ":"))
            }
            return
        }

        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: text.count + 4) { buffer in
            var end = 0
            if needsComma {
                buffer[end] = UInt8(ascii: ",")
                end += 1
            }
            buffer[end] = UInt8(ascii: "\"")
            end += 1
            if let source = text.baseAddress, let target = buffer.baseAddress {
                (target + end).update(from: source, count: text.count)
            }
            end += text.count
            buffer[end] = UInt8(ascii: "\"")
            end += 1
            if colonAfter {
                buffer[end] = UInt8(ascii: ":")
                end += 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<end]))
        }
    }

    /// Appends a string's content from its first byte that needs escaping, copying the runs
    /// between escapes whole.
    ///
    /// - Parameters:
    ///   - text: The string's UTF-8 bytes.
    ///   - firstEscape: The offset of its first byte that needs escaping.
    private mutating func appendEscaped(
        _ text: UnsafeBufferPointer<UInt8>, from firstEscape: Int
    ) {
        var runStart = 0
        var escape = firstEscape
        while escape < text.count {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<escape]))
            appendEscape(for: text[escape])
            runStart = escape + 1
            escape = ByteWord.firstEscapedByte(in: text, from: runStart)
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart...]))
    }

    /// Appends the escape sequence for one byte that must be escaped.
    private mutating func appendEscape(for byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        default:
            let hexDigits: StaticString = "0123456789abcdef"
            appendASCII("u00")
            bytes.append(hexDigits.utf8Start[Int(byte >> 4)])
            bytes.append(hexDigits.utf8Start[Int(byte & 0x0F)])
        }
    }
}

extension CanonicalJSONWriter {
    /// Appends a finite number in the shortest form that reads back to the same
    /// `Double` (Swift's own formatting, which JSON accepts: `12.5`, `1e-05`).
    ///
    /// For reports, not for records: the record format has no fractional numbers, and
    /// this form is not RFC 8785's for every value.
    /// - Parameter value: A finite number; infinities and NaN are written as 0.
    /// - Complexity: O(1).
    public mutating func number(_ value: Double) {
        separate()
        let text = value.isFinite ? value.description : "0"
        bytes.append(contentsOf: text.utf8)
        needsComma = true
    }
}
