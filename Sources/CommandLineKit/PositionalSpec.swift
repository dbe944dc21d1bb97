/// One positional argument of a command, e.g. the `INCIDENT` in `incidents detect INCIDENT`.
///
/// Positional arguments are filled in the order they are declared. Optional ones belong after
/// the required ones, and a variadic one, which takes every remaining argument, comes last.
public struct PositionalSpec: Sendable {
    /// The placeholder shown in usage and help, e.g. `INCIDENT`; also the name to look the
    /// value up by.
    public var name: String

    /// One line saying what the argument is, shown in `--help`.
    public var help: String

    /// Whether the command may run without this argument.
    public var isOptional: Bool

    /// Whether the argument takes all remaining positional arguments.
    public var isVariadic: Bool

    /// The only values accepted, in the order they are listed in help; empty accepts any.
    ///
    /// The parser, `--help`, the manual page and the shell completions all read this list.
    public var allowedValues: [String]

    /// Creates a positional argument.
    ///
    /// - Parameters:
    ///   - name: The placeholder shown in usage and help, e.g. `INCIDENT`.
    ///   - help: One line saying what the argument is.
    ///   - optional: Whether the command may run without it.
    ///   - variadic: Whether it takes all remaining positional arguments; last one only.
    ///   - allowed: The only values accepted; empty accepts any value.
    public init(
        _ name: String,
        help: String,
        optional: Bool = false,
        variadic: Bool = false,
        allowed: [String] = []
    ) {
        self.name = name
        self.help = help
        self.isOptional = optional
        self.isVariadic = variadic
        self.allowedValues = allowed
    }
}
