import Dispatch
import LedgerCrypto
import LedgerStorage
import Synchronization

/// Hashes a batch's records as Merkle leaves on another thread than the writer's.
///
/// The writer hands over each record's bytes as it stores it; they are copied into a
/// run, and each full run is hashed in order on a serial queue while the writer goes
/// on. A leaf depends only on its record, so nothing the writer does waits for it
/// until the batch's tree is extended at the end. The roots of the tree's blocks that
/// the batch fills whole are hashed there too, so that only the leaves of a block
/// earlier records began are kept. Hashed runs come back emptied to be filled again,
/// so that the copies land in memory already in use.
///
/// `add` and `finish` are called from the writer's thread only. The leaves, blocks and
/// hasher are used on the queue only, and read by `finish` once the queue is idle;
/// a run is touched by the writer while it fills and by the queue once handed over.
final class LeafHashing: @unchecked Sendable {
    /// Records in a run: enough that handing one over costs little, few enough that
    /// a run takes little memory (about 1.5 MB).
    private static let runLength = 4096

    private let queue = DispatchQueue(label: "incidents.leaf-hashing")
    private let hasher: SHA256Hasher
    /// The leaves of the block the batch's first record falls in, when earlier
    /// records began it, in order.
    private var headLeaves: [SHA256Digest] = []
    /// The leaf index where the blocks the batch begins start.
    private let headEnd: UInt64
    /// The leaf index of the next leaf hashed.
    private var nextLeaf: UInt64
    /// The leaves so far of the block being filled, when the batch began it.
    private var block: [SHA256Digest] = []
    /// The root of each block the batch filled whole, by block index.
    private var blockRoots: [UInt64: SHA256Digest] = [:]
    /// The run being filled.
    private var filling = Run(records: LeafHashing.runLength)
    /// Runs hashed and emptied, ready to be filled again.
    private let spare = Mutex<[Run]>([])

    /// Makes a hashing thread's state.
    /// - Parameter firstLeaf: The 0-based leaf index of the batch's first record.
    /// - Throws: `CryptoError` when libcrypto has no SHA-256.
    init(firstLeaf: UInt64) throws {
        hasher = try SHA256Hasher()
        let blockSize = KeptSubtrees<WriteTransaction>.blockSize
        let headStart = firstLeaf & ~(blockSize - 1)
        headEnd = headStart < firstLeaf ? headStart + blockSize : firstLeaf
        nextLeaf = firstLeaf
        block.reserveCapacity(Int(blockSize))
    }

    /// Takes the next record's bytes, in log order.
    /// - Complexity: O(n) in the record's size, to copy it.
    func add(_ record: UnsafeRawBufferPointer) {
        if filling.add(record) == LeafHashing.runLength { handOver() }
    }

    /// What `Ledger.extendTree` needs once all are hashed: the leaves of the block
    /// the batch's first record falls in when earlier records began it, and the root
    /// of each block the batch filled whole, by block index.
    /// - Complexity: waits for the runs handed over; O(n) for the last one.
    func finish() -> (headLeaves: [SHA256Digest], blockRoots: [UInt64: SHA256Digest]) {
        if filling.count > 0 { handOver() }
        queue.sync {}
        defer { (headLeaves, blockRoots) = ([], [:]) }
        return (headLeaves, blockRoots)
    }

    /// Hashes the current run on the queue and starts filling a spare one.
    private func handOver() {
        let full = filling
        filling = spare.withLock { $0.popLast() } ?? Run(records: LeafHashing.runLength)
        queue.async {
            for index in 0..<full.count {
                self.append(
                    MerkleTree<KeptSubtrees<WriteTransaction>>.leafHash(
                        full[index], hasher: self.hasher))
            }
            full.removeAll()
            self.spare.withLock { $0.append(full) }
        }
    }

    /// Keeps the next leaf, and hashes the root of the block it completes when the
    /// batch began that block.
    private func append(_ leaf: SHA256Digest) {
        if nextLeaf < headEnd { headLeaves.append(leaf) }
        let blockSize = KeptSubtrees<WriteTransaction>.blockSize
        let index = nextLeaf
        nextLeaf += 1
        if index & (blockSize - 1) == 0 { block.removeAll(keepingCapacity: true) }
        block.append(leaf)
        guard index & (blockSize - 1) == blockSize - 1, block.count == Int(blockSize) else {
            return
        }
        let nodes = BlockNodes(leaves: block, hasher: hasher)
        let level = KeptSubtrees<WriteTransaction>.keptLevel
        if let root = nodes.node(level: level, index: 0) {
            blockRoots[index >> UInt64(level)] = root
        }
        block.removeAll(keepingCapacity: true)
    }
}

/// Records end to end, and where each ends; filled by one thread at a time.
///
/// Raw memory rather than arrays: the writer adds a record to a run for every record
/// it stores, so an add is kept to one copy and a store.
private final class Run: @unchecked Sendable {
    private var bytes: UnsafeMutableRawPointer
    private var capacity: Int
    private var used = 0
    private let ends: UnsafeMutablePointer<Int>
    private let records: Int
    /// How many records the run holds.
    private(set) var count = 0

    /// An empty run with room for `records` records, and for about 512 bytes each
    /// before its bytes grow.
    init(records: Int) {
        self.records = records
        capacity = 512 * records
        bytes = .allocate(byteCount: capacity, alignment: 16)
        ends = .allocate(capacity: records)
    }

    deinit {
        bytes.deallocate()
        ends.deallocate()
    }

    /// Copies in the next record, when the run has room for one more.
    /// - Returns: How many records the run now holds.
    @inline(__always)
    func add(_ record: UnsafeRawBufferPointer) -> Int {
        precondition(count < records, "a full run is handed over before another add")
        if used + record.count > capacity { grow(toHold: used + record.count) }
        if let source = record.baseAddress {
            (bytes + used).copyMemory(from: source, byteCount: record.count)
        }
        used += record.count
        ends[count] = used
        count += 1
        return count
    }

    /// The bytes of record `index`.
    subscript(index: Int) -> UnsafeRawBufferPointer {
        let start = index == 0 ? 0 : ends[index - 1]
        return UnsafeRawBufferPointer(start: bytes + start, count: ends[index] - start)
    }

    /// Forgets every record, keeping the memory.
    func removeAll() {
        used = 0
        count = 0
    }

    private func grow(toHold needed: Int) {
        var larger = capacity * 2
        while larger < needed { larger *= 2 }
        let moved = UnsafeMutableRawPointer.allocate(byteCount: larger, alignment: 16)
        moved.copyMemory(from: bytes, byteCount: used)
        bytes.deallocate()
        bytes = moved
        capacity = larger
    }
}
