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
}

extension Ledger {
    /// Walks the whole log and checks, for every record: that the positions run
    /// 1, 2, 3, ... with no gap; that the bytes are canonical JSON (so that an
    /// auditor re-serialising them gets the same bytes) holding the record's own
    /// `position`; that its `prev` is the SHA-256 of the record before; and at the
    /// end that the last record's hash is the head kept with the log.
    ///
    /// The check is of integrity, not of content: fields were checked when each
    /// event was appended, and any later change to a record breaks the chain.
    /// - Parameter progress: Called now and then with (records checked, records in all).
    /// - Returns: The first bad position and why, or an intact result with the head.
    /// - Throws: `LedgerError.storage` when the ledger cannot be read.
    /// - Complexity: O(n) in the total size of the records.
    public func verify(
        progress: ((UInt64, UInt64) -> Void)? = nil
    ) throws(LedgerError)
        -> VerifyResult
    {
        var result = VerifyResult()
        var expected: UInt64 = 1
        var prev = SHA256Digest.zero
        var lastRecordedAt: ArraySlice<UInt8> = []
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
                let document: JSONDocument
                do {
                    document = try JSONDocument(parsing: ArraySlice(bytes))
                } catch let error as JSONError {
                    return fail(position, "not valid JSON: \(error.message)")
                }
                guard document.isCanonical else {
                    return fail(position, "the bytes are not in canonical form")
                }
                let root = document.root
                guard let positionNode = document.member("position", of: root),
                    document.integer(positionNode) == Int64(position)
                else {
                    return fail(position, "its position field is not \(position)")
                }
                guard let prevNode = document.member("prev", of: root),
                    document.withRawContent(prevNode, { prev.matches(hexUTF8: $0) })
                else {
                    return fail(position, "prev does not match the hash of record \(position - 1)")
                }
                if let recordedAt = document.member("recordedAt", of: root) {
                    lastRecordedAt = document.source(recordedAt)
                }
                prev = hasher.digest(bytes)
                result.records = position
                expected += 1
                return true
            }
        } catch {
            throw Ledger.wrap(error)
        }
        progress?(result.records, total)
        if result.records > 0 {
            let text = String(decoding: lastRecordedAt.dropFirst().dropLast(), as: UTF8.self)
            result.head = Head(
                position: result.records, hash: prev, recordedAt: try? Timestamp(parsing: text))
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
