import Glibc
import Interchange
import LedgerCrypto

/// Reads events and stored records from their JSON text, checking every field
/// against `EventSchema` and the format's string rules.
public enum EventDecoder {
    /// The longest line accepted, in bytes.
    public static let maximumLineBytes = 65_536

    /// Parses and checks one event as a client submits it.
    /// - Parameter bytes: One JSON object (one NDJSON line, without its newline).
    /// - Returns: The event; a missing `id` is given a random one.
    /// - Throws: `EventError` naming the field and the rule broken.
    /// - Complexity: O(n) in the line's length.
    public static func decodeEvent(_ bytes: ArraySlice<UInt8>) throws(EventError) -> Event {
        let document = try parse(bytes)
        let event = try decodeEnvelope(document, asRecord: false).event
        try checkEventRules(event)
        return event
    }

    /// Checks the rules that relate one event's fields to each other.
    /// - Parameter event: A decoded or newly built event.
    /// - Throws: `EventError` naming the field.
    public static func checkEventRules(_ event: Event) throws(EventError) {
        if event.type == .detected, let impact = event.data.time("impactStartedAt"),
            impact > event.at
        {
            throw EventError(field: "data.impactStartedAt", "must not be after at")
        }
    }

    /// Parses one stored record (see `Record`).
    /// - Parameter bytes: The record's bytes, as stored and exported.
    /// - Returns: The record.
    /// - Throws: `EventError` when the bytes are not a well-formed record.
    /// - Complexity: O(n) in the record's length.
    public static func decodeRecord(_ bytes: ArraySlice<UInt8>) throws(EventError) -> Record {
        let document = try parse(bytes)
        let envelope = try decodeEnvelope(document, asRecord: true)
        guard let position = envelope.position, let prev = envelope.prev,
            let recordedAt = envelope.recordedAt, let recordedBy = envelope.recordedBy
        else {
            throw EventError("a record needs position, prev, recordedAt and recordedBy")
        }
        return Record(
            position: position, prev: prev, recordedAt: recordedAt, recordedBy: recordedBy,
            event: envelope.event)
    }

    /// Parses the event of one stored record, leaving the fields the ledger added
    /// (`position`, `prev`, `recordedAt`, `recordedBy`) unread: what folding the log
    /// into projections needs, whose records `verify` checks whole.
    /// - Parameter bytes: The record's bytes, as stored and exported.
    /// - Returns: The event.
    /// - Throws: `EventError` when the bytes are not a well-formed record.
    /// - Complexity: O(n) in the record's length.
    public static func decodeStoredEvent(_ bytes: ArraySlice<UInt8>) throws(EventError) -> Event {
        let document = try parse(bytes)
        return try decodeEnvelope(document, asRecord: true, readsLedgerFields: false).event
    }

    private static func parse(_ bytes: ArraySlice<UInt8>) throws(EventError) -> JSONDocument {
        guard bytes.count <= maximumLineBytes else {
            throw EventError("line is longer than \(maximumLineBytes) bytes")
        }
        let document: JSONDocument
        do {
            document = try JSONDocument(parsing: bytes, maxDepth: 32)
        } catch {
            throw EventError("invalid JSON at byte \(error.offset + 1): \(error.message)")
        }
        guard document.kind(document.root) == .object else {
            throw EventError("an event must be a JSON object")
        }
        return document
    }

    private struct Envelope {
        var event: Event
        var position: UInt64?
        var prev: SHA256Digest?
        var recordedAt: Timestamp?
        var recordedBy: String?
    }

    /// The envelope's members.
    private struct EnvelopeNodes {
        var id, incident, type, at, actor, data: JSONNode?
        var position, prev, recordedAt, recordedBy: JSONNode?

