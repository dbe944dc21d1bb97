import Interchange
import LedgerCrypto

/// The formats of an audit export (schemas/README.md, "Audit exports").
public enum ExportFormat: String, CaseIterable, Sendable {
    /// One stored record per line, its bytes unchanged: what an auditor hashes.
    case ndjson
    /// RFC 4180 CSV for spreadsheets: one row per record, fields flattened, with each
    /// record's position and SHA-256.
    case csv
    /// One canonical JSON document: `{"head":{...},"records":[...]}`, each record
    /// written as its stored bytes.
    case json

    /// Whether an export in this format carries the records' exact bytes, and so a
    /// proofs file beside it.
    public var carriesRecordBytes: Bool { self != .csv }
}

extension CanonicalJSONWriter {
    /// `{"leaf":HEX,"position":N,"proof":[HEX,...]}`: one line of an export's proofs
    /// file (export-proof.schema.json), the record's RFC 6962 inclusion proof.
    public mutating func exportProof(position: UInt64, leaf: SHA256Digest, proof: [SHA256Digest]) {
        beginObject()
        key("leaf")
        string(leaf.hex)
        key("position")
        integer(Int64(position))
        key("proof")
        beginArray()
        for hash in proof { string(hash.hex) }
        endArray()
        endObject()
    }

    /// `{"hash":HEX,"root":HEX,"size":N}`: an export's head, with its `signature`
    /// (canonical JSON) when there is one.
    public mutating func exportHead(_ head: ExportHead, signature: [UInt8]? = nil) {
        beginObject()
        key("hash")
        string(head.hash.hex)
        key("root")
        string(head.root.hex)
        if let signature {
            key("signature")
            // Already canonical: copied as it is, with the comma before the next key.
            bytes += signature
            bytes.append(UInt8(ascii: ","))
        }
        key("size")
        integer(Int64(head.size))
        endObject()
    }
}

/// The CSV of an export: RFC 4180, CRLF line ends, one header row.
///
/// The columns are `position`, `sha256`, the envelope fields, then one column per data
/// field present in any selected record, sorted: `data.title`, and for nested objects
/// `data.data.title` or `data.filters.since`. Lists are written as JSON arrays, flags as
/// `true`/`false`, whole numbers in decimal; an absent field is an empty cell.
public enum ExportCSV {
    /// The leading columns, in order.
    public static let envelope = [
        "position", "sha256", "id", "incident", "type", "at", "actor", "recordedAt",
        "recordedBy", "prev",
    ]

    /// Adds the data columns of `record` (`data.title`, ...) to `columns`: an export's
    /// columns are the envelope's, then those of every record's data, sorted.
    public static func addDataColumns(of record: Record, to columns: inout Set<String>) {
        for name in cells(of: record, sha256: .zero).keys where name.hasPrefix("data.") {
            columns.insert(name)
        }
    }

    /// A record's cells by column name.
    /// - Parameters:
    ///   - record: The record.
    ///   - sha256: The SHA-256 of its stored bytes.
    public static func cells(of record: Record, sha256: SHA256Digest) -> [String: String] {
        let event = record.event
        var cells = [
            "position": "\(record.position)", "sha256": sha256.hex, "id": event.id.description,
            "type": event.type.rawValue, "at": event.at.text, "actor": event.actor,
            "recordedAt": record.recordedAt.text, "recordedBy": record.recordedBy,
            "prev": record.prev.hex,
        ]
        if !event.type.isLedgerLevel { cells["incident"] = event.incident }
        flatten(event.data, under: "data", into: &cells)
        return cells
    }

    private static func flatten(
        _ data: EventData, under prefix: String, into cells: inout [String: String]
    ) {
        for (name, value) in data.fields {
            let column = "\(prefix).\(name)"
            switch value {
            case .string(let text): cells[column] = text
            case .flag(let flag): cells[column] = flag ? "true" : "false"
            case .time(let time): cells[column] = time.text
            case .date(let date): cells[column] = date.text
            case .integer(let number): cells[column] = "\(number)"
            case .fields(let nested): flatten(nested, under: column, into: &cells)
            case .strings(let names):
                var writer = CanonicalJSONWriter()
                writer.beginArray()
                for name in names { writer.string(name) }
                writer.endArray()
                cells[column] = String(decoding: writer.bytes, as: UTF8.self)
            }
        }
    }

    /// One CSV line: each field quoted when it holds a comma, a quote, CR or LF (quotes
    /// doubled), ended by CRLF.
    public static func line(_ fields: [String]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (index, field) in fields.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            let utf8 = Array(field.utf8)
            let quoted = utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }
            guard quoted else {
                bytes += utf8
                continue
            }
            bytes.append(0x22)
            for byte in utf8 {
                if byte == 0x22 { bytes.append(0x22) }
                bytes.append(byte)
            }
            bytes.append(0x22)
        }
        bytes += [0x0D, 0x0A]
        return bytes
    }

    /// Splits CSV text into rows of fields, as RFC 4180 reads it.
    /// - Parameter bytes: The CSV text.
    /// - Returns: Each row's fields with the line on which the row begins.
    /// - Throws: `EventError` naming the line of a malformed quoted field.
    /// - Complexity: O(n).
    public static func rows(_ bytes: [UInt8]) throws(EventError) -> [(line: Int, fields: [String])]
    {
        var rows: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var rowLine = 1
        var index = 0
        var quoted = false
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field = []
        }
        while index < bytes.count {
            let byte = bytes[index]
            if quoted {
                if byte == 0x22 {
                    if index + 1 < bytes.count, bytes[index + 1] == 0x22 {
                        field.append(0x22)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == 0x0A { line += 1 }
                    field.append(byte)
                }
            } else if byte == 0x22 {
                guard field.isEmpty else {
                    throw EventError(line: line, field: nil, "a quote inside an unquoted field")
                }
                quoted = true
            } else if byte == UInt8(ascii: ",") {
                endField()
            } else if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A {
                endField()
                rows.append((rowLine, fields))
                fields = []
                index += 1
                line += 1
                rowLine = line
            } else {
                field.append(byte)
            }
            index += 1
        }
        if quoted { throw EventError(line: rowLine, field: nil, "a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty {
            endField()
            rows.append((rowLine, fields))
        }
        return rows
    }
}
