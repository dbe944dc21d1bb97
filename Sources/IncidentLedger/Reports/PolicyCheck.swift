/// The policy checks a compliance report runs, numbered as the escalation playbook
/// lists them. The raw value is the check's name in policy files and in reports.
public enum PolicyCheck: String, CaseIterable, Sendable, Comparable {
    /// 1. Customer-facing, resolved after more than the limit, while its severity
    /// stayed low (SEV3 or SEV4 by default).
    case slowCustomerFacing
    /// 2. Touches a regulatory duty, resolved, and has no post-mortem.
    case regulatoryPostmortem
    /// 3. Major (SEV1 or SEV2 at any time), and no post-mortem within the days allowed
    /// after its resolution.
    case majorPostmortem
    /// 4. A process reached the recurrence threshold and no follow-up task was opened
    /// on its incidents afterwards.
    case recurrenceFollowUp
    /// 5. Closed without all three after-action fields.
    case afterAction
    /// 6. Root cause in a change category (code change or config) without a change
    /// reference.
    case changeReference
    /// 7. Multi-process scope without an `escalated` event.
    case multiProcessEscalation
    /// 8. A follow-up task past its due date and not done.
    case overdueFollowUp

    /// The check's number in the playbook, 1 to 8.
    public var number: Int {
        (PolicyCheck.allCases.firstIndex(of: self) ?? 0) + 1
    }

    /// What the check asks for, in one line, for reports.
    public func rule(_ policy: ReportPolicy) -> String {
        switch self {
        case .slowCustomerFacing:
            let levels = policy.lowSeverities.sorted().map(\.rawValue).joined(separator: " or ")
            return "Customer-facing incidents that stay \(levels) are resolved within "
                + "\(policy.slowResolutionMinutes) minutes"
        case .regulatoryPostmortem:
            return "Resolved regulatory incidents have a post-mortem"
        case .majorPostmortem:
            let levels = policy.majorSeverities.sorted().map(\.rawValue).joined(separator: " or ")
            return "\(levels) incidents have a post-mortem within \(policy.postmortemDays) "
                + "days of resolution"
        case .recurrenceFollowUp:
            return "A process with \(policy.recurrenceIncidents) incidents in "
                + "\(policy.recurrenceDays) days gets a follow-up task afterwards"
        case .afterAction:
            return "Closed incidents say what happened, why, and what will change"
        case .changeReference:
            let categories = policy.changeCategories.sorted().joined(separator: " or ")
            return "Root causes of category \(categories) name the change"
        case .multiProcessEscalation:
            return "Multi-process incidents are escalated"
        case .overdueFollowUp:
            return "Follow-up tasks are done by their due date"
        }
    }

    public static func < (lhs: PolicyCheck, rhs: PolicyCheck) -> Bool {
        lhs.number < rhs.number
    }
}

/// One breach of a policy: the incident and the records that show it.
public struct PolicyFinding: Equatable, Sendable {
    /// The check that found it.
    public var check: PolicyCheck
    /// The incident it is about.
    public var incident: String
    /// What is wrong, in one sentence.
    public var message: String
    /// The positions of the records that are its evidence, ascending: the events that
    /// establish the facts, and any corrections of them.
    public var evidence: [UInt64]

    /// A finding.
    public init(check: PolicyCheck, incident: String, message: String, evidence: [UInt64]) {
        self.check = check
        self.incident = incident
        self.message = message
        self.evidence = evidence
    }
}
