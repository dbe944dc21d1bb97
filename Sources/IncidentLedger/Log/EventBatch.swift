import Dispatch
import Glibc
import Synchronization

/// Events to append, read one at a time by index so that a large input never has
/// to exist as events all at once.
public struct EventBatch: Sendable {
    /// How many inputs the batch holds (blank lines excluded).
    public let count: Int
    private let item: @Sendable (Int) -> (line: Int, event: Result<Event, EventError>)

    /// A batch over any indexed source.
    /// - Parameters:
    ///   - count: The number of inputs.
    ///   - item: The input line number and the decoded event (or why it was refused)
    ///     of input `index`; it may be called more than once for the same index.
    public init(
        count: Int, item: @escaping @Sendable (Int) -> (line: Int, event: Result<Event, EventError>)
    ) {
        self.count = count
        self.item = item
    }

    /// A batch of events already made, numbered from line 1.
    public init(events: [Event]) {
        self.init(count: events.count) { index in (index + 1, .success(events[index])) }
    }

    /// The line number and event of input `index`.
    public subscript(index: Int) -> (line: Int, event: Result<Event, EventError>) {
        item(index)
    }

    /// How many inputs are decoded together: enough to keep every core busy, few enough
    /// that the decoded events take little memory.
    static let chunkSize = 4096

    /// The inputs' indices in chunks of `chunkSize`, in order.
    var chunks: [Range<Int>] {
        stride(from: 0, to: count, by: EventBatch.chunkSize).map { start in
            start..<min(start + EventBatch.chunkSize, count)
        }
    }

    /// Decodes the inputs in `range`, spread over the machine's cores, and writes each
    /// event's canonical content on the core that decoded it.
    /// - Parameter range: Indices of inputs.
    /// - Returns: Their line numbers and events (or why each was refused), in order,
    ///   with the events' contents.
    /// - Complexity: O(n) for n inputs, shared among the cores.
    func decode(_ range: Range<Int>) -> DecodedChunk {
        let decoding = ChunkDecoding(self, range)
        DispatchQueue.concurrentPerform(iterations: EventBatch.cores) { _ in decoding.help() }
        return decoding.take()
    }

    /// Gives `body` each chunk's decoded inputs in order, on this thread, while the
    /// next chunk is decoded on the other cores: a writer checks and writes one chunk
    /// while the next is read, rather than the two waiting on each other, and helps
    /// decode the next one when done before it.
    /// - Parameter body: Called once per chunk, with its indices and its inputs'
    ///   line numbers, events (or why each was refused) and contents.
    /// - Throws: What `body` throws, once the chunk being decoded ahead is done.
    /// - Complexity: O(n) for n inputs; at most two chunks are held at once.
    func forEachDecodedChunk(_ body: (Range<Int>, DecodedChunk) throws -> Void) rethrows {
        let chunks = self.chunks
        guard let first = chunks.first else { return }
        guard EventBatch.cores > 1 else {
            for chunk in chunks { try body(chunk, decode(chunk)) }
            return
        }
        var current = decode(first)
        // The chunk the writer finished last, let go on a decoding thread: freeing its
        // events is work the writer need not wait for.
        let finished = FinishedChunk()
        for (index, chunk) in chunks.enumerated() {
            let group = DispatchGroup()
            var ahead: ChunkDecoding?
            if index + 1 < chunks.count {
                let decoding = ChunkDecoding(self, chunks[index + 1])
                ahead = decoding
                for helper in 1..<EventBatch.cores {
                    DispatchQueue.global().async(group: group) {
                        if helper == 1 { finished.chunk = DecodedChunk() }
                        decoding.help()
                    }
                }
            }
            // Waited for however `body` ends, so that no decoding outlives the call.
            defer { group.wait() }
            try body(chunk, current)
            ahead?.help()
            group.wait()
            finished.chunk = current
            current = ahead?.take() ?? DecodedChunk()
        }
    }

