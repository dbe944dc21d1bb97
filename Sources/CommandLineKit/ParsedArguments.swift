/// What the parser found on one command line, looked up by the names used in the spec.
public struct ParsedArguments: Sendable {
    /// Whether `-h` or `--help` was given; when it is, nothing else was checked.
    public var helpRequested: Bool

    /// The values of each option given, keyed by long name; a flag maps to no values.
    var optionValues: [String: [String]]

    /// The values of each positional argument given, keyed by its name.
    var positionalValues: [String: [String]]

    init(
        helpRequested: Bool = false,
        optionValues: [String: [String]] = [:],
        positionalValues: [String: [String]] = [:]
    ) {
        self.helpRequested = helpRequested
        self.optionValues = optionValues
        self.positionalValues = positionalValues
    }

    /// The value of an option; the last one when it was given several times.
    ///
    /// - Parameter name: The option's long name without dashes.
    /// - Returns: The value, or `nil` when the option was not given.
    public func value(_ name: String) -> String? {
        optionValues[name]?.last
    }

    /// Every value of an option, in the order given.
    ///
    /// - Parameter name: The option's long name without dashes.
    /// - Returns: The values; empty when the option was not given.
    public func values(_ name: String) -> [String] {
        optionValues[name] ?? []
    }

    /// Whether a flag was given.
    ///
    /// - Parameter name: The flag's long name without dashes.
    /// - Returns: `true` when the flag was given.
    public func flag(_ name: String) -> Bool {
        optionValues[name] != nil
    }

    /// The value of a positional argument.
    ///
    /// - Parameter name: The argument's name, e.g. `INCIDENT`.
    /// - Returns: The value, or `nil` when an optional argument was left out.
    public func positional(_ name: String) -> String? {
        positionalValues[name]?.first
    }

    /// Every value of a variadic positional argument, in the order given.
    ///
    /// - Parameter name: The argument's name.
    /// - Returns: The values; empty when none were given.
    public func positionals(_ name: String) -> [String] {
        positionalValues[name] ?? []
    }

    /// Whether an option, flag or not, was given at all.
    ///
    /// - Parameter name: The option's long name without dashes.
    /// - Returns: `true` when the option was given at least once.
    public func has(_ name: String) -> Bool {
        optionValues[name] != nil
    }
}
