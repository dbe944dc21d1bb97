import CommandLineKit
import IncidentLedger
import Interchange

extension Command {
    /// `incidents rebuild`: recomputes the kept projections from the log.
    static let rebuild = Command(
        spec: CommandSpec(
            name: "rebuild", summary: "Recompute every incident's state from the log",
            discussion: "Replays every record from position 1, corrections applied, and "
                + "replaces the kept incident states in one transaction. With --check, "
                + "rebuilds aside, writes nothing, and lists every incident whose kept "
                + "state differs from the rebuilt one, or whose kept facts or status-index "
                + "entry (what stats, recurrence and list read) differ from its state; "
                + "exits 1 if any does. A ledger whose "
                + "kept states have an older layout is rebuilt by itself when a newer "
                + "program first opens it for writing.",
            options: [OptionSpec.flag("check", help: "Compare with what is kept; write nothing")],
            examples: ["incidents rebuild", "incidents rebuild --check"]
        ).withCommonOptions(json: true)
    ) { arguments, context in
        let check = arguments.flag("check")
        let ledger = try context.openLedger(check ? .readOnly : .readWrite)
        let progress = context.terminal.progress(check ? "checking" : "rebuilding")
        var report = try ledger.rebuild(check: check) { done, total in
            progress?(Int(done), Int(total))
        }
        if check {
            // The facts and the status index follow from the kept states: check them too.
            let derived = try ledger.derivedProjectionDifferences()
            report.differing = Set(report.differing + derived).sorted()
        }
        if arguments.flag("json") {
            var writer = CanonicalJSONWriter()
            writer.beginObject()
            if check {
                writer.key("differing")
                writer.beginArray()
                for incident in report.differing { writer.string(incident) }
                writer.endArray()
            }
            writer.field("incidents", report.incidents)
            writer.field("records", Int(report.records))
            if check { writer.field("treeIntact", report.treeIntact) }
            writer.endObject()
            context.out.write(bytes: writer.bytes)
            context.out.line()
        } else if check {
            for incident in report.differing {
                let position = report.lastPositions[incident]
                context.out.line(
                    "differs: \(incident) "
                        + (position.map { "(its last record is at position \($0))" }
                            ?? "(kept, but not in the log)"))
            }
            if !report.treeIntact {
                context.out.line(
                    context.terminal.red("the kept Merkle tree's root differs from the records'"))
            }
            let verdict =
                report.differing.isEmpty && report.treeIntact
                ? context.terminal.green("ok") + ": the kept projections equal the rebuilt ones"
                : context.terminal.red("\(report.differing.count) incidents differ")
            context.out.line(
                "\(verdict) (\(report.incidents) incidents from \(report.records) records)")
        } else {
            context.out.line(
                "rebuilt \(report.incidents) incidents from \(report.records) records")
        }
        return report.differing.isEmpty && report.treeIntact ? .success : .checkFailed
    }
}
