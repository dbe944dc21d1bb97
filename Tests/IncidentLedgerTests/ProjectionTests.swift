import Interchange
import Testing

@testable import IncidentLedger

/// The state the ledger keeps for INC-1 after appending `line`.
private func stateAfter(_ line: String, in test: TestLedger) throws -> IncidentState {
    try test.append(line)
    return try #require(try test.ledger.state(of: "INC-1"))
}

/// The timestamp that `text` parses to.
private func instant(_ text: String) throws -> Timestamp {
    try Timestamp(parsing: text)
}

/// The state replayed from the incident's stored history.
private func replayedState(of incident: String, in ledger: Ledger) throws -> IncidentState? {
    try IncidentProjector.replay(ledger.history(of: incident).map { ($0.position, $0.event) })
}

@Suite("Projections")
struct ProjectionTests {
    @Test("detection sets the title, process, severity, source, service and times")
    func detectionState() throws {
        let test = try TestLedger()

        let state = try stateAfter(
            eventLine(
                "detected", at: "2026-03-02T10:00:00+01:00",
                data: [
                    "impactStartedAt": "2026-03-02T08:55:00Z", "process": "nightly-export",
                    "service": "exports", "severity": "SEV3", "source": "monitoring",
                    "title": "Export job failed",
                ]), in: test)

        #expect(state.incident == "INC-1")
        #expect(state.status == .open)
        #expect(state.title == "Export job failed")
        #expect(state.process == "nightly-export")
        #expect(state.severity == .sev3)
        #expect(state.highestSeverity == .sev3)
        #expect(state.source == "monitoring")
        #expect(state.service == "exports")
        #expect(state.detectedAt == (try instant("2026-03-02T09:00:00Z")))
        #expect(state.detectedAt.text == "2026-03-02T10:00:00+01:00")
        #expect(state.impactStartedAt?.text == "2026-03-02T08:55:00Z")
        #expect(state.owner == nil)
        #expect(state.team == nil)
        #expect(state.scope == nil)
        #expect(state.processes == [])
        #expect(state.customerFacing == false)
        #expect(state.regulatory == false)
        #expect(state.firstAcknowledgedAt == nil)
        #expect(state.resolvedAt == nil)
        #expect(state.followUps == [])
        #expect(state.escalations == [])
        #expect(state.eventCount == 1)
        #expect(state.firstPosition == 1)
        #expect(state.lastPosition == 1)
    }

    @Test("each event type changes exactly the facts it is about")
    func stateAfterEachType() throws {
        let test = try TestLedger()
        try test.append(detectedLine("OTHER"))
        try test.append(detectedLine(severity: "SEV3"))

        var state = try stateAfter(eventLine("acknowledged", at: time(5)), in: test)
        #expect(state.firstAcknowledgedAt?.text == time(5))
        #expect(state.eventCount == 2)
        #expect(state.firstPosition == 2)
        #expect(state.lastPosition == 3)

        state = try stateAfter(eventLine("acknowledged", at: time(7)), in: test)
        #expect(state.firstAcknowledgedAt?.text == time(5))

        state = try stateAfter(
            eventLine("assigned", at: time(8), data: ["owner": "bob", "team": "payments"]),
            in: test)
        #expect(state.owner == "bob")
        #expect(state.team == "payments")

        state = try stateAfter(
            eventLine(
                "triaged", at: time(9),
                data: [
                    "scope": "single-process", "processes": ["billing", "export"],
                    "customerFacing": true, "regulatory": true, "severity": "SEV2",
                ]), in: test)
        #expect(state.scope == "single-process")
        #expect(state.processes == ["billing", "export"])
        #expect(state.customerFacing == true)
        #expect(state.regulatory == true)
        #expect(state.severity == .sev2)
        #expect(state.highestSeverity == .sev2)

        state = try stateAfter(
            eventLine("severity-changed", at: time(10), data: ["severity": "SEV4"]), in: test)
        #expect(state.severity == .sev4)
        #expect(state.highestSeverity == .sev2)

        state = try stateAfter(
            eventLine("severity-changed", at: time(11), data: ["severity": "SEV1", "reason": "r"]),
            in: test)
        #expect(state.severity == .sev1)
        #expect(state.highestSeverity == .sev1)

        state = try stateAfter(
            eventLine(
                "escalated", at: time(12), data: ["reason": "spreads", "scope": "multi-process"]),
            in: test)
        state = try stateAfter(
            eventLine("escalated", at: time(13), data: ["reason": "still spreading"]), in: test)
        #expect(state.scope == "multi-process")
        #expect(
            state.escalations == [
                Escalation(
                    at: try instant(time(12)), reason: "spreads", scope: "multi-process",
                    position: 9),
                Escalation(
                    at: try instant(time(13)), reason: "still spreading", scope: nil, position: 10),
            ])

