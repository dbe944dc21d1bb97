import Interchange
import LedgerCrypto

/// Turns the log entries of PagerDuty incidents, as PagerDuty's REST API returns them
/// (`{"log_entries": [...]}`), into incident events.
///
/// Each PagerDuty incident is one ledger incident, `PD-<incident.id>`. Entries become:
///
/// - `trigger_log_entry`, the earliest of its incident: `detected`, with the process
///   `service.summary`, the title `incident.summary` (else the entry's `summary`) and the
///   severity of the options;
/// - `acknowledge_log_entry`: `acknowledged`;
/// - `assign_log_entry`: `assigned`, the owner being the `assignees[].summary` joined by
///   `, `;
/// - `annotate_log_entry`: `note`, the text `channel.summary`, else `note`, else `summary`;
/// - `resolve_log_entry`: `resolved`, the summary being the entry's `summary`.
///
/// Every other entry type (`notify_log_entry`, `escalate_log_entry`, ...), a later
/// trigger of an incident already triggered, and an assignment to nobody are skipped and
/// counted by kind. The actor is `agent.summary`, else `pagerduty`; the time is
/// `created_at`. Entries are taken in time order whatever order the file lists them in
/// (the API lists the newest first by default). Each event id is
/// `EventID.named("pagerduty/<log entry id>")`, so importing the same entries twice
/// writes nothing the second time.
public enum PagerDutyFeed {
    /// The actor of an entry without an agent.
    public static let actor = "pagerduty"

    /// What the log entries do not say.
    public struct Options: Sendable {
        /// The severity of every incident (log entries carry none); default SEV3.
        public var severity = Severity.sev3

        /// The defaults.
        public init() {}
    }

    /// Converts the log entries of `input`: one JSON document per file, or one per line
    /// (pages of the API saved one per line).
    /// - Parameters:
    ///   - input: The whole input.
    ///   - options: The severity to give incidents.
    /// - Returns: The events in time order, and a refusal for each document or entry that
    ///   cannot be read, naming its line and field.
    /// - Throws: `CryptoError` when no SHA-256 hasher can be made.
    /// - Complexity: O(n log n) for n entries.
    public static func convert(
        _ input: [UInt8], options: Options = Options()
    ) throws -> FeedConversion {
        let hasher = try SHA256Hasher()
        let feed = FeedInput(input)
        var conversion = FeedConversion()
        var entries: [Entry] = []
        for (line, parsed) in feed.documents() {
            do throws(EventError) {
                let document = try parsed.get()
                guard let root = FeedObject(document, document.root, path: "") else {
                    throw EventError("a PagerDuty log entries document must be a JSON object")
                }
                guard let nodes = try root.array("log_entries") else {
                    throw EventError(
                        field: "log_entries",
                        "is missing: give what PagerDuty's API returns, {\"log_entries\": [...]}")
                }
                for (index, node) in nodes.enumerated() {
                    let entryLine = feed.line(of: node, in: document)
                    do throws(EventError) {
                        let entry = try Entry(
                            document, node, index: index, line: entryLine, order: entries.count)
                        if let entry {
                            entries.append(entry)
                        } else {
                            conversion.skip(try Entry.type(document, node, index: index))
                        }
                    } catch {
                        conversion.refuse(error, line: entryLine)
                    }
                }
            } catch {
                conversion.refuse(error, line: line)
            }
        }

        entries.sort { ($0.createdAt, $0.kind, $0.order) < ($1.createdAt, $1.kind, $1.order) }
        var triggered: Set<String> = []
        for entry in entries {
            if entry.kind == .trigger, !triggered.insert(entry.incident).inserted {
                conversion.skip("trigger_log_entry after the first of its incident")
                continue
            }
            do throws(EventError) {
                if let event = try entry.event(options: options, hasher: hasher) {
                    conversion.append(event, line: entry.line)
                } else {
                    conversion.skip("assign_log_entry without assignees")
                }
            } catch {
                conversion.refuse(error, line: entry.line)
            }
        }
        return conversion
    }

    /// The entry types converted, in the order that entries of the same instant are taken.
    enum Kind: Int, Comparable {
        case trigger, acknowledge, assign, annotate, resolve

        init?(_ type: String) {
            switch type {
            case "trigger_log_entry": self = .trigger
            case "acknowledge_log_entry": self = .acknowledge
            case "assign_log_entry": self = .assign
            case "annotate_log_entry": self = .annotate
            case "resolve_log_entry": self = .resolve
            default: return nil
            }
        }

