import Foundation
import Glibc
import LedgerStorage
import Testing

/// Changes made behind the ledger's back, as someone with write access to its files
/// could, each caught by `verify` or `rebuild --check` naming where.
@Suite("Tampering caught by verify and rebuild --check")
struct TamperingTests {
    /// A ledger of six incidents, each detected and acknowledged (twelve records).
    static func ledgerOfSix() throws -> CLIHarness {
        let harness = try CLIHarness()
        var lines: [String] = []
        for number in 1...6 {
            lines.append(
                eventLine("INC-\(number)", "detected", "2026-03-02T09:14:00Z", data: detectedData())
            )
            lines.append(eventLine("INC-\(number)", "acknowledged", "2026-03-02T09:15:00Z"))
        }
        let imported = try harness.run([
            "import", try harness.file("h.ndjson", lines.joined(separator: "\n")),
        ])
        try #require(imported.status == 0, "\(imported.stderr)")
        try #require(try harness.run(["verify"]).status == 0)
        return harness
    }

    /// Changes the named database of the ledger through LMDB, then closes it.
    static func tamper(
        _ harness: CLIHarness, database name: String,
        _ change: (WriteTransaction, Database) throws -> Void
    ) throws {
        let environment = try Environment(path: harness.ledger)
        let database = try environment.openDatabase(name, create: false)
        try environment.write { txn in try change(txn, database) }
    }

    static func key(_ position: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: position >> (56 - 8 * UInt64($0))) }
    }

    /// `verify --json`'s status and its first bad position and reason.
    static func verify(_ harness: CLIHarness) throws -> (Int32, Int?, String?) {
        let outcome = try harness.run(["verify", "--json"])
        let object = try JSONSerialization.jsonObject(with: outcome.stdoutBytes) as? [String: Any]
        let bad = object?["firstBad"] as? [String: Any]
        return (outcome.status, bad?["position"] as? Int, bad?["reason"] as? String)
    }

    @Test("a removed record is caught by verify at its position")
    func removedRecord() throws {
        let harness = try Self.ledgerOfSix()
        try Self.tamper(harness, database: "records") { txn, records in
            let removed = try txn.delete(Self.key(5), in: records)
            #expect(removed)
        }
        let (status, position, reason) = try Self.verify(harness)
        #expect(status == 1)
        #expect(position == 5)
        #expect(reason == "record 5 is missing (next is 6)")
    }

    @Test("two records swapped are caught by verify at the first of them")
    func swappedRecords() throws {
        let harness = try Self.ledgerOfSix()
        try Self.tamper(harness, database: "records") { txn, records in
            let third = try #require(try txn.value(in: records, forKey: Self.key(3)))
            let fourth = try #require(try txn.value(in: records, forKey: Self.key(4)))
            try txn.put(fourth, forKey: Self.key(3), in: records)
            try txn.put(third, forKey: Self.key(4), in: records)
        }
        let (status, position, reason) = try Self.verify(harness)
        #expect(status == 1)
        #expect(position == 3)
        #expect(reason == "its position field is not 3")
    }

    @Test("a truncated data file is reported by verify, without a crash")
    func truncatedDataFile() throws {
        let harness = try Self.ledgerOfSix()
        let dataFile = harness.ledger + "/data.mdb"
        let size = try #require(
            try FileManager.default.attributesOfItem(atPath: dataFile)[.size] as? Int)
        #expect(truncate(dataFile, off_t(size / 2)) == 0)

        let (status, position, reason) = try Self.verify(harness)
        #expect(status == 1)
        #expect(position == 1)
        #expect(
            reason == "\(dataFile) is truncated: it is \(size / 2) bytes, but its last committed "
                + "page ends at byte \(size)")
        let show = try harness.run(["show", "INC-1"])
        #expect(show.status == 74)
        #expect(
            show.stderr.hasPrefix("incidents show: record 1 is damaged: \(dataFile) is truncated"))
    }

    @Test("a changed projection is caught by rebuild --check, naming the incident")
    func changedProjection() throws {
        let harness = try Self.ledgerOfSix()
        // INC-2's kept state replaced by INC-3's: a state the log does not give INC-2.
        try Self.tamper(harness, database: "incidents") { txn, incidents in
            let third = try #require(try txn.value(in: incidents, forKey: Array("INC-3".utf8)))
            try txn.put(third, forKey: Array("INC-2".utf8), in: incidents)
        }
        #expect(try harness.run(["verify"]).status == 0)
        let check = try harness.run(["rebuild", "--check"])
        #expect(check.status == 1)
        #expect(
            check.stdout
                == "differs: INC-2 (its last record is at position 4)\n"
                + "1 incidents differ (6 incidents from 12 records)\n")
    }
}
