import Foundation
import Interchange
import LedgerCrypto
import Testing

@testable import IncidentLedger

@Suite("Compliance report: as of, renderings, schema")
struct ComplianceReportTests {
    /// A SEV2 incident resolved on 1 February whose post-mortem is recorded at
    /// position 3; and a second incident with a title full of markup.
    private func ledgerWithLatePostmortem() throws -> TestLedger {
        let ledger = try TestLedger()
        try ledger.append(
            detected("INC-1", at: february(1), severity: "SEV2"),  // 1
            eventLine("resolved", "INC-1", at: february(1, 10)),  // 2
            eventLine("postmortem", "INC-1", at: february(3), data: ["document": "PM-1"]),  // 3
            detected("INC-2", at: february(2), title: #"<script>alert("x")</script> & co"#))
        return ledger
    }

    @Test("as of an earlier position the report differs exactly where later events did")
    func asOfDiffersWhereFactsChanged() throws {
        let ledger = try ledgerWithLatePostmortem()
        let now = try report(ledger)
        let before = try report(ledger, asOf: .position(2))

        #expect(now.position == 4 && before.position == 2)
        #expect(before.isAsOf && !now.isAsOf)
        #expect(before.moment.text == TestLedger.recordedAtText)
        #expect(found(before, .majorPostmortem) == ["INC-1 1,2"])
        #expect(found(now, .majorPostmortem) == [])
        #expect(before.findings.count == now.findings.count + 1)

        // INC-2 did not exist yet; INC-1's row differs only by its post-mortem.
        #expect(before.incidents.map(\.incident) == ["INC-1"])
        var expected = try #require(before.incidents.first)
        expected.postmortem = "PM-1"
        #expect(now.incidents.first == expected)
        #expect(before.integrity.tree.size == 2 && now.integrity.tree.size == 4)
        #expect(before.integrity.head.position == 2)
        #expect(now.integrity.tree.root == (try ledger.ledger.treeHead()).root)
        #expect(before.integrity.tree.root == (try ledger.ledger.treeHead(size: 2)).root)
        #expect(now.integrity.head.hash == (try ledger.ledger.head()).hash)
        #expect(before.integrity.verify.isIntact && before.integrity.verify.records == 4)
    }

    @Test("an empty ledger gives an empty report, in every format")
    func emptyLedger() throws {
        let ledger = try TestLedger()
        let result = try report(ledger)
        #expect(result.position == 0 && result.incidents.isEmpty && result.findings.isEmpty)
        #expect(result.integrity.tree.size == 0 && result.integrity.verify.isIntact)
        #expect(result.summary.weeks.isEmpty && result.summary.recurrence.isEmpty)
        #expect(result.html().contains("<h2>Incidents (0)</h2>"))
        #expect(result.markdown().contains("0 incidents detected in the period."))
        let early = try report(
            ledger, asOf: .recorded(try Timestamp(parsing: "2020-01-01T00:00:00Z")))
        #expect(early.moment.text == "2020-01-01T00:00:00Z")
    }

    @Test("the period selects incidents by detection time")
    func periodSelects() throws {
        let ledger = try ledgerWithLatePostmortem()
        let request = ReportRequest(
            since: try Timestamp(parsing: february(2)), until: try Timestamp(parsing: february(3)))
        let result = try ledger.ledger.complianceReport(request)
        #expect(result.incidents.map(\.incident) == ["INC-2"])
        #expect(result.summary.incidents == 1)
        #expect(result.summary.bySeverity.map(\.count) == [0, 0, 1, 0])
        #expect(result.summary.byStatus.map(\.count) == [1, 0, 0])
    }

    @Test("HTML and Markdown escape text from the ledger")
    func escaping() throws {
        let result = try report(try ledgerWithLatePostmortem())
        let html = result.html()
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("& co"))
        let markdown = result.markdown()
        #expect(markdown.contains("&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; co"))
        #expect(!markdown.contains("<script"))
    }

    @Test("HTML is self-contained: no script, no outside assets")
    func selfContained() throws {
        let html = try report(try ledgerWithLatePostmortem()).html()
        #expect(!html.contains("<script"))
        #expect(!html.contains("<link"))
        #expect(!html.contains("src="))
        #expect(!html.contains("url("))
        #expect(html.contains("@media print"))
        #expect(html.components(separatedBy: "<svg ").count == 4)
    }

    @Test("Markdown and HTML list every incident")
    func everyIncidentListed() throws {
        let ledger = try TestLedger()
        var lines: [String] = []
        for number in 1...12 {
            lines.append(detected("INC-\(number)", at: february(number)))
        }
        try ledger.append(lines)
        let result = try report(ledger)
        let html = result.html()
        let markdown = result.markdown()
        for number in 1...12 {
            #expect(html.contains("<td class=\"mono\">INC-\(number)</td>"))
            #expect(markdown.contains("| INC-\(number) |"))
        }
        #expect(result.summary.weeks.map(\.week) == ["2026-W05", "2026-W06", "2026-W07"])
        #expect(result.summary.weeks.map { $0.counts[2] } == [1, 7, 4])
    }

    @Test("the TTR trend labels only as many weeks as fit without overlapping")
    func trendLabelsDoNotOverlap() throws {
        let ledger = try TestLedger()
        var lines: [String] = []
        // One incident a week for 33 weeks from Monday 5 January 2026, each resolved in 1 h.
        let formatter = ISO8601DateFormatter()
        let monday = try #require(formatter.date(from: "2026-01-05T09:00:00Z"))
        for week in 0..<33 {
            let start = monday.addingTimeInterval(Double(week) * 7 * 86_400)
            let detectedAt = formatter.string(from: start)
            let resolvedAt = formatter.string(from: start.addingTimeInterval(3_600))
            lines.append(detected("INC-\(week)", at: detectedAt))
            lines.append(eventLine("resolved", "INC-\(week)", at: resolvedAt))
        }
        try ledger.append(lines)
        let html = try report(ledger).html()
        let trend = try #require(html.components(separatedBy: "</svg>").first)
        let labels = trend.components(separatedBy: "text-anchor=\"middle\">2026-W").dropFirst()
        // 33 weeks over a 745 px plot, 11 labels fit: every third week is labelled.
        #expect(
            labels.map { String($0.prefix(2)) }
                == stride(from: 2, through: 32, by: 3).map {
                    $0 < 10 ? "0\($0)" : "\($0)"
                })
    }

