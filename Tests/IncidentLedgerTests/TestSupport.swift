import Foundation
import LedgerCrypto
import Testing

@testable import IncidentLedger

// MARK: A fresh ledger per test

/// A folder of its own under the system's temporary directory, removed when the
/// value is released.
final class TemporaryFolder {
    /// The folder's absolute path.
    let path: String

    /// Makes a new, empty folder with a unique name.
    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = "\(base)/incident-ledger-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A new read-write ledger in a temporary folder of its own, with a fixed clock so
/// that every `recordedAt` is known in advance.
///
/// Keep the value alive for the whole test: releasing it removes the folder.
struct TestLedger {
    /// The folder that holds the ledger's directory.
    let folder: TemporaryFolder
    /// The ledger's directory (`data.mdb` and `lock.mdb` live in it).
    let path: String
    /// The open ledger.
    let ledger: Ledger

    /// `recordedAt` of every record this ledger appends, unless a test changes the clock.
    static let clockMicroseconds: Int64 = 1_772_442_843_512_000
    /// The text of `clockMicroseconds`, as a record writes it.
    static let recordedAtText = "2026-03-02T09:14:03.512000Z"

    /// Creates the ledger.
    init() throws {
        folder = try TemporaryFolder()
        path = folder.path + "/ledger"
        ledger = try Ledger(path: path, access: .readWrite, create: true)
        ledger.clock = { TestLedger.clockMicroseconds }
    }

    /// The path of the ledger's LMDB data file.
    var dataFile: String { path + "/data.mdb" }

    /// Appends NDJSON lines as one batch.
    /// - Returns: The append's report.
    @discardableResult
    func append(_ lines: [String], skipInvalid: Bool = false) throws -> AppendReport {
        var options = AppendOptions()
        options.skipInvalid = skipInvalid
        return try ledger.append(.ndjson(ndjson(lines)), options: options)
    }

    /// Appends NDJSON lines as one batch.
    @discardableResult
    func append(_ lines: String...) throws -> AppendReport {
        try append(lines)
    }

    /// Appends raw bytes as one NDJSON batch.
    @discardableResult
    func append(bytes: [UInt8], skipInvalid: Bool = false) throws -> AppendReport {
        var options = AppendOptions()
        options.skipInvalid = skipInvalid
        return try ledger.append(.ndjson(bytes), options: options)
    }

    /// The refusals of a batch that the ledger is expected to refuse as a whole.
    /// - Returns: The errors, or an empty list (after recording an issue) when the
    ///   batch was accepted or failed for another reason.
    func refusals(
        _ lines: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) -> [EventError] {
        refusals(bytes: ndjson(lines), sourceLocation: sourceLocation)
    }

