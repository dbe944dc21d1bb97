/// The shape of a field's value in an event's `data`.
public enum FieldKind: Sendable, Equatable {
    /// A name or reference: 1 to 256 characters, no control characters.
    case name
    /// Free text: 1 to 16,384 bytes, tabs and newlines allowed.
    case text
    /// One of a fixed set of words.
    case choice([String])
    /// `true` or `false`.
    case flag
    /// An array of names.
    case names
    /// An RFC 3339 instant.
    case time
    /// A calendar date, `YYYY-MM-DD`.
    case date
    /// The fields of another event's data (the `data` of a `corrected` event).
    case correction
    /// The id of another event.
    case eventID
    /// A whole number from 0 (only in ledger-level records).
    case wholeNumber
    /// A SHA-256 digest: 64 lower-case hexadecimal digits.
    case digest
    /// An object of names under some of these keys (an export's filters).
    case labels([String])
}

/// One field an event type's `data` may carry.
public struct FieldSpec: Sendable {
    /// The field's name in `data`.
    public var name: String
    /// What its value must be.
    public var kind: FieldKind
    /// Whether the field must be present.
    public var isRequired: Bool
    /// One line saying what it means, for `--help`.
    public var help: String
    /// The name as static UTF-8, for finding the field in a JSON object without making
    /// a `String` of every key.
    let key: StaticString
}

/// The data fields each event type takes: the single table that validation, the
/// canonical writer and the command-line verbs all read.
public enum EventSchema {
    /// Severity names, worst first.
    public static let severities = Severity.allCases.map(\.rawValue)
    /// Where a detection came from.
    public static let sources = ["monitoring", "user-report", "log", "other"]
    /// How far an incident reaches.
    public static let scopes = ["single-process", "multi-process"]
    /// Root-cause categories.
    public static let categories = [
        "code-change", "config", "scheduled-job", "dependency", "capacity", "data", "other",
    ]
    /// Mitigation actions.
    public static let actions = ["rollback", "patch", "restart", "feature-flag", "other"]
    /// The formats of an audit export.
    public static let exportFormats = ["csv", "json", "ndjson"]
    /// The filters an audit export may name.
    public static let exportFilters = ["actor", "asOf", "incident", "process", "since", "until"]

    /// The fields of `type`'s data, in the order the schema lists them.
    /// - Parameter type: The event type.
    /// - Returns: Its field specifications.
    /// - Complexity: O(1), without allocating.
    public static func fields(of type: EventType) -> [FieldSpec] {
        table[type.ordinal]
    }

    /// The fields of `type`'s data in the byte order of their names, the order in which
    /// canonical JSON writes them.
    /// - Complexity: O(1), without allocating.
    static func fieldsInNameOrder(of type: EventType) -> [FieldSpec] {
        tableInNameOrder[type.ordinal]
    }

    /// The specification of one field of `type`, or nil when `type` has no such field.
    public static func field(_ name: String, of type: EventType) -> FieldSpec? {
        fields(of: type).first { $0.name == name }
    }

    private static func required(
        _ name: StaticString, _ kind: FieldKind, _ help: String
    ) -> FieldSpec {
        FieldSpec(name: "\(name)", kind: kind, isRequired: true, help: help, key: name)
    }

    private static func optional(
        _ name: StaticString, _ kind: FieldKind, _ help: String
    ) -> FieldSpec {
        FieldSpec(name: "\(name)", kind: kind, isRequired: false, help: help, key: name)
    }

    /// Each type's fields sorted by name, at the type's `ordinal`.
    private static let tableInNameOrder = table.map { fields in
        fields.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    /// Each type's fields, at the type's `ordinal`.
    private static let table: [[FieldSpec]] = {
        let severity = FieldKind.choice(severities)
        let specs: [EventType: [FieldSpec]] = [
            .detected: [
                optional("impactStartedAt", .time, "when the impact began (not after --at)"),
                required("process", .name, "the operational process affected"),
                required("severity", severity, "how bad it is"),
                optional("service", .name, "the service it concerns"),
                optional("source", .choice(sources), "how it was detected"),
                required("title", .text, "a short title"),
            ],
            .acknowledged: [],
            .assigned: [
                required("owner", .name, "who owns the incident"),
                optional("team", .name, "the owner's team"),
            ],
            .triaged: [
                optional("customerFacing", .flag, "whether customers are affected"),
                optional("processes", .names, "the processes involved"),
                optional("regulatory", .flag, "whether a regulatory duty is touched"),
                required("scope", .choice(scopes), "single- or multi-process"),
                optional("severity", severity, "the severity after triage"),
            ],
            .severityChanged: [
                optional("reason", .text, "why it changed"),
                required("severity", severity, "the new severity"),
            ],
            .escalated: [
                required("reason", .text, "why it was escalated"),
                optional("scope", .choice(scopes), "the scope it was escalated to"),
            ],
            .note: [required("text", .text, "the note")],
            .rootCause: [
                required("category", .choice(categories), "the kind of cause"),
                optional("change", .name, "the pull request or commit at fault"),
                required("summary", .text, "what the cause was"),
            ],
            .mitigated: [
                required("action", .choice(actions), "what stopped the impact"),
                optional("summary", .text, "what was done"),
            ],
            .resolved: [optional("summary", .text, "how it was resolved")],
            .reopened: [required("reason", .text, "why it was reopened")],
            .closed: [
                optional("whatHappened", .text, "after-action: what happened"),
                optional("whatWillChange", .text, "after-action: what will change"),
                optional("why", .text, "after-action: why it happened"),
            ],
            .notified: [
                optional("audience", .name, "who was told"),
                required("channel", .name, "where they were told"),
            ],
            .followUp: [
                optional("due", .date, "when it is due (YYYY-MM-DD)"),
                optional("owner", .name, "who will do it"),
                required("task", .name, "the task's id"),
                required("title", .text, "what is to be done"),
            ],
            .followUpDone: [required("task", .name, "the task's id")],
            .postmortem: [required("document", .name, "where the post-mortem is")],
            .corrected: [
                optional("at", .time, "the corrected time of that event"),
                optional("data", .correction, "the corrected fields of that event's data"),
                required("event", .eventID, "the id of the event corrected"),
                required("reason", .text, "why the correction was made"),
            ],
            .exported: [
                required("count", .wholeNumber, "how many records the export holds"),
                required("file", .name, "the export file's name"),
                required("filters", .labels(exportFilters), "the filters it was made with"),
                required("format", .choice(exportFormats), "the export's format"),
                required("headRoot", .digest, "the Merkle root of the head it was taken from"),
                required("headSize", .wholeNumber, "the tree size of that head"),
                required("sha256", .digest, "the SHA-256 of the export file"),
            ],
        ]
        var table = [[FieldSpec]](repeating: [], count: EventType.allCases.count)
        for (type, fields) in specs { table[type.ordinal] = fields }
        return table
    }()
}
