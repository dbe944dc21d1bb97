import Interchange

/// Where an incident stands in its lifecycle.
public enum IncidentStatus: String, CaseIterable, Sendable {
    /// Detected or reopened, not resolved since.
    case open
    /// Resolved and not closed.
    case resolved
    /// Resolved and closed with an after-action note.
    case closed
}

/// A follow-up task opened on an incident.
public struct FollowUp: Equatable, Sendable {
    /// The task's id, unique within the incident.
    public var task: String
    /// What is to be done.
    public var title: String
    /// Who will do it.
    public var owner: String?
    /// When it is due.
    public var due: CivilDate?
    /// When it was opened.
    public var openedAt: Timestamp
    /// When it was marked done, or nil while open.
    public var doneAt: Timestamp?
    /// The position of the `follow-up` event.
    public var position: UInt64
}

/// An escalation of an incident beyond a single process.
public struct Escalation: Equatable, Sendable {
    /// When it was escalated.
    public var at: Timestamp
    /// Why.
    public var reason: String
    /// The scope it was escalated to.
    public var scope: String?
    /// The position of the `escalated` event.
    public var position: UInt64
}

/// The current facts of one incident, derived from its events with corrections
/// applied: the projection kept beside the log.
public struct IncidentState: Equatable, Sendable {
    /// The incident's id.
    public var incident: String
    /// Open, resolved or closed.
    public var status: IncidentStatus = .open
    /// The title given at detection.
    public var title: String
    /// The operational process affected.
    public var process: String
    /// The current severity.
    public var severity: Severity
    /// The worst severity it ever had.
    public var highestSeverity: Severity
    /// Who owns it, from the latest assignment.
    public var owner: String?
    /// The owner's team.
    public var team: String?
    /// `single-process` or `multi-process`, from triage or escalation.
    public var scope: String?
    /// The processes named at triage.
    public var processes: [String] = []
    /// Whether customers are affected.
    public var customerFacing = false
    /// Whether a regulatory duty is touched.
    public var regulatory = false
    /// How it was detected.
    public var source: String?
    /// The service it concerns.
    public var service: String?
    /// When it was detected.
    public var detectedAt: Timestamp
    /// When the impact began, when known.
    public var impactStartedAt: Timestamp?
    /// The earliest acknowledgement.
    public var firstAcknowledgedAt: Timestamp?
    /// The earliest mitigation.
    public var firstMitigatedAt: Timestamp?
    /// The earliest resolution.
    public var firstResolvedAt: Timestamp?
    /// The resolution that stands: the last `resolved`, nil while open.
    public var resolvedAt: Timestamp?
    /// When it was closed, nil unless closed.
    public var closedAt: Timestamp?
    /// How many times it was reopened.
    public var reopenCount = 0
    /// The latest root-cause category.
    public var rootCauseCategory: String?
    /// The latest root-cause summary.
    public var rootCauseSummary: String?
    /// The change at fault, from the latest root cause.
    public var changeReference: String?
    /// After-action note: what happened.
    public var whatHappened: String?
    /// After-action note: why.
    public var why: String?
    /// After-action note: what will change.
    public var whatWillChange: String?
    /// Follow-up tasks in the order opened.
    public var followUps: [FollowUp] = []
    /// Where the post-mortem is.
    public var postmortem: String?
    /// When the post-mortem was recorded.
    public var postmortemAt: Timestamp?
    /// Escalations in log order.
    public var escalations: [Escalation] = []
    /// How many notifications were sent.
    public var notificationCount = 0
    /// How many corrections were applied.
    public var correctionCount = 0
    /// How many events it has, corrections included.
    public var eventCount = 0
    /// The position of its first event.
    public var firstPosition: UInt64
    /// The position of its last event.
    public var lastPosition: UInt64

    /// The state right after detection.
    init(detected event: Event, position: UInt64) {
        let severity = Severity(rawValue: event.data.string("severity") ?? "") ?? .sev4
        incident = event.incident
        title = event.data.string("title") ?? ""
        process = event.data.string("process") ?? ""
        self.severity = severity
        highestSeverity = severity
        source = event.data.string("source")
        service = event.data.string("service")
        detectedAt = event.at
        impactStartedAt = event.data.time("impactStartedAt")
        firstPosition = position
        lastPosition = position
        eventCount = 1
    }
}

extension IncidentState {
    /// Checks the lifecycle rules an event must meet against the state before it.
    ///
    /// Rule 6 (what a correction names) needs the log and is checked by the ledger.
    /// - Parameters:
    ///   - event: The event to be appended.
    ///   - state: The incident's state, or nil when it has no events yet.
    /// - Throws: `RuleViolation` naming the rule.
    public static func checkLifecycle(
        of event: Event, against state: IncidentState?
    ) throws(RuleViolation) {
        let incident = event.incident
        guard let state else {
            guard event.type == .detected else {
                throw RuleViolation(
                    rule: 1,
                    message: "incident \(incident) has no detected event; it must begin with one")
            }
            return
        }
        if event.type == .detected {
            throw RuleViolation(
                rule: 1, message: "incident \(incident) already has a detected event")
        }
        if state.status == .closed, !event.type.isAllowedAfterClose {
            throw RuleViolation(
                rule: 4,
                message: "incident \(incident) is closed; \(event.type.rawValue) is not accepted")
        }
        switch event.type {
        case .resolved where state.status != .open:
            throw RuleViolation(
                rule: 2, message: "incident \(incident) is \(state.status.rawValue), not open")
        case .reopened where state.status == .open:
            throw RuleViolation(
                rule: 3,
                message: "incident \(incident) is open; only a resolved or closed one "
                    + "can be reopened")
        case .closed where state.status != .resolved:
            throw RuleViolation(
                rule: 3,
                message: "incident \(incident) is \(state.status.rawValue); only a "
                    + "resolved one can be closed")
        case .followUpDone:
            let task = event.data.string("task") ?? ""
            if !state.followUps.contains(where: { $0.task == task }) {
                throw RuleViolation(
                    rule: 5, message: "incident \(incident) has no follow-up task \"\(task)\"")
            }
        default:
            break
        }
        try checkFollowsDetection(event.type, at: event.at, state: state)
    }

