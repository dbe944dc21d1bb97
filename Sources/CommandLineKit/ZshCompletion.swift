/// The zsh completion script: an `_arguments` spec for the program and one for each command.
///
/// The script works both from a directory on `fpath` (as `_PROGRAM`, with `#compdef`) and
/// when sourced, when it registers itself with `compdef`.
struct ZshCompletion {
    let program: ProgramSpec

    var function: String { "_" + ShellCompletion.identifier(program.name) }

    func script() -> String {
        var lines = ["#compdef \(program.name)"] + ShellCompletion.banner(.zsh, program)
        lines += [
            "",
            "\(function)() {",
            "    local curcontext=$curcontext state line",
            "    typeset -A opt_args",
            "    _arguments -C \\",
        ]
        for option in program.programOptions {
            lines.append("        \(spec(for: option)) \\")
        }
        lines += [
            "        '1:command:->command' \\",
            "        '*::argument:->argument' && return 0",
            "    case $state in",
            "        (command)",
            "            local -a commands",
            "            commands=(",
        ]
        for command in program.commands {
            let entry = command.name.replacing(":", with: #"\:"#) + ":" + command.summary
            lines.append("                " + ShellCompletion.singleQuoted(entry))
        }
        lines += [
            "            )",
            "            _describe -t commands command commands",
            "            ;;",
            "        (argument)",
            "            curcontext=${curcontext%:*:*}:\(program.name)-$words[1]:",
            "            case $words[1] in",
        ]
        for command in program.commands {
            lines += commandCase(command)
        }
        lines += [
            "            esac",
            "            ;;",
            "    esac",
            "}",
            "",
            "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then",
            "    \(function) \"$@\"",
            "else",
            "    compdef \(function) \(program.name)",
            "fi",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    private func commandCase(_ command: CommandSpec) -> [String] {
        var specs = command.optionsWithHelp.map(spec(for:))
        for (index, positional) in command.positionals.enumerated() {
            let message = Self.message(positional.name)
            let action = Self.action(CompletionValue(positional))
            if positional.isVariadic {
                specs.append(ShellCompletion.singleQuoted("*:\(message):\(action)"))
            } else {
                let optional = positional.isOptional ? ":" : ""
                specs.append(
                    ShellCompletion.singleQuoted("\(index + 1):\(optional)\(message):\(action)"))
            }
        }
        let name = ShellCompletion.singleQuoted(command.name)
        var lines = ["                (\(name))", "                    _arguments \\"]
        for (position, spec) in specs.enumerated() {
            let continuation = position == specs.count - 1 ? "" : " \\"
            lines.append("                        \(spec)\(continuation)")
        }
        return lines + ["                    ;;"]
    }

    /// One `_arguments` spec for an option: its spellings, its help in brackets, and for an
    /// option taking a value, the value's name and how to complete it.
    private func spec(for option: OptionSpec) -> String {
        let description = "[" + Self.description(option.help) + "]"
        var value = ""
        if let completion = CompletionValue(option), let valueName = option.valueName {
            value = ":" + Self.message(valueName) + ":" + Self.action(completion)
        }
        let long = "--\(option.name)" + (option.isFlag ? "" : "=")
        guard let short = option.short else {
            let repetition = option.repeatable ? "*" : ""
            return ShellCompletion.singleQuoted(repetition + long + description + value)
        }

        // Help stops everything else from being offered; a repeatable option may come again.
        let shortSpelling = "-\(short)" + (option.isFlag ? "" : "+")
        let exclusions =
            option.name == HelpFormatter.helpOption.name
            ? "(- *)" : option.repeatable ? "*" : "(-\(short) --\(option.name))"
        return ShellCompletion.singleQuoted(exclusions) + "{\(shortSpelling),\(long)}"
            + ShellCompletion.singleQuoted(description + value)
    }

    /// How zsh completes a value: a list of words, files, directories, or nothing.
    private static func action(_ value: CompletionValue) -> String {
        switch value {
        case .words(let words):
            "(" + words.map { escaped($0, " ():\\") }.joined(separator: " ") + ")"
        case .file: "_files"
        case .directory: "_files -/"
        case .text: " "
        }
    }

    /// Help text for inside `[...]`: brackets and colons escaped, `%` doubled (zsh expands
    /// prompt sequences in descriptions).
    private static func description(_ text: String) -> String {
        escaped(text, "[]:\\").replacing("%", with: "%%")
    }

    /// A value's name as the message shown while it is completed.
    private static func message(_ text: String) -> String {
        escaped(text, ":\\").replacing("%", with: "%%")
    }

    private static func escaped(_ text: String, _ special: String) -> String {
        var result = ""
        for character in text {
            if special.contains(character) {
                result.append("\\")
            }
            result.append(character)
        }
        return result
    }
}
