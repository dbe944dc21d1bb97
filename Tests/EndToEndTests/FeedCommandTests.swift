import Foundation
import Glibc
import Testing

// Inputs written from the formats' public documentation: Alertmanager's webhook payload
// (version 4) and the log entries PagerDuty's REST API returns for an incident.

/// One alert of an Alertmanager payload.
private func alert(
    status: String = "firing", job: String = "http_checks", startsAt: String,
    endsAt: String = "0001-01-01T00:00:00Z", summary: String = "Probe failed: shop.example"
) -> String {
    #"{"status":"\#(status)","labels":{"alertname":"ProbeFailure","job":"\#(job)","#
        + #""severity":"critical","instance":"shop.example"},"#
        + #""annotations":{"summary":"\#(summary)"},"startsAt":"\#(startsAt)","#
        + #""endsAt":"\#(endsAt)","generatorURL":"http://prometheus.example:9090/graph","#
        + #""fingerprint":"1a30ba71cca2921f"}"#
}

/// An Alertmanager webhook payload, version 4, on one line.
private func payload(_ alerts: String..., status: String = "firing") -> String {
    #"{"version":"4","groupKey":"{}:{alertname=\"ProbeFailure\"}","truncatedAlerts":0,"#
        + #""status":"\#(status)","receiver":"ledger","groupLabels":{},"commonLabels":{},"#
        + #""commonAnnotations":{},"externalURL":"http://alertmanager.example:9093","#
        + #""alerts":[\#(alerts.joined(separator: ","))]}"#
}

/// A day of webhooks: the alert fires, resolves, and fires again.
private let webhooks =
    [
        payload(alert(startsAt: "2026-03-02T09:14:00Z")),
        payload(
            alert(
                status: "resolved", startsAt: "2026-03-02T09:14:00Z",
                endsAt: "2026-03-02T09:44:00Z"), status: "resolved"),
        payload(alert(startsAt: "2026-03-02T15:00:00Z", summary: "Probe failed again")),
    ].joined(separator: "\n") + "\n"

/// A PagerDuty incident's log entries, newest first, as the API returns them.
private let pagerDutyEntries = """
    {"log_entries": [
      {"id": "R3", "type": "resolve_log_entry", "summary": "Resolved by Dana Ops",
       "created_at": "2026-03-02T10:30:00Z", "channel": {"type": "website"},
       "agent": {"id": "PU1", "type": "user_reference", "summary": "Dana Ops"},
       "service": {"id": "PS1", "type": "service_reference", "summary": "nightly-export"},
       "incident": {"id": "PT4KHLK", "type": "incident_reference",
                    "summary": "[#1234] Export failed"}},
      {"id": "R2", "type": "notify_log_entry", "summary": "Notified Dana Ops by SMS",
       "created_at": "2026-03-02T09:14:05Z",
       "service": {"id": "PS1", "type": "service_reference", "summary": "nightly-export"},
       "incident": {"id": "PT4KHLK", "type": "incident_reference",
                    "summary": "[#1234] Export failed"}},
      {"id": "R1", "type": "trigger_log_entry", "summary": "Triggered through the API",
       "created_at": "2026-03-02T09:14:00Z", "channel": {"type": "api"},
       "agent": {"id": "PI1", "type": "inbound_integration_reference", "summary": "Events API"},
       "service": {"id": "PS1", "type": "service_reference", "summary": "nightly-export"},
       "incident": {"id": "PT4KHLK", "type": "incident_reference",
                    "summary": "[#1234] Export failed"}}
    ], "limit": 25, "offset": 0, "more": false, "total": null}

    """

