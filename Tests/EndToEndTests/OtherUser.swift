import Foundation
import Glibc
import Testing

/// Runs `incidents` as someone other than the ledger's owner.
///
/// Root passes every permission check, so when the tests run as root the command is
/// run as `nobody` through `setpriv` (util-linux, which `tools/setup` installs), with
/// only the supplementary groups given. Otherwise the tests take write permission
/// away from the owner with `chmod`, which binds every user but root.
enum OtherUser {
    /// Whether this process is root, and so must switch user to be refused anything.
    static let isRoot = geteuid() == 0

    /// The group the sharing tests use: `users` under root, which `nobody` joins
    /// through `setpriv`; otherwise this user's own primary group.
    static var sharedGroup: (name: String, id: gid_t) {
        let entry = isRoot ? getgrnam("users") : getgrgid(getegid())
        guard let entry, let name = entry.pointee.gr_name else { return ("users", 100) }
        return (String(cString: name), entry.pointee.gr_gid)
    }

    /// Runs `incidents` with `arguments` and the harness's ledger as `nobody` in the
    /// given groups (root only).
    static func run(
        _ harness: CLIHarness, _ arguments: [String], groups: [gid_t], ledger: Bool = true
    ) throws -> CLIHarness.Outcome {
        let groupOption =
            groups.isEmpty
            ? "--clear-groups" : "--groups=" + groups.map { String($0) }.joined(separator: ",")
        let command = ledger ? arguments + ["--ledger", harness.ledger] : arguments
        // Under a strict umask the harness's folder would be closed to `nobody`.
        chmod(harness.directory.path, 0o755)
        return try CLIHarness.launch(
            URL(fileURLWithPath: "/usr/bin/setpriv"),
            ["--reuid=nobody", "--regid=nogroup", groupOption, CLIHarness.executable.path]
                + command,
            environment: ["HOME": harness.directory.path])
    }

    /// Runs `incidents` as a user who may read the harness's ledger but not write it:
    /// `nobody` in the shared group under root, else the owner after `makeReadOnly`.
    static func reader(
        _ harness: CLIHarness, _ arguments: [String]
    ) throws -> CLIHarness.Outcome {
        guard isRoot else { return try harness.run(arguments) }
        return try run(harness, arguments, groups: [sharedGroup.id])
    }

    /// Prepares the harness's ledger for `reader`: shared read-only with the group
    /// under root; otherwise its data file made read-only for its owner too.
    static func makeReadOnly(_ harness: CLIHarness) throws {
        if isRoot {
            #expect(try harness.run(["init", "--group", sharedGroup.name]).status == 0)
        } else {
            #expect(chmod(harness.ledger + "/data.mdb", 0o440) == 0)
        }
    }
}

/// The permission bits (with set-id and sticky bits) and group of `path` itself.
func fileMode(_ path: String) -> (mode: mode_t, group: gid_t)? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    return (info.st_mode & 0o7777, info.st_gid)
}
