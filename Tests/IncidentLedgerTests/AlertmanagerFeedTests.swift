import Testing

@testable import IncidentLedger

// Payloads written from the shape Alertmanager's webhook receiver documents (version 4):
// the group's fields, then `alerts[]` with status, labels, annotations, startsAt, endsAt,
// generatorURL and fingerprint. A firing alert's endsAt is Go's zero time.

/// One alert of a webhook payload.
func alertJSON(
    status: String = "firing", labels: [String: JSONInput]? = nil,
    annotations: [String: JSONInput] = ["summary": "Probe failed: https://shop.example"],
    startsAt: String = "2023-02-06T13:08:45.828Z", endsAt: String = "0001-01-01T00:00:00Z",
    fingerprint: String = "1a30ba71cca2921f"
) -> String {
    let labels =
        labels ?? [
            "alertname": "ProbeFailure", "instance": "https://shop.example",
            "job": "http_checks", "severity": "critical",
        ]
    return JSONInput.object([
        "status": .string(status), "labels": .object(labels),
        "annotations": .object(annotations), "startsAt": .string(startsAt),
        "endsAt": .string(endsAt), "generatorURL": "http://prometheus.example:9090/graph",
        "fingerprint": .string(fingerprint),
    ]).json
}

/// A whole version 4 payload on one line, around `alerts`.
func alertmanagerPayload(_ alerts: [String], status: String = "firing") -> String {
    #"{"receiver":"ledger","status":"\#(status)","alerts":[\#(alerts.joined(separator: ","))],"#
        + #""groupLabels":{"alertname":"ProbeFailure"},"commonLabels":{},"#
        + #""commonAnnotations":{},"externalURL":"http://alertmanager.example:9093","#
        + #""version":"4","groupKey":"{}:{alertname=\"ProbeFailure\"}","truncatedAlerts":0}"#
}

/// The incident of the default alert.
let probeIncident = "AM-1a30ba71cca2921f-20230206T130845.828Z"

/// Converts `lines` of payloads.
func alertmanager(
    _ lines: [String], options: AlertmanagerFeed.Options = AlertmanagerFeed.Options()
) throws -> FeedConversion {
    try AlertmanagerFeed.convert(Array(lines.joined(separator: "\n").utf8), options: options)
}

/// The events of a conversion, or an issue for each refusal.
func events(of conversion: FeedConversion) -> [Event] {
    conversion.items.compactMap { item in
        switch item.event {
        case .success(let event): return event
        case .failure(let error):
            Issue.record("refused: \(error)")
            return nil
        }
    }
}

/// The refusals of a conversion.
func refusals(of conversion: FeedConversion) -> [String] {
    conversion.items.compactMap { item in
        if case .failure(let error) = item.event { return error.description }
        return nil
    }
}

/// Appends a conversion as an import does.
@discardableResult
func append(_ conversion: FeedConversion, to ledger: TestLedger) throws -> AppendReport {
    var options = AppendOptions()
    options.sameIDIsDuplicate = true
    return try ledger.ledger.append(conversion.batch, options: options)
}

@Suite("Alertmanager webhook payloads")
struct AlertmanagerFeedTests {
    @Test("a firing alert becomes a detected event with ids derived from fingerprint and start")
    func firingAlert() throws {
        let conversion = try alertmanager([alertmanagerPayload([alertJSON()])])
        let made = events(of: conversion)
        #expect(made.count == 1)
        let event = try #require(made.first)
        // The id, computed independently with Python's hashlib and uuid:
        // SHA-256(namespace bytes + "alertmanager/<incident>/detected")[:16], version 8.
        #expect(event.id.description == "a6e42bc8-ebee-8780-9a68-96e5dfe84d57")
        #expect(event.incident == probeIncident)
        #expect(event.type == .detected)
        #expect(event.at.text == "2023-02-06T13:08:45.828Z")
        #expect(event.actor == "alertmanager")
        #expect(event.data.string("process") == "http_checks")
        #expect(event.data.string("severity") == "SEV1")
        #expect(event.data.string("title") == "Probe failed: https://shop.example")
        #expect(event.data.string("source") == "monitoring")
        #expect(conversion.items.first?.line == 1)
    }

    @Test("the same payload delivered again writes nothing and leaves the head unchanged")
    func redelivery() throws {
        let ledger = try TestLedger()
        let payload = alertmanagerPayload([alertJSON()])
        let first = try append(try alertmanager([payload]), to: ledger)
        #expect(first.written == 1)
        // Alertmanager re-renders annotations on every notification.
        let rerendered = alertmanagerPayload([
            alertJSON(annotations: ["summary": "Probe failed again"])
        ])
        let second = try append(try alertmanager([payload, rerendered]), to: ledger)
        #expect(second.written == 0)
        #expect(second.duplicates == 2)
        #expect(second.head == first.head)
        let state = try #require(try ledger.ledger.state(of: probeIncident))
        #expect(state.title == "Probe failed: https://shop.example")
    }

