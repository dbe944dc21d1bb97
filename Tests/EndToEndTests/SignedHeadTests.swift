import Foundation
import Testing

@Suite("Signed heads: keygen, head --sign, head --check and the Python checker")
struct SignedHeadTests {
    /// A ledger with two incidents' first events, and a key pair made by `keygen`.
    static func signingSetup() throws -> (harness: CLIHarness, key: String) {
        let harness = try CLIHarness()
        let events = [
            eventLine("INC-1", "detected", "2026-03-02T09:14:00Z", data: detectedData()),
            eventLine("INC-2", "detected", "2026-03-02T09:20:00Z", data: detectedData("billing")),
        ]
        let imported = try harness.run(
            ["import", "-"], stdin: Data(events.joined(separator: "\n").utf8))
        #expect(imported.status == 0, "\(imported.stderr)")
        let key = harness.directory.appendingPathComponent("head.pem").path
        let made = try harness.run(["keygen", "-o", key], ledger: false)
        #expect(made.status == 0, "\(made.stderr)")
        return (harness, key)
    }

    /// Runs tools/ledger-check.py with `arguments`.
    static func pythonCheck(_ arguments: [String]) throws -> CLIHarness.Outcome {
        let checker = CLIHarness.packageRoot.appendingPathComponent("tools/ledger-check.py").path
        return try CLIHarness.launch(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", checker] + arguments)
    }

    /// `text` with the hex digit after `"member":"` plus `offset` changed to another.
    static func alterHex(_ text: String, member: String, offset: Int = 0) throws -> String {
        let start = try #require(text.range(of: "\"\(member)\":\""))
        let index = text.index(start.upperBound, offsetBy: offset)
        var altered = text
        altered.replaceSubrange(index...index, with: text[index] == "0" ? "1" : "0")
        return altered
    }

    @Test("keygen writes a 0600 private key and KEY.pub, and never replaces a file")
    func keygen() throws {
        let harness = try CLIHarness()
        let key = harness.directory.appendingPathComponent("k.pem").path
        let made = try harness.run(["keygen", "-o", key, "--json"], ledger: false)
        #expect(made.status == 0, "\(made.stderr)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: made.stdoutBytes) as? [String: String])
        #expect(json["privateKeyFile"] == key)
        #expect(json["publicKeyFile"] == key + ".pub")
        #expect(json["keyId"]?.count == 64)
        #expect(json["publicKey"]?.count == 64)

        let mode = try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions]
        #expect((mode as? Int) == 0o600)
        let privatePEM = try String(contentsOfFile: key, encoding: .utf8)
        #expect(privatePEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let publicPEM = try String(contentsOfFile: key + ".pub", encoding: .utf8)
        #expect(publicPEM.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))

        let again = try harness.run(["keygen", "-o", key], ledger: false)
        #expect(again.status == 73)
        #expect(
            again.stderr == "incidents keygen: \(key): already exists; refusing to replace it\n")
        #expect(try String(contentsOfFile: key, encoding: .utf8) == privatePEM)

