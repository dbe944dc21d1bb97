/// Reads the arguments that follow a command's name, following the command's spec.
///
/// The rules:
/// - An option takes its value as `--name value`, `--name=value`, `-s value` or `-svalue`.
/// - Short flags may be grouped, as in `-ab`, only when every letter is a flag.
/// - `--` ends the options: everything after it is positional. A lone `-` (standard input)
///   is positional too.
/// - A value given as a separate argument may not begin with `-`, so `--at --json` reports
///   the missing value of `--at`; write `--name=-value` or `-s-value` for such a value.
/// - `-h` or `--help` anywhere asks for help; parsing then never fails, so that help is shown
///   however wrong the rest of the line is.
public enum ArgumentParser {
    /// Parses the arguments that follow the command name.
    ///
    /// - Parameters:
    ///   - arguments: The arguments after the command's name, as the shell passed them.
    ///   - spec: The command whose options and positional arguments are expected.
    /// - Returns: The options and positional arguments found, looked up by their spec names.
    /// - Throws: `UsageError` describing the first mistake on the line, unless help was asked
    ///   for.
    public static func parse(
        _ arguments: [String],
        for spec: CommandSpec
    ) throws(UsageError) -> ParsedArguments {
        var scan = ArgumentScan(spec: spec)
        scan.read(arguments)
        scan.assignPositionals()
        scan.checkRequiredOptions()

        if let error = scan.firstError, !scan.parsed.helpRequested {
            throw error
        }
        return scan.parsed
    }

    /// The number of single-character insertions, deletions and substitutions that turn one
    /// string into another (Levenshtein distance).
    static func editDistance(_ source: some StringProtocol, _ target: some StringProtocol) -> Int {
        let target = Array(target)
        var previousRow = Array(0...target.count)
        for (sourceOffset, sourceCharacter) in source.enumerated() {
            var row = [sourceOffset + 1]
            for (targetOffset, targetCharacter) in target.enumerated() {
                let substitution =
                    previousRow[targetOffset]
                    + (sourceCharacter == targetCharacter ? 0 : 1)
                let deletion = previousRow[targetOffset + 1] + 1
                let insertion = row[targetOffset] + 1
                row.append(min(substitution, deletion, insertion))
            }
            previousRow = row
        }
        return previousRow[target.count]
    }
}

/// One pass over a command line: what has been found so far, and the first mistake.
///
/// Mistakes are recorded rather than thrown at once, because a `--help` later on the line
/// forgives them all.
private struct ArgumentScan {
    /// Unknown options within this many edits of a known name get a "did you mean" hint.
    static let suggestionDistance = 2

    let spec: CommandSpec

    /// The options found so far, and at the end the positional arguments too.
    var parsed = ParsedArguments()

    /// Arguments that are not options, in order, until `assignPositionals()` names them.
    var positionalWords: [String] = []

    /// The first mistake found; later ones are not reported.
    var firstError: UsageError?

    init(spec: CommandSpec) {
        self.spec = spec
    }

    /// Sorts every argument into options, recorded at once, and positional words.
    mutating func read(_ arguments: [String]) {
        var remaining = arguments[...]
        var optionsEnded = false
        while let argument = remaining.popFirst() {
            if optionsEnded || argument == "-" || !argument.hasPrefix("-") {
                positionalWords.append(argument)
            } else if argument == "--" {
                optionsEnded = true
            } else if argument.hasPrefix("--") {
                readLongOption(argument.dropFirst(2), remaining: &remaining)
            } else {
                readShortOptions(argument.dropFirst(), remaining: &remaining)
            }
        }
    }

    /// Reads `--name` or `--name=value`, taking a separate value from `remaining` if needed.
    mutating func readLongOption(_ body: Substring, remaining: inout ArraySlice<String>) {
        let parts = body.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let name = parts.first ?? body
        let inlineValue = parts.count == 2 ? String(parts[1]) : nil
        let spelling = "--\(name)"

        if name == "help" {
            parsed.helpRequested = true
            return
        }
        guard let option = spec.options.first(where: { $0.name == name }) else {
            report(unknownOption(spelling, suggestion: closestOptionName(to: name)))
            return
        }
        if option.isFlag {
            if inlineValue == nil {
                record(option, value: nil, spelling: spelling)
            } else {
                report("option '\(spelling)' takes no value")
            }
        } else if let value = inlineValue ?? Self.separateValue(from: &remaining) {
            record(option, value: value, spelling: spelling)
        } else {
            report(missingValue(option, spelling: spelling))
        }
    }

