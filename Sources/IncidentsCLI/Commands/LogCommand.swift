import CommandLineKit
import IncidentLedger
import Interchange

extension Command {
    /// `incidents log`: every record in order, optionally filtered, or followed as it grows.
    static let log = Command(
        spec: CommandSpec(
            name: "log", summary: "Print the log in order, optionally filtered",
            discussion: "Prints records in position order. With --json, prints each selected "
                + "record's stored bytes exactly, one per line: the whole log with --json and "
                + "no filter is the export that tools/ledger-check.py verifies. Time filters "
                + "apply to when events happened (at).\n\n"
                + "With --follow, keeps printing records as they are appended, starting after "
                + "the current head, or after the position --from (or --after) gives, until "
                + "interrupted: "
                + "SIGINT or SIGTERM ends it with status 0 once the records read so far are "
                + "printed. It looks for new records every \(LogFollower.pollMilliseconds) ms "
                + "in a short read transaction and holds none while it waits. A consumer "
                + "that stops resumes with --from (or --after) and the last position it saw, "
                + "and misses nothing.",
            options: [
                OptionSpec("incident", value: "ID", help: "Only this incident's events"),
                OptionSpec(
                    "type", value: "TYPE", help: "Only events of this type",
                    allowed: EventType.allCases.map(\.rawValue)),
                OptionSpec("actor", value: "NAME", help: "Only events by this actor"),
                OptionSpec("since", value: "TIME", help: "Only events at or after TIME"),
                OptionSpec("until", value: "TIME", help: "Only events before TIME"),
                OptionSpec(
                    "from", value: "POSITION",
                    help: "Start at this position; with --follow, after it (the last one seen)"),
                OptionSpec(
                    "after", value: "POSITION", help: "Start after this position (0: the start)"),
                OptionSpec.flag(
                    "follow", short: "f", help: "Keep printing records as they are appended"),
            ],
            examples: [
                "incidents log --json > ledger.ndjson",
                "incidents log --type resolved --since 2026-03-01T00:00:00Z",
                "incidents log --follow --json",
                "incidents log --follow --json --from 1200",
            ]
        ).withCommonOptions(json: true)
    ) { arguments, context in
        let printer = RecordPrinter(
            filter: try RecordFilter(arguments), json: arguments.flag("json"), out: context.out)
        let from = try arguments.wholeNumber("from", minimum: 1)
        let after = try arguments.wholeNumber("after", minimum: 0)
        if from != nil, after != nil {
            throw UsageError("give '--from' or '--after', not both")
        }
        let ledger = try context.openLedger(.readOnly)
        // Past the last possible position there is nothing to print, however long one waits.
        // A follower resumes after the last position it saw, whichever option names it.
        let follow = arguments.flag("follow")
        let resumeAfter = follow ? (from ?? after) : after
        let start =
            try (follow ? nil : from) ?? resumeAfter.map { $0 < .max ? $0 + 1 : .max }
            ?? (follow ? ledger.head().position + 1 : 1)
        if !printer.json {
            printer.printHeader(bold: context.terminal.bold)
        }

        if arguments.flag("follow") {
            try LogFollower(ledger: ledger, printer: printer).follow(from: start)
            return .success
        }
        try ledger.forEachRecord(from: start) { position, bytes in
            try printer.print(position: position, bytes: bytes)
            return true
        }
        return .success
    }
}

/// Writes records as `log` shows them: the stored bytes with `--json`, else a table row.
struct RecordPrinter {
    let filter: RecordFilter
    let json: Bool
    let out: OutputStream

    static let columns = [
        ("POS", 9), ("AT", 26), ("INCIDENT", 17), ("TYPE", 17), ("ACTOR", 13),
    ]

    /// The table's header line, for the human view.
    func printHeader(bold: (String) -> String) {
        let header = Self.columns.map { $0.0.padding(to: $0.1) }.joined(separator: " ")
        out.line(bold(header + " DETAILS"))
    }

    /// Prints one record when the filter selects it.
    /// - Throws: `LedgerError.corrupt` when the stored bytes are not a record.
    func print(position: UInt64, bytes: UnsafeRawBufferPointer) throws {
        if json, filter.isEmpty {
            out.write(bytes: bytes)
            out.line()
            return
        }
        let record: Record
        do {
            record = try EventDecoder.decodeRecord(ArraySlice(bytes))
        } catch {
            throw LedgerError.corrupt(position: position, reason: error.description)
        }
        guard filter.matches(record.event) else { return }
        if json {
            out.write(bytes: bytes)
            out.line()
            return
        }
        let event = record.event
        out.line(
            "\(position)".padding(to: 9) + " " + event.at.text.padding(to: 26) + " "
                + (event.type.isLedgerLevel ? "-" : event.incident).padding(to: 17) + " "
                + event.type.rawValue.padding(to: 17) + " " + event.actor.padding(to: 13)
                + " " + Command.describe(event.data))
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
