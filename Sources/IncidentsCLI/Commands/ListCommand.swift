import CommandLineKit
import IncidentLedger
import Interchange

extension Command {
    /// `incidents list`: incidents filtered by their current (or past) state.
    static let list = Command(
        spec: CommandSpec(
            name: "list", summary: "List incidents by their current state",
            discussion: "Lists the incidents whose kept state matches every filter given, "
                + "as a table or, with --json, as an array of the objects 'show --json' "
                + "prints. With --as-of, answers as the ledger would have at that position "
                + "or recorded time, replaying only the records up to it.",
            options: IncidentFilter.options + [
                OptionSpec("detected-since", value: "TIME", help: "Only detected at or after TIME"),
                OptionSpec("detected-until", value: "TIME", help: "Only detected before TIME"),
                OptionSpec(
                    "sort", value: "KEY", help: "Order of the rows (default: detected)",
                    allowed: ["detected", "incident", "severity", "process", "status"]),
                OptionSpec.flag("reverse", help: "Reverse the order"),
                OptionSpec("limit", value: "N", help: "Show at most N incidents"),
                AsOfOption.spec,
            ],
            examples: [
                "incidents list --status open",
                "incidents list --process nightly-export --sort detected --reverse --limit 10",
                "incidents list --as-of 2026-03-01T00:00:00Z --json",
            ]
        ).withCommonOptions(json: true)
    ) { arguments, context in
        let filter = try IncidentFilter(arguments)
        let limit =
            try arguments.wholeNumber("limit", minimum: 0).map { Int(clamping: $0) }
            ?? Int.max
        let moment = try AsOfOption.parse(arguments)
        let ledger = try context.openLedger(.readOnly)
        let order = arguments.value("sort") ?? "detected"
        let reverse = arguments.flag("reverse")
        let states: [IncidentState]
        let total: Int
        let statuses = Set(filter.statuses.compactMap(IncidentStatus.init(rawValue:)))
        if moment != nil || !statuses.isEmpty {
            // Past states are folded from the log; a status is read through its index.
            let selected = try ledger.states(asOf: moment, statuses: statuses)
                .filter(filter.matches)
            total = selected.count
            states = Array(sorted(selected, by: order, reverse: reverse).prefix(limit))
        } else {
            // Select, sort and cut on the small kept facts; read full states only for
            // the incidents shown.
            let selected = try ledger.facts(asOf: nil, where: filter.matches)
            total = selected.count
            let shown = sorted(selected, by: order, reverse: reverse).prefix(limit)
            states = try ledger.states(of: shown.map(\.incident))
        }
        let shown = states[...]

        if arguments.flag("json") {
            var writer = CanonicalJSONWriter(reservingCapacity: 1 << 16)
            writer.beginArray()
            for state in shown { writer.incident(state) }
            writer.endArray()
            context.out.write(bytes: writer.bytes)
            context.out.line()
            return .success
        }
        var table = Table(["INCIDENT", "STATUS", "SEV", "PROCESS", "OWNER", "DETECTED", "TITLE"])
        for state in shown {
            table.add([
                state.incident, state.status.rawValue, state.severity.rawValue, state.process,
                state.owner ?? "-", state.detectedAt.text, state.title.replacingNewlines,
            ])
        }
        context.out.line(table.render(styleHeader: context.terminal.bold))
        if shown.count < total {
            context.err.line("(\(total - shown.count) more; raise --limit to see them)")
        }
        return .success
    }

    /// Incidents in the order asked for, ties broken by detection time and id.
    private static func sorted<Incident: IncidentFactsView>(
        _ incidents: [Incident], by key: String, reverse: Bool
    ) -> [Incident] {
        func primary(_ incident: Incident) -> String {
            switch key {
            case "incident": incident.incident
            case "severity": incident.severity.rawValue
            case "process": incident.process
            case "status": incident.status.rawValue
            default: ""
            }
        }
        let ordered = incidents.sorted {
            (primary($0), $0.detectedNanoseconds, $0.incident)
                < (primary($1), $1.detectedNanoseconds, $1.incident)
        }
        return reverse ? ordered.reversed() : ordered
    }
}

/// The selection `list` and `stats` make by an incident's facts.
struct IncidentFilter {
    /// The options that select incidents, shared by every command that takes them.
    static let options: [OptionSpec] = [
        OptionSpec(
            "status", value: "STATUS", help: "Only incidents with this status",
            allowed: IncidentStatus.allCases.map(\.rawValue), repeatable: true),
        OptionSpec("process", value: "NAME", help: "Only this process", repeatable: true),
        OptionSpec(
            "severity", value: "SEV", help: "Only this current severity",
            allowed: EventSchema.severities, repeatable: true),
        OptionSpec("owner", value: "NAME", help: "Only incidents owned by NAME"),
        OptionSpec("team", value: "NAME", help: "Only incidents of this team"),
        OptionSpec(
            "scope", value: "SCOPE", help: "Only this scope", allowed: EventSchema.scopes),
        OptionSpec.flag("customer-facing", help: "Only customer-facing incidents"),
        OptionSpec.flag("regulatory", help: "Only incidents touching a regulatory duty"),
    ]

    var statuses: Set<String>
    var processes: Set<String>
    var severities: Set<String>
    var owner: String?
    var team: String?
    var scope: String?
    var customerFacing: Bool
    var regulatory: Bool
    var detectedSince: Timestamp?
    var detectedUntil: Timestamp?

    init(_ arguments: ParsedArguments) throws {
        statuses = Set(arguments.values("status"))
        processes = Set(arguments.values("process"))
        severities = Set(arguments.values("severity"))
        owner = arguments.value("owner")
        team = arguments.value("team")
        scope = arguments.value("scope")
        customerFacing = arguments.flag("customer-facing")
        regulatory = arguments.flag("regulatory")
        detectedSince = try arguments.value("detected-since").map {
            try parseTime($0, option: "detected-since")
        }
        detectedUntil = try arguments.value("detected-until").map {
            try parseTime($0, option: "detected-until")
        }
    }

    func matches(_ state: some IncidentFactsView) -> Bool {
        if !statuses.isEmpty, !statuses.contains(state.status.rawValue) { return false }
        if !processes.isEmpty, !processes.contains(state.process) { return false }
        if !severities.isEmpty, !severities.contains(state.severity.rawValue) { return false }
        if let owner, state.owner != owner { return false }
        if let team, state.team != team { return false }
        if let scope, state.scope != scope { return false }
        if customerFacing, !state.customerFacing { return false }
        if regulatory, !state.regulatory { return false }
        let detected = state.detectedNanoseconds
        if let detectedSince, detected < detectedSince.nanoseconds { return false }
        if let detectedUntil, detected >= detectedUntil.nanoseconds { return false }
        return true
    }
}

/// `--as-of POSITION|TIME`, shared by every command that can answer for the past.
enum AsOfOption {
    static let spec = OptionSpec(
        "as-of", value: "POSITION|TIME",
        help: "Answer as the ledger stood after this position, or at this recorded time "
            + "(RFC 3339); corrections recorded later do not apply")

    static func parse(_ arguments: ParsedArguments) throws -> AsOf? {
        guard let text = arguments.value("as-of") else { return nil }
        if let position = UInt64(text) { return .position(position) }
        do {
            return .recorded(try Timestamp(parsing: text))
        } catch {
            throw UsageError(
                "'--as-of' must be a position or an RFC 3339 time, not '\(text)' (\(error.message))"
            )
        }
    }
}
