/// The kinds of step an incident's log records.
public enum EventType: String, CaseIterable, Sendable {
    case detected
    case acknowledged
    case assigned
    case triaged
    case severityChanged = "severity-changed"
    case escalated
    case note
    case rootCause = "root-cause"
    case mitigated
    case resolved
    case reopened
    case closed
    case notified
    case followUp = "follow-up"
    case followUpDone = "follow-up-done"
    case postmortem
    case corrected

    /// The type named `name`, found without comparing against every case in turn.
    /// - Complexity: O(1).
    public static func named(_ name: String) -> EventType? {
        byName[name]
    }

    private static let byName: [String: EventType] = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })

    /// The types still accepted after an incident is closed (lifecycle rule 4).
    public var isAllowedAfterClose: Bool {
        switch self {
        case .reopened, .note, .notified, .followUp, .followUpDone, .postmortem, .corrected:
            true
        default:
            false
        }
    }

    /// The types that may not be earlier than the detection (lifecycle rule 7).
    public var mustFollowDetection: Bool {
        switch self {
        case .acknowledged, .mitigated, .resolved, .closed: true
        default: false
        }
    }
}

/// How bad an incident is, SEV1 the worst.
public enum Severity: String, CaseIterable, Comparable, Sendable {
    case sev1 = "SEV1"
    case sev2 = "SEV2"
    case sev3 = "SEV3"
    case sev4 = "SEV4"

    /// SEV1 sorts first, as the most severe.
    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
