/// Writes help text from command specs: a command's `--help`, the top-level command list,
/// and usage lines.
///
/// The text is returned, never printed, and has no trailing newline.
public enum HelpFormatter {
    /// The `-h, --help` entry every command understands without declaring it.
    static let helpOption = OptionSpec("help", short: "h", help: "Show this help.")

    /// Spaces before a label in the two-column tables.
    static let labelIndent = 2

    /// Spaces between a label and its help text.
    static let columnGap = 2

    /// Labels wider than this put their help text on the next line, so that one long option
    /// does not push every other help text far to the right.
    static let widestInlineLabel = 26

    /// The full `--help` text of one command.
    ///
    /// Sections, in order: the USAGE line; the summary, then the discussion, wrapped to
    /// `width`; ARGUMENTS; OPTIONS in two aligned columns, listing allowed values and marking
    /// repeatable and required options; EXAMPLES. Empty sections are left out, except
    /// OPTIONS, which always lists `-h, --help`.
    ///
    /// - Parameters:
    ///   - spec: The command to describe.
    ///   - program: The executable's name, e.g. `incidents`.
    ///   - width: The widest a wrapped line may be.
    /// - Returns: The help text, without a trailing newline.
    public static func help(for spec: CommandSpec, program: String, width: Int = 80) -> String {
        var sections: [[String]] = []
        sections.append(
            TextWrapper.lines(
                of: usageElements(for: spec, program: program),
                width: width,
                lead: "USAGE: ",
                hangingIndent: "USAGE: ".count
            )
        )

        let prose = [spec.summary, spec.discussion].filter { !$0.isEmpty }
        if !prose.isEmpty {
            sections.append(TextWrapper.paragraphs(prose.joined(separator: "\n\n"), width: width))
        }

        let argumentRows = spec.positionals.map(row(for:))
        let optionRows = spec.optionsWithHelp.map(row(for:))
        let column = helpColumn(for: argumentRows + optionRows, indent: labelIndent)
        if !argumentRows.isEmpty {
            sections.append(["ARGUMENTS:"] + table(argumentRows, column: column, width: width))
        }
        sections.append(["OPTIONS:"] + table(optionRows, column: column, width: width))

        if !spec.examples.isEmpty {
            let indent = String(repeating: " ", count: labelIndent)
            sections.append(["EXAMPLES:"] + spec.examples.map { indent + $0 })
        }
        return sections.map { $0.joined(separator: "\n") }.joined(separator: "\n\n")
    }

    /// The top-level help, listing every command.
    ///
    /// Sections, in order: the program's summary; the USAGE lines; a COMMANDS table with each
    /// command's summary, under its group's title; the footer (e.g. exit statuses and
    /// environment variables).
    ///
    /// - Parameters:
    ///   - program: The executable's name, e.g. `incidents`.
    ///   - summary: What the program is for; paragraphs separated by blank lines.
    ///   - groups: The commands under titled headings, in the order shown; an empty title
    ///     shows the group's commands without a heading.
    ///   - footer: Paragraphs shown last; lines starting with a space are kept as written.
    ///   - width: The widest a wrapped line may be.
    /// - Returns: The help text, without a trailing newline.
    public static func overview(
        program: String,
        summary: String,
        groups: [(title: String, commands: [CommandSpec])],
        footer: String,
        width: Int = 80
    ) -> String {
        var sections: [[String]] = []
        if !summary.isEmpty {
            sections.append(TextWrapper.paragraphs(summary, width: width))
        }
        sections.append([
            "USAGE: \(program) COMMAND [arguments] [options]",
            "       \(program) COMMAND --help",
        ])

        let hasTitles = groups.contains { !$0.title.isEmpty }
        let indent = hasTitles ? 2 * labelIndent : labelIndent
        let rows = groups.map { group in
            group.commands.map { (label: $0.name, help: $0.summary) }
        }
        let column = helpColumn(for: rows.flatMap { $0 }, indent: indent)
        var commandLines = ["COMMANDS:"]
        for (position, group) in groups.enumerated() {
            if position > 0 {
                commandLines.append("")
            }
            if !group.title.isEmpty {
                commandLines.append(String(repeating: " ", count: labelIndent) + group.title + ":")
            }
            commandLines += table(rows[position], column: column, width: width, indent: indent)
        }
        sections.append(commandLines)

        if !footer.isEmpty {
            sections.append(TextWrapper.paragraphs(footer, width: width))
        }
        return sections.map { $0.joined(separator: "\n") }.joined(separator: "\n\n")
    }

