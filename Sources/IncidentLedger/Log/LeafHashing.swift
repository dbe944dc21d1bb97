import Dispatch
import LedgerCrypto
import LedgerStorage
import Synchronization

/// Hashes a batch's records as Merkle leaves on another thread than the writer's.
///
/// The writer hands over each record's bytes as it stores it; they are copied into a
/// run, and each full run is hashed in order on a serial queue while the writer goes
/// on. A leaf depends only on its record, so nothing the writer does waits for it
/// until the batch's tree is extended at the end. Hashed runs come back emptied to be
/// filled again, so that the copies land in memory already in use.
///
/// `add` and `finish` are called from the writer's thread only. The leaves and the
/// hasher are used on the queue only, and read by `finish` once the queue is idle;
/// a run is touched by the writer while it fills and by the queue once handed over.
final class LeafHashing: @unchecked Sendable {
    /// Records in a run: enough that handing one over costs little, few enough that
    /// a run takes little memory (about 1.5 MB).
    private static let runLength = 4096

    private let queue = DispatchQueue(label: "incidents.leaf-hashing")
    private let hasher: SHA256Hasher
    /// The leaves hashed so far, in record order.
    private var leaves: [SHA256Digest] = []
    /// The run being filled.
    private var filling = Run()
    /// Runs hashed and emptied, ready to be filled again.
    private let spare = Mutex<[Run]>([])

    /// Makes a hashing thread's state, with room for `expected` leaves.
    /// - Throws: `CryptoError` when libcrypto has no SHA-256.
    init(expected: Int) throws {
        hasher = try SHA256Hasher()
        leaves.reserveCapacity(expected)
    }

    /// Takes the next record's bytes, in log order.
    /// - Complexity: O(n) in the record's size, to copy it.
    func add(_ record: UnsafeRawBufferPointer) {
        filling.bytes.append(contentsOf: record)
        filling.ends.append(filling.bytes.count)
        if filling.ends.count == LeafHashing.runLength { handOver() }
    }

    /// Every record's leaf hash, in order, once all are hashed.
    /// - Complexity: waits for the runs handed over; O(n) for the last one.
    func finish() -> [SHA256Digest] {
        if !filling.ends.isEmpty { handOver() }
        queue.sync {}
        defer { leaves = [] }
        return leaves
    }

    /// Hashes the current run on the queue and starts filling a spare one.
    private func handOver() {
        let full = filling
        filling = spare.withLock { $0.popLast() } ?? Run()
        queue.async {
            full.bytes.withUnsafeBytes { bytes in
                var start = 0
                for end in full.ends {
                    let record = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
                    self.leaves.append(
                        MerkleTree<KeptSubtrees<WriteTransaction>>.leafHash(
                            record, hasher: self.hasher))
                    start = end
                }
            }
            full.bytes.removeAll(keepingCapacity: true)
            full.ends.removeAll(keepingCapacity: true)
            self.spare.withLock { $0.append(full) }
        }
    }
}

/// Records end to end, and where each ends; filled by one thread at a time.
private final class Run: @unchecked Sendable {
    var bytes: [UInt8] = []
    var ends: [Int] = []

    init() {
        bytes.reserveCapacity(512 * 4096)
        ends.reserveCapacity(4096)
    }
}
