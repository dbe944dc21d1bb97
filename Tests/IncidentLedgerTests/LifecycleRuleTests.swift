import Testing

@testable import IncidentLedger

/// Lines that take INC-1 through detection (id 1), a follow-up T-1 (id 2), resolution
/// (id 3) and closing (id 4).
private let closedIncident = [
    detectedLine(id: eventID(1)),
    eventLine("follow-up", at: time(5), id: eventID(2), data: ["task": "T-1", "title": "Alert"]),
    eventLine("resolved", at: time(10), id: eventID(3)),
    eventLine("closed", at: time(20), id: eventID(4)),
]

@Suite("Lifecycle rules")
struct LifecycleRuleTests {
    // MARK: Rule 1

    @Test("rule 1: an incident may begin with detected")
    func rule1AcceptsDetectionFirst() throws {
        let test = try TestLedger()

        let report = try test.append(detectedLine(), eventLine("acknowledged", at: time(1)))

        #expect(report.written == 2)
        #expect(try test.ledger.state(of: "INC-1")?.eventCount == 2)
    }

    @Test("rule 1: an event of an incident with no detected event is refused")
    func rule1RefusesAckWithoutDetection() throws {
        let test = try TestLedger()

        #expect(
            test.refusal(eventLine("acknowledged"))
                == "line 1: type: rule 1: incident INC-1 has no detected event; "
                + "it must begin with one")
        #expect(try test.ledger.state(of: "INC-1") == nil)
    }

    @Test("rule 1: a second detected event is refused")
    func rule1RefusesSecondDetection() throws {
        let test = try TestLedger()
        try test.append(detectedLine())

        #expect(
            test.refusal(detectedLine(at: time(5)))
                == "line 1: type: rule 1: incident INC-1 already has a detected event")
    }

    @Test("rule 1: a second detected event in the same batch is refused")
    func rule1RefusesSecondDetectionInBatch() throws {
        let test = try TestLedger()

        let errors = test.refusals([detectedLine(), detectedLine(at: time(5))])

        #expect(
            errors.map(\.description)
                == ["line 2: type: rule 1: incident INC-1 already has a detected event"])
    }

    @Test("rule 1: a detected event of another incident is accepted")
    func rule1AcceptsOtherIncidents() throws {
        let test = try TestLedger()
        try test.append(detectedLine("INC-1"))

        let report = try test.append(detectedLine("INC-2"))

        #expect(report.written == 1)
        #expect(try test.ledger.incidentCount() == 2)
    }

    // MARK: Rule 2

    @Test("rule 2: resolving an open incident is accepted, also after reopening")
    func rule2AcceptsResolveWhileOpen() throws {
        let test = try TestLedger()
        try test.append(detectedLine(), eventLine("resolved", at: time(1)))
        try test.append(eventLine("reopened", at: time(2), data: ["reason": "again"]))

        let report = try test.append(eventLine("resolved", at: time(3)))

        #expect(report.written == 1)
        #expect(try test.ledger.state(of: "INC-1")?.status == .resolved)
    }

    @Test("rule 2: resolving a resolved incident is refused")
    func rule2RefusesResolveWhenResolved() throws {
        let test = try TestLedger()
        try test.append(detectedLine(), eventLine("resolved", at: time(1)))

        #expect(
            test.refusal(eventLine("resolved", at: time(2)))
                == "line 1: type: rule 2: incident INC-1 is resolved, not open")
    }

    // MARK: Rule 3

    @Test("rule 3: reopening a resolved incident is accepted")
    func rule3AcceptsReopenWhenResolved() throws {
        let test = try TestLedger()
        try test.append(detectedLine(), eventLine("resolved", at: time(1)))

        try test.append(eventLine("reopened", at: time(2), data: ["reason": "again"]))

        #expect(try test.ledger.state(of: "INC-1")?.status == .open)
    }

    @Test("rule 3: reopening a closed incident is accepted")
    func rule3AcceptsReopenWhenClosed() throws {
        let test = try TestLedger()
        try test.append(closedIncident)

        try test.append(eventLine("reopened", at: time(30), data: ["reason": "again"]))

        let state = try #require(try test.ledger.state(of: "INC-1"))
        #expect(state.status == .open)
        #expect(state.closedAt == nil)
        #expect(state.resolvedAt == nil)
    }

    @Test("rule 3: closing a resolved incident is accepted")
    func rule3AcceptsCloseWhenResolved() throws {
        let test = try TestLedger()
        try test.append(detectedLine(), eventLine("resolved", at: time(1)))

        try test.append(eventLine("closed", at: time(2)))

        #expect(try test.ledger.state(of: "INC-1")?.status == .closed)
    }

    @Test("rule 3: reopening an open incident is refused")
    func rule3RefusesReopenWhenOpen() throws {
        let test = try TestLedger()
        try test.append(detectedLine())

        #expect(
            test.refusal(eventLine("reopened", at: time(1), data: ["reason": "again"]))
                == "line 1: type: rule 3: incident INC-1 is open; only a resolved or closed "
                + "one can be reopened")
    }

    @Test("rule 3: closing an open incident is refused")
    func rule3RefusesCloseWhenOpen() throws {
        let test = try TestLedger()
        try test.append(detectedLine())

        #expect(
            test.refusal(eventLine("closed", at: time(1)))
                == "line 1: type: rule 3: incident INC-1 is open; only a resolved one can be "
                + "closed")
    }

    // MARK: Rule 4

    @Test(
        "rule 4: after closed only the seven allowed types are accepted",
        arguments: EventType.allCases.filter { !$0.isLedgerLevel })
    func rule4AfterClose(type: EventType) throws {
        let test = try TestLedger()
        try test.append(closedIncident)
        let line = eventLine(
            type.rawValue, at: time(30), id: eventID(9),
            data: type == .followUpDone ? ["task": "T-1"] : requiredData(of: type))

        if type.isAllowedAfterClose {
            let report = try test.append(line)
            #expect(report.written == 1)
        } else if type == .detected {
            #expect(
                test.refusal(line)
                    == "line 1: type: rule 1: incident INC-1 already has a detected event")
        } else {
            #expect(
                test.refusal(line)
                    == "line 1: type: rule 4: incident INC-1 is closed; \(type.rawValue) "
                    + "is not accepted")
        }
    }

    @Test("rule 4: the types allowed after closed are the seven the contract lists")
    func rule4AllowedTypes() {
        let allowed = EventType.allCases.filter(\.isAllowedAfterClose)

        #expect(
            allowed == [
                .note, .reopened, .notified, .followUp, .followUpDone, .postmortem, .corrected,
            ])
    }

    // MARK: Rule 5

    @Test("rule 5: completing a task opened earlier, in the ledger or the batch, is accepted")
    func rule5AcceptsKnownTask() throws {
        let test = try TestLedger()
        try test.append(
            detectedLine(),
            eventLine("follow-up", at: time(1), data: ["task": "T-1", "title": "one"]))

        let report = try test.append(
            eventLine("follow-up-done", at: time(2), data: ["task": "T-1"]),
            eventLine("follow-up", at: time(3), data: ["task": "T-2", "title": "two"]),
            eventLine("follow-up-done", at: time(4), data: ["task": "T-2"]))

        #expect(report.written == 3)
        let state = try #require(try test.ledger.state(of: "INC-1"))
        #expect(state.followUps.map(\.doneAt?.text) == [time(2), time(4)])
    }

    @Test("rule 5: completing an unknown task is refused")
    func rule5RefusesUnknownTask() throws {
        let test = try TestLedger()
        try test.append(
            detectedLine(),
            eventLine("follow-up", at: time(1), data: ["task": "T-1", "title": "one"]))

        #expect(
            test.refusal(eventLine("follow-up-done", at: time(2), data: ["task": "T-2"]))
                == #"line 1: data.task: rule 5: incident INC-1 has no follow-up task "T-2""#)
    }

    @Test("rule 5: completing a task of another incident is refused")
    func rule5RefusesTaskOfOtherIncident() throws {
        let test = try TestLedger()
        try test.append(
            detectedLine("INC-1"), detectedLine("INC-2"),
            eventLine("follow-up", "INC-2", at: time(1), data: ["task": "T-1", "title": "one"]))

        #expect(
            test.refusal(eventLine("follow-up-done", "INC-1", at: time(2), data: ["task": "T-1"]))
                == #"line 1: data.task: rule 5: incident INC-1 has no follow-up task "T-1""#)
    }

    // MARK: Rule 6

    @Test("rule 6: correcting an earlier event of the same incident is accepted")
    func rule6AcceptsCorrection() throws {
        let test = try TestLedger()
        try test.append(
            detectedLine(id: eventID(1)),
            eventLine("note", at: time(1), id: eventID(2), data: ["text": "tpyo"]))

        let report = try test.append(
            eventLine(
                "corrected", at: time(2),
                data: ["event": .string(eventID(2)), "reason": "typo", "data": ["text": "typo"]]))

        #expect(report.written == 1)
        #expect(try test.ledger.state(of: "INC-1")?.correctionCount == 1)
    }

    @Test("rule 6: correcting an event appended earlier in the same batch is accepted")
    func rule6AcceptsCorrectionInBatch() throws {
        let test = try TestLedger()

        let report = try test.append(
            detectedLine(id: eventID(1), severity: "SEV3"),
            eventLine(
                "corrected", at: time(2),
                data: [
                    "event": .string(eventID(1)), "reason": "worse", "data": ["severity": "SEV2"],
                ]))

        #expect(report.written == 2)
        #expect(try test.ledger.state(of: "INC-1")?.severity == .sev2)
    }

    @Test("rule 6: correcting an event of another incident is refused")
    func rule6RefusesOtherIncident() throws {
        let test = try TestLedger()
        try test.append(
            detectedLine("INC-1", id: eventID(1)), detectedLine("INC-2", id: eventID(2)))

        #expect(
            test.refusal(
                eventLine(
                    "corrected", "INC-1", at: time(5),
                    data: ["event": .string(eventID(2)), "reason": "r", "at": .string(time(1))]))
                == "line 1: data.event: rule 6: event \(eventID(2)) belongs to incident INC-2, "
                + "not INC-1")
    }

    @Test("rule 6: correcting a correction is refused")
    func rule6RefusesCorrectionOfCorrection() throws {
        let test = try TestLedger()
        try test.append(
            detectedLine(id: eventID(1)),
            eventLine(
                "corrected", at: time(5), id: eventID(2),
                data: ["event": .string(eventID(1)), "reason": "r", "at": .string(time(1))]))

        #expect(
            test.refusal(
                eventLine(
                    "corrected", at: time(6),
                    data: ["event": .string(eventID(2)), "reason": "r", "at": .string(time(2))]))
                == "line 1: data.event: rule 6: event \(eventID(2)) is itself a correction")
    }

    @Test("rule 6: correcting an event id that does not exist is refused")
    func rule6RefusesUnknownEvent() throws {
        let test = try TestLedger()
        try test.append(detectedLine(id: eventID(1)))

        #expect(
            test.refusal(
                eventLine(
                    "corrected", at: time(6),
                    data: ["event": .string(eventID(7)), "reason": "r", "at": .string(time(2))]))
                == "line 1: data.event: rule 6: event \(eventID(7)) does not exist in "
                + "incident INC-1")
    }

    @Test("rule 6: a correction naming a later event of the same batch is refused")
    func rule6RefusesForwardReference() throws {
        let test = try TestLedger()
        try test.append(detectedLine(id: eventID(1)))

        let errors = test.refusals([
            eventLine(
                "corrected", at: time(6),
                data: ["event": .string(eventID(2)), "reason": "r", "data": ["text": "b"]]),
            eventLine("note", at: time(5), id: eventID(2), data: ["text": "a"]),
        ])

        #expect(
            errors.map(\.description)
                == [
                    "line 1: data.event: rule 6: event \(eventID(2)) does not exist in "
                        + "incident INC-1"
                ])
    }

    @Test("a correction's data is checked against the fields of the type it corrects")
    func correctionDataIsTyped() throws {
        let test = try TestLedger()
        try test.append(
            detectedLine(id: eventID(1)), eventLine("acknowledged", at: time(1), id: eventID(2)))

        #expect(
            test.refusal(
                eventLine(
                    "corrected", at: time(6),
                    data: [
                        "event": .string(eventID(2)), "reason": "r", "data": ["severity": "SEV1"],
                    ]
                ))
                == "line 1: data.data.severity: is not a field of acknowledged events")
        #expect(
            test.refusal(
                eventLine(
                    "corrected", at: time(6),
                    data: [
                        "event": .string(eventID(1)), "reason": "r", "data": ["severity": "SEV0"],
                    ]
                ))
                == #"line 1: data.data.severity: must be one of SEV1, SEV2, SEV3, SEV4, not "SEV0""#
        )
        #expect(
            test.refusal(
                eventLine(
                    "corrected", at: time(6),
                    data: [
                        "event": .string(eventID(1)), "reason": "r",
                        "data": ["impactStartedAt": "yesterday"],
                    ]))
                == "line 1: data.data.impactStartedAt: must be an RFC 3339 time: "
                + "year must be 4 digits")
    }

    // MARK: Rule 7

    @Test(
        "rule 7: ack, mitigation, resolution or close before the detection is refused",
        arguments: ["acknowledged", "mitigated", "resolved", "closed"])
    func rule7RefusesEarlierThanDetection(type: String) throws {
        let test = try TestLedger()
        try test.append(detectedLine(at: time(10)))
        if type == "closed" { try test.append(eventLine("resolved", at: time(11))) }
        let data: [String: JSONInput] = type == "mitigated" ? ["action": "restart"] : [:]

        #expect(
            test.refusal(eventLine(type, at: "2026-03-02T09:09:59.999Z", data: data))
                == "line 1: at: rule 7: \(type) at 2026-03-02T09:09:59.999Z is earlier than the "
                + "detection of INC-1 at 2026-03-02T09:10:00Z")
    }

    @Test(
        "rule 7: ack, mitigation, resolution or close at the detection's instant is accepted",
        arguments: ["acknowledged", "mitigated", "resolved", "closed"])
    func rule7AcceptsSameInstant(type: String) throws {
        let test = try TestLedger()
        try test.append(detectedLine(at: time(10)))
        if type == "closed" { try test.append(eventLine("resolved", at: time(10))) }
        let data: [String: JSONInput] = type == "mitigated" ? ["action": "restart"] : [:]

        let report = try test.append(eventLine(type, at: "2026-03-02T10:10:00+01:00", data: data))

        #expect(report.written == 1)
    }

    @Test("rule 7: other events may be earlier than the detection")
    func rule7AllowsEarlierNotes() throws {
        let test = try TestLedger()
        try test.append(detectedLine(at: time(10)))

        let report = try test.append(
            eventLine("note", at: time(0), data: ["text": "first signs"]),
            eventLine("assigned", at: time(1), data: ["owner": "bob"]))

        #expect(report.written == 2)
    }

    @Test("rule 7: a correction moving the detection after an existing ack is refused")
    func rule7RefusesCorrectionMovingDetectionLater() throws {
        let test = try TestLedger()
        try test.append(detectedLine(id: eventID(1)), eventLine("acknowledged", at: time(5)))

        #expect(
            test.refusal(
                eventLine(
                    "corrected", at: time(20),
                    data: ["event": .string(eventID(1)), "reason": "late", "at": .string(time(10))]
                ))
                == "line 1: at: rule 7: acknowledged at 2026-03-02T09:05:00Z is earlier than the "
                + "detection of INC-1 at 2026-03-02T09:10:00Z")
    }

    @Test("rule 7: a correction moving an ack before the detection is refused")
    func rule7RefusesCorrectionMovingAckEarlier() throws {
        let test = try TestLedger()
        try test.append(
            detectedLine(at: time(10)), eventLine("acknowledged", at: time(15), id: eventID(2)))

        #expect(
            test.refusal(
                eventLine(
                    "corrected", at: time(20),
                    data: ["event": .string(eventID(2)), "reason": "early", "at": .string(time(5))]
                ))
                == "line 1: at: rule 7: acknowledged at 2026-03-02T09:05:00Z is earlier than the "
                + "detection of INC-1 at 2026-03-02T09:10:00Z")
    }

    @Test("rule 7: a correction moving the detection to the ack's instant is accepted")
    func rule7AcceptsCorrectionUpToAck() throws {
        let test = try TestLedger()
        try test.append(detectedLine(id: eventID(1)), eventLine("acknowledged", at: time(5)))

        try test.append(
            eventLine(
                "corrected", at: time(20),
                data: ["event": .string(eventID(1)), "reason": "late", "at": .string(time(5))]))

        #expect(try test.ledger.state(of: "INC-1")?.detectedAt.text == time(5))
    }

    @Test("rule 7: after a correction moves the detection, new events are checked against it")
    func rule7UsesCorrectedDetection() throws {
        let test = try TestLedger()
        try test.append(
            detectedLine(id: eventID(1)),
            eventLine(
                "corrected", at: time(20),
                data: ["event": .string(eventID(1)), "reason": "late", "at": .string(time(10))]))

        #expect(
            test.refusal(eventLine("acknowledged", at: time(5)))
                == "line 1: at: rule 7: acknowledged at 2026-03-02T09:05:00Z is earlier than the "
                + "detection of INC-1 at 2026-03-02T09:10:00Z")
    }

    @Test("a correction moving the detection before its impact start is refused")
    func correctionKeepsImpactBeforeDetection() throws {
        let test = try TestLedger()
        try test.append(
            eventLine(
                "detected", at: time(10), id: eventID(1),
                data: [
                    "impactStartedAt": .string(time(5)), "process": "p", "severity": "SEV3",
                    "title": "t",
                ]))

        #expect(
            test.refusal(
                eventLine(
                    "corrected", at: time(20),
                    data: ["event": .string(eventID(1)), "reason": "r", "at": .string(time(4))]))
                == "line 1: data: the corrected impactStartedAt would be after the detection time")
    }

    @Test("a correction may not move the impact start after a detection time corrected earlier")
    func impactStartAfterCorrectedDetection() throws {
        let test = try TestLedger()
        try test.append(
            eventLine(
                "detected", at: time(10), id: eventID(1),
                data: [
                    "impactStartedAt": .string(time(5)), "process": "p", "severity": "SEV3",
                    "title": "t",
                ]),
            eventLine(
                "corrected", at: time(20),
                data: ["event": .string(eventID(1)), "reason": "earlier", "at": .string(time(8))]))

        #expect(
            test.refusal(
                eventLine(
                    "corrected", at: time(21),
                    data: [
                        "event": .string(eventID(1)), "reason": "later impact",
                        "data": ["impactStartedAt": .string(time(9))],
                    ]))
                == "line 1: data: the corrected impactStartedAt would be after the detection time")
    }

    @Test("a correction may not move the detection before an impact start corrected earlier")
    func detectionBeforeCorrectedImpactStart() throws {
        let test = try TestLedger()
        try test.append(
            eventLine(
                "detected", at: time(10), id: eventID(1),
                data: [
                    "impactStartedAt": .string(time(5)), "process": "p", "severity": "SEV3",
                    "title": "t",
                ]),
            eventLine(
                "corrected", at: time(20),
                data: [
                    "event": .string(eventID(1)), "reason": "later impact",
                    "data": ["impactStartedAt": .string(time(9))],
                ]))

        #expect(
            test.refusal(
                eventLine(
                    "corrected", at: time(21),
                    data: [
                        "event": .string(eventID(1)), "reason": "earlier", "at": .string(time(8)),
                    ]
                ))
                == "line 1: data: the corrected impactStartedAt would be after the detection time")
    }
}
