import Interchange
import LedgerCrypto

/// The manifest written beside an export (`FILE.manifest.json`,
/// schemas/export-manifest.schema.json): what the export holds, the head it was
/// taken from, its digests, who made it and when, and whether the ledger recorded it.
public struct ExportManifest: Equatable, Sendable {
    /// The version of the manifest's layout.
    public static let version = 1

    /// The export file's base name.
    public var file: String
    /// Its format.
    public var format: ExportFormat
    /// The filters as given, by name.
    public var filters: [String: String]
    /// The head the export was taken from: before the export's own record, which the
    /// export therefore never holds.
    public var head: ExportHead
    /// A signature of the head, as canonical JSON, when one was made.
    public var headSignature: [UInt8]?
    /// How many records the export holds.
    public var count: Int
    /// The SHA-256 of the export file.
    public var sha256: SHA256Digest
    /// The proofs file's base name and SHA-256, for formats that carry record bytes.
    public var proofs: (file: String, sha256: SHA256Digest)?
    /// The operating-system user who made the export.
    public var exportedBy: String
    /// When the export was made.
    public var exportedAt: Timestamp
    /// The position of the export's `exported` record, when the ledger recorded it.
    public var recordPosition: UInt64?
    /// Why the ledger did not record the export, when it did not.
    public var notRecordedBecause: String?

    /// A manifest.
    public init(
        summary: ExportSummary, proofs: (file: String, sha256: SHA256Digest)?,
        exportedBy: String, exportedAt: Timestamp
    ) {
        file = summary.file
        format = summary.format
        filters = summary.filters
        head = summary.head
        count = summary.count
        sha256 = summary.sha256
        self.proofs = proofs
        self.exportedBy = exportedBy
        self.exportedAt = exportedAt
    }

    /// Whether the ledger recorded the export.
    public var isRecorded: Bool { recordPosition != nil }

    /// What the ledger's `exported` record of this export says.
    public var summary: ExportSummary {
        ExportSummary(
            format: format, filters: filters, count: count, sha256: sha256, head: head,
            file: file)
    }

    public static func == (lhs: ExportManifest, rhs: ExportManifest) -> Bool {
        lhs.encoded() == rhs.encoded()
    }

    /// The manifest as canonical JSON, ended by a newline.
    /// - Complexity: O(1) in the export's size.
    public func encoded() -> [UInt8] {
        var writer = CanonicalJSONWriter(reservingCapacity: 1024)
        writer.beginObject()
        writer.key("count")
        writer.integer(Int64(count))
        writer.key("exportedAt")
        writer.string(exportedAt.text)
        writer.key("exportedBy")
        writer.string(exportedBy)
        writer.key("file")
        writer.string(file)
        writer.key("filters")
        writer.beginObject()
        for (name, value) in filters.sorted(by: { $0.key < $1.key }) {
            writer.key(name)
            writer.string(value)
        }
        writer.endObject()
        writer.key("format")
        writer.string(format.rawValue)
        writer.key("head")
        writer.exportHead(head, signature: headSignature)
        if let notRecordedBecause {
            writer.key("notRecordedBecause")
            writer.string(notRecordedBecause)
        }
        if let proofs {
            writer.key("proofs")
            writer.beginObject()
            writer.key("file")
            writer.string(proofs.file)
            writer.key("sha256")
            writer.string(proofs.sha256.hex)
            writer.endObject()
        }
        if let recordPosition {
            writer.key("recordPosition")
            writer.integer(Int64(recordPosition))
        }
        writer.key("recorded")
        writer.bool(isRecorded)
        writer.key("sha256")
        writer.string(sha256.hex)
        writer.key("version")
        writer.integer(Int64(ExportManifest.version))
        writer.endObject()
        return writer.bytes + [0x0A]
    }

