import Interchange

/// Runs a policy's checks over incidents' states and names, for each breach, the
/// records that are its evidence.
struct PolicyChecker {
    /// The policy judged by.
    let policy: ReportPolicy
    /// The moment deadlines are judged at, in nanoseconds since the epoch.
    let now: Int64
    /// An incident's records up to the report's position, in log order.
    let history: (String) throws -> [Record]

    private static let day: Int64 = 86_400 * 1_000_000_000

    /// The findings over `selected`, by check, then detection, then incident.
    /// - Parameters:
    ///   - selected: The incidents of the report's period.
    ///   - all: Every incident at the report's position: follow-ups opened on any
    ///     incident of a process count for check 4.
    /// - Complexity: O(n log n), plus reading the records of the incidents found.
    func findings(selected: [IncidentState], all: [IncidentState]) throws -> [PolicyFinding] {
        let ordered = selected.sorted {
            ($0.detectedAt, $0.incident) < ($1.detectedAt, $1.incident)
        }
        var findings: [PolicyFinding] = []
        for state in ordered {
            for check in PolicyCheck.allCases where policy.enabled.contains(check) {
                findings += try incidentFindings(check, state)
            }
        }
        if policy.enabled.contains(.recurrenceFollowUp) {
            findings += recurrenceFindings(ordered, all: all)
        }
        let rank = Dictionary(
            ordered.enumerated().map { ($1.incident, $0) }, uniquingKeysWith: { first, _ in first })
        return findings.sorted {
            ($0.check.number, rank[$0.incident] ?? 0, $0.incident)
                < ($1.check.number, rank[$1.incident] ?? 0, $1.incident)
        }
    }

    /// The findings of one check about one incident (check 4 is across incidents).
    private func incidentFindings(
        _ check: PolicyCheck, _ state: IncidentState
    ) throws -> [PolicyFinding] {
        let resolved = state.status == .open ? nil : state.resolvedAt
        switch check {
        case .slowCustomerFacing:
            guard state.customerFacing, let resolved,
                policy.lowSeverities.contains(state.highestSeverity)
            else { return [] }
            let seconds = (resolved.nanoseconds - state.detectedAt.nanoseconds) / 1_000_000_000
            guard seconds > Int64(policy.slowResolutionMinutes) * 60 else { return [] }
            return [
                try finding(
                    check, state,
                    "customer-facing, resolved after \(ReportText.duration(seconds)) "
                        + "while \(state.highestSeverity.rawValue) at worst",
                    types: [.detected, .triaged, .severityChanged], lastOf: [.resolved])
            ]
        case .regulatoryPostmortem:
            guard state.regulatory, resolved != nil, state.postmortem == nil else { return [] }
            return [
                try finding(
                    check, state, "regulatory, resolved, and no post-mortem recorded",
                    types: [.triaged], lastOf: [.resolved])
            ]
        case .majorPostmortem:
            return try majorPostmortemFindings(state, resolved: resolved)
        case .recurrenceFollowUp:
            return []
        case .afterAction:
            guard state.status == .closed else { return [] }
            let missing = [
                ("what happened", state.whatHappened), ("why", state.why),
                ("what will change", state.whatWillChange),
            ].filter { $0.1 == nil }.map(\.0)
            guard !missing.isEmpty else { return [] }
            return [
                try finding(
                    check, state,
                    "closed without \(missing.joined(separator: ", ")) in its after-action note",
                    types: [], lastOf: [.closed])
            ]
        case .changeReference:
            guard let category = state.rootCauseCategory,
                policy.changeCategories.contains(category), state.changeReference == nil
            else { return [] }
            return [
                try finding(
                    check, state, "root cause \(category) names no change", types: [],
                    lastOf: [.rootCause])
            ]
        case .multiProcessEscalation:
            guard state.scope == "multi-process", state.escalations.isEmpty else { return [] }
            return [
                try finding(
                    check, state, "multi-process scope and never escalated", types: [],
                    lastOf: [.triaged])
            ]
        case .overdueFollowUp:
            let today = CivilDate(utcNanoseconds: now)
            return try state.followUps.filter { task in
                guard task.doneAt == nil, let due = task.due else { return false }
                return due < today
            }.map { task in
                try finding(
                    check, state,
                    "follow-up \(task.task) was due \(task.due?.text ?? "") and is not done",
                    positions: [task.position])
            }
        }
    }