    static func checkFollowsDetection(
        _ type: EventType, at: Timestamp, state: IncidentState
    ) throws(RuleViolation) {
        if type.mustFollowDetection, at < state.detectedAt {
            throw RuleViolation(
                rule: 7,
                message: "\(type.rawValue) at \(at.text) is earlier than the detection of "
                    + "\(state.incident) at \(state.detectedAt.text)")
        }
    }

    /// Folds one event (not a correction) into the state.
    /// - Parameters:
    ///   - event: The event, with any corrections to it already applied.
    ///   - position: Its position in the log.
    mutating func apply(_ event: Event, position: UInt64) {
        if event.type.foldsWithoutData {
            apply(event.type, at: event.at, position: position)
            return
        }
        let data = event.data
        eventCount += 1
        lastPosition = max(lastPosition, position)
        switch event.type {
        case .detected:
            break
        case .note, .exported, .corrected, .acknowledged, .mitigated, .resolved, .reopened,
            .notified:
            // Folded without their data, below.
            break
        case .assigned:
            // A new owner's team is what this assignment says, not the last owner's.
            owner = data.string("owner")
            team = data.string("team")
        case .triaged:
            scope = data.string("scope")
            if case .strings(let names)? = data["processes"] { processes = names }
            if let value = data.string("severity") { changeSeverity(to: value) }
            if let value = data.flag("customerFacing") { customerFacing = value }
            if let value = data.flag("regulatory") { regulatory = value }
        case .severityChanged:
            if let value = data.string("severity") { changeSeverity(to: value) }
        case .escalated:
            let scope = data.string("scope")
            if let scope { self.scope = scope }
            escalations.append(
                Escalation(
                    at: event.at, reason: data.string("reason") ?? "", scope: scope,
                    position: position))
        case .rootCause:
            rootCauseCategory = data.string("category")
            rootCauseSummary = data.string("summary")
            changeReference = data.string("change")
        case .closed:
            status = .closed
            closedAt = event.at
            whatHappened = data.string("whatHappened")
            why = data.string("why")
            whatWillChange = data.string("whatWillChange")
        case .followUp:
            let task = data.string("task") ?? ""
            var due: CivilDate?
            if case .date(let date)? = data["due"] { due = date }
            let followUp = FollowUp(
                task: task, title: data.string("title") ?? "", owner: data.string("owner"),
                due: due, openedAt: event.at, doneAt: nil, position: position)
            if let index = followUps.firstIndex(where: { $0.task == task }) {
                followUps[index] = followUp
            } else {
                followUps.append(followUp)
            }
        case .followUpDone:
            let task = data.string("task") ?? ""
            if let index = followUps.firstIndex(where: { $0.task == task }) {
                followUps[index].doneAt = event.at
            }
        case .postmortem:
            postmortem = data.string("document")
            postmortemAt = event.at
        }
    }

    /// Folds an event of a type whose data no fact depends on (`foldsWithoutData`):
    /// its type and its time are all it takes.
    /// - Parameters:
    ///   - type: The event's type.
    ///   - at: Its time, with any correction to it already applied.
    ///   - position: Its position in the log.
    mutating func apply(_ type: EventType, at: Timestamp, position: UInt64) {
        eventCount += 1
        lastPosition = max(lastPosition, position)
        switch type {
        case .corrected:
            correctionCount += 1
        case .acknowledged:
            firstAcknowledgedAt = earliest(firstAcknowledgedAt, at)
        case .mitigated:
            firstMitigatedAt = earliest(firstMitigatedAt, at)
        case .resolved:
            status = .resolved
            firstResolvedAt = earliest(firstResolvedAt, at)
            resolvedAt = at
        case .reopened:
            status = .open
            reopenCount += 1
            resolvedAt = nil
            closedAt = nil
        case .notified:
            notificationCount += 1
        default:
            // A note changes nothing but the counts; an exported record names no
            // incident; the other types are folded with their data.
            break
        }
    }

    private mutating func changeSeverity(to value: String) {
        guard let level = Severity(rawValue: value) else { return }
        severity = level
        highestSeverity = min(highestSeverity, level)
    }
}

private func earliest(_ current: Timestamp?, _ candidate: Timestamp) -> Timestamp {
    guard let current else { return candidate }
    return candidate < current ? candidate : current
}

extension EventType {
    /// Whether the facts an event of this type gives depend on its type and time
    /// alone, never on its data: such events are folded without decoding their data.
    var foldsWithoutData: Bool {
        switch self {
        case .note, .exported, .corrected, .acknowledged, .mitigated, .resolved, .reopened,
            .notified:
            true
        default:
            false
        }
    }
}
