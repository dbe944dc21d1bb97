import Interchange

/// A value in an event's `data`.
public enum FieldValue: Equatable, Sendable {
    /// A name, a reference, free text or one of a fixed set of words.
    case string(String)
    /// `true` or `false`.
    case flag(Bool)
    /// A list of names.
    case strings([String])
    /// An instant.
    case time(Timestamp)
    /// A calendar date.
    case date(CivilDate)
    /// Corrected fields of another event's data, or named strings (an export's filters).
    case fields(EventData)
    /// A whole number (a count or a size, in a ledger-level record).
    case integer(UInt64)
}

/// An event's `data`: named values, kept sorted by name as the canonical form
/// writes them.
public struct EventData: Equatable, Sendable {
    /// The fields, sorted by name, each name once.
    public private(set) var fields: [(name: String, value: FieldValue)]

    /// No fields.
    public init() {
        fields = []
    }

    /// No fields yet, with room for `capacity` of them.
    init(reservingCapacity capacity: Int) {
        fields = []
        fields.reserveCapacity(capacity)
    }

    /// Appends a field whose name sorts after every name already present.
    /// - Complexity: O(1) amortised.
    mutating func appendInOrder(_ name: String, _ value: FieldValue) {
        assert(fields.last.map { $0.name < name } ?? true, "fields must come in name order")
        fields.append((name, value))
    }

    /// Sets `name` to `value`, replacing any earlier value.
    /// - Complexity: O(n) in the number of fields (at most a handful).
    public mutating func set(_ name: String, _ value: FieldValue) {
        if let last = fields.last?.name, last < name {
            fields.append((name, value))
        } else if let index = fields.firstIndex(where: { $0.name >= name }) {
            if fields[index].name == name {
                fields[index].value = value
            } else {
                fields.insert((name, value), at: index)
            }
        } else {
            fields.append((name, value))
        }
    }

    /// The value of `name`, or nil when absent.
    public subscript(name: String) -> FieldValue? {
        fields.first { $0.name == name }?.value
    }

    /// The value of `name` when it is a string.
    public func string(_ name: String) -> String? {
        if case .string(let value)? = self[name] { return value }
        return nil
    }

    /// The value of `name` when it is a flag.
    public func flag(_ name: String) -> Bool? {
        if case .flag(let value)? = self[name] { return value }
        return nil
    }

    /// The value of `name` when it is an instant.
    public func time(_ name: String) -> Timestamp? {
        if case .time(let value)? = self[name] { return value }
        return nil
    }

    /// `other`'s fields laid over these: what a correction's `data` does.
    public func merging(_ other: EventData) -> EventData {
        var merged = self
        for field in other.fields { merged.set(field.name, field.value) }
        return merged
    }

    public static func == (lhs: EventData, rhs: EventData) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

/// One step of one incident, as a client submits it: the envelope of the
/// interchange format with its typed data.
public struct Event: Equatable, Sendable {
    /// The unique id, also the idempotency key.
    public var id: EventID
    /// The incident it belongs to; empty for a ledger-level record
    /// (`EventType.isLedgerLevel`), which belongs to none and is stored without the key.
    public var incident: String
    /// What kind of step it is.
    public var type: EventType
    /// When it happened in the world.
    public var at: Timestamp
    /// Who did it.
    public var actor: String
    /// The type's fields.
    public var data: EventData

    /// Creates an event.
    public init(
        id: EventID, incident: String, type: EventType, at: Timestamp, actor: String,
        data: EventData
    ) {
        self.id = id
        self.incident = incident
        self.type = type
        self.at = at
        self.actor = actor
        self.data = data
    }
}
