import Foundation
import Glibc
import Testing

/// Imports `count` detected events numbered from `first` into the harness's ledger
/// (or the one at `ledger`).
private func importIncidents(
    _ harness: CLIHarness, _ count: Int, from first: Int = 1, process: String = "p",
    ledger: String? = nil
) throws {
    let lines = (first..<first + count).map { index in
        eventLine("INC-\(index)", "detected", "2026-03-02T09:14:00Z", data: detectedData(process))
    }
    let file = try harness.file("batch-\(first)-\(process).ndjson", lines.joined(separator: "\n"))
    let arguments = ["import", file] + (ledger.map { ["--ledger", $0] } ?? [])
    let outcome = try harness.run(arguments, ledger: ledger == nil)
    #expect(outcome.status == 0, "\(outcome.stderr)")
}

/// The stored records of a ledger, one line each, as `log --json` prints them.
private func records(_ harness: CLIHarness, _ ledger: String) throws -> [Substring] {
    let outcome = try harness.run(["log", "--json", "--ledger", ledger], ledger: false)
    #expect(outcome.status == 0, "\(outcome.stderr)")
    return outcome.stdout.split(separator: "\n")
}

/// The `head --json` of a ledger.
private func headJSON(_ harness: CLIHarness, _ ledger: String) throws -> String {
    try harness.run(["head", "--json", "--ledger", ledger], ledger: false).stdout
}

/// A writer thread that records one incident after another until stopped, keeping
/// the incidents it was told were committed and the errors it met.
private final class Writer: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var committed: [String] = []
    private var failures: [String] = []
    private let done = DispatchSemaphore(value: 0)

    /// Starts writing to the harness's ledger on a thread of its own, after `delay`
    /// microseconds, incidents numbered from `first`.
    init(_ harness: CLIHarness, from first: Int = 10_000, after delay: UInt32 = 0) {
        let thread = Thread { [self] in
            usleep(delay)
            var index = first
            while !lock.withLock({ stopped }) {
                let incident = "INC-\(index)"
                let outcome = try? harness.run([
                    "detect", incident, "--title", "t", "--process", "p", "--severity", "SEV4",
                    "--at", "2026-03-02T09:14:00Z",
                ])
                lock.withLock {
                    if outcome?.status == 0 {
                        committed.append(incident)
                    } else {
                        failures.append(outcome?.stderr ?? "could not run")
                    }
                }
                index += 1
            }
            done.signal()
        }
        thread.start()
    }

    /// How many records the writer has committed so far.
    var count: Int { lock.withLock { committed.count } }

    /// Waits until the writer has committed more than `count` records.
    func waitForMore(than count: Int) {
        while self.count <= count { usleep(10_000) }
    }

    /// Stops the writer, waits for it, and returns the incidents it committed and the
    /// errors it met.
    func stop() -> (committed: [String], failures: [String]) {
        lock.withLock { stopped = true }
        done.wait()
        return lock.withLock { (committed, failures) }
    }
}

