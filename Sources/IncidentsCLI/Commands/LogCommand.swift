import CommandLineKit
import IncidentLedger
import Interchange

extension Command {
    /// `incidents log`: every record in order, optionally filtered.
    static let log = Command(
        spec: CommandSpec(
            name: "log", summary: "Print the log in order, optionally filtered",
            discussion: "Prints records in position order. With --json, prints each selected "
                + "record's stored bytes exactly, one per line: the whole log with --json and "
                + "no filter is the export that tools/ledger-check.py verifies. Time filters "
                + "apply to when events happened (at).",
            options: [
                OptionSpec("incident", value: "ID", help: "Only this incident's events"),
                OptionSpec(
                    "type", value: "TYPE", help: "Only events of this type",
                    allowed: EventType.allCases.map(\.rawValue)),
                OptionSpec("actor", value: "NAME", help: "Only events by this actor"),
                OptionSpec("since", value: "TIME", help: "Only events at or after TIME"),
                OptionSpec("until", value: "TIME", help: "Only events before TIME"),
                OptionSpec("from", value: "POSITION", help: "Start at this position"),
            ],
            examples: [
                "incidents log --json > ledger.ndjson",
                "incidents log --type resolved --since 2026-03-01T00:00:00Z",
            ]
        ).withCommonOptions(json: true)
    ) { arguments, context in
        let filter = try RecordFilter(arguments)
        let from = try arguments.wholeNumber("from", minimum: 1) ?? 1
        let json = arguments.flag("json")
        let ledger = try context.openLedger(.readOnly)
        let out = context.out
        if !json {
            let columns = [("POS", 9), ("AT", 26), ("INCIDENT", 17), ("TYPE", 17), ("ACTOR", 13)]
            let header = columns.map { $0.0.padding(to: $0.1) }.joined(separator: " ")
            out.line(context.terminal.bold(header + " DETAILS"))
        }
        try ledger.forEachRecord(from: from) { position, bytes in
            if json, filter.isEmpty {
                out.write(bytes: bytes)
                out.line()
                return true
            }
            let record: Record
            do {
                record = try EventDecoder.decodeRecord(ArraySlice(bytes))
            } catch let error as EventError {
                throw LedgerError.corrupt(position: position, reason: error.description)
            }
            guard filter.matches(record.event) else { return true }
            if json {
                out.write(bytes: bytes)
                out.line()
            } else {
                let event = record.event
                out.line(
                    "\(position)".padding(to: 9) + " " + event.at.text.padding(to: 26) + " "
                        + (event.type.isLedgerLevel ? "-" : event.incident).padding(to: 17) + " "
                        + event.type.rawValue.padding(to: 17) + " " + event.actor.padding(to: 13)
                        + " " + describe(event.data))
            }
            return true
        }
        return .success
    }
}

/// The selection `log` makes by incident, type, actor and time.
struct RecordFilter {
    var incident: String?
    var type: EventType?
    var actor: String?
    var since: Timestamp?
    var until: Timestamp?

    init(_ arguments: ParsedArguments) throws {
        incident = arguments.value("incident")
        type = arguments.value("type").flatMap(EventType.init(rawValue:))
        actor = arguments.value("actor")
        since = try arguments.value("since").map { try parseTime($0, option: "since") }
        until = try arguments.value("until").map { try parseTime($0, option: "until") }
    }

    var isEmpty: Bool {
        incident == nil && type == nil && actor == nil && since == nil && until == nil
    }

    func matches(_ event: Event) -> Bool {
        if let incident, event.incident != incident { return false }
        if let type, event.type != type { return false }
        if let actor, event.actor != actor { return false }
        if let since, event.at < since { return false }
        if let until, event.at >= until { return false }
        return true
    }
}

/// Parses a time given on the command line, as a usage error when it is not RFC 3339.
func parseTime(_ text: String, option: String) throws -> Timestamp {
    do {
        return try Timestamp(parsing: text)
    } catch {
        throw UsageError("'--\(option)' must be an RFC 3339 time: \(error.message)")
    }
}
