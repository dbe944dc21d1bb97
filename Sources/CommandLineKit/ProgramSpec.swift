/// A whole program as plain data: its commands under group titles, and what its manual page
/// says around them.
///
/// The top-level help, the manual page and the shell completion scripts are all generated
/// from one `ProgramSpec` and the `CommandSpec`s in it, so none can drift from the parser.
public struct ProgramSpec: Sendable {
    /// The executable's name, e.g. `incidents`.
    public var name: String

    /// The version printed by `--version`, e.g. `0.1.0`.
    public var version: String

    /// One line saying what the program is, for the manual page's NAME section.
    public var summary: String

    /// Paragraphs for the manual page's DESCRIPTION, separated by blank lines; lines that
    /// start with a space are kept as written.
    public var description: String

    /// The commands under titled headings, in the order they are listed.
    public var groups: [CommandGroup]

    /// Sections the manual page shows after the commands, e.g. ENVIRONMENT and EXIT STATUS.
    public var sections: [ManualSection]

    /// Every command, in the order listed.
    public var commands: [CommandSpec] { groups.flatMap(\.commands) }

    /// The options understood before any command: `-h, --help` and `--version`.
    public var programOptions: [OptionSpec] {
        [HelpFormatter.helpOption, .flag("version", help: "Print the version and exit.")]
    }

    /// Creates a program spec.
    ///
    /// - Parameters:
    ///   - name: The executable's name.
    ///   - version: The version `--version` prints.
    ///   - summary: One line saying what the program is.
    ///   - description: Paragraphs for the manual page's DESCRIPTION.
    ///   - groups: The commands under titled headings.
    ///   - sections: Further manual page sections, shown after the commands.
    public init(
        name: String,
        version: String,
        summary: String,
        description: String = "",
        groups: [CommandGroup],
        sections: [ManualSection] = []
    ) {
        self.name = name
        self.version = version
        self.summary = summary
        self.description = description
        self.groups = groups
        self.sections = sections
    }
}

/// Commands listed together under one heading, e.g. "Read".
public struct CommandGroup: Sendable {
    /// The heading; empty lists the commands without one.
    public var title: String

    /// The commands, in the order listed.
    public var commands: [CommandSpec]

    /// Creates a group.
    ///
    /// - Parameters:
    ///   - title: The heading.
    ///   - commands: The commands, in order.
    public init(_ title: String, _ commands: [CommandSpec]) {
        self.title = title
        self.commands = commands
    }
}

/// One section of a manual page beyond those made from the command specs.
public struct ManualSection: Sendable {
    /// The heading, e.g. `ENVIRONMENT`.
    public var title: String

    /// Paragraphs separated by blank lines; lines that start with a space are kept as
    /// written, for tables.
    public var text: String

    /// Creates a section.
    ///
    /// - Parameters:
    ///   - title: The heading.
    ///   - text: The paragraphs.
    public init(_ title: String, _ text: String) {
        self.title = title
        self.text = text
    }
}

extension CommandSpec {
    /// The options the command understands: those declared, then `-h, --help` unless it is
    /// declared already.
    public var optionsWithHelp: [OptionSpec] {
        options.contains { $0.name == HelpFormatter.helpOption.name }
            ? options : options + [HelpFormatter.helpOption]
    }
}

/// What may follow an option or stand as a positional argument, as a completion offers it.
enum CompletionValue: Equatable {
    /// One of these words.
    case words([String])
    /// A path to a file.
    case file
    /// A path to a directory.
    case directory
    /// Free text: nothing to offer.
    case text

    /// The value named `valueName` accepting `allowed`: the allowed words when there are
    /// some, else a file for `FILE`, a directory for `DIR`, else free text.
    init(allowed: [String], valueName: String) {
        if !allowed.isEmpty {
            self = .words(allowed)
        } else if valueName == "FILE" {
            self = .file
        } else if valueName == "DIR" {
            self = .directory
        } else {
            self = .text
        }
    }

    /// What may follow the option; nil for a flag.
    init?(_ option: OptionSpec) {
        guard let valueName = option.valueName else { return nil }
        self.init(allowed: option.allowedValues, valueName: valueName)
    }

    /// What the positional argument may be.
    init(_ positional: PositionalSpec) {
        self.init(allowed: positional.allowedValues, valueName: positional.name)
    }
}
