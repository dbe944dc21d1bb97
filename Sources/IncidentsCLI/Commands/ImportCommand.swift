import CommandLineKit
import IncidentLedger
import Interchange

extension Command {
    /// `incidents import`: appends an NDJSON history in one transaction.
    static let importEvents = Command(
        spec: CommandSpec(
            name: "import",
            summary: "Import events (NDJSON, Alertmanager, PagerDuty), all or nothing",
            discussion: "Reads one event per line (schemas/event.schema.json), checks every "
                + "line against the field and lifecycle rules and the ledger, then writes "
                + "them all in one durable transaction. By default one bad line refuses the "
                + "whole file and the ledger is unchanged; the error names the line and the "
                + "field. With --skip-invalid the valid events are written and each refused "
                + "line goes to the --rejected file with its reason. An event whose id is "
                + "already in the ledger with the same content is skipped as a duplicate, so "
                + "importing the same file twice writes nothing the second time. "
                + "With --from alertmanager or pagerduty the file holds that tool's JSON "
                + "(see the README), converted to events with ids derived from the source, "
                + "then checked and written the same way; an id already in the ledger is "
                + "then a duplicate even if the source has re-worded its text since.",
            positionals: [PositionalSpec("FILE", help: "The input file, or - for stdin")],
            options: [
                OptionSpec(
                    "from", value: "FORMAT",
                    help: "What FILE holds: NDJSON events (default), Alertmanager webhook "
                        + "payloads (version 4) or PagerDuty log entries",
                    allowed: ImportSource.allCases.map(\.rawValue)),
                OptionSpec(
                    "process-label", value: "LABEL",
                    help: "alertmanager: the label naming the process (default job)"),
                OptionSpec(
                    "severity-map", value: "MAP",
                    help: "alertmanager: severity label values, e.g. critical=SEV1,page=SEV2, "
                        + "laid over the defaults"),
                OptionSpec(
                    "severity", value: "SEVn",
                    help: "pagerduty: every incident's severity; alertmanager: an alert's "
                        + "without a severity label (default SEV3)",
                    allowed: EventSchema.severities),
                OptionSpec.flag("skip-invalid", help: "Write the valid events, skip the rest"),
                OptionSpec(
                    "rejected", value: "FILE",
                    help: "With --skip-invalid: where refused lines go, as NDJSON "
                        + "{line, error, text}"),
            ],
            examples: [
                "incidents import history.ndjson",
                "incidents import --skip-invalid --rejected bad.ndjson history.ndjson",
                "incidents import --from alertmanager --process-label service webhooks.ndjson",
                "incidents import --from pagerduty --severity SEV2 log_entries.json",
            ]
        ).withCommonOptions(json: true)
    ) { arguments, context in
        guard let file = arguments.positional("FILE") else { throw UsageError("missing FILE") }
        let skipInvalid = arguments.flag("skip-invalid")
        let rejectedPath = arguments.value("rejected")
        if skipInvalid, rejectedPath == nil {
            throw UsageError("--skip-invalid needs --rejected FILE for the refused lines")
        }
        if !skipInvalid, rejectedPath != nil {
            throw UsageError("--rejected goes with --skip-invalid")
        }

        let source = arguments.value("from").flatMap(ImportSource.init(rawValue:)) ?? .plain
        let input = try readInput(file)
        let feed = try convertFeed(input, from: source, arguments)
        let batch = feed?.batch ?? EventBatch.ndjson(input)
        guard batch.count > 0 || (feed?.skippedCount ?? 0) > 0 else {
            throw CLIError(.invalidInput, "\(file): no events (the input is empty)")
        }
        let ledger = try context.openLedger(.readWrite)
        var options = AppendOptions()
        options.skipInvalid = skipInvalid
        options.sameIDIsDuplicate = feed != nil
        options.progress = context.terminal.progress("checking")
        let report = try ledger.append(batch, options: options)

        if let rejectedPath {
            try writeFile(rejectedPath, rejectedLines(report.rejected, input: input))
        }
        if arguments.flag("json") {
            var writer = CanonicalJSONWriter()
            writer.beginObject()
            writer.field("duplicates", report.duplicates)
            writer.key("head")
            writer.head(report.head)
            writer.field("rejected", report.rejected.count)
            if let feed {
                writer.key("skipped")
                writer.beginObject()
                for (kind, count) in feed.skipped.sorted(by: { $0.key < $1.key }) {
                    writer.field(kind, count)
                }
                writer.endObject()
            }
            writer.field("written", report.written)
            writer.endObject()
            context.out.write(bytes: writer.bytes)
            context.out.line()
        } else {
            var text = summary(report)
            if let feed, feed.skippedCount > 0 {
                let kinds = feed.skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
                text += "\n\(feed.skippedCount) skipped: \(kinds.joined(separator: ", "))"
            }
            context.out.line(text)
        }
        return .success
    }

    /// Converts a feed's input to events; nil for plain NDJSON, which the batch reads.
    private static func convertFeed(
        _ input: [UInt8], from source: ImportSource, _ arguments: ParsedArguments
    ) throws -> FeedConversion? {
        let severity = arguments.value("severity").flatMap(Severity.init(rawValue:))
        for option in ["process-label", "severity-map"]
        where source != .alertmanager && arguments.has(option) {
            throw UsageError("--\(option) goes with --from alertmanager")
        }
        switch source {
        case .plain:
            if arguments.has("severity") {
                throw UsageError("--severity goes with --from alertmanager or pagerduty")
            }
            return nil
        case .alertmanager:
            var options = AlertmanagerFeed.Options()
            if let label = arguments.value("process-label") {
                guard !label.isEmpty else { throw UsageError("--process-label must not be empty") }
                options.processLabel = label
            }
            if let map = arguments.value("severity-map") {
                do throws(EventError) {
                    options.severities = try options.severities.merging(parsing: map)
                } catch {
                    throw UsageError(error.description)
                }
            }
            options.missingSeverity = severity ?? options.missingSeverity
            return try AlertmanagerFeed.convert(input, options: options)
        case .pagerduty:
            var options = PagerDutyFeed.Options()
            options.severity = severity ?? options.severity
            return try PagerDutyFeed.convert(input, options: options)
        }
    }

    /// The refused lines as NDJSON: `{"error": ..., "line": n, "text": ...}`.
    private static func rejectedLines(_ errors: [EventError], input: [UInt8]) -> [UInt8] {
        let lines = NDJSONLines(input)
        var byNumber: [Int: Range<Int>] = [:]
        for index in 0..<lines.count { byNumber[lines[index].number] = lines[index].range }
        var out: [UInt8] = []
        var writer = CanonicalJSONWriter()
        for error in errors {
            writer.reset()
            var message = error
            message.line = nil
            writer.beginObject()
            writer.field("error", message.description)
            writer.field("line", error.line ?? 0)
            let text = error.line.flatMap { byNumber[$0] }.map { input[$0] } ?? []
            writer.field("text", String(decoding: text, as: UTF8.self))
            writer.endObject()
            out += writer.bytes
            out.append(0x0A)
        }
        return out
    }
}

/// Where an import's input comes from.
enum ImportSource: String, CaseIterable {
    /// NDJSON events in the ledger's own format.
    case plain
    /// Prometheus Alertmanager webhook payloads.
    case alertmanager
    /// PagerDuty incident log entries.
    case pagerduty
}
