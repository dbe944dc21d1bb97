import CommandLineKit
import IncidentLedger
import Interchange

extension Command {
    /// `incidents import`: appends an NDJSON history in one transaction.
    static let importEvents = Command(
        spec: CommandSpec(
            name: "import", summary: "Import events from an NDJSON file, all or nothing",
            discussion: "Reads one event per line (schemas/event.schema.json), checks every "
                + "line against the field and lifecycle rules and the ledger, then writes "
                + "them all in one durable transaction. By default one bad line refuses the "
                + "whole file and the ledger is unchanged; the error names the line and the "
                + "field. With --skip-invalid the valid events are written and each refused "
                + "line goes to the --rejected file with its reason. An event whose id is "
                + "already in the ledger with the same content is skipped as a duplicate, so "
                + "importing the same file twice writes nothing the second time.",
            positionals: [PositionalSpec("FILE", help: "The NDJSON file, or - for stdin")],
            options: [
                OptionSpec.flag("skip-invalid", help: "Write the valid events, skip the rest"),
                OptionSpec(
                    "rejected", value: "FILE",
                    help: "With --skip-invalid: where refused lines go, as NDJSON "
                        + "{line, error, text}"),
            ],
            examples: [
                "incidents import history.ndjson",
                "incidents import --skip-invalid --rejected bad.ndjson history.ndjson",
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

        let input = try readInput(file)
        let batch = EventBatch.ndjson(input)
        guard batch.count > 0 else {
            throw CLIError(.invalidInput, "\(file): no events (the input is empty)")
        }
        let ledger = try context.openLedger(.readWrite)
        var options = AppendOptions()
        options.skipInvalid = skipInvalid
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
            writer.field("written", report.written)
            writer.endObject()
            context.out.write(bytes: writer.bytes)
            context.out.line()
        } else {
            context.out.line(summary(report))
        }
        return .success
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