        /// Finds the members in one pass over their keys as written, without making a
        /// `String` of any key; an object with any other key, or a key written with
        /// escapes, is read again by `init(decodingKeysOf:)`, which names it.
        init(_ document: JSONDocument, asRecord: Bool) throws(EventError) {
            var nodes = EnvelopeNodes()
            var unknown = false
            document.forEachMemberAsWritten(of: document.root) { key, node in
                guard let key, nodes.set(key, to: node, asRecord: asRecord) else {
                    unknown = true
                    return
                }
            }
            if unknown {
                self = try EnvelopeNodes(decodingKeysOf: document, asRecord: asRecord)
            } else {
                self = nodes
            }
        }

        private init() {}

        /// Sets the member whose key is `key` as written; false when no member has it.
        private mutating func set(
            _ key: UnsafeBufferPointer<UInt8>, to node: JSONNode, asRecord: Bool
        ) -> Bool {
            guard let base = key.baseAddress else { return false }
            func matches(_ name: StaticString) -> Bool {
                key.count == name.utf8CodeUnitCount && memcmp(base, name.utf8Start, key.count) == 0
            }
            switch key.count {
            case 2 where matches("id"): id = node
            case 2 where matches("at"): at = node
            case 4 where matches("type"): type = node
            case 4 where matches("data"): data = node
            case 5 where matches("actor"): actor = node
            case 8 where matches("incident"): incident = node
            case 4 where asRecord && matches("prev"): prev = node
            case 8 where asRecord && matches("position"): position = node
            case 10 where asRecord && matches("recordedAt"): recordedAt = node
            case 10 where asRecord && matches("recordedBy"): recordedBy = node
            default: return false
            }
            return true
        }

        /// Finds the members by their decoded keys, naming the first unknown one.
        private init(decodingKeysOf document: JSONDocument, asRecord: Bool) throws(EventError) {
            for (key, node) in EventDecoder.members(of: document.root, in: document) {
                switch key {
                case "id": id = node
                case "incident": incident = node
                case "type": type = node
                case "at": at = node
                case "actor": actor = node
                case "data": data = node
                case "position" where asRecord: position = node
                case "prev" where asRecord: prev = node
                case "recordedAt" where asRecord: recordedAt = node
                case "recordedBy" where asRecord: recordedBy = node
                default: throw EventError(field: key, "unknown field")
                }
            }
        }
    }

    private static func decodeEnvelope(
        _ document: JSONDocument, asRecord: Bool, readsLedgerFields: Bool = true
    ) throws(EventError) -> Envelope {
        let nodes = try EnvelopeNodes(document, asRecord: asRecord)

        let type = try eventType(document, nodes.type)
        let incident: String
        if type.isLedgerLevel {
            guard asRecord else {
                throw EventError(
                    field: "type",
                    "\(type.rawValue) records are written only by the ledger itself "
                        + "('incidents export'), never accepted as input")
            }
            guard nodes.incident == nil else {
                throw EventError(field: "incident", "a ledger-level record has no incident")
            }
            incident = ""
        } else {
            incident = try string(document, nodes.incident, field: "incident")
            try FieldRules.checkIncident(incident)
        }
        let actor = try string(document, nodes.actor, field: "actor")
        try FieldRules.checkName(actor, field: "actor", limit: FieldRules.maximumActorCharacters)
        let at = try timestamp(try string(document, nodes.at, field: "at"), field: "at")

        let id: EventID
        if nodes.id != nil || asRecord {
            id = try eventID(document, nodes.id)
        } else {
            id = EventID.random()
        }

        guard let dataNode = nodes.data else { throw EventError(field: "data", "is required") }
        let data: EventData
        do {
            data = try decodeData(document, dataNode, of: type)
        } catch {
            throw error.under("data")
        }
        if type == .corrected, data["at"] == nil, data["data"] == nil {
            throw EventError(field: "data", "a correction needs at least one of at and data")
        }

        var envelope = Envelope(
            event: Event(id: id, incident: incident, type: type, at: at, actor: actor, data: data))
        if asRecord, readsLedgerFields {
            try decodeLedgerFields(document, nodes, into: &envelope)
        }
        return envelope
    }

