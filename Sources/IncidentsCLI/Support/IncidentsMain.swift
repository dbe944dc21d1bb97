import CommandLineKit
import Glibc
import IncidentLedger

/// The `incidents` program: finds the command, parses its arguments, runs it and
/// turns any failure into one line on stderr and a documented exit status.
public enum IncidentsMain {
    static let program = "incidents"
    static let version = "0.1.0"

    /// The commands, grouped as the overview lists them.
    static let groups: [(title: String, commands: [Command])] = [
        ("Record incident steps", StepCommands.all),
        ("Write", [.initialize, .record, .importEvents, .rebuild]),
        ("Read", [.show, .list, .history, .log, .head, .verify, .prove, .export]),
        ("Analyse", [.stats, .recurrence, .metrics, .report]),
        ("Sign heads", [.keygen]),
        ("Keep safe", [.backup, .restore]),
        ("Shell", [.completions, .manual]),
    ]

    static var commands: [Command] { groups.flatMap(\.commands) }

    /// Runs the program.
    /// - Parameters:
    ///   - arguments: The arguments after the program name.
    ///   - environment: The process environment.
    /// - Returns: The exit status.
    public static func run(_ arguments: [String], environment: [String: String]) -> Int32 {
        let terminal = Terminal(environment: environment)
        defer { terminal.flush() }
        let context = Context(terminal: terminal, environment: environment)

        guard let name = arguments.first else {
            terminal.err.line(overview())
            return ExitStatus.usage.rawValue
        }
        switch name {
        case "-h", "--help", "help":
            if arguments.count > 1, let command = find(arguments[1]) {
                terminal.out.line(HelpFormatter.help(for: command.spec, program: program))
            } else {
                terminal.out.line(overview())
            }
            return ExitStatus.success.rawValue
        case "--version":
            terminal.out.line("\(program) \(version)")
            return ExitStatus.success.rawValue
        default:
            break
        }
        guard let command = find(name) else {
            terminal.err.line("\(program): unknown command '\(name)'; see '\(program) --help'")
            return ExitStatus.usage.rawValue
        }

        do {
            let parsed = try ArgumentParser.parse(Array(arguments.dropFirst()), for: command.spec)
            if parsed.helpRequested {
                terminal.out.line(HelpFormatter.help(for: command.spec, program: program))
                return ExitStatus.success.rawValue
            }
            context.ledgerOption = parsed.value("ledger")
            return try command.run(parsed, context).rawValue
        } catch {
            let failure = CLIError.from(error)
            terminal.out.flush()
            terminal.err.line("\(program) \(name): \(failure.message)")
            if failure.status == .usage {
                terminal.err.line(
                    "usage: \(HelpFormatter.usage(for: command.spec, program: program))")
            }
            return failure.status.rawValue
        }
    }

    static func find(_ name: String) -> Command? {
        commands.first { $0.spec.name == name }
    }

    /// The whole program as data, for the manual page and the completion scripts.
    static var programSpec: ProgramSpec {
        ProgramSpec(
            name: program, version: version, summary: summary,
            description: """
                Every step of every incident is an immutable event in an LMDB log, each \
                record carrying the SHA-256 of the record before it. Nothing is edited or \
                deleted; a mistake is fixed by a later corrected event. The current state of \
                every incident is kept beside the log, updated in the same transaction as \
                each append.

                Run '\(program) COMMAND --help' for a command's options; this page lists \
                the same.
                """,
            groups: groups.map { CommandGroup($0.title, $0.commands.map(\.spec)) },
            sections: [
                ManualSection("ENVIRONMENT", environmentText),
                ManualSection(
                    "EXIT STATUS",
                    ExitStatus.table.split(separator: "\n").dropFirst().joined(separator: "\n")),
            ])
    }

    static let summary = "An append-only, tamper-evident ledger of operational incidents."

    static let environmentText = """
          INCIDENTS_LEDGER  the ledger directory when --ledger is not given
          NO_COLOR          set to anything to turn colour off
        """

    static func overview() -> String {
        HelpFormatter.overview(
            program: program,
            summary: summary,
            groups: groups.map { ($0.title, $0.commands.map { $0.spec }) },
            footer: """
                Run '\(program) COMMAND --help' for a command's options.

                ENVIRONMENT
                \(environmentText)

                \(ExitStatus.table)
                """)
    }
}
