import Foundation
import Glibc
import Testing

/// A ledger with two incidents, one closed, for the access tests.
private func sampleLedger() throws -> CLIHarness {
    let harness = try CLIHarness()
    #expect(try harness.run(["init"]).status == 0)
    let lines = [
        eventLine("INC-1", "detected", "2026-03-02T09:14:00Z", data: detectedData()),
        eventLine("INC-1", "acknowledged", "2026-03-02T09:20:00Z"),
        eventLine("INC-1", "resolved", "2026-03-02T10:14:00Z"),
        eventLine("INC-2", "detected", "2026-03-03T09:14:00Z", data: detectedData("billing")),
        eventLine("INC-2", "resolved", "2026-03-03T11:14:00Z"),
    ]
    let file = try harness.file("sample.ndjson", lines.joined(separator: "\n"))
    #expect(try harness.run(["import", file]).status == 0)
    return harness
}

/// Every reading command, with arguments that succeed on `sampleLedger()`.
private let readCommands: [[String]] = [
    ["show", "INC-1"], ["show", "INC-1", "--json"], ["list"], ["list", "--json"],
    ["history", "INC-1"], ["log", "--json"], ["head", "--json"], ["verify", "--json"],
    ["stats", "ttr", "--json"], ["recurrence", "--json"], ["prove", "2"],
    ["prove", "--consistency", "2"], ["rebuild", "--check", "--json"], ["metrics", "--prometheus"],
]

/// Every writing command, with arguments that parse, so that only the permission can
/// refuse them.
private func writeCommands(_ harness: CLIHarness) throws -> [[String]] {
    let event = eventLine("INC-3", "detected", "2026-03-04T09:14:00Z", data: detectedData())
    let file = try harness.file("more.ndjson", event)
    let backup = harness.directory.path + "/backup"
    #expect(try harness.run(["backup", backup]).status == 0)
    let steps: [[String]] = [
        ["detect", "INC-3", "--title", "t", "--process", "p", "--severity", "SEV3"],
        ["ack", "INC-2"], ["assign", "INC-2", "--owner", "bob"],
        ["triage", "INC-2", "--scope", "single-process"],
        ["severity", "INC-2", "--severity", "SEV2"],
        ["escalate", "INC-2", "--reason", "r"], ["note", "INC-2", "--text", "t"],
        ["root-cause", "INC-2", "--category", "config", "--summary", "s"],
        ["mitigate", "INC-2", "--action", "restart"],
        ["resolve", "INC-2"], ["reopen", "INC-1", "--reason", "r"], ["close", "INC-1"],
        ["notify", "INC-2", "--channel", "c"],
        ["follow-up", "INC-1", "--task", "T1", "--title", "t"],
        ["follow-up-done", "INC-1", "--task", "T1"], ["postmortem", "INC-1", "--document", "d"],
        [
            "correct", "INC-1", "--event", "00000000-0000-4000-8000-000000000001", "--reason", "r",
            "--corrected-at", "2026-03-02T09:15:00Z",
        ],
    ]
    return steps + [
        ["record", event], ["import", file], ["rebuild"], ["init"],
        ["restore", backup],
    ]
}

