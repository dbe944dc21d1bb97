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
/// One encoder is reused across many records: its buffer keeps its capacity.
public struct RecordEncoder {
    private var writer = CanonicalJSONWriter(reservingCapacity: 1024)

    /// Creates an encoder.
    public init() {}

    /// The canonical bytes of a record: exactly what is stored, hashed and exported.
    /// - Parameter record: The record.
    /// - Returns: The bytes.
    /// - Complexity: O(n) in the record's size.
    public mutating func encode(_ record: Record) -> [UInt8] {
        writer.reset()
        writeEvent(record.event, ledgerFields: record)
        return writer.bytes
    }

    /// Appends a record's canonical bytes to those already written, for encoding a
    /// batch into one buffer without a copy per record.
    /// - Parameter record: The record.
    /// - Returns: Where its bytes lie in `bytes`.
    /// - Complexity: O(n) in the record's size.
    mutating func append(_ record: Record) -> Range<Int> {
        let start = writer.bytes.count
        writer.startNextValue()
        writeEvent(record.event, ledgerFields: record)
        return start..<writer.bytes.count
    }

    /// Everything appended so far.
    var bytes: [UInt8] { writer.bytes }

    /// Reserves room for `count` more bytes.
    mutating func reserve(_ count: Int) {
        writer.bytes.reserveCapacity(count)
    }

    /// Calls `body` with the appended bytes in `range`.
    func withBytes<Result>(
        in range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result {
        try writer.bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// The canonical bytes of an event's content (`actor`, `at`, `data`, `id`,
    /// `incident`, `type`): what two submissions of one id must agree on.
    /// - Complexity: O(n) in the event's size.
    public mutating func encodeContent(_ event: Event) -> [UInt8] {
        writer.reset()
        writeEvent(event, ledgerFields: nil)
        return writer.bytes
    }

    private mutating func writeEvent(_ event: Event, ledgerFields record: Record?) {
        writer.beginObject()
        writer.key("actor")
        writer.string(event.actor)
        writer.key("at")
        writer.string(event.at.text)
        writer.key("data")
        writeData(event.data)
        writer.key("id")
        event.id.withUTF8 { writer.string(utf8: $0) }
        writer.key("incident")
        writer.string(event.incident)
        if let record {
            writer.key("position")
            writer.integer(Int64(record.position))
            writer.key("prev")
            record.prev.withHexUTF8 { writer.string(utf8: $0) }
            writer.key("recordedAt")
            writer.string(record.recordedAt.text)
            writer.key("recordedBy")
            writer.string(record.recordedBy)
        }
        writer.key("type")
        writer.string(event.type.rawValue)
        writer.endObject()
    }

    private mutating func writeData(_ data: EventData) {
        writer.beginObject()
        for field in data.fields {
            writer.key(field.name)
            switch field.value {
            case .string(let text): writer.string(text)
            case .flag(let value): writer.bool(value)
            case .time(let time): writer.string(time.text)
            case .date(let date): writer.string(date.text)
            case .fields(let nested): writeData(nested)
            case .strings(let names):
                writer.beginArray()
                for name in names { writer.string(name) }
                writer.endArray()
            }
        }
        writer.endObject()
    }
}
