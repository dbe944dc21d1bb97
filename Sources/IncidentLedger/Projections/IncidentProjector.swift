import Interchange

/// Replays an incident's events into its state, applying corrections.
public enum IncidentProjector {
    /// The state that an incident's events give, corrections applied.
    ///
    /// Each `corrected` event replaces the `at` and data fields it names in the
    /// event it corrects (later corrections win field by field); the stored events
    /// themselves never change. Lifecycle rule 7 is checked on the corrected times.
    /// - Parameter events: The incident's events in log order, with their positions.
    /// - Returns: The state, or nil when there are no events.
    /// - Throws: `RuleViolation` when the corrected history breaks rule 7, or
    ///   `EventError` when it puts a detection's impact start after its time.
    /// - Complexity: O(n) in the number of events.
    public static func replay(
        _ events: [(position: UInt64, event: Event)]
    ) throws -> IncidentState? {
        var corrections = Projector.Corrections()
        for (_, event) in events { Projector.gather(event, into: &corrections) }
        let projector = Projector(corrections: corrections)

        var state: IncidentState?
        for (position, original) in events {
            let event = projector.corrected(original)
            if event.type == .detected, let impact = event.data.time("impactStartedAt"),
                impact > event.at
            {
                throw EventError(
                    field: "data",
                    "the corrected impactStartedAt would be after the detection time")
            }
            guard var current = state else {
                if event.type == .detected {
                    state = IncidentState(detected: event, position: position)
                }
                continue
            }
            if event.type != .corrected {
                try IncidentState.checkFollowsDetection(event.type, at: event.at, state: current)
            }
            if event.type == .followUpDone {
                let task = event.data.string("task") ?? ""
                guard current.followUps.contains(where: { $0.task == task }) else {
                    throw RuleViolation(
                        rule: 5,
                        message: "after corrections, incident \(current.incident) has no "
                            + "follow-up task \"\(task)\" for an earlier follow-up-done")
                }
            }
            current.apply(event, position: position)
            state = current
        }
        return state
    }
}
