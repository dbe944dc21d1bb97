import Interchange
import LedgerCrypto
import LedgerStorage

/// What a compliance report covers.
public struct ReportRequest: Sendable {
    /// Incidents detected at or after this time.
    public var since: Timestamp?
    /// Incidents detected before this time.
    public var until: Timestamp?
    /// The moment to report as of; nil for now.
    public var asOf: AsOf?
    /// The checks and thresholds.
    public var policy: ReportPolicy

    /// A request; every part optional.
    public init(
        since: Timestamp? = nil, until: Timestamp? = nil, asOf: AsOf? = nil,
        policy: ReportPolicy = ReportPolicy()
    ) {
        self.since = since
        self.until = until
        self.asOf = asOf
        self.policy = policy
    }
}

extension Ledger {
    /// Builds a compliance report: reads the incidents as they stood at the moment
    /// asked for (from the kept projections now, by replaying the log up to an
    /// earlier position), runs the policy checks, and walks the chain with `verify`.
    /// - Parameters:
    ///   - request: The period, moment and policy.
    ///   - progress: Called now and then by `verify` with (records checked, in all).
    /// - Returns: The report.
    /// - Throws: `LedgerError` when the ledger cannot be read.
    /// - Complexity: O(k log k) in the incidents now, O(n) in the records as of an
    ///   earlier moment; plus `verify`, O(n).
    public func complianceReport(
        _ request: ReportRequest, progress: ((UInt64, UInt64) -> Void)? = nil
    ) throws(LedgerError) -> ComplianceReport {
        var report: ComplianceReport
        do {
            report = try environment.read { txn in try complianceReport(request, in: txn) }
        } catch {
            throw Ledger.wrap(error)
        }
        report.integrity.verify = try verify(progress: progress)
        return report
    }

    private func complianceReport(
        _ request: ReportRequest, in txn: ReadTransaction
    ) throws -> ComplianceReport {
        let head = UInt64(try txn.count(records))
        let position = try request.asOf.map { try self.position(of: $0, in: txn) } ?? head
        let all =
            request.asOf == nil
            ? try keptStates(in: txn)
            : Array(try fold(in: txn, through: position, progress: nil).states.values)

        let lastRecord = position == 0 ? nil : try record(at: position, in: txn)
        // As `stats` answers: the time asked for, or that of the position asked for.
        let moment: Timestamp
        switch request.asOf {
        case .recorded(let time)?: moment = time
        case .position?: moment = lastRecord?.recordedAt ?? utcTimestamp(clock() * 1000)
        case nil: moment = utcTimestamp(clock() * 1000)
        }
        var headHash = SHA256Digest.zero
        if position > 0, let bytes = try txn.value(in: records, forKey: bigEndianBytes(position)) {
            headHash = hasher.digest(bytes)
        }
        let tree = keptTree(in: txn)
        let treeHead = TreeHead(size: position, root: try tree.root(size: position))

        let selected = all.filter { state in
            if let since = request.since, state.detectedAt < since { return false }
            if let until = request.until, !(state.detectedAt < until) { return false }
            return true
        }.sorted { ($0.detectedAt, $0.incident) < ($1.detectedAt, $1.incident) }

        let checker = PolicyChecker(policy: request.policy, now: moment.nanoseconds) {
            incident in
            try self.positions(of: incident, in: txn).filter { $0 <= position }.map {
                try self.record(at: $0, in: txn)
            }
        }
        return ComplianceReport(
            since: request.since, until: request.until, position: position,
            isAsOf: request.asOf != nil, moment: moment, policy: request.policy,
            summary: ReportSummary(selected, policy: request.policy, now: moment.nanoseconds),
            incidents: selected.map(IncidentRow.init),
            findings: try checker.findings(selected: selected, all: all),
            integrity: ReportIntegrity(
                head: Head(position: position, hash: headHash, recordedAt: lastRecord?.recordedAt),
                tree: treeHead, verify: VerifyResult(), signedHead: nil))
    }
}

extension ReportSummary {
    /// The summary of the period's incidents.
    /// - Parameters:
    ///   - states: The incidents of the period.
    ///   - policy: Its recurrence window and threshold are used.
    ///   - now: The moment open incidents are aged to.
    init(_ states: [IncidentState], policy: ReportPolicy, now: Int64) {
        incidents = states.count
        bySeverity = Severity.allCases.map { level in
            Tally(key: level.rawValue, count: states.count { $0.severity == level })
        }
        byStatus = IncidentStatus.allCases.map { status in
            Tally(key: status.rawValue, count: states.count { $0.status == status })
        }
        var scopes: [String: Int] = [:]
        for state in states { scopes[state.scope ?? "-", default: 0] += 1 }
        byScope = scopes.keys.sorted().map { Tally(key: $0, count: scopes[$0] ?? 0) }

        let facts = states.map { IncidentFacts($0) }
        timeToAcknowledge = MetricReport(
            metric: .tta, states: facts, start: .detection, groupBy: .week, now: now)
        timeToResolve = MetricReport(
            metric: .ttr, states: facts, start: .detection, groupBy: .week, now: now)
        weeks = ReportSummary.weeks(states)
        recurrence = Recurrence.findings(
            facts, by: .process, windowSeconds: Int64(policy.recurrenceDays) * 86_400,
            threshold: policy.recurrenceIncidents)
    }

    /// Every ISO week from the first detection to the last, with its incidents by
    /// severity; weeks without incidents are kept, with zeros, so that a chart shows
    /// the gap.
    private static func weeks(_ states: [IncidentState]) -> [WeekSeverityCounts] {
        guard let first = states.map(\.detectedAt.nanoseconds).min(),
            let last = states.map(\.detectedAt.nanoseconds).max()
        else { return [] }
        var counts: [String: [Int]] = [:]
        for state in states {
            let week = utcTimestamp(state.detectedAt.nanoseconds).isoWeekKey
            var row = counts[week] ?? [Int](repeating: 0, count: Severity.allCases.count)
            row[Severity.allCases.firstIndex(of: state.severity) ?? 0] += 1
            counts[week] = row
        }
        // A step of 7 days lands in the next ISO week; the last week is added at the end.
        var keys: [String] = []
        var instant = first
        let week: Int64 = 7 * 86_400 * 1_000_000_000
        while instant <= last {
            keys.append(utcTimestamp(instant).isoWeekKey)
            instant += week
        }
        let lastKey = utcTimestamp(last).isoWeekKey
        if keys.last != lastKey { keys.append(lastKey) }
        return keys.map { key in
            WeekSeverityCounts(
                week: key,
                counts: counts[key] ?? [Int](repeating: 0, count: Severity.allCases.count))
        }
    }
}
