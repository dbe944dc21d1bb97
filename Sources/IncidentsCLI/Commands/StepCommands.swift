import CommandLineKit
import IncidentLedger
import Interchange

/// The lifecycle verbs (`detect`, `ack`, ... `correct`): one command per event type,
/// each made from the event schema so its flags are exactly the type's fields.
enum StepCommands {
    /// The verbs, in lifecycle order.
    static let verbs: [(verb: String, type: EventType, summary: String)] = [
        ("detect", .detected, "Record that an incident was detected (opens it)"),
        ("ack", .acknowledged, "Record that someone acknowledged the incident"),
        ("assign", .assigned, "Record who owns the incident"),
        ("triage", .triaged, "Record the incident's scope, severity and flags after triage"),
        ("severity", .severityChanged, "Record a change of severity"),
        ("escalate", .escalated, "Record an escalation beyond a single process"),
        ("note", .note, "Add a note to the incident's timeline"),
        ("root-cause", .rootCause, "Record the incident's root cause"),
        ("mitigate", .mitigated, "Record that the impact was stopped"),
        ("resolve", .resolved, "Record that the incident was resolved"),
        ("reopen", .reopened, "Reopen a resolved or closed incident"),
        ("close", .closed, "Close a resolved incident with its after-action note"),
        ("notify", .notified, "Record that people were notified"),
        ("follow-up", .followUp, "Open a follow-up task"),
        ("follow-up-done", .followUpDone, "Mark a follow-up task done"),
        ("postmortem", .postmortem, "Record where the post-mortem is"),
        ("correct", .corrected, "Correct an earlier event's time or fields (it stays stored)"),
    ]

    static let all: [Command] = verbs.map {
        command(verb: $0.verb, type: $0.type, summary: $0.summary)
    }

    /// `impactStartedAt` as a flag: `impact-started-at`.
    static func flagName(_ field: String) -> String {
        var name = ""
        for character in field {
            if character.isUppercase {
                name += "-" + character.lowercased()
            } else {
                name.append(character)
            }
        }
        return name
    }

    static func command(verb: String, type: EventType, summary: String) -> Command {
        var options: [OptionSpec] = []
        if type == .corrected {
            options = [
                OptionSpec(
                    "event", value: "ID", help: "The id of the event corrected", required: true),
                OptionSpec("reason", value: "TEXT", help: "Why it is corrected", required: true),
                OptionSpec(
                    "corrected-at", value: "TIME", help: "The event's corrected time (RFC 3339)"),
                OptionSpec(
                    "set", value: "FIELD=VALUE",
                    help: "A corrected field of the event's data; lists comma-separated, "
                        + "flags true or false", repeatable: true),
            ]
        } else {
            for field in EventSchema.fields(of: type) {
                options += fieldOptions(field)
            }
        }
        options += [
            OptionSpec("at", value: "TIME", help: "When it happened, RFC 3339 (default: now)"),
            OptionSpec("actor", value: "NAME", help: "Who did it (default: the current user)"),
            OptionSpec("id", value: "UUID", help: "The event's id (default: a new random one)"),
        ]
        let spec = CommandSpec(
            name: verb, summary: summary,
            discussion: "Appends one '\(type.rawValue)' event to the incident and prints its "
                + "position. The event is checked against the lifecycle rules first; a refused "
                + "event leaves the ledger unchanged.",
            positionals: [
                PositionalSpec("INCIDENT", help: "The incident's id (A-Z a-z 0-9 . _ -)")
            ],
            options: options,
            examples: examples[verb] ?? []
        ).withCommonOptions(json: true)
        return Command(spec: spec) { arguments, context in
            try run(type: type, arguments, context)
        }
    }

    private static func fieldOptions(_ field: FieldSpec) -> [OptionSpec] {
        let name = flagName(field.name)
        switch field.kind {
        case .flag:
            return [
                OptionSpec.flag(name, help: "Set: \(field.help)"),
                OptionSpec.flag("no-" + name, help: "Clear: \(field.help)"),
            ]
        case .choice(let words):
            return [
                OptionSpec(
                    name, value: valueName(field.kind), help: field.help.capitalizedFirst,
                    allowed: words, required: field.isRequired)
            ]
        case .names:
            return [
                OptionSpec(
                    name, value: "NAME", help: field.help.capitalizedFirst + " (repeat for each)",
                    repeatable: true, required: field.isRequired)
            ]
        default:
            return [
                OptionSpec(
                    name, value: valueName(field.kind), help: field.help.capitalizedFirst,
                    required: field.isRequired)
            ]
        }
    }

