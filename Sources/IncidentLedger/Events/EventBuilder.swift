import Glibc
import Interchange

extension EventData {
    /// Data holding `fields`, sorted by name.
    public init(_ fields: [String: FieldValue]) {
        self.init()
        for (name, value) in fields { set(name, value) }
    }
}

/// Makes events from loose values (command-line flags), with exactly the checks an
/// imported line gets.
public enum EventBuilder {
    /// Builds and checks one event.
    /// - Parameters:
    ///   - type: The event type.
    ///   - incident: The incident's id.
    ///   - at: When it happened (RFC 3339); nil means now.
    ///   - actor: Who did it; nil means the current operating-system user.
    ///   - id: The event's id; nil means a new random one.
    ///   - fields: The data fields, as strings, flags and lists; times and dates are
    ///     parsed here.
    /// - Returns: The event.
    /// - Throws: `EventError` naming the field and the rule.
    public static func build(
        type: EventType, incident: String, at: String?, actor: String?, id: String?,
        fields: [String: FieldValue]
    ) throws(EventError) -> Event {
        try FieldRules.checkIncident(incident)
        let actor = actor ?? Ledger.currentUser()
        try FieldRules.checkName(actor, field: "actor", limit: FieldRules.maximumActorCharacters)
        let time =
            try at.map { text throws(EventError) in
                try EventDecoder.timestamp(text, field: "at")
            } ?? Timestamp(utcNanoseconds: Ledger.systemClock() * 1000, fractionDigits: 3)
        var eventID = EventID.random()
        if let id {
            guard let parsed = EventID(id) else {
                throw EventError(field: "id", "must be a UUID (8-4-4-4-12 hex digits)")
            }
            eventID = parsed
        }

        let specs = EventSchema.fields(of: type)
        var data = EventData()
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            guard let spec = specs.first(where: { $0.name == name }) else {
                throw EventError(field: "data.\(name)", "unknown field for \(type.rawValue) events")
            }
            do {
                data.set(name, try EventDecoder.check(value, spec))
            } catch {
                throw error.under("data")
            }
        }
        for spec in specs where spec.isRequired && data[spec.name] == nil {
            throw EventError(field: "data.\(spec.name)", "is required")
        }
        if type == .corrected, data["at"] == nil, data["data"] == nil {
            throw EventError(field: "data", "a correction needs at least one of at and data")
        }
        let event = Event(
            id: eventID, incident: incident, type: type, at: time, actor: actor, data: data)
        try EventDecoder.checkEventRules(event)
        return event
    }
}
