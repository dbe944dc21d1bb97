import Foundation
import Testing

@Suite("The incidents command line")
struct CommandLineTests {
    static let commands = [
        "detect", "ack", "assign", "triage", "severity", "escalate", "note", "root-cause",
        "mitigate", "resolve", "reopen", "close", "notify", "follow-up", "follow-up-done",
        "postmortem", "correct", "init", "record", "import", "show", "history", "log", "head",
        "verify",
    ]

    @Test("every command answers --help with its usage and exits 0", arguments: commands)
    func everyCommandHasHelp(command: String) throws {
        let harness = try CLIHarness()
        let outcome = try harness.run([command, "--help"], ledger: false)
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("USAGE: incidents \(command)"))
        #expect(outcome.stdout.contains("--ledger"))
    }

    @Test("the overview lists every command and the exit statuses")
    func overviewListsCommands() throws {
        let outcome = try CLIHarness().run(["--help"], ledger: false)
        #expect(outcome.status == 0)
        for command in Self.commands {
            #expect(outcome.stdout.contains("  \(command) "), "missing \(command)")
        }
        #expect(outcome.stdout.contains("65  invalid input"))
    }

    @Test("an unknown command or option is a usage error, status 64")
    func usageErrors() throws {
        let harness = try CLIHarness()
        let unknown = try harness.run(["frobnicate"], ledger: false)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("unknown command 'frobnicate'"))
        let badOption = try harness.run(["detect", "INC-1", "--tittle", "x"])
        #expect(badOption.status == 64)
        #expect(badOption.stderr.contains("did you mean '--title'?"))
    }

    @Test("reading a ledger that does not exist exits 66 and names the path")
    func missingLedger() throws {
        let harness = try CLIHarness()
        for command in [["head"], ["verify"], ["log"], ["show", "INC-1"], ["history", "INC-1"]] {
            let outcome = try harness.run(command)
            #expect(outcome.status == 66, "\(command)")
            #expect(outcome.stderr.contains("no ledger at \(harness.ledger)"))
        }
    }

    @Test("a lifecycle run from the shell gives the expected state and a verified chain")
    func lifecycleFromFlags() throws {
        let harness = try CLIHarness()
        let steps: [[String]] = [
            [
                "detect", "INC-1", "--title", "Export failed", "--process", "nightly-export",
                "--severity", "SEV3", "--at", "2026-03-02T09:14:00Z",
            ],
            ["ack", "INC-1", "--at", "2026-03-02T09:20:00Z"],
            [
                "assign", "INC-1", "--owner", "alice", "--team", "data", "--at",
                "2026-03-02T09:21:00Z",
            ],
            [
                "triage", "INC-1", "--scope", "single-process", "--customer-facing",
                "--at", "2026-03-02T09:25:00Z",
            ],
            ["mitigate", "INC-1", "--action", "restart", "--at", "2026-03-02T09:40:00Z"],
            ["resolve", "INC-1", "--at", "2026-03-02T10:14:00Z"],
            [
                "close", "INC-1", "--what-happened", "Disk full", "--why", "No alert",
                "--what-will-change", "Alert at 80%", "--at", "2026-03-03T10:00:00Z",
            ],
        ]
        for step in steps {
            let outcome = try harness.run(step + ["--actor", "bob"])
            #expect(outcome.status == 0, "\(step): \(outcome.stderr)")
        }
        let show = try harness.run(["show", "INC-1", "--json"])
        #expect(show.status == 0)
        let state = try #require(
            try JSONSerialization.jsonObject(with: show.stdoutBytes) as? [String: Any])
        #expect(state["status"] as? String == "closed")
        #expect(state["owner"] as? String == "alice")
        #expect(state["customerFacing"] as? Bool == true)
        #expect(state["resolvedAt"] as? String == "2026-03-02T10:14:00Z")
        #expect(state["eventCount"] as? Int == 7)

        let verify = try harness.run(["verify"])
        #expect(verify.status == 0)
        #expect(verify.stdout.hasPrefix("ok: 7 records"))
    }

    @Test("a refused step exits 65 with the field and rule, and writes nothing")
    func refusedStep() throws {
        let harness = try CLIHarness()
        let ack = try harness.run(["ack", "INC-9", "--at", "2026-03-02T09:20:00Z"])
        #expect(ack.status == 65)
        #expect(
            ack.stderr
                == "incidents ack: type: rule 1: incident INC-9 has no detected event; "
                + "it must begin with one\n")
        let head = try harness.run(["head", "--json"])
        #expect(head.stdout.contains(#""position":0"#))
    }

    @Test("import refuses a file with one bad line, names the line and field, changes nothing")
    func importAllOrNothing() throws {
        let harness = try CLIHarness()
        let first = try harness.file(
            "first.ndjson",
            eventLine("INC-1", "detected", "2026-03-02T09:14:00Z", data: detectedData()) + "\n")
        #expect(try harness.run(["import", first]).status == 0)
        let before = try harness.ledgerFiles()

        var lines: [String] = []
        for index in 2...200 {
            lines.append(
                eventLine("INC-\(index)", "detected", "2026-03-02T09:14:00Z", data: detectedData()))
        }
        lines.insert(
            eventLine(
                "INC-7", "detected", "2026-03-02T09:14:00Z", data: detectedData(severity: "SEV9")),
            at: 100)
        let bad = try harness.file("bad.ndjson", lines.joined(separator: "\n") + "\n")
        let outcome = try harness.run(["import", bad])
        #expect(outcome.status == 65)
        #expect(
            outcome.stderr.hasPrefix(
                "incidents import: line 101: data.severity: must be one of SEV1, SEV2, SEV3, "
                    + "SEV4, not \"SEV9\""))
        #expect(try harness.ledgerFiles()["data.mdb"] == before["data.mdb"])
    }

    @Test("importing the same file twice writes nothing the second time")
    func idempotentImport() throws {
        let harness = try CLIHarness()
        let lines = [
            eventLine(
                "INC-1", "detected", "2026-03-02T09:14:00Z", data: detectedData(),
                id: "3b8f2a56-0c1e-4e8a-9a53-8d6f0f8f2c11"),
            eventLine(
                "INC-1", "acknowledged", "2026-03-02T09:15:00Z",
                id: "3b8f2a56-0c1e-4e8a-9a53-8d6f0f8f2c12"),
        ]
        let file = try harness.file("h.ndjson", lines.joined(separator: "\n"))
        let first = try harness.run(["import", file, "--json"])
        #expect(first.stdout.contains(#""duplicates":0"#) && first.stdout.contains(#""written":2"#))
        let second = try harness.run(["import", file, "--json"])
        #expect(second.status == 0)
        #expect(
            second.stdout.contains(#""duplicates":2"#) && second.stdout.contains(#""written":0"#))
    }

    @Test("--skip-invalid writes the valid events and the refused lines with reasons")
    func skipInvalid() throws {
        let harness = try CLIHarness()
        let lines = [
            eventLine("INC-1", "detected", "2026-03-02T09:14:00Z", data: detectedData()),
            "not json",
            eventLine("INC-1", "acknowledged", "2026-03-02T09:00:00Z"),
            eventLine("INC-1", "acknowledged", "2026-03-02T09:30:00Z"),
        ]
        let file = try harness.file("mixed.ndjson", lines.joined(separator: "\n"))
        let rejected = harness.directory.appendingPathComponent("rejected.ndjson").path
        let outcome = try harness.run(["import", file, "--skip-invalid", "--rejected", rejected])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.hasPrefix("2 written, 0 duplicates skipped, 2 rejected"))
        let refused = try String(contentsOfFile: rejected, encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(refused.count == 2)
        #expect(refused[0].contains(#""line":2"#) && refused[0].contains(#""text":"not json""#))
        #expect(refused[1].contains(#""line":3"#) && refused[1].contains("rule 7"))
    }

    @Test("record takes events as arguments or from stdin, all or nothing")
    func recordCommand() throws {
        let harness = try CLIHarness()
        let detect = eventLine("INC-1", "detected", "2026-03-02T09:14:00Z", data: detectedData())
        let ack = eventLine("INC-1", "acknowledged", "2026-03-02T09:15:00Z")
        let fromArguments = try harness.run(["record", detect, ack])
        #expect(fromArguments.status == 0)
        #expect(fromArguments.stdout.hasPrefix("2 written"))
        let note = eventLine("INC-1", "note", "2026-03-02T09:16:00Z", data: #"{"text":"hi"}"#)
        let fromStdin = try harness.run(["record", "--json"], stdin: Data((note + "\n").utf8))
        #expect(fromStdin.status == 0)
        #expect(fromStdin.stdout.contains(#""position":3"#))
        #expect(fromStdin.stdout.contains(#""type":"note""#))
        let empty = try harness.run(["import", try harness.file("empty.ndjson", "")])
        #expect(empty.status == 65)
        #expect(empty.stderr.contains("no events"))
    }
}
