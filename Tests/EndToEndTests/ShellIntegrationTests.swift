import CommandLineKit
import Foundation
import Testing

@testable import IncidentsCLI

/// Runs a program found on `PATH` with `arguments`, returning its status and output.
///
/// The shells and groff are installed by tools/setup; a missing one fails the test.
func runTool(
    _ tool: String, _ arguments: [String], stdin: String? = nil
) throws -> (
    status: Int32, stdout: String, stderr: String
) {
    let outcome = try CLIHarness.launch(
        URL(fileURLWithPath: "/usr/bin/env"), [tool] + arguments,
        stdin: stdin.map { Data($0.utf8) })
    return (outcome.status, outcome.stdout, outcome.stderr)
}

@Suite("Shell integration: --version, completion scripts and the manual page")
struct ShellIntegrationTests {
    static let program = IncidentsMain.programSpec

    /// The script `incidents completions SHELL` prints, written to a file.
    static func script(_ shell: String, in harness: CLIHarness) throws -> String {
        let outcome = try harness.run(["completions", shell], ledger: false)
        #expect(outcome.status == 0)
        #expect(outcome.stderr.isEmpty)
        return try harness.file("completion.\(shell)", outcome.stdout)
    }

    /// Every (command, option) pair the program defines, `--help` included.
    static var commandOptions: [(command: CommandSpec, option: OptionSpec)] {
        program.commands.flatMap { command in
            command.optionsWithHelp.map { (command, $0) }
        }
    }

    @Test("--version prints the program's name and version")
    func version() throws {
        let outcome = try CLIHarness().run(["--version"], ledger: false)
        #expect(outcome.status == 0)
        #expect(outcome.stdout == "incidents \(IncidentsMain.version)\n")
    }

