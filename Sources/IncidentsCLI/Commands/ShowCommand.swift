import CommandLineKit
import IncidentLedger
import Interchange

extension Command {
    /// `incidents show`: one incident's current facts.
    static let show = Command(
        spec: CommandSpec(
            name: "show", summary: "Show an incident's current facts",
            discussion: "Prints what the incident's events say now, with corrections "
                + "applied: status, severity, owner, the key times and the durations from "
                + "detection, root cause, after-action note, follow-ups and escalations.",
            positionals: [PositionalSpec("INCIDENT", help: "The incident's id")],
            options: [AsOfOption.spec],
            examples: [
                "incidents show INC-7", "incidents show INC-7 --json",
                "incidents show INC-7 --as-of 1200",
            ]
        ).withCommonOptions(json: true)
    ) { arguments, context in
        guard let incident = arguments.positional("INCIDENT") else {
            throw UsageError("missing INCIDENT")
        }
        let moment = try AsOfOption.parse(arguments)
        let ledger = try context.openLedger(.readOnly)
        let found =
            try moment.map { try ledger.state(of: incident, asOf: $0) }
            ?? ledger.state(of: incident)
        guard let state = found else {
            let when = arguments.value("as-of").map { " as of \($0)" } ?? ""
            throw CLIError(.missing, "no incident \(incident) in the ledger\(when)")
        }
        if arguments.flag("json") {
            var writer = CanonicalJSONWriter()
            writer.incident(state)
            context.out.write(bytes: writer.bytes)
            context.out.line()
        } else {
            context.out.line(describe(state, context.terminal))
        }
        return .success
    }

    private static func describe(_ state: IncidentState, _ terminal: Terminal) -> String {
        var rows: [(String, String)] = [
            ("status", state.status.rawValue),
            ("title", state.title),
            ("process", state.process),
            (
                "severity",
                state.severity.rawValue
                    + (state.highestSeverity < state.severity
                        ? " (was \(state.highestSeverity.rawValue))" : "")
            ),
        ]
        func add(_ label: String, _ value: String?) {
            if let value { rows.append((label, value)) }
        }
        func since(_ time: Timestamp?) -> String? {
            guard let time else { return nil }
            let seconds = (time.nanoseconds - state.detectedAt.nanoseconds) / 1_000_000_000
            return "\(time.text)  (+\(humanDuration(seconds: seconds)))"
        }
        add("owner", state.owner.map { owner in state.team.map { "\(owner) (\($0))" } ?? owner })
        add("scope", state.scope)
        if state.customerFacing { add("customer-facing", "yes") }
        if state.regulatory { add("regulatory", "yes") }
        add("source", state.source)
        add("service", state.service)
        add("impact started", state.impactStartedAt?.text)
        add("detected", state.detectedAt.text)
        add("acknowledged", since(state.firstAcknowledgedAt))
        add("mitigated", since(state.firstMitigatedAt))
        if let first = state.firstResolvedAt, first != state.resolvedAt {
            add("first resolved", since(first))
        }
        add("resolved", since(state.resolvedAt))
        add("closed", since(state.closedAt))
        if state.reopenCount > 0 { add("reopened", "\(state.reopenCount) times") }
        add(
            "root cause",
            state.rootCauseCategory.map { category in
                let summary = state.rootCauseSummary.map { ": \($0)" } ?? ""
                let change = state.changeReference.map { " (\($0))" } ?? ""
                return category + summary + change
            })
        add("what happened", state.whatHappened)
        add("why", state.why)
        add("what will change", state.whatWillChange)
        add("post-mortem", state.postmortem)
        for escalation in state.escalations {
            add("escalated", "\(escalation.at.text): \(escalation.reason)")
        }
        for followUp in state.followUps {
            let done = followUp.doneAt.map { "done \($0.text)" } ?? "open"
            let due = followUp.due.map { ", due \($0.text)" } ?? ""
            add("follow-up", "\(followUp.task): \(followUp.title) [\(done)\(due)]")
        }
        if state.correctionCount > 0 { add("corrections", "\(state.correctionCount)") }
        add(
            "events", "\(state.eventCount) (positions \(state.firstPosition)-\(state.lastPosition))"
        )

        let width = rows.map(\.0.count).max() ?? 0
        let heading = terminal.bold(state.incident)
        return
            ([heading]
            + rows.map { label, value in
                terminal.dim(label.padding(to: width)) + "  " + value
            }).joined(separator: "\n")
    }
}

extension String {
    /// The string padded with spaces to `width` characters.
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
