import Testing

@testable import IncidentLedger

// Log entries written from the shape PagerDuty's REST API documents for an incident's log
// entries: id, type, summary, created_at, agent, channel, service and incident references,
// and assignees on an assignment. The API lists the newest entry first.

/// A reference object as PagerDuty writes one.
func pagerDutyReference(_ id: String, _ type: String, _ summary: String) -> JSONInput {
    .object([
        "id": .string(id), "type": .string(type), "summary": .string(summary),
        "self": .string("https://api.pagerduty.example/\(id)"),
    ])
}

/// One log entry of incident `PT4KHLK` on the `Nightly Export` service.
func logEntry(
    _ id: String, _ type: String, at createdAt: String, summary: String = "an entry",
    agent: String? = "Dana Ops", extra: [String: JSONInput] = [:],
    incident: String = "PT4KHLK", service: String? = "Nightly Export"
) -> String {
    var entry: [String: JSONInput] = [
        "id": .string(id), "type": .string(type), "summary": .string(summary),
        "created_at": .string(createdAt), "channel": ["type": "website"],
        "incident": pagerDutyReference(
            incident, "incident_reference", "[#1234] Export job failed"),
        "teams": [pagerDutyReference("PQ9K7I8", "team_reference", "Data Platform")],
    ]
    if let agent { entry["agent"] = pagerDutyReference("PU1", "user_reference", agent) }
    if let service { entry["service"] = pagerDutyReference("PS1", "service_reference", service) }
    for (key, value) in extra { entry[key] = value }
    return JSONInput.object(entry).json
}

/// The API's answer around `entries`, laid out over several lines as a saved file is.
func logEntriesDocument(_ entries: [String]) -> String {
    "{\n  \"log_entries\": [\n    " + entries.joined(separator: ",\n    ")
        + "\n  ],\n  \"limit\": 25,\n  \"offset\": 0,\n  \"more\": false,\n  \"total\": null\n}\n"
}

/// A whole incident's log, newest first as the API lists it.
let pagerDutyLog = [
    logEntry(
        "R6", "resolve_log_entry", at: "2026-03-02T10:30:00Z", summary: "Resolved by Dana Ops"),
    logEntry(
        "R5", "annotate_log_entry", at: "2026-03-02T09:40:00Z", summary: "Note added",
        extra: ["channel": ["type": "note", "summary": "Disk full on the export host"]]),
    logEntry("R4", "acknowledge_log_entry", at: "2026-03-02T09:20:00Z"),
    logEntry("R3", "notify_log_entry", at: "2026-03-02T09:14:05Z", agent: nil),
    logEntry(
        "R2", "assign_log_entry", at: "2026-03-02T09:14:00Z", agent: "Nightly Export",
        extra: [
            "assignees": [
                pagerDutyReference("PU1", "user_reference", "Dana Ops"),
                pagerDutyReference("PU2", "user_reference", "Sam Lee"),
            ]
        ]),
    logEntry(
        "Q02JTSNZWHSEKV", "trigger_log_entry", at: "2026-03-02T09:14:00Z",
        summary: "Triggered through the API", agent: "Events API"),
]

func pagerDuty(
    _ text: String, options: PagerDutyFeed.Options = PagerDutyFeed.Options()
) throws -> FeedConversion {
    try PagerDutyFeed.convert(Array(text.utf8), options: options)
}