@Suite("Backups: consistent copies while writing; restores that lose nothing")
struct BackupTests {
    @Test("backups taken while a writer appends verify and are each a prefix of the ledger")
    func backupWhileWriting() throws {
        let harness = try CLIHarness()
        try importIncidents(harness, 3000)
        let writer = Writer(harness)
        var backups: [(path: String, stdout: String)] = []
        for index in 0..<4 {
            // Each backup starts after the writer has committed more: they interleave.
            writer.waitForMore(than: writer.count)
            let path = harness.directory.path + "/backup\(index)"
            let outcome = try harness.run(["backup", path, "--json"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            backups.append((path, outcome.stdout))
        }
        writer.waitForMore(than: writer.count)
        #expect(writer.stop().failures.isEmpty)

        let final = try records(harness, harness.ledger)
        var positions: [Int] = []
        for backup in backups {
            #expect(
                try harness.run(["verify", "--ledger", backup.path], ledger: false).status == 0)
            let copied = try records(harness, backup.path)
            #expect(copied.count >= 3000)
            #expect(Array(final.prefix(copied.count)) == copied)
            // What backup printed is the copy's head and tree head.
            let head = try headJSON(harness, backup.path)
            let printed = try JSONSerialization.jsonObject(with: Data(backup.stdout.utf8))
            let stored = try JSONSerialization.jsonObject(with: Data(head.utf8))
            let printedHead = (printed as? [String: Any])?["head"] as? [String: Any]
            let storedHead = stored as? [String: Any]
            #expect(printedHead?["hash"] as? String == storedHead?["hash"] as? String)
            #expect(printedHead?["position"] as? Int == copied.count)
            // The members schemas/copy.schema.json allows a backup.
            let members = ((printed as? [String: Any])?.keys).map { Set($0) }
            #expect(members == ["bytes", "head", "path", "root", "treeSize"])
            #expect(
                (printed as? [String: Any])?["root"] as? String == storedHead?["root"] as? String)
            #expect(fileMode(backup.path)?.mode == 0o700)
            #expect(fileMode(backup.path + "/data.mdb")?.mode == 0o600)
            positions.append(copied.count)
        }
        #expect(positions == positions.sorted() && Set(positions).count == positions.count)
        #expect(final.count > positions.last ?? 0)
    }