    /// Reads the fields the ledger adds to a stored record.
    private static func decodeLedgerFields(
        _ document: JSONDocument, _ nodes: EnvelopeNodes, into envelope: inout Envelope
    ) throws(EventError) {
        envelope.recordedBy = try string(document, nodes.recordedBy, field: "recordedBy")
        envelope.recordedAt = try timestamp(
            try string(document, nodes.recordedAt, field: "recordedAt"), field: "recordedAt")
        guard let prev = SHA256Digest(hex: try string(document, nodes.prev, field: "prev"))
        else {
            throw EventError(field: "prev", "must be 64 hexadecimal digits")
        }
        envelope.prev = prev
        guard let node = nodes.position, document.kind(node) == .number,
            let position = UInt64(String(decoding: document.source(node), as: UTF8.self)),
            position >= 1
        else {
            throw EventError(field: "position", "must be a whole number from 1")
        }
        envelope.position = position
    }

    /// The string member `node`, which must be present.
    private static func stringNode(
        _ node: JSONNode?, in document: JSONDocument, field: String
    ) throws(EventError) -> JSONNode {
        guard let node else { throw EventError(field: field, "is required") }
        guard document.kind(node) == .string else {
            throw EventError(field: field, "must be a string")
        }
        return node
    }

    /// The text of the string member `node`, which must be present.
    private static func string(
        _ document: JSONDocument, _ node: JSONNode?, field: String
    ) throws(EventError) -> String {
        document.string(try stringNode(node, in: document, field: field))
    }

    /// The envelope's `type`, matched on its bytes as written when it has no escapes.
    private static func eventType(
        _ document: JSONDocument, _ node: JSONNode?
    ) throws(EventError) -> EventType {
        let node = try stringNode(node, in: document, field: "type")
        if let type = withContentAsWritten(document, node, { EventType.named(utf8: $0) }) {
            return type
        }
        let text = document.string(node)
        guard let type = EventType.named(text) else {
            throw EventError(field: "type", "unknown event type \(FieldRules.quoted(text))")
        }
        return type
    }

    /// The envelope's `id`, parsed from its bytes as written when it has no escapes.
    private static func eventID(
        _ document: JSONDocument, _ node: JSONNode?
    ) throws(EventError) -> EventID {
        let node = try stringNode(node, in: document, field: "id")
        if let id = withContentAsWritten(document, node, { EventID(utf8: $0) }) {
            return id
        }
        guard let id = EventID(document.string(node)) else {
            throw EventError(field: "id", "must be a UUID (8-4-4-4-12 hex digits)")
        }
        return id
    }

    /// Checks a data object against a type's fields.
    private static func decodeData(
        _ document: JSONDocument, _ node: JSONNode, of type: EventType
    ) throws(EventError) -> EventData {
        guard document.kind(node) == .object else { throw EventError("must be an object") }
        let inNameOrder = EventSchema.fieldsInNameOrder(of: type)
        if let data = decodeDataInNameOrder(document, node, fields: inNameOrder) {
            return data
        }
        // Read again member by member, so that the error named is the first in the line.
        return try decodeDataInDocumentOrder(document, node, fields: EventSchema.fields(of: type))
    }

    /// The usual case: each field looked up by its key as written, in name order, so the
    /// data is built sorted. Nil when any key is unknown or written with escapes, or any
    /// field is missing or invalid.
    private static func decodeDataInNameOrder(
        _ document: JSONDocument, _ node: JSONNode, fields: [FieldSpec]
    ) -> EventData? {
        let count = document.count(node)
        var data = EventData(reservingCapacity: count)
        for index in fields.indices {
            guard let value = document.member(fields[index].key, of: node) else {
                if fields[index].isRequired { return nil }
                continue
            }
            guard let decoded = try? decodeValue(document, value, fields[index]) else {
                return nil
            }
            data.appendInOrder(fields[index].name, decoded)
        }
        return data.fields.count == count ? data : nil
    }

