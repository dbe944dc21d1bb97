import CommandLineKit
import IncidentLedger

extension Command {
    /// `incidents init`: creates an empty ledger.
    static let initialize = Command(
        spec: CommandSpec(
            name: "init", summary: "Create an empty ledger",
            discussion: "Creates the ledger directory, readable and writable by its owner "
                + "only. Writing commands also create it on first use. Running init on an "
                + "existing ledger changes nothing.",
            examples: ["incidents init --ledger /var/lib/incidents"]
        ).withCommonOptions(json: false)
    ) { _, context in
        let path = context.ledgerPath
        let existed = Ledger.exists(at: path)
        _ = try context.openLedger(.readWrite)
        context.out.line(existed ? "ledger already exists at \(path)" : "created ledger at \(path)")
        return .success
    }
}
