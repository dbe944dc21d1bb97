import Testing

@testable import CommandLineKit

@Suite("Allowed positional values, completion scripts and the manual page from specs")
struct ShellIntegrationSpecTests {
    static let measure = CommandSpec(
        name: "stats",
        summary: "Measure durations.",
        discussion: ".starts with a dot\n\n  kept - as written",
        positionals: [
            PositionalSpec("METRIC", help: "What to measure.", allowed: ["tta", "ttr"]),
            PositionalSpec("FILE", help: "Where to write.", optional: true),
        ],
        options: [
            OptionSpec("by", short: "b", value: "KEY", help: "Group by it.", allowed: ["team"])
        ],
        examples: ["incidents stats ttr --by team"]
    )

    static let program = ProgramSpec(
        name: "incidents", version: "1.2.3", summary: "Keeps incidents.",
        groups: [CommandGroup("Analyse", [measure])],
        sections: [ManualSection("EXIT STATUS", "  0  success")])

    @Test("a positional argument outside its allowed values is a usage error")
    func positionalOutsideAllowedValues() throws {
        #expect(throws: UsageError("METRIC must be one of tta, ttr, not 'ttx'")) {
            try ArgumentParser.parse(["ttx"], for: Self.measure)
        }
        let parsed = try ArgumentParser.parse(["ttr"], for: Self.measure)
        #expect(parsed.positional("METRIC") == "ttr")
    }

    @Test("help lists a positional argument's allowed values")
    func helpListsPositionalValues() {
        let help = HelpFormatter.help(for: Self.measure, program: "incidents")
        #expect(help.contains("  METRIC        What to measure. [values: tta, ttr]\n"))
        #expect(help.contains("  FILE          Where to write. [optional]\n"))
    }

    @Test("help is listed once when a command declares it itself")
    func declaredHelpIsListedOnce() {
        var spec = Self.measure
        spec.options.append(.flag("help", short: "h", help: "Show this help."))
        let help = HelpFormatter.help(for: spec, program: "incidents")
        #expect(help.split(separator: "\n").filter { $0.contains("--help") }.count == 1)
    }

    @Test("values complete as words, FILE as files, DIR as directories, others as text")
    func completionValueFollowsTheSpec() {
        #expect(CompletionValue(Self.measure.options[0]) == .words(["team"]))
        #expect(CompletionValue(Self.measure.positionals[1]) == .file)
        #expect(CompletionValue(OptionSpec("ledger", value: "DIR", help: "")) == .directory)
        #expect(CompletionValue(OptionSpec("at", value: "TIME", help: "")) == .text)
        #expect(CompletionValue(OptionSpec.flag("json", help: "")) == nil)
    }

    @Test("the bash script maps each option spelling to its values")
    func bashValueLines() {
        let script = ShellCompletion.script(for: .bash, program: Self.program)
        #expect(script.contains("\n        'stats --by'|'stats -b') echo 'team' ;;\n"))
        #expect(script.contains("\n        'stats 0') echo 'tta ttr' ;;\n"))
        #expect(script.contains("\n        'stats 1') echo @file ;;\n"))
        #expect(script.contains("\n        'stats') echo '--by --help' ;;\n"))
        #expect(script.hasSuffix("\ncomplete -F _incidents incidents\n"))
    }

    @Test("roff escapes backslashes, dashes, quotes and non-ASCII characters")
    func roffEscapes() {
        #expect(
            ManualPage.escaped(#"a-b \n "c" 'd' `e` é"#)
                == #"a\-b \en \(dqc\(dq \(aqd\(aq \(gae\(ga \[u00E9]"#)
    }

    @Test("the manual page is the program's help in roff")
    func manualPage() {
        let expected = #"""
            .TH INCIDENTS 1 "" "incidents 1.2.3" "User Commands"
            .nh
            .ad l
            .SH NAME
            incidents \- Keeps incidents.
            .SH SYNOPSIS
            \fBincidents\fR \fICOMMAND\fR [arguments] [options]
            .br
            \fBincidents\fR \fICOMMAND\fR \fB\-\-help\fR
            .br
            \fBincidents\fR \fB\-\-version\fR
            .SH COMMANDS
            .PD 0
            .SS Analyse
            .TP
            \fBstats\fR
            Measure durations.
            .PD
            .SH "INCIDENTS STATS"
            \fBincidents stats METRIC [FILE] [options]\fR
            .PP
            Measure durations.
            .PP
            \&.starts with a dot
            .PP
            .nf
              kept \- as written
            .fi
            .SS Arguments
            .TP
            \fIMETRIC\fR
            What to measure. [values: tta, ttr]
            .TP
            \fIFILE\fR
            Where to write. [optional]
            .SS Options
            .TP
            \fB\-b\fR, \fB\-\-by\fR \fIKEY\fR
            Group by it. [values: team]
            .TP
            \fB\-h\fR, \fB\-\-help\fR
            Show this help.
            .SS Examples
            .nf
            .RS 4
            incidents stats ttr \-\-by team
            .RE
            .fi
            .SH OPTIONS
            .TP
            \fB\-h\fR, \fB\-\-help\fR
            Show this help.
            .TP
            \fB\-\-version\fR
            Print the version and exit.
            .SH "EXIT STATUS"
            .nf
              0  success
            .fi

            """#
        #expect(ManualPage.roff(for: Self.program) == expected)
    }
}
