import Dispatch
import Glibc
import Interchange
import LedgerCrypto
import LedgerStorage

/// What walking the whole chain found.
public struct VerifyResult: Sendable {
    /// How many records were checked.
    public var records: UInt64 = 0
    /// The head computed from the records.
    public var head = Head.empty
    /// The first position found bad and why, or nil when the chain is intact.
    public var firstBad: (position: UInt64, reason: String)?

    /// Whether every record checked out.
    public var isIntact: Bool { firstBad == nil }

    /// A result of no records checked and nothing found bad yet.
    public init() {}
}

extension Ledger {
    /// Walks the whole log and checks, for every record: that the positions run
    /// 1, 2, 3, ... with no gap; that the bytes are canonical JSON (so that an
    /// auditor re-serialising them gets the same bytes) holding the record's own
    /// `position`; that its `prev` is the SHA-256 of the record before; and at the
    /// end that the last record's hash is the head kept with the log.
    ///
    /// The check is of integrity, not of content: fields were checked when each
    /// event was appended, and any later change to a record breaks the chain. The
    /// log is split into one span per core, each checked in its own read snapshot of
    /// the same transaction id; the spans' seams are then linked.
    /// - Parameter progress: Called now and then with (records checked, records in all),
    ///   from one worker at a time.
    /// - Returns: The first bad position and why, or an intact result with the head.
    /// - Throws: `LedgerError.storage` when the ledger cannot be read.
    /// - Complexity: O(n) in the total size of the records, shared among the cores.
    public func verify(
        progress: ((UInt64, UInt64) -> Void)? = nil
    ) throws(LedgerError) -> VerifyResult {
        try verify(splittingFrom: 20_000, progress: progress)
    }

    /// `verify(progress:)`, splitting the log among the cores once it holds at least
    /// `threshold` records (tests lower it to check the seams between spans).
    func verify(
        splittingFrom threshold: UInt64, progress: ((UInt64, UInt64) -> Void)?
    ) throws(LedgerError) -> VerifyResult {
        let total: UInt64
        let keptHead: SHA256Digest?
        do {
            (total, keptHead) = try environment.read { txn in
                let count = UInt64(try txn.count(records))
                let kept = try txn.value(in: meta, forKey: Array("head".utf8))
                return (count, kept.flatMap { SHA256Digest(bytes: $0) })
            }
        } catch {
            throw Ledger.wrap(error)
        }

        let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let workers = total < threshold ? 1 : min(cores, 8)
        let spans = (0..<workers).map { worker in
            (total * UInt64(worker) / UInt64(workers) + 1)..<(total * UInt64(worker + 1)
                / UInt64(workers) + 1)
        }
        var results = [SpanCheck](repeating: SpanCheck(), count: workers)
        let environment = self.environment
        let recordsDatabase = self.records
        let report = UncheckedProgress(progress: progress, total: total, workers: workers)
        results.withUnsafeMutableBufferPointer { buffer in
            let slots = SpanSlots(base: buffer.baseAddress)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let check = Ledger.checkSpan(
                    spans[worker], environment: environment, records: recordsDatabase,
                    progress: worker == 0 ? report : nil)
                slots.base?[worker] = check
            }
        }

