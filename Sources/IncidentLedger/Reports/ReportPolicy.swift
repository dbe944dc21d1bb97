import Interchange

/// Which policy checks a compliance report runs, and their thresholds. The defaults
/// follow the escalation playbook; a policy file (`schemas/policy.schema.json`)
/// changes any of them.
public struct ReportPolicy: Equatable, Sendable {
    /// The checks that run.
    public var enabled: Set<PolicyCheck> = Set(PolicyCheck.allCases)
    /// Check 1: the longest a customer-facing incident may take to resolve, in minutes.
    public var slowResolutionMinutes = 30
    /// Check 1: the severities that count as "stayed low".
    public var lowSeverities: Set<Severity> = [.sev3, .sev4]
    /// Check 3: the severities that need a timely post-mortem.
    public var majorSeverities: Set<Severity> = [.sev1, .sev2]
    /// Check 3: days allowed between resolution and post-mortem.
    public var postmortemDays = 5
    /// Check 4: incidents of one process that make it recurring.
    public var recurrenceIncidents = 3
    /// Check 4: the window those incidents fall in, in days.
    public var recurrenceDays = 30
    /// Check 6: root-cause categories that need a change reference.
    public var changeCategories: Set<String> = ["code-change", "config"]

    /// The playbook's policy: every check on, default thresholds.
    public init() {}

    /// Reads a policy file: every member optional, unknown members refused.
    ///
    /// ```json
    /// {"checks": {"majorPostmortem": {"days": 3}, "overdueFollowUp": {"enabled": false}}}
    /// ```
    /// - Parameter bytes: The file's content.
    /// - Throws: `EventError` naming the line of a JSON error, or the field (such as
    ///   `checks.majorPostmortem.days`) and the rule it breaks.
    /// - Complexity: O(n) in the file's length.
    public init(parsing bytes: [UInt8]) throws(EventError) {
        let document: JSONDocument
        do {
            document = try JSONDocument(parsing: bytes)
        } catch {
            let line = bytes.prefix(error.offset).count { $0 == UInt8(ascii: "\n") } + 1
            throw EventError(line: line, "malformed JSON: \(error.message)")
        }
        var reader = PolicyReader(document: document)
        self.init()
        try reader.read(into: &self)
    }
}

/// Walks a parsed policy file, naming the field of each error.
private struct PolicyReader {
    let document: JSONDocument

    mutating func read(into policy: inout ReportPolicy) throws(EventError) {
        let root = document.root
        try requireObject(root, field: "(top level)")
        for (key, value) in members(of: root) {
            switch key {
            case "$schema":
                guard document.kind(value) == .string else {
                    throw EventError(field: key, "must be a string")
                }
            case "checks":
                try requireObject(value, field: key)
                for (name, settings) in members(of: value) {
                    guard let check = PolicyCheck(rawValue: name) else {
                        throw EventError(
                            field: "checks.\(name)",
                            "is not a check; the checks are "
                                + PolicyCheck.allCases.map(\.rawValue).joined(separator: ", "))
                    }
                    try readCheck(check, settings, into: &policy)
                }
            default:
                throw EventError(field: key, "is not a policy field; expected checks")
            }
        }
    }

    private func readCheck(
        _ check: PolicyCheck, _ node: JSONNode, into policy: inout ReportPolicy
    ) throws(EventError) {
        let prefix = "checks.\(check.rawValue)"
        try requireObject(node, field: prefix)
        for (key, value) in members(of: node) {
            let field = "\(prefix).\(key)"
            switch (check, key) {
            case (_, "enabled"):
                guard document.kind(value) == .bool else {
                    throw EventError(field: field, "must be true or false")
                }
                if document.bool(value) {
                    policy.enabled.insert(check)
                } else {
                    policy.enabled.remove(check)
                }
            case (.slowCustomerFacing, "minutes"):
                policy.slowResolutionMinutes = try whole(value, field: field, upTo: 10_080)
            case (.slowCustomerFacing, "severities"):
                policy.lowSeverities = try severities(value, field: field)
            case (.majorPostmortem, "severities"):
                policy.majorSeverities = try severities(value, field: field)
            case (.majorPostmortem, "days"):
                policy.postmortemDays = try whole(value, field: field, upTo: 365)
            case (.recurrenceFollowUp, "incidents"):
                policy.recurrenceIncidents = try whole(value, field: field, upTo: 1000)
            case (.recurrenceFollowUp, "days"):
                policy.recurrenceDays = try whole(value, field: field, upTo: 365)
            case (.changeReference, "categories"):
                policy.changeCategories = try categories(value, field: field)
            default:
                throw EventError(
                    field: field,
                    "is not a setting of \(check.rawValue); it takes "
                        + (["enabled"] + ReportPolicy.settings(of: check)).joined(separator: ", "))
            }
        }
    }

    private func members(of node: JSONNode) -> [(String, JSONNode)] {
        var members: [(String, JSONNode)] = []
        document.forEachMember(of: node) { members.append(($0, $1)) }
        return members
    }

    private func requireObject(_ node: JSONNode, field: String) throws(EventError) {
        guard document.kind(node) == .object else {
            throw EventError(field: field, "must be an object")
        }
    }

    private func whole(_ node: JSONNode, field: String, upTo limit: Int) throws(EventError) -> Int {
        let text = String(decoding: document.source(node), as: UTF8.self)
        guard document.kind(node) == .number, let value = document.integer(node), value >= 1,
            value <= limit
        else {
            throw EventError(field: field, "must be a whole number from 1 to \(limit), not \(text)")
        }
        return Int(value)
    }

    private func strings(_ node: JSONNode, field: String) throws(EventError) -> [String] {
        guard document.kind(node) == .array, document.count(node) > 0 else {
            throw EventError(field: field, "must be a non-empty array of strings")
        }
        var values: [String] = []
        for (index, element) in document.elements(of: node).enumerated() {
            guard document.kind(element) == .string else {
                throw EventError(field: "\(field)[\(index)]", "must be a string")
            }
            values.append(document.string(element))
        }
        return values
    }

    private func severities(_ node: JSONNode, field: String) throws(EventError) -> Set<Severity> {
        var levels: Set<Severity> = []
        for (index, name) in try strings(node, field: field).enumerated() {
            guard let level = Severity(rawValue: name) else {
                throw EventError(
                    field: "\(field)[\(index)]",
                    "must be one of \(EventSchema.severities.joined(separator: ", ")), "
                        + "not \"\(name)\"")
            }
            levels.insert(level)
        }
        return levels
    }

    private func categories(_ node: JSONNode, field: String) throws(EventError) -> Set<String> {
        var names: Set<String> = []
        for (index, name) in try strings(node, field: field).enumerated() {
            guard EventSchema.categories.contains(name) else {
                throw EventError(
                    field: "\(field)[\(index)]",
                    "must be one of \(EventSchema.categories.joined(separator: ", ")), "
                        + "not \"\(name)\"")
            }
            names.insert(name)
        }
        return names
    }
}

extension ReportPolicy {
    /// The settings a check takes besides `enabled`, as named in policy files.
    public static func settings(of check: PolicyCheck) -> [String] {
        switch check {
        case .slowCustomerFacing: ["minutes", "severities"]
        case .majorPostmortem: ["days", "severities"]
        case .recurrenceFollowUp: ["days", "incidents"]
        case .changeReference: ["categories"]
        case .regulatoryPostmortem, .afterAction, .multiProcessEscalation, .overdueFollowUp: []
        }
    }
}
