import Foundation
import Testing

/// Runs the built `incidents` executable in a fresh temporary folder.
final class CLIHarness: Sendable {
    let directory: URL
    var ledger: String { directory.appendingPathComponent("ledger").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("incidents-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        var stdoutBytes: Data
    }

    /// The executable, built beside the test bundle.
    static var executable: URL {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0])
            .deletingLastPathComponent()
        let candidates = [
            bundleDirectory.appendingPathComponent("incidents"),
            bundleDirectory.deletingLastPathComponent().appendingPathComponent("incidents"),
        ]
        for candidate in candidates
        where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        return packageRoot.appendingPathComponent(".build/debug/incidents")
    }

    /// The repository root (for tools/).
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs `incidents` with the harness's ledger unless `ledger` is false.
    @discardableResult
    func run(
        _ arguments: [String], stdin: Data? = nil, ledger useLedger: Bool = true,
        environment: [String: String] = [:]
    ) throws -> Outcome {
        let arguments = useLedger ? arguments + ["--ledger", ledger] : arguments
        return try CLIHarness.launch(
            CLIHarness.executable, arguments, stdin: stdin, environment: environment)
    }

    static func launch(
        _ executable: URL, _ arguments: [String], stdin: Data? = nil,
        environment: [String: String] = [:]
    ) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "INCIDENTS_LEDGER")
        env["NO_COLOR"] = "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self), stdoutBytes: outData)
    }

    /// Writes `text` to a file in the harness folder and returns its path.
    func file(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Writes a history of `events` events made by `tools/generate-sample.py` to a file
    /// in the harness folder and returns its path.
    func sample(events: Int, seed: Int) throws -> String {
        let path = directory.appendingPathComponent("sample.ndjson").path
        let generator = CLIHarness.packageRoot.appendingPathComponent("tools/generate-sample.py")
        let generated = try CLIHarness.launch(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", generator.path, "--events", "\(events)", "--seed", "\(seed)", "-o", path])
        try #require(generated.status == 0, "\(generated.stderr)")
        return path
    }

    /// The bytes of every file in the ledger directory, by name.
    func ledgerFiles() throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: ledger) {
            files[name] = try Data(contentsOf: URL(fileURLWithPath: ledger + "/" + name))
        }
        return files
    }
}

/// One NDJSON event line.
func eventLine(
    _ incident: String, _ type: String, _ at: String, data: String = "{}", id: String? = nil,
    actor: String = "alice"
) -> String {
    let idField = id.map { #""id":"\#($0)","# } ?? ""
    let envelope = #""incident":"\#(incident)","type":"\#(type)","at":"\#(at)","#
    return #"{\#(idField)\#(envelope)"actor":"\#(actor)","data":\#(data)}"#
}

/// A detected event's data.
func detectedData(_ process: String = "nightly-export", severity: String = "SEV3") -> String {
    #"{"title":"Export failed","process":"\#(process)","severity":"\#(severity)"}"#
}
