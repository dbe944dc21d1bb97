import LedgerCrypto
import LedgerStorage

/// The head of the Merkle tree kept with the log: what an auditor or a witness signs.
public struct TreeHead: Equatable, Sendable {
    /// How many records the tree covers.
    public var size: UInt64
    /// Its RFC 6962 root hash.
    public var root: SHA256Digest
}

/// The complete subtree hashes kept in the ledger, read in one transaction.
struct KeptSubtrees<Transaction: ReadableTransaction>: SubtreeHashes {
    let txn: Transaction
    let database: Database

    static func key(level: Int, index: UInt64) -> [UInt8] {
        [UInt8(level)] + bigEndianBytes(index)
    }

    func hash(level: Int, index: UInt64) throws -> SHA256Digest {
        let key = KeptSubtrees.key(level: level, index: index)
        let found = try key.withUnsafeBytes { key in
            try txn.withValue(in: database, forKey: key) { $0.flatMap(SHA256Digest.init(raw:)) }
        }
        guard let digest = found else {
            throw LedgerError.corrupt(
                position: index << UInt64(level) + 1,
                reason: "the Merkle tree lacks its level-\(level) node \(index); "
                    + "run 'incidents rebuild'")
        }
        return digest
    }
}

extension Ledger {
    /// Adds leaves to the kept tree: each leaf's hash, and every subtree it completes.
    /// - Parameters:
    ///   - leaves: The new records' leaf hashes, in position order.
    ///   - first: The 0-based leaf index of the first (its position minus 1).
    ///   - txn: The append's write transaction.
    /// - Complexity: O(1) amortised puts and hashes per leaf.
    func extendTree(
        with leaves: [SHA256Digest], from first: UInt64, in txn: WriteTransaction
    ) throws {
        // The last left child (even index) completed at each level: the sibling the
        // next right child at that level combines with, so most reads come from here.
        var pending: [(index: UInt64, hash: SHA256Digest)?] = Array(repeating: nil, count: 64)
        let kept = KeptSubtrees(txn: txn, database: merkle)
        for (offset, leaf) in leaves.enumerated() {
            let index = first + UInt64(offset)
            var node = leaf
            for (level, position) in completedSubtrees(byAppendingLeaf: index) {
                if level > 0 {
                    let leftIndex = 2 * position
                    let left =
                        try pending[level - 1].flatMap { $0.index == leftIndex ? $0.hash : nil }
                        ?? kept.hash(level: level - 1, index: leftIndex)
                    node = MerkleTree<KeptSubtrees<WriteTransaction>>.nodeHash(
                        left, node, hasher: hasher)
                }
                try txn.put(
                    node.bytes,
                    forKey: KeptSubtrees<WriteTransaction>.key(level: level, index: position),
                    in: merkle)
                if position & 1 == 0 { pending[level] = (position, node) }
            }
        }
    }

    /// The tree head of the first `size` records (all when nil).
    /// - Complexity: O(log n) reads.
    public func treeHead(size: UInt64? = nil) throws(LedgerError) -> TreeHead {
        do {
            return try environment.read { txn in
                let count = UInt64(try txn.count(records))
                let covered = min(size ?? count, count)
                let tree = MerkleTree(
                    hashes: KeptSubtrees(txn: txn, database: merkle), hasher: hasher)
                return TreeHead(size: covered, root: try tree.root(size: covered))
            }
        } catch {
            throw Ledger.wrap(error)
        }
    }

    /// The inclusion proof of the record at `position` in the tree of `size` records.
    /// - Complexity: O(log² n) reads.
    public func inclusionProof(
        position: UInt64, size: UInt64
    ) throws(LedgerError) -> [SHA256Digest] {
        do {
            return try environment.read { txn in
                let tree = MerkleTree(
                    hashes: KeptSubtrees(txn: txn, database: merkle), hasher: hasher)
                return try tree.inclusionProof(index: position - 1, size: size)
            }
        } catch {
            throw Ledger.wrap(error)
        }
    }

    /// The consistency proof that the tree of `newSize` records extends that of `oldSize`.
    /// - Complexity: O(log² n) reads.
    public func consistencyProof(
        oldSize: UInt64, newSize: UInt64
    ) throws(LedgerError) -> [SHA256Digest] {
        do {
            return try environment.read { txn in
                let tree = MerkleTree(
                    hashes: KeptSubtrees(txn: txn, database: merkle), hasher: hasher)
                return try tree.consistencyProof(oldSize: oldSize, newSize: newSize)
            }
        } catch {
            throw Ledger.wrap(error)
        }
    }
}