    /// Checks each member in the order written, then that required fields are present.
    private static func decodeDataInDocumentOrder(
        _ document: JSONDocument, _ node: JSONNode, fields: [FieldSpec]
    ) throws(EventError) -> EventData {
        var data = EventData()
        for (key, value) in members(of: node, in: document) {
            guard let spec = fields.first(where: { $0.name == key }) else {
                throw EventError(field: key, "unknown field for this event type")
            }
            data.set(key, try decodeValue(document, value, spec))
        }
        for spec in fields where spec.isRequired && data[spec.name] == nil {
            throw EventError(field: spec.name, "is required")
        }
        return data
    }

    private static func decodeValue(
        _ document: JSONDocument, _ node: JSONNode, _ spec: FieldSpec
    ) throws(EventError) -> FieldValue {
        let kind = document.kind(node)
        switch spec.kind {
        case .flag:
            guard kind == .bool else {
                throw EventError(field: spec.name, "must be true or false")
            }
            return .flag(document.bool(node))
        case .names:
            guard kind == .array else {
                throw EventError(field: spec.name, "must be an array of strings")
            }
            var names: [String] = []
            names.reserveCapacity(document.count(node))
            for element in document.elements(of: node) {
                guard document.kind(element) == .string else {
                    throw EventError(field: spec.name, "must be an array of strings")
                }
                names.append(document.string(element))
            }
            return try check(.strings(names), spec)
        case .correction:
            guard kind == .object else { throw EventError(field: spec.name, "must be an object") }
            do {
                return .fields(try decodeLooseData(document, node))
            } catch {
                throw error.under(spec.name)
            }
        case .choice(let words):
            guard kind == .string else { throw EventError(field: spec.name, "must be a string") }
            // The table's own word, when the bytes as written are one: no new `String`.
            let word = withContentAsWritten(document, node) { written in
                words.first { FieldRules.equal($0, written) }
            }
            if let word { return .string(word) }
            return try check(.string(document.string(node)), spec)
        case .wholeNumber:
            guard kind == .number,
                let number = UInt64(String(decoding: document.source(node), as: UTF8.self))
            else {
                throw EventError(field: spec.name, "must be a whole number from 0")
            }
            return .integer(number)
        case .labels(let keys):
            guard kind == .object else { throw EventError(field: spec.name, "must be an object") }
            var labels = EventData()
            for (key, value) in members(of: node, in: document) {
                guard keys.contains(key) else {
                    throw EventError(field: "\(spec.name).\(key)", "unknown field")
                }
                guard document.kind(value) == .string else {
                    throw EventError(field: "\(spec.name).\(key)", "must be a string")
                }
                let text = document.string(value)
                try FieldRules.checkName(text, field: "\(spec.name).\(key)")
                labels.set(key, .string(text))
            }
            return .fields(labels)
        case .eventID:
            guard kind == .string else { throw EventError(field: spec.name, "must be a string") }
            if let id = withContentAsWritten(document, node, { EventID(utf8: $0) }) {
                return .string(id.description)
            }
            return try check(.string(document.string(node)), spec)
        default:
            guard kind == .string else { throw EventError(field: spec.name, "must be a string") }
            return try check(.string(document.string(node)), spec)
        }
    }

    /// Reads a correction's data without knowing yet which type it corrects: strings,
    /// flags and arrays of strings; `check(_:against:)` types it later.
    private static func decodeLooseData(
        _ document: JSONDocument, _ node: JSONNode
    ) throws(EventError) -> EventData {
        var data = EventData()
        for (key, value) in members(of: node, in: document) {
            switch document.kind(value) {
            case .string: data.set(key, .string(document.string(value)))
            case .bool: data.set(key, .flag(document.bool(value)))
            case .array:
                let elements = document.elements(of: value)
                guard elements.allSatisfy({ document.kind($0) == .string }) else {
                    throw EventError(field: key, "must be an array of strings")
                }
                data.set(key, .strings(elements.map { document.string($0) }))
            default:
                throw EventError(field: key, "must be a string, a flag or a list of strings")
            }
        }
        if data.fields.isEmpty { throw EventError("must name at least one field") }
        return data
    }

