/// Everything the parser and the help text need to know about one command, as plain data.
public struct CommandSpec: Sendable {
    /// The command's name as typed after the program name, e.g. `detect`.
    public var name: String

    /// One line for the command list in the top-level help.
    public var summary: String

    /// Paragraphs shown in the command's `--help`, separated by blank lines; may be empty.
    ///
    /// Lines of a paragraph are joined and re-wrapped, except lines that start with a space,
    /// which are kept as they are (for lists and tables).
    public var discussion: String

    /// The positional arguments, in the order they are given.
    public var positionals: [PositionalSpec]

    /// The named options. `-h` and `--help` are always understood and need no entry here.
    public var options: [OptionSpec]

    /// Shell lines shown under EXAMPLES, each as it would be typed.
    public var examples: [String]

    /// Creates a command spec.
    ///
    /// - Parameters:
    ///   - name: The command's name, e.g. `detect`.
    ///   - summary: One line for the command list.
    ///   - discussion: Paragraphs for `--help`, separated by blank lines.
    ///   - positionals: The positional arguments, in order.
    ///   - options: The named options.
    ///   - examples: Shell lines shown under EXAMPLES.
    public init(
        name: String,
        summary: String,
        discussion: String = "",
        positionals: [PositionalSpec] = [],
        options: [OptionSpec] = [],
        examples: [String] = []
    ) {
        self.name = name
        self.summary = summary
        self.discussion = discussion
        self.positionals = positionals
        self.options = options
        self.examples = examples
    }
}
