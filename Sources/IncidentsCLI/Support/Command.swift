import CommandLineKit
import Glibc
import IncidentLedger

/// One `incidents` subcommand: its definition (the single source of its `--help`)
/// and what it does.
struct Command: Sendable {
    /// The command's name, options and help.
    let spec: CommandSpec
    /// Runs the command on parsed arguments, returning the exit status; any error
    /// thrown is mapped to a message and status by `CLIError.from(_:)`.
    let run: @Sendable (ParsedArguments, Context) throws -> ExitStatus
}

/// Options every command takes.
enum CommonOptions {
    static let ledger = OptionSpec(
        "ledger", value: "DIR",
        help: "The ledger directory (default: $INCIDENTS_LEDGER, else "
            + "$XDG_DATA_HOME/incidents/ledger, else ~/.local/share/incidents/ledger)")
    static let json = OptionSpec.flag("json", help: "Print JSON for machines")
    static let help = OptionSpec.flag("help", short: "h", help: "Show this help")
}

/// What a running command works with: the terminal, the environment and the ledger.
final class Context {
    let terminal: Terminal
    let environment: [String: String]
    var ledgerOption: String?

    init(terminal: Terminal, environment: [String: String]) {
        self.terminal = terminal
        self.environment = environment
    }

    var out: OutputStream { terminal.out }
    var err: OutputStream { terminal.err }

    /// The ledger's directory: `--ledger`, else `INCIDENTS_LEDGER`, else the per-user
    /// default under `XDG_DATA_HOME` or `~/.local/share`.
    var ledgerPath: String {
        if let path = ledgerOption, !path.isEmpty { return path }
        if let path = environment["INCIDENTS_LEDGER"], !path.isEmpty { return path }
        return Context.defaultLedgerPath(environment)
    }

    static func defaultLedgerPath(_ environment: [String: String]) -> String {
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {
            return data + "/incidents/ledger"
        }
        let home = environment["HOME"] ?? "."
        return home + "/.local/share/incidents/ledger"
    }

    /// Opens the ledger; a writer creates it (and missing parent folders) on first use,
    /// shared as `sharing` says.
    func openLedger(
        _ access: Ledger.Access, sharing: Ledger.Sharing = .ownerOnly
    ) throws -> Ledger {
        let path = ledgerPath
        let limits = try mapLimits()
        if access == .readWrite, !Ledger.exists(at: path) {
            makeParents(of: path, shared: sharing.group != nil)
        }
        do {
            return try Ledger(
                path: path, access: access, create: access == .readWrite, sharing: sharing,
                mapLimits: limits)
        } catch .projectionsOutdated where Ledger.mayWrite(at: path) {
            // A reading command of a user who may write: the writing open rebuilds the
            // projections of the older layout, and is closed before reading again.
            _ = try Ledger(
                path: path, access: .readWrite, create: false, sharing: sharing,
                mapLimits: limits)
            return try Ledger(
                path: path, access: access, create: false, sharing: sharing, mapLimits: limits)
        }
    }

    /// The map's starting and largest size: `INCIDENTS_MAP_SIZE` and
    /// `INCIDENTS_MAX_MAP_SIZE` in bytes when set, else the ledger's defaults. They
    /// let a test start a ledger small, or an operator cap how large it may grow.
    func mapLimits() throws -> Ledger.MapLimits {
        var limits = Ledger.MapLimits()
        let minimum = 1 << 16
        for name in ["INCIDENTS_MAP_SIZE", "INCIDENTS_MAX_MAP_SIZE"] {
            guard let text = environment[name], !text.isEmpty else { continue }
            guard let bytes = Int(text), bytes >= minimum else {
                throw UsageError(
                    "\(name) must be a number of bytes from \(minimum), not '\(text)'")
            }
            if name == "INCIDENTS_MAP_SIZE" {
                limits.initialSize = bytes
            } else {
                limits.maximumSize = bytes
            }
        }
        limits.initialSize = min(limits.initialSize, limits.maximumSize)
        return limits
    }

    /// Makes the missing folders above `path`: for the owner only, or, above a shared
    /// ledger, searchable (not listable) by others so that the group can reach it.
    func makeParents(of path: String, shared: Bool = false) {
        var prefix = ""
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
        for (index, part) in parts.enumerated() {
            prefix += index == 0 ? String(part) : "/" + part
            if !prefix.isEmpty, mkdir(prefix, 0o700) == 0, shared { chmod(prefix, 0o711) }
        }
    }
}

extension CommandSpec {
    /// The spec with the options every command takes added at the end.
    func withCommonOptions(json: Bool) -> CommandSpec {
        var spec = self
        spec.options +=
            json
            ? [CommonOptions.json, CommonOptions.ledger, CommonOptions.help]
            : [CommonOptions.ledger, CommonOptions.help]
        return spec
    }
}

extension ParsedArguments {
    /// The value of a whole-number option, or nil when it is not given.
    /// - Parameters:
    ///   - name: The option's long name.
    ///   - minimum: The smallest value accepted.
    /// - Throws: `UsageError` naming the option when the value is not a whole number
    ///   from `minimum`.
    func wholeNumber(_ name: String, minimum: UInt64) throws -> UInt64? {
        guard let text = value(name) else { return nil }
        guard let number = UInt64(text), number >= minimum else {
            throw UsageError("'--\(name)' must be a whole number from \(minimum), not '\(text)'")
        }
        return number
    }
}