@Suite("Imports from Alertmanager and PagerDuty, and metrics for Prometheus")
struct FeedCommandTests {
    @Test("Alertmanager webhooks from stdin: imported once, a second delivery writes nothing")
    func alertmanagerRedelivery() throws {
        let harness = try CLIHarness()
        let arguments = ["import", "--from", "alertmanager", "-", "--json"]
        let first = try harness.run(arguments, stdin: Data(webhooks.utf8))
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix(#"{"duplicates":1,"head":{"hash":""#))
        #expect(first.stdout.hasSuffix(#""rejected":0,"skipped":{},"written":3}"# + "\n"))
        let log = try harness.run(["log", "--json"]).stdout

        let second = try harness.run(arguments, stdin: Data(webhooks.utf8))
        #expect(second.status == 0)
        #expect(second.stdout.hasPrefix(#"{"duplicates":4,"head":{"hash":""#))
        #expect(second.stdout.hasSuffix(#""rejected":0,"skipped":{},"written":0}"# + "\n"))
        #expect(try harness.run(["log", "--json"]).stdout == log)

        // The payloads follow the webhook's schema; the summaries the import report's.
        let spooled = try harness.file("webhooks.ndjson", webhooks)
        let summaries = try harness.file("summaries.ndjson", first.stdout + second.stdout)
        let payloads = try schemaCheck("alertmanager-webhook.schema.json", [spooled])
        #expect(payloads.status == 0, "\(payloads.stdout)")
        let reports = try schemaCheck("import-report.schema.json", [summaries])
        #expect(reports.status == 0, "\(reports.stdout)")

        let list = try harness.run(["list", "--json"])
        #expect(list.stdout.components(separatedBy: #""incident":"AM-"#).count == 3)
        #expect(list.stdout.contains(#""incident":"AM-1a30ba71cca2921f-20260302T091400Z""#))
        #expect(list.stdout.contains(#""incident":"AM-1a30ba71cca2921f-20260302T150000Z""#))
    }

    @Test("a malformed payload is refused naming its line and field; the ledger is unchanged")
    func alertmanagerMalformed() throws {
        let harness = try CLIHarness()
        let good = try harness.file("good.ndjson", payload(alert(startsAt: "2026-03-02T09:14:00Z")))
        #expect(try harness.run(["import", "--from", "alertmanager", good]).status == 0)
        let before = try harness.ledgerFiles()

        let lines = [
            payload(alert(startsAt: "2026-03-02T16:00:00Z")),
            payload(alert(job: "", startsAt: "2026-03-02T17:00:00Z")),
        ]
        let bad = try harness.file("bad.ndjson", lines.joined(separator: "\n"))
        let outcome = try harness.run(["import", "--from", "alertmanager", bad])
        #expect(outcome.status == 65)
        #expect(
            outcome.stderr
                == "incidents import: line 2: alerts[0].labels.job: is missing in alert "
                + "ProbeFailure (fingerprint 1a30ba71cca2921f): the process comes from this "
                + "label (choose another with --process-label)\n")
        #expect(try harness.ledgerFiles()["data.mdb"] == before["data.mdb"])

        let truncated = try harness.file(
            "cut.json", String(payload(alert(startsAt: "x")).prefix(40)))
        let cut = try harness.run(["import", "--from", "alertmanager", truncated])
        #expect(cut.status == 65)
        #expect(
            cut.stderr.hasPrefix(
                "incidents import: line 1: invalid JSON at column 27: unterminated string"))
        #expect(try harness.ledgerFiles()["data.mdb"] == before["data.mdb"])
    }

    @Test("PagerDuty log entries: the summary counts the entries skipped, by type")
    func pagerDutyImport() throws {
        let harness = try CLIHarness()
        let file = try harness.file("entries.json", pagerDutyEntries)
        let outcome = try harness.run(["import", "--from", "pagerduty", file, "--severity", "SEV2"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.hasPrefix("2 written, 0 duplicates skipped; positions 1-2; head 2 "))
        #expect(outcome.stdout.hasSuffix("\n1 skipped: 1 notify_log_entry\n"))
        let show = try harness.run(["show", "PD-PT4KHLK", "--json"]).stdout
        #expect(show.contains(#""severity":"SEV2""#))
        #expect(show.contains(#""status":"resolved""#))

        let again = try harness.run(["import", "--from", "pagerduty", file, "--json"])
        #expect(again.stdout.hasPrefix(#"{"duplicates":2,"#))
        #expect(again.stdout.hasSuffix(#""skipped":{"notify_log_entry":1},"written":0}"# + "\n"))

        let entries = try schemaCheck("pagerduty-log-entries.schema.json", [file])
        #expect(entries.status == 0, "\(entries.stdout)")
        let summary = try harness.file("summary.json", again.stdout)
        #expect(try schemaCheck("import-report.schema.json", [summary]).status == 0)
    }

    @Test("--process-label picks the process's label; --severity-map maps a new severity")
    func alertmanagerLabelsAndSeverities() throws {
        let harness = try CLIHarness()
        let labels =
            #"{"alertname":"HighLatency","job":"api","service":"checkout","#
            + #""severity":"page"}"#
        let line = payload(alert(startsAt: "2026-03-02T09:14:00Z"))
            .replacingOccurrences(
                of: #"{"alertname":"ProbeFailure","job":"http_checks","#
                    + #""severity":"critical","instance":"shop.example"}"#,
                with: labels)
        let file = try harness.file("page.ndjson", line)
        #expect(try harness.run(["init"]).status == 0)
        let before = try harness.ledgerFiles()["data.mdb"]

        // "page" is not a default severity, and the alert has no "team" label.
        let unmapped = try harness.run(["import", "--from", "alertmanager", file])
        #expect(unmapped.status == 65)
        #expect(unmapped.stderr.contains(#"labels.severity: "page" in alert HighLatency"#))
        let unlabelled = try harness.run([
            "import", "--from", "alertmanager", "--process-label", "team",
            "--severity-map", "page=SEV2", file,
        ])
        #expect(unlabelled.status == 65)
        #expect(unlabelled.stderr.contains("alerts[0].labels.team: is missing"))
        #expect(try harness.ledgerFiles()["data.mdb"] == before)

        let imported = try harness.run([
            "import", "--from", "alertmanager", "--process-label", "service",
            "--severity-map", "page=SEV2", file,
        ])
        #expect(imported.status == 0, "\(imported.stderr)")
        let show = try harness.run(["show", "AM-1a30ba71cca2921f-20260302T091400Z", "--json"])
        #expect(show.stdout.contains(#""process":"checkout""#), "\(show.stdout)")
        #expect(show.stdout.contains(#""severity":"SEV2""#))
        #expect(show.stdout.contains(#""title":"Probe failed: shop.example""#))
    }

    @Test("feed options are usage errors where they do not apply")
    func usageErrors() throws {
        let harness = try CLIHarness()
        let file = try harness.file("entries.json", pagerDutyEntries)
        let cases: [([String], String)] = [
            (
                ["import", "--from", "pagerduty", "--process-label", "job", file],
                "incidents import: --process-label goes with --from alertmanager"
            ),
            (
                ["import", "--severity", "SEV1", file],
                "incidents import: --severity goes with --from alertmanager or pagerduty"
            ),
            (
                ["import", "--from", "alertmanager", "--severity-map", "page", file],
                "incidents import: --severity-map: entry \"page\" must be WORD=SEVn with SEVn "
                    + "one of SEV1, SEV2, SEV3, SEV4, e.g. critical=SEV1,page=SEV2"
            ),
            (
                ["metrics"],
                "incidents metrics: give the format: --prometheus (the only one so far)"
            ),
        ]
        for (arguments, message) in cases {
            let outcome = try harness.run(arguments)
            #expect(outcome.status == 64, "\(arguments)")
            #expect(outcome.stderr.hasPrefix(message + "\n"), "\(outcome.stderr)")
        }
        #expect(try harness.run(["metrics", "--help"], ledger: false).status == 0)
    }

    @Test("metrics --prometheus passes promtool check metrics, and -o writes the same text")
    func prometheusFormat() throws {
        let harness = try CLIHarness()
        #expect(
            try harness.run(["import", "--from", "alertmanager", "-"], stdin: Data(webhooks.utf8))
                .status == 0)
        let file = try harness.file("entries.json", pagerDutyEntries)
        #expect(try harness.run(["import", "--from", "pagerduty", file]).status == 0)
        let odd = [
            "detect", "INC-9", "--title", "t", "--process", #"quote" and \ backslash"#,
            "--severity", "SEV4", "--at", "2026-03-02T12:00:00Z",
        ]
        #expect(try harness.run(odd).status == 0)

        let printed = try harness.run(["metrics", "--prometheus"])
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(
            printed.stdout.contains(
                #"incidents_open{process="quote\" and \\ backslash",severity="SEV4"} 1"#))
        #expect(printed.stdout.contains("incidents_detected_total 4\n"))
        #expect(
            printed.stdout.contains(
                #"incidents_ttr_seconds{process="http_checks",quantile="0.5"} 1800"#))

        // promtool comes from Debian's prometheus package, which tools/setup installs.
        let check = try CLIHarness.launch(
            URL(fileURLWithPath: "/usr/bin/env"), ["promtool", "check", "metrics"],
            stdin: printed.stdoutBytes)
        #expect(check.status == 0, "promtool (run tools/setup): \(check.stdout)\(check.stderr)")

        let folder = harness.directory.appendingPathComponent("textfile")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let target = folder.appendingPathComponent("incidents.prom").path
        try "old".write(toFile: target, atomically: false, encoding: .utf8)
        let written = try harness.run(["metrics", "--prometheus", "-o", target])
        #expect(written.status == 0)
        #expect(written.stdout.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == printed.stdoutBytes)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["incidents.prom"])
        let mode = try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions]
        #expect(mode as? Int == 0o644)
    }

    @Test("tools/alertmanager-spool.py takes webhooks over HTTP into a file that imports")
    func spoolReceiver() throws {
        let harness = try CLIHarness()
        let spool = harness.directory.appendingPathComponent("alerts.ndjson").path
        // Python itself, not a wrapper that would outlive terminate().
        let python = try CLIHarness.launch(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", "-c", "import sys; print(sys.executable)"]
        ).stdout.split(separator: "\n").first.map(String.init)
        let receiver = Process()
        receiver.executableURL = URL(fileURLWithPath: try #require(python))
        receiver.arguments = [
            CLIHarness.packageRoot.appendingPathComponent("tools/alertmanager-spool.py")
                .path, "--listen", "127.0.0.1:0", spool,
        ]
        let announcement = Pipe()
        receiver.standardError = announcement
        receiver.standardOutput = FileHandle.nullDevice
        try receiver.run()
        defer {
            receiver.terminate()
            receiver.waitUntilExit()
        }
        // The receiver says on stderr which port it listens on; wait for it at most 20 s.
        var heard: [UInt8] = []
        let descriptor = announcement.fileHandleForReading.fileDescriptor
        while !heard.contains(UInt8(ascii: "\n")) {
            var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 20_000) == 1 else { break }
            var buffer = [UInt8](repeating: 0, count: 512)
            let count = read(descriptor, &buffer, buffer.count)
            guard count > 0 else { break }
            heard += buffer[0..<count]
        }
        let words = String(decoding: heard, as: UTF8.self).split(separator: " ")
        let address = try #require(words.first { $0.hasPrefix("127.0.0.1:") })
        let url = "http://" + address.dropLast()

        // Alertmanager posts one payload per notification; a pretty one becomes one line.
        let pretty = payload(alert(startsAt: "2026-03-02T09:14:00Z"))
            .replacingOccurrences(of: ",", with: ",\n  ")
        let post = """
            import sys, urllib.request, urllib.error
            def post(body):
                try:
                    return urllib.request.urlopen(urllib.request.Request(
                        sys.argv[1], data=body.encode(), method="POST")).status
                except urllib.error.HTTPError as error:
                    return error.code
            print(post(sys.argv[2]), post(sys.argv[3]), post("not json"))
            """
        let second = payload(alert(startsAt: "2026-03-02T15:00:00Z"))
        let posted = try CLIHarness.launch(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", post, url, pretty, second])
        #expect(posted.stdout == "200 200 400\n", "\(posted.stderr)")

        let lines = try String(contentsOfFile: spool, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let imported = try harness.run(["import", "--from", "alertmanager", spool])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.hasPrefix("2 written, 0 duplicates skipped"))
    }
}
