import CommandLineKit
import IncidentLedger
import Interchange
import LedgerCrypto

extension Command {
    /// `incidents report`: a compliance report for a period.
    static let report = Command(
        spec: CommandSpec(
            name: "report", summary: "Write a compliance report: summary, policy checks, integrity",
            discussion: "Writes a report of the incidents detected in the period, as the "
                + "ledger stands now or --as-of an earlier position or recorded time: counts "
                + "by severity, status and scope; TTA and TTR (count, mean, p50, p90, p95, "
                + "max) and the weekly TTR trend with the 95% bootstrap interval of each "
                + "median; recurrence; every incident; the findings of the eight policy "
                + "checks, each naming the incident and the positions of its evidence; and "
                + "the tree head and verify result the report was built from, signed with "
                + "--key KEY (from 'incidents keygen') so that it can be tied to the ledger "
                + "later. --policy FILE "
                + "changes thresholds or turns checks off (schemas/policy.schema.json). HTML "
                + "is one self-contained file with inline charts; md is Markdown for wikis; "
                + "json follows schemas/report.schema.json.",
            options: [
                OptionSpec(
                    "since", value: "TIME", help: "Only incidents detected at or after TIME"),
                OptionSpec("until", value: "TIME", help: "Only incidents detected before TIME"),
                AsOfOption.spec,
                OptionSpec("policy", value: "FILE", help: "A JSON policy file (default: playbook)"),
                OptionSpec(
                    "format", value: "FORMAT", help: "html, md or json",
                    allowed: ["html", "md", "json"]),
                OptionSpec("output", short: "o", value: "FILE", help: "Where to write the report"),
                SigningOptions.key,
            ],
            examples: [
                "incidents report --format html -o report.html",
                "incidents report --since 2026-01-01T00:00:00Z --until 2026-04-01T00:00:00Z "
                    + "--format md -o q1.md",
                "incidents report --as-of 1200 --policy policy.json --format json -o report.json",
                "incidents report --key head-signing.pem --format html -o signed.html",
            ]
        ).withCommonOptions(json: false)
    ) { arguments, context in
        guard let format = arguments.value("format") else {
            throw UsageError("give --format html, md or json")
        }
        guard let output = arguments.value("output") else {
            throw UsageError("give -o FILE, the file to write the report to")
        }
        var request = ReportRequest()
        request.since = try arguments.value("since").map { try parseTime($0, option: "since") }
        request.until = try arguments.value("until").map { try parseTime($0, option: "until") }
        request.asOf = try AsOfOption.parse(arguments)
        if let path = arguments.value("policy") {
            do {
                request.policy = try ReportPolicy(parsing: try readInput(path))
            } catch let error as EventError {
                throw CLIError(.invalidInput, "\(path): \(error.description)")
            }
        }

        let key = try arguments.signingKey()

        let ledger = try context.openLedger(.readOnly)
        let progress = context.terminal.progress("verifying")
        var report = try ledger.complianceReport(request) { done, total in
            progress?(Int(done), Int(total))
        }
        if let key {
            do throws(KeyError) {
                try report.sign(
                    with: key, at: Timestamp(utcNanoseconds: Ledger.now(), fractionDigits: 6))
            } catch {
                throw CLIError(keyError: error)
            }
        }
        let bytes: [UInt8] =
            switch format {
            case "html": Array(report.html().utf8)
            case "md": Array(report.markdown().utf8)
            default: report.json() + [UInt8(ascii: "\n")]
            }
        try writeFile(output, bytes)
        context.err.line(
            "\(output): \(report.incidents.count) incidents, \(report.findings.count) findings, "
                + "tree size \(report.integrity.tree.size), verify "
                + (report.integrity.verify.isIntact ? "ok" : "BROKEN")
                + (report.integrity.signedHead.map { ", signed by key \($0.keyID)" } ?? ""))
        return report.integrity.verify.isIntact ? .success : .checkFailed
    }
}
