import Glibc
import Interchange
import LedgerCrypto

/// An event as the ledger stores, hashes and exports it: the event with its
/// position, the time and user that appended it, and the hash of the record before.
public struct Record: Equatable, Sendable {
    /// 1, 2, 3, ... in append order.
    public var position: UInt64
    /// The SHA-256 of the previous record's bytes (zero for position 1).
    public var prev: SHA256Digest
    /// When the ledger appended it, by its own clock.
    public var recordedAt: Timestamp
    /// The operating-system user of the appending process.
    public var recordedBy: String
    /// The event itself.
    public var event: Event

    /// Creates a record.
    public init(
        position: UInt64, prev: SHA256Digest, recordedAt: Timestamp, recordedBy: String,
        event: Event
    ) {
        self.position = position
        self.prev = prev
        self.recordedAt = recordedAt
        self.recordedBy = recordedBy
        self.event = event
    }
}

/// Writes events and records as canonical JSON (RFC 8785 over our value types).
///
/// One encoder is reused across many records: its buffer keeps its capacity. Keys are
/// written in the order canonical form sorts them, from constants; strings are copied
/// as they are unless they hold a byte that canonical form escapes, and only those go
/// through `CanonicalJSONWriter`.
public struct RecordEncoder {
    /// The record or content being written; copied before writing when shared.
    private var buffer = RecordBuffer(capacity: 1024)
    /// Escapes the rare string that needs it.
    private var escaper = CanonicalJSONWriter(reservingCapacity: 256)
    /// The last `recordedAt` and `recordedBy` written, and the two members as written:
    /// the part of a record that a batch's records share.
    private var lastTail: (recordedAt: (Int64, UInt32), recordedBy: String, bytes: [UInt8])?

    /// Creates an encoder.
    public init() {}

    /// The canonical bytes of a record: exactly what is stored, hashed and exported.
    /// - Parameter record: The record.
    /// - Returns: The bytes.
    /// - Complexity: O(n) in the record's size.
    public mutating func encode(_ record: Record) -> [UInt8] {
        withEncoded(record) { Array($0) }
    }

