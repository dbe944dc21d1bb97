import Interchange

/// The durations operations leads track, in seconds from the incident's start.
public enum DurationMetric: String, CaseIterable, Sendable {
    /// Time to acknowledge: the first acknowledgement.
    case tta
    /// Time to mitigate: the first mitigation.
    case ttm
    /// Time to resolve: the final resolution of a resolved or closed incident.
    case ttr
}

/// Where durations are measured from.
public enum DurationStart: String, Sendable {
    /// The detection time.
    case detection
    /// The impact start when given, else the detection time.
    case impact
}

/// What groups incidents: one of their facts, or the UTC period of their detection.
public enum GroupKey: String, CaseIterable, Sendable {
    case process, severity, team, owner, scope, source, week, month, quarter

    /// Whether the groups are periods of time, shown as a trend.
    public var isPeriod: Bool { self == .week || self == .month || self == .quarter }

    /// The group an incident belongs to; `-` when it lacks the fact.
    public func value(of state: some IncidentFactsView) -> String {
        let detected = { Timestamp(utcNanoseconds: state.detectedNanoseconds, fractionDigits: 9) }
        switch self {
        case .process: return state.process
        case .severity: return state.severity.rawValue
        case .team: return state.team ?? "-"
        case .owner: return state.owner ?? "-"
        case .scope: return state.scope ?? "-"
        case .source: return state.source ?? "-"
        case .week: return detected().isoWeekKey
        case .month: return detected().monthKey
        case .quarter: return detected().quarterKey
        }
    }
}

/// One group's figures.
public struct GroupStatistics: Equatable, Sendable {
    /// The group's key, e.g. `nightly-export` or `2026-W09`.
    public var key: String
    /// count, mean and percentiles of the measured durations.
    public var summary: Summary
    /// For periods: the 95% bootstrap interval of the median.
    public var medianInterval: (low: Double, high: Double)?
    /// For periods: fewer than 20 incidents, too few to compare.
    public var tooFew: Bool

    public static func == (lhs: GroupStatistics, rhs: GroupStatistics) -> Bool {
        lhs.key == rhs.key && lhs.summary == rhs.summary && lhs.tooFew == rhs.tooFew
            && lhs.medianInterval?.low == rhs.medianInterval?.low
            && lhs.medianInterval?.high == rhs.medianInterval?.high
    }
}

/// The answer to `stats`: a metric over a selection of incidents, overall and by group.
public struct MetricReport: Sendable {
    /// The metric.
    public var metric: DurationMetric
    /// Where durations were measured from.
    public var start: DurationStart
    /// With `--resolve first`, TTR to the first resolution.
    public var firstResolution: Bool
    /// All measured incidents.
    public var overall: Summary
    /// Per group, sorted by key.
    public var groups: [GroupStatistics]
    /// With `.impact`: incidents measured (or, for TTR, aged) from detection because no
    /// impact start was given.
    public var fellBack: Int
    /// Incidents selected but not measured (not yet acknowledged, mitigated or resolved).
    public var unmeasured: Int
    /// For TTR: how long the open incidents have been open, at the moment of the answer.
    public var openAges: Summary

    /// The smallest bucket worth comparing in a trend.
    public static let minimumComparable = 20

    /// Measures `metric` over `states`.
    /// - Parameters:
    ///   - metric: TTA, TTM or TTR.
    ///   - states: The selected incidents.
    ///   - start: Detection, or impact start with fallback.
    ///   - firstResolution: TTR to the first resolution, for every incident that had one.
    ///   - groupBy: The grouping, if any.
    ///   - now: The moment open incidents are aged to, in nanoseconds since the epoch.
    /// - Complexity: O(n log n), plus the bootstrap for periods.
    public init(
        metric: DurationMetric, states: [some IncidentFactsView], start: DurationStart,
        firstResolution: Bool = false, groupBy: GroupKey?, now: Int64
    ) {
        var measurement = Measurement(
            metric: metric, start: start, firstResolution: firstResolution, groupBy: groupBy,
            now: now)
        for state in states { measurement.add(state) }
        self = measurement.report()
    }

