/// Writes a program's manual page, in roff with the `man` macros, from the same specs as
/// its `--help`: each command's usage line, prose, arguments, options and examples.
///
/// The page is returned, never printed. Hyphenation is off and text is left-aligned, so a
/// rendered page keeps option names and values whole.
public enum ManualPage {
    /// The manual page for section 1.
    ///
    /// Sections, in order: NAME, SYNOPSIS, DESCRIPTION, COMMANDS (the command list under
    /// each group's title), one subsection per command with the text of its `--help`,
    /// then the program's further sections (e.g. ENVIRONMENT, EXIT STATUS).
    ///
    /// - Parameter program: The program to describe.
    /// - Returns: The page's roff source, ending with a newline.
    public static func roff(for program: ProgramSpec) -> String {
        let name = program.name
        var page = RoffText()
        page.request(
            "TH", name.uppercased(), "1", "", "\(name) \(program.version)", "User Commands")
        page.request("nh")
        page.request("ad", "l")

        page.request("SH", "NAME")
        page.text("\(name) - \(program.summary)")

        page.request("SH", "SYNOPSIS")
        page.markup(bold(name) + " " + italic("COMMAND") + " " + escaped("[arguments] [options]"))
        page.request("br")
        page.markup(bold(name) + " " + italic("COMMAND") + " " + bold("--help"))
        page.request("br")
        page.markup(bold(name) + " " + bold("--version"))

        if !program.description.isEmpty {
            page.request("SH", "DESCRIPTION")
            page.paragraphs(program.description)
        }

        page.request("SH", "COMMANDS")
        page.request("PD", "0")
        for group in program.groups {
            if !group.title.isEmpty {
                page.request("SS", group.title)
            }
            for command in group.commands {
                page.request("TP")
                page.markup(bold(command.name))
                page.text(command.summary)
            }
        }
        page.request("PD")

        for command in program.commands {
            describe(command, program: name, into: &page)
        }

        page.request("SH", "OPTIONS")
        for option in program.programOptions {
            item(label(for: option), HelpFormatter.optionHelp(option), into: &page)
        }
        for section in program.sections {
            page.request("SH", section.title)
            page.paragraphs(section.text)
        }
        return page.source
    }

    /// One command's subsection: what its `--help` says, in the same order.
    private static func describe(_ command: CommandSpec, program: String, into page: inout RoffText)
    {
        page.request("SH", "\(program) \(command.name)".uppercased())
        page.markup(bold(HelpFormatter.usage(for: command, program: program)))
        page.request("PP")
        page.paragraphs(
            [command.summary, command.discussion].filter { !$0.isEmpty }
                .joined(separator: "\n\n"))

        if !command.positionals.isEmpty {
            page.request("SS", "Arguments")
            for positional in command.positionals {
                let placeholder = positional.isVariadic ? "\(positional.name) ..." : positional.name
                item(italic(placeholder), HelpFormatter.positionalHelp(positional), into: &page)
            }
        }
        page.request("SS", "Options")
        for option in command.optionsWithHelp {
            item(label(for: option), HelpFormatter.optionHelp(option), into: &page)
        }
        if !command.examples.isEmpty {
            page.request("SS", "Examples")
            page.request("nf")
            page.request("RS", "4")
            for example in command.examples {
                page.text(example)
            }
            page.request("RE")
            page.request("fi")
        }
    }

    /// A tagged paragraph: the label on its own, the text indented beneath it.
    private static func item(_ label: String, _ text: String, into page: inout RoffText) {
        page.request("TP")
        page.markup(label)
        page.text(text)
    }

    /// `-s, --name VALUE`, the names in bold and the value in italics.
    private static func label(for option: OptionSpec) -> String {
        var names = [bold("--\(option.name)")]
        if let short = option.short {
            names.insert(bold("-\(short)"), at: 0)
        }
        let value = option.valueName.map { " " + italic($0) } ?? ""
        return names.joined(separator: ", ") + value
    }

    private static func bold(_ text: String) -> String { #"\fB"# + escaped(text) + #"\fR"# }

    private static func italic(_ text: String) -> String { #"\fI"# + escaped(text) + #"\fR"# }

    /// `text` with every character roff would read as markup written as an escape.
    static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += #"\e"#
            case "-": result += #"\-"#
            case "\"": result += #"\(dq"#
            case "'": result += #"\(aq"#
            case "`": result += #"\(ga"#
            case _ where scalar.isASCII: result.unicodeScalars.append(scalar)
            default:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result +=
                    #"\[u"# + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                    + "]"
            }
        }
        return result
    }
}

/// Roff source built line by line: requests, plain text, and text already marked up.
struct RoffText {
    private(set) var source = ""

    /// A request or macro such as `.SH NAME`; arguments are escaped, and quoted when empty
    /// or holding a space.
    mutating func request(_ name: String, _ arguments: String...) {
        let quoted = arguments.map { argument in
            let text = ManualPage.escaped(argument)
            return argument.isEmpty || argument.contains(" ") ? "\"" + text + "\"" : text
        }
        source += "." + ([name] + quoted).joined(separator: " ") + "\n"
    }

    /// Plain text, escaped, as one filled line.
    mutating func text(_ text: String) {
        markup(ManualPage.escaped(text))
    }

    /// Text that is already escaped and marked up; a leading `.` or `'` is neutralised.
    mutating func markup(_ text: String) {
        let guarded = text.first == "." || text.first == "'" ? #"\&"# + text : text
        source += guarded + "\n"
    }

    /// Paragraphs separated by blank lines; lines starting with a space are kept as written
    /// (lists and tables), the others filled.
    mutating func paragraphs(_ text: String) {
        var isKept = false
        var needsBreak = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy(\.isWhitespace) {
                needsBreak = true
                continue
            }
            if needsBreak {
                if isKept {
                    request("fi")
                    isKept = false
                }
                request("PP")
                needsBreak = false
            }
            let keep = line.first == " "
            if keep != isKept {
                request(keep ? "nf" : "fi")
                isKept = keep
            }
            self.text(String(line))
        }
        if isKept {
            request("fi")
        }
    }
}
