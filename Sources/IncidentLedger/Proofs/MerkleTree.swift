import LedgerCrypto

/// Where a Merkle tree's hashes come from: the hash of every complete, aligned
/// subtree (2^level leaves starting at a multiple of 2^level), as kept with the log.
public protocol SubtreeHashes {
    /// The hash of the leaves `index × 2^level ..< (index + 1) × 2^level`.
    /// - Throws: When the hash cannot be read.
    func hash(level: Int, index: UInt64) throws -> SHA256Digest
}

/// The Merkle tree of RFC 6962 (Certificate Transparency) over the records: leaf hash
/// SHA-256(0x00 || record bytes), node hash SHA-256(0x01 || left || right), and the
/// tree of n leaves split at the largest power of two below n.
///
/// Every hash needed is the hash of a complete aligned subtree or is combined from
/// them, so a tree kept as its complete subtrees answers roots and proofs of any
/// earlier size in O(log² n) reads.
public struct MerkleTree<Hashes: SubtreeHashes> {
    /// The kept subtree hashes.
    public let hashes: Hashes
    private let hasher: SHA256Hasher

    /// A tree over `hashes`, combining nodes with `hasher`.
    public init(hashes: Hashes, hasher: SHA256Hasher) {
        self.hashes = hashes
        self.hasher = hasher
    }

    /// The leaf hash of a record: SHA-256(0x00 || bytes).
    public static func leafHash(
        _ bytes: UnsafeRawBufferPointer, hasher: SHA256Hasher
    ) -> SHA256Digest {
        hasher.digest(prefix: 0, bytes)
    }

    /// An interior node's hash: SHA-256(0x01 || left || right).
    public static func nodeHash(
        _ left: SHA256Digest, _ right: SHA256Digest, hasher: SHA256Hasher
    ) -> SHA256Digest {
        withUnsafeBytes(of: UInt8(1)) { prefix in
            left.withUnsafeBytes { l in right.withUnsafeBytes { r in hasher.digest(prefix, l, r) } }
        }
    }

    /// The root of the tree of the first `size` leaves (the hash of nothing when 0).
    /// - Complexity: O(log n) reads.
    public func root(size: UInt64) throws -> SHA256Digest {
        guard size > 0 else { return hasher.digest([]) }
        return try hash(from: 0, count: size)
    }

    /// The inclusion proof of leaf `index` in the tree of `size` leaves (RFC 6962
    /// PATH): the sibling hashes from the leaf up.
    /// - Precondition: `index < size`.
    /// - Complexity: O(log² n) reads.
    public func inclusionProof(index: UInt64, size: UInt64) throws -> [SHA256Digest] {
        var proof: [SHA256Digest] = []
        try path(index, from: 0, count: size, into: &proof)
        return proof
    }

    /// The consistency proof that the tree of `newSize` leaves extends the tree of
    /// `oldSize` leaves (RFC 6962 PROOF).
    /// - Precondition: `0 < oldSize <= newSize`.
    /// - Complexity: O(log² n) reads.
    public func consistencyProof(oldSize: UInt64, newSize: UInt64) throws -> [SHA256Digest] {
        var proof: [SHA256Digest] = []
        try subproof(oldSize, from: 0, count: newSize, complete: true, into: &proof)
        return proof
    }

    /// MTH of `count` leaves from `start`: a kept hash when the range is a complete
    /// aligned subtree, else combined from its two halves.
    private func hash(from start: UInt64, count: UInt64) throws -> SHA256Digest {
        if count & (count - 1) == 0, start % count == 0 {
            return try hashes.hash(level: count.trailingZeroBitCount, index: start / count)
        }
        let split = largestPowerOfTwo(below: count)
        return MerkleTree.nodeHash(
            try hash(from: start, count: split),
            try hash(from: start + split, count: count - split),
            hasher: hasher)
    }

    private func path(
        _ index: UInt64, from start: UInt64, count: UInt64, into proof: inout [SHA256Digest]
    ) throws {
        guard count > 1 else { return }
        let split = largestPowerOfTwo(below: count)
        if index < split {
            try path(index, from: start, count: split, into: &proof)
            proof.append(try hash(from: start + split, count: count - split))
        } else {
            try path(index - split, from: start + split, count: count - split, into: &proof)
            proof.append(try hash(from: start, count: split))
        }
    }

    private func subproof(
        _ old: UInt64, from start: UInt64, count: UInt64, complete: Bool,
        into proof: inout [SHA256Digest]
    ) throws {
        if old == count {
            if !complete { proof.append(try hash(from: start, count: count)) }
            return
        }
        let split = largestPowerOfTwo(below: count)
        if old <= split {
            try subproof(old, from: start, count: split, complete: complete, into: &proof)
            proof.append(try hash(from: start + split, count: count - split))
        } else {
            try subproof(
                old - split, from: start + split, count: count - split, complete: false,
                into: &proof)
            proof.append(try hash(from: start, count: split))
        }
    }
}

/// The largest power of two strictly below `n` (n ≥ 2).
func largestPowerOfTwo(below n: UInt64) -> UInt64 {
    var power: UInt64 = 1
    while power << 1 < n { power <<= 1 }
    return power
}

/// The complete subtrees that appending leaf `index` completes, lowest first: the
/// leaf itself at level 0, then each parent whose right child it finishes.
/// - Complexity: O(log n).
public func completedSubtrees(
    byAppendingLeaf index: UInt64
) -> [(level: Int, index: UInt64)] {
    var completed = [(level: 0, index: index)]
    var level = 0
    var position = index
    while position & 1 == 1 {
        position >>= 1
        level += 1
        completed.append((level, position))
    }
    return completed
}