    /// The processors available, at least 1.
    private static let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// A batch over NDJSON text: one event per line, blank lines skipped, a `\r`
    /// before the newline ignored.
    /// - Parameter text: The whole input.
    /// - Returns: The batch; lines are decoded when the ledger reads them.
    /// - Complexity: O(n) to find the lines; decoding happens later.
    public static func ndjson(_ text: [UInt8]) -> EventBatch {
        let lines = NDJSONLines(text)
        return EventBatch(count: lines.count) { index in
            let line = lines[index]
            let event = Result { () throws(EventError) in
                try EventDecoder.decodeEvent(text[line.range])
            }
            return (line.number, event.mapError { $0.at(line: line.number) })
        }
    }
}

/// One input, decoded: its line number and its event, or why it was refused.
typealias DecodedInput = (line: Int, event: Result<Event, EventError>)

/// A chunk's inputs, decoded, with each event's canonical content as
/// `RecordEncoder.encodeContent` writes it: a record is that content with the
/// ledger's fields put in before its `type`.
struct DecodedChunk: Sendable {
    /// Each input, in order.
    var inputs: [DecodedInput] = []
    /// The contents, one share per block of `ChunkDecoding.blockSize` inputs, in order.
    fileprivate var shares: [ContentShare] = []

    /// Calls `body` with the content of input `offset`, or nil when it was refused.
    /// - Complexity: O(1).
    func withContent<Result>(
        of offset: Int, _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) rethrows -> Result {
        let block = offset / ChunkDecoding.blockSize
        guard block < shares.count else { return try body(nil) }
        return try shares[block].withContent(of: offset - shares[block].first, body)
    }

    /// The event id of input `offset` and the hash of its incident
    /// (`IncidentHashing`), or nil when it was refused or is past the end.
    /// - Complexity: O(1).
    func keys(of offset: Int) -> (id: EventID, incidentHash: UInt64)? {
        guard offset < inputs.count else { return nil }
        let share = shares[offset / ChunkDecoding.blockSize]
        guard let id = share.ids[offset - share.first] else { return nil }
        return (id, share.incidentHashes[offset - share.first])
    }

    /// The hash of input `offset`'s incident (`IncidentHashing`); 0 when it was refused.
    /// - Complexity: O(1).
    func incidentHash(of offset: Int) -> UInt64 {
        let share = shares[offset / ChunkDecoding.blockSize]
        return share.incidentHashes[offset - share.first]
    }
}

/// A chunk being decoded by whichever threads are free to help: each claims the next
/// block of inputs not yet claimed, decodes it and writes its contents, until none
/// is left.
private final class ChunkDecoding: @unchecked Sendable {
    /// Inputs in a block: a few hundred microseconds of work.
    static let blockSize = 256

    private let batch: EventBatch
    private let range: Range<Int>
    private let blockCount: Int
    private let nextBlock = Atomic<Int>(0)
    /// Each input's slot, initialized by the thread that decodes its block.
    private let inputs: UnsafeMutablePointer<DecodedInput>
    /// Each block's contents, initialized by the thread that decodes it.
    private let shares: UnsafeMutablePointer<ContentShare>
    /// Whether `take()` moved the decoded inputs out.
    private var taken = false

    init(_ batch: EventBatch, _ range: Range<Int>) {
        self.batch = batch
        self.range = range
        blockCount = (range.count + ChunkDecoding.blockSize - 1) / ChunkDecoding.blockSize
        inputs = .allocate(capacity: range.count)
        shares = .allocate(capacity: blockCount)
    }

    deinit {
        // Every block is decoded before a chunk is let go (see `help()`).
        if !taken {
            inputs.deinitialize(count: range.count)
            shares.deinitialize(count: blockCount)
        }
        inputs.deallocate()
        shares.deallocate()
    }

    /// Decodes blocks not yet claimed until none is left; a block claimed by another
    /// thread is done when that thread's call returns.
    func help() {
        var encoder = RecordEncoder()
        while true {
            let block = nextBlock.wrappingAdd(1, ordering: .relaxed).oldValue
            guard block < blockCount else { return }
            let first = block * ChunkDecoding.blockSize
            let end = min(first + ChunkDecoding.blockSize, range.count)
            var share = ContentShare(first: first, expected: end - first)
            for offset in first..<end {
                let input = batch[range.lowerBound + offset]
                (inputs + offset).initialize(to: input)
                share.append(input.event, with: &encoder)
            }
            (shares + block).initialize(to: share)
        }
    }