    /// Measures a metric one incident at a time, so that a caller reading incidents
    /// in place never has to hold them all; `report()` gives the figures.
    public struct Measurement {
        private let metric: DurationMetric
        private let start: DurationStart
        private let firstResolution: Bool
        private let groupBy: GroupKey?
        private let now: Int64
        // Only the durations are kept, overall and in their groups: a state is large
        // to copy. Each group is found once per incident, through its key's index.
        private var seconds: [Double] = []
        private var groupIndex: [String: Int] = [:]
        private var groupKeys: [String] = []
        private var groupSeconds: [[Double]] = []
        private var fellBack = 0
        private var unmeasured = 0
        private var ages: [Double] = []

        /// Starts measuring; the parameters are those of `MetricReport.init`.
        public init(
            metric: DurationMetric, start: DurationStart, firstResolution: Bool = false,
            groupBy: GroupKey?, now: Int64
        ) {
            self.metric = metric
            self.start = start
            self.firstResolution = firstResolution
            self.groupBy = groupBy
            self.now = now
        }

        /// Measures one selected incident.
        /// - Complexity: O(1) amortised.
        @_specialize(exported:true,where State == KeptFacts)
        @_specialize(exported:true,where State == IncidentFacts)
        public mutating func add<State: IncidentFactsView>(_ state: State) {
            let origin: Int64
            // Only incidents measured or aged from their start count as falling back.
            let fallsBack = start == .impact && state.impactNanoseconds == nil
            if start == .impact, let impact = state.impactNanoseconds {
                origin = impact
            } else {
                origin = state.detectedNanoseconds
            }
            guard let end = IncidentMetrics.end(of: metric, state, firstResolution: firstResolution)
            else {
                unmeasured += 1
                if metric == .ttr, state.status == .open {
                    ages.append(IncidentMetrics.seconds(from: origin, to: now))
                    if fallsBack { fellBack += 1 }
                }
                return
            }
            if fallsBack { fellBack += 1 }
            let duration = IncidentMetrics.seconds(from: origin, to: end)
            seconds.append(duration)
            guard let groupBy else { return }
            let key = groupBy.value(of: state)
            if let index = groupIndex[key] {
                groupSeconds[index].append(duration)
            } else {
                groupIndex[key] = groupKeys.count
                groupKeys.append(key)
                groupSeconds.append([duration])
            }
        }

        /// The figures of every incident measured so far.
        /// - Complexity: O(n), plus the bootstrap for periods.
        public func report() -> MetricReport {
            MetricReport(
                metric: metric, start: start, firstResolution: firstResolution,
                overall: Summary(seconds),
                groups: groups(), fellBack: fellBack, unmeasured: unmeasured,
                openAges: Summary(ages))
        }

        private func groups() -> [GroupStatistics] {
            guard let groupBy else { return [] }
            return groupKeys.indices.sorted { groupKeys[$0] < groupKeys[$1] }.map { index in
                let values = groupSeconds[index]
                return GroupStatistics(
                    key: groupKeys[index], summary: Summary(values),
                    medianInterval: groupBy.isPeriod ? Statistics.medianInterval(values) : nil,
                    tooFew: groupBy.isPeriod && values.count < MetricReport.minimumComparable)
            }
        }
    }

    private init(
        metric: DurationMetric, start: DurationStart, firstResolution: Bool, overall: Summary,
        groups: [GroupStatistics], fellBack: Int, unmeasured: Int, openAges: Summary
    ) {
        self.metric = metric
        self.start = start
        self.firstResolution = firstResolution
        self.overall = overall
        self.groups = groups
        self.fellBack = fellBack
        self.unmeasured = unmeasured
        self.openAges = openAges
    }
}

/// How each metric is read off an incident's state.
public enum IncidentMetrics {
    /// The instant a metric ends at, or nil when the incident has not reached it.
    public static func end(
        of metric: DurationMetric, _ state: some IncidentFactsView, firstResolution: Bool
    ) -> Int64? {
        switch metric {
        case .tta: return state.acknowledgedNanoseconds
        case .ttm: return state.mitigatedNanoseconds
        case .ttr:
            if firstResolution { return state.firstResolvedNanoseconds }
            return state.status == .open ? nil : state.resolvedNanoseconds
        }
    }

    /// Seconds between two instants in nanoseconds, exact to the nanosecond.
    public static func seconds(from start: Int64, to end: Int64) -> Double {
        let difference = end - start
        let whole = difference / 1_000_000_000
        let fraction = difference % 1_000_000_000
        return Double(whole) + Double(fraction) / 1e9
    }
}
