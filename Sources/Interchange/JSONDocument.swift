/// A strictly parsed JSON text: a flat tape of the values over the input bytes.
///
/// Parsing follows RFC 8259 to the letter and rejects what it leaves open or forbids:
/// invalid UTF-8, raw control characters in strings, lone surrogate escapes, duplicate keys
/// in an object, nesting deeper than a limit, and anything but whitespace after the value.
/// Strings and numbers are located and validated but not converted; a string becomes a
/// `String` only when ``string(_:)`` asks for it, and a number stays source text.
///
/// Nodes are read through the document that made them:
///
/// ```swift
/// let document = try JSONDocument(parsing: Array(#"{"type":"detected"}"#.utf8))
/// document.forEachMember(of: document.root) { key, value in
///     print(key, document.string(value))  // type detected
/// }
/// ```
public struct JSONDocument: Sendable {
    /// The parsed text; the tape's offsets count from its start index.
    let bytes: ArraySlice<UInt8>

    /// The values in document order; the root is the first.
    let tape: [JSONTapeEntry]

    /// Parses a JSON text.
    ///
    /// The bytes are kept, not copied: the document shares the array's storage.
    ///
    /// - Parameters:
    ///   - bytes: The complete text, UTF-8 encoded.
    ///   - maxDepth: The deepest nesting of objects and arrays allowed; the root container
    ///     is level 1.
    /// - Throws: `JSONError` at the first rule the text breaks, or if the text is longer
    ///   than 2 GiB.
    /// - Complexity: O(*n*) in the length of the text, with no recursion.
    public init(parsing bytes: ArraySlice<UInt8>, maxDepth: Int = 32) throws(JSONError) {
        guard !bytes.isEmpty else {
            throw JSONError(offset: 0, message: "empty input")
        }
        guard bytes.count <= JSONTapeEntry.maxTextLength else {
            throw JSONError(
                offset: JSONTapeEntry.maxTextLength,
                message: "text longer than \(JSONTapeEntry.maxTextLength) bytes")
        }
        self.bytes = bytes
        self.tape = try bytes.withUnsafeBufferPointer { input throws(JSONError) in
            try withUnsafeTemporaryAllocation(
                of: JSONParser.KeyMark.self, capacity: JSONParser.keyMarkCapacity
            ) { keyMarks throws(JSONError) in
                try JSONDocument.tape(of: input, maxDepth: maxDepth, keyMarks: keyMarks)
            }
        }
    }

    /// Parses a text into a tape.
    ///
    /// The parser fills the tape in place and stops when it runs short of room; the tape is
    /// then doubled, its entries are copied, and parsing resumes.
    ///
    /// - Parameters:
    ///   - input: The complete text.
    ///   - maxDepth: The deepest nesting allowed.
    ///   - keyMarks: Scratch memory for the parser.
    /// - Returns: The tape, with no unfilled entries.
    /// - Throws: `JSONError` at the first rule the text breaks.
    private static func tape(
        of input: UnsafeBufferPointer<UInt8>, maxDepth: Int,
        keyMarks: UnsafeMutableBufferPointer<JSONParser.KeyMark>
    ) throws(JSONError) -> [JSONTapeEntry] {
        var parser = JSONParser(maxDepth: maxDepth, keyMarks: keyMarks)
        var capacity = JSONParser.estimatedTapeSize(forByteCount: input.count)
        var tape: [JSONTapeEntry] = []
        while true {
            var failure: JSONError?
            var finished = false
            let filled = tape
            tape = [JSONTapeEntry](unsafeUninitializedCapacity: capacity) { entries, count in
                let copied = UnsafeMutableBufferPointer(rebasing: entries[..<filled.count])
                _ = copied.initialize(fromContentsOf: filled)
                do throws(JSONError) {
                    finished = try parser.parse(input, into: entries)
                } catch {
                    failure = error
                }
                count = parser.tapeCount
            }
            if let failure {
                throw failure
            }
            if finished {
                return tape
            }
            capacity *= 2
        }
    }