@Suite("PagerDuty log entries")
struct PagerDutyFeedTests {
    @Test("an incident's log becomes its events in time order; other entries are counted")
    func wholeIncident() throws {
        let conversion = try pagerDuty(logEntriesDocument(pagerDutyLog))
        let made = events(of: conversion)
        #expect(made.map(\.type) == [.detected, .assigned, .acknowledged, .note, .resolved])
        #expect(made.allSatisfy { $0.incident == "PD-PT4KHLK" })
        #expect(
            made.map(\.actor) == [
                "Events API", "Nightly Export", "Dana Ops", "Dana Ops", "Dana Ops",
            ])
        #expect(
            made.map(\.at.text) == [
                "2026-03-02T09:14:00Z", "2026-03-02T09:14:00Z", "2026-03-02T09:20:00Z",
                "2026-03-02T09:40:00Z", "2026-03-02T10:30:00Z",
            ])
        // Computed independently with Python's hashlib and uuid, as for Alertmanager.
        #expect(made.first?.id.description == "6a7c2d6a-03b5-86ba-8694-073283dbdffb")
        #expect(made[0].data.string("process") == "Nightly Export")
        #expect(made[0].data.string("title") == "[#1234] Export job failed")
        #expect(made[0].data.string("severity") == "SEV3")
        #expect(made[1].data.string("owner") == "Dana Ops, Sam Lee")
        #expect(made[3].data.string("text") == "Disk full on the export host")
        #expect(made[4].data.string("summary") == "Resolved by Dana Ops")
        // Each event names the line its entry starts on (the trigger is the last, line 8).
        #expect(conversion.items.map(\.line) == [8, 7, 5, 4, 3])
        #expect(conversion.skipped == ["notify_log_entry": 1])
    }

    @Test("importing the same log twice writes nothing the second time")
    func reimport() throws {
        let ledger = try TestLedger()
        var options = PagerDutyFeed.Options()
        options.severity = .sev2
        let conversion = try pagerDuty(logEntriesDocument(pagerDutyLog), options: options)
        let first = try append(conversion, to: ledger)
        #expect(first.written == 5)
        let state = try #require(try ledger.ledger.state(of: "PD-PT4KHLK"))
        #expect(state.status == .resolved)
        #expect(state.severity == .sev2)
        #expect(state.owner == "Dana Ops, Sam Lee")
        #expect(state.firstAcknowledgedAt?.text == "2026-03-02T09:20:00Z")

        let second = try append(try pagerDuty(logEntriesDocument(pagerDutyLog)), to: ledger)
        #expect(second.written == 0)
        #expect(second.duplicates == 5)
        #expect(second.head == first.head)
    }

    @Test("a second trigger and an assignment to nobody are skipped and counted")
    func skippedEntries() throws {
        let entries = [
            logEntry("T2", "trigger_log_entry", at: "2026-03-02T09:30:00Z"),
            logEntry(
                "A0", "assign_log_entry", at: "2026-03-02T09:15:00Z", extra: ["assignees": []]),
            logEntry("E1", "escalate_log_entry", at: "2026-03-02T09:16:00Z"),
            logEntry("T1", "trigger_log_entry", at: "2026-03-02T09:14:00Z"),
        ]
        let conversion = try pagerDuty(logEntriesDocument(entries))
        #expect(events(of: conversion).map(\.type) == [.detected])
        #expect(
            conversion.skipped == [
                "trigger_log_entry after the first of its incident": 1,
                "assign_log_entry without assignees": 1, "escalate_log_entry": 1,
            ])
        #expect(conversion.skippedCount == 3)
    }

    @Test("malformed entries are refused naming the line and field, and nothing is written")
    func malformedEntries() throws {
        let ledger = try TestLedger()
        let entries = [
            logEntry("T1", "trigger_log_entry", at: "2026-03-02T09:14:00Z", service: nil),
            logEntry("K1", "acknowledge_log_entry", at: "09:20"),
            #"{"id":"N1","created_at":"2026-03-02T09:20:00Z"}"#,
            logEntry("K2", "acknowledge_log_entry", at: "2026-03-02T09:21:00Z", incident: "P T"),
        ]
        let conversion = try pagerDuty(logEntriesDocument(entries))
        #expect(
            refusals(of: conversion) == [
                "line 4: log_entries[1].created_at: must be an RFC 3339 time from 1970 to 2200: "
                    + "year must be 4 digits",
                "line 5: log_entries[2].type: is missing",
                "line 3: log_entries[0].service.summary: is missing: the process is the "
                    + "service's name",
                "line 6: log_entries[3].incident.id: may hold only A-Z a-z 0-9 . _ -, "
                    + "not \"PD-P T\"",
            ])
        #expect(throws: LedgerError.self) { try append(conversion, to: ledger) }
        #expect(try ledger.ledger.head().position == 0)

        #expect(
            refusals(of: try pagerDuty(#"{"incidents":[]}"#)) == [
                "line 1: log_entries: is missing: give what PagerDuty's API returns, "
                    + "{\"log_entries\": [...]}"
            ])
    }

    @Test("a trigger's free-form details may nest deeper than events may")
    func deepDetails() throws {
        var details: JSONInput = "bottom"
        for _ in 0..<40 { details = .object(["inner": details]) }
        let trigger = logEntry(
            "T1", "trigger_log_entry", at: "2026-03-02T09:14:00Z",
            extra: ["channel": .object(["type": "api", "details": details])])
        let conversion = try pagerDuty(logEntriesDocument([trigger]))
        #expect(events(of: conversion).map(\.type) == [.detected])
    }
}