    /// Reads a manifest.
    /// - Parameter bytes: The manifest file's bytes.
    /// - Throws: `EventError` naming the field that is missing or wrong.
    /// - Complexity: O(n) in the manifest's size.
    public init(parsing bytes: [UInt8]) throws(EventError) {
        let document: JSONDocument
        do {
            document = try JSONDocument(parsing: bytes)
        } catch {
            throw EventError("invalid JSON at byte \(error.offset + 1): \(error.message)")
        }
        let reader = ManifestReader(document: document)
        let root = document.root
        guard document.kind(root) == .object else { throw EventError("not a JSON object") }
        try reader.onlyKeys(
            [
                "count", "exportedAt", "exportedBy", "file", "filters", "format", "head",
                "notRecordedBecause", "proofs", "recordPosition", "recorded", "sha256",
                "version",
            ], of: root, field: nil)
        guard try reader.number(root, "version") == UInt64(ExportManifest.version) else {
            throw EventError(field: "version", "must be \(ExportManifest.version)")
        }
        file = try reader.string(root, "file")
        guard let format = ExportFormat(rawValue: try reader.string(root, "format")) else {
            throw EventError(field: "format", "must be one of ndjson, csv, json")
        }
        self.format = format
        count = Int(clamping: try reader.number(root, "count"))
        sha256 = try reader.digest(root, "sha256")
        exportedBy = try reader.string(root, "exportedBy")
        do {
            exportedAt = try Timestamp(parsing: try reader.string(root, "exportedAt"))
        } catch {
            throw EventError(field: "exportedAt", "must be an RFC 3339 time")
        }

        let filtersNode = try reader.object(root, "filters")
        var filters: [String: String] = [:]
        var filterError: EventError?
        document.forEachMember(of: filtersNode) { name, value in
            guard EventSchema.exportFilters.contains(name), document.kind(value) == .string
            else {
                filterError = filterError ?? EventError(field: "filters.\(name)", "unknown filter")
                return
            }
            filters[name] = document.string(value)
        }
        if let filterError { throw filterError }
        self.filters = filters

        let headNode = try reader.object(root, "head")
        try reader.onlyKeys(["hash", "root", "signature", "size"], of: headNode, field: "head")
        head = ExportHead(
            size: try reader.number(headNode, "size", field: "head.size"),
            root: try reader.digest(headNode, "root", field: "head.root"),
            hash: try reader.digest(headNode, "hash", field: "head.hash"))
        if let signature = document.member("signature", of: headNode) {
            headSignature = Array(document.source(signature))
        }

        if let proofsNode = document.member("proofs", of: root) {
            guard document.kind(proofsNode) == .object else {
                throw EventError(field: "proofs", "must be an object")
            }
            proofs = (
                try reader.string(proofsNode, "file", field: "proofs.file"),
                try reader.digest(proofsNode, "sha256", field: "proofs.sha256")
            )
        }
        guard let recorded = document.member("recorded", of: root),
            document.kind(recorded) == .bool
        else {
            throw EventError(field: "recorded", "must be true or false")
        }
        if document.bool(recorded) {
            recordPosition = try reader.number(root, "recordPosition")
        } else {
            notRecordedBecause = try reader.string(root, "notRecordedBecause")
        }
    }
}

/// Reads a manifest's members, naming the field in every error.
private struct ManifestReader {
    let document: JSONDocument

    func onlyKeys(_ keys: [String], of node: JSONNode, field: String?) throws(EventError) {
        var unknown: String?
        document.forEachMember(of: node) { key, _ in
            if unknown == nil, !keys.contains(key) { unknown = key }
        }
        if let unknown {
            throw EventError(field: field.map { "\($0).\(unknown)" } ?? unknown, "unknown field")
        }
    }

    func member(_ node: JSONNode, _ key: String, field: String?) throws(EventError) -> JSONNode {
        var found: JSONNode?
        document.forEachMember(of: node) { name, value in
            if name == key { found = value }
        }
        guard let found else { throw EventError(field: field ?? key, "is required") }
        return found
    }

    func string(
        _ node: JSONNode, _ key: String, field: String? = nil
    ) throws(EventError)
        -> String
    {
        let value = try member(node, key, field: field)
        guard document.kind(value) == .string else {
            throw EventError(field: field ?? key, "must be a string")
        }
        return document.string(value)
    }

    func number(
        _ node: JSONNode, _ key: String, field: String? = nil
    ) throws(EventError)
        -> UInt64
    {
        let value = try member(node, key, field: field)
        guard document.kind(value) == .number, let number = document.integer(value), number >= 0
        else {
            throw EventError(field: field ?? key, "must be a whole number from 0")
        }
        return UInt64(number)
    }

    func digest(
        _ node: JSONNode, _ key: String, field: String? = nil
    ) throws(EventError)
        -> SHA256Digest
    {
        let text = try string(node, key, field: field)
        guard let digest = SHA256Digest(hex: text), digest.hex == text else {
            throw EventError(field: field ?? key, "must be 64 lower-case hexadecimal digits")
        }
        return digest
    }

    func object(_ node: JSONNode, _ key: String) throws(EventError) -> JSONNode {
        let value = try member(node, key, field: nil)
        guard document.kind(value) == .object else {
            throw EventError(field: key, "must be an object")
        }
        return value
    }
}
