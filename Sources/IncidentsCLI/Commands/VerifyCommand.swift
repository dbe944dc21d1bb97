import CommandLineKit
import IncidentLedger
import Interchange

extension Command {
    /// `incidents verify`: walks the whole chain.
    static let verify = Command(
        spec: CommandSpec(
            name: "verify", summary: "Check the whole hash chain; exit 1 if it is broken",
            discussion: "Reads every record in order and checks that positions run without "
                + "a gap, that each record is well-formed canonical JSON holding its own "
                + "position, that its prev is the SHA-256 of the record before, and that the "
                + "last hash equals the head kept with the log. Exits 0 when all hold, 1 "
                + "naming the first bad position otherwise. With --export FILE, checks an "
                + "audit export instead (see 'incidents export').",
            options: [
                OptionSpec(
                    "export", value: "FILE",
                    help: "Check this export and FILE.manifest.json against the ledger"),
                OptionSpec(
                    "public-key", value: "PUB",
                    help: "With --export: the head must be signed with this key's private key"),
            ],
            examples: [
                "incidents verify", "incidents verify --json",
                "incidents verify --export audit.ndjson",
            ]
        ).withCommonOptions(json: true)
    ) { arguments, context in
        if let file = arguments.value("export") {
            return try verifyExport(
                file, signer: try arguments.publicKey(), json: arguments.flag("json"), context)
        }
        if arguments.has("public-key") { throw UsageError("--public-key goes with --export FILE") }
        let result: VerifyResult
        do {
            let ledger = try context.openLedger(.readOnly)
            let progress = context.terminal.progress("verifying")
            result = try ledger.verify { done, total in progress?(Int(done), Int(total)) }
        } catch LedgerError.corrupt(let position, let reason) {
            // Damage found on opening (a truncated data file) is a failed check too.
            var damaged = VerifyResult()
            damaged.firstBad = (position, reason)
            result = damaged
        }
        if arguments.flag("json") {
            var writer = CanonicalJSONWriter()
            writer.beginObject()
            if let bad = result.firstBad {
                writer.key("firstBad")
                writer.beginObject()
                writer.field("position", Int(bad.position))
                writer.field("reason", bad.reason)
                writer.endObject()
            }
            writer.key("head")
            writer.head(result.head)
            writer.field("ok", result.isIntact)
            writer.field("records", Int(result.records))
            writer.endObject()
            context.out.write(bytes: writer.bytes)
            context.out.line()
        } else if let bad = result.firstBad {
            context.out.line(
                context.terminal.red("broken") + " at position \(bad.position): \(bad.reason)")
        } else {
            context.out.line(
                context.terminal.green("ok") + ": \(result.records) records, head "
                    + "\(result.head.position) \(result.head.hash.hex)")
        }
        return result.isIntact ? .success : .checkFailed
    }
}