    /// The refusals of a raw NDJSON batch that the ledger is expected to refuse.
    func refusals(
        bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
    ) -> [EventError] {
        do {
            let report = try ledger.append(.ndjson(bytes))
            Issue.record(
                "the batch was accepted: \(report.written) written", sourceLocation: sourceLocation)
        } catch {
            if case .invalidInput(let errors) = error { return errors }
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
        return []
    }

    /// The description of the single refusal of a batch (`line 1: field: message`).
    func refusal(
        _ lines: String..., sourceLocation: SourceLocation = #_sourceLocation
    ) -> String? {
        let errors = refusals(lines, sourceLocation: sourceLocation)
        #expect(errors.count == 1, sourceLocation: sourceLocation)
        return errors.first?.description
    }

    /// The stored bytes of the record at `position` as text.
    func recordText(at position: UInt64) throws -> String? {
        try ledger.recordBytes(at: position).map { String(decoding: $0, as: UTF8.self) }
    }
}

// MARK: Building input lines

/// A JSON value as a test writes an event: strings, flags, lists and objects only,
/// as in the interchange format.
indirect enum JSONInput: Sendable, Equatable {
    case string(String)
    case flag(Bool)
    case list([JSONInput])
    case object([String: JSONInput])

    /// Compact JSON with the object keys sorted: for our ASCII keys and texts without
    /// characters to escape beyond `"` `\` and controls, the canonical form.
    var json: String {
        switch self {
        case .string(let text): quoted(text)
        case .flag(let value): value ? "true" : "false"
        case .list(let items): "[" + items.map(\.json).joined(separator: ",") + "]"
        case .object(let members):
            "{"
                + members.sorted { $0.key < $1.key }
                .map { quoted($0.key) + ":" + $0.value.json }
                .joined(separator: ",") + "}"
        }
    }
}

extension JSONInput: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    init(stringLiteral value: String) { self = .string(value) }
    init(booleanLiteral value: Bool) { self = .flag(value) }
    init(arrayLiteral elements: JSONInput...) { self = .list(elements) }
    init(dictionaryLiteral elements: (String, JSONInput)...) {
        self = .object(Dictionary(uniqueKeysWithValues: elements))
    }
}

/// A JSON string literal for `text`, escaping what RFC 8785 escapes.
func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        case _ where scalar.value < 0x20:
            out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// The fixed id number `n`: `00000000-0000-4000-8000-00000000000n`.
func eventID(_ number: Int) -> String {
    let digits = String(number)
    return "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - digits.count) + digits
}

/// The time `minutes` after 2026-03-02T09:00:00Z, in whole minutes, as RFC 3339 text.
func time(_ minutes: Int) -> String {
    let hour = 9 + minutes / 60
    let minute = minutes % 60
    func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return "2026-03-02T\(two(hour)):\(two(minute)):00Z"
}

/// One NDJSON line for an event, keys sorted, no whitespace.
/// - Parameters:
///   - type: The event type's name.
///   - incident: The incident id.
///   - at: The event time; by default 09:00 on the test day.
///   - actor: Who did it.
///   - id: The event id, or nil to let the ledger make one.
///   - data: The data object.
func eventLine(
    _ type: String, _ incident: String = "INC-1", at: String = time(0), actor: String = "alice",
    id: String? = nil, data: [String: JSONInput] = [:]
) -> String {
    var envelope: [String: JSONInput] = [
        "type": .string(type), "incident": .string(incident), "at": .string(at),
        "actor": .string(actor), "data": .object(data),
    ]
    if let id { envelope["id"] = .string(id) }
    return JSONInput.object(envelope).json
}

/// The line of a `detected` event with the usual test data.
func detectedLine(
    _ incident: String = "INC-1", at: String = time(0), id: String? = nil,
    severity: String = "SEV3", title: String = "Export job failed"
) -> String {
    eventLine(
        "detected", incident, at: at, id: id,
        data: ["process": "nightly-export", "severity": .string(severity), "title": .string(title)]
    )
}

/// Lines joined by `\n`, as UTF-8 bytes.
func ndjson(_ lines: [String]) -> [UInt8] {
    Array(lines.joined(separator: "\n").utf8)
}

// MARK: Hashing and files

/// The SHA-256 of `bytes` as 64 lower-case hex digits.
func sha256Hex(_ bytes: [UInt8]) throws -> String {
    try SHA256Hasher().digest(bytes).hex
}

/// 64 zeros: the `prev` of record 1.
let zeroHash = String(repeating: "0", count: 64)

/// The whole content of a file.
func fileBytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Every offset at which `needle` occurs in `haystack`.
func offsets(of needle: [UInt8], in haystack: [UInt8]) -> [Int] {
    guard !needle.isEmpty, haystack.count >= needle.count else { return [] }
    var found: [Int] = []
    let first = needle[0]
    var index = 0
    while index <= haystack.count - needle.count {
        if haystack[index] == first, haystack[index..<index + needle.count].elementsEqual(needle) {
            found.append(index)
        }
        index += 1
    }
    return found
}

/// Overwrites one byte of a file in place.
func overwriteByte(in path: String, at offset: Int, with byte: UInt8) throws {
    let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.seek(toOffset: UInt64(offset))
    try handle.write(contentsOf: [byte])
    try handle.synchronize()
}
