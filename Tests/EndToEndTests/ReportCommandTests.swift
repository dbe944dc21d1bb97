import Foundation
import Testing

@Suite("incidents report")
struct ReportCommandTests {
    /// A ledger with two incidents, one of them missing its post-mortem.
    private func harness() throws -> CLIHarness {
        let cli = try CLIHarness()
        let lines = [
            eventLine(
                "INC-1", "detected", "2026-02-01T09:00:00Z", data: detectedData(severity: "SEV2")),
            eventLine("INC-1", "resolved", "2026-02-01T10:00:00Z"),
            eventLine("INC-2", "detected", "2026-02-02T09:00:00Z", data: detectedData("billing")),
        ]
        let imported = try cli.run(
            ["import", "-"], stdin: Data(lines.joined(separator: "\n").utf8))
        #expect(imported.status == 0, "\(imported.stderr)")
        return cli
    }

    @Test("writes html, md and json with every incident, and says what it wrote")
    func writesEveryFormat() throws {
        let cli = try harness()
        for format in ["html", "md", "json"] {
            let path = cli.directory.appendingPathComponent("report.\(format)").path
            let outcome = try cli.run(["report", "--format", format, "-o", path])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(outcome.stdout == "")
            #expect(
                outcome.stderr
                    == "\(path): 2 incidents, 1 findings, tree size 3, verify ok\n")
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains("INC-1") && text.contains("INC-2"))
        }
        let json = try Data(
            contentsOf: cli.directory.appendingPathComponent("report.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings.count == 1)
        #expect(findings.first?["check"] as? String == "majorPostmortem")
        #expect(findings.first?["evidence"] as? [Int] == [1, 2])
    }

    @Test("--as-of an earlier position reports the ledger as it stood")
    func asOf() throws {
        let cli = try harness()
        let path = cli.directory.appendingPathComponent("early.json").path
        let outcome = try cli.run(["report", "--as-of", "2", "--format", "json", "-o", path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
                as? [String: Any])
        #expect(object["position"] as? Int == 2)
        #expect((object["incidents"] as? [Any])?.count == 1)
    }

    @Test("a bad policy file is refused naming the field, and the ledger is unchanged")
    func badPolicy() throws {
        let cli = try harness()
        let before = try cli.ledgerFiles()
        let policy = try cli.file("policy.json", #"{"checks": {"majorPostmortem": {"days": -1}}}"#)
        let output = cli.directory.appendingPathComponent("report.html").path
        let outcome = try cli.run(
            ["report", "--policy", policy, "--format", "html", "-o", output])
        #expect(outcome.status == 65)
        #expect(
            outcome.stderr
                == "incidents report: \(policy): checks.majorPostmortem.days: must be a whole "
                + "number from 1 to 365, not -1\n")
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(try cli.ledgerFiles() == before)

        let good = try cli.file(
            "good.json", #"{"checks": {"majorPostmortem": {"enabled": false}}}"#)
        let accepted = try cli.run(["report", "--policy", good, "--format", "md", "-o", output])
        #expect(accepted.status == 0)
        #expect(accepted.stderr.contains("2 incidents, 0 findings"))
    }

    @Test("--key signs the report's head, and head --check accepts what it signed")
    func signedReport() throws {
        let cli = try harness()
        let key = cli.directory.appendingPathComponent("signing.pem").path
        #expect(try cli.run(["keygen", "-o", key], ledger: false).status == 0)
        let path = cli.directory.appendingPathComponent("signed.json").path
        let outcome = try cli.run(["report", "--key", key, "--format", "json", "-o", path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(", signed by key "))

        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
                as? [String: Any])
        let integrity = try #require(object["integrity"] as? [String: Any])
        let signed = try #require(integrity["signedHead"] as? [String: Any])
        #expect(signed["treeSize"] as? Int == 3 && signed["position"] as? Int == 3)
        #expect(
            signed["root"] as? String == (integrity["tree"] as? [String: Any])?["root"] as? String)

        // The signed head, saved alone, is what 'head --check' and the auditor check.
        let head = cli.directory.appendingPathComponent("head.json")
        try JSONSerialization.data(withJSONObject: signed).write(to: head)
        let check = try cli.run(["head", "--check", head.path, "--public-key", key + ".pub"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")

        let html = cli.directory.appendingPathComponent("signed.html").path
        #expect(try cli.run(["report", "--key", key, "--format", "html", "-o", html]).status == 0)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("Signed by key (Ed25519, id)"))
        #expect(page.contains(signed["keyId"] as? String ?? "no key id"))

        let missing = try cli.run(
            ["report", "--key", key + ".absent", "--format", "json", "-o", path])
        #expect(missing.status == 66)
    }

    @Test("the integrity section of a damaged ledger's report says where verify broke")
    func damagedLedger() throws {
        let cli = try harness()
        let path = cli.ledger + "/data.mdb"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let range = try #require(bytes.range(of: Data(#""process":"billing""#.utf8)))
        bytes[range.lowerBound + 12] = UInt8(ascii: "B")
        try bytes.write(to: URL(fileURLWithPath: path))

        let json = cli.directory.appendingPathComponent("damaged.json").path
        let outcome = try cli.run(["report", "--format", "json", "-o", json])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.hasSuffix(", tree size 3, verify BROKEN\n"), "\(outcome.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json)))
                as? [String: Any])
        let verify = try #require(
            (object["integrity"] as? [String: Any])?["verify"] as? [String: Any])
        #expect(verify["ok"] as? Bool == false)
        // The last record changed: all three were read, and its hash is not the kept head's.
        #expect(verify["records"] as? Int == 3)
        let firstBad = try #require(verify["firstBad"] as? [String: Any])
        #expect(firstBad["position"] as? Int == 3)
        #expect(
            firstBad["reason"] as? String
                == "the last record's hash differs from the head kept with the log")

        let markdown = cli.directory.appendingPathComponent("damaged.md").path
        #expect(try cli.run(["report", "--format", "md", "-o", markdown]).status == 1)
        #expect(
            try String(contentsOfFile: markdown, encoding: .utf8).contains(
                "- verify: broken at position 3: "))
    }

    @Test("usage errors: no format, no output, an unknown format")
    func usageErrors() throws {
        let cli = try harness()
        #expect(try cli.run(["report", "-o", "x.html"]).status == 64)
        #expect(try cli.run(["report", "--format", "html"]).status == 64)
        #expect(try cli.run(["report", "--format", "pdf", "-o", "x.pdf"]).status == 64)
        #expect(try cli.run(["report", "--help"]).stdout.contains("--policy FILE"))
        let missing = try cli.run(
            ["report", "--policy", "/nonexistent/policy.json", "--format", "md", "-o", "x.md"])
        #expect(missing.status == 66)
    }
}
