/// Why an event, or a line of input, was refused: the line, the field and the rule.
public struct EventError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The 1-based line of the input, when the event came from a file or stdin.
    public var line: Int?
    /// The field at fault, as a path such as `data.severity`; nil for the whole event.
    public var field: String?
    /// What rule was broken, in words.
    public var message: String

    /// Creates an error about `field`.
    public init(line: Int? = nil, field: String? = nil, _ message: String) {
        self.line = line
        self.field = field
        self.message = message
    }

    /// `line 12: data.severity: must be one of SEV1, SEV2, SEV3, SEV4, not "SEV5"`.
    public var description: String {
        var parts: [String] = []
        if let line { parts.append("line \(line)") }
        if let field { parts.append(field) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }

    /// The same error, placed at an input line.
    func at(line: Int) -> EventError {
        var copy = self
        copy.line = line
        return copy
    }

    /// The same error, its field nested under `parent` (`data` + `title` = `data.title`).
    func under(_ parent: String) -> EventError {
        var copy = self
        copy.field = field.map { "\(parent).\($0)" } ?? parent
        return copy
    }
}

/// A lifecycle rule an event broke, numbered as in the record-format contract.
public struct RuleViolation: Error, Equatable, Sendable, CustomStringConvertible {
    /// The rule's number, 1 to 7.
    public var rule: Int
    /// What happened, naming the incident and its state.
    public var message: String

    /// The field the rule is about: `at` for rule 7, the named task or event for
    /// rules 5 and 6, else the event's `type`.
    public var field: String {
        switch rule {
        case 5: "data.task"
        case 6: "data.event"
        case 7: "at"
        default: "type"
        }
    }

    /// `rule 3: ...`.
    public var description: String { "rule \(rule): \(message)" }
}
