import LedgerCrypto
import Testing

@testable import IncidentLedger

/// Complete subtree hashes kept in memory, built leaf by leaf as the ledger would.
struct MemorySubtrees: SubtreeHashes {
    var levels: [[SHA256Digest]] = []

    init(leaves: [[UInt8]], hasher: SHA256Hasher) {
        for (index, leaf) in leaves.enumerated() {
            for (level, node) in completedSubtrees(byAppendingLeaf: UInt64(index)) {
                if levels.count <= level { levels.append([]) }
                let hash =
                    level == 0
                    ? leaf.withUnsafeBytes {
                        MerkleTree<MemorySubtrees>.leafHash($0, hasher: hasher)
                    }
                    : MerkleTree<MemorySubtrees>.nodeHash(
                        levels[level - 1][Int(2 * node)], levels[level - 1][Int(2 * node + 1)],
                        hasher: hasher)
                levels[level].append(hash)
            }
        }
    }

    func hash(level: Int, index: UInt64) throws -> SHA256Digest {
        levels[level][Int(index)]
    }
}

@Suite("RFC 6962 Merkle tree")
struct MerkleTreeTests {
    /// Seven leaves, the bytes 0 to 6; expected values computed with Python's hashlib
    /// from RFC 6962's recursive definitions.
    static func tree() throws -> MerkleTree<MemorySubtrees> {
        let hasher = try SHA256Hasher()
        let leaves = (0..<7).map { [UInt8($0)] }
        return MerkleTree(hashes: MemorySubtrees(leaves: leaves, hasher: hasher), hasher: hasher)
    }

    @Test("roots of the empty tree, one leaf and seven leaves match hand-computed vectors")
    func roots() throws {
        let tree = try Self.tree()
        #expect(
            try tree.root(size: 0).hex
                == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            try tree.root(size: 1).hex
                == "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7")
        #expect(
            try tree.root(size: 7).hex
                == "3560191803028444b232018ac047fdb561c09c23a7a6876c85e08b5e4d48e9f3")
    }

    @Test("the inclusion proof of leaf 3 in a tree of 7 matches RFC 6962 PATH")
    func inclusion() throws {
        let proof = try Self.tree().inclusionProof(index: 3, size: 7).map(\.hex)
        #expect(
            proof == [
                "fcf0a6c700dd13e274b6fba8deea8dd9b26e4eedde3495717cac8408c9c5177f",
                "a20bf9a7cc2dc8a08f5f415a71b19f6ac427bab54d24eec868b5d3103449953a",
                "89c929834ed1459b07f65b5e1a2143a8cf5d8efdf30f49ffffa328bb1d9133bb",
            ])
        #expect(try Self.tree().inclusionProof(index: 0, size: 1).isEmpty)
    }

    @Test("consistency proofs from 3 and from 4 to 7 match RFC 6962 PROOF")
    func consistency() throws {
        let tree = try Self.tree()
        #expect(
            try tree.consistencyProof(oldSize: 3, newSize: 7).map(\.hex) == [
                "fcf0a6c700dd13e274b6fba8deea8dd9b26e4eedde3495717cac8408c9c5177f",
                "583c7dfb7b3055d99465544032a571e10a134b1b6f769422bbb71fd7fa167a5d",
                "a20bf9a7cc2dc8a08f5f415a71b19f6ac427bab54d24eec868b5d3103449953a",
                "89c929834ed1459b07f65b5e1a2143a8cf5d8efdf30f49ffffa328bb1d9133bb",
            ])
        #expect(
            try tree.consistencyProof(oldSize: 4, newSize: 7).map(\.hex) == [
                "89c929834ed1459b07f65b5e1a2143a8cf5d8efdf30f49ffffa328bb1d9133bb"
            ])
        #expect(try tree.consistencyProof(oldSize: 7, newSize: 7).isEmpty)
    }

    @Test("appending a leaf completes the subtrees its index closes")
    func completedByAppend() {
        #expect(completedSubtrees(byAppendingLeaf: 0).map(\.level) == [0])
        #expect(
            completedSubtrees(byAppendingLeaf: 1).map { [$0.level, Int($0.index)] } == [
                [0, 1], [1, 0],
            ])
        #expect(completedSubtrees(byAppendingLeaf: 7).map(\.level) == [0, 1, 2, 3])
        #expect(completedSubtrees(byAppendingLeaf: 6).map(\.level) == [0])
    }
}
