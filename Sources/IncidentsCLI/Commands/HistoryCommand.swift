import CommandLineKit
import IncidentLedger

extension Command {
    /// `incidents history`: one incident's events in log order.
    static let history = Command(
        spec: CommandSpec(
            name: "history", summary: "List an incident's events in order",
            discussion: "Prints every event of the incident in log order with when it "
                + "happened (at) and when the ledger recorded it. A corrected event is "
                + "marked with the position of the correction; the stored event itself is "
                + "never changed. With --json, prints the stored records, one per line.",
            positionals: [PositionalSpec("INCIDENT", help: "The incident's id")],
            examples: ["incidents history INC-7"]
        ).withCommonOptions(json: true)
    ) { arguments, context in
        guard let incident = arguments.positional("INCIDENT") else {
            throw UsageError("missing INCIDENT")
        }
        let ledger = try context.openLedger(.readOnly)
        let records = try ledger.history(of: incident)
        guard !records.isEmpty else {
            throw CLIError(.missing, "no incident \(incident) in the ledger")
        }
        if arguments.flag("json") {
            for record in records {
                if let bytes = try ledger.recordBytes(at: record.position) {
                    context.out.write(bytes: bytes)
                    context.out.line()
                }
            }
            return .success
        }

        var correctedBy: [String: [UInt64]] = [:]
        for record in records where record.event.type == .corrected {
            if let target = record.event.data.string("event") {
                correctedBy[target, default: []].append(record.position)
            }
        }
        var table = Table(["POS", "AT", "RECORDED", "TYPE", "ACTOR", "DETAILS"])
        for record in records {
            let event = record.event
            var details = describe(event.data)
            if let corrections = correctedBy[event.id.description] {
                let list = corrections.map { "#\($0)" }.joined(separator: ", ")
                details = "[corrected by \(list)] " + details
            }
            table.add([
                "\(record.position)", event.at.text, record.recordedAt.text, event.type.rawValue,
                event.actor, details,
            ])
        }
        context.out.line(table.render(styleHeader: context.terminal.bold))
        return .success
    }

    /// An event's data as `name=value` pairs on one line.
    static func describe(_ data: EventData) -> String {
        data.fields.map { field in
            "\(field.name)=\(describe(field.value))"
        }.joined(separator: " ")
    }

    private static func describe(_ value: FieldValue) -> String {
        switch value {
        case .string(let text):
            let line = text.replacingNewlines
            return line.contains(" ") ? "\"\(line)\"" : line
        case .flag(let flag): return flag ? "true" : "false"
        case .strings(let names): return names.joined(separator: ",")
        case .time(let time): return time.text
        case .date(let date): return date.text
        case .fields(let nested): return "{\(describe(nested))}"
        case .integer(let number): return "\(number)"
        }
    }
}

extension String {
    /// The string with each newline or tab shown as a space, for one-line tables.
    var replacingNewlines: String {
        String(map { $0 == "\n" || $0 == "\t" || $0 == "\r\n" ? " " : $0 })
    }
}
