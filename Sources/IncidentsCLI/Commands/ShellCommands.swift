import CommandLineKit

extension Command {
    /// `incidents completions`: the completion script for a shell.
    static let completions = Command(
        spec: CommandSpec(
            name: "completions", summary: "Print the completion script for a shell",
            discussion: "Prints a script that completes every command, option and value "
                + "list of this program, made from the same definitions as --help. Load it "
                + "in the running shell, or install it where the shell looks (tools/install "
                + "does both for each shell).",
            positionals: [
                PositionalSpec(
                    "SHELL", help: "The shell the script is for",
                    allowed: ShellCompletion.Shell.allCases.map(\.rawValue))
            ],
            examples: [
                "source <(incidents completions bash)",
                "incidents completions zsh > ~/.zfunc/_incidents",
                "incidents completions fish > ~/.config/fish/completions/incidents.fish",
            ]
        )
    ) { arguments, context in
        guard let name = arguments.positional("SHELL"),
            let shell = ShellCompletion.Shell(rawValue: name)
        else {
            throw UsageError("missing SHELL")
        }
        context.out.write(ShellCompletion.script(for: shell, program: IncidentsMain.programSpec))
        return .success
    }

    /// `incidents manual`: the manual page, in roff.
    static let manual = Command(
        spec: CommandSpec(
            name: "manual", summary: "Print the manual page (roff)",
            discussion: "Prints incidents(1) in roff with the man macros, made from the same "
                + "definitions as --help, so the two always agree.",
            examples: [
                "incidents manual | man -l -",
                "incidents manual > /usr/local/share/man/man1/incidents.1",
            ]
        )
    ) { _, context in
        context.out.write(ManualPage.roff(for: IncidentsMain.programSpec))
        return .success
    }
}