    @Test("a resolution closes the incident; firing again afterwards is a new incident")
    func resolveThenFireAgain() throws {
        let ledger = try TestLedger()
        try append(try alertmanager([alertmanagerPayload([alertJSON()])]), to: ledger)
        let resolved = alertJSON(status: "resolved", endsAt: "2023-02-06T13:38:45.828Z")
        let again = alertJSON(startsAt: "2023-02-07T08:00:00Z")
        let report = try append(
            try alertmanager([
                alertmanagerPayload([resolved], status: "resolved"), alertmanagerPayload([again]),
            ]), to: ledger)
        // The resolved payload's detected event is the one already there.
        #expect(report.written == 2)
        #expect(report.duplicates == 1)

        let first = try #require(try ledger.ledger.state(of: probeIncident))
        #expect(first.status == .resolved)
        #expect(first.resolvedAt?.text == "2023-02-06T13:38:45.828Z")
        let second = try #require(
            try ledger.ledger.state(of: "AM-1a30ba71cca2921f-20230207T080000Z"))
        #expect(second.status == .open)
        #expect(second.detectedAt.text == "2023-02-07T08:00:00Z")
    }

    @Test("an alert resolved before it was seen firing is imported detected and resolved")
    func resolvedWithoutFiring() throws {
        let ledger = try TestLedger()
        let resolved = alertJSON(
            status: "resolved", startsAt: "2023-02-06T14:08:45.828+01:00",
            endsAt: "2023-02-06T13:20:00Z")
        let conversion = try alertmanager([alertmanagerPayload([resolved], status: "resolved")])
        let made = events(of: conversion)
        #expect(made.map(\.type) == [.detected, .resolved])
        #expect(made.map(\.at.text) == ["2023-02-06T14:08:45.828+01:00", "2023-02-06T13:20:00Z"])
        // The same instant written with another offset names the same incident.
        #expect(made.map(\.incident) == [probeIncident, probeIncident])
        #expect(made.last?.id.description == "f1d02ecb-6123-8394-a0ec-88cfd12133ca")
        #expect(try append(conversion, to: ledger).written == 2)

        // The firing notification arriving late changes nothing.
        let late = try append(try alertmanager([alertmanagerPayload([alertJSON()])]), to: ledger)
        #expect(late.written == 0)
        #expect(late.duplicates == 1)
        #expect(try ledger.ledger.state(of: probeIncident)?.status == .resolved)
    }

    @Test("an alert without the process label is refused, naming the line, alert and label")
    func missingProcessLabel() throws {
        let labels: [String: JSONInput] = ["alertname": "DiskFull", "severity": "warning"]
        let payloads = [
            alertmanagerPayload([alertJSON()]),
            alertmanagerPayload([alertJSON(labels: labels, fingerprint: "00ff")]),
        ]
        #expect(
            refusals(of: try alertmanager(payloads)) == [
                "line 2: alerts[0].labels.job: is missing in alert DiskFull (fingerprint 00ff): "
                    + "the process comes from this label (choose another with --process-label)"
            ])

        var options = AlertmanagerFeed.Options()
        options.processLabel = "alertname"
        let made = events(of: try alertmanager(payloads, options: options))
        #expect(made.map { $0.data.string("process") } == ["ProbeFailure", "DiskFull"])
    }

    @Test("severity: the default mapping, a missing label, an unknown value and --severity-map")
    func severities() throws {
        func severity(_ label: String?, _ options: AlertmanagerFeed.Options) throws -> String? {
            var labels: [String: JSONInput] = ["alertname": "A", "job": "j"]
            if let label { labels["severity"] = .string(label) }
            let conversion = try alertmanager(
                [alertmanagerPayload([alertJSON(labels: labels)])], options: options)
            return events(of: conversion).first?.data.string("severity")
        }
        let defaults = AlertmanagerFeed.Options()
        #expect(try severity("critical", defaults) == "SEV1")
        #expect(try severity("error", defaults) == "SEV2")
        #expect(try severity("High", defaults) == "SEV2")
        #expect(try severity("warning", defaults) == "SEV3")
        #expect(try severity("info", defaults) == "SEV4")
        #expect(try severity(nil, defaults) == "SEV3")

        let unknown = try alertmanager([
            alertmanagerPayload([
                alertJSON(labels: ["alertname": "A", "job": "j", "severity": "page"])
            ])
        ])
        #expect(
            refusals(of: unknown) == [
                "line 1: alerts[0].labels.severity: \"page\" in alert A (fingerprint "
                    + "1a30ba71cca2921f) has no severity; map it with --severity-map, "
                    + "e.g. page=SEV2"
            ])

        var mapped = AlertmanagerFeed.Options()
        mapped.severities = try SeverityMap.defaults.merging(parsing: "page=SEV2, critical=sev4")
        mapped.missingSeverity = .sev1
        #expect(try severity("page", mapped) == "SEV2")
        #expect(try severity("critical", mapped) == "SEV4")
        #expect(try severity("warning", mapped) == "SEV3")
        #expect(try severity(nil, mapped) == "SEV1")

        for malformed in ["page", "page=SEV5", "=SEV1", "page=SEV1,"] {
            #expect(throws: EventError.self, "\(malformed)") {
                try SeverityMap.defaults.merging(parsing: malformed)
            }
        }
    }

    @Test("the title is the summary annotation, else the alert name; with neither it is refused")
    func titles() throws {
        let noSummary = alertJSON(annotations: ["description": "d"])
        let noName = alertJSON(labels: ["job": "j"], annotations: [:], fingerprint: "ab")
        let conversion = try alertmanager([alertmanagerPayload([noSummary, noName])])
        #expect(conversion.items.count == 2)
        if case .success(let event)? = conversion.items.first?.event {
            #expect(event.data.string("title") == "ProbeFailure")
        } else {
            Issue.record("the alert with a name was refused")
        }
        #expect(
            refusals(of: conversion) == [
                "line 1: alerts[1].annotations.summary: is missing in alert without alertname "
                    + "(fingerprint ab), and so is labels.alertname: one of them is the title"
            ])
    }

    @Test("a value that breaks a field rule is refused naming the alert's field it came from")
    func fieldRuleNamesTheSource() throws {
        let tabbed = alertJSON(
            labels: ["alertname": "A", "job": "http\tchecks"],
            annotations: ["summary": .string(String(repeating: "x", count: 16_385))])
        #expect(
            refusals(of: try alertmanager([alertmanagerPayload([tabbed])])) == [
                "line 1: alerts[0].labels.job: must not contain control characters "
                    + "(in alert A (fingerprint 1a30ba71cca2921f))"
            ])
        let long = alertJSON(annotations: [
            "summary": .string(String(repeating: "x", count: 16_385))
        ])
        #expect(
            refusals(of: try alertmanager([alertmanagerPayload([long])])) == [
                "line 1: alerts[0].annotations.summary: must be at most 16384 bytes long "
                    + "(in alert ProbeFailure (fingerprint 1a30ba71cca2921f))"
            ])
    }

    @Test("malformed payloads are refused naming the line and field, and nothing is written")
    func malformedPayloads() throws {
        let ledger = try TestLedger()
        let lines = [
            alertmanagerPayload([alertJSON()]),
            #"{"version":"4","alerts":[}"#,
            alertmanagerPayload([alertJSON()]).replacingOccurrences(
                of: #""version":"4""#, with: #""version":"3""#),
            #"{"version":"4"}"#,
            alertmanagerPayload([alertJSON(status: "pending")]),
            alertmanagerPayload([alertJSON(startsAt: "yesterday")]),
            alertmanagerPayload([alertJSON(fingerprint: "")]),
            alertmanagerPayload([
                alertJSON(status: "resolved", endsAt: "2023-02-06T13:00:00Z")
            ]),
        ]
        let conversion = try alertmanager(lines)
        #expect(
            refusals(of: conversion) == [
                "line 2: invalid JSON at column 26: unexpected character '}' (expected a value)",
                "line 3: version: must be \"4\" (Alertmanager's webhook version 4), not \"3\"",
                "line 4: alerts: is missing",
                "line 5: alerts[0].status: must be firing or resolved, not \"pending\" in alert "
                    + "ProbeFailure (fingerprint 1a30ba71cca2921f)",
                "line 6: alerts[0].startsAt: must be an RFC 3339 time from 1970 to 2200 in alert "
                    + "ProbeFailure (fingerprint 1a30ba71cca2921f): year must be 4 digits",
                "line 7: alerts[0].fingerprint: must not be empty",
                "line 8: alerts[0].endsAt: must not be before startsAt in alert ProbeFailure "
                    + "(fingerprint 1a30ba71cca2921f)",
            ])
        let headBefore = try ledger.ledger.head()
        #expect(throws: LedgerError.self) { try append(conversion, to: ledger) }
        #expect(try ledger.ledger.head() == headBefore)
        #expect(try ledger.ledger.head().position == 0)
    }

    @Test("a payload laid out over many lines is one document; errors name the alert's line")
    func prettyPrintedFile() throws {
        let pretty = """
            {
              "version": "4",
              "status": "firing",
              "alerts": [
                \(alertJSON()),
                \(alertJSON(labels: ["alertname": "NoJob"], fingerprint: "0b"))
              ]
            }
            """
        let conversion = try AlertmanagerFeed.convert(Array(pretty.utf8))
        #expect(conversion.items.map(\.line) == [5, 6])
        #expect(refusals(of: conversion).first?.hasPrefix("line 6: alerts[1].labels.job:") == true)

        let broken = try AlertmanagerFeed.convert(Array("{\n  \"version\": \"4\",\n  ]\n}".utf8))
        #expect(
            refusals(of: broken) == [
                "line 3: invalid JSON at column 3: unexpected character ']' "
                    + "(expected '\"' to begin a key)"
            ])
    }
}
