import Interchange

/// Which records an audit export holds: filters on the records, and the moment of the
/// ledger it is taken at.
public struct ExportSelection: Sendable {
    /// Only events that happened (`at`) at or after this time.
    public var since: Timestamp?
    /// Only events that happened (`at`) before this time.
    public var until: Timestamp?
    /// Only this incident's events.
    public var incident: String?
    /// Only events of incidents whose process, as of the export's head, is this.
    public var process: String?
    /// Only events by this actor.
    public var actor: String?
    /// Take the export as the ledger stood then; nil for now.
    public var asOf: AsOf?
    /// The filters as they were given, by name (the names of
    /// `EventSchema.exportFilters`): what the manifest and the ledger's record say.
    public var given: [String: String] = [:]

    /// Every record, now.
    public init() {}

    /// The selection the filters `given` by name make (`since`, `until`, `incident`,
    /// `process`, `actor`, `asOf`), as a manifest or the ledger's record states them.
    /// - Throws: `EventError` naming the filter that is unknown or malformed.
    public init(given: [String: String]) throws(EventError) {
        for name in given.keys where !EventSchema.exportFilters.contains(name) {
            throw EventError(field: name, "unknown filter")
        }
        self.given = given
        since = try given["since"].map { text throws(EventError) in
            try EventDecoder.timestamp(text, field: "since")
        }
        until = try given["until"].map { text throws(EventError) in
            try EventDecoder.timestamp(text, field: "until")
        }
        incident = given["incident"]
        process = given["process"]
        actor = given["actor"]
        if let text = given["asOf"] {
            if let position = UInt64(text) {
                asOf = .position(position)
            } else {
                asOf = .recorded(try EventDecoder.timestamp(text, field: "asOf"))
            }
        }
    }

    /// Whether the selection needs each incident's process.
    var needsProcesses: Bool { process != nil }

    /// Whether `event` is selected.
    /// - Parameters:
    ///   - event: A stored event.
    ///   - processes: Each incident's process at the export's head (empty unless
    ///     `needsProcesses`).
    func matches(_ event: Event, processes: [String: String]) -> Bool {
        if let since, event.at < since { return false }
        if let until, event.at >= until { return false }
        if let actor, event.actor != actor { return false }
        if let incident, event.type.isLedgerLevel || event.incident != incident { return false }
        if let process {
            guard !event.type.isLedgerLevel, processes[event.incident] == process else {
                return false
            }
        }
        return true
    }
}