    /// The usage line alone, e.g. `incidents detect INCIDENT --title TEXT [options]`.
    ///
    /// Positional arguments come first, optional ones in brackets and variadic ones followed
    /// by `...`; then the required options; then `[options]` when there are others.
    ///
    /// - Parameters:
    ///   - spec: The command to describe.
    ///   - program: The executable's name, e.g. `incidents`.
    /// - Returns: The usage line, without a `USAGE:` prefix.
    public static func usage(for spec: CommandSpec, program: String) -> String {
        usageElements(for: spec, program: program).joined(separator: " ")
    }

    /// The parts of a usage line, each to be kept whole when the line is wrapped.
    static func usageElements(for spec: CommandSpec, program: String) -> [String] {
        var elements = [program, spec.name]
        for positional in spec.positionals {
            let element = placeholder(for: positional)
            elements.append(positional.isOptional ? "[\(element)]" : element)
        }
        for option in spec.options where option.isRequired {
            let value = option.valueName.map { " \($0)" } ?? ""
            let more = option.repeatable ? " ..." : ""
            elements.append("--\(option.name)\(value)\(more)")
        }
        if spec.options.contains(where: { !$0.isRequired }) {
            elements.append("[options]")
        }
        return elements
    }

    private static func placeholder(for positional: PositionalSpec) -> String {
        positional.isVariadic ? "\(positional.name) ..." : positional.name
    }

    private static func row(for positional: PositionalSpec) -> (label: String, help: String) {
        (placeholder(for: positional), positionalHelp(positional))
    }

    private static func row(for option: OptionSpec) -> (label: String, help: String) {
        // Long names line up whether or not a short name comes before them.
        let names = option.short.map { "-\($0), --\(option.name)" } ?? "    --\(option.name)"
        let label = option.valueName.map { "\(names) \($0)" } ?? names
        return (label, optionHelp(option))
    }

    /// A positional argument's help as listed: its text, then its allowed values and
    /// whether it is optional.
    static func positionalHelp(_ positional: PositionalSpec) -> String {
        var help = positional.help
        if !positional.allowedValues.isEmpty {
            help += " [values: \(positional.allowedValues.joined(separator: ", "))]"
        }
        if positional.isOptional {
            help += " [optional]"
        }
        return help
    }

    /// An option's help as listed: its text, then its allowed values and whether it is
    /// repeatable or required.
    static func optionHelp(_ option: OptionSpec) -> String {
        var help = option.help
        if !option.allowedValues.isEmpty {
            help += " [values: \(option.allowedValues.joined(separator: ", "))]"
        }
        if option.repeatable {
            help += " [repeatable]"
        }
        if option.isRequired {
            help += " [required]"
        }
        return help
    }

    /// Where help text starts in a table: after the widest label that fits inline.
    private static func helpColumn(for rows: [(label: String, help: String)], indent: Int) -> Int {
        let inlineLabelWidths = rows.map(\.label.count).filter { $0 <= widestInlineLabel }
        return indent + (inlineLabelWidths.max() ?? 0) + columnGap
    }

    /// Lays out label and help rows in two columns, the help wrapped beneath its own column.
    /// A label too wide for its column has its help start on the next line.
    private static func table(
        _ rows: [(label: String, help: String)],
        column: Int,
        width: Int,
        indent: Int = labelIndent
    ) -> [String] {
        var lines: [String] = []
        for row in rows {
            let label = String(repeating: " ", count: indent) + row.label
            let helpWords = TextWrapper.words(of: row.help)
            guard !helpWords.isEmpty else {
                lines.append(label)
                continue
            }

            var lead = label
            if label.count + columnGap > column {
                lines.append(label)
                lead = ""
            }
            lead += String(repeating: " ", count: column - lead.count)
            lines += TextWrapper.lines(
                of: helpWords,
                width: width,
                lead: lead,
                hangingIndent: column
            )
        }
        return lines
    }
}
