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
    /// - Returns: The bytes, valid until the next call.
    /// - Complexity: O(n) in the record's size.
    public mutating func encode(_ record: Record) -> [UInt8] {
        writer.reset()
        writeEvent(record.event, ledgerFields: record)
        return writer.bytes
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
        writer.string(event.id.description)
        writer.key("incident")
        writer.string(event.incident)
        if let record {
            writer.key("position")
            writer.integer(Int64(record.position))
            writer.key("prev")
            writer.string(record.prev.hex)
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
