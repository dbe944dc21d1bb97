import Foundation
import Testing

@Suite("Merkle tree heads and proofs, checked by the independent checker")
struct ProofTests {
    static func check(_ harness: CLIHarness, proof: Data, name: String) throws -> CLIHarness.Outcome
    {
        let path = harness.directory.appendingPathComponent(name)
        try proof.write(to: path)
        let checker = CLIHarness.packageRoot.appendingPathComponent("tools/ledger-check.py").path
        return try CLIHarness.launch(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", checker, "--proof", path.path])
    }

    @Test("inclusion proofs of records verify, and an altered one is rejected")
    func inclusionProofs() throws {
        let harness = try ProjectionCommandTests.sampleLedger(events: 1500)
        let head = try harness.run(["head", "--json"])
        #expect(head.stdout.contains(#""treeSize":1500"#))

        for position in ["1", "2", "777", "1500"] {
            let proof = try harness.run(["prove", position])
            #expect(proof.status == 0, "\(proof.stderr)")
            let checked = try Self.check(
                harness, proof: proof.stdoutBytes, name: "p\(position).json")
            #expect(checked.status == 0, "\(position): \(checked.stderr)")
            #expect(checked.stdout.hasPrefix("ok: record \(position) is in the tree of 1500"))
        }
        let smaller = try harness.run(["prove", "10", "--size", "100"])
        #expect(try Self.check(harness, proof: smaller.stdoutBytes, name: "s.json").status == 0)

        // The record's own bytes, embedded as a JSON string, changed by one character.
        var altered = String(
            decoding: try harness.run(["prove", "777"]).stdoutBytes, as: UTF8.self)
        let range = try #require(altered.range(of: #"\"actor\":\""#))
        altered.insert("x", at: range.upperBound)
        let rejected = try Self.check(harness, proof: Data(altered.utf8), name: "bad.json")
        #expect(rejected.status == 1)
        #expect(rejected.stderr.contains("proof rejected"))
    }

    @Test("head prints the position, hash and time, then the tree's size and root")
    func headLines() throws {
        let harness = try ProjectionCommandTests.sampleLedger(events: 300)
        let object = try #require(
            try JSONSerialization.jsonObject(with: harness.run(["head", "--json"]).stdoutBytes)
                as? [String: Any])
        let hash = try #require(object["hash"] as? String)
        let root = try #require(object["root"] as? String)
        let recordedAt = try #require(object["recordedAt"] as? String)
        #expect(object["position"] as? Int == 300 && object["treeSize"] as? Int == 300)
        #expect(
            try harness.run(["head"]).stdout
                == "300 \(hash)  recorded \(recordedAt)\ntree size 300 root \(root)\n")
    }

    @Test("a record is proven by its event id as by its position")
    func proofByEventID() throws {
        let harness = try ProjectionCommandTests.sampleLedger(events: 300)
        let line = try #require(
            try harness.run(["log", "--json", "--from", "123"]).stdout.split(separator: "\n")
                .first)
        let record = try #require(
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let id = try #require(record["id"] as? String)

        let byID = try harness.run(["prove", id, "--size", "200"])
        #expect(byID.status == 0, "\(byID.stderr)")
        #expect(byID.stdout == (try harness.run(["prove", "123", "--size", "200"])).stdout)
        #expect(byID.stdout.contains(#""position":123,"#))
        #expect(byID.stdout.contains(#""treeSize":200,"#))
        let checked = try Self.check(harness, proof: byID.stdoutBytes, name: "id.json")
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stdout.hasPrefix("ok: record 123 is in the tree of 200"))

        let unknown = try harness.run(["prove", "00000000-0000-4000-8000-00000000beef"])
        #expect(unknown.status == 65)
        #expect(unknown.stderr.contains("no event 00000000-0000-4000-8000-00000000beef"))
        let later = try harness.run(["prove", id, "--size", "100"])
        #expect(later.status == 65)
        #expect(later.stderr.contains("record 123 is not in the tree of 100 records"))
    }

    @Test("a consistency proof shows a later tree extends an earlier head")
    func consistencyProofs() throws {
        let harness = try ProjectionCommandTests.sampleLedger(events: 1200)
        let before = try harness.run(["head", "--json"]).stdout
        #expect(before.contains(#""treeSize":1200"#))
        let note = try harness.run([
            "note", "INC-000001", "--text", "later", "--at", "2026-12-01T00:00:00Z",
        ])
        #expect(note.status == 0, "\(note.stderr)")

        for (old, new) in [(1200, 1201), (1, 1201), (512, 1201), (1000, 1100)] {
            let proof = try harness.run(["prove", "--consistency", "\(old)", "--size", "\(new)"])
            #expect(proof.status == 0, "\(proof.stderr)")
            let checked = try Self.check(harness, proof: proof.stdoutBytes, name: "c\(old).json")
            #expect(checked.status == 0, "\(old)->\(new): \(checked.stderr)")
        }
        var altered = String(
            decoding: try harness.run(["prove", "--consistency", "700", "--size", "1201"])
                .stdoutBytes,
            as: UTF8.self)
        let root = try #require(altered.range(of: #""oldRoot":""#))
        let digit = altered[root.upperBound]
        altered.replaceSubrange(root.upperBound...root.upperBound, with: digit == "0" ? "1" : "0")
        #expect(try Self.check(harness, proof: Data(altered.utf8), name: "cbad.json").status == 1)
    }

    @Test("rebuild --check recomputes the Merkle root and finds it intact")
    func rebuildChecksTree() throws {
        let harness = try ProjectionCommandTests.sampleLedger(events: 800)
        let check = try harness.run(["rebuild", "--check", "--json"])
        #expect(check.status == 0)
        #expect(check.stdout.contains(#""treeIntact":true"#))
    }
}
