import LedgerCrypto
import LedgerStorage

/// The head of the Merkle tree kept with the log: what an auditor or a witness signs.
public struct TreeHead: Equatable, Sendable {
    /// How many records the tree covers.
    public var size: UInt64
    /// Its RFC 6962 root hash.
    public var root: SHA256Digest
}

/// The complete subtree hashes of the tree kept in the ledger, read in one transaction.
///
/// Only subtrees of height `keptLevel` and above are stored: a block of
/// 2^`keptLevel` leaves is stored as its root alone, and a lower node is recomputed
/// from the records it covers. That keeps about one node in 256 of the whole tree
/// (about 8,000 nodes for 1,000,000 records instead of 2,000,000) for at
/// most 256 leaf hashes when a proof or a root needs a lower node. The last blocks
/// recomputed are remembered, so an export proving every record in order computes
/// each block once.
struct KeptSubtrees<Transaction: ReadableTransaction>: SubtreeHashes {
    /// The height of the lowest stored subtrees.
    static var keptLevel: Int { 8 }
    /// The leaves a stored block covers.
    static var blockSize: UInt64 { 1 << UInt64(keptLevel) }

    let txn: Transaction
    let database: Database
    let records: Database
    let hasher: SHA256Hasher
    private let blocks = RecomputedBlocks()

    init(txn: Transaction, database: Database, records: Database, hasher: SHA256Hasher) {
        self.txn = txn
        self.database = database
        self.records = records
        self.hasher = hasher
    }

    static func key(level: Int, index: UInt64) -> [UInt8] {
        [UInt8(level)] + bigEndianBytes(index)
    }

    func hash(level: Int, index: UInt64) throws -> SHA256Digest {
        guard level >= KeptSubtrees.keptLevel else {
            return try recomputed(level: level, index: index)
        }
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

    /// A node below the stored levels, from the leaf hashes of its block's records.
    private func recomputed(level: Int, index: UInt64) throws -> SHA256Digest {
        let firstLeaf = index << UInt64(level)
        let block = firstLeaf >> UInt64(KeptSubtrees.keptLevel)
        let nodes = try blocks.nodes(of: block) {
            BlockNodes(leaves: try leafHashes(of: block), hasher: hasher)
        }
        let indexInBlock = index - (block << UInt64(KeptSubtrees.keptLevel - level))
        guard let node = nodes.node(level: level, index: indexInBlock) else {
            throw LedgerError.corrupt(
                position: firstLeaf + 1,
                reason: "the records of the Merkle tree's level-\(level) node \(index) "
                    + "are missing")
        }
        return node
    }

    /// The leaf hashes of the records a block covers, as many as there are.
    /// - Complexity: O(2^keptLevel) record reads and hashes.
    func leafHashes(of block: UInt64) throws -> [SHA256Digest] {
        let first = block << UInt64(KeptSubtrees.keptLevel)
        return try leafHashes(from: first, to: first + KeptSubtrees.blockSize)
    }

    /// The leaf hashes of the records with leaf indexes in `start..<end` that exist.
    func leafHashes(from start: UInt64, to end: UInt64) throws -> [SHA256Digest] {
        var leaves: [SHA256Digest] = []
        leaves.reserveCapacity(Int(end - start))
        try txn.withCursor(records) { cursor in
            var entry = try cursor.seek(atLeast: bigEndianBytes(start + 1))
            while let current = entry, let position = bigEndianValue(current.key),
                position <= end
            {
                guard position == start + UInt64(leaves.count) + 1 else {
                    throw LedgerError.corrupt(
                        position: start + UInt64(leaves.count) + 1,
                        reason: "a record the Merkle tree covers is missing")
                }
                leaves.append(MerkleTree<KeptSubtrees>.leafHash(current.value, hasher: hasher))
                entry = try cursor.next()
            }
        }
        return leaves
    }
}

/// The complete nodes of one block of leaves, level by level: level 0 the leaves,
/// each level above the hashes of the pairs below that are both present.
struct BlockNodes {
    private var levels: [[SHA256Digest]]

    init(leaves: [SHA256Digest], hasher: SHA256Hasher) {
        levels = [leaves]
        while let below = levels.last, below.count > 1 {
            levels.append(BlockNodes.pairHashes(of: below, hasher: hasher))
        }
    }

