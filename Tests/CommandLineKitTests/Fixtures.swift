import CommandLineKit

/// Command specs shared by the tests, shaped like the `incidents` commands.
enum Fixtures {
    /// One required positional, one required option, and one option of every other kind.
    static let detect = CommandSpec(
        name: "detect",
        summary: "Record that an incident was detected.",
        discussion: """
            Appends a detection event to the ledger. The incident id must be new; use \
            'incidents note' to add to an incident that is already open.

            Exit statuses:
              0   the event was appended
              64  the command line was wrong
            """,
        positionals: [PositionalSpec("INCIDENT", help: "The new incident's id, e.g. INC-42.")],
        options: [
            OptionSpec(
                "title", short: "t", value: "TEXT", help: "A one-line title.", required: true),
            OptionSpec(
                "severity",
                short: "s",
                value: "LEVEL",
                help: "How bad it is.",
                allowed: ["SEV1", "SEV2", "SEV3", "SEV4"]
            ),
            OptionSpec(
                "at", value: "TIME", help: "When it was detected, in RFC 3339; now if left out."),
            OptionSpec("tag", value: "TAG", help: "A label to file it under.", repeatable: true),
            OptionSpec("ledger", short: "o", value: "DIR", help: "The ledger folder."),
            .flag("json", short: "j", help: "Print the appended event as JSON."),
            .flag("quiet", short: "q", help: "Print nothing on success."),
        ],
        examples: [
            "incidents detect INC-42 --title 'API down' --severity SEV1",
            "incidents detect INC-43 -t 'Disk full' --tag storage --tag eu-west",
        ]
    )

    /// A required positional followed by a variadic one, and a single flag.
    static let label = CommandSpec(
        name: "label",
        summary: "Attach labels to an incident.",
        positionals: [
            PositionalSpec("INCIDENT", help: "The incident's id."),
            PositionalSpec("LABEL", help: "The labels to attach.", variadic: true),
        ],
        options: [.flag("json", help: "Print the result as JSON.")]
    )

    /// A single optional positional and no options.
    static let show = CommandSpec(
        name: "show",
        summary: "Show one incident, or the latest.",
        positionals: [PositionalSpec("INCIDENT", help: "The incident's id.", optional: true)]
    )
}