    /// Calls `body` with a record's canonical bytes, written into the encoder's own
    /// buffer and not copied.
    /// - Parameters:
    ///   - record: The record.
    ///   - body: Reads the bytes; they are valid only during the call.
    /// - Returns: What `body` returns.
    /// - Complexity: O(n) in the record's size.
    mutating func withEncoded<Result>(
        _ record: Record, _ body: (UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result {
        startWriting()
        writeEvent(record.event, ledgerFields: record)
        return try body(buffer.written)
    }

    /// The canonical bytes of an event's content (`actor`, `at`, `data`, `id`,
    /// `incident`, `type`): what two submissions of one id must agree on.
    /// - Complexity: O(n) in the event's size.
    public mutating func encodeContent(_ event: Event) -> [UInt8] {
        startWriting()
        writeEvent(event, ledgerFields: nil)
        return Array(buffer.written)
    }

    /// Appends the canonical bytes of an event's content (see `encodeContent(_:)`) to
    /// `bytes`.
    /// - Complexity: O(n) in the event's size.
    mutating func appendContent(of event: Event, to bytes: inout [UInt8]) {
        startWriting()
        writeEvent(event, ledgerFields: nil)
        bytes.append(contentsOf: buffer.written)
    }

    /// Calls `body` with a record's canonical bytes made from its event's canonical
    /// content, as `encodeContent(_:)` wrote it, and the ledger's fields: the same bytes
    /// `withEncoded(_:_:)` writes for that record, without encoding the event again.
    /// - Parameters:
    ///   - content: The content of an event of `type`, which is not ledger-level.
    ///   - type: The event's type, whose member ends the content.
    ///   - record: The record's ledger fields (its `event` is not read).
    ///   - body: Reads the bytes; they are valid only during the call.
    /// - Returns: What `body` returns, or nil when `content` does not end with the
    ///   member of `type`.
    /// - Complexity: O(n) in the record's size.
    mutating func withRecord<Result>(
        content: UnsafeRawBufferPointer, type: EventType, ledgerFields record: Record,
        _ body: (UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result? {
        try withRecord(
            content: content, type: type, position: record.position, prev: record.prev,
            recordedAt: record.recordedAt, recordedBy: record.recordedBy, body)
    }

    /// `withRecord(content:type:ledgerFields:_:)` with the ledger's fields given one by
    /// one, so that no record (and no copy of its event) is made.
    mutating func withRecord<Result>(
        content: UnsafeRawBufferPointer, type: EventType, position: UInt64,
        prev: SHA256Digest, recordedAt: Timestamp, recordedBy: String,
        _ body: (UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result? {
        // Canonical form sorts `type` after the ledger's fields and every other member.
        let tail: StaticString = ",\"type\":\""
        let typeMember = tail.utf8CodeUnitCount + type.rawValue.utf8.count + 2
        guard !type.isLedgerLevel, content.count > typeMember,
            let base = content.baseAddress?.assumingMemoryBound(to: UInt8.self)
        else { return nil }
        let split = content.count - typeMember
        guard memcmp(base + split, tail.utf8Start, tail.utf8CodeUnitCount) == 0 else {
            return nil
        }
        startWriting()
        buffer.append(base, count: split)
        writeLedgerFields(
            position: position, prev: prev, recordedAt: recordedAt, recordedBy: recordedBy)
        buffer.append(base + split, count: typeMember)
        return try body(buffer.written)
    }

    /// Empties the buffer, first making it this encoder's own if a copy shares it.
    private mutating func startWriting() {
        if !isKnownUniquelyReferenced(&buffer) {
            buffer = RecordBuffer(capacity: buffer.capacity)
        }
        buffer.count = 0
    }

    private mutating func writeEvent(_ event: Event, ledgerFields record: Record?) {
        literal("{\"actor\":")
        string(event.actor)
        literal(",\"at\":")
        time(event.at)
        literal(",\"data\":")
        writeData(event.data)
        literal(",\"id\":")
        event.id.withUTF8 { quoted(utf8: $0) }
        if !event.type.isLedgerLevel {
            literal(",\"incident\":")
            string(event.incident)
        }
        if let record {
            writeLedgerFields(
                position: record.position, prev: record.prev, recordedAt: record.recordedAt,
                recordedBy: record.recordedBy)
        }
        literal(",\"type\":")
        string(event.type.rawValue)
        literal("}")
    }

    /// Writes the members the ledger adds, each after a comma.
    private mutating func writeLedgerFields(
        position: UInt64, prev: SHA256Digest, recordedAt: Timestamp, recordedBy: String
    ) {
        literal(",\"position\":")
        integer(position)
        literal(",\"prev\":")
        buffer.appendQuotedHex(prev)
        writeTail(recordedAt: recordedAt, recordedBy: recordedBy)
    }

    /// Appends the `recordedAt` and `recordedBy` members, which a batch's records share:
    /// they are written once and copied for each record with the same two values.
    private mutating func writeTail(recordedAt: Timestamp, recordedBy: String) {
        let key = (recordedAt.nanoseconds, recordedAt.packedForm)
        if let known = lastTail, known.recordedAt == key, known.recordedBy == recordedBy {
            known.bytes.withUnsafeBufferPointer { bytes in
                if let start = bytes.baseAddress { buffer.append(start, count: bytes.count) }
            }
            return
        }
        let start = buffer.count
        literal(",\"recordedAt\":")
        time(recordedAt)
        literal(",\"recordedBy\":")
        string(recordedBy)
        lastTail = (key, recordedBy, Array(buffer.written[start...]))
    }

    private mutating func writeData(_ data: EventData) {
        literal("{")
        for (index, field) in data.fields.enumerated() {
            if index > 0 { literal(",") }
            string(field.name)
            literal(":")
            switch field.value {
            case .string(let text): string(text)
            case .flag(let value): literal(value ? "true" : "false")
            case .time(let value): time(value)
            case .date(let date): string(date.text)
            case .fields(let nested): writeData(nested)
            case .integer(let number): integer(number)
            case .strings(let names):
                literal("[")
                for (index, name) in names.enumerated() {
                    if index > 0 { literal(",") }
                    string(name)
                }
                literal("]")
            }
        }
        literal("}")
    }

    // MARK: Canonical JSON pieces

    /// Appends text that is already canonical JSON.
    @inline(__always)
    private func literal(_ text: StaticString) {
        buffer.append(text.utf8Start, count: text.utf8CodeUnitCount)
    }

    /// Appends a string value.
    @inline(__always)
    private mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { string(utf8: $0) }
    }

    /// Appends a string value given as UTF-8: quoted, and escaped only if it holds a byte
    /// that canonical form escapes.
    private mutating func string(utf8 text: UnsafeBufferPointer<UInt8>) {
        guard needsEscaping(text) else {
            quoted(utf8: text)
            return
        }
        escaper.reset()
        escaper.string(utf8: text)
        escaper.bytes.withUnsafeBufferPointer { escaped in
            if let start = escaped.baseAddress { buffer.append(start, count: escaped.count) }
        }
    }

    /// Appends a time's text, which is digits and punctuation only: quoted as it is.
    private func time(_ value: Timestamp) {
        buffer.appendQuoted(value)
    }

    /// Appends text that needs no escaping, in quotes.
    @inline(__always)
    private func quoted(utf8 text: UnsafeBufferPointer<UInt8>) {
        buffer.append(UInt8(ascii: "\""))
        if let start = text.baseAddress { buffer.append(start, count: text.count) }
        buffer.append(UInt8(ascii: "\""))
    }

    /// Appends a whole number in decimal.
    private func integer(_ value: UInt64) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            var rest = value
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            if let base = digits.baseAddress { buffer.append(base + start, count: 20 - start) }
        }
    }
}

/// The encoder's growable bytes, written through a pointer: no uniqueness or generic
/// checks for each piece of a record, only a capacity check.
private final class RecordBuffer {
    private var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    /// How many bytes are written.
    var count = 0

    init(capacity: Int) {
        base = .allocate(capacity: capacity)
        self.capacity = capacity
    }

    deinit {
        base.deallocate()
    }

    /// The bytes written so far.
    var written: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base, count: count)
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        if count == capacity { grow(toHold: count + 1) }
        base[count] = byte
        count += 1
    }

    @inline(__always)
    func append(_ bytes: UnsafePointer<UInt8>, count added: Int) {
        if count + added > capacity { grow(toHold: count + added) }
        (base + count).update(from: bytes, count: added)
        count += added
    }

    /// Appends a time's text, which is digits and punctuation only, in quotes.
    @inline(__always)
    func appendQuoted(_ time: Timestamp) {
        let room = Timestamp.maximumTextLength + 2
        if count + room > capacity { grow(toHold: count + room) }
        base[count] = UInt8(ascii: "\"")
        let length = time.writeText(to: base + count + 1)
        base[count + 1 + length] = UInt8(ascii: "\"")
        count += length + 2
    }

    /// Appends a digest as 64 lower-case hexadecimal digits, in quotes.
    @inline(__always)
    func appendQuotedHex(_ digest: SHA256Digest) {
        if count + 66 > capacity { grow(toHold: count + 66) }
        base[count] = UInt8(ascii: "\"")
        digest.writeHex(to: base + count + 1)
        base[count + 65] = UInt8(ascii: "\"")
        count += 66
    }

    private func grow(toHold needed: Int) {
        let larger = max(needed, capacity * 2)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.update(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = larger
    }
}
/// Whether UTF-8 text holds a byte that canonical JSON escapes: `"`, `\\` or a control
/// character below U+0020.
/// - Complexity: O(n), 8 bytes at a time.
@inline(__always)
private func needsEscaping(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = text.baseAddress else { return false }
    let raw = UnsafeRawPointer(base)
    var offset = 0
    while offset + 8 <= text.count {
        if wordNeedsEscaping(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) {
            return true
        }
        offset += 8
    }
    while offset < text.count {
        let byte = text[offset]
        if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            return true
        }
        offset += 1
    }
    return false
}

/// Whether any of the 8 bytes of `word` is `"`, `\\` or below 0x20.
@inline(__always)
private func wordNeedsEscaping(_ word: UInt64) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highBits: UInt64 = 0x8080_8080_8080_8080
    // A byte below n borrows into its high bit in `word - n`, where `word` had it clear;
    // a byte equal to c is a zero byte of `word ^ c`.
    func hasByteBelow(_ word: UInt64, _ limit: UInt64) -> Bool {
        (word &- ones &* limit) & ~word & highBits != 0
    }
    return hasByteBelow(word, 0x20)
        || hasByteBelow(word ^ (ones &* 0x22), 1)
        || hasByteBelow(word ^ (ones &* 0x5C), 1)
}
