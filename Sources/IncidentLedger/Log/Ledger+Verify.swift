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
}

extension Ledger {
    /// Walks the whole log and checks, for every record: that the positions run
    /// 1, 2, 3, ... with no gap; that the bytes are a well-formed record in canonical
    /// form whose `position` is its key; that its `prev` is the SHA-256 of the record
    /// before; and at the end that the last record's hash is the head kept with the log.
    /// - Parameter progress: Called now and then with (records checked, records in all).
    /// - Returns: The first bad position and why, or an intact result with the head.
    /// - Throws: `LedgerError.storage` when the ledger cannot be read.
    /// - Complexity: O(n) in the total size of the records.
    public func verify(progress: ((UInt64, UInt64) -> Void)? = nil) throws(LedgerError)
        -> VerifyResult
    {
        var result = VerifyResult()
        var expected: UInt64 = 1
        var prev = SHA256Digest.zero
        var encoder = RecordEncoder()
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

        func fail(_ position: UInt64, _ reason: String) -> Bool {
            result.firstBad = (position, reason)
            return false
        }

        do {
            try forEachRecord { position, bytes in
                if expected & 0x3FFF == 0 { progress?(expected, total) }
                guard position == expected else {
                    return fail(expected, "record \(expected) is missing (next is \(position))")
                }
                let record: Record
                do {
                    record = try EventDecoder.decodeRecord(ArraySlice(bytes))
                } catch {
                    return fail(position, "not a valid record: \(error)")
                }
                guard record.position == position else {
                    return fail(position, "it says position \(record.position)")
                }
                guard record.prev == prev else {
                    return fail(position, "prev does not match the hash of record \(position - 1)")
                }
                guard encoder.encode(record).elementsEqual(bytes) else {
                    return fail(position, "the bytes are not in canonical form")
                }
                prev = hasher.digest(bytes)
                result.records = position
                result.head = Head(position: position, hash: prev, recordedAt: record.recordedAt)
                expected += 1
                return true
            }
        } catch {
            throw Ledger.wrap(error)
        }
        progress?(result.records, total)
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
}
