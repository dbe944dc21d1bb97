import Foundation
import Testing

@testable import IncidentLedger

@Suite("Projections of an older layout, met by a reading command")
struct ProjectionUpgradeTests {
    /// Marks the kept projections as written by an older program.
    static func markOlderLayout(_ path: String) throws {
        let ledger = try Ledger(path: path, access: .readWrite)
        try ledger.environment.write { txn in
            try txn.put(Array("0".utf8), forKey: Ledger.projectionVersionKey, in: ledger.meta)
        }
    }

    static func keptVersion(_ path: String) throws -> [UInt8]? {
        let ledger = try Ledger(path: path, access: .readOnly)
        return try ledger.environment.read { txn in
            try txn.value(in: ledger.meta, forKey: Ledger.projectionVersionKey)
        }
    }

    @Test("a user who may write gets the answer: the reading command rebuilds them first")
    func readingCommandRebuildsForAWriter() throws {
        let harness = try ProjectionCommandTests.sampleLedger(events: 600)
        let expected = try harness.run(["list", "--json"])
        try #require(expected.status == 0, "\(expected.stderr)")
        try Self.markOlderLayout(harness.ledger)
        #expect(throws: LedgerError.self) { try Self.keptVersion(harness.ledger) }

        let answer = try harness.run(["list", "--json"])

        #expect(answer.status == 0, "\(answer.stderr)")
        #expect(answer.stdout == expected.stdout)
        #expect(try Self.keptVersion(harness.ledger) == Ledger.projectionVersion)
        #expect(try harness.run(["rebuild", "--check"]).status == 0)
    }

    @Test("a user who may only read is told to have them rebuilt, and nothing changes")
    func readerIsToldToRebuild() throws {
        let harness = try ProjectionCommandTests.sampleLedger(events: 200)
        try OtherUser.makeReadOnly(harness)
        try Self.markOlderLayout(harness.ledger)
        let data = harness.directory.appendingPathComponent("ledger/data.mdb")
        let before = try Data(contentsOf: data)

        let answer = try OtherUser.reader(harness, ["list", "--json"])

        #expect(answer.status == 74)
        #expect(answer.stderr.contains("are of another layout; run 'incidents rebuild'"))
        #expect(try Data(contentsOf: data) == before)
    }
}