        static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// One log entry of a converted type, read and checked.
    private struct Entry {
        let object: FeedObject
        let kind: Kind
        let id: String
        let createdAt: Timestamp
        let incident: String
        let line: Int
        /// Where it stood in the input, to keep the input's order among equals.
        let order: Int

        /// The entry at `node`; nil when its type is not one that is converted.
        init?(
            _ document: JSONDocument, _ node: JSONNode, index: Int, line: Int, order: Int
        ) throws(EventError) {
            guard let kind = Kind(try Entry.type(document, node, index: index)),
                let object = FeedObject(document, node, path: "log_entries[\(index)]")
            else { return nil }
            self.object = object
            self.kind = kind
            self.line = line
            self.order = order
            id = try object.requiredString("id")
            let created = try object.requiredString("created_at")
            do {
                createdAt = try Timestamp(parsing: created)
            } catch {
                throw EventError(
                    field: object.field("created_at"),
                    "must be an RFC 3339 time from 1970 to 2200: \(error.message)")
            }
            guard let incidentID = try object.string(at: "incident", "id"), !incidentID.isEmpty
            else {
                throw EventError(field: object.field("incident.id"), "is missing")
            }
            incident = "PD-\(incidentID)"
        }

        /// The entry's `type`.
        static func type(
            _ document: JSONDocument, _ node: JSONNode, index: Int
        ) throws(EventError) -> String {
            let path = "log_entries[\(index)]"
            guard let object = FeedObject(document, node, path: path) else {
                throw EventError(field: path, "must be an object")
            }
            return try object.requiredString("type")
        }

        /// The entry's event; nil for an assignment to nobody.
        func event(options: Options, hasher: SHA256Hasher) throws(EventError) -> Event? {
            let type: EventType
            var fields: [String: FieldValue] = [:]
            var origins: [String: String] = [:]
            switch kind {
            case .trigger:
                type = .detected
                guard let service = try object.string(at: "service", "summary") else {
                    throw EventError(
                        field: object.field("service.summary"),
                        "is missing: the process is the service's name")
                }
                fields["process"] = .string(service)
                origins["process"] = object.field("service.summary")
                fields["severity"] = .string(options.severity.rawValue)
                var title = try object.string(at: "incident", "summary")
                if title == nil { title = try object.string("summary") }
                guard let title else {
                    throw EventError(
                        field: object.field("incident.summary"),
                        "is missing, and so is summary: one of them is the title")
                }
                fields["title"] = .string(title)
                origins["title"] = object.field("incident.summary")
            case .acknowledge:
                type = .acknowledged
            case .assign:
                type = .assigned
                var names: [String] = []
                for (index, node) in (try object.array("assignees") ?? []).enumerated() {
                    let path = object.field("assignees[\(index)]")
                    guard let assignee = FeedObject(object.document, node, path: path),
                        let name = try assignee.string("summary")
                    else {
                        throw EventError(field: "\(path).summary", "is missing")
                    }
                    names.append(name)
                }
                guard !names.isEmpty else { return nil }
                fields["owner"] = .string(names.joined(separator: ", "))
                origins["owner"] = object.field("assignees")
            case .annotate:
                type = .note
                var text = try object.string(at: "channel", "summary")
                if text == nil { text = try object.string("note") }
                if text == nil { text = try object.string("summary") }
                guard let text else {
                    throw EventError(
                        field: object.field("channel.summary"),
                        "is missing, and so are note and summary: one of them is the note")
                }
                fields["text"] = .string(text)
                origins["text"] = object.field("channel.summary")
            case .resolve:
                type = .resolved
                if let summary = try object.string("summary"), !summary.isEmpty {
                    fields["summary"] = .string(summary)
                    origins["summary"] = object.field("summary")
                }
            }

            let agent = try object.string(at: "agent", "summary")
            let actor = agent ?? PagerDutyFeed.actor
            origins["actor"] = object.field("agent.summary")
            origins["incident"] = object.field("incident.id")
            origins["at"] = object.field("created_at")
            do {
                return try EventBuilder.build(
                    type: type, incident: incident, at: createdAt.text, actor: actor,
                    id: EventID.named("pagerduty/\(id)", hasher: hasher).description,
                    fields: fields)
            } catch {
                // Name the entry's field that the event's field came from.
                let field = error.field?.split(separator: ".").last.map(String.init)
                var located = error
                located.field = field.flatMap { origins[$0] } ?? object.path
                throw located
            }
        }
    }
}
