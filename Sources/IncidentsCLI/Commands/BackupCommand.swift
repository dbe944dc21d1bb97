import CommandLineKit
import IncidentLedger
import Interchange

extension Command {
    /// `incidents backup`: a consistent, compacted copy made while writers go on.
    static let backup = Command(
        spec: CommandSpec(
            name: "backup", summary: "Copy the ledger, consistently, while others write",
            discussion: "Writes a compacted copy of the ledger as it stood at one moment "
                + "(LMDB's own copy from a read snapshot; writers are not held up) into a "
                + "new directory beside DEST, flushes it, reopens and verifies it, and only "
                + "then renames it to DEST, so an interrupted backup leaves nothing at DEST. "
                + "DEST must not exist (or be an empty directory) and must not be a "
                + "symbolic link. Prints the copy's head and Merkle tree head: the ledger's "
                + "head at the moment of the copy. The copy is readable by its owner only. "
                + "Anyone who may read the ledger may back it up. Restore it with "
                + "'incidents restore'.",
            positionals: [PositionalSpec("DEST", help: "The new backup directory")],
            examples: [
                "incidents backup /backups/incidents-2026-12-03",
                "incidents backup /backups/incidents-$(date +%F) --json",
            ]
        ).withCommonOptions(json: true)
    ) { arguments, context in
        guard let destination = arguments.positional("DEST"), !destination.isEmpty else {
            throw UsageError("missing DEST, the backup directory")
        }
        let ledger = try context.openLedger(.readOnly)
        let report = try ledger.backup(to: destination)
        printCopy(report, replaced: nil, verb: "backed up", arguments, context)
        return .success
    }

    /// Prints what `backup` or `restore` wrote: the copy's path, head, tree and size.
    static func printCopy(
        _ report: CopyReport, replaced: Head?, verb: String, _ arguments: ParsedArguments,
        _ context: Context
    ) {
        if arguments.flag("json") {
            var writer = CanonicalJSONWriter()
            writer.beginObject()
            writer.field("bytes", report.bytes)
            writer.key("head")
            writer.head(report.head)
            writer.field("path", report.path)
            if let replaced {
                writer.key("replaced")
                writer.head(replaced)
            }
            writer.field("root", report.tree.root.hex)
            writer.field("treeSize", Int(report.tree.size))
            writer.endObject()
            context.out.write(bytes: writer.bytes)
            context.out.line()
            return
        }
        context.out.line(
            "\(verb) \(report.head.position) records to \(report.path) (\(report.bytes) bytes)")
        context.out.line("head \(report.head.position) \(report.head.hash.hex)")
        context.out.line("tree size \(report.tree.size) root \(report.tree.root.hex)")
        if let replaced {
            context.out.line(
                "replaced a ledger at head \(replaced.position) \(replaced.hash.hex)")
        }
    }
}
