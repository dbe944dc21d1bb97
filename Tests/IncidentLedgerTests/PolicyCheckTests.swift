import Interchange
import Testing

@testable import IncidentLedger

/// An instant on a day of February 2026, as RFC 3339 text.
func february(_ day: Int, _ hour: Int = 9, _ minute: Int = 0) -> String {
    func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return "2026-02-\(two(day))T\(two(hour)):\(two(minute)):00Z"
}

/// A `detected` line with a process and severity of the test's choosing.
func detected(
    _ incident: String, at: String = time(0), process: String = "nightly-export",
    severity: String = "SEV3", title: String = "Export job failed"
) -> String {
    eventLine(
        "detected", incident, at: at,
        data: ["process": .string(process), "severity": .string(severity), "title": .string(title)])
}

/// The report of a test ledger (its clock makes the moment 2026-03-02T09:14:03.512Z).
func report(
    _ ledger: TestLedger, policy: ReportPolicy = ReportPolicy(), asOf: AsOf? = nil
) throws -> ComplianceReport {
    try ledger.ledger.complianceReport(ReportRequest(asOf: asOf, policy: policy))
}

/// The findings of one check, as (incident, evidence) pairs.
func found(_ report: ComplianceReport, _ check: PolicyCheck) -> [String] {
    report.findings.filter { $0.check == check }.map {
        "\($0.incident) \($0.evidence.map(String.init).joined(separator: ","))"
    }
}

/// The messages of one check's findings.
func messages(_ report: ComplianceReport, _ check: PolicyCheck) -> [String] {
    report.findings.filter { $0.check == check }.map(\.message)
}

