import LedgerCrypto

/// Checks RFC 6962 inclusion proofs the way an auditor does (RFC 9162, section
/// 2.1.3.2), from the leaf and the proof alone.
public enum InclusionCheck {
    /// The root that an inclusion proof of leaf `index` in the tree of `size` leaves
    /// leads to, or nil when the proof cannot be one for that index and size.
    /// - Parameters:
    ///   - index: The 0-based leaf index (a record's position minus 1).
    ///   - size: The tree size.
    ///   - leaf: The leaf hash, SHA-256(0x00 || record bytes).
    ///   - proof: The sibling hashes, from the leaf up.
    ///   - hasher: Combines nodes.
    /// - Complexity: O(log n).
    public static func root(
        index: UInt64, size: UInt64, leaf: SHA256Digest, proof: [SHA256Digest],
        hasher: SHA256Hasher
    ) -> SHA256Digest? {
        guard index < size else { return nil }
        var fn = index
        var sn = size - 1
        var node = leaf
        for sibling in proof {
            guard sn > 0 else { return nil }
            if fn & 1 == 1 || fn == sn {
                node = MerkleTree<NoHashes>.nodeHash(sibling, node, hasher: hasher)
                while fn & 1 == 0, fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                node = MerkleTree<NoHashes>.nodeHash(node, sibling, hasher: hasher)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 ? node : nil
    }
}

/// A tree with no kept hashes, for naming `MerkleTree`'s hash functions.
struct NoHashes: SubtreeHashes {
    func hash(level: Int, index: UInt64) throws -> SHA256Digest { .zero }
}