    /// The level above `nodes`: the hash of each pair, an odd last node left out.
    /// - Complexity: O(n) hashes.
    static func pairHashes(of nodes: [SHA256Digest], hasher: SHA256Hasher) -> [SHA256Digest] {
        var above: [SHA256Digest] = []
        above.reserveCapacity(nodes.count / 2)
        for pair in stride(from: 0, to: nodes.count - 1, by: 2) {
            above.append(
                MerkleTree<KeptSubtrees<ReadTransaction>>.nodeHash(
                    nodes[pair], nodes[pair + 1], hasher: hasher))
        }
        return above
    }

    /// The node at `level` with `index` counted within the block, when complete.
    func node(level: Int, index: UInt64) -> SHA256Digest? {
        guard level < levels.count, index < UInt64(levels[level].count) else { return nil }
        return levels[level][Int(index)]
    }
}

/// The last left child completed at each stored level, while a run of blocks is
/// stored: the sibling the next right child at that level combines with, so that
/// most of them are not read back.
private struct PendingSiblings {
    var nodes: [(index: UInt64, hash: SHA256Digest)?] = Array(repeating: nil, count: 64)
}

/// The few blocks most recently recomputed, shared by the copies of one
/// `KeptSubtrees` (a proof asks for nodes of its own block and of the right edge).
private final class RecomputedBlocks {
    private var kept: [(block: UInt64, nodes: BlockNodes)] = []

    func nodes(of block: UInt64, compute: () throws -> BlockNodes) rethrows -> BlockNodes {
        if let found = kept.firstIndex(where: { $0.block == block }) {
            return kept[found].nodes
        }
        let nodes = try compute()
        if kept.count == 4 { kept.removeFirst() }
        kept.append((block, nodes))
        return nodes
    }
}

extension Ledger {
    /// The kept tree as one transaction reads it.
    func keptTree<Transaction: ReadableTransaction>(
        in txn: Transaction
    ) -> MerkleTree<KeptSubtrees<Transaction>> {
        MerkleTree(hashes: keptSubtrees(in: txn), hasher: hasher)
    }

    func keptSubtrees<Transaction: ReadableTransaction>(
        in txn: Transaction
    ) -> KeptSubtrees<Transaction> {
        KeptSubtrees(txn: txn, database: merkle, records: records, hasher: hasher)
    }

    /// Adds leaves to the kept tree: every stored subtree they complete.
    ///
    /// A block's root is stored once its last leaf is appended. The block the first
    /// new leaf falls in, when earlier records began it, is hashed here from their leaf
    /// hashes (read back) and the new ones; every later block the new leaves fill whole
    /// comes hashed already. Each subtree above completes as in RFC 6962.
    /// - Parameters:
    ///   - count: How many leaves are added.
    ///   - first: The 0-based leaf index of the first (its position minus 1).
    ///   - headLeaves: The new leaves of the block `first` falls in, when that block
    ///     began before `first`: its leaf hashes up to the block's end (or the last
    ///     new leaf); empty otherwise.
    ///   - blockRoots: The root of every block the new leaves fill whole, by block
    ///     index.
    ///   - txn: The append's write transaction.
    /// - Throws: `LedgerError.corrupt` when a block the new leaves fill has no root.
    /// - Complexity: O(1) amortised puts and hashes per block, plus at most
    ///   2^keptLevel record reads and hashes for the block the first leaf is in.
    func extendTree(
        count: Int, from first: UInt64, headLeaves: [SHA256Digest],
        blockRoots: [UInt64: SHA256Digest], in txn: WriteTransaction
    ) throws {
        guard count > 0 else { return }
        let keptLevel = UInt64(KeptSubtrees<WriteTransaction>.keptLevel)
        let blockSize = KeptSubtrees<WriteTransaction>.blockSize
        let end = first + UInt64(count)
        var pending = PendingSiblings()

        // The block the first new leaf falls in, when earlier records began it.
        var nextBlockStart = first
        let headStart = first & ~(blockSize - 1)
        if headStart < first {
            nextBlockStart = headStart + blockSize
            if end >= nextBlockStart {
                var block = try keptSubtrees(in: txn).leafHashes(from: headStart, to: first)
                block += headLeaves
                guard block.count == Int(blockSize),
                    let root = BlockNodes(leaves: block, hasher: hasher)
                        .node(level: Int(keptLevel), index: 0)
                else {
                    throw LedgerError.corrupt(position: nextBlockStart, reason: "a block is short")
                }
                try storeBlock(root, index: headStart >> keptLevel, pending: &pending, in: txn)
            }
        }

        // Every later block the new leaves fill whole, in order.
        while nextBlockStart + blockSize <= end {
            let index = nextBlockStart >> keptLevel
            guard let root = blockRoots[index] else {
                throw LedgerError.corrupt(
                    position: nextBlockStart + blockSize, reason: "a block's root is missing")
            }
            try storeBlock(root, index: index, pending: &pending, in: txn)
            nextBlockStart += blockSize
        }
    }