        // Link the spans: each one's first `prev` must be the hash its predecessor ended on.
        var result = VerifyResult()
        var previousHash = SHA256Digest.zero
        for (span, check) in zip(spans, results) where !span.isEmpty {
            if let failure = check.error {
                throw failure
            }
            if let firstPrev = check.firstPrev, firstPrev != previousHash {
                result.firstBad = (
                    span.lowerBound, "prev does not match the hash of record \(span.lowerBound - 1)"
                )
            } else if let bad = check.firstBad {
                result.firstBad = bad
            }
            if result.firstBad != nil { break }
            previousHash = check.lastHash
            result.records = span.upperBound - 1
            result.head = Head(
                position: span.upperBound - 1, hash: check.lastHash,
                recordedAt: check.lastRecordedAt)
        }
        progress?(result.records, total)
        if let bad = result.firstBad, bad.position > 1 {
            // The head up to the last good record, read again for the report.
            result.records = bad.position - 1
            if let bytes = try recordBytes(at: bad.position - 1) {
                result.head = Head(
                    position: bad.position - 1, hash: hasher.digest(bytes), recordedAt: nil)
            }
        } else if result.firstBad != nil {
            result.records = 0
            result.head = .empty
        }
        if result.isIntact, let keptHead, keptHead != result.head.hash {
            result.firstBad = (
                result.head.position,
                "the last record's hash differs from the head kept with the log"
            )
        }
        if result.isIntact, keptHead == nil, result.records > 0 {
            result.firstBad = (result.head.position, "the head kept with the log is missing")
        }
        return result
    }

    /// Checks the records of one span in its own snapshot and hasher.
    private static func checkSpan(
        _ span: Range<UInt64>, environment: Environment, records: Database,
        progress: UncheckedProgress?
    ) -> SpanCheck {
        var check = SpanCheck()
        guard !span.isEmpty else { return check }
        let hasher: SHA256Hasher
        do {
            hasher = try SHA256Hasher()
        } catch {
            check.error = .unsupportedFormat("cannot start SHA-256: \(error)")
            return check
        }
        var expected = span.lowerBound
        var prev: SHA256Digest?
        func fail(_ position: UInt64, _ reason: String) -> Bool {
            check.firstBad = (position, reason)
            return false
        }
        do {
            try environment.read { txn in
                try txn.withCursor(records) { cursor in
                    var entry = try cursor.seek(atLeast: bigEndianBytes(span.lowerBound))
                    while let current = entry, expected < span.upperBound {
                        guard try checkRecord(current, expected: expected) else { return }
                        expected += 1
                        entry = try cursor.next()
                    }
                    if expected < span.upperBound {
                        _ = fail(expected, "record \(expected) is missing (the log ends early)")
                    }
                }
            }
        } catch let error as LedgerError {
            check.error = error
        } catch {
            check.error = Ledger.wrap(error)
        }
        return check

        func checkRecord(_ entry: Entry, expected: UInt64) throws -> Bool {
            let bytes = entry.value
            guard let position = bigEndianValue(entry.key), position == expected else {
                let next = bigEndianValue(entry.key).map { "next is \($0)" } ?? "a bad key"
                return fail(expected, "record \(expected) is missing (\(next))")
            }
            if position & 0x3FFF == 0 { progress?.report(position - span.lowerBound) }
            // One pass over the bytes: canonical form, and the members that chain.
            var positionText: UnsafeRawBufferPointer?
            var prevText: UnsafeRawBufferPointer?
            var recordedAtText: UnsafeRawBufferPointer?
            let canonical = CanonicalScanner.scan(bytes) { key, value in
                if Ledger.same(key, "position") {
                    positionText = value
                } else if Ledger.same(key, "prev") {
                    prevText = value
                } else if Ledger.same(key, "recordedAt") {
                    recordedAtText = value
                }
            }
            guard canonical else {
                return fail(position, Ledger.whyNotCanonical(bytes))
            }
            guard let positionText, UInt64(decimal: positionText) == position else {
                return fail(position, "its position field is not \(position)")
            }
            guard let prevText, prevText.count == 66 else {
                return fail(position, "its prev field is not a SHA-256 digest")
            }
            let prevDigits = UnsafeRawBufferPointer(rebasing: prevText[1..<65])
            if let prev {
                let chained = prevDigits.withMemoryRebound(to: UInt8.self) {
                    prev.matches(hexUTF8: $0)
                }
                guard chained else {
                    return fail(position, "prev does not match the hash of record \(position - 1)")
                }
            } else {
                // A span's first record: its prev is linked to the span before later.
                guard
                    let stated = prevDigits.withMemoryRebound(
                        to: UInt8.self, { SHA256Digest(hexUTF8: $0) })
                else {
                    return fail(position, "its prev field is not a SHA-256 digest")
                }
                check.firstPrev = stated
            }
            let hash = hasher.digest(bytes)
            prev = hash
            check.lastHash = hash
            if position == span.upperBound - 1, let recordedAtText, recordedAtText.count > 2 {
                let text = String(
                    decoding: UnsafeRawBufferPointer(
                        rebasing: recordedAtText.dropFirst().dropLast()),
                    as: UTF8.self)
                check.lastRecordedAt = try? Timestamp(parsing: text)
            }
            return true
        }
    }
}

/// What checking one span of the log found.
private struct SpanCheck {
    /// The `prev` the span's first record states, to be linked to the span before.
    var firstPrev: SHA256Digest?
    /// The hash of the span's last record checked.
    var lastHash = SHA256Digest.zero
    /// When the span's last record was appended.
    var lastRecordedAt: Timestamp?
    /// The first bad record within the span.
    var firstBad: (position: UInt64, reason: String)?
    /// A failure to read the span at all.
    var error: LedgerError?
}

/// Where the workers of `verify` put their results: each writes its own slot only.
private struct SpanSlots: @unchecked Sendable {
    let base: UnsafeMutablePointer<SpanCheck>?
}

/// The progress callback, called by one worker only, scaled to the whole log.
private struct UncheckedProgress: @unchecked Sendable {
    let progress: ((UInt64, UInt64) -> Void)?
    let total: UInt64
    let workers: Int

    func report(_ done: UInt64) {
        progress?(min(done * UInt64(workers), total), total)
    }
}

extension Ledger {
    /// Whether `bytes` are exactly `name`'s UTF-8, compared without a generic walk.
    @inline(__always)
    static func same(_ bytes: UnsafeRawBufferPointer, _ name: StaticString) -> Bool {
        guard bytes.count == name.utf8CodeUnitCount, let base = bytes.baseAddress else {
            return false
        }
        return memcmp(base, name.utf8Start, bytes.count) == 0
    }

    /// Why bytes the canonical scanner refused are not a canonical record: the
    /// parser's own words when they are not JSON at all.
    static func whyNotCanonical(_ bytes: UnsafeRawBufferPointer) -> String {
        do {
            _ = try JSONDocument(parsing: ArraySlice(bytes))
            return "the bytes are not in canonical form"
        } catch {
            return "not valid JSON: \(error.message)"
        }
    }
}

extension UInt64 {
    /// Parses plain decimal digits; nil for anything else or on overflow.
    init?(decimal text: UnsafeRawBufferPointer) {
        guard !text.isEmpty, text.count <= 20 else { return nil }
        var value: UInt64 = 0
        for byte in text {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflow, !carry else { return nil }
            value = sum
        }
        self = value
    }
}

/// Whether two byte buffers hold the same bytes.
/// - Complexity: O(n), at memory speed.
func sameBytes(_ lhs: [UInt8], _ rhs: UnsafeRawBufferPointer) -> Bool {
    guard lhs.count == rhs.count else { return false }
    return lhs.withUnsafeBytes { left in
        guard let a = left.baseAddress, let b = rhs.baseAddress else { return true }
        return memcmp(a, b, rhs.count) == 0
    }
}
