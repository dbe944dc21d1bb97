import Foundation
import Testing

@testable import IncidentLedger

@Suite("Backup and restore in the domain")
struct BackupRestoreTests {
    @Test("a backup holds the head and tree head the ledger had, and verifies")
    func backupHoldsTheHead() throws {
        let test = try TestLedger()
        try test.append(detectedLine("INC-1"), detectedLine("INC-2"), detectedLine("INC-3"))
        let head = try test.ledger.head()
        let report = try test.ledger.backup(to: test.folder.path + "/backup")
        #expect(report.head == head)
        #expect(report.tree == (try test.ledger.treeHead()))
        let copy = try Ledger(path: test.folder.path + "/backup", access: .readOnly)
        #expect(try copy.verify().isIntact)
        #expect(try copy.head() == head)
        #expect(try copy.recordBytes(at: 2) == (try test.ledger.recordBytes(at: 2)))
    }

    @Test("a writer that opened the ledger before a restore swapped it writes nothing")
    func writerOfAReplacedLedgerIsRefused() throws {
        let test = try TestLedger()
        try test.append(detectedLine("INC-1"), detectedLine("INC-2"))
        let backup = test.folder.path + "/backup"
        _ = try test.ledger.backup(to: backup)

        let restored = try Ledger.restore(from: backup, into: test.path)
        #expect(restored.replaced == (try test.ledger.head()))
        #expect(restored.leftOver == nil)

        // `test.ledger` was opened before the swap, as a writer in another process
        // could have been: its write must fail, not land in the replaced files.
        #expect {
            try test.append(detectedLine("INC-3"))
        } throws: { error in
            guard case LedgerError.refused(let message) = error else { return false }
            return message.hasPrefix(
                "the ledger at \(test.path) was replaced by 'incidents restore'")
        }
        let now = try Ledger(path: test.path, access: .readWrite)
        #expect(try now.head().position == 2)
        _ = try now.append(.ndjson(ndjson([detectedLine("INC-3")])))
        #expect(try now.verify().records == 3)
        let names = try FileManager.default.contentsOfDirectory(atPath: test.folder.path)
        #expect(names.sorted() == ["backup", "ledger"])
    }
}
