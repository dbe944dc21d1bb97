import IncidentLedger
import Interchange

/// JSON for machines, written with the canonical writer so that keys are sorted
/// and the output is stable from run to run.
extension CanonicalJSONWriter {
    mutating func field(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    mutating func field(_ name: String, _ value: Int) {
        key(name)
        integer(Int64(value))
    }

    mutating func field(_ name: String, _ value: Bool) {
        key(name)
        bool(value)
    }

    /// A number member, left out when nil.
    mutating func number(_ name: String, _ value: Double?) {
        guard let value else { return }
        key(name)
        number(value)
    }

    mutating func field(_ name: String, _ value: Timestamp?) {
        field(name, value?.text)
    }

    /// `{"hash": ..., "position": ..., "recordedAt": ...}`.
    mutating func head(_ head: Head) {
        beginObject()
        field("hash", head.hash.hex)
        field("position", Int(head.position))
        field("recordedAt", head.recordedAt)
        endObject()
    }

    /// An incident's state as `incidents show --json` prints it (schemas/incident.schema.json).
    mutating func incident(_ state: IncidentState) {
        beginObject()
        field("changeReference", state.changeReference)
        field("closedAt", state.closedAt)
        field("correctionCount", state.correctionCount)
        field("customerFacing", state.customerFacing)
        field("detectedAt", state.detectedAt)
        key("escalations")
        beginArray()
        for escalation in state.escalations {
            beginObject()
            field("at", escalation.at)
            field("position", Int(escalation.position))
            field("reason", escalation.reason)
            field("scope", escalation.scope)
            endObject()
        }
        endArray()
        field("eventCount", state.eventCount)
        field("firstAcknowledgedAt", state.firstAcknowledgedAt)
        field("firstMitigatedAt", state.firstMitigatedAt)
        field("firstPosition", Int(state.firstPosition))
        field("firstResolvedAt", state.firstResolvedAt)
        key("followUps")
        beginArray()
        for followUp in state.followUps {
            beginObject()
            field("doneAt", followUp.doneAt)
            field("due", followUp.due?.text)
            field("openedAt", followUp.openedAt)
            field("owner", followUp.owner)
            field("position", Int(followUp.position))
            field("task", followUp.task)
            field("title", followUp.title)
            endObject()
        }
        endArray()
        field("highestSeverity", state.highestSeverity.rawValue)
        field("impactStartedAt", state.impactStartedAt)
        field("incident", state.incident)
        field("lastPosition", Int(state.lastPosition))
        field("notificationCount", state.notificationCount)
        field("owner", state.owner)
        field("postmortem", state.postmortem)
        field("postmortemAt", state.postmortemAt)
        field("process", state.process)
        key("processes")
        beginArray()
        for name in state.processes { string(name) }
        endArray()
        field("regulatory", state.regulatory)
        field("reopenCount", state.reopenCount)
        field("resolvedAt", state.resolvedAt)
        field("rootCauseCategory", state.rootCauseCategory)
        field("rootCauseSummary", state.rootCauseSummary)
        field("scope", state.scope)
        field("service", state.service)
        field("severity", state.severity.rawValue)
        field("source", state.source)
        field("status", state.status.rawValue)
        field("team", state.team)
        field("title", state.title)
        field("whatHappened", state.whatHappened)
        field("whatWillChange", state.whatWillChange)
        field("why", state.why)
        endObject()
    }
}

/// A duration for people: `42s`, `17m 05s`, `3h 12m`, `2d 4h`.
func humanDuration(seconds: Int64) -> String {
    if seconds < 0 { return "-" + humanDuration(seconds: -seconds) }
    if seconds < 60 { return "\(seconds)s" }
    if seconds < 3600 { return "\(seconds / 60)m \(pad2(seconds % 60))s" }
    if seconds < 86_400 { return "\(seconds / 3600)h \(pad2(seconds % 3600 / 60))m" }
    return "\(seconds / 86_400)d \(seconds % 86_400 / 3600)h"
}

private func pad2(_ value: Int64) -> String {
    value < 10 ? "0\(value)" : "\(value)"
}
