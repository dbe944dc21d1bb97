import LedgerCrypto
import LedgerStorage
import Testing

@testable import IncidentLedger

/// The tree the ledger keeps stores only blocks of 256 leaves and above; these tests
/// hold its roots and proofs against the whole tree built in memory from the same
/// records, across block edges and batches that start and end inside blocks.
@Suite("The kept Merkle tree across its stored blocks")
struct KeptTreeTests {
    /// A ledger of `count` records, appended in batches of the sizes given (cycled),
    /// and the leaves of every record in memory; `padding` more bytes of note text
    /// make each record larger.
    static func ledger(
        records count: Int, batches: [Int], padding: Int = 0
    ) throws -> (TestLedger, MerkleTree<MemorySubtrees>) {
        let test = try TestLedger()
        var lines = [detectedLine()]
        let pad = String(repeating: "x", count: padding)
        lines += (1..<count).map {
            eventLine("note", data: ["text": .string("note \($0)\(pad)")])
        }
        var next = 0
        var batch = 0
        while next < lines.count {
            let size = min(batches[batch % batches.count], lines.count - next)
            try test.append(Array(lines[next..<next + size]))
            next += size
            batch += 1
        }
        let stored = try (1...count).map { position in
            try #require(try test.recordText(at: UInt64(position)))
        }
        let hasher = try SHA256Hasher()
        let memory = MemorySubtrees(leaves: stored.map { Array($0.utf8) }, hasher: hasher)
        return (test, MerkleTree(hashes: memory, hasher: hasher))
    }

    @Test("roots of every size around the block edges equal the whole tree's")
    func rootsAcrossBlocks() throws {
        let (test, whole) = try Self.ledger(records: 700, batches: [1, 300, 17, 255, 2, 125])
        for size: UInt64 in [1, 2, 255, 256, 257, 300, 511, 512, 513, 640, 699, 700] {
            #expect(try test.ledger.treeHead(size: size).root == whole.root(size: size))
        }
    }

    @Test("inclusion proofs in and beyond stored blocks equal the whole tree's")
    func inclusionAcrossBlocks() throws {
        let (test, whole) = try Self.ledger(records: 600, batches: [1, 1, 254, 3, 341])
        for (position, size): (UInt64, UInt64) in [
            (1, 600), (256, 600), (257, 600), (512, 600), (513, 600), (600, 600),
            (100, 256), (256, 257), (3, 3), (300, 511),
        ] {
            #expect(
                try test.ledger.inclusionProof(position: position, size: size)
                    == whole.inclusionProof(index: position - 1, size: size))
        }
    }

    @Test("consistency proofs between sizes across blocks equal the whole tree's")
    func consistencyAcrossBlocks() throws {
        let (test, whole) = try Self.ledger(records: 600, batches: [600])
        for (old, new): (UInt64, UInt64) in [
            (1, 600), (255, 256), (256, 512), (257, 600), (300, 513), (512, 600), (599, 600),
        ] {
            #expect(
                try test.ledger.consistencyProof(oldSize: old, newSize: new)
                    == whole.consistencyProof(oldSize: old, newSize: new))
        }
    }

    @Test("only blocks of 256 leaves and the subtrees above them are stored")
    func storesOnlyBlocks() throws {
        let (test, _) = try Self.ledger(records: 1_030, batches: [1_030])
        // 1,030 leaves: 4 blocks of 256 (level 8), 2 of 512, 1 of 1,024.
        let stored = try test.ledger.environment.read { txn in
            try txn.count(test.ledger.merkle)
        }
        #expect(stored == 7)
    }

    @Test("a batch hashed in several runs off the writer keeps the whole tree's root")
    func batchOverSeveralHashingRuns() throws {
        // Leaves are hashed on another thread in runs of 4,096 records: 9,000 records
        // in two batches end runs inside a batch and leave a last, partial run.
        let (test, whole) = try Self.ledger(records: 9_000, batches: [8_999, 1])
        #expect(try test.ledger.treeHead().root == whole.root(size: 9_000))
        for size: UInt64 in [4_095, 4_096, 4_097, 8_192, 8_999] {
            #expect(try test.ledger.treeHead(size: size).root == whole.root(size: size))
        }
        #expect(try test.ledger.rebuild(check: true).treeIntact)
    }

    @Test("records far larger than a hashing run expects keep the whole tree's root")
    func largeRecordsOverflowARun() throws {
        // A run has room for about 512 bytes a record before it grows: records of
        // over 1,500 bytes make each run grow, twice, before it is handed over.
        let (test, whole) = try Self.ledger(records: 5_000, batches: [5_000], padding: 1_400)
        #expect(try test.recordText(at: 2).map(\.utf8.count) ?? 0 > 1_500)
        for size: UInt64 in [1, 4_096, 4_097, 5_000] {
            #expect(try test.ledger.treeHead(size: size).root == whole.root(size: size))
        }
    }

    @Test("a rebuild stores the same tree as the appends did")
    func rebuildKeepsTheSameTree() throws {
        let (test, whole) = try Self.ledger(records: 520, batches: [7, 250, 263])
        _ = try test.ledger.rebuild()
        #expect(try test.ledger.treeHead().root == whole.root(size: 520))
        #expect(try test.ledger.rebuild(check: true).treeIntact)
    }
}
