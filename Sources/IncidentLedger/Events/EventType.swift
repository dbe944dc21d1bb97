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
    /// A ledger-level record, outside any incident: an audit export was made
    /// (`incidents export`). Written only by the ledger itself, never accepted as input.
    case exported

    /// The type named `name`, found without comparing against every case in turn.
    /// - Complexity: O(1).
    public static func named(_ name: String) -> EventType? {
        byName[name]
    }

    private static let byName: [String: EventType] = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })

    /// The type whose name is exactly the UTF-8 bytes `name`, found without making a
    /// `String`.
    /// - Complexity: O(1): the length and a letter or two pick the one type the name
    ///   can be, and one comparison confirms it.
    static func named(utf8 name: UnsafeBufferPointer<UInt8>) -> EventType? {
        guard name.count >= 4 else { return nil }
        let candidate: EventType
        switch (name.count, name[0]) {
        case (4, UInt8(ascii: "n")): candidate = .note
        case (6, UInt8(ascii: "c")): candidate = .closed
        case (7, UInt8(ascii: "t")): candidate = .triaged
        case (8, UInt8(ascii: "d")): candidate = .detected
        case (8, UInt8(ascii: "a")): candidate = .assigned
        case (8, UInt8(ascii: "r")):
            candidate = name[2] == UInt8(ascii: "s") ? .resolved : .reopened
        case (8, UInt8(ascii: "n")): candidate = .notified
        case (8, UInt8(ascii: "e")): candidate = .exported
        case (9, UInt8(ascii: "e")): candidate = .escalated
        case (9, UInt8(ascii: "m")): candidate = .mitigated
        case (9, UInt8(ascii: "f")): candidate = .followUp
        case (9, UInt8(ascii: "c")): candidate = .corrected
        case (10, UInt8(ascii: "r")): candidate = .rootCause
        case (10, UInt8(ascii: "p")): candidate = .postmortem
        case (12, UInt8(ascii: "a")): candidate = .acknowledged
        case (14, UInt8(ascii: "f")): candidate = .followUpDone
        case (16, UInt8(ascii: "s")): candidate = .severityChanged
        default: return nil
        }
        // The names are literals, which no reference count guards: comparing with one
        // retains nothing.
        return FieldRules.equal(candidate.rawValue, name) ? candidate : nil
    }

    /// A number from 0 for each type, below `allCases.count`, for tables indexed by type.
    var ordinal: Int {
        switch self {
        case .detected: 0
        case .acknowledged: 1
        case .assigned: 2
        case .triaged: 3
        case .severityChanged: 4
        case .escalated: 5
        case .note: 6
        case .rootCause: 7
        case .mitigated: 8
        case .resolved: 9
        case .reopened: 10
        case .closed: 11
        case .notified: 12
        case .followUp: 13
        case .followUpDone: 14
        case .postmortem: 15
        case .corrected: 16
        case .exported: 17
        }
    }

    /// Whether records of this type belong to the ledger rather than to an incident:
    /// they have no `incident`, are written only by the ledger itself, and
    /// projections, metrics and lifecycle rules pass over them.
    public var isLedgerLevel: Bool {
        self == .exported
    }

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