    @Test("no write reported as committed is lost when restores race a writer")
    func restoreRacingAWriter() throws {
        let harness = try CLIHarness()
        try importIncidents(harness, 20)
        var committed: [String] = []
        var outcomes: [Int32: Int] = [:]
        // The writer starts later each round, so that some restores find the ledger
        // ahead and refuse, others swap it while the writer is starting.
        for round in 0..<8 {
            let backup = harness.directory.path + "/backup\(round)"
            #expect(try harness.run(["backup", backup]).status == 0)
            let writer = Writer(harness, from: 1000 * (round + 1), after: UInt32(round) * 20_000)
            let restore = try harness.run(["restore", backup])
            outcomes[restore.status, default: 0] += 1
            #expect(restore.status == 0 || restore.status == 73, "\(restore.stderr)")
            let written = writer.stop()
            committed += written.committed
            // A writer that opened the ledger just before the swap is told to run again.
            let unexpected = written.failures.filter { !$0.contains("run it again") }
            #expect(unexpected.isEmpty, "\(unexpected)")
        }
        #expect(try harness.run(["verify"]).status == 0)
        let log = try records(harness, harness.ledger).joined(separator: "\n")
        let lost = committed.filter { !log.contains(#""incident":"\#($0)""#) }
        #expect(lost.isEmpty, "\(lost) reported as committed but not in the ledger")
        #expect(outcomes.values.reduce(0, +) == 8)
    }

    @Test("backup refuses a destination that exists or is a link, and leaves it alone")
    func backupRefusesOccupiedDestinations() throws {
        let harness = try CLIHarness()
        try importIncidents(harness, 5)
        let taken = harness.directory.path + "/taken"
        #expect(try harness.run(["backup", taken]).status == 0)
        let before = try records(harness, taken)

        let again = try harness.run(["backup", taken])
        #expect(again.status == 73)
        #expect(
            again.stderr
                == "incidents backup: \(taken) already exists; a backup goes to a new path or "
                + "an empty directory\n")
        let file = try harness.file("a-file", "keep me\n")
        #expect(try harness.run(["backup", file]).status == 73)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "keep me\n")

        let empty = harness.directory.path + "/empty"
        #expect(mkdir(empty, 0o700) == 0)
        for target in [empty, harness.directory.path + "/absent"] {
            let link = harness.directory.path + "/link-\(target.hasSuffix("empty"))"
            #expect(symlink(target, link) == 0)
            let outcome = try harness.run(["backup", link])
            #expect(outcome.status == 77)
            #expect(
                outcome.stderr
                    == "incidents backup: refusing \(link): it is a symbolic link, and a backup "
                    + "never follows one\n")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: empty).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: harness.directory.path + "/absent"))
        #expect(try records(harness, taken) == before)
        // Nothing staged is left behind.
        let names = try FileManager.default.contentsOfDirectory(atPath: harness.directory.path)
        #expect(names.filter { $0.hasPrefix(".") }.isEmpty)
        // An empty directory may be the destination.
        #expect(try harness.run(["backup", empty]).status == 0)
        #expect(try records(harness, empty) == before)
    }

    @Test("restore makes a new ledger, fills an empty directory, and extends a prefix")
    func restoreSucceeds() throws {
        let harness = try CLIHarness()
        try importIncidents(harness, 10)
        let early = harness.directory.path + "/early"
        #expect(try harness.run(["backup", early]).status == 0)
        try importIncidents(harness, 10, from: 11)
        let late = harness.directory.path + "/late"
        #expect(try harness.run(["backup", late]).status == 0)
        let all = try records(harness, harness.ledger)

        // Into a place that does not exist, with missing parents.
        let fresh = harness.directory.path + "/a/b/restored"
        let restored = try harness.run(["restore", early, "--ledger", fresh], ledger: false)
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.hasPrefix("restored 10 records to \(fresh)"))
        #expect(try records(harness, fresh) == Array(all.prefix(10)))
        #expect(fileMode(fresh)?.mode == 0o700)
        #expect(fileMode(fresh + "/data.mdb")?.mode == 0o600)

        // Over a ledger that is a prefix of the backup: it is extended, nothing lost.
        let extended = try harness.run(
            ["restore", late, "--ledger", fresh, "--json"], ledger: false)
        #expect(extended.status == 0, "\(extended.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(extended.stdout.utf8))
        let replaced = (report as? [String: Any])?["replaced"] as? [String: Any]
        #expect(replaced?["position"] as? Int == 10)
        #expect(try records(harness, fresh) == all)
        #expect(try harness.run(["verify", "--ledger", fresh], ledger: false).status == 0)
        #expect(
            try harness.run(["rebuild", "--check", "--ledger", fresh], ledger: false).status == 0)
        // The restored ledger takes new writes.
        let detect = try harness.run(
            [
                "detect", "INC-99", "--title", "t", "--process", "p", "--severity", "SEV4",
                "--ledger", fresh,
            ], ledger: false)
        #expect(detect.stdout.hasPrefix("recorded detected for INC-99 at position 21"))

        // Into an empty directory.
        let empty = harness.directory.path + "/empty"
        #expect(mkdir(empty, 0o700) == 0)
        #expect(try harness.run(["restore", late, "--ledger", empty], ledger: false).status == 0)
        #expect(try records(harness, empty) == all)
        let names = try FileManager.default.contentsOfDirectory(atPath: harness.directory.path)
        #expect(names.filter { $0.hasPrefix(".") }.isEmpty)
    }

    @Test("restore refuses a ledger ahead of the backup or diverged from it, and keeps it")
    func restoreRefusals() throws {
        let harness = try CLIHarness()
        try importIncidents(harness, 10)
        let backup = harness.directory.path + "/backup"
        #expect(try harness.run(["backup", backup]).status == 0)

        // Ahead: the ledger has records the backup lacks.
        try importIncidents(harness, 2, from: 11)
        let ahead = try harness.ledgerFiles()["data.mdb"]
        let refusal = try harness.run(["restore", backup])
        #expect(refusal.status == 73)
        #expect(
            refusal.stderr
                == "incidents restore: the ledger at \(harness.ledger) is ahead of the backup: "
                + "it has 12 records, the backup 10; restoring would drop records 11 to 12\n")
        #expect(try harness.ledgerFiles()["data.mdb"] == ahead)

        // Diverged: as many records, other content.
        let other = harness.directory.path + "/other"
        try importIncidents(harness, 10, process: "q", ledger: other)
        let otherBytes = try Data(contentsOf: URL(fileURLWithPath: other + "/data.mdb"))
        let diverged = try harness.run(["restore", backup, "--ledger", other], ledger: false)
        #expect(diverged.status == 73)
        let head = try JSONSerialization.jsonObject(with: Data(try headJSON(harness, other).utf8))
        let hash = (head as? [String: Any])?["hash"] as? String ?? "?"
        #expect(
            diverged.stderr
                == "incidents restore: the ledger at \(other) has diverged from the backup: its "
                + "record 10 (hash \(hash)) is not the backup's; nothing was changed\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: other + "/data.mdb")) == otherBytes)

        // Diverged and shorter: fewer records, the last of them not the backup's.
        let short = harness.directory.path + "/short"
        try importIncidents(harness, 4, process: "q", ledger: short)
        #expect(
            try harness.run(["restore", backup, "--ledger", short], ledger: false).status == 73)
        #expect(try records(harness, short).count == 4)

        // No backup at the path given.
        let none = try harness.run(["restore", harness.directory.path + "/none"])
        #expect(none.status == 66)
        #expect(none.stderr == "incidents restore: no backup at \(harness.directory.path)/none\n")

        // A directory with other files in it is not an empty place.
        let busy = harness.directory.path + "/busy"
        #expect(mkdir(busy, 0o700) == 0)
        _ = try harness.file("busy/notes.txt", "mine\n")
        let occupied = try harness.run(["restore", backup, "--ledger", busy], ledger: false)
        #expect(occupied.status == 73)
        #expect(try String(contentsOfFile: busy + "/notes.txt", encoding: .utf8) == "mine\n")
        let names = try FileManager.default.contentsOfDirectory(atPath: harness.directory.path)
        #expect(names.filter { $0.hasPrefix(".") }.isEmpty)
    }

    @Test("restore refuses a ledger that does not verify, keeping it as evidence")
    func restoreRefusesADamagedLedger() throws {
        let harness = try CLIHarness()
        try importIncidents(harness, 10)
        let backup = harness.directory.path + "/backup"
        #expect(try harness.run(["backup", backup]).status == 0)
        let data = harness.ledger + "/data.mdb"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: data))
        let needle = Data(#""incident":"INC-3""#.utf8)
        let range = try #require(bytes.range(of: needle))
        bytes[range.lowerBound + 16] = UInt8(ascii: "8")
        try bytes.write(to: URL(fileURLWithPath: data))

        let outcome = try harness.run(["restore", backup])
        #expect(outcome.status == 73)
        #expect(
            outcome.stderr
                == "incidents restore: the ledger at \(harness.ledger) does not verify "
                + "(position 4: prev does not match the hash of record 3); it is kept as "
                + "evidence: move it aside and restore into an empty place\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: data)) == bytes)
    }

    @Test("restore refuses a linked ledger or backup, and keeps the group of what it replaces")
    func restoreLinksAndSharing() throws {
        let harness = try CLIHarness()
        try importIncidents(harness, 3)
        let backup = harness.directory.path + "/backup"
        #expect(try harness.run(["backup", backup]).status == 0)

        let link = harness.directory.path + "/linked-ledger"
        #expect(symlink(harness.directory.path + "/nowhere", link) == 0)
        let linked = try harness.run(["restore", backup, "--ledger", link], ledger: false)
        #expect(linked.status == 77)
        #expect(
            linked.stderr
                == "incidents restore: refusing \(link): it is a symbolic link, and a restore "
                + "never follows one\n")
        #expect(!FileManager.default.fileExists(atPath: harness.directory.path + "/nowhere"))

        let linkedBackup = harness.directory.path + "/linked-backup"
        #expect(symlink(backup, linkedBackup) == 0)
        let target = harness.directory.path + "/target"
        let fromLink = try harness.run(
            ["restore", linkedBackup, "--ledger", target], ledger: false)
        #expect(fromLink.status == 77)
        #expect(fromLink.stderr.contains("is a symbolic link, which a ledger never follows"))
        #expect(!FileManager.default.fileExists(atPath: target))

        // Restoring over a shared ledger keeps its group and modes.
        let group = OtherUser.sharedGroup
        #expect(try harness.run(["init", "--group", group.name]).status == 0)
        #expect(try harness.run(["restore", backup]).status == 0)
        let modes = [harness.ledger, harness.ledger + "/data.mdb", harness.ledger + "/lock.mdb"]
            .map(fileMode)
        #expect(modes.map { $0?.mode } == [0o2750, 0o640, 0o660])
        #expect(modes.allSatisfy { $0?.group == group.id })
    }
}