    private static func valueName(_ kind: FieldKind) -> String {
        switch kind {
        case .text: "TEXT"
        case .time: "TIME"
        case .date: "DATE"
        case .choice: "VALUE"
        case .eventID: "ID"
        default: "NAME"
        }
    }

    private static func run(
        type: EventType, _ arguments: ParsedArguments, _ context: Context
    ) throws -> ExitStatus {
        let event = try buildEvent(type: type, arguments)
        let ledger = try context.openLedger(.readWrite)
        let report: AppendReport
        do {
            report = try ledger.append(EventBatch(events: [event]))
        } catch {
            // One event from flags: a line number would only confuse.
            guard case .invalidInput(let errors) = error else { throw error }
            let unnumbered = errors.map { error in
                var copy = error
                copy.line = nil
                return copy
            }
            throw LedgerError.invalidInput(unnumbered)
        }
        guard let position = report.firstPosition else {
            context.out.line("already recorded: event \(event.id) is in the ledger (duplicate)")
            return .success
        }
        if arguments.flag("json") {
            if let bytes = try ledger.recordBytes(at: position) {
                context.out.write(bytes: bytes)
                context.out.line()
            }
        } else {
            context.out.line(
                "recorded \(type.rawValue) for \(event.incident) at position \(position) "
                    + "(event \(event.id))")
        }
        return .success
    }

    /// Builds the event from the command line, checking each field as an import would.
    static func buildEvent(type: EventType, _ arguments: ParsedArguments) throws -> Event {
        guard let incident = arguments.positional("INCIDENT") else {
            throw UsageError("missing INCIDENT")
        }
        var fields: [String: FieldValue] = [:]
        if type == .corrected {
            fields["event"] = arguments.value("event").map(FieldValue.string)
            fields["reason"] = arguments.value("reason").map(FieldValue.string)
            fields["at"] = arguments.value("corrected-at").map(FieldValue.string)
            var corrected: [String: FieldValue] = [:]
            for assignment in arguments.values("set") {
                guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex
                else {
                    throw UsageError("'--set' takes FIELD=VALUE, not '\(assignment)'")
                }
                let name = String(assignment[..<equals])
                let value = String(assignment[assignment.index(after: equals)...])
                corrected[name] = looseValue(value)
            }
            if !corrected.isEmpty { fields["data"] = .fields(EventData(corrected)) }
        } else {
            for field in EventSchema.fields(of: type) {
                let name = flagName(field.name)
                switch field.kind {
                case .flag:
                    if arguments.flag(name) { fields[field.name] = .flag(true) }
                    if arguments.flag("no-" + name) { fields[field.name] = .flag(false) }
                case .names:
                    let values = arguments.values(name)
                    if !values.isEmpty { fields[field.name] = .strings(values) }
                default:
                    if let value = arguments.value(name) { fields[field.name] = .string(value) }
                }
            }
        }
        return try EventBuilder.build(
            type: type, incident: incident, at: arguments.value("at"),
            actor: arguments.value("actor"), id: arguments.value("id"), fields: fields)
    }

    /// A `--set` value before it is typed against the corrected event's field.
    private static func looseValue(_ text: String) -> FieldValue {
        switch text {
        case "true": .flag(true)
        case "false": .flag(false)
        default:
            text.contains(",")
                ? .strings(text.split(separator: ",").map(String.init)) : .string(text)
        }
    }

    private static let examples: [String: [String]] = [
        "detect": [
            "incidents detect INC-7 --title 'Nightly export failed' --process nightly-export "
                + "--severity SEV3"
        ],
        "ack": ["incidents ack INC-7 --at 2026-03-02T09:20:00Z"],
        "assign": ["incidents assign INC-7 --owner alice --team data-platform"],
        "triage": ["incidents triage INC-7 --scope single-process --customer-facing"],
        "resolve": ["incidents resolve INC-7 --summary 'Re-ran the export'"],
        "close": [
            "incidents close INC-7 --what-happened 'Disk full' --why 'No alert on disk' "
                + "--what-will-change 'Alert at 80%'"
        ],
        "correct": [
            "incidents correct INC-7 --event 3b8f2a56-0c1e-4e8a-9a53-8d6f0f8f2c11 "
                + "--reason 'Wrong time' --corrected-at 2026-03-02T09:10:00Z"
        ],
    ]
}

extension String {
    /// The string with its first letter in upper case.
    var capitalizedFirst: String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}
