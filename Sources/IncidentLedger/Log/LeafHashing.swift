import Dispatch
import LedgerCrypto
import LedgerStorage

/// Hashes a batch's records as Merkle leaves on another thread than the writer's.
///
/// The writer hands over each record's bytes as it stores it; they are copied into a
/// run, and each full run is hashed in order on a serial queue while the writer goes
/// on. A leaf depends only on its record, so nothing the writer does waits for it
/// until the batch's tree is extended at the end.
final class LeafHashing: @unchecked Sendable {
    /// Records in a run: enough that handing one over costs little, few enough that
    /// a run takes little memory (about 1.5 MB).
    private static let runLength = 4096

    private let queue = DispatchQueue(label: "incidents.leaf-hashing")
    private let hasher: SHA256Hasher
    /// The leaves hashed so far, in record order; touched only on `queue`.
    private var leaves: [SHA256Digest] = []
    /// The run being filled, on the writer's thread: the records' bytes end to end.
    private var run: [UInt8] = []
    /// Where each record of `run` ends.
    private var ends: [Int] = []

    /// Makes a hashing thread's state, with room for `expected` leaves.
    /// - Throws: `CryptoError` when libcrypto has no SHA-256.
    init(expected: Int) throws {
        hasher = try SHA256Hasher()
        leaves.reserveCapacity(expected)
        run.reserveCapacity(LeafHashing.runLength * 512)
        ends.reserveCapacity(LeafHashing.runLength)
    }

    /// Takes the next record's bytes, in log order.
    /// - Complexity: O(n) in the record's size, to copy it.
    func add(_ record: UnsafeRawBufferPointer) {
        run.append(contentsOf: record)
        ends.append(run.count)
        if ends.count == LeafHashing.runLength { handOver() }
    }

    /// Every record's leaf hash, in order, once all are hashed.
    /// - Complexity: waits for the runs handed over; O(n) for the last one.
    func finish() -> [SHA256Digest] {
        if !ends.isEmpty { handOver() }
        return queue.sync {
            defer { leaves = [] }
            return leaves
        }
    }

    /// Hashes the current run on the queue and starts a new one.
    private func handOver() {
        let (records, ends) = (run, self.ends)
        run.removeAll(keepingCapacity: false)
        run.reserveCapacity(records.count)
        self.ends.removeAll(keepingCapacity: true)
        queue.async {
            records.withUnsafeBytes { bytes in
                var start = 0
                for end in ends {
                    let record = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
                    self.leaves.append(
                        MerkleTree<KeptSubtrees<WriteTransaction>>.leafHash(
                            record, hasher: self.hasher))
                    start = end
                }
            }
        }
    }
}