    /// Check 3: a major incident whose post-mortem is missing after the deadline, or
    /// was recorded after it.
    private func majorPostmortemFindings(
        _ state: IncidentState, resolved: Timestamp?
    ) throws -> [PolicyFinding] {
        guard let resolved, policy.majorSeverities.contains(state.highestSeverity) else {
            return []
        }
        let deadline = resolved.nanoseconds + Int64(policy.postmortemDays) * PolicyChecker.day
        let level = state.highestSeverity.rawValue
        let days = policy.postmortemDays
        if let written = state.postmortemAt {
            guard written.nanoseconds > deadline else { return [] }
            return [
                try finding(
                    .majorPostmortem, state,
                    "\(level), post-mortem recorded \(written.text), more than \(days) days "
                        + "after resolution at \(resolved.text)",
                    types: [.detected, .triaged, .severityChanged],
                    lastOf: [.resolved, .postmortem])
            ]
        }
        guard now > deadline else { return [] }
        return [
            try finding(
                .majorPostmortem, state,
                "\(level), resolved \(resolved.text), no post-mortem after \(days) days",
                types: [.detected, .triaged, .severityChanged], lastOf: [.resolved])
        ]
    }

    /// Check 4: per process, the first incident that brings the process to the
    /// threshold within the window with no follow-up opened on any of its incidents
    /// at or after that incident's detection.
    private func recurrenceFindings(
        _ ordered: [IncidentState], all: [IncidentState]
    ) -> [PolicyFinding] {
        var lastFollowUp: [String: Int64] = [:]
        for state in all {
            for task in state.followUps {
                lastFollowUp[state.process] = max(
                    lastFollowUp[state.process] ?? .min, task.openedAt.nanoseconds)
            }
        }
        let window = Int64(policy.recurrenceDays) * PolicyChecker.day
        let threshold = policy.recurrenceIncidents
        var byProcess: [String: [IncidentState]] = [:]
        for state in ordered { byProcess[state.process, default: []].append(state) }

        var findings: [PolicyFinding] = []
        for (process, incidents) in byProcess {
            var first = 0
            for last in incidents.indices {
                let detected = incidents[last].detectedAt.nanoseconds
                while detected - incidents[first].detectedAt.nanoseconds > window { first += 1 }
                guard last - first + 1 >= threshold else { continue }
                if let followUp = lastFollowUp[process], followUp >= detected { continue }
                let cluster = incidents[(last - threshold + 1)...last]
                findings.append(
                    PolicyFinding(
                        check: .recurrenceFollowUp, incident: incidents[last].incident,
                        message: "\(process) reached \(threshold) incidents within "
                            + "\(policy.recurrenceDays) days ("
                            + cluster.map(\.incident).joined(separator: ", ")
                            + ") and no follow-up task was opened afterwards",
                        evidence: cluster.map(\.firstPosition).sorted()))
                break
            }
        }
        return findings
    }

    /// A finding whose evidence is the incident's records of `types`, the last record
    /// of each of `lastOf`, and the corrections of any of them.
    private func finding(
        _ check: PolicyCheck, _ state: IncidentState, _ message: String, types: Set<EventType>,
        lastOf: [EventType]
    ) throws -> PolicyFinding {
        let records = try history(state.incident)
        var chosen = Set(records.filter { types.contains($0.event.type) }.map(\.position))
        for type in lastOf {
            if let last = records.last(where: { $0.event.type == type }) {
                chosen.insert(last.position)
            }
        }
        return PolicyFinding(
            check: check, incident: state.incident, message: message,
            evidence: withCorrections(chosen, records))
    }

    /// A finding whose evidence is the given positions and their corrections.
    private func finding(
        _ check: PolicyCheck, _ state: IncidentState, _ message: String, positions: Set<UInt64>
    ) throws -> PolicyFinding {
        PolicyFinding(
            check: check, incident: state.incident, message: message,
            evidence: withCorrections(positions, try history(state.incident)))
    }

    /// `positions` and the positions of the corrections that name their events, sorted.
    private func withCorrections(_ positions: Set<UInt64>, _ records: [Record]) -> [UInt64] {
        let ids = Set(records.filter { positions.contains($0.position) }.map(\.event.id))
        var all = positions
        for record in records where record.event.type == .corrected {
            if let text = record.event.data.string("event"), let id = EventID(text),
                ids.contains(id)
            {
                all.insert(record.position)
            }
        }
        return all.sorted()
    }
}