        state = try stateAfter(eventLine("note", at: time(14), data: ["text": "hmm"]), in: test)
        #expect(state.eventCount == 10)
        #expect(state.lastPosition == 11)

        state = try stateAfter(
            eventLine(
                "root-cause", at: time(15),
                data: ["category": "config", "summary": "a bad timeout", "change": "PR-12"]),
            in: test)
        #expect(state.rootCauseCategory == "config")
        #expect(state.rootCauseSummary == "a bad timeout")
        #expect(state.changeReference == "PR-12")

        state = try stateAfter(
            eventLine("mitigated", at: time(16), data: ["action": "rollback"]), in: test)
        state = try stateAfter(
            eventLine("mitigated", at: time(17), data: ["action": "patch"]), in: test)
        #expect(state.firstMitigatedAt?.text == time(16))

        state = try stateAfter(
            eventLine("notified", at: time(18), data: ["channel": "#ops"]), in: test)
        state = try stateAfter(
            eventLine("notified", at: time(19), data: ["channel": "mail", "audience": "all"]),
            in: test)
        #expect(state.notificationCount == 2)

        state = try stateAfter(
            eventLine(
                "follow-up", at: time(20),
                data: ["task": "T-1", "title": "Alert", "due": "2026-04-01", "owner": "dave"]),
            in: test)
        state = try stateAfter(
            eventLine("follow-up", at: time(21), data: ["task": "T-2", "title": "Docs"]), in: test)
        #expect(
            state.followUps == [
                FollowUp(
                    task: "T-1", title: "Alert", owner: "dave",
                    due: try CivilDate(parsing: "2026-04-01"), openedAt: try instant(time(20)),
                    doneAt: nil, position: 17),
                FollowUp(
                    task: "T-2", title: "Docs", owner: nil, due: nil,
                    openedAt: try instant(time(21)), doneAt: nil, position: 18),
            ])

        state = try stateAfter(eventLine("resolved", at: time(30)), in: test)
        #expect(state.status == .resolved)
        #expect(state.firstResolvedAt?.text == time(30))
        #expect(state.resolvedAt?.text == time(30))

        state = try stateAfter(
            eventLine(
                "root-cause", at: time(31),
                data: ["category": "code-change", "summary": "a regression"]),
            in: test)
        #expect(state.rootCauseCategory == "code-change")
        #expect(state.rootCauseSummary == "a regression")
        #expect(state.changeReference == nil)

        state = try stateAfter(
            eventLine(
                "closed", at: time(40),
                data: [
                    "whatHappened": "exports timed out", "why": "config",
                    "whatWillChange": "alerting",
                ]), in: test)
        #expect(state.status == .closed)
        #expect(state.closedAt?.text == time(40))
        #expect(state.whatHappened == "exports timed out")
        #expect(state.why == "config")
        #expect(state.whatWillChange == "alerting")

        state = try stateAfter(
            eventLine("follow-up-done", at: time(45), data: ["task": "T-1"]), in: test)
        #expect(state.followUps.map(\.doneAt?.text) == [time(45), nil])

        state = try stateAfter(
            eventLine("postmortem", at: time(50), data: ["document": "wiki/pm-1"]), in: test)
        #expect(state.postmortem == "wiki/pm-1")
        #expect(state.postmortemAt?.text == time(50))
        #expect(state.eventCount == 22)
        #expect(state.firstPosition == 2)
        #expect(state.lastPosition == 23)
        #expect(state.correctionCount == 0)
        #expect(try test.ledger.state(of: "OTHER")?.eventCount == 1)
        #expect(try test.ledger.state(of: "OTHER")?.lastPosition == 1)
        #expect(try replayedState(of: "INC-1", in: test.ledger) == state)
    }

    @Test("reopening and resolving again keeps the first and the last resolution")
    func reopenAndResolveAgain() throws {
        let test = try TestLedger()
        try test.append(
            detectedLine(),
            eventLine("resolved", at: time(10)),
            eventLine("closed", at: time(11), data: ["why": "first guess"]))

        var state = try stateAfter(
            eventLine("reopened", at: time(20), data: ["reason": "it failed again"]), in: test)
        #expect(state.status == .open)
        #expect(state.reopenCount == 1)
        #expect(state.resolvedAt == nil)
        #expect(state.closedAt == nil)
        #expect(state.firstResolvedAt?.text == time(10))

        state = try stateAfter(eventLine("resolved", at: time(30)), in: test)
        state = try stateAfter(
            eventLine("reopened", at: time(40), data: ["reason": "and again"]), in: test)
        state = try stateAfter(eventLine("resolved", at: time(50)), in: test)

        #expect(state.status == .resolved)
        #expect(state.reopenCount == 2)
        #expect(state.firstResolvedAt?.text == time(10))
        #expect(state.resolvedAt?.text == time(50))
        #expect(state.eventCount == 7)
        #expect(try replayedState(of: "INC-1", in: test.ledger) == state)
    }

    @Test("a corrected time of the ack changes the first acknowledgement")
    func correctedAckTime() throws {
        let test = try TestLedger()
        try test.append(
            detectedLine(id: eventID(1)),
            eventLine("acknowledged", at: time(20), id: eventID(2)),
            eventLine("acknowledged", at: time(30), id: eventID(3)))

        let state = try stateAfter(
            eventLine(
                "corrected", at: time(40),
                data: [
                    "event": .string(eventID(2)), "reason": "clock skew", "at": .string(time(5)),
                ]),
            in: test)

        #expect(state.firstAcknowledgedAt?.text == time(5))
        #expect(state.correctionCount == 1)
        #expect(state.eventCount == 4)
        #expect(state.lastPosition == 4)
    }

    @Test("correcting the earliest ack to later makes the next ack the first")
    func correctedAckLater() throws {
        let test = try TestLedger()
        try test.append(
            detectedLine(id: eventID(1)),
            eventLine("acknowledged", at: time(20), id: eventID(2)),
            eventLine("acknowledged", at: time(30), id: eventID(3)))

        let state = try stateAfter(
            eventLine(
                "corrected", at: time(40),
                data: ["event": .string(eventID(2)), "reason": "r", "at": .string(time(35))]),
            in: test)

        #expect(state.firstAcknowledgedAt?.text == time(30))
    }

    @Test("a corrected severity of the detection changes the severity; the record stays")
    func correctedDetectionSeverity() throws {
        let test = try TestLedger()
        try test.append(detectedLine(id: eventID(1), severity: "SEV3"))
        let original = try test.ledger.recordBytes(at: 1)

        let state = try stateAfter(
            eventLine(
                "corrected", at: time(10),
                data: [
                    "event": .string(eventID(1)), "reason": "worse than thought",
                    "data": ["severity": "SEV1", "title": "Export and import failed"],
                ]), in: test)

        #expect(state.severity == .sev1)
        #expect(state.highestSeverity == .sev1)
        #expect(state.title == "Export and import failed")
        #expect(state.process == "nightly-export")
        #expect(try test.ledger.recordBytes(at: 1) == original)
        let history = try test.ledger.history(of: "INC-1")
        #expect(history.map(\.event.type) == [.detected, .corrected])
        #expect(history.first?.event.data.string("severity") == "SEV3")
    }

    @Test("later corrections of one event win field by field")
    func laterCorrectionsWin() throws {
        let test = try TestLedger()
        try test.append(
            detectedLine(id: eventID(1), severity: "SEV3", title: "A"),
            eventLine(
                "corrected", at: time(10),
                data: [
                    "event": .string(eventID(1)), "reason": "r",
                    "data": ["severity": "SEV2", "title": "B"],
                ]))

        let state = try stateAfter(
            eventLine(
                "corrected", at: time(20),
                data: ["event": .string(eventID(1)), "reason": "r", "data": ["title": "C"]]),
            in: test)

        #expect(state.title == "C")
        #expect(state.severity == .sev2)
        #expect(state.correctionCount == 2)
        #expect(state.eventCount == 3)
    }

    @Test("a corrected detection time moves detectedAt and keeps the impact start")
    func correctedDetectionTime() throws {
        let test = try TestLedger()
        try test.append(
            eventLine(
                "detected", at: time(10), id: eventID(1),
                data: [
                    "impactStartedAt": .string(time(2)), "process": "p", "severity": "SEV3",
                    "title": "t",
                ]))

        let state = try stateAfter(
            eventLine(
                "corrected", at: time(20),
                data: ["event": .string(eventID(1)), "reason": "r", "at": .string(time(4))]),
            in: test)

        #expect(state.detectedAt.text == time(4))
        #expect(state.impactStartedAt?.text == time(2))
    }

    @Test("the state kept in the ledger equals a replay of the incident's history")
    func keptStateEqualsReplay() throws {
        let test = try TestLedger()
        try test.append(
            detectedLine("INC-1", id: eventID(1), severity: "SEV4"),
            detectedLine("INC-2", id: eventID(2)),
            eventLine("acknowledged", "INC-1", at: time(5), id: eventID(3)),
            eventLine(
                "triaged", "INC-1", at: time(6), id: eventID(4),
                data: ["scope": "single-process", "processes": ["a"], "severity": "SEV3"]))
        try test.append(
            eventLine(
                "corrected", "INC-1", at: time(7),
                data: [
                    "event": .string(eventID(4)), "reason": "r",
                    "data": ["processes": ["a", "b"], "customerFacing": true],
                ]),
            eventLine("assigned", "INC-1", at: time(8), data: ["owner": "bob", "team": "t1"]),
            eventLine("note", "INC-2", at: time(8), data: ["text": "n"]),
            eventLine(
                "follow-up", "INC-1", at: time(9), id: eventID(5),
                data: ["task": "T-1", "title": "x", "due": "2026-05-01"]))
        try test.append(
            eventLine(
                "corrected", "INC-1", at: time(10),
                data: [
                    "event": .string(eventID(5)), "reason": "r", "at": .string(time(8)),
                    "data": ["due": "2026-06-01", "owner": "erin"],
                ]),
            eventLine("resolved", "INC-1", at: time(11)),
            eventLine(
                "corrected", "INC-1", at: time(12),
                data: ["event": .string(eventID(1)), "reason": "r", "data": ["severity": "SEV1"]]),
            eventLine("follow-up-done", "INC-1", at: time(13), data: ["task": "T-1"]))

        let kept = try #require(try test.ledger.state(of: "INC-1"))
        let replayed = try replayedState(of: "INC-1", in: test.ledger)

        #expect(kept == replayed)
        #expect(kept.processes == ["a", "b"])
        #expect(kept.customerFacing == true)
        #expect(kept.severity == .sev3)
        #expect(kept.highestSeverity == .sev1)
        #expect(
            kept.followUps == [
                FollowUp(
                    task: "T-1", title: "x", owner: "erin",
                    due: try CivilDate(parsing: "2026-06-01"),
                    openedAt: try instant(time(8)), doneAt: try instant(time(13)), position: 8)
            ])
        #expect(kept.correctionCount == 3)
        #expect(kept.eventCount == 10)
        #expect(kept.lastPosition == 12)
        #expect(
            try test.ledger.state(of: "INC-2") == (try replayedState(of: "INC-2", in: test.ledger)))
    }

    @Test("a state survives closing and reopening the ledger")
    func stateIsKeptOnDisk() throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/ledger"
        let expected: IncidentState?
        do {
            let ledger = try Ledger(path: path, access: .readWrite, create: true)
            _ = try ledger.append(
                .ndjson(
                    ndjson([
                        detectedLine(),
                        eventLine("assigned", at: time(1), data: ["owner": "bob"]),
                        eventLine("follow-up", at: time(2), data: ["task": "T", "title": "t"]),
                    ])))
            expected = try ledger.state(of: "INC-1")
        }

        let reopened = try Ledger(path: path, access: .readOnly)

        #expect(expected != nil)
        #expect(try reopened.state(of: "INC-1") == expected)
        #expect(try reopened.state(of: "INC-9") == nil)
        #expect(try reopened.history(of: "INC-9") == [])
    }

    @Test("the replay of no events is nil")
    func replayOfNothing() throws {
        #expect(try IncidentProjector.replay([]) == nil)
    }
}
