import Foundation
import Glibc
import Testing

/// The map grows by itself; a ledger that cannot grow refuses the write whole.
@Suite("Growing past the map, and full disks")
struct GrowthTests {
    static let mebibyte = 1 << 20

    /// `count` events: detected and acknowledged incidents `prefix-n`.
    static func history(_ prefix: String, events count: Int) -> String {
        (0..<count / 2).flatMap { number in
            [
                eventLine(
                    "\(prefix)-\(number)", "detected", "2026-03-02T09:14:00Z",
                    data: detectedData()),
                eventLine("\(prefix)-\(number)", "acknowledged", "2026-03-02T09:15:00Z"),
            ]
        }.joined(separator: "\n")
    }

    static func fileSize(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    }

    @Test("an import started with a 1 MiB map grows it and commits 6,000 events")
    func importGrowsTheMap() throws {
        let harness = try CLIHarness()
        let file = try harness.file("big.ndjson", Self.history("BIG", events: 6000))
        let small = ["INCIDENTS_MAP_SIZE": "\(Self.mebibyte)"]
        let imported = try harness.run(["import", file], environment: small)
        #expect(imported.status == 0, "\(imported.stderr)")
        // LMDB's data file never extends past its map, so a larger file shows it grew.
        #expect(try Self.fileSize(harness.ledger + "/data.mdb") > 2 * Self.mebibyte)
        let verify = try harness.run(["verify", "--json"], environment: small)
        #expect(verify.stdout.contains(#""ok":true,"records":6000"#))
    }

    @Test("a ledger whose map may not grow refuses the import, byte for byte unchanged")
    func mapThatCannotGrow() throws {
        let harness = try CLIHarness()
        let first = try harness.file("small.ndjson", Self.history("S", events: 100))
        #expect(try harness.run(["import", first]).status == 0)
        let before = try harness.ledgerFiles()["data.mdb"]
        let log = try harness.run(["log", "--json"]).stdoutBytes

        let capped = [
            "INCIDENTS_MAP_SIZE": "\(Self.mebibyte)",
            "INCIDENTS_MAX_MAP_SIZE": "\(2 * Self.mebibyte)",
        ]
        let big = try harness.file("big.ndjson", Self.history("BIG", events: 6000))
        let refused = try harness.run(["import", big], environment: capped)
        #expect(refused.status == 74)
        #expect(
            refused.stderr
                == "incidents import: no space left for the ledger (grow the map past its "
                + "largest size (2097152 bytes): MDB_MAP_FULL: Environment mapsize limit "
                + "reached); nothing was written\n")
        #expect(try harness.ledgerFiles()["data.mdb"] == before)
        #expect(try harness.run(["log", "--json"]).stdoutBytes == log)
        #expect(try harness.run(["verify", "--json"]).stdout.contains(#""ok":true,"records":100"#))
        #expect(try harness.run(["show", "S-7"], environment: capped).status == 0)

        // What fits is still written.
        let more = try harness.file("more.ndjson", Self.history("M", events: 10))
        #expect(try harness.run(["import", more], environment: capped).status == 0)
        #expect(try harness.run(["verify", "--json"]).stdout.contains(#""ok":true,"records":110"#))
    }

    /// Mounts a 1 MiB tmpfs on a new folder of the harness's and returns its path.
    static func mountSmallDisk(in harness: CLIHarness) throws -> String {
        let disk = harness.directory.appendingPathComponent("disk").path
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        let mount = try CLIHarness.launch(
            URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", "size=1m", "tmpfs", disk])
        try #require(mount.status == 0, "\(mount.stderr)")
        return disk
    }

    static func unmount(_ disk: String) {
        _ = try? CLIHarness.launch(URL(fileURLWithPath: "/bin/umount"), [disk])
    }

    @Test(
        "on a full disk the import fails with one line and the ledger stays as it was",
        .enabled(if: geteuid() == 0, "mounting a small tmpfs needs root"))
    func fullDisk() throws {
        let harness = try CLIHarness()
        let disk = try Self.mountSmallDisk(in: harness)
        defer { Self.unmount(disk) }
        let ledger = disk + "/ledger"
        func run(_ arguments: [String]) throws -> CLIHarness.Outcome {
            try CLIHarness.launch(CLIHarness.executable, arguments + ["--ledger", ledger])
        }

        let first = try harness.file("small.ndjson", Self.history("S", events: 100))
        #expect(try run(["import", first]).status == 0)
        let head = try run(["head", "--json"]).stdout
        let log = try run(["log", "--json"]).stdoutBytes

        let big = try harness.file("big.ndjson", Self.history("BIG", events: 6000))
        let refused = try run(["import", big])
        #expect(refused.status == 74)
        #expect(
            refused.stderr
                == "incidents import: no space left for the ledger (commit: No space left on "
                + "device); nothing was written\n")
        #expect(try run(["head", "--json"]).stdout == head)
        #expect(try run(["log", "--json"]).stdoutBytes == log)
        #expect(try run(["verify", "--json"]).stdout.contains(#""ok":true,"records":100"#))
        #expect(try run(["rebuild", "--check"]).status == 0)

        // The pages the failed commit wrote are reused: a smaller write still fits.
        let more = try harness.file("more.ndjson", Self.history("M", events: 20))
        #expect(try run(["import", more]).status == 0)
        #expect(try run(["verify", "--json"]).stdout.contains(#""ok":true,"records":120"#))
    }
    @Test(
        "an export to a full disk fails with one line, leaves no file and records nothing",
        .enabled(if: geteuid() == 0, "mounting a small tmpfs needs root"))
    func exportToFullDisk() throws {
        let harness = try CLIHarness()
        let history = try harness.file("history.ndjson", Self.history("E", events: 4000))
        #expect(try harness.run(["import", history]).status == 0)
        let head = try harness.run(["head", "--json"]).stdout

        let disk = try Self.mountSmallDisk(in: harness)
        defer { Self.unmount(disk) }

        // The records alone are larger than the disk: the export fails while it streams.
        let output = disk + "/audit.ndjson"
        let refused = try harness.run(["export", "--format", "ndjson", "-o", output])
        #expect(refused.status == 74)
        // The proofs file, written beside it, may be the one that fills the disk first.
        #expect(refused.stderr.hasPrefix("incidents export: \(output)"), "\(refused.stderr)")
        #expect(refused.stderr.hasSuffix(": No space left on device\n"))
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk).isEmpty)
        #expect(try harness.run(["head", "--json"]).stdout == head)
    }
}
