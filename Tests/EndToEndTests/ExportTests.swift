import Foundation
import Testing

@Suite("Audit exports: formats, filters, manifest, the ledger's record, and both checkers")
struct ExportTests {
    static let detectedID = "00000000-0000-4000-8000-000000000003"

    /// Seven events over three incidents; the last corrects INC-2's process to nightly.
    static let events = [
        eventLine("INC-1", "detected", "2026-03-01T10:00:00Z", data: detectedData("nightly")),
        eventLine("INC-1", "acknowledged", "2026-03-01T10:05:00Z", actor: "bob"),
        eventLine(
            "INC-2", "detected", "2026-03-02T09:00:00Z", data: detectedData("payments"),
            id: detectedID, actor: "carol"),
        eventLine("INC-1", "resolved", "2026-03-01T11:00:00Z", actor: "bob"),
        eventLine(
            "INC-2", "note", "2026-03-02T09:30:00Z", data: #"{"text":"a, \"quoted\"\nline"}"#),
        eventLine("INC-3", "detected", "2026-03-03T08:00:00Z", data: detectedData("nightly")),
        eventLine(
            "INC-2", "corrected", "2026-03-03T09:00:00Z",
            data: #"{"event":"\#(detectedID)","reason":"wrong process","#
                + #""data":{"process":"nightly"}}"#,
            actor: "dave"),
    ]

    /// A ledger holding `events`.
    static func ledger() throws -> CLIHarness {
        let harness = try CLIHarness()
        let file = try harness.file("events.ndjson", events.joined(separator: "\n"))
        let imported = try harness.run(["import", file])
        #expect(imported.status == 0, "\(imported.stderr)")
        return harness
    }

    /// The filters tried, with the positions each selects from the seven records.
    static let filters: [(arguments: [String], given: [String: String], positions: [Int])] = [
        ([], [:], [1, 2, 3, 4, 5, 6, 7]),
        (["--since", "2026-03-02T00:00:00Z"], ["since": "2026-03-02T00:00:00Z"], [3, 5, 6, 7]),
        (["--until", "2026-03-02T00:00:00Z"], ["until": "2026-03-02T00:00:00Z"], [1, 2, 4]),
        (["--incident", "INC-1"], ["incident": "INC-1"], [1, 2, 4]),
        (["--actor", "alice"], ["actor": "alice"], [1, 5, 6]),
        (["--process", "nightly"], ["process": "nightly"], [1, 2, 3, 4, 5, 6, 7]),
        (["--process", "payments"], ["process": "payments"], []),
        (
            ["--process", "payments", "--as-of", "6"], ["process": "payments", "asOf": "6"],
            [3, 5]
        ),
        (["--as-of", "3"], ["asOf": "3"], [1, 2, 3]),
    ]

    static func json(_ bytes: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: bytes) as? [String: Any])
    }

    static func sha256(_ path: String) throws -> String {
        let outcome = try CLIHarness.launch(URL(fileURLWithPath: "/usr/bin/sha256sum"), [path])
        return String(outcome.stdout.prefix(64))
    }

    static func checker(_ path: String) throws -> CLIHarness.Outcome {
        let checker = CLIHarness.packageRoot.appendingPathComponent("tools/ledger-check.py").path
        return try CLIHarness.launch(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", checker, "--export", path])
    }

    @Test(
        "each format with each filter holds exactly the selected records",
        arguments: ["ndjson", "csv", "json"])
    func formatsAndFilters(format: String) throws {
        for filter in Self.filters {
            let harness = try Self.ledger()
            let log = try harness.run(["log", "--json"]).stdout.split(separator: "\n")
            let output = harness.directory.appendingPathComponent("out.\(format)").path
            let export = try harness.run(
                ["export", "--format", format, "-o", output] + filter.arguments)
            #expect(export.status == 0, "\(filter.arguments): \(export.stderr)")

            let bytes = try Data(contentsOf: URL(fileURLWithPath: output))
            let text = String(decoding: bytes, as: UTF8.self)
            let expected = filter.positions.map { String(log[$0 - 1]) }
            switch format {
            case "ndjson":
                #expect(text == expected.map { $0 + "\n" }.joined(), "\(filter.arguments)")
            case "json":
                let head = try #require(Self.json(bytes)["head"] as? [String: Any])
                #expect(text.hasPrefix(#"{"head":{"hash":""#))
                #expect(text.hasSuffix(#","records":["# + expected.joined(separator: ",") + "]}\n"))
                #expect(head["size"] as? Int == (filter.given["asOf"].flatMap { Int($0) } ?? 7))
            default:
                let rows = text.components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }
                let positions = rows.compactMap { Int($0.prefix { $0 != "," }) }
                #expect(positions.filter { $0 > 0 } == filter.positions, "\(filter.arguments)")
            }

            let manifest = try Self.json(
                try Data(contentsOf: URL(fileURLWithPath: output + ".manifest.json")))
            let size = filter.given["asOf"].flatMap { Int($0) } ?? 7
            #expect(manifest["count"] as? Int == filter.positions.count)
            #expect(manifest["filters"] as? [String: String] == filter.given)
            #expect(manifest["format"] as? String == format)
            #expect(manifest["file"] as? String == "out.\(format)")
            #expect(manifest["sha256"] as? String == (try Self.sha256(output)))
            #expect((manifest["head"] as? [String: Any])?["size"] as? Int == size)
            #expect(manifest["recorded"] as? Bool == true)
            #expect(manifest["recordPosition"] as? Int == 8)
            if format != "csv" {
                let proofs = try #require(manifest["proofs"] as? [String: String])
                #expect(proofs["file"] == "out.\(format).proofs.ndjson")
                #expect(proofs["sha256"] == (try Self.sha256(output + ".proofs.ndjson")))
            }

            let verified = try harness.run(["verify", "--export", output])
            #expect(verified.status == 0, "\(filter.arguments): \(verified.stdout)")
            let checked = try Self.checker(output)
            #expect(checked.status == 0, "\(filter.arguments): \(checked.stderr)")
        }
    }

    @Test("the export is recorded in the ledger, which projections and metrics pass over")
    func exportIsRecorded() throws {
        let harness = try Self.ledger()
        // Open incidents' ages in stats follow the clock: only measured figures are compared.
        let views = ["list --json", "recurrence --json", "stats ttr --by process --json"]
        func answers() throws -> [String] {
            try views.map { view in
                let text = try harness.run(view.split(separator: " ").map(String.init)).stdout
                return text.components(separatedBy: #","open":{"#).first ?? text
            }
        }
        let before = try answers()
        let output = harness.directory.appendingPathComponent("all.ndjson").path
        let export = try harness.run(["export", "--format", "ndjson", "-o", output, "--json"])
        #expect(export.status == 0, "\(export.stderr)")
        let manifest = try Self.json(export.stdoutBytes)

        let last = try Self.json(
            Data(
                try #require(
                    try harness.run(["log", "--json", "--from", "8"]).stdout.split(
                        separator: "\n"
                    ).first
                ).utf8))
        #expect(last["type"] as? String == "exported")
        #expect(last["incident"] == nil)
        #expect(last["position"] as? Int == 8)
        #expect(last["recordedBy"] as? String == manifest["exportedBy"] as? String)
        #expect(last["at"] as? String == manifest["exportedAt"] as? String)
        let data = try #require(last["data"] as? [String: Any])
        let head = try #require(manifest["head"] as? [String: Any])
        #expect(data["count"] as? Int == 7)
        #expect(data["file"] as? String == "all.ndjson")
        #expect(data["format"] as? String == "ndjson")
        #expect(data["filters"] as? [String: String] == [:])
        #expect(data["headSize"] as? Int == 7)
        #expect(data["headRoot"] as? String == head["root"] as? String)
        #expect(data["sha256"] as? String == (try Self.sha256(output)))
        #expect(try harness.run(["log"]).stdout.contains(" -                 exported "))

        #expect(try answers() == before)
        let check = try harness.run(["rebuild", "--check", "--json"])
        #expect(check.stdout.contains(#""differing":[]"#), "\(check.stdout)")
        #expect(check.stdout.contains(#""records":8"#))
        #expect(try harness.run(["verify"]).status == 0)
        #expect(
            try harness.run(["history", "INC-1", "--json"]).stdout.split(separator: "\n").count == 3
        )

        let log = try harness.file(
            "log.ndjson", try harness.run(["log", "--json"]).stdout)
        let metrics = CLIHarness.packageRoot.appendingPathComponent("tools/metrics-check.py").path
        let recomputed = try CLIHarness.launch(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", metrics, log, "ttr"])
        #expect(recomputed.status == 0, "\(recomputed.stderr)")
        #expect(recomputed.stdout.contains(#""count": 1"#))

        // Again: the new export holds the first one's record and is recorded after it.
        let again = harness.directory.appendingPathComponent("again.ndjson").path
        let second = try harness.run(["export", "--format", "ndjson", "-o", again, "--json"])
        let secondManifest = try Self.json(second.stdoutBytes)
        #expect(secondManifest["count"] as? Int == 8)
        #expect((secondManifest["head"] as? [String: Any])?["size"] as? Int == 8)
        #expect(secondManifest["recordPosition"] as? Int == 9)
        #expect(try harness.run(["verify", "--export", output]).status == 0)
        #expect(try harness.run(["verify", "--export", again]).status == 0)
    }

    @Test("a CSV export whose header names a column twice is refused, not a crash")
    func csvHeaderWithRepeatedColumn() throws {
        let harness = try Self.ledger()
        let csv = harness.directory.appendingPathComponent("audit.csv").path
        #expect(try harness.run(["export", "--format", "csv", "-o", csv]).status == 0)
        let text = try String(contentsOfFile: csv, encoding: .utf8)
        let header = try #require(text.components(separatedBy: "\r\n").first)
        #expect(header.contains(",data.text,data.title"), "\(header)")
        try text.replacingOccurrences(of: ",data.text,data.title", with: ",data.text,data.text")
            .write(toFile: csv, atomically: true, encoding: .utf8)
        let verified = try harness.run(["verify", "--export", csv])
        #expect(verified.status == 1, "\(verified.stderr)")
        #expect(verified.stdout.contains("line 1: the header names a column twice"))
        #expect(try Self.checker(csv).status == 1)
    }

    /// Changes one byte of `path` at the first occurrence of `marker`, then puts it back.
    static func withByteChanged(
        _ path: String, after marker: String, _ body: () throws -> Void
    ) throws {
        let url = URL(fileURLWithPath: path)
        let original = try Data(contentsOf: url)
        var altered = original
        let range = try #require(original.range(of: Data(marker.utf8)))
        let index = range.upperBound
        altered[index] = altered[index] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        try altered.write(to: url)
        defer { try? original.write(to: url) }
        try body()
    }

    @Test("one changed byte in a record, a proof or the manifest is rejected by both checkers")
    func tamperingIsRejected() throws {
        let harness = try Self.ledger()
        let output = harness.directory.appendingPathComponent("audit.ndjson").path
        #expect(try harness.run(["export", "--format", "ndjson", "-o", output]).status == 0)

        let cases: [(file: String, marker: String, message: String)] = [
            (output, #""incident":"INC-1","position":2,"prev":""#, "line 2 (position 2)"),
            (output + ".proofs.ndjson", #""position":5,"proof":[""#, "proofs file line 5"),
            (output + ".manifest.json", #""root":""#, "manifest"),
            (output + ".manifest.json", #""count":"#, "the manifest says"),
        ]
        for (file, marker, message) in cases {
            try Self.withByteChanged(file, after: marker) {
                let verified = try harness.run(["verify", "--export", output])
                #expect(verified.status == 1, "\(marker)")
                #expect(verified.stdout.contains(message), "\(verified.stdout)")
                let checked = try Self.checker(output)
                #expect(checked.status == 1, "\(marker): \(checked.stdout)")
            }
        }
        #expect(try harness.run(["verify", "--export", output]).status == 0)
        #expect(try Self.checker(output).status == 0)

        // A cell of a CSV export: the ledger names the column.
        let csv = harness.directory.appendingPathComponent("audit.csv").path
        #expect(try harness.run(["export", "--format", "csv", "-o", csv]).status == 0)
        try Self.withByteChanged(csv, after: ",Export faile") {
            let verified = try harness.run(["verify", "--export", csv, "--json"])
            #expect(verified.status == 1)
            #expect(verified.stdout.contains(#""position":1,"reason":"column data.title is"#))
            #expect(try Self.checker(csv).status == 1)
        }
        // A record of a JSON export.
        let json = harness.directory.appendingPathComponent("audit.json").path
        #expect(try harness.run(["export", "--format", "json", "-o", json]).status == 0)
        try Self.withByteChanged(
            json, after: #""type":"resolved"},{"actor":"alice","at":"2026-03-0"#
        ) {
            let verified = try harness.run(["verify", "--export", json])
            #expect(verified.status == 1)
            #expect(verified.stdout.contains("line 5 (position 5)"), "\(verified.stdout)")
            #expect(try Self.checker(json).status == 1)
        }
    }

    @Test("a user who may not write the ledger gets the export, marked not recorded")
    func readOnlyExport() throws {
        let harness = try Self.ledger()
        let outputs = harness.directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
        let output = outputs.appendingPathComponent("ro.ndjson").path
        let data = harness.ledger + "/data.mdb"
        let before = try Data(contentsOf: URL(fileURLWithPath: data))
        let arguments = ["export", "--format", "ndjson", "-o", output, "--ledger", harness.ledger]

        let export: CLIHarness.Outcome
        if getuid() == 0 {
            // Root writes any file whatever its mode: run as nobody, who may read the
            // ledger and use its lock file but not write its data file.
            let manager = FileManager.default
            try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: harness.ledger)
            try manager.setAttributes([.posixPermissions: 0o644], ofItemAtPath: data)
            try manager.setAttributes(
                [.posixPermissions: 0o666], ofItemAtPath: harness.ledger + "/lock.mdb")
            try manager.setAttributes([.posixPermissions: 0o777], ofItemAtPath: outputs.path)
            export = try CLIHarness.launch(
                URL(fileURLWithPath: "/usr/bin/setpriv"),
                ["--reuid=65534", "--regid=65534", "--clear-groups", CLIHarness.executable.path]
                    + arguments)
        } else {
            try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: data)
            export = try CLIHarness.launch(CLIHarness.executable, arguments)
        }
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains("not recorded in the ledger: the ledger's data file is"))

        let manifest = try Self.json(
            try Data(contentsOf: URL(fileURLWithPath: output + ".manifest.json")))
        #expect(manifest["recorded"] as? Bool == false)
        #expect(manifest["recordPosition"] == nil)
        #expect(
            (manifest["notRecordedBecause"] as? String)?.hasPrefix(
                "the ledger's data file is not writable by") == true)
        #expect(manifest["count"] as? Int == 7)
        let schema = try schemaCheck("export-manifest.schema.json", [output + ".manifest.json"])
        #expect(schema.status == 0, "\(schema.stdout)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: data)) == before)
        #expect(try harness.run(["head", "--json"]).stdout.contains(#""position":7"#))
        #expect(try harness.run(["verify", "--export", output]).status == 0)
        #expect(try Self.checker(output).status == 0)
    }

    @Test("--as-of a recorded time exports the records up to it, from the head at that time")
    func asOfRecordedTime() throws {
        let harness = try Self.ledger()
        let seventh = try #require(
            try harness.run(["log", "--json", "--from", "7"]).stdout.split(separator: "\n").first)
        let recordedAt = try #require(
            try Self.json(Data(seventh.utf8))["recordedAt"] as? String)
        let note = ["note", "INC-1", "--text", "later", "--at", "2026-03-04T00:00:00Z"]
        #expect(try harness.run(note).status == 0)

        let output = harness.directory.appendingPathComponent("then.ndjson").path
        let export = try harness.run([
            "export", "--format", "ndjson", "-o", output, "--as-of", recordedAt,
        ])
        #expect(export.status == 0, "\(export.stderr)")
        let manifest = try Self.json(
            try Data(contentsOf: URL(fileURLWithPath: output + ".manifest.json")))
        #expect(manifest["count"] as? Int == 7)
        #expect(manifest["filters"] as? [String: String] == ["asOf": recordedAt])
        #expect((manifest["head"] as? [String: Any])?["size"] as? Int == 7)
        #expect(manifest["recordPosition"] as? Int == 9)
        let log = try harness.run(["log", "--json"]).stdout.split(separator: "\n")
        let text = try String(contentsOfFile: output, encoding: .utf8)
        #expect(text == log.prefix(7).map { $0 + "\n" }.joined())

        let before = harness.directory.appendingPathComponent("before.ndjson").path
        let none = try harness.run([
            "export", "--format", "ndjson", "-o", before, "--as-of", "2020-01-01T00:00:00Z",
        ])
        #expect(none.status == 0, "\(none.stderr)")
        #expect(try String(contentsOfFile: before, encoding: .utf8) == "")
        #expect(try harness.run(["verify", "--export", output]).status == 0)
        #expect(try harness.run(["verify", "--export", before]).status == 0)
        #expect(try Self.checker(output).status == 0)
    }

    @Test("bad arguments, existing files and refused input leave the ledger unchanged")
    func badArgumentsChangeNothing() throws {
        let harness = try Self.ledger()
        let output = harness.directory.appendingPathComponent("x.ndjson").path
        let before = try harness.ledgerFiles()["data.mdb"]
        let existing = try harness.file("taken.csv", "keep me")

        let attempts: [([String], Int32, String)] = [
            (["export", "-o", output], 64, "--format"),
            (["export", "--format", "xml", "-o", output], 64, "must be one of"),
            (["export", "--format", "csv"], 64, "--output"),
            (["export", "--format", "csv", "-o", output, "--since", "March"], 64, "'--since'"),
            (["export", "--format", "csv", "-o", output, "--as-of", "later"], 64, "'--as-of'"),
            (["export", "--format", "csv", "-o", existing], 64, "pass --force"),
        ]
        for (arguments, status, message) in attempts {
            let outcome = try harness.run(arguments)
            #expect(outcome.status == status, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.contains(message), "\(arguments): \(outcome.stderr)")
        }
        let missing = try harness.run(
            ["export", "--format", "csv", "-o", output, "--ledger", harness.ledger + "-none"],
            ledger: false)
        #expect(missing.status == 66)
        let refused = try harness.run(
            ["import", "-"],
            stdin: Data(
                #"{"type":"exported","at":"2026-03-01T10:00:00Z","actor":"a","data":{}}"#.utf8))
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("written only by the ledger itself"))

        #expect(try harness.ledgerFiles()["data.mdb"] == before)
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep me")
        #expect(!FileManager.default.fileExists(atPath: output))

        let forced = try harness.run(["export", "--format", "csv", "-o", existing, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try String(contentsOfFile: existing, encoding: .utf8).hasPrefix("position,"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: harness.directory.path)
            .filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }
}

@Suite("Audit exports with a signed head")
struct SignedExportTests {
    @Test("export --key signs the manifest's head; both checkers check it with the public key")
    func signedExport() throws {
        let harness = try ExportTests.ledger()
        let key = harness.directory.appendingPathComponent("head.pem").path
        let other = harness.directory.appendingPathComponent("other.pem").path
        #expect(try harness.run(["keygen", "-o", key], ledger: false).status == 0)
        #expect(try harness.run(["keygen", "-o", other], ledger: false).status == 0)

        let before = try harness.ledgerFiles()["data.mdb"]
        let missing = try harness.run([
            "export", "--format", "json", "-o", harness.directory.path + "/x.json", "--key",
            key + ".none",
        ])
        #expect(missing.status == 66, "\(missing.stderr)")
        #expect(try harness.ledgerFiles()["data.mdb"] == before)

        let output = harness.directory.appendingPathComponent("signed.json").path
        let export = try harness.run(["export", "--format", "json", "-o", output, "--key", key])
        #expect(export.status == 0, "\(export.stderr)")
        let manifest = try ExportTests.json(
            try Data(contentsOf: URL(fileURLWithPath: output + ".manifest.json")))
        let head = try #require(manifest["head"] as? [String: Any])
        let signature = try #require(head["signature"] as? [String: Any])
        #expect(signature["position"] as? Int == 7)
        #expect(signature["treeSize"] as? Int == 7)
        #expect(signature["root"] as? String == head["root"] as? String)
        #expect(signature["hash"] as? String == head["hash"] as? String)
        #expect(signature["signedAt"] as? String == manifest["exportedAt"] as? String)

        let checker = CLIHarness.packageRoot.appendingPathComponent("tools/ledger-check.py").path
        func python(_ publicKey: String) throws -> CLIHarness.Outcome {
            try CLIHarness.launch(
                URL(fileURLWithPath: "/usr/bin/env"),
                ["python3", checker, "--export", output, "--public-key", publicKey])
        }
        let verified = try harness.run(["verify", "--export", output, "--public-key", key + ".pub"])
        #expect(verified.status == 0, "\(verified.stdout)")
        #expect(verified.stdout.contains("head signed by key"))
        #expect(try python(key + ".pub").status == 0)

        let wrong = try harness.run(["verify", "--export", output, "--public-key", other + ".pub"])
        #expect(wrong.status == 1)
        #expect(wrong.stdout.contains("the head's signature: signed by key"))
        #expect(try python(other + ".pub").status == 1)

        try ExportTests.withByteChanged(output + ".manifest.json", after: #""signature":""#) {
            let altered = try harness.run([
                "verify", "--export", output, "--public-key", key + ".pub",
            ])
            #expect(altered.status == 1)
            #expect(altered.stdout.contains("the signature does not match"), "\(altered.stdout)")
            #expect(try python(key + ".pub").status == 1)
        }
    }
}

@Suite("Audit exports larger than the writer's buffer")
struct StreamedExportTests {
    @Test(
        "an export of thousands of records is the log's bytes, its digests and proofs check",
        arguments: ["ndjson", "csv", "json"])
    func largeExport(format: String) throws {
        let harness = try CLIHarness()
        let sample = try harness.sample(events: 6000, seed: 9)
        #expect(try harness.run(["import", sample]).status == 0)
        let log = try harness.run(["log", "--json"]).stdout
        let lines = log.split(separator: "\n").map(String.init)
        #expect(lines.count == 6000)
        // Well over the 1 MiB the export's writer buffers, so that it writes many times.
        #expect(log.utf8.count > 2 << 20)

        let output = harness.directory.appendingPathComponent("all.\(format)").path
        let export = try harness.run(["export", "--format", format, "-o", output])
        #expect(export.status == 0, "\(export.stderr)")
        let text = try String(contentsOfFile: output, encoding: .utf8)
        switch format {
        case "ndjson":
            #expect(text == log)
        case "json":
            #expect(text.hasPrefix(#"{"head":{"hash":""#))
            #expect(text.hasSuffix(#","records":["# + lines.joined(separator: ",") + "]}\n"))
        default:
            let rows = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(rows.count == 6001)
            #expect(rows.last?.hasPrefix("6000,") == true)
        }

        let manifest = try ExportTests.json(
            try Data(contentsOf: URL(fileURLWithPath: output + ".manifest.json")))
        #expect(manifest["count"] as? Int == 6000)
        #expect(manifest["sha256"] as? String == (try ExportTests.sha256(output)))
        if format != "csv" {
            let proofs = try #require(manifest["proofs"] as? [String: String])
            #expect(proofs["sha256"] == (try ExportTests.sha256(output + ".proofs.ndjson")))
            let proofLines = try String(contentsOfFile: output + ".proofs.ndjson", encoding: .utf8)
                .split(separator: "\n")
            #expect(proofLines.count == 6000)

            // The proofs file is read a mebibyte at a time: a byte changed just past the
            // first chunk's end is found in the line that spans it.
            let url = URL(fileURLWithPath: output + ".proofs.ndjson")
            let original = try Data(contentsOf: url)
            let hexDigits = Set("0123456789abcdef".utf8)
            let index = try #require(
                original.indices.first { $0 >= 1 << 20 && hexDigits.contains(original[$0]) })
            let line = original[..<index].filter { $0 == 0x0A }.count + 1
            var altered = original
            altered[index] =
                original[index] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
            try altered.write(to: url)
            let tampered = try harness.run(["verify", "--export", output])
            #expect(tampered.status == 1)
            #expect(tampered.stdout.contains("proofs file line \(line)"), "\(tampered.stdout)")
            #expect(!tampered.stdout.contains("proofs file line \(line + 1)"))
            #expect(!tampered.stdout.contains("proofs file line \(line - 1)"))
            let checked = try ExportTests.checker(output)
            #expect(checked.status == 1)
            #expect(checked.stderr.contains("proofs line \(line):"), "\(checked.stderr)")
            try original.write(to: url)
        } else {
            #expect(!FileManager.default.fileExists(atPath: output + ".proofs.ndjson"))
        }
        let verified = try harness.run(["verify", "--export", output])
        #expect(verified.status == 0, "\(verified.stdout)")
        let checked = try ExportTests.checker(output)
        #expect(checked.status == 0, "\(checked.stderr)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: harness.directory.path)
            .filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }
}
