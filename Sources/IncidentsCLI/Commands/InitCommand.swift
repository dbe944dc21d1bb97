import CommandLineKit
import Glibc
import IncidentLedger

extension Command {
    /// `incidents init`: creates an empty ledger, or shares an existing one.
    static let initialize = Command(
        spec: CommandSpec(
            name: "init", summary: "Create an empty ledger, or share it with a group",
            discussion: "Creates the ledger directory, readable and writable by its owner "
                + "only (directory 0700, files 0600, whatever the umask). With --group, "
                + "the group may read it (directory 2750, data.mdb 0640) or with "
                + "--group-access write also write it (3770, 0660); lock.mdb is 0660 in "
                + "both, because LMDB records every reader there. A reader can run every "
                + "reading command and is refused, with exit status 77, by every writing "
                + "one. Writing commands also create the ledger on first use. On an "
                + "existing ledger, init changes nothing, or with --group changes its "
                + "sharing (only its owner may).",
            options: [
                OptionSpec("group", value: "GROUP", help: "Share the ledger with this group"),
                OptionSpec(
                    "group-access", value: "ACCESS",
                    help: "What the group may do (default: read)", allowed: ["read", "write"]),
            ],
            examples: [
                "incidents init --ledger /var/lib/incidents",
                "incidents init --ledger /var/lib/incidents --group auditors",
                "incidents init --ledger /var/lib/incidents --group oncall --group-access write",
            ]
        ).withCommonOptions(json: false)
    ) { arguments, context in
        let sharing = try requestedSharing(arguments)
        let path = context.ledgerPath
        let existed = Ledger.exists(at: path)
        _ = try context.openLedger(.readWrite, sharing: sharing ?? .ownerOnly)
        if existed, let sharing {
            try Ledger.share(path, sharing: sharing)
        }
        var message = existed ? "ledger already exists at \(path)" : "created ledger at \(path)"
        if let sharing, let group = arguments.value("group") {
            let access = sharing.groupWrites ? "read-write" : "read-only"
            message += existed ? "; now shared" : ", shared"
            message += " with group \(group), \(access)"
        }
        context.out.line(message)
        return .success
    }

    /// The sharing asked for with `--group` and `--group-access`, or nil without them.
    private static func requestedSharing(_ arguments: ParsedArguments) throws -> Ledger.Sharing? {
        guard let name = arguments.value("group") else {
            if arguments.value("group-access") != nil {
                throw UsageError("'--group-access' needs '--group GROUP'")
            }
            return nil
        }
        let group: gid_t
        if let entry = getgrnam(name) {
            group = entry.pointee.gr_gid
        } else if let number = gid_t(name), getgrgid(number) != nil {
            group = number
        } else {
            throw UsageError("'--group': there is no group named '\(name)' on this system")
        }
        return Ledger.Sharing(
            group: group, groupWrites: arguments.value("group-access") == "write")
    }
}
