import Dispatch
import Glibc

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
    func decode(_ range: Range<Int>, workers available: Int = EventBatch.cores) -> DecodedChunk {
        let workers = max(1, min(available, range.count))
        var shares: [ContentShare] = []
        let inputs = Array(
            unsafeUninitializedCapacity: range.count
        ) { (results: inout UnsafeMutableBufferPointer<DecodedInput>, initialized) in
            guard let base = results.baseAddress else { return }
            let slots = DecodedSlots(base: base)
            shares = Array(unsafeUninitializedCapacity: workers) { made, count in
                guard let sharesBase = made.baseAddress else { return }
                let shareSlots = ShareSlots(base: sharesBase)
                // Each worker fills its own contiguous share of the results.
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    let first = range.count * worker / workers
                    let end = range.count * (worker + 1) / workers
                    var share = ContentShare(first: first, expected: end - first)
                    var encoder = RecordEncoder()
                    for offset in first..<end {
                        let input = self[range.lowerBound + offset]
                        (slots.base + offset).initialize(to: input)
                        share.append(input.event, with: &encoder)
                    }
                    (shareSlots.base + worker).initialize(to: share)
                }
                count = workers
            }
            initialized = range.count
        }
        return DecodedChunk(inputs: inputs, shares: shares)
    }

    /// Gives `body` each chunk's decoded inputs in order, on this thread, while the
    /// next chunk is decoded on the other cores: a writer checks and writes one chunk
    /// while the next is read, rather than the two waiting on each other.
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
        // The chunk the writer finished last, let go on the decoding thread: freeing
        // its events is work the writer need not wait for.
        let finished = DecodedAhead()
        for (index, chunk) in chunks.enumerated() {
            let ahead = DecodedAhead()
            let group = DispatchGroup()
            if index + 1 < chunks.count {
                let next = chunks[index + 1]
                let batch = self
                DispatchQueue.global().async(group: group) {
                    finished.chunk = DecodedChunk()
                    ahead.chunk = batch.decode(next, workers: EventBatch.cores - 1)
                }
            }
            // Waited for however `body` ends, so that no decoding outlives the call.
            defer { group.wait() }
            try body(chunk, current)
            group.wait()
            finished.chunk = current
            current = ahead.chunk
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
    /// The contents, one share per core that decoded, in order.
    fileprivate var shares: [ContentShare] = []

    /// Calls `body` with the content of input `offset`, or nil when it was refused.
    /// - Complexity: O(c) for c cores.
    func withContent<Result>(
        of offset: Int, _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) rethrows -> Result {
        guard let share = shares.last(where: { $0.first <= offset }) else {
            return try body(nil)
        }
        return try share.withContent(of: offset - share.first, body)
    }

    /// The event id of input `offset`, or nil when it was refused or is past the end.
    /// - Complexity: O(c) for c cores.
    func id(of offset: Int) -> EventID? {
        guard offset < inputs.count, let share = shares.last(where: { $0.first <= offset })
        else { return nil }
        return share.ids[offset - share.first]
    }
}

/// The contents of one core's share of a chunk, end to end.
private struct ContentShare: Sendable {
    /// The offset in the chunk of the share's first input.
    let first: Int
    private var bytes: [UInt8] = []
    /// Where each input's content ends; a refused input's is empty.
    private var ends: [Int] = []
    /// Each input's event id, nil for a refusal.
    private(set) var ids: [EventID?] = []

    init(first: Int, expected: Int) {
        self.first = first
        bytes.reserveCapacity(expected * 256)
        ends.reserveCapacity(expected)
        ids.reserveCapacity(expected)
    }

    /// Appends the content of the next input's event, or nothing for a refusal.
    mutating func append(_ event: Result<Event, EventError>, with encoder: inout RecordEncoder) {
        if case .success(let decoded) = event {
            encoder.appendContent(of: decoded, to: &bytes)
            ids.append(decoded.id)
        } else {
            ids.append(nil)
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

/// Where the workers of `EventBatch.decode(_:)` put the decoded inputs: each worker
/// initializes its own slots and no others, so they may share the pointer.
private struct DecodedSlots: @unchecked Sendable {
    let base: UnsafeMutablePointer<DecodedInput>
}

/// Where the workers of `EventBatch.decode(_:)` put their contents, one slot each.
private struct ShareSlots: @unchecked Sendable {
    let base: UnsafeMutablePointer<ContentShare>
}

/// A chunk handed between the writer and the decoding thread: each side touches it
/// only while the other waits on the group they share.
private final class DecodedAhead: @unchecked Sendable {
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
