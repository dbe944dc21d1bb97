/// The bash completion script: a function registered with `complete -F`.
///
/// Three lookup functions hold what the specs say (each command's options, what follows
/// each option, what each positional argument may be); the completion function itself only
/// walks the words typed so far and asks them.
struct BashCompletion {
    let program: ProgramSpec

    /// The prefix of every function the script defines, e.g. `_incidents`.
    var prefix: String { "_" + ShellCompletion.identifier(program.name) }

    func script() -> String {
        var lines = ShellCompletion.banner(.bash, program)
        lines += ["", commandList(), ""]
        lines += optionsFunction() + [""]
        lines += valueFunction() + [""]
        lines += positionalFunction() + [""]
        lines += offerFunction() + [""]
        lines += mainFunction() + [""]
        lines.append("complete -F \(prefix) \(program.name)")
        return lines.joined(separator: "\n") + "\n"
    }

    private func commandList() -> String {
        let words = program.commands.map(\.name) + program.programOptions.map { "--\($0.name)" }
        return "\(prefix)_commands=" + ShellCompletion.singleQuoted(words.joined(separator: " "))
    }

    /// `PREFIX_options COMMAND`: the long options COMMAND takes.
    private func optionsFunction() -> [String] {
        var lines = [
            "# \(prefix)_options COMMAND: the long options COMMAND takes.",
            "\(prefix)_options() {",
            "    case $1 in",
        ]
        for command in program.commands {
            let words = command.optionsWithHelp.map { "--\($0.name)" }.joined(separator: " ")
            lines.append(
                "        \(ShellCompletion.singleQuoted(command.name))) "
                    + "echo \(ShellCompletion.singleQuoted(words)) ;;")
        }
        return lines + ["    esac", "}"]
    }

    /// `PREFIX_value COMMAND OPTION`: what follows OPTION; fails for a flag.
    private func valueFunction() -> [String] {
        var lines = [
            "# \(prefix)_value COMMAND OPTION: what follows OPTION (words, @file, @directory",
            "# or @text); fails when OPTION is a flag or unknown.",
            "\(prefix)_value() {",
            "    case \"$1 $2\" in",
        ]
        for command in program.commands {
            for option in command.options {
                guard let value = CompletionValue(option) else { continue }
                var spellings = ["\(command.name) --\(option.name)"]
                if let short = option.short {
                    spellings.append("\(command.name) -\(short)")
                }
                let pattern = spellings.map(ShellCompletion.singleQuoted).joined(separator: "|")
                lines.append("        \(pattern)) echo \(describe(value)) ;;")
            }
        }
        return lines + ["        *) return 1 ;;", "    esac", "}"]
    }

    /// `PREFIX_positional COMMAND INDEX`: what the positional argument at INDEX may be.
    private func positionalFunction() -> [String] {
        var lines = [
            "# \(prefix)_positional COMMAND INDEX: what the positional argument at INDEX",
            "# (from 0) may be.",
            "\(prefix)_positional() {",
            "    case \"$1 $2\" in",
        ]
        for command in program.commands {
            for (index, positional) in command.positionals.enumerated() {
                let value = CompletionValue(positional)
                guard value != .text else { continue }
                // A variadic argument, always the last, takes every later index too.
                let pattern =
                    positional.isVariadic
                    ? ShellCompletion.singleQuoted("\(command.name) ") + "*"
                    : ShellCompletion.singleQuoted("\(command.name) \(index)")
                lines.append("        \(pattern)) echo \(describe(value)) ;;")
            }
        }
        return lines + ["        *) echo @text ;;", "    esac", "}"]
    }

    /// `PREFIX_offer VALUE WORD`: fills COMPREPLY with what VALUE allows that starts with WORD.
    private func offerFunction() -> [String] {
        [
            "# \(prefix)_offer VALUE WORD: offers what VALUE allows that begins with WORD.",
            "\(prefix)_offer() {",
            "    case $1 in",
            "        @file)",
            "            compopt -o filenames 2>/dev/null",
            "            COMPREPLY=($(compgen -f -- \"$2\")) ;;",
            "        @directory)",
            "            compopt -o filenames 2>/dev/null",
            "            COMPREPLY=($(compgen -d -- \"$2\")) ;;",
            "        @text) COMPREPLY=() ;;",
            "        *) COMPREPLY=($(compgen -W \"$1\" -- \"$2\")) ;;",
            "    esac",
            "}",
        ]
    }

    private func mainFunction() -> [String] {
        [
            "\(prefix)() {",
            "    local cur=${COMP_WORDS[COMP_CWORD]} prev option= index=0 i=2 word values",
            "    COMPREPLY=()",
            "    if ((COMP_CWORD == 1)); then",
            "        \(prefix)_offer \"$\(prefix)_commands\" \"$cur\"",
            "        return 0",
            "    fi",
            "    local command=${COMP_WORDS[1]}",
            "",
            "    # Count the positional arguments before the word being completed, stepping",
            "    # over options and their values; bash splits --name=value into three words.",
            "    while ((i < COMP_CWORD)); do",
            "        word=${COMP_WORDS[i]}",
            "        if [[ $word == -?* ]]; then",
            "            if [[ ${COMP_WORDS[i + 1]} == = ]]; then",
            "                ((i += 2))",
            "            elif \(prefix)_value \"$command\" \"$word\" >/dev/null; then",
            "                ((i += 1))",
            "            fi",
            "        else",
            "            ((index += 1))",
            "        fi",
            "        ((i += 1))",
            "    done",
            "",
            "    # The word before may be an option waiting for its value.",
            "    prev=${COMP_WORDS[COMP_CWORD - 1]}",
            "    if [[ $cur == = && $prev == --* ]]; then",
            "        option=$prev",
            "        cur=",
            "    elif [[ $prev == = ]] && ((COMP_CWORD >= 3)); then",
            "        option=${COMP_WORDS[COMP_CWORD - 2]}",
            "    elif [[ $prev == -?* ]]; then",
            "        option=$prev",
            "    fi",
            "    if [[ -n $option ]] && values=$(\(prefix)_value \"$command\" \"$option\"); then",
            "        \(prefix)_offer \"$values\" \"$cur\"",
            "    elif [[ $cur == -* ]]; then",
            "        \(prefix)_offer \"$(\(prefix)_options \"$command\")\" \"$cur\"",
            "    else",
            "        \(prefix)_offer \"$(\(prefix)_positional \"$command\" \"$index\")\" \"$cur\"",
            "    fi",
            "    return 0",
            "}",
        ]
    }

    /// What `PREFIX_value` and `PREFIX_positional` echo for a value, quoted for the shell.
    private func describe(_ value: CompletionValue) -> String {
        switch value {
        case .words(let words): ShellCompletion.singleQuoted(words.joined(separator: " "))
        case .file: "@file"
        case .directory: "@directory"
        case .text: "@text"
        }
    }
}
