import Interchange

/// How recurrence groups incidents.
public enum RecurrenceKey: String, CaseIterable, Sendable {
    /// By process.
    case process
    /// By process and latest root-cause category, joined by `/` (`-` for none).
    case processAndCategory = "process,category"

    /// The key of one incident.
    public func value(of state: some IncidentFactsView) -> String {
        switch self {
        case .process: state.process
        case .processAndCategory: state.process + "/" + (state.rootCauseCategory ?? "-")
        }
    }
}

/// One key's recurrence: how many incidents fell in its worst window.
public struct RecurrenceFinding: Equatable, Sendable {
    /// The process, or process/category.
    public var key: String
    /// The largest number of incidents whose detections lie within one window.
    public var maxInWindow: Int
    /// All of the key's incidents.
    public var total: Int
    /// Whether `maxInWindow` reaches the threshold.
    public var flagged: Bool
    /// The first detection of the worst window.
    public var from: Timestamp
    /// The last detection of the worst window.
    public var to: Timestamp
    /// The worst window's incidents, in detection order.
    public var incidents: [String]
}

/// Which processes keep failing.
public enum Recurrence {
    /// For each key, the largest set of incidents whose detection times all lie within
    /// one window (the last minus the first at most `window`), flagged keys first, then
    /// by `maxInWindow` descending, then by key. The earliest such window is reported.
    /// - Parameters:
    ///   - states: The incidents.
    ///   - key: Process, or process and category.
    ///   - windowSeconds: The window's length.
    ///   - threshold: How many incidents in one window flag a key.
    /// - Complexity: O(n log n): two pointers over each key's sorted detections.
    public static func findings(
        _ states: [some IncidentFactsView], by key: RecurrenceKey, windowSeconds: Int64,
        threshold: Int
    ) -> [RecurrenceFinding] {
        var tally = Tally(by: key)
        for state in states { tally.add(state) }
        return tally.findings(windowSeconds: windowSeconds, threshold: threshold)
    }

    /// Gathers incidents one at a time, so that a caller reading them in place never
    /// has to hold them all; `findings` gives the answer.
    public struct Tally {
        private let key: RecurrenceKey
        // Only what a window needs: the detection instant and the incident's id.
        private var byKey: [String: [(detected: Int64, incident: String)]] = [:]

        /// Starts a tally by `key`.
        public init(by key: RecurrenceKey) {
            self.key = key
        }

        /// Counts one incident.
        /// - Complexity: O(1) amortised.
        @_specialize(exported:true,where State == KeptFacts)
        @_specialize(exported:true,where State == IncidentFacts)
        public mutating func add<State: IncidentFactsView>(_ state: State) {
            byKey[key.value(of: state), default: []].append(
                (state.detectedNanoseconds, state.incident))
        }

        /// The findings over every incident counted, as `Recurrence.findings` orders them.
        /// - Complexity: O(n log n).
        public func findings(windowSeconds: Int64, threshold: Int) -> [RecurrenceFinding] {
            Recurrence.findings(byKey, windowSeconds: windowSeconds, threshold: threshold)
        }
    }

    private static func findings(
        _ byKey: [String: [(detected: Int64, incident: String)]], windowSeconds: Int64,
        threshold: Int
    ) -> [RecurrenceFinding] {
        // A window longer than 64 bits of nanoseconds holds every detection.
        let (scaled, tooLong) = windowSeconds.multipliedReportingOverflow(by: 1_000_000_000)
        let window = tooLong ? Int64.max : scaled
        var findings: [RecurrenceFinding] = []
        for (name, group) in byKey {
            let sorted = group.sorted {
                ($0.detected, $0.incident) < ($1.detected, $1.incident)
            }
            var best = (start: 0, end: 0)
            var first = 0
            for last in sorted.indices {
                while exceeds(sorted[last].detected, sorted[first].detected, window) {
                    first += 1
                }
                if last - first > best.end - best.start { best = (first, last) }
            }
            let worst = sorted[best.start...best.end]
            findings.append(
                RecurrenceFinding(
                    key: name, maxInWindow: worst.count, total: sorted.count,
                    flagged: worst.count >= threshold,
                    from: utcTimestamp(sorted[best.start].detected),
                    to: utcTimestamp(sorted[best.end].detected),
                    incidents: worst.map(\.incident)))
        }
        return findings.sorted {
            ($0.flagged ? 0 : 1, -$0.maxInWindow, $0.key) < (
                $1.flagged ? 0 : 1, -$1.maxInWindow, $1.key
            )
        }
    }
}

/// Whether `last` lies more than `window` nanoseconds after `first`, also when the
/// difference is too large for 64 bits.
private func exceeds(_ last: Int64, _ first: Int64, _ window: Int64) -> Bool {
    let (difference, overflow) = last.subtractingReportingOverflow(first)
    return overflow || difference > window
}

/// An instant as UTC text with as many fraction digits as it needs (0, 3, 6 or 9).
func utcTimestamp(_ nanoseconds: Int64) -> Timestamp {
    let digits =
        nanoseconds % 1_000_000_000 == 0
        ? 0 : nanoseconds % 1_000_000 == 0 ? 3 : nanoseconds % 1000 == 0 ? 6 : 9
    return Timestamp(utcNanoseconds: nanoseconds, fractionDigits: digits)
}
