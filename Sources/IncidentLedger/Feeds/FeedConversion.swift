import Interchange
import LedgerCrypto

/// What a feed's input (Alertmanager webhooks, PagerDuty log entries) became: the
/// interchange events to append, in order, each with the input line it came from or why
/// that part of the input was refused; and the parts left out on purpose, by kind.
///
/// The events go through `Ledger.append(_:options:)` like a plain import, so they meet
/// exactly the same field rules, lifecycle rules and all-or-nothing write.
public struct FeedConversion: Sendable {
    /// Each event, or the refusal of one input item, with its input line.
    public var items: [(line: Int, event: Result<Event, EventError>)] = []
    /// Input items not converted, by kind (e.g. `notify_log_entry`), with how many.
    public var skipped: [String: Int] = [:]

    /// No items yet.
    public init() {}

    /// How many input items were skipped, of every kind.
    public var skippedCount: Int { skipped.values.reduce(0, +) }

    /// The items as a batch for `Ledger.append(_:options:)`.
    public var batch: EventBatch {
        let items = items
        return EventBatch(count: items.count) { items[$0] }
    }

    mutating func append(_ event: Event, line: Int) {
        items.append((line, .success(event)))
    }

    mutating func refuse(_ error: EventError, line: Int) {
        items.append((line, .failure(error.line == nil ? error.at(line: line) : error)))
    }

    mutating func skip(_ kind: String) {
        skipped[kind, default: 0] += 1
    }
}

/// A feed's whole input, with what is needed to name the line of any byte in it.
struct FeedInput {
    let bytes: [UInt8]
    /// The offset of every newline, ascending.
    private let newlines: [Int]

    /// The deepest nesting read: deeper than events need, for the free-form details a
    /// source may carry (a PagerDuty trigger's channel, say).
    static let maximumDepth = 64

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        newlines = bytes.indices.filter { bytes[$0] == 0x0A }
    }

    /// The 1-based line that holds the byte at `offset`.
    /// - Complexity: O(log n) in the number of lines.
    func line(at offset: Int) -> Int {
        var low = 0
        var high = newlines.count
        while low < high {
            let middle = (low + high) / 2
            if newlines[middle] < offset { low = middle + 1 } else { high = middle }
        }
        return low + 1
    }

    /// The 1-based column of the byte at `offset` within its line.
    func column(at offset: Int) -> Int {
        let line = line(at: offset)
        let start = line == 1 ? 0 : newlines[line - 2] + 1
        return offset - start + 1
    }

    /// The line of a parsed value: where its first byte is.
    func line(of node: JSONNode, in document: JSONDocument) -> Int {
        line(at: document.source(node).startIndex)
    }

    /// The JSON documents of the input: the whole input when it is one JSON value (a
    /// file holding one document, however it is laid out), else one per non-blank line.
    /// - Returns: Each document, or why it is not valid JSON, with the line it starts on.
    func documents() -> [(line: Int, document: Result<JSONDocument, EventError>)] {
        let lines = NDJSONLines(bytes)
        guard lines.count > 0 else { return [] }
        let first = lines[0]
        do throws(JSONError) {
            return [(first.number, .success(try parse(bytes.indices)))]
        } catch let whole {
            guard lines.count > 1, (try? parse(first.range)) != nil else {
                return [(line(at: whole.offset), .failure(jsonError(whole, base: 0)))]
            }
        }
        return (0..<lines.count).map { index in
            let (range, number) = lines[index]
            do throws(JSONError) {
                return (number, .success(try parse(range)))
            } catch {
                return (number, .failure(jsonError(error, base: range.lowerBound)))
            }
        }
    }

    /// Parses the bytes in `range` as one JSON text.
    private func parse(_ range: Range<Int>) throws(JSONError) -> JSONDocument {
        try JSONDocument(parsing: bytes[range], maxDepth: FeedInput.maximumDepth)
    }

    private func jsonError(_ error: JSONError, base: Int) -> EventError {
        let offset = base + error.offset
        return EventError(
            line: line(at: offset), "invalid JSON at column \(column(at: offset)): \(error.message)"
        )
    }
}

/// A JSON object of a feed's input, its members found by name, with the path that error
/// messages give it (`alerts[2].labels`).
struct FeedObject {
    let document: JSONDocument
    let node: JSONNode
    let path: String
    private let members: [String: JSONNode]

    /// The object at `node`; nil when the value is not an object.
    init?(_ document: JSONDocument, _ node: JSONNode, path: String) {
        guard document.kind(node) == .object else { return nil }
        self.document = document
        self.node = node
        self.path = path
        var members: [String: JSONNode] = [:]
        document.forEachMember(of: node) { key, value in members[key] = value }
        self.members = members
    }

    /// The path of a member, for error messages.
    func field(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// The member's string; nil when absent or null.
    /// - Throws: `EventError` when it is another kind of value.
    func string(_ key: String) throws(EventError) -> String? {
        guard let value = members[key], document.kind(value) != .null else { return nil }
        guard document.kind(value) == .string else {
            throw EventError(field: field(key), "must be a string")
        }
        return document.string(value)
    }

    /// The member's string, which must be present and not empty.
    func requiredString(_ key: String) throws(EventError) -> String {
        guard let text = try string(key) else { throw EventError(field: field(key), "is missing") }
        guard !text.isEmpty else { throw EventError(field: field(key), "must not be empty") }
        return text
    }

    /// The member's object; nil when absent or null.
    func object(_ key: String) throws(EventError) -> FeedObject? {
        guard let value = members[key], document.kind(value) != .null else { return nil }
        guard let object = FeedObject(document, value, path: field(key)) else {
            throw EventError(field: field(key), "must be an object")
        }
        return object
    }

    /// The member's array elements; nil when absent or null.
    func array(_ key: String) throws(EventError) -> [JSONNode]? {
        guard let value = members[key], document.kind(value) != .null else { return nil }
        guard document.kind(value) == .array else {
            throw EventError(field: field(key), "must be an array")
        }
        return document.elements(of: value)
    }

    /// The member's string, found along a path of objects (`service`, `summary`).
    func string(at keys: String...) throws(EventError) -> String? {
        var object = self
        for key in keys.dropLast() {
            guard let inner = try object.object(key) else { return nil }
            object = inner
        }
        return try keys.last.flatMap { key throws(EventError) in try object.string(key) }
    }
}

extension EventID {
    /// The namespace of the ids that feeds derive: a fixed, random UUID.
    static let feedNamespace = EventID(high: 0x9a8a_f4ee_d16c_4804, low: 0xb819_da69_8bd2_920d)

    /// A name-based id: a version 8 UUID of RFC 9562 made from SHA-256, so that the same
    /// name always gives the same id. Its 16 bytes are the first 16 of
    /// SHA-256(namespace's 16 bytes ‖ the name's UTF-8), with the version nibble set to 8
    /// and the variant bits to 10.
    /// - Parameters:
    ///   - name: What the id stands for, e.g. `alertmanager/AM-.../detected`.
    ///   - hasher: A SHA-256 hasher.
    /// - Returns: The id.
    static func named(_ name: String, hasher: SHA256Hasher) -> EventID {
        let digest = hasher.digest(feedNamespace.bytes + Array(name.utf8)).bytes
        let high = digest[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        let low = digest[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
        return EventID(
            high: high & ~0xF000 | 0x8000, low: low & ~(0xC000 << 48) | (0x8000 << 48))
    }
}
