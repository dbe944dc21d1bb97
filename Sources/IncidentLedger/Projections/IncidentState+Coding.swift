import Interchange

extension IncidentState {
    /// The layout version of the encoded state; a ledger whose kept projections have
    /// another version rebuilds them from the log.
    static let layoutVersion: UInt64 = 3

    /// The state in the compact binary form kept in the ledger.
    /// - Complexity: O(n) in the state's size.
    func encoded() -> [UInt8] {
        var out = BinaryWriter()
        // Most states take a few hundred bytes: one allocation instead of several.
        out.bytes.reserveCapacity(768)
        encode(into: &out)
        return out.bytes
    }

    /// Gives the state's compact binary form to `out` (see `encoded()`).
    func encode(into out: inout some BinarySink) {
        out.unsigned(Self.layoutVersion)
        out.string(incident)
        out.string(status.rawValue)
        out.string(title)
        out.string(process)
        out.string(severity.rawValue)
        out.string(highestSeverity.rawValue)
        out.optionalString(owner)
        out.optionalString(team)
        out.optionalString(scope)
        out.unsigned(UInt64(processes.count))
        for name in processes { out.string(name) }
        out.flag(customerFacing)
        out.flag(regulatory)
        out.optionalString(source)
        out.optionalString(service)
        out.time(detectedAt)
        out.optionalTime(impactStartedAt)
        out.optionalTime(firstAcknowledgedAt)
        out.optionalTime(firstMitigatedAt)
        out.optionalTime(firstResolvedAt)
        out.optionalTime(resolvedAt)
        out.optionalTime(closedAt)
        out.unsigned(UInt64(reopenCount))
        out.optionalString(rootCauseCategory)
        out.optionalString(rootCauseSummary)
        out.optionalString(changeReference)
        out.optionalString(whatHappened)
        out.optionalString(why)
        out.optionalString(whatWillChange)
        out.unsigned(UInt64(followUps.count))
        for followUp in followUps {
            out.string(followUp.task)
            out.string(followUp.title)
            out.optionalString(followUp.owner)
            out.optionalString(followUp.due?.text)
            out.time(followUp.openedAt)
            out.optionalTime(followUp.doneAt)
            out.unsigned(followUp.position)
        }
        out.optionalString(postmortem)
        out.optionalTime(postmortemAt)
        out.unsigned(UInt64(escalations.count))
        for escalation in escalations {
            out.time(escalation.at)
            out.string(escalation.reason)
            out.optionalString(escalation.scope)
            out.unsigned(escalation.position)
        }
        out.unsigned(UInt64(notificationCount))
        out.unsigned(UInt64(correctionCount))
        out.unsigned(UInt64(eventCount))
        out.unsigned(firstPosition)
        out.unsigned(lastPosition)
    }

    /// Reads a state written by `encoded()`.
    /// - Parameter bytes: The kept bytes.
    /// - Returns: nil when the bytes are of another layout version or damaged.
    /// - Complexity: O(n) in the state's size.
    init?(encoded bytes: UnsafeRawBufferPointer) {
        var input = BinaryReader(bytes: bytes)
        guard input.unsigned() == Self.layoutVersion,
            let incident = input.string(),
            let status = input.string().flatMap(IncidentStatus.init(rawValue:)),
            let title = input.string(), let process = input.string(),
            let severity = input.string().flatMap(Severity.init(rawValue:)),
            let highestSeverity = input.string().flatMap(Severity.init(rawValue:)),
            let owner = input.optionalString(), let team = input.optionalString(),
            let scope = input.optionalString(), let processCount = input.unsigned(),
            processCount <= UInt64(bytes.count)
        else { return nil }
        var processes: [String] = []
        for _ in 0..<processCount {
            guard let name = input.string() else { return nil }
            processes.append(name)
        }
        guard let customerFacing = input.flag(), let regulatory = input.flag(),
            let source = input.optionalString(), let service = input.optionalString(),
            let detectedAt = input.time(), let impactStartedAt = input.optionalTime(),
            let firstAcknowledgedAt = input.optionalTime(),
            let firstMitigatedAt = input.optionalTime(),
            let firstResolvedAt = input.optionalTime(), let resolvedAt = input.optionalTime(),
            let closedAt = input.optionalTime(), let reopenCount = input.unsigned(),
            let rootCauseCategory = input.optionalString(),
            let rootCauseSummary = input.optionalString(),
            let changeReference = input.optionalString(),
            let whatHappened = input.optionalString(), let why = input.optionalString(),
            let whatWillChange = input.optionalString(), let followUpCount = input.unsigned(),
            followUpCount <= UInt64(bytes.count)
        else { return nil }
        var followUps: [FollowUp] = []
        for _ in 0..<followUpCount {
            guard let task = input.string(), let title = input.string(),
                let owner = input.optionalString(), let due = input.optionalString(),
                let openedAt = input.time(), let doneAt = input.optionalTime(),
                let position = input.unsigned()
            else { return nil }
            followUps.append(
                FollowUp(
                    task: task, title: title, owner: owner,
                    due: due.flatMap { try? CivilDate(parsing: $0) }, openedAt: openedAt,
                    doneAt: doneAt, position: position))
        }
        guard let postmortem = input.optionalString(), let postmortemAt = input.optionalTime(),
            let escalationCount = input.unsigned(), escalationCount <= UInt64(bytes.count)
        else { return nil }
        var escalations: [Escalation] = []
        for _ in 0..<escalationCount {
            guard let at = input.time(), let reason = input.string(),
                let scope = input.optionalString(), let position = input.unsigned()
            else { return nil }
            escalations.append(Escalation(at: at, reason: reason, scope: scope, position: position))
        }
        guard let notificationCount = input.unsigned(), let correctionCount = input.unsigned(),
            let eventCount = input.unsigned(), let firstPosition = input.unsigned(),
            let lastPosition = input.unsigned(), input.offset == bytes.count
        else { return nil }

        self.incident = incident
        self.status = status
        self.title = title
        self.process = process
        self.severity = severity
        self.highestSeverity = highestSeverity
        self.owner = owner
        self.team = team
        self.scope = scope
        self.processes = processes
        self.customerFacing = customerFacing
        self.regulatory = regulatory
        self.source = source
        self.service = service
        self.detectedAt = detectedAt
        self.impactStartedAt = impactStartedAt
        self.firstAcknowledgedAt = firstAcknowledgedAt
        self.firstMitigatedAt = firstMitigatedAt
        self.firstResolvedAt = firstResolvedAt
        self.resolvedAt = resolvedAt
        self.closedAt = closedAt
        self.reopenCount = Int(clamping: reopenCount)
        self.rootCauseCategory = rootCauseCategory
        self.rootCauseSummary = rootCauseSummary
        self.changeReference = changeReference
        self.whatHappened = whatHappened
        self.why = why
        self.whatWillChange = whatWillChange
        self.followUps = followUps
        self.postmortem = postmortem
        self.postmortemAt = postmortemAt
        self.escalations = escalations
        self.notificationCount = Int(clamping: notificationCount)
        self.correctionCount = Int(clamping: correctionCount)
        self.eventCount = Int(clamping: eventCount)
        self.firstPosition = firstPosition
        self.lastPosition = lastPosition
    }
}