@Suite("Access: owner only, shared with a group, read-only users, no links followed")
struct AccessTests {
    @Test("a new ledger is its owner's only, and shared modes hold, whatever the umask")
    func modesWhateverTheUmask() throws {
        let harness = try CLIHarness()
        let group = OtherUser.sharedGroup
        let cases: [(umask: String, arguments: [String], modes: [mode_t], shared: Bool)] = [
            ("000", [], [0o700, 0o600, 0o600], false),
            ("077", ["--group", group.name], [0o2750, 0o640, 0o660], true),
            (
                "027", ["--group", group.name, "--group-access", "write"], [0o3770, 0o660, 0o660],
                true
            ),
        ]
        for (index, test) in cases.enumerated() {
            let ledger = harness.directory.path + "/ledger\(index)"
            let outcome = try CLIHarness.launch(
                URL(fileURLWithPath: "/bin/sh"),
                [
                    "-c", "umask \(test.umask) && exec \"$0\" \"$@\"", CLIHarness.executable.path,
                    "init", "--ledger", ledger,
                ] + test.arguments)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let files = [ledger, ledger + "/data.mdb", ledger + "/lock.mdb"].map(fileMode)
            #expect(files.map { $0?.mode } == test.modes)
            if test.shared {
                #expect(files.allSatisfy { $0?.group == group.id })
            }
            // A write by the owner keeps the modes.
            let detect = try CLIHarness.launch(
                CLIHarness.executable,
                [
                    "detect", "INC-1", "--title", "t", "--process", "p", "--severity", "SEV3",
                    "--ledger", ledger,
                ])
            #expect(detect.status == 0)
            #expect(
                [ledger, ledger + "/data.mdb", ledger + "/lock.mdb"].map { fileMode($0)?.mode }
                    == test.modes)
        }
    }

    @Test("a user who may only read gets every reading command's answer, as the owner does")
    func readerRunsEveryReadCommand() throws {
        let harness = try sampleLedger()
        let owner = try readCommands.map { try harness.run($0) }
        try OtherUser.makeReadOnly(harness)
        for (arguments, expected) in zip(readCommands, owner) {
            let outcome = try OtherUser.reader(harness, arguments)
            #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stdout == expected.stdout, "\(arguments)")
            #expect(outcome.stderr.isEmpty, "\(arguments)")
        }
        // A reader may back the ledger up, into a place of its own.
        let place = harness.directory.path + "/readers"
        #expect(mkdir(place, 0o777) == 0 && chmod(place, 0o777) == 0)
        let backup = try OtherUser.reader(harness, ["backup", place + "/copy"])
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(backup.stdout.hasPrefix("backed up 5 records to \(place)/copy"))
    }

    @Test("every writing command refuses a user who may only read, with 77 and one line")
    func readerIsRefusedByEveryWriteCommand() throws {
        let harness = try sampleLedger()
        try OtherUser.makeReadOnly(harness)
        let data = harness.ledger + "/data.mdb"
        let before = try Data(contentsOf: URL(fileURLWithPath: data))
        let user =
            OtherUser.isRoot ? "nobody" : String(cString: getpwuid(geteuid()).pointee.pw_name)
        for arguments in try writeCommands(harness) {
            let outcome = try OtherUser.reader(harness, arguments)
            #expect(outcome.status == 77, "\(arguments): \(outcome.stderr)")
            #expect(
                outcome.stderr
                    == "incidents \(arguments[0]): permission denied: the ledger at "
                    + "\(harness.ledger) is read-only for you (\(user) may not write data.mdb)\n")
            #expect(outcome.stdout.isEmpty)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: data)) == before)
        let verify = try harness.run(["verify", "--json"])
        #expect(verify.stdout.contains(#""ok":true,"records":5"#))
    }

    @Test(
        "a ledger not shared is closed to everyone else; a group may read, or also write",
        .enabled(if: OtherUser.isRoot, "needs root to act as another user"))
    func groupSharing() throws {
        let harness = try sampleLedger()
        let group = OtherUser.sharedGroup.id
        let closed = try OtherUser.run(harness, ["head"], groups: [group])
        #expect(closed.status == 77)
        #expect(
            closed.stderr
                == "incidents head: permission denied opening the ledger at \(harness.ledger)\n")

        #expect(try harness.run(["init", "--group", OtherUser.sharedGroup.name]).status == 0)
        let outsider = try OtherUser.run(harness, ["head"], groups: [])
        #expect(outsider.status == 77)
        #expect(try OtherUser.run(harness, ["head"], groups: [group]).status == 0)

        let share = try harness.run(
            ["init", "--group", OtherUser.sharedGroup.name, "--group-access", "write"])
        #expect(share.stdout.hasSuffix("now shared with group users, read-write\n"))
        let member = try OtherUser.run(
            harness, ["detect", "INC-9", "--title", "t", "--process", "p", "--severity", "SEV4"],
            groups: [group])
        #expect(member.status == 0, "\(member.stderr)")
        // A member may write records, not change who shares the ledger.
        let reshare = try OtherUser.run(harness, ["init", "--group", "users"], groups: [group])
        #expect(reshare.status == 77)
        #expect(
            reshare.stderr
                == "incidents init: permission denied: only the owner of the ledger at "
                + "\(harness.ledger) may change who shares it, and only with a group the owner "
                + "is in\n")
        #expect(member.stdout.hasPrefix("recorded detected for INC-9 at position 6"))
        // The owner still writes after a member has: the files kept their group modes.
        #expect(try harness.run(["ack", "INC-9"]).status == 0)
        #expect(try harness.run(["verify", "--json"]).stdout.contains(#""records":7"#))
        #expect(fileMode(harness.ledger + "/data.mdb")?.mode == 0o660)
    }

    @Test("a removed lock.mdb is made again with the sharing's mode, whatever the umask")
    func removedLockKeepsItsMode() throws {
        let harness = try sampleLedger()
        try OtherUser.makeReadOnly(harness)
        #expect(unlink(harness.ledger + "/lock.mdb") == 0)
        let owner = try CLIHarness.launch(
            URL(fileURLWithPath: "/bin/sh"),
            [
                "-c", "umask 077 && exec \"$0\" \"$@\"", CLIHarness.executable.path, "head",
                "--ledger", harness.ledger,
            ])
        #expect(owner.status == 0)
        let lock = fileMode(harness.ledger + "/lock.mdb")
        #expect(lock?.mode == (OtherUser.isRoot ? 0o660 : 0o600))
        let reader = try OtherUser.reader(harness, ["head"])
        #expect(reader.status == 0, "\(reader.stderr)")
        #expect(reader.stdout == owner.stdout)
    }

    @Test("a reader who may not write lock.mdb is told that LMDB needs it")
    func readerNeedsTheLockFile() throws {
        let harness = try sampleLedger()
        try OtherUser.makeReadOnly(harness)
        #expect(chmod(harness.ledger + "/lock.mdb", 0o440) == 0)
        let outcome = try OtherUser.reader(harness, ["head"])
        #expect(outcome.status == 77)
        #expect(
            outcome.stderr
                == "incidents head: permission denied: readers of the ledger at "
                + "\(harness.ledger) must be able to write lock.mdb, where LMDB keeps its "
                + "table of readers\n")
    }

    @Test("a link in the place of data.mdb, lock.mdb or the directory is never followed")
    func linksAreNeverFollowed() throws {
        let harness = try sampleLedger()
        let victim = harness.directory.path + "/victim"
        let secret = Data("precious\n".utf8)
        let other = try sampleLedger()
        let planted: [(name: String, target: String)] = [
            ("data.mdb", victim), ("data.mdb", other.ledger + "/data.mdb"),
            ("lock.mdb", victim), ("", other.ledger),
        ]
        for (index, plant) in planted.enumerated() {
            try secret.write(to: URL(fileURLWithPath: victim))
            let otherData = try Data(contentsOf: URL(fileURLWithPath: other.ledger + "/data.mdb"))
            let ledger = harness.directory.path + "/planted\(index)"
            let link: String
            if plant.name.isEmpty {
                link = ledger
            } else {
                #expect(try harness.run(["init", "--ledger", ledger], ledger: false).status == 0)
                link = ledger + "/" + plant.name
                #expect(unlink(link) == 0)
            }
            #expect(symlink(plant.target, link) == 0)
            for arguments in [
                ["head"], ["init"], ["ack", "INC-2"], ["backup", ledger + "-copy"],
            ] {
                let outcome = try harness.run(arguments + ["--ledger", ledger], ledger: false)
                #expect(outcome.status == 77, "\(arguments) \(plant)")
                #expect(
                    outcome.stderr
                        == "incidents \(arguments[0]): refusing the ledger at \(ledger): \(link) "
                        + "is a symbolic link, which a ledger never follows\n")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: victim)) == secret)
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: other.ledger + "/data.mdb")) == otherData)
        }
        #expect(try other.run(["verify"]).status == 0)
    }
}
