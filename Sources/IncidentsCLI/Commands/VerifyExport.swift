import IncidentLedger
import Interchange
import LedgerCrypto

extension Command {
    /// `incidents verify --export FILE`: an export checked against its manifest and the
    /// ledger; exit 1 when anything is wrong.
    static func verifyExport(
        _ path: String, signer: Ed25519PublicKey?, json: Bool, _ context: Context
    ) throws -> ExitStatus {
        let manifestPath = path + ".manifest.json"
        let manifest: ExportManifest
        do {
            manifest = try ExportManifest(parsing: try readInput(manifestPath))
        } catch let error as EventError {
            // An altered manifest is a failed check, like any other alteration.
            let reason = "the manifest cannot be read: \(error)"
            if json {
                var writer = CanonicalJSONWriter()
                writer.beginObject()
                writer.field("file", path)
                writer.field("ok", false)
                writer.key("problems")
                writer.beginArray()
                writer.beginObject()
                writer.field("reason", reason)
                writer.endObject()
                writer.endArray()
                writer.endObject()
                context.out.write(bytes: writer.bytes)
                context.out.line()
            } else {
                context.out.line(context.terminal.red("bad") + " \(path): \(reason)")
            }
            return .checkFailed
        }
        let file = try readInput(path)
        var proofs: InputFile?
        if let stated = manifest.proofs {
            let slash = path.lastIndex(of: "/")
            let directory = slash.map { String(path[...$0]) } ?? ""
            proofs = InputFile(path: directory + stated.file)
        }
        let ledger = try context.openLedger(.readOnly)
        let result = try ledger.verifyExport(
            file: file, manifest: manifest, proofs: proofs, signer: signer)

        if json {
            var writer = CanonicalJSONWriter()
            writer.beginObject()
            writer.field("file", path)
            writer.key("head")
            writer.exportHead(manifest.head)
            writer.field("ok", result.isIntact)
            writer.key("problems")
            writer.beginArray()
            for problem in result.problems {
                writer.beginObject()
                if let line = problem.line { writer.field("line", line) }
                if let position = problem.position { writer.field("position", Int(position)) }
                writer.field("reason", problem.reason)
                writer.endObject()
            }
            writer.endArray()
            writer.field("recorded", manifest.isRecorded)
            writer.field("records", result.records)
            writer.endObject()
            context.out.write(bytes: writer.bytes)
            context.out.line()
        } else if result.isIntact {
            let recorded =
                manifest.recordPosition.map { "recorded at position \($0)" } ?? "not recorded"
            var signed = ""
            if manifest.headSignature != nil {
                signed =
                    signer.map { "; head signed by key \($0.keyID)" }
                    ?? "; head signed (give --public-key to check the signature)"
            }
            context.out.line(
                context.terminal.green("ok") + ": \(path): \(result.records) records, as the "
                    + "ledger holds them in its head of \(manifest.head.size) records; "
                    + recorded + signed)
        } else {
            for problem in result.problems {
                context.out.line(context.terminal.red("bad") + " \(path): \(problem)")
            }
        }
        return result.isIntact ? .success : .checkFailed
    }
}