    @Test("the JSON has what schemas/report.schema.json requires, and nothing else")
    func jsonFollowsSchema() throws {
        let ledger = try ledgerWithLatePostmortem()
        try ledger.append(
            eventLine(
                "triaged", "INC-2", at: february(2, 10),
                data: ["scope": "multi-process", "customerFacing": true]))
        var signed = try report(ledger, asOf: .position(3))
        let key = try Ed25519PrivateKey.generate()
        try signed.sign(with: key, at: try Timestamp(parsing: "2026-03-02T10:00:00.000000Z"))
        let signedHead = try #require(signed.integrity.signedHead)
        try signedHead.verify(with: key.publicKey)
        #expect(signedHead.head.position == 3 && signedHead.tree == signed.integrity.tree)
        #expect(signed.markdown().contains("- Signature: \(signedHead.signatureHex)"))
        for result in [try report(ledger), try report(ledger, asOf: .position(2)), signed] {
            let value = try JSONSerialization.jsonObject(with: Data(result.json()))
            let schema = try loadSchema("report.schema.json")
            var problems: [String] = []
            SchemaCheck(root: schema).check(value, against: schema, at: "$", into: &problems)
            #expect(problems == [])
            #expect(result.json() == result.json())
        }
    }
}

/// A schema file of the repository.
func loadSchema(_ name: String) throws -> [String: Any] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    let data = try Data(contentsOf: root.appendingPathComponent("schemas/\(name)"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

/// The parts of JSON Schema our schemas use: type, required, properties,
/// additionalProperties false, items, enum, const, local and sibling-file `$ref`.
struct SchemaCheck {
    let root: [String: Any]

    func check(
        _ value: Any, against schema: [String: Any], at path: String,
        into problems: inout [String]
    ) {
        if let reference = schema["$ref"] as? String {
            // `file.json`, `#/$defs/name` or `file.json#/$defs/name`.
            let parts = reference.split(separator: "#", omittingEmptySubsequences: false)
            let file = parts.first.map(String.init) ?? ""
            let base = file.isEmpty ? root : try? loadSchema(file)
            var resolved = base
            if parts.count > 1, let base {
                let name = parts[1].replacingOccurrences(of: "/$defs/", with: "")
                resolved = (base["$defs"] as? [String: Any])?[name] as? [String: Any]
            }
            guard let base, let resolved else {
                problems.append("\(path): cannot resolve \(reference)")
                return
            }
            SchemaCheck(root: base).check(value, against: resolved, at: path, into: &problems)
        }
        if let allowed = schema["enum"] as? [String], !allowed.contains(value as? String ?? "") {
            problems.append("\(path): \(value) not in \(allowed)")
        }
        if let constant = schema["const"] as? String, value as? String != constant {
            problems.append("\(path): not \(constant)")
        }
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? [String: Any] else {
                problems.append("\(path): not an object")
                return
            }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for name in schema["required"] as? [String] ?? [] where object[name] == nil {
                problems.append("\(path): missing \(name)")
            }
            for (name, member) in object {
                guard let memberSchema = properties[name] as? [String: Any] else {
                    if schema["additionalProperties"] as? Bool == false {
                        problems.append("\(path): unexpected \(name)")
                    }
                    continue
                }
                check(member, against: memberSchema, at: "\(path).\(name)", into: &problems)
            }
        case "array":
            guard let array = value as? [Any] else {
                problems.append("\(path): not an array")
                return
            }
            if let items = schema["items"] as? [String: Any] {
                for (index, element) in array.enumerated() {
                    check(element, against: items, at: "\(path)[\(index)]", into: &problems)
                }
            }
        case "string":
            if !(value is String) { problems.append("\(path): not a string") }
        case "integer", "number", "boolean":
            if !(value is NSNumber) { problems.append("\(path): not a number or boolean") }
        default:
            break
        }
    }
}