    /// The decoded chunk, moved out; called once, after every helper has returned.
    func take() -> DecodedChunk {
        precondition(!taken, "a chunk is taken once")
        taken = true
        let (inputs, shares) = (self.inputs, self.shares)
        let (count, blocks) = (range.count, blockCount)
        return DecodedChunk(
            inputs: Array(unsafeUninitializedCapacity: count) { buffer, made in
                buffer.baseAddress?.moveInitialize(from: inputs, count: count)
                made = count
            },
            shares: Array(unsafeUninitializedCapacity: blocks) { buffer, made in
                buffer.baseAddress?.moveInitialize(from: shares, count: blocks)
                made = blocks
            })
    }
}

/// The contents of one block of a chunk's inputs, end to end, with their ids.
private struct ContentShare: Sendable {
    /// The offset in the chunk of the share's first input.
    let first: Int
    private var bytes: [UInt8] = []
    /// Where each input's content ends; a refused input's is empty.
    private var ends: [Int] = []
    /// Each input's event id, nil for a refusal.
    private(set) var ids: [EventID?] = []
    /// The hash of each input's incident (`IncidentHashing`), 0 for a refusal.
    private(set) var incidentHashes: [UInt64] = []

    init(first: Int, expected: Int) {
        self.first = first
        bytes.reserveCapacity(expected * 256)
        ends.reserveCapacity(expected)
        ids.reserveCapacity(expected)
        incidentHashes.reserveCapacity(expected)
    }

    /// Appends the content of the next input's event, or nothing for a refusal.
    mutating func append(_ event: Result<Event, EventError>, with encoder: inout RecordEncoder) {
        if case .success(let decoded) = event {
            encoder.appendContent(of: decoded, to: &bytes)
            ids.append(decoded.id)
            incidentHashes.append(IncidentHashing.hash(of: decoded.incident))
        } else {
            ids.append(nil)
            incidentHashes.append(0)
        }
        ends.append(bytes.count)
    }

    func withContent<Result>(
        of index: Int, _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) rethrows -> Result {
        let start = index == 0 ? 0 : ends[index - 1]
        guard ends[index] > start else { return try body(nil) }
        return try bytes.withUnsafeBytes { raw in
            try body(UnsafeRawBufferPointer(rebasing: raw[start..<ends[index]]))
        }
    }
}

/// The chunk the writer finished last, handed to a decoding thread to be let go:
/// each side touches it only while the other waits on the group they share.
private final class FinishedChunk: @unchecked Sendable {
    var chunk = DecodedChunk()
}

/// The non-blank lines of an NDJSON text: their byte ranges and 1-based numbers.
public struct NDJSONLines: Sendable {
    private var ranges: [Range<Int>] = []
    private var numbers: [Int32] = []

    /// Finds the lines of `text`.
    /// - Complexity: O(n).
    public init(_ text: [UInt8]) {
        text.withUnsafeBufferPointer { bytes in
            var start = 0
            var number: Int32 = 1
            while start < bytes.count {
                var end = bytes.count
                if let base = bytes.baseAddress,
                    let found = memchr(base + start, 0x0A, bytes.count - start)
                {
                    end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                }
                var last = end
                if last > start, bytes[last - 1] == 0x0D { last -= 1 }
                var blank = true
                for index in start..<last where !isSpace(bytes[index]) {
                    blank = false
                    break
                }
                if !blank {
                    ranges.append(start..<last)
                    numbers.append(number)
                }
                start = end + 1
                number += 1
            }
        }
    }

    /// How many non-blank lines there are.
    public var count: Int { ranges.count }

    /// The byte range and line number of non-blank line `index`.
    public subscript(index: Int) -> (range: Range<Int>, number: Int) {
        (ranges[index], Int(numbers[index]))
    }
}

@inline(__always)
private func isSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0D
}
