import Interchange
import LedgerCrypto

/// A compliance report for a period: what happened, how fast it was handled, where
/// the policies were not met, and the ledger head it was built from, so that an
/// auditor can tie it to the ledger later.
public struct ComplianceReport: Sendable {
    /// Incidents detected at or after this time, when given.
    public var since: Timestamp?
    /// Incidents detected before this time, when given.
    public var until: Timestamp?
    /// The last position the report reads: the head, or the `--as-of` position.
    public var position: UInt64
    /// Whether the report was asked for as of an earlier moment.
    public var isAsOf: Bool
    /// The moment the report speaks for: the recorded time at `position` when as of a
    /// past moment, else now. Open incidents are aged, and due dates and post-mortem
    /// deadlines judged, at this moment.
    public var moment: Timestamp
    /// The policy the findings were judged by.
    public var policy: ReportPolicy
    /// Counts, distributions, trends and recurrence.
    public var summary: ReportSummary
    /// Every incident of the period, by detection time.
    public var incidents: [IncidentRow]
    /// Every breach of an enabled check, by check, then detection, then incident.
    public var findings: [PolicyFinding]
    /// The head and tree the report was built from, and the verify result.
    public var integrity: ReportIntegrity
}

/// A count under a key: a severity, a status, a scope.
public struct Tally: Equatable, Sendable {
    /// The key, e.g. `SEV2` or `multi-process`; `-` when the fact is missing.
    public var key: String
    /// How many incidents.
    public var count: Int
}

/// One ISO week's incidents, by current severity.
public struct WeekSeverityCounts: Equatable, Sendable {
    /// The week, e.g. `2026-W09`.
    public var week: String
    /// Incidents detected in the week, in `Severity.allCases` order (SEV1 first).
    public var counts: [Int]
}

/// The report's summary of the period's incidents.
public struct ReportSummary: Sendable {
    /// Incidents detected in the period.
    public var incidents: Int
    /// By current severity, SEV1 to SEV4 (zeros included).
    public var bySeverity: [Tally]
    /// By status: open, resolved, closed (zeros included).
    public var byStatus: [Tally]
    /// By scope, sorted by key, `-` for none recorded.
    public var byScope: [Tally]
    /// Time to acknowledge, overall and by ISO week of detection.
    public var timeToAcknowledge: MetricReport
    /// Time to resolve, overall and by ISO week of detection.
    public var timeToResolve: MetricReport
    /// Incidents per week by severity, every week from the first to the last.
    public var weeks: [WeekSeverityCounts]
    /// Processes by their worst window, flagged ones first (the policy's window and
    /// threshold).
    public var recurrence: [RecurrenceFinding]
}

/// One incident's line in the report.
public struct IncidentRow: Equatable, Sendable {
    /// The incident's id.
    public var incident: String
    /// The title given at detection.
    public var title: String
    /// The process affected.
    public var process: String
    /// The current severity.
    public var severity: Severity
    /// Open, resolved or closed.
    public var status: IncidentStatus
    /// The current owner.
    public var owner: String?
    /// The owner's team.
    public var team: String?
    /// Single- or multi-process.
    public var scope: String?
    /// Whether customers are affected.
    public var customerFacing: Bool
    /// Whether a regulatory duty is touched.
    public var regulatory: Bool
    /// When it was detected.
    public var detectedAt: Timestamp
    /// The resolution that stands, nil while open.
    public var resolvedAt: Timestamp?
    /// Seconds from detection to the standing resolution, nil while open.
    public var timeToResolve: Double?
    /// The latest root-cause category.
    public var rootCauseCategory: String?
    /// The change at fault, from the latest root cause.
    public var changeReference: String?
    /// How many of the three after-action fields (what happened, why, what will
    /// change) are filled in.
    public var afterActionFields: Int
    /// Follow-up tasks not done.
    public var followUpsOpen: Int
    /// Follow-up tasks done.
    public var followUpsDone: Int
    /// Where the post-mortem is, when recorded.
    public var postmortem: String?
    /// How many times it was escalated.
    public var escalations: Int

    /// The row of an incident's state.
    public init(_ state: IncidentState) {
        incident = state.incident
        title = state.title
        process = state.process
        severity = state.severity
        status = state.status
        owner = state.owner
        team = state.team
        scope = state.scope
        customerFacing = state.customerFacing
        regulatory = state.regulatory
        detectedAt = state.detectedAt
        resolvedAt = state.status == .open ? nil : state.resolvedAt
        timeToResolve = resolvedAt.map {
            IncidentMetrics.seconds(from: state.detectedAt.nanoseconds, to: $0.nanoseconds)
        }
        rootCauseCategory = state.rootCauseCategory
        changeReference = state.changeReference
        afterActionFields = [state.whatHappened, state.why, state.whatWillChange]
            .count { $0 != nil }
        followUpsDone = state.followUps.count { $0.doneAt != nil }
        followUpsOpen = state.followUps.count - followUpsDone
        postmortem = state.postmortem
        escalations = state.escalations.count
    }
}

/// What ties the report to the ledger.
public struct ReportIntegrity: Sendable {
    /// The head the report was built from: the record at `position` and its hash.
    public var head: Head
    /// The RFC 6962 tree over the records through `position`.
    public var tree: TreeHead
    /// `verify` run over the whole ledger when the report was made.
    public var verify: VerifyResult
    /// The same head and tree signed with Ed25519, when the report was signed.
    public var signedHead: SignedTreeHead?
}

extension ComplianceReport {
    /// Signs the head and tree the report was built from, so that the report can be
    /// tied to the ledger by anyone holding the public key (`incidents head --check`,
    /// `tools/ledger-check.py --signed-head`).
    /// - Parameters:
    ///   - key: The Ed25519 private key.
    ///   - signedAt: The signing time.
    /// - Throws: `KeyError` when libcrypto fails to sign.
    public mutating func sign(with key: Ed25519PrivateKey, at signedAt: Timestamp) throws(KeyError)
    {
        integrity.signedHead = try SignedTreeHead(
            head: integrity.head, tree: integrity.tree, signedAt: signedAt, key: key)
    }
}
