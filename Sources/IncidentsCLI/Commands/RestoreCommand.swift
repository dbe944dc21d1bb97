import CommandLineKit
import IncidentLedger

extension Command {
    /// `incidents restore`: puts a backup in the ledger's place, losing no record.
    static let restore = Command(
        spec: CommandSpec(
            name: "restore", summary: "Put a backup in the ledger's place, losing nothing",
            discussion: "Restores the backup BACKUP (a directory made by 'incidents backup') "
                + "as the ledger given by --ledger (or $INCIDENTS_LEDGER, or the default). "
                + "The ledger's place may be empty, an empty directory, or a ledger whose "
                + "every record is in the backup: it must verify, and its head and Merkle "
                + "root must equal the backup's at its head's position. A ledger that is "
                + "ahead of the backup, has diverged from it, or does not verify is refused "
                + "with exit status 73 and left untouched; move it aside first to restore "
                + "anyway. The backup is copied beside the ledger, verified, and swapped in "
                + "with one rename, so the ledger is at every moment the old one or the "
                + "whole restored one. A replaced ledger's group and modes are kept; a new "
                + "one is for its owner only.",
            positionals: [PositionalSpec("BACKUP", help: "The backup directory")],
            examples: [
                "incidents restore /backups/incidents-2026-12-03 --ledger /var/lib/incidents"
            ]
        ).withCommonOptions(json: true)
    ) { arguments, context in
        guard let backup = arguments.positional("BACKUP"), !backup.isEmpty else {
            throw UsageError("missing BACKUP, the backup directory")
        }
        guard Ledger.exists(at: backup) else {
            throw CLIError(.missing, "no backup at \(backup)")
        }
        let target = context.ledgerPath
        if !Ledger.exists(at: target) { context.makeParents(of: target) }
        let report = try Ledger.restore(from: backup, into: target)
        printCopy(report.copy, replaced: report.replaced, verb: "restored", arguments, context)
        if let leftOver = report.leftOver {
            context.err.line(
                "incidents restore: the replaced ledger held other files; it was left at "
                    + leftOver)
        }
        return .success
    }
}
