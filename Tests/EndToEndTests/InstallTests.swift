import Foundation
import Testing

@testable import IncidentsCLI

@Suite("tools/install puts the program, its manual page and completions in place")
struct InstallTests {
    static let install = CLIHarness.packageRoot.appendingPathComponent("tools/install")

    /// What `tools/install` should write, by path under the prefix, with the arguments of
    /// the `incidents` run whose output the file must hold.
    static let generated = [
        "share/man/man1/incidents.1": ["manual"],
        "share/bash-completion/completions/incidents": ["completions", "bash"],
        "share/zsh/site-functions/_incidents": ["completions", "zsh"],
        "share/fish/vendor_completions.d/incidents.fish": ["completions", "fish"],
    ]

    @Test("an installed build answers --version, and each file is what it prints")
    func installLayout() throws {
        let harness = try CLIHarness()
        let prefix = harness.directory.appendingPathComponent("prefix").path
        let outcome = try CLIHarness.launch(
            Self.install, ["--no-build", "--from", CLIHarness.executable.path, prefix])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr == "installed incidents \(IncidentsMain.version) in \(prefix)\n")

        let program = URL(fileURLWithPath: prefix + "/bin/incidents")
        let version = try CLIHarness.launch(program, ["--version"])
        #expect(version.stdout == "incidents \(IncidentsMain.version)\n")
        #expect(try Self.mode(program.path) == 0o755)

        for (path, arguments) in Self.generated {
            let installed = try Data(contentsOf: URL(fileURLWithPath: prefix + "/" + path))
            let printed = try CLIHarness.launch(program, arguments).stdoutBytes
            #expect(!installed.isEmpty, "\(path)")
            #expect(installed == printed, "\(path)")
            #expect(try Self.mode(prefix + "/" + path) == 0o644, "\(path)")
        }
        let files = try FileManager.default.subpathsOfDirectory(atPath: prefix).filter {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(
                atPath: prefix + "/" + $0, isDirectory: &isDirectory)
            return exists && !isDirectory.boolValue
        }
        #expect(Set(files) == Set(Self.generated.keys).union(["bin/incidents"]))
    }

    @Test("install refuses a bad command line with status 64 and writes nothing")
    func installUsage() throws {
        let harness = try CLIHarness()
        let prefix = harness.directory.appendingPathComponent("prefix").path
        let noBinary = try CLIHarness.launch(Self.install, ["--no-build", prefix])
        #expect(noBinary.status == 64)
        #expect(noBinary.stderr == "tools/install: --no-build needs --from BIN\n")
        let twoPrefixes = try CLIHarness.launch(Self.install, ["--no-build", prefix, prefix])
        #expect(twoPrefixes.status == 64)
        let missing = try CLIHarness.launch(
            Self.install, ["--no-build", "--from", prefix + "/nothing", prefix])
        #expect(missing.status == 66)
        #expect(!FileManager.default.fileExists(atPath: prefix))
    }

    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }
}
