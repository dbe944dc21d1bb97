import CommandLineKit
import IncidentLedger

extension Command {
    /// `incidents record`: appends events given as JSON.
    static let record = Command(
        spec: CommandSpec(
            name: "record", summary: "Append one or more events given as JSON",
            discussion: "Each argument is one event as a JSON object in the import format "
                + "(schemas/event.schema.json). With no argument, events are read from "
                + "standard input, one per line. All are checked before any is written; "
                + "one refused event refuses them all.",
            positionals: [
                PositionalSpec("EVENT", help: "An event as JSON", optional: true, variadic: true)
            ],
            examples: [
                #"incidents record '{"incident":"INC-7","type":"note","#
                    + #""at":"2026-03-02T10:00:00Z","actor":"bob","data":{"text":"Re-run"}}'"#
            ]
        ).withCommonOptions(json: true)
    ) { arguments, context in
        let given = arguments.positionals("EVENT")
        let input =
            given.isEmpty ? try readInput("-") : Array(given.joined(separator: "\n").utf8)
        let batch = EventBatch.ndjson(input)
        guard batch.count > 0 else {
            throw CLIError(.invalidInput, "no event given (pass JSON or pipe it to stdin)")
        }
        let ledger = try context.openLedger(.readWrite)
        let report = try ledger.append(batch)
        if arguments.flag("json"), let first = report.firstPosition {
            for position in first...report.head.position {
                if let bytes = try ledger.recordBytes(at: position) {
                    context.out.write(bytes: bytes)
                    context.out.line()
                }
            }
        } else if !arguments.flag("json") {
            context.out.line(summary(report))
        }
        return .success
    }

    static func summary(_ report: AppendReport) -> String {
        var text = "\(report.written) written, \(report.duplicates) duplicates skipped"
        if !report.rejected.isEmpty { text += ", \(report.rejected.count) rejected" }
        if let first = report.firstPosition {
            text += "; positions \(first)-\(report.head.position)"
        }
        return text + "; head \(report.head.position) \(report.head.hash.hex)"
    }
}
