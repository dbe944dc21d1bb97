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
            assert(lastKeys.popLast() != nil, "endObject() without an open object")
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
        string(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// Writes a string value, escaping only what canonical JSON escapes.
    ///
    /// - Parameter value: The text.
    /// - Complexity: O(*n*) in the text's UTF-8 length.
    public mutating func string(_ value: String) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { appendEscaped($0) }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// Writes `true` or `false`.
    ///
    /// - Parameter value: The boolean.
    public mutating func bool(_ value: Bool) {
        separate()
        appendASCII(value ? "true" : "false")
        needsComma = true
    }

    /// Writes an integer in plain decimal, with a `-` if negative.
    ///
    /// - Parameter value: Any `Int64`, `Int64.min` included.
    public mutating func integer(_ value: Int64) {
        separate()
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
        }

        // Digits come out lowest first, so write them and then turn them around.
        let first = bytes.count
        var magnitude = value.magnitude
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[first...].reverse()
        needsComma = true
    }

    /// Writes a comma if a value or member came before in the same container.
    @inline(__always)
    private mutating func separate() {
        if needsComma {
            bytes.append(UInt8(ascii: ","))
        }
    }

    /// Appends a string's UTF-8 content, escaping quotes, backslashes and control
    /// characters, and copying runs of other bytes whole.
    private mutating func appendEscaped(_ text: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        for index in text.indices {
            let byte = text[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
                continue
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<index]))
            appendEscape(for: byte)
            runStart = index + 1
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart...]))
    }

    /// Appends a literal's bytes.
    @inline(__always)
    private mutating func appendASCII(_ text: StaticString) {
        bytes.append(
            contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
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