    /// Reads `-s`, `-svalue` or a group of short flags such as `-ab`.
    mutating func readShortOptions(_ letters: Substring, remaining: inout ArraySlice<String>) {
        let isGrouped = letters.count > 1
        for index in letters.indices {
            let letter = letters[index]
            let spelling = "-\(letter)"

            if letter == "h" {
                parsed.helpRequested = true
                continue
            }
            guard let option = spec.options.first(where: { $0.short == letter }) else {
                // `-title` is more likely a mistyped `--title` than a group of letters.
                let isFirst = index == letters.startIndex
                let suggestion = isFirst && isGrouped ? closestOptionName(to: letters) : nil
                let group = isGrouped ? "-\(letters)" : nil
                report(unknownOption(spelling, inGroup: group, suggestion: suggestion))
                return
            }
            if option.isFlag {
                record(option, value: nil, spelling: spelling)
                continue
            }

            // An option taking a value must come first; the rest of the word is its value.
            guard index == letters.startIndex else {
                let valueName = option.valueName ?? ""
                report(
                    "option '\(spelling)' takes a value (\(valueName)) "
                        + "and cannot be grouped in '-\(letters)'"
                )
                return
            }
            let rest = letters[letters.index(after: index)...]
            let value = rest.isEmpty ? Self.separateValue(from: &remaining) : String(rest)
            if let value {
                record(option, value: value, spelling: spelling)
            } else {
                report(missingValue(option, spelling: spelling))
            }
            return
        }
    }

    /// Takes the next argument as a value unless it looks like an option.
    static func separateValue(from remaining: inout ArraySlice<String>) -> String? {
        guard let next = remaining.first, next == "-" || !next.hasPrefix("-") else {
            return nil
        }
        remaining.removeFirst()
        return next
    }

    /// Records one occurrence of an option, checking its value and whether it may repeat.
    mutating func record(_ option: OptionSpec, value: String?, spelling: String) {
        if let value, !option.allowedValues.isEmpty, !option.allowedValues.contains(value) {
            let allowed = option.allowedValues.joined(separator: ", ")
            report("'\(spelling)' must be one of \(allowed), not '\(value)'")
            return
        }
        let earlierValues = parsed.optionValues[option.name]
        if earlierValues != nil, !option.repeatable {
            report("option '\(spelling)' given more than once")
            return
        }
        parsed.optionValues[option.name] = (earlierValues ?? []) + (value.map { [$0] } ?? [])
    }

    /// Hands the positional words to the spec's positional arguments, in order.
    mutating func assignPositionals() {
        var words = positionalWords[...]
        for positional in spec.positionals {
            var taken: [String] = []
            if positional.isVariadic {
                taken = Array(words)
                words = []
            } else if let word = words.popFirst() {
                taken = [word]
            }

            let allowed = positional.allowedValues
            if let wrong = taken.first(where: { !allowed.isEmpty && !allowed.contains($0) }) {
                let list = allowed.joined(separator: ", ")
                report("\(positional.name) must be one of \(list), not '\(wrong)'")
            }
            if !taken.isEmpty {
                parsed.positionalValues[positional.name] = taken
            } else if !positional.isOptional {
                report("missing \(positional.name)")
            }
        }
        if let extra = words.first {
            report("unexpected argument '\(extra)'")
        }
    }

    /// Reports the first required option that was not given.
    mutating func checkRequiredOptions() {
        for option in spec.options where option.isRequired && !parsed.has(option.name) {
            let valueName = option.valueName.map { " (\($0))" } ?? ""
            report("missing option '--\(option.name)'\(valueName)")
        }
    }

    /// Keeps a mistake unless an earlier one was already found.
    mutating func report(_ message: String) {
        if firstError == nil {
            firstError = UsageError(message)
        }
    }

    func unknownOption(
        _ spelling: String, inGroup group: String? = nil, suggestion: String?
    )
        -> String
    {
        let place = group.map { " in '\($0)'" } ?? ""
        let hint = suggestion.map { "; did you mean '--\($0)'?" } ?? ""
        return "unknown option '\(spelling)'\(place)\(hint)"
    }

    func missingValue(_ option: OptionSpec, spelling: String) -> String {
        "option '\(spelling)' needs a value (\(option.valueName ?? ""))"
    }

    /// The known long name nearest to a mistyped one, if any is near enough; the first
    /// declared wins a tie.
    ///
    /// A name must also be longer than the edits needed, or `--x` would suggest `--at`.
    func closestOptionName(to typed: Substring) -> String? {
        var closest: (name: String, distance: Int)?
        for name in spec.options.map(\.name) + ["help"] {
            let distance = ArgumentParser.editDistance(typed, name)
            let isNearEnough = distance <= Self.suggestionDistance && distance < name.count
            if isNearEnough, distance < closest?.distance ?? Int.max {
                closest = (name, distance)
            }
        }
        return closest?.name
    }
}
