import Foundation
import Testing

/// Runs `tools/schema-check.py SCHEMA FILES...`: a full JSON Schema validator (the
/// jsonschema package, which tools/setup installs) that resolves references between the
/// files of schemas/.
func schemaCheck(_ schema: String, _ files: [String]) throws -> CLIHarness.Outcome {
    let tool = CLIHarness.packageRoot.appendingPathComponent("tools/schema-check.py").path
    return try CLIHarness.launch(
        URL(fileURLWithPath: "/usr/bin/env"), ["python3", tool, schema] + files)
}

@Suite("What the audit commands read and write follows schemas/")
struct SchemaConformanceTests {
    /// Writes `outcome`'s standard output to `name` after checking that it succeeded.
    static func saved(
        _ outcome: CLIHarness.Outcome, as name: String, in harness: CLIHarness
    ) throws -> String {
        #expect(outcome.status == 0, "\(name): \(outcome.stderr)")
        return try harness.file(name, outcome.stdout)
    }

    @Test("head, keygen, prove, export, verify --export, log and report validate")
    func auditOutputsValidate() throws {
        let harness = try ExportTests.ledger()
        let key = harness.directory.appendingPathComponent("head.pem").path
        let keygen = try harness.run(["keygen", "-o", key, "--json"], ledger: false)
        let head = try harness.run(["head", "--json"])
        let signed = try Self.saved(
            try harness.run(["head", "--sign", key]), as: "signed.json", in: harness)
        let checked = try harness.run([
            "head", "--check", signed, "--public-key", key + ".pub", "--json",
        ])
        let proofs = [
            try harness.run(["prove", ExportTests.detectedID]),
            try harness.run(["prove", "2", "--size", "5"]),
            try harness.run(["prove", "--consistency", "3", "--size", "7"]),
        ]

        var exported: [String: String] = [:]
        for format in ["ndjson", "json", "csv"] {
            let output = harness.directory.appendingPathComponent("audit.\(format)").path
            let export = try harness.run([
                "export", "--format", format, "-o", output, "--incident", "INC-2", "--key", key,
            ])
            #expect(export.status == 0, "\(format): \(export.stderr)")
            exported[format] = output
        }
        let ndjson = try #require(exported["ndjson"])
        let json = try #require(exported["json"])
        let csv = try #require(exported["csv"])
        let verified = try harness.run(["verify", "--export", ndjson, "--json"])
        let log = try harness.run(["log", "--json"])
        let report = harness.directory.appendingPathComponent("report.json").path
        #expect(try harness.run(["report", "--format", "json", "-o", report]).status == 0)

        let cases: [(schema: String, files: [String])] = [
            ("keygen.schema.json", [try Self.saved(keygen, as: "keygen.json", in: harness)]),
            ("head.schema.json", [try Self.saved(head, as: "head.json", in: harness), signed]),
            (
                "head-check.schema.json",
                [try Self.saved(checked, as: "head-check.json", in: harness)]
            ),
            (
                "proof.schema.json",
                try proofs.enumerated().map {
                    try Self.saved($0.element, as: "proof\($0.offset).json", in: harness)
                }
            ),
            (
                "export-manifest.schema.json",
                [ndjson, json, csv].map { $0 + ".manifest.json" }
            ),
            ("export-proof.schema.json", [ndjson + ".proofs.ndjson", json + ".proofs.ndjson"]),
            ("export-document.schema.json", [json]),
            ("record.schema.json", [ndjson, try Self.saved(log, as: "log.ndjson", in: harness)]),
            (
                "verify-export.schema.json",
                [try Self.saved(verified, as: "verified.json", in: harness)]
            ),
            ("report.schema.json", [report]),
        ]
        for (schema, files) in cases {
            let outcome = try schemaCheck(schema, files)
            #expect(outcome.status == 0, "\(schema): \(outcome.stdout)\(outcome.stderr)")
            #expect(outcome.stdout == "ok\n", "\(schema)")
        }
        // The log holds the export's own records, ledger-level `exported` ones.
        #expect(log.stdout.components(separatedBy: #""type":"exported""#).count == 4)

        // The check is not a formality: a manifest that lost its signature's key id fails.
        let manifest = try String(contentsOfFile: ndjson + ".manifest.json", encoding: .utf8)
        let broken = try harness.file(
            "broken.manifest.json",
            manifest.replacingOccurrences(of: #""keyId":"#, with: #""keyID":"#))
        let rejected = try schemaCheck("export-manifest.schema.json", [broken])
        #expect(rejected.status == 1)
        #expect(rejected.stdout.contains("head/signature"), "\(rejected.stdout)")
    }

    @Test("the README's example policy validates and report --policy accepts it")
    func readmePolicyValidates() throws {
        let readme = try String(
            contentsOf: CLIHarness.packageRoot.appendingPathComponent("README.md"),
            encoding: .utf8)
        let start = try #require(readme.range(of: "```json\n{\"checks\""))
        let end = try #require(readme[start.upperBound...].range(of: "```\n"))
        let text = String(readme[readme.index(start.lowerBound, offsetBy: 8)..<end.lowerBound])
        let harness = try ExportTests.ledger()
        let policy = try harness.file("policy.json", text)

        let validated = try schemaCheck("policy.schema.json", [policy])
        #expect(validated.status == 0, "\(validated.stdout)")
        let output = harness.directory.appendingPathComponent("report.json").path
        let report = try harness.run([
            "report", "--policy", policy, "--format", "json", "-o", output,
        ])
        #expect(report.status == 0, "\(report.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output)))
                as? [String: Any])
        let checks = try #require(
            (object["policy"] as? [String: Any])?["checks"] as? [String: Any])
        let major = try #require(checks["majorPostmortem"] as? [String: Any])
        #expect(major["days"] as? Int == 3)
        let overdue = try #require(checks["overdueFollowUp"] as? [String: Any])
        #expect(overdue["enabled"] as? Bool == false)
    }
}