@Suite("Policy checks: each triggered and not, with exact evidence")
struct PolicyCheckTests {
    @Test("1: customer-facing, slower than 30 minutes, severity never above SEV3")
    func slowCustomerFacing() throws {
        let ledger = try TestLedger()
        let customers: [String: JSONInput] = ["scope": "single-process", "customerFacing": true]
        try ledger.append(
            detected("INC-1"),  // 1
            eventLine("triaged", "INC-1", at: time(1), data: customers),  // 2
            eventLine("resolved", "INC-1", at: time(45)),  // 3
            detected("INC-2"),  // 4: exactly 30 minutes is within the limit
            eventLine("triaged", "INC-2", at: time(1), data: customers),  // 5
            eventLine("resolved", "INC-2", at: time(30)),  // 6
            detected("INC-3"),  // 7: raised to SEV2 on the way
            eventLine("triaged", "INC-3", at: time(1), data: customers),  // 8
            eventLine(
                "severity-changed", "INC-3", at: time(2), data: ["severity": "SEV2"]),  // 9
            eventLine("severity-changed", "INC-3", at: time(3), data: ["severity": "SEV3"]),
            eventLine("resolved", "INC-3", at: time(60)),  // 11
            detected("INC-4"),  // 12: not customer-facing
            eventLine("resolved", "INC-4", at: time(90)))
        let result = try report(ledger)
        #expect(found(result, .slowCustomerFacing) == ["INC-1 1,2,3"])
        #expect(
            messages(result, .slowCustomerFacing)
                == ["customer-facing, resolved after 45m 00s while SEV3 at worst"])
    }

    @Test("2: resolved regulatory incidents without a post-mortem")
    func regulatoryPostmortem() throws {
        let ledger = try TestLedger()
        let regulatory: [String: JSONInput] = ["scope": "single-process", "regulatory": true]
        try ledger.append(
            detected("INC-1"),  // 1
            eventLine("triaged", "INC-1", at: time(1), data: regulatory),  // 2
            eventLine("resolved", "INC-1", at: time(20)),  // 3
            detected("INC-2"),  // 4
            eventLine("triaged", "INC-2", at: time(1), data: regulatory),  // 5
            eventLine("resolved", "INC-2", at: time(20)),  // 6
            eventLine("postmortem", "INC-2", at: time(40), data: ["document": "PM-2"]),  // 7
            detected("INC-3"),  // 8: still open, not yet due
            eventLine("triaged", "INC-3", at: time(1), data: regulatory))
        #expect(found(try report(ledger), .regulatoryPostmortem) == ["INC-1 2,3"])
    }

    @Test("3: SEV1 and SEV2 without a post-mortem within 5 days of resolution")
    func majorPostmortem() throws {
        let ledger = try TestLedger()
        try ledger.append(
            detected("INC-1", at: february(1), severity: "SEV2"),  // 1: none after 29 days
            eventLine("resolved", "INC-1", at: february(1, 10)),  // 2
            detected("INC-2", at: february(1), severity: "SEV1"),  // 3: on time
            eventLine("resolved", "INC-2", at: february(1, 10)),  // 4
            eventLine("postmortem", "INC-2", at: february(3), data: ["document": "PM-2"]),
            detected("INC-3", at: february(1), severity: "SEV2"),  // 6: late
            eventLine("resolved", "INC-3", at: february(1, 10)),  // 7
            eventLine("postmortem", "INC-3", at: february(9), data: ["document": "PM-3"]),
            detected("INC-4", severity: "SEV2"),  // 9: resolved today, not due yet
            eventLine("resolved", "INC-4", at: time(5)),  // 10
            detected("INC-5", at: february(1)),  // 11: SEV3
            eventLine("resolved", "INC-5", at: february(1, 10)))
        let result = try report(ledger)
        #expect(found(result, .majorPostmortem) == ["INC-1 1,2", "INC-3 6,7,8"])
        #expect(
            messages(result, .majorPostmortem) == [
                "SEV2, resolved 2026-02-01T10:00:00Z, no post-mortem after 5 days",
                "SEV2, post-mortem recorded 2026-02-09T09:00:00Z, more than 5 days after "
                    + "resolution at 2026-02-01T10:00:00Z",
            ])
    }

    @Test("4: a process with 3 incidents in 30 days and no follow-up opened afterwards")
    func recurrenceFollowUp() throws {
        let ledger = try TestLedger()
        try ledger.append(
            detected("B-1", at: february(1), process: "billing"),  // 1
            detected("B-2", at: february(10), process: "billing"),  // 2
            detected("B-3", at: february(20), process: "billing"),  // 3
            detected("P-1", at: february(1), process: "payroll"),  // 4
            detected("P-2", at: february(10), process: "payroll"),  // 5
            detected("P-3", at: february(20), process: "payroll"),  // 6
            eventLine(
                "follow-up", "P-3", at: february(21),
                data: ["task": "PAY-1", "title": "Stop the repeats"]),  // 7
            detected("T-1", at: "2026-01-01T09:00:00Z", process: "tax"),  // 8: never 3 in 30d
            detected("T-2", at: "2026-01-20T09:00:00Z", process: "tax"),
            detected("T-3", at: february(25), process: "tax"))
        let result = try report(ledger)
        #expect(found(result, .recurrenceFollowUp) == ["B-3 1,2,3"])
        #expect(
            messages(result, .recurrenceFollowUp) == [
                "billing reached 3 incidents within 30 days (B-1, B-2, B-3) and no "
                    + "follow-up task was opened afterwards"
            ])
    }

    @Test("5: closed without all three after-action fields")
    func afterAction() throws {
        let ledger = try TestLedger()
        try ledger.append(
            detected("INC-1"),  // 1
            eventLine("resolved", "INC-1", at: time(10)),  // 2
            eventLine("closed", "INC-1", at: time(20), data: ["whatHappened": "Disk full"]),
            detected("INC-2"),  // 4
            eventLine("resolved", "INC-2", at: time(10)),
            eventLine(
                "closed", "INC-2", at: time(20),
                data: ["whatHappened": "Disk full", "why": "No alert", "whatWillChange": "Alert"]),
            detected("INC-3"),  // 7: resolved, not closed
            eventLine("resolved", "INC-3", at: time(10)))
        let result = try report(ledger)
        #expect(found(result, .afterAction) == ["INC-1 3"])
        #expect(
            messages(result, .afterAction)
                == ["closed without why, what will change in its after-action note"])
    }

    @Test("6: code-change or config root causes without a change reference, corrections too")
    func changeReference() throws {
        let ledger = try TestLedger()
        let root = { (category: JSONInput) -> [String: JSONInput] in
            ["category": category, "summary": "A cause"]
        }
        try ledger.append(
            detected("INC-1"),  // 1
            eventLine("root-cause", "INC-1", at: time(5), data: root("config")),  // 2
            detected("INC-2"),  // 3
            eventLine(
                "root-cause", "INC-2", at: time(5),
                data: ["category": "code-change", "summary": "A cause", "change": "PR-12"]),
            detected("INC-3"),  // 5
            eventLine("root-cause", "INC-3", at: time(5), data: root("capacity")),  // 6
            detected("INC-4"),  // 7
            eventLine(
                "root-cause", "INC-4", at: time(5), id: eventID(8), data: root("capacity")),
            eventLine(
                "corrected", "INC-4", at: time(9),
                data: [
                    "event": .string(eventID(8)), "reason": "It was the config",
                    "data": ["category": "config"],
                ]))  // 9
        #expect(found(try report(ledger), .changeReference) == ["INC-1 2", "INC-4 8,9"])
    }

    @Test("7: multi-process scope without an escalated event")
    func multiProcessEscalation() throws {
        let ledger = try TestLedger()
        let multi: [String: JSONInput] = ["scope": "multi-process"]
        try ledger.append(
            detected("INC-1"),  // 1
            eventLine("triaged", "INC-1", at: time(1), data: multi),  // 2
            detected("INC-2"),  // 3
            eventLine("triaged", "INC-2", at: time(1), data: multi),  // 4
            eventLine(
                "escalated", "INC-2", at: time(2), data: ["reason": "Payments are down too"]),
            detected("INC-3"),  // 6
            eventLine("triaged", "INC-3", at: time(1), data: ["scope": "single-process"]))
        #expect(found(try report(ledger), .multiProcessEscalation) == ["INC-1 2"])
    }

    @Test("8: follow-ups past their due date and not done")
    func overdueFollowUp() throws {
        let ledger = try TestLedger()
        func task(_ name: String, due: String?) -> String {
            var data: [String: JSONInput] = ["task": .string(name), "title": "Fix it"]
            if let due { data["due"] = .string(due) }
            return eventLine("follow-up", "INC-1", at: time(5), data: data)
        }
        try ledger.append(
            detected("INC-1"),  // 1
            task("T1", due: "2026-02-20"),  // 2: overdue
            task("T2", due: "2026-02-20"),  // 3: done
            eventLine("follow-up-done", "INC-1", at: time(6), data: ["task": "T2"]),
            task("T3", due: "2026-03-02"),  // 5: due today, not past
            task("T4", due: nil))  // 6: no due date
        let result = try report(ledger)
        #expect(found(result, .overdueFollowUp) == ["INC-1 2"])
        #expect(
            messages(result, .overdueFollowUp) == [
                "follow-up T1 was due 2026-02-20 and is not done"
            ])
    }

    @Test("a policy file raises a threshold and turns a check off")
    func policyFileChangesChecks() throws {
        let ledger = try TestLedger()
        try ledger.append(
            detected("INC-1"),
            eventLine(
                "triaged", "INC-1", at: time(1),
                data: ["scope": "single-process", "customerFacing": true]),
            eventLine("resolved", "INC-1", at: time(45)),
            eventLine(
                "follow-up", "INC-1", at: time(50),
                data: ["task": "T1", "title": "Fix", "due": "2026-02-01"]))
        let defaults = try report(ledger)
        #expect(defaults.findings.map(\.check) == [.slowCustomerFacing, .overdueFollowUp])

        let policy = try ReportPolicy(
            parsing: Array(
                (#"{"checks": {"slowCustomerFacing": {"minutes": 60}, "overdueFollowUp": "#
                    + #"{"enabled": false}}}"#).utf8))
        #expect(policy.slowResolutionMinutes == 60)
        #expect(!policy.enabled.contains(PolicyCheck.overdueFollowUp))
        #expect(policy.enabled.count == 7)
        #expect(try report(ledger, policy: policy).findings.isEmpty)

        let stricter = try ReportPolicy(
            parsing: Array(#"{"checks": {"slowCustomerFacing": {"minutes": 44}}}"#.utf8))
        #expect(found(try report(ledger, policy: stricter), .slowCustomerFacing) == ["INC-1 1,2,3"])
    }

    @Test("a bad policy file is refused with the field named")
    func badPolicyFiles() {
        func error(_ text: String) -> String? {
            do {
                _ = try ReportPolicy(parsing: Array(text.utf8))
                return nil
            } catch {
                return error.description
            }
        }
        #expect(
            error(#"{"checks": {"majorPostmortem": {"days": 0}}}"#)
                == "checks.majorPostmortem.days: must be a whole number from 1 to 365, not 0")
        #expect(
            error(#"{"checks": {"majorPostmortem": {"days": "5"}}}"#)
                == "checks.majorPostmortem.days: must be a whole number from 1 to 365, not \"5\"")
        #expect(
            error(#"{"checks": {"slowCustomerFacing": {"severities": ["SEV5"]}}}"#)
                == "checks.slowCustomerFacing.severities[0]: must be one of SEV1, SEV2, SEV3, "
                + "SEV4, not \"SEV5\"")
        #expect(
            error(#"{"checks": {"afterAction": {"minutes": 3}}}"#)
                == "checks.afterAction.minutes: is not a setting of afterAction; it takes enabled")
        #expect(
            error(#"{"checks": {"postmortems": {}}}"#)?.hasPrefix(
                "checks.postmortems: is not a check; the checks are slowCustomerFacing, ") == true)
        #expect(error(#"{"check": {}}"#) == "check: is not a policy field; expected checks")
        #expect(
            error(#"{"checks": {"afterAction": {"enabled": 1}}}"#)
                == "checks.afterAction.enabled: must be true or false")
        #expect(
            error("{\n\"checks\": {},\n\"checks\": {}\n}")
                == "line 3: malformed JSON: duplicate key \"checks\"")
        #expect(error("[]") == "(top level): must be an object")
    }
}
