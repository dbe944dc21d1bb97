import Foundation
import Testing

@Suite("Several processes, tampering and the independent checker")
struct ConcurrencyAndCheckerTests {
    @Test("eight writers in separate processes lose nothing while readers verify")
    func concurrentWriters() async throws {
        let harness = try CLIHarness()
        #expect(try harness.run(["init"]).status == 0)
        let importers = 4
        let eventsPerImport = 400
        let recorders = 4
        let recordsPerRecorder = 15

        var files: [String] = []
        for writer in 0..<importers {
            var lines: [String] = []
            for index in 0..<eventsPerImport / 2 {
                let incident = "IMP-\(writer)-\(index)"
                lines.append(
                    eventLine(incident, "detected", "2026-03-02T09:14:00Z", data: detectedData()))
                lines.append(eventLine(incident, "acknowledged", "2026-03-02T09:15:00Z"))
            }
            files.append(try harness.file("w\(writer).ndjson", lines.joined(separator: "\n")))
        }

        let failures = try await withThrowingTaskGroup(of: [String].self) { group in
            for file in files {
                group.addTask {
                    let outcome = try harness.run(["import", file])
                    return outcome.status == 0 ? [] : ["import: \(outcome.stderr)"]
                }
            }
            for recorder in 0..<recorders {
                group.addTask {
                    var problems: [String] = []
                    for index in 0..<recordsPerRecorder {
                        let outcome = try harness.run([
                            "detect", "REC-\(recorder)-\(index)", "--title", "t", "--process", "p",
                            "--severity", "SEV4", "--at", "2026-03-02T09:14:00Z",
                        ])
                        if outcome.status != 0 { problems.append("detect: \(outcome.stderr)") }
                    }
                    return problems
                }
            }
            group.addTask {
                var problems: [String] = []
                for _ in 0..<10 {
                    let outcome = try harness.run(["verify"])
                    if outcome.status != 0 { problems.append("verify: \(outcome.stdout)") }
                }
                return problems
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(failures.isEmpty, "\(failures)")

        let expected = importers * eventsPerImport + recorders * recordsPerRecorder
        let verify = try harness.run(["verify", "--json"])
        #expect(verify.status == 0)
        #expect(verify.stdout.contains(#""records":\#(expected)"#))
        let log = try harness.run(["log", "--json"])
        let positions = log.stdout.split(separator: "\n").compactMap { line -> Int? in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["position"] as? Int
        }
        #expect(positions == Array(1...expected))
    }

    @Test("verify exits 1 naming the position when a stored byte is changed")
    func verifyCatchesAChangedByte() throws {
        let harness = try CLIHarness()
        var lines: [String] = []
        for index in 1...50 {
            lines.append(
                eventLine(
                    "INC-\(index)", "detected", "2026-03-02T09:14:00Z",
                    data:
                        #"{"title":"Title number \#(1000 + index)","process":"p","#
                        + #""severity":"SEV4"}"#
                ))
        }
        #expect(
            try harness.run(["import", try harness.file("h.ndjson", lines.joined(separator: "\n"))])
                .status == 0)
        #expect(try harness.run(["verify"]).status == 0)

        let path = harness.ledger + "/data.mdb"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let needle = Data("Title number 1025".utf8)
        let range = try #require(bytes.range(of: needle))
        bytes[range.lowerBound + 6] = UInt8(ascii: "N")
        try bytes.write(to: URL(fileURLWithPath: path))

        let outcome = try harness.run(["verify", "--json"])
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains(#""ok":false"#))
        #expect(outcome.stdout.contains(#""position":26"#))
    }

    @Test("the Python checker agrees with the ledger and rejects an altered export")
    func pythonCheckerAgrees() throws {
        let harness = try CLIHarness()
        let root = CLIHarness.packageRoot
        let sample = harness.directory.appendingPathComponent("sample.ndjson").path
        let python = URL(fileURLWithPath: "/usr/bin/env")
        let generated = try CLIHarness.launch(
            python,
            [
                "python3", root.appendingPathComponent("tools/generate-sample.py").path,
                "--events", "3000", "--seed", "11", "-o", sample,
            ])
        #expect(generated.status == 0, "\(generated.stderr)")
        let imported = try harness.run(["import", sample])
        #expect(imported.status == 0, "\(imported.stderr)")

        let head = try harness.run(["head"]).stdout.split(separator: " ")
        let exportPath = harness.directory.appendingPathComponent("export.ndjson")
        try harness.run(["log", "--json"]).stdoutBytes.write(to: exportPath)
        let checker = root.appendingPathComponent("tools/ledger-check.py").path
        let checked = try CLIHarness.launch(python, ["python3", checker, exportPath.path])
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stdout.contains("head \(head[0]) \(head[1])"))

        var altered = try Data(contentsOf: exportPath)
        let index = try #require(altered.firstRange(of: Data(#""actor":""#.utf8))).upperBound
        altered[index] = altered[index] == UInt8(ascii: "x") ? UInt8(ascii: "y") : UInt8(ascii: "x")
        let alteredPath = harness.directory.appendingPathComponent("altered.ndjson")
        try altered.write(to: alteredPath)
        let rejected = try CLIHarness.launch(python, ["python3", checker, alteredPath.path])
        #expect(rejected.status == 1)
        #expect(rejected.stderr.contains("line 2 (position 2)"))
    }
}