    /// Parses a JSON text.
    ///
    /// - Parameters:
    ///   - bytes: The complete text, UTF-8 encoded.
    ///   - maxDepth: The deepest nesting of objects and arrays allowed; the root container
    ///     is level 1.
    /// - Throws: `JSONError` at the first rule the text breaks.
    /// - Complexity: O(*n*) in the length of the text, with no recursion.
    public init(parsing bytes: [UInt8], maxDepth: Int = 32) throws(JSONError) {
        try self.init(parsing: bytes[...], maxDepth: maxDepth)
    }

    /// The text's one top-level value.
    public var root: JSONNode {
        JSONNode(index: 0)
    }

    /// The kind of a value.
    ///
    /// - Parameter node: A node of this document.
    /// - Returns: Whether it is an object, array, string, number, boolean or null.
    /// - Complexity: O(1).
    public func kind(_ node: JSONNode) -> JSONKind {
        tape[node.index].kind
    }

    /// The number of members of an object or elements of an array.
    ///
    /// - Parameter node: A node of this document.
    /// - Returns: The count, or 0 for a value that is not a container.
    /// - Complexity: O(1).
    public func count(_ node: JSONNode) -> Int {
        tape[node.index].count
    }

    /// Calls a closure with each member's key (decoded) and value, in document order.
    ///
    /// - Parameters:
    ///   - node: An object node of this document; for any other kind, `body` is not called.
    ///   - body: Called with each key and the node of its value.
    /// - Throws: Whatever `body` throws; iteration stops there.
    /// - Complexity: O(*m*) for *m* members, plus decoding each key.
    public func forEachMember(
        of node: JSONNode,
        _ body: (String, JSONNode) throws -> Void
    ) rethrows {
        let object = tape[node.index]
        guard object.kind == .object else { return }

        var key = node.index + 1
        for _ in 0..<object.count {
            let value = key + 1
            try body(string(JSONNode(index: key)), JSONNode(index: value))
            key = tape[value].next
        }
    }

    /// The elements of an array, in order.
    ///
    /// - Parameter node: An array node of this document.
    /// - Returns: The element nodes, or an empty array for any other kind.
    /// - Complexity: O(*m*) for *m* elements.
    public func elements(of node: JSONNode) -> [JSONNode] {
        let array = tape[node.index]
        guard array.kind == .array else { return [] }

        var elements: [JSONNode] = []
        elements.reserveCapacity(array.count)
        var element = node.index + 1
        for _ in 0..<array.count {
            elements.append(JSONNode(index: element))
            element = tape[element].next
        }
        return elements
    }

    /// The decoded text of a string, with its escapes resolved.
    ///
    /// - Parameter node: A string node of this document.
    /// - Returns: The text, or the empty string for any other kind.
    /// - Complexity: O(*n*) in the string's length.
    public func string(_ node: JSONNode) -> String {
        let entry = tape[node.index]
        guard entry.kind == .string else { return "" }

        return bytes.withUnsafeBufferPointer { input in
            let content = UnsafeBufferPointer(rebasing: input[(entry.start + 1)..<(entry.end - 1)])
            return JSONStringDecoder.string(content, hasEscapes: entry.hasEscapes)
        }
    }

    /// The value of a boolean.
    ///
    /// - Parameter node: A boolean node of this document.
    /// - Returns: True for `true`; false for `false` and for any other kind.
    /// - Complexity: O(1).
    public func bool(_ node: JSONNode) -> Bool {
        let entry = tape[node.index]
        return entry.kind == .bool && bytes[bytes.startIndex + entry.start] == UInt8(ascii: "t")
    }

    /// The exact source text of a value, quotes and brackets included.
    ///
    /// This is how a number is read: as the digits written, never converted.
    ///
    /// - Parameter node: A node of this document.
    /// - Returns: A slice of the parsed bytes.
    /// - Complexity: O(1).
    public func source(_ node: JSONNode) -> ArraySlice<UInt8> {
        let entry = tape[node.index]
        return bytes[(bytes.startIndex + entry.start)..<(bytes.startIndex + entry.end)]
    }
}