        let missing = try harness.run(["keygen"], ledger: false)
        #expect(missing.status == 64)
    }

    @Test("a signed head checks with the program and with the Python checker")
    func signAndCheck() throws {
        let (harness, key) = try Self.signingSetup()
        let signed = try harness.run(["head", "--sign", key])
        #expect(signed.status == 0, "\(signed.stderr)")
        let head = try #require(
            try JSONSerialization.jsonObject(with: signed.stdoutBytes) as? [String: Any])
        #expect(head["position"] as? Int == 2)
        #expect(head["treeSize"] as? Int == 2)
        #expect(head["kind"] as? String == "incident-ledger.tree-head.v1")
        #expect((head["signature"] as? String)?.count == 128)

        // The head it signs is the one `head --json` prints.
        let plain = try #require(
            try JSONSerialization.jsonObject(with: harness.run(["head", "--json"]).stdoutBytes)
                as? [String: Any])
        for name in ["hash", "position", "recordedAt", "root", "treeSize"] {
            #expect("\(plain[name] ?? "none")" == "\(head[name] ?? "missing")", "\(name)")
        }

        let file = try harness.file("head.json", signed.stdout)
        let checked = try harness.run(["head", "--check", file, "--public-key", key + ".pub"])
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stdout.hasPrefix("ok: 2 records, root \(head["root"] ?? "")"))

        let python = try Self.pythonCheck(["--signed-head", file, "--public-key", key + ".pub"])
        #expect(python.status == 0, "\(python.stderr)")
        #expect(python.stdout.hasPrefix("ok: signed head of 2 records, root \(head["root"] ?? "")"))

        // With the exported log, the checker also finds the head's record and hash in it.
        let log = try harness.file("log.ndjson", try harness.run(["log", "--json"]).stdout)
        let withLog = try Self.pythonCheck([
            log, "--signed-head", file, "--public-key", key + ".pub",
        ])
        #expect(withLog.status == 0, "\(withLog.stderr)")
        #expect(withLog.stdout.contains("holds the signed head (2 records)"))
    }

    @Test("a head or signature altered by one byte, or another key, is rejected by both")
    func rejections() throws {
        let (harness, key) = try Self.signingSetup()
        let text = try harness.run(["head", "--sign", key]).stdout
        let otherKey = harness.directory.appendingPathComponent("other.pem").path
        #expect(try harness.run(["keygen", "-o", otherKey], ledger: false).status == 0)

        let alterations = [
            ("root", try Self.alterHex(text, member: "root", offset: 17)),
            ("hash", try Self.alterHex(text, member: "hash")),
            ("signature", try Self.alterHex(text, member: "signature", offset: 5)),
            ("signature end", try Self.alterHex(text, member: "signature", offset: 127)),
            (
                "signedAt",
                text.replacingOccurrences(of: "\"signedAt\":\"20", with: "\"signedAt\":\"21")
            ),
        ]
        for (name, altered) in alterations {
            #expect(altered != text && altered.utf8.count == text.utf8.count, "\(name)")
            let file = try harness.file("bad-\(name).json", altered)
            let program = try harness.run(["head", "--check", file, "--public-key", key + ".pub"])
            #expect(program.status == 1, "\(name): \(program.stderr)")
            #expect(program.stderr.contains("the head or its signature was altered"), "\(name)")
            let python = try Self.pythonCheck(["--signed-head", file, "--public-key", key + ".pub"])
            #expect(python.status == 1, "\(name): \(python.stderr)")
            #expect(python.stderr.contains("the head or its signature was altered"), "\(name)")
        }

        let file = try harness.file("good.json", text)
        let program = try harness.run(["head", "--check", file, "--public-key", otherKey + ".pub"])
        #expect(program.status == 1)
        #expect(program.stderr.contains("not by the key given"))
        let python = try Self.pythonCheck([
            "--signed-head", file, "--public-key", otherKey + ".pub",
        ])
        #expect(python.status == 1)
        #expect(python.stderr.contains("not by the key given"))

        // A forger who also puts the other key's id in the head still lacks its signature.
        let otherID = try #require(
            try JSONSerialization.jsonObject(
                with: harness.run([
                    "head", "--check", file, "--public-key", otherKey + ".pub",
                    "--json",
                ]).stdoutBytes) as? [String: Any])
        #expect(otherID["ok"] as? Bool == false)
        let reason = try #require(otherID["reason"] as? String)
        let givenID = try #require(reason.split(separator: "(").last?.dropLast())
        let signedID = try #require((otherID["head"] as? [String: Any])?["keyId"] as? String)
        let forged = try harness.file(
            "forged.json", text.replacingOccurrences(of: signedID, with: String(givenID)))
        let forgedCheck = try Self.pythonCheck(
            ["--signed-head", forged, "--public-key", otherKey + ".pub"])
        #expect(forgedCheck.status == 1)
        #expect(forgedCheck.stderr.contains("the head or its signature was altered"))
    }

    @Test("head --check: the ledger must still hold the head; growing is fine")
    func ledgerHoldsHead() throws {
        let (harness, key) = try Self.signingSetup()
        let file = try harness.file("head.json", try harness.run(["head", "--sign", key]).stdout)
        let note = try harness.run([
            "note", "INC-1", "--text", "later", "--at", "2026-03-02T10:00:00Z",
        ])
        #expect(note.status == 0, "\(note.stderr)")
        let grown = try harness.run(["head", "--check", file, "--public-key", key + ".pub"])
        #expect(grown.status == 0, "\(grown.stderr)")

        // Another ledger, with other records at the same positions, does not hold it.
        let other = try CLIHarness()
        let events = [
            eventLine("INC-9", "detected", "2026-03-02T09:14:00Z", data: detectedData()),
            eventLine("INC-8", "detected", "2026-03-02T09:20:00Z", data: detectedData()),
        ]
        #expect(
            try other.run(["import", "-"], stdin: Data(events.joined(separator: "\n").utf8))
                .status == 0)
        let elsewhere = try other.run(["head", "--check", file, "--public-key", key + ".pub"])
        #expect(elsewhere.status == 1)
        #expect(elsewhere.stderr.contains("signed correctly, but this ledger does not hold it"))
    }

    @Test("key errors: missing 66, a public key to sign with 65; the ledger stays unchanged")
    func keyErrors() throws {
        let (harness, key) = try Self.signingSetup()
        let before = try harness.ledgerFiles()

        let missing = try harness.run(["head", "--sign", key + ".nope"])
        #expect(missing.status == 66)
        #expect(missing.stderr == "incidents head: \(key).nope: no such file\n")

        let wrongHalf = try harness.run(["head", "--sign", key + ".pub"])
        #expect(wrongHalf.status == 65)
        #expect(
            wrongHalf.stderr == "incidents head: \(key).pub: not an Ed25519 key: it holds a "
                + "public key, where a private key belongs\n")

        let noKey = try harness.run(["head", "--check", key])
        #expect(noKey.status == 64)
        let notHead = try harness.run([
            "head", "--check", key + ".pub", "--public-key", key + ".pub",
        ])
        #expect(notHead.status == 65)
        #expect(notHead.stderr.hasPrefix("incidents head: \(key).pub: not a signed head: not JSON"))
        #expect(try harness.ledgerFiles() == before)
    }

    @Test("the Python checker's own tests: RFC 8032 vectors 1 to 3 and PEM parsing")
    func pythonUnitTests() throws {
        let tests = CLIHarness.packageRoot.appendingPathComponent("tools/test-ledger-check.py").path
        let run = try CLIHarness.launch(URL(fileURLWithPath: "/usr/bin/env"), ["python3", tests])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("Ran 8 tests"))
        #expect(run.stderr.hasSuffix("OK\n"))
    }
}
