import Foundation
import Testing

/// Progress lines, which `import` and `rebuild` write to a terminal only.
@Suite("progress on a terminal, and none in a pipe")
struct TerminalProgressTests {
    /// Runs `incidents` under `script`, which gives it a pseudo-terminal for its standard
    /// streams, and returns everything it wrote there.
    static func onTerminal(_ harness: CLIHarness, _ arguments: [String]) throws -> String {
        let command = ([CLIHarness.executable.path] + arguments + ["--ledger", harness.ledger])
            .map { "'" + $0 + "'" }.joined(separator: " ")
        let outcome = try CLIHarness.launch(
            URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"])
        #expect(outcome.status == 0, "\(arguments): \(outcome.stdout)\(outcome.stderr)")
        return outcome.stdout
    }

    @Test("import and rebuild show their progress on a terminal and not in a pipe")
    func progressOnlyOnATerminal() throws {
        let harness = try CLIHarness()
        let sample = try harness.sample(events: 2000, seed: 5)

        let imported = try Self.onTerminal(harness, ["import", sample])
        #expect(imported.hasPrefix("\rchecking 0/2000 (0%)"), "\(imported)")
        #expect(imported.contains("\rchecking 2000/2000 (100%)\r\u{1B}[K2000 written, "))

        let rebuilt = try Self.onTerminal(harness, ["rebuild"])
        #expect(rebuilt.contains("\rrebuilding 2000/2000 (100%)\r\u{1B}[Krebuilt "), "\(rebuilt)")
        #expect(rebuilt.hasSuffix(" incidents from 2000 records\r\n"))

        // Through pipes, standard error stays empty.
        let piped = try harness.run(["rebuild"])
        #expect(piped.status == 0)
        #expect(piped.stderr.isEmpty, "\(piped.stderr)")
        #expect(piped.stdout.hasSuffix(" incidents from 2000 records\n"))
        let again = try harness.run(["import", sample])
        #expect(again.stderr.isEmpty, "\(again.stderr)")
        #expect(again.stdout.hasPrefix("0 written, 2000 duplicates skipped"))
    }
}