    /// Every node the kept tree stores over complete blocks whose roots are given,
    /// lowest level first, each level in index order: what a rebuild compares with
    /// the kept tree, and writes when they differ.
    /// - Parameter blockRoots: The root of each complete block of 2^keptLevel leaves.
    /// - Returns: Each stored node's level, index and hash.
    /// - Complexity: O(k) hashes for k blocks.
    func keptTreeNodes(
        blockRoots: [SHA256Digest]
    ) -> [(level: Int, index: UInt64, hash: SHA256Digest)] {
        var nodes: [(level: Int, index: UInt64, hash: SHA256Digest)] = []
        nodes.reserveCapacity(2 * blockRoots.count)
        var level = KeptSubtrees<ReadTransaction>.keptLevel
        var current = blockRoots
        while !current.isEmpty {
            for (index, hash) in current.enumerated() {
                nodes.append((level, UInt64(index), hash))
            }
            current = BlockNodes.pairHashes(of: current, hasher: hasher)
            level += 1
        }
        return nodes
    }

    /// Stores a block's root and every subtree above it that the block completes.
    private func storeBlock(
        _ root: SHA256Digest, index: UInt64, pending: inout PendingSiblings,
        in txn: WriteTransaction
    ) throws {
        let kept = keptSubtrees(in: txn)
        var node = root
        var position = index
        var level = KeptSubtrees<WriteTransaction>.keptLevel
        while true {
            try txn.put(
                node.bytes,
                forKey: KeptSubtrees<WriteTransaction>.key(level: level, index: position),
                in: merkle)
            guard position & 1 == 1 else {
                pending.nodes[level] = (position, node)
                return
            }
            let leftIndex = position - 1
            let left =
                try pending.nodes[level].flatMap { $0.index == leftIndex ? $0.hash : nil }
                ?? kept.hash(level: level, index: leftIndex)
            node = MerkleTree<KeptSubtrees<WriteTransaction>>.nodeHash(left, node, hasher: hasher)
            position >>= 1
            level += 1
        }
    }

    /// The tree head of the first `size` records (all when nil).
    /// - Complexity: O(log n) reads.
    public func treeHead(size: UInt64? = nil) throws(LedgerError) -> TreeHead {
        do {
            return try environment.read { txn in
                let count = UInt64(try txn.count(records))
                let covered = min(size ?? count, count)
                let tree = keptTree(in: txn)
                return TreeHead(size: covered, root: try tree.root(size: covered))
            }
        } catch {
            throw Ledger.wrap(error)
        }
    }

    /// The inclusion proof of the record at `position` in the tree of `size` records.
    /// - Complexity: O(log² n) reads, and at most two blocks' records hashed.
    public func inclusionProof(
        position: UInt64, size: UInt64
    ) throws(LedgerError) -> [SHA256Digest] {
        do {
            return try environment.read { txn in
                let tree = keptTree(in: txn)
                return try tree.inclusionProof(index: position - 1, size: size)
            }
        } catch {
            throw Ledger.wrap(error)
        }
    }

    /// The consistency proof that the tree of `newSize` records extends that of `oldSize`.
    /// - Complexity: O(log² n) reads, and at most two blocks' records hashed.
    public func consistencyProof(
        oldSize: UInt64, newSize: UInt64
    ) throws(LedgerError) -> [SHA256Digest] {
        do {
            return try environment.read { txn in
                let tree = keptTree(in: txn)
                return try tree.consistencyProof(oldSize: oldSize, newSize: newSize)
            }
        } catch {
            throw Ledger.wrap(error)
        }
    }
}
