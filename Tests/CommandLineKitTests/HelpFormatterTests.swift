import CommandLineKit
import Testing

/// The help text, overview and usage lines written from command specs.
struct HelpFormatterTests {
    @Test func commandHelpListsUsageDiscussionArgumentsOptionsAndExamples() {
        let help = HelpFormatter.help(for: Fixtures.detect, program: "incidents")

        #expect(
            help == """
                USAGE: incidents detect INCIDENT --title TEXT [options]

                Record that an incident was detected.

                Appends a detection event to the ledger. The incident id must be new; use
                'incidents note' to add to an incident that is already open.

                Exit statuses:
                  0   the event was appended
                  64  the command line was wrong

                ARGUMENTS:
                  INCIDENT              The new incident's id, e.g. INC-42.

                OPTIONS:
                  -t, --title TEXT      A one-line title. [required]
                  -s, --severity LEVEL  How bad it is. [values: SEV1, SEV2, SEV3, SEV4]
                      --at TIME         When it was detected, in RFC 3339; now if left out.
                      --tag TAG         A label to file it under. [repeatable]
                  -o, --ledger DIR      The ledger folder.
                  -j, --json            Print the appended event as JSON.
                  -q, --quiet           Print nothing on success.
                  -h, --help            Show this help.

                EXAMPLES:
                  incidents detect INC-42 --title 'API down' --severity SEV1
                  incidents detect INC-43 -t 'Disk full' --tag storage --tag eu-west
                """
        )
    }

    @Test func optionalPositionalIsMarkedAndHelpOptionIsAlwaysListed() {
        let help = HelpFormatter.help(for: Fixtures.show, program: "incidents")

        #expect(
            help == """
                USAGE: incidents show [INCIDENT]

                Show one incident, or the latest.

                ARGUMENTS:
                  INCIDENT    The incident's id. [optional]

                OPTIONS:
                  -h, --help  Show this help.
                """
        )
    }

    @Test func narrowHelpWrapsTextBeneathItsOwnColumnAndMovesWideLabelsAbove() {
        let spec = CommandSpec(
            name: "export",
            summary: "Write every event of the ledger to standard output as NDJSON.",
            options: [
                OptionSpec(
                    "since", value: "TIME", help: "Leave out events recorded before this time."),
                OptionSpec(
                    "correlation-window",
                    value: "DURATION",
                    help: "Treat alerts this close together as one incident."
                ),
            ]
        )

        let help = HelpFormatter.help(for: spec, program: "incidents", width: 40)

        #expect(
            help == """
                USAGE: incidents export [options]

                Write every event of the ledger to
                standard output as NDJSON.

                OPTIONS:
                      --since TIME  Leave out events
                                    recorded before this
                                    time.
                      --correlation-window DURATION
                                    Treat alerts this
                                    close together as
                                    one incident.
                  -h, --help        Show this help.
                """
        )
    }

    @Test func helpOptionDeclaredByTheCommandIsListedOnce() {
        let spec = CommandSpec(
            name: "init",
            summary: "Create an empty ledger.",
            options: [.flag("help", short: "h", help: "Show this help")]
        )

        let help = HelpFormatter.help(for: spec, program: "incidents")

        #expect(
            help == """
                USAGE: incidents init [options]

                Create an empty ledger.

                OPTIONS:
                  -h, --help  Show this help
                """
        )
    }

    @Test func optionWithoutHelpTextShowsItsLabelAlone() {
        let spec = CommandSpec(
            name: "compact",
            summary: "Rewrite the ledger file without free pages.",
            options: [
                OptionSpec("backup-folder-for-old-file", value: "DIR", help: ""),
                .flag("force", help: ""),
            ]
        )

        let help = HelpFormatter.help(for: spec, program: "incidents")

        #expect(
            help == """
                USAGE: incidents compact [options]

                Rewrite the ledger file without free pages.

                OPTIONS:
                      --backup-folder-for-old-file DIR
                      --force
                  -h, --help   Show this help.
                """
        )
    }

    @Test func longUsageLineWrapsBeneathTheProgramName() {
        let help = HelpFormatter.help(for: Fixtures.detect, program: "incidents", width: 40)

        let lines = help.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(
            lines.prefix(3) == [
                "USAGE: incidents detect INCIDENT",
                "       --title TEXT [options]",
                "",
            ]
        )
    }

    @Test func discussionJoinsLinesOfAParagraphButKeepsIndentedLinesAndOneBlankLine() {
        let spec = CommandSpec(
            name: "verify",
            summary: "Check the ledger's hash chain.",
            discussion:
                "Lines of one\nparagraph   join.\n\n\n\n  kept   as written\nThen flowing again."
        )

        let help = HelpFormatter.help(for: spec, program: "incidents")

        #expect(
            help == """
                USAGE: incidents verify

                Check the ledger's hash chain.

                Lines of one paragraph join.

                  kept   as written
                Then flowing again.

                OPTIONS:
                  -h, --help  Show this help.
                """
        )
    }

    @Test func overviewListsCommandsUnderTheirGroupsThenTheFooter() {
        let overview = HelpFormatter.overview(
            program: "incidents",
            summary: "Keep an append-only, tamper-evident log of incidents.",
            groups: [
                (title: "Recording", commands: [Fixtures.detect, Fixtures.label]),
                (title: "Reading", commands: [Fixtures.show]),
            ],
            footer: """
                Environment:
                  INCIDENTS_LEDGER  the ledger folder when --ledger is not given
                """
        )

        #expect(
            overview == """
                Keep an append-only, tamper-evident log of incidents.

                USAGE: incidents COMMAND [arguments] [options]
                       incidents COMMAND --help

                COMMANDS:
                  Recording:
                    detect  Record that an incident was detected.
                    label   Attach labels to an incident.

                  Reading:
                    show    Show one incident, or the latest.

                Environment:
                  INCIDENTS_LEDGER  the ledger folder when --ledger is not given
                """
        )
    }

    @Test func overviewWithoutTitlesOrFooterListsCommandsUnderOneHeading() {
        let overview = HelpFormatter.overview(
            program: "incidents",
            summary: "",
            groups: [(title: "", commands: [Fixtures.show, Fixtures.label])],
            footer: "",
            width: 30
        )

        #expect(
            overview == """
                USAGE: incidents COMMAND [arguments] [options]
                       incidents COMMAND --help

                COMMANDS:
                  show   Show one incident, or
                         the latest.
                  label  Attach labels to an
                         incident.
                """
        )
    }

    @Test func usageListsPositionalsThenRequiredOptionsThenOthers() {
        #expect(
            HelpFormatter.usage(for: Fixtures.detect, program: "incidents")
                == "incidents detect INCIDENT --title TEXT [options]"
        )
    }

    @Test func usageMarksVariadicAndOptionalPositionals() {
        #expect(
            HelpFormatter.usage(for: Fixtures.label, program: "incidents")
                == "incidents label INCIDENT LABEL ... [options]"
        )
        #expect(
            HelpFormatter.usage(for: Fixtures.show, program: "incidents")
                == "incidents show [INCIDENT]")
    }

    @Test func usageMarksARepeatableRequiredOptionAndOmitsOptionsWhenAllAreRequired() {
        let spec = CommandSpec(
            name: "push",
            summary: "Send events to other ledgers.",
            positionals: [
                PositionalSpec("FILE", help: "Files of events.", optional: true, variadic: true)
            ],
            options: [
                OptionSpec(
                    "to", value: "REMOTE", help: "A ledger.", repeatable: true, required: true)
            ]
        )

        #expect(
            HelpFormatter.usage(for: spec, program: "incidents")
                == "incidents push [FILE ...] --to REMOTE ...")
    }
}