    @Test("completions refuses a shell it does not know, listing those it does")
    func unknownShell() throws {
        let outcome = try CLIHarness().run(["completions", "tcsh"], ledger: false)
        #expect(outcome.status == 64)
        #expect(
            outcome.stderr.hasPrefix(
                "incidents completions: SHELL must be one of bash, zsh, fish, not 'tcsh'"))
    }

    @Test("the bash script parses, registers itself and completes commands, flags and values")
    func bashCompletes() throws {
        let harness = try CLIHarness()
        let script = try Self.script("bash", in: harness)
        #expect(try runTool("bash", ["-n", script]).status == 0)

        // Each probe prints the words typed, a tab, and the words offered.
        var probes: [(typed: [String], expected: [String], exact: Bool)] = []
        for command in Self.program.commands {
            probes.append((["incidents", command.name], [command.name], false))
            if let first = command.positionals.first, !first.allowedValues.isEmpty {
                probes.append((["incidents", command.name, ""], first.allowedValues, true))
            }
        }
        for (command, option) in Self.commandOptions {
            probes.append(
                (["incidents", command.name, "--\(option.name)"], ["--\(option.name)"], false))
            if !option.allowedValues.isEmpty {
                let typed = ["incidents", command.name, "--\(option.name)", ""]
                probes.append((typed, option.allowedValues, true))
            }
        }
        let driver =
            [
                "source \(script)",
                "complete -p incidents",
                "probe() {",
                "    COMP_WORDS=(\"$@\"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()",
                "    _incidents",
                "    printf '%s\\t%s\\n' \"$*\" \"${COMPREPLY[*]}\"",
                "}",
            ] + probes.map { "probe " + $0.typed.map { "'\($0)'" }.joined(separator: " ") }
        let run = try runTool("bash", ["-c", driver.joined(separator: "\n")])
        #expect(run.status == 0)
        #expect(run.stderr.isEmpty)

        var lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "complete -F _incidents incidents")
        lines = Array(lines.dropFirst())
        #expect(lines.count == probes.count + 1)
        for (probe, line) in zip(probes, lines) {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            #expect(parts.first.map(String.init) == probe.typed.joined(separator: " "))
            let offered = (parts.last ?? "").split(separator: " ").map(String.init)
            if probe.exact {
                #expect(offered == probe.expected, "\(probe.typed)")
            } else {
                #expect(Set(probe.expected).isSubset(of: offered), "\(probe.typed): \(offered)")
            }
        }
    }

    @Test("the bash script completes a value after --name= and paths for files")
    func bashCompletesValuesAfterEqualsAndPaths() throws {
        let harness = try CLIHarness()
        let script = try Self.script("bash", in: harness)
        _ = try harness.file("events.ndjson", "")
        let folder = harness.directory.path
        let driver = """
            source \(script)
            probe() {
                COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
                _incidents
                echo "${COMPREPLY[*]}"
            }
            probe incidents stats ttr --by = mon
            probe incidents list --sort d
            probe incidents import '\(folder)/ev'
            probe incidents detect INC-1 --title ''
            """
        let run = try runTool("bash", ["-c", driver])
        #expect(run.status == 0)
        #expect(run.stdout == "month\ndetected\n\(folder)/events.ndjson\n\n")
    }

    @Test("the zsh script parses and names every command, option and value")
    func zshNamesEverything() throws {
        let harness = try CLIHarness()
        let path = try Self.script("zsh", in: harness)
        let check = try runTool("zsh", ["-n", path])
        #expect(check.status == 0, "\(check.stderr)")

        let script = try String(contentsOfFile: path, encoding: .utf8)
        #expect(script.hasPrefix("#compdef incidents\n"))
        for command in Self.program.commands {
            #expect(script.contains("\n                '\(command.name):"), "\(command.name)")
            let block = try #require(Self.zshBlock(of: command.name, in: script))
            for option in command.optionsWithHelp {
                #expect(block.contains("--\(option.name)"), "\(command.name) --\(option.name)")
                for value in option.allowedValues {
                    #expect(block.contains(value), "\(command.name) --\(option.name) \(value)")
                }
            }
            for positional in command.positionals {
                #expect(block.contains(":\(positional.name):"), "\(command.name)")
            }
        }
    }

    /// The `_arguments` call for one command in the zsh script.
    static func zshBlock(of command: String, in script: String) -> Substring? {
        guard let start = script.range(of: "\n                ('\(command)')\n") else {
            return nil
        }
        let rest = script[start.upperBound...]
        return rest.range(of: ";;").map { rest[..<$0.lowerBound] }
    }

    @Test("the fish script parses and completes every command, option and value")
    func fishCompletes() throws {
        let harness = try CLIHarness()
        let script = try Self.script("fish", in: harness)
        let check = try runTool("fish", ["--no-execute", script])
        #expect(check.status == 0, "\(check.stderr)")

        var probes: [(typed: String, expected: [String], exact: Bool)] = []
        for command in Self.program.commands {
            probes.append(("incidents \(command.name)", [command.name], false))
        }
        for (command, option) in Self.commandOptions {
            probes.append(
                ("incidents \(command.name) --\(option.name)", ["--\(option.name)"], false))
            if !option.allowedValues.isEmpty {
                probes.append(
                    ("incidents \(command.name) --\(option.name) ", option.allowedValues, true))
            }
        }
        let driver =
            ["source \(script)"]
            + probes.map { "complete -C '\($0.typed)'; echo '@@'" }
        let run = try runTool("fish", ["-c", driver.joined(separator: "\n")])
        #expect(run.status == 0)
        let answers = run.stdout.components(separatedBy: "@@\n").dropLast()
        #expect(answers.count == probes.count)
        for (probe, answer) in zip(probes, answers) {
            let offered = answer.split(separator: "\n").map {
                String($0.split(separator: "\t").first ?? "")
            }
            if probe.exact {
                #expect(offered.sorted() == probe.expected.sorted(), "\(probe.typed)")
            } else {
                #expect(Set(probe.expected).isSubset(of: offered), "\(probe.typed): \(offered)")
            }
        }
    }

    @Test("the manual page renders and shows every usage line, argument and option")
    func manualPageMatchesHelp() throws {
        let harness = try CLIHarness()
        let outcome = try harness.run(["manual"], ledger: false)
        #expect(outcome.status == 0)
        let page = try harness.file("incidents.1", outcome.stdout)
        let render = try runTool("groff", ["-man", "-Tutf8", "-ww", "-P-cbou", page])
        #expect(render.status == 0)
        #expect(render.stderr.isEmpty, "\(render.stderr)")

        let text = Self.words(render.stdout)
        #expect(text.contains("incidents - \(Self.program.summary)"))
        for command in Self.program.commands {
            let usage = HelpFormatter.usage(for: command, program: "incidents")
            #expect(text.contains(Self.words(usage)), "usage of \(command.name)")
            #expect(text.contains(Self.words(command.summary)), "summary of \(command.name)")
            for positional in command.positionals {
                #expect(text.contains(Self.words(positional.help)), "\(command.name)")
            }
            for option in command.optionsWithHelp {
                let label = option.valueName.map { "--\(option.name) \($0)" } ?? "--\(option.name)"
                #expect(text.contains(label), "\(command.name) \(label)")
                #expect(text.contains(Self.words(option.help)), "\(command.name) \(label)")
            }
            for example in command.examples {
                #expect(text.contains(Self.words(example)), "\(command.name): \(example)")
            }
        }
        for status in ["64 usage error", "77 permission denied"] {
            #expect(text.contains(status))
        }
    }

    @Test("man -l shows the page as a reader sees it")
    func manShowsThePage() throws {
        let harness = try CLIHarness()
        let page = try harness.file(
            "incidents.1", try harness.run(["manual"], ledger: false).stdout)
        let outcome = try CLIHarness.launch(
            URL(fileURLWithPath: "/usr/bin/env"), ["man", "-l", page],
            environment: ["MANPAGER": "cat", "MANWIDTH": "80", "MAN_KEEP_FORMATTING": ""])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("INCIDENTS(1)"))
        #expect(Self.words(outcome.stdout).contains("incidents log [options]"))
    }

    /// Text with every run of white space made one space, so that wrapping does not matter.
    static func words(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
