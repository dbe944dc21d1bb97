/// The fish completion script: one `complete` line per command, option and argument value,
/// each guarded by which command the line has.
struct FishCompletion {
    let program: ProgramSpec

    var prefix: String { "__" + ShellCompletion.identifier(program.name) }

    func script() -> String {
        let name = program.name
        var lines = ShellCompletion.banner(.fish, program)
        lines += [
            "",
            "# True while the line has no command yet.",
            "function \(prefix)_needs_command",
            "    set -l tokens (commandline -opc)",
            "    test (count $tokens) -eq 1",
            "end",
            "",
            "# True when the command on the line is $argv[1].",
            "function \(prefix)_using_command",
            "    set -l tokens (commandline -opc)",
            "    test (count $tokens) -ge 2; and test \"$tokens[2]\" = \"$argv[1]\"",
            "end",
            "",
            "complete -c \(name) -f",
        ]
        for option in program.programOptions {
            lines.append(line(for: option, condition: "\(prefix)_needs_command"))
        }
        for command in program.commands {
            lines.append(
                "complete -c \(name) -n \(prefix)_needs_command -a \(Self.quoted(command.name))"
                    + " -d \(Self.quoted(command.summary))")
        }
        for command in program.commands {
            lines.append("")
            let condition = "\(prefix)_using_command \(command.name)"
            for option in command.optionsWithHelp {
                lines.append(line(for: option, condition: condition))
            }
            for positional in command.positionals {
                let guarded = "complete -c \(name) -n \(Self.quoted(condition))"
                switch CompletionValue(positional) {
                case .words(let words):
                    lines.append(
                        guarded + " -a \(Self.quoted(words.joined(separator: " ")))"
                            + " -d \(Self.quoted(positional.help))")
                case .file:
                    lines.append(guarded + " -F")
                case .directory:
                    lines.append(guarded + " -a '(__fish_complete_directories)'")
                case .text:
                    break
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The `complete` line for one option under `condition`.
    private func line(for option: OptionSpec, condition: String) -> String {
        var parts = ["complete -c \(program.name) -n \(Self.quoted(condition))"]
        if let short = option.short {
            parts.append("-s \(short)")
        }
        parts.append("-l \(option.name)")
        switch CompletionValue(option) {
        case nil:
            break
        case .words(let words):
            parts.append("-x -a \(Self.quoted(words.joined(separator: " ")))")
        case .file:
            parts.append("-r -F")
        case .directory:
            parts.append("-x -a '(__fish_complete_directories)'")
        case .text:
            parts.append("-x")
        }
        parts.append("-d \(Self.quoted(option.help))")
        return parts.joined(separator: " ")
    }

    /// `text` in fish's single quotes, where only `\` and `'` are escaped.
    private static func quoted(_ text: String) -> String {
        "'" + text.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'"
    }
}
