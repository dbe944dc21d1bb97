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

    /// The envelope's members, found in one pass over the object.
    private struct EnvelopeNodes {
        var id, incident, type, at, actor, data: JSONNode?
        var position, prev, recordedAt, recordedBy: JSONNode?

        subscript(name: String) -> JSONNode? {
            switch name {
            case "id": id
            case "incident": incident
            case "type": type
            case "at": at
            case "actor": actor
            case "data": data
            case "position": position
            case "prev": prev
            case "recordedAt": recordedAt
            case "recordedBy": recordedBy
            default: nil
            }
        }
    }

    private static func decodeEnvelope(
        _ document: JSONDocument, asRecord: Bool
    ) throws(EventError) -> Envelope {
        var nodes = EnvelopeNodes()
        var unknown: String?
        document.forEachMember(of: document.root) { key, node in
            switch key {
            case "id": nodes.id = node
            case "incident": nodes.incident = node
            case "type": nodes.type = node
            case "at": nodes.at = node
            case "actor": nodes.actor = node
            case "data": nodes.data = node
            case "position" where asRecord: nodes.position = node
            case "prev" where asRecord: nodes.prev = node
            case "recordedAt" where asRecord: nodes.recordedAt = node
            case "recordedBy" where asRecord: nodes.recordedBy = node
            default: if unknown == nil { unknown = key }
            }
        }
        if let unknown {
            throw EventError(field: unknown, "unknown field")
        }

        func string(_ name: String) throws(EventError) -> String {
            guard let node = nodes[name] else { throw EventError(field: name, "is required") }
            guard document.kind(node) == .string else {
                throw EventError(field: name, "must be a string")
            }
            return document.string(node)
        }

        let typeText = try string("type")
        guard let type = EventType.named(typeText) else {
            throw EventError(
                field: "type", "unknown event type \(FieldRules.quoted(typeText))")
        }
        let incident = try string("incident")
        try FieldRules.checkIncident(incident)
        let actor = try string("actor")
        try FieldRules.checkName(actor, field: "actor", limit: FieldRules.maximumActorCharacters)
        let at = try timestamp(try string("at"), field: "at")

        let id: EventID
        if nodes.id != nil || asRecord {
            let text = try string("id")
            guard let parsed = EventID(text) else {
                throw EventError(field: "id", "must be a UUID (8-4-4-4-12 hex digits)")
            }
            id = parsed
        } else {
            id = EventID.random()
        }

        guard let dataNode = nodes.data else { throw EventError(field: "data", "is required") }
        let data = try decodeData(document, dataNode, fields: EventSchema.fields(of: type))
            .mapError { $0.under("data") }
            .get()
        if type == .corrected, data["at"] == nil, data["data"] == nil {
            throw EventError(field: "data", "a correction needs at least one of at and data")
        }

        var envelope = Envelope(
            event: Event(id: id, incident: incident, type: type, at: at, actor: actor, data: data))
        if asRecord {
            envelope.recordedBy = try string("recordedBy")
            envelope.recordedAt = try timestamp(try string("recordedAt"), field: "recordedAt")
            guard let prev = SHA256Digest(hex: try string("prev")) else {
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
        return envelope
    }

    /// Checks a data object against a type's fields.
    private static func decodeData(
        _ document: JSONDocument, _ node: JSONNode, fields: [FieldSpec]
    ) -> Result<EventData, EventError> {
        guard document.kind(node) == .object else {
            return .failure(EventError("must be an object"))
        }
        var data = EventData()
        var failure: EventError?
        document.forEachMember(of: node) { key, value in
            guard failure == nil else { return }
            guard let spec = fields.first(where: { $0.name == key }) else {
                failure = EventError(field: key, "unknown field for this event type")
                return
            }
            switch decodeValue(document, value, spec) {
            case .success(let decoded): data.set(key, decoded)
            case .failure(let error): failure = error
            }
        }
        if let failure { return .failure(failure) }
        for spec in fields where spec.isRequired && data[spec.name] == nil {
            return .failure(EventError(field: spec.name, "is required"))
        }
        return .success(data)
    }

    private static func decodeValue(
        _ document: JSONDocument, _ node: JSONNode, _ spec: FieldSpec
    ) -> Result<FieldValue, EventError> {
        let kind = document.kind(node)
        switch spec.kind {
        case .flag:
            guard kind == .bool else {
                return .failure(EventError(field: spec.name, "must be true or false"))
            }
            return .success(.flag(document.bool(node)))
        case .names:
            guard kind == .array else {
                return .failure(EventError(field: spec.name, "must be an array of strings"))
            }
            var names: [String] = []
            for element in document.elements(of: node) {
                guard document.kind(element) == .string else {
                    return .failure(EventError(field: spec.name, "must be an array of strings"))
                }
                names.append(document.string(element))
            }
            return Result { () throws(EventError) in try check(.strings(names), spec) }
        case .correction:
            guard kind == .object else {
                return .failure(EventError(field: spec.name, "must be an object"))
            }
            return decodeLooseData(document, node).map { .fields($0) }
                .mapError { $0.under(spec.name) }
        default:
            guard kind == .string else {
                return .failure(EventError(field: spec.name, "must be a string"))
            }
            return Result { () throws(EventError) in
                try check(.string(document.string(node)), spec)
            }
        }
    }

    /// Reads a correction's data without knowing yet which type it corrects: strings,
    /// flags and arrays of strings; `check(_:against:)` types it later.
    private static func decodeLooseData(
        _ document: JSONDocument, _ node: JSONNode
    ) -> Result<EventData, EventError> {
        var data = EventData()
        var failure: EventError?
        document.forEachMember(of: node) { key, value in
            guard failure == nil else { return }
            switch document.kind(value) {
            case .string: data.set(key, .string(document.string(value)))
            case .bool: data.set(key, .flag(document.bool(value)))
            case .array:
                let elements = document.elements(of: value)
                guard elements.allSatisfy({ document.kind($0) == .string }) else {
                    failure = EventError(field: key, "must be an array of strings")
                    return
                }
                data.set(key, .strings(elements.map { document.string($0) }))
            default:
                failure = EventError(field: key, "must be a string, a flag or a list of strings")
            }
        }
        if let failure { return .failure(failure) }
        if data.fields.isEmpty { return .failure(EventError("must name at least one field")) }
        return .success(data)
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
        case (.flag, .flag), (.correction, .fields):
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

extension Result where Failure == EventError {
    fileprivate func get() throws(EventError) -> Success {
        switch self {
        case .success(let value): value
        case .failure(let error): throw error
        }
    }
}
