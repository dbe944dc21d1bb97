/// One named option of a command: a flag such as `--json`, or an option taking a value
/// such as `--ledger DIR`.
///
/// Specs are plain data, so the parser, the `--help` text and any later man page or shell
/// completion script are all generated from the same definition.
public struct OptionSpec: Sendable {
    /// The long name without dashes, e.g. `ledger` for `--ledger`.
    public var name: String

    /// The one-letter short name, e.g. `o` for `-o`, or `nil` when there is none.
    ///
    /// The letter `h` is reserved for `-h` (help) and is never matched to an option.
    public var short: Character?

    /// The placeholder shown for the value, e.g. `DIR`; `nil` makes the option a flag that
    /// takes no value.
    public var valueName: String?

    /// One line saying what the option does, shown in `--help`.
    public var help: String

    /// The only values accepted, in the order they are listed in help; empty accepts any.
    public var allowedValues: [String]

    /// Whether the option may be given several times; its values are then kept in order.
    public var repeatable: Bool

    /// Whether the command cannot run without this option; it is then shown in the usage line
    /// and its absence is a usage error.
    public var isRequired: Bool

    /// Whether the option is a flag, taking no value.
    public var isFlag: Bool { valueName == nil }

    /// Creates an option.
    ///
    /// - Parameters:
    ///   - name: The long name without dashes.
    ///   - short: The one-letter short name, if any.
    ///   - value: The placeholder for the value, e.g. `DIR`; `nil` for a flag.
    ///   - help: One line saying what the option does.
    ///   - allowed: The only values accepted; empty accepts any value.
    ///   - repeatable: Whether the option may be given more than once.
    ///   - required: Whether the command cannot run without the option.
    public init(
        _ name: String,
        short: Character? = nil,
        value: String? = nil,
        help: String,
        allowed: [String] = [],
        repeatable: Bool = false,
        required: Bool = false
    ) {
        self.name = name
        self.short = short
        self.valueName = value
        self.help = help
        self.allowedValues = allowed
        self.repeatable = repeatable
        self.isRequired = required
    }

    /// Creates a flag: an option that takes no value and is either given or not.
    ///
    /// - Parameters:
    ///   - name: The long name without dashes.
    ///   - short: The one-letter short name, if any.
    ///   - help: One line saying what the flag does.
    /// - Returns: The flag's spec.
    public static func flag(_ name: String, short: Character? = nil, help: String) -> OptionSpec {
        OptionSpec(name, short: short, help: help)
    }
}