    /// Calls `body` with a string's bytes as written between its quotes, escapes and all.
    @inline(__always)
    private static func withContentAsWritten<Result>(
        _ document: JSONDocument, _ string: JSONNode,
        _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        document.source(string).withUnsafeBufferPointer { quoted in
            body(UnsafeBufferPointer(rebasing: quoted.dropFirst().dropLast()))
        }
    }

    /// An object's members with their keys decoded, in the order written.
    private static func members(
        of node: JSONNode, in document: JSONDocument
    ) -> [(key: String, value: JSONNode)] {
        var members: [(key: String, value: JSONNode)] = []
        members.reserveCapacity(document.count(node))
        document.forEachMember(of: node) { key, value in members.append((key, value)) }
        return members
    }

    /// Checks and types a value against its field's specification.
    /// - Parameters:
    ///   - value: A string, flag or list as read from JSON (or from a command-line flag).
    ///   - spec: The field's specification.
    /// - Returns: The typed value (times and dates parsed).
    /// - Throws: `EventError` naming the field.
    static func check(_ value: FieldValue, _ spec: FieldSpec) throws(EventError) -> FieldValue {
        switch (spec.kind, value) {
        case (.name, .string(let text)):
            try FieldRules.checkName(text, field: spec.name)
            return value
        case (.text, .string(let text)):
            try FieldRules.checkText(text, field: spec.name)
            return value
        case (.choice(let words), .string(let text)):
            guard words.contains(text) else {
                let allowed = words.joined(separator: ", ")
                throw EventError(
                    field: spec.name, "must be one of \(allowed), not \(FieldRules.quoted(text))")
            }
            return value
        case (.eventID, .string(let text)):
            guard let id = EventID(text) else {
                throw EventError(field: spec.name, "must be an event id (a UUID)")
            }
            return .string(id.description)
        case (.time, .string(let text)):
            return .time(try timestamp(text, field: spec.name))
        case (.date, .string(let text)):
            do {
                return .date(try CivilDate(parsing: text))
            } catch {
                throw EventError(field: spec.name, "must be a date YYYY-MM-DD: \(error.message)")
            }
        case (.digest, .string(let text)):
            guard text.utf8.count == 64, SHA256Digest(hex: text)?.hex == text else {
                throw EventError(field: spec.name, "must be 64 lower-case hexadecimal digits")
            }
            return value
        case (.flag, .flag), (.correction, .fields), (.labels, .fields), (.wholeNumber, .integer):
            return value
        case (.names, .strings(let names)):
            for (index, name) in names.enumerated() {
                try FieldRules.checkName(name, field: "\(spec.name)[\(index)]")
            }
            return value
        case (.flag, _):
            throw EventError(field: spec.name, "must be true or false")
        case (.names, _):
            throw EventError(field: spec.name, "must be an array of strings")
        default:
            throw EventError(field: spec.name, "must be a string")
        }
    }

    /// Types a correction's data against the type of the event it corrects.
    /// - Parameters:
    ///   - data: The correction's loosely read data.
    ///   - type: The corrected event's type.
    /// - Returns: The data with every field checked and typed.
    /// - Throws: `EventError` with the field path under `data.data`.
    static func check(_ data: EventData, against type: EventType) throws(EventError) -> EventData {
        var typed = EventData()
        for field in data.fields {
            guard let spec = EventSchema.field(field.name, of: type) else {
                throw EventError(
                    field: "data.data.\(field.name)", "is not a field of \(type.rawValue) events")
            }
            do {
                typed.set(field.name, try check(field.value, spec))
            } catch {
                throw error.under("data.data")
            }
        }
        return typed
    }

    /// Parses an RFC 3339 timestamp, naming the field on failure.
    static func timestamp(_ text: String, field: String) throws(EventError) -> Timestamp {
        do {
            return try Timestamp(parsing: text)
        } catch {
            throw EventError(field: field, "must be an RFC 3339 time: \(error.message)")
        }
    }
}
