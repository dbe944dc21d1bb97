import Interchange
import LedgerCrypto

/// One thing wrong with an export, placed as exactly as it can be.
public struct ExportProblem: Sendable, Equatable, CustomStringConvertible {
    /// The line of the export file (of the proofs file when the reason says so), or
    /// the CSV row's first line.
    public var line: Int?
    /// The record's position.
    public var position: UInt64?
    /// What is wrong.
    public var reason: String

    /// `line 3 (position 17): differs from the ledger's record at that position`.
    public var description: String {
        switch (line, position) {
        case (let line?, let position?): "line \(line) (position \(position)): \(reason)"
        case (let line?, nil): "line \(line): \(reason)"
        case (nil, let position?): "position \(position): \(reason)"
        case (nil, nil): reason
        }
    }
}

/// A file read a piece at a time: an export's proofs file, which is several times the
/// size of the export itself.
public protocol ExportInput: AnyObject {
    /// Reads the next bytes into `buffer`; 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// What checking an export against its manifest and the ledger found.
public struct ExportVerification: Sendable {
    /// How many records the export file holds.
    public var records = 0
    /// Everything found wrong, in the order found.
    public var problems: [ExportProblem] = []

    /// Whether the export checked out.
    public var isIntact: Bool { problems.isEmpty }
}

/// A record as an export file holds it.
private struct ExportEntry {
    var line: Int
    /// Its position; nil when the record cannot be read (a problem already says so).
    var position: UInt64?
    /// Where its bytes are in the file, for the formats that carry them.
    var bytes: Range<Int>?
    /// Its cells, for CSV.
    var cells: CSVRow?
}

/// The header of a CSV export, shared by all its rows.
private final class CSVColumns {
    /// Each column's place in a row.
    let places: [String: Int]
    /// The columns in name order, with their places.
    let byName: [(name: String, place: Int)]

    /// The columns of `header`; nil when it names a column twice.
    init?(_ header: [String]) {
        var places: [String: Int] = [:]
        for (place, name) in header.enumerated() {
            guard places.updateValue(place, forKey: name) == nil else { return nil }
        }
        self.places = places
        byName = places.map { (name: $0.key, place: $0.value) }.sorted { $0.name < $1.name }
    }
}

/// A row of a CSV export: its fields, read through the header. A million rows hold a
/// million arrays of fields, not a million dictionaries.
private struct CSVRow {
    let columns: CSVColumns
    let fields: [String]

    /// The cell in `column`; nil when the header has no such column.
    subscript(column: String) -> String? {
        columns.places[column].map { fields[$0] }
    }

    /// The cells in column name order.
    var inColumnOrder: some Sequence<(column: String, value: String)> {
        columns.byName.lazy.map { (column: $0.name, value: fields[$0.place]) }
    }
}

extension Ledger {
    /// Checks an export against its manifest and against this ledger: the file's
    /// digest and count; each record equal, byte for byte (CSV: cell for cell), to the
    /// ledger's at its position; each inclusion proof valid for the manifest's head;
    /// the manifest's head a prefix of this ledger (the ledger's tree of that size has
    /// that root); the export holding exactly the records its filters select at that
    /// head; and, when the manifest says it was recorded, the ledger's `exported`
    /// record at that position describing this export.
    /// - Parameters:
    ///   - file: The export file's bytes.
    ///   - manifest: Its manifest.
    ///   - proofs: The proofs file, for formats that carry record bytes, read as it is
    ///     checked; nil when it could not be opened.
    ///   - signer: The public key the manifest's head must be signed with, if any.
    /// - Returns: The problems found, each naming the line and position.
    /// - Throws: `LedgerError` when the ledger cannot be read, or what reading `proofs`
    ///   throws.
    /// - Complexity: O(n) in the export's size plus O(n) in the ledger up to the head;
    ///   the proofs file is read through a buffer of 1 MiB.
    public func verifyExport(
        file: [UInt8], manifest: ExportManifest, proofs: (any ExportInput)?,
        signer: Ed25519PublicKey? = nil
    ) throws -> ExportVerification {
        var result = ExportVerification()
        func problem(_ line: Int?, _ position: UInt64?, _ reason: String) {
            result.problems.append(ExportProblem(line: line, position: position, reason: reason))
        }

        let digest = hasher.digest(file)
        if digest != manifest.sha256 {
            problem(
                nil, nil,
                "the export file's SHA-256 is \(digest.hex), the manifest says "
                    + manifest.sha256.hex)
        }
        let entries = readEntries(file, manifest: manifest, problem: problem)
        result.records = entries.count
        if entries.count != manifest.count {
            problem(
                nil, nil,
                "the export holds \(entries.count) records, the manifest says \(manifest.count)")
        }

        try checkHead(manifest.head, problem: problem)
        checkSignature(manifest, signer: signer, problem: problem)
        try checkRecords(entries, file: file, manifest: manifest, problem: problem)
        if manifest.format.carriesRecordBytes {
            try checkProofs(
                proofs, file: file, entries: entries, manifest: manifest, problem: problem)
        }
        try checkSelection(entries, manifest: manifest, problem: problem)
        if let position = manifest.recordPosition {
            try checkRecordOfExport(at: position, manifest: manifest, problem: problem)
        }
        return result
    }

    /// The records the file holds, in the file's order.
    private func readEntries(
        _ file: [UInt8], manifest: ExportManifest,
        problem: (Int?, UInt64?, String) -> Void
    ) -> [ExportEntry] {
        var entries: [ExportEntry] = []
        // A record that cannot be read keeps its place, so that the proofs stay aligned.
        func position(of bytes: [UInt8], line: Int) -> UInt64? {
            do {
                return try EventDecoder.decodeRecord(bytes[...]).position
            } catch {
                let stated = (try? JSONDocument(parsing: bytes)).flatMap { document in
                    document.member("position", of: document.root).flatMap(document.integer)
                }
                let found = stated.flatMap { $0 > 0 ? UInt64($0) : nil }
                problem(line, found, "not a record: \(error)")
                return nil
            }
        }
        switch manifest.format {
        case .ndjson:
            if let last = file.last, last != 0x0A {
                problem(nil, nil, "the export file does not end with a newline (truncated?)")
            }
            var lines = file.split(separator: 0x0A, omittingEmptySubsequences: false)
            if lines.last?.isEmpty == true { lines.removeLast() }
            for (index, line) in lines.enumerated() {
                let found = position(of: Array(line), line: index + 1)
                entries.append(ExportEntry(line: index + 1, position: found, bytes: line.indices))
            }
        case .json:
            let document: JSONDocument
            do {
                document = try JSONDocument(parsing: file, maxDepth: 40)
            } catch {
                problem(nil, nil, "not JSON at byte \(error.offset + 1): \(error.message)")
                return []
            }
            var head = CanonicalJSONWriter()
            head.exportHead(manifest.head)
            let stated = document.member("head", of: document.root).map {
                Array(document.source($0))
            }
            if stated != head.bytes {
                problem(nil, nil, "the document's head differs from the manifest's")
            }
            guard let records = document.member("records", of: document.root),
                document.kind(records) == .array
            else {
                problem(nil, nil, "the document has no records array")
                return []
            }
            for (index, node) in document.elements(of: records).enumerated() {
                let source = document.source(node)
                let found = position(of: Array(source), line: index + 1)
                entries.append(
                    ExportEntry(line: index + 1, position: found, bytes: source.indices))
            }
        case .csv:
            let rows: [(line: Int, fields: [String])]
            do {
                rows = try ExportCSV.rows(file)
            } catch {
                problem(error.line, nil, "not CSV: \(error.message)")
                return []
            }
            guard let header = rows.first?.fields, header.starts(with: ExportCSV.envelope) else {
                problem(1, nil, "the header does not begin with the columns of a record")
                return []
            }
            guard let columns = CSVColumns(header) else {
                problem(1, nil, "the header names a column twice")
                return []
            }
            for row in rows.dropFirst() {
                guard row.fields.count == header.count else {
                    problem(
                        row.line, nil,
                        "the row has \(row.fields.count) fields, the header \(header.count)")
                    continue
                }
                let cells = CSVRow(columns: columns, fields: row.fields)
                guard let text = cells["position"], let found = UInt64(text), found > 0 else {
                    problem(row.line, nil, "position is not a whole number from 1")
                    continue
                }
                entries.append(ExportEntry(line: row.line, position: found, cells: cells))
            }
        }
        return entries
    }

    /// The manifest's head must be a prefix of this ledger.
    private func checkHead(
        _ head: ExportHead, problem: (Int?, UInt64?, String) -> Void
    ) throws(LedgerError) {
        let current = try self.head()
        guard head.size <= current.position else {
            problem(
                nil, nil,
                "the manifest's head has \(head.size) records, the ledger only "
                    + "\(current.position)")
            return
        }
        let tree = try treeHead(size: head.size)
        if tree.root != head.root {
            problem(
                nil, nil,
                "the ledger's tree of \(head.size) records has root \(tree.root.hex), not the "
                    + "manifest's \(head.root.hex): the ledger does not extend that head")
        }
        let hash = try recordBytes(at: head.size).map { hasher.digest($0) } ?? .zero
        if hash != head.hash {
            problem(
                nil, head.size,
                "the ledger's record hashes to \(hash.hex), the manifest's head says "
                    + head.hash.hex)
        }
    }

    /// A signature of the head must be of this head, and by `signer` when one is given.
    private func checkSignature(
        _ manifest: ExportManifest, signer: Ed25519PublicKey?,
        problem: (Int?, UInt64?, String) -> Void
    ) {
        guard let bytes = manifest.headSignature else {
            if signer != nil { problem(nil, nil, "the manifest's head is not signed") }
            return
        }
        let signed: SignedTreeHead
        do {
            signed = try SignedTreeHead(parsing: bytes)
        } catch {
            problem(nil, nil, "the head's signature: \(error)")
            return
        }
        if !manifest.head.isSigned(by: signed) {
            problem(nil, nil, "the head's signature is of another head")
        }
        if let signer {
            do {
                try signed.verify(with: signer)
            } catch {
                problem(nil, nil, "the head's signature: \(error)")
            }
        }
    }

    /// Each record must be the ledger's, at a position within the head, in order.
    private func checkRecords(
        _ entries: [ExportEntry], file: [UInt8], manifest: ExportManifest,
        problem: (Int?, UInt64?, String) -> Void
    ) throws(LedgerError) {
        var previous: UInt64 = 0
        for entry in entries {
            guard let position = entry.position else { continue }
            if position <= previous {
                problem(entry.line, position, "comes after position \(previous): out of order")
            }
            previous = max(previous, position)
            guard position <= manifest.head.size else {
                problem(
                    entry.line, position,
                    "is past the head the export was taken from (\(manifest.head.size))")
                continue
            }
            guard let stored = try recordBytes(at: position) else {
                problem(entry.line, position, "the ledger has no record there")
                continue
            }
            if let range = entry.bytes, !file[range].elementsEqual(stored) {
                let bytes = file[range]
                let at =
                    zip(bytes, stored).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                    ?? min(bytes.count, stored.count)
                problem(
                    entry.line, position,
                    "differs from the ledger's record at that position (from byte \(at + 1))")
            }
            if let cells = entry.cells {
                let record: Record
                do {
                    record = try EventDecoder.decodeRecord(stored[...])
                } catch {
                    throw LedgerError.corrupt(position: position, reason: error.description)
                }
                let expected = ExportCSV.cells(of: record, sha256: hasher.digest(stored))
                for (column, value) in cells.inColumnOrder
                where (expected[column] ?? "") != value {
                    problem(
                        entry.line, position,
                        "column \(column) is \(FieldRules.quoted(value)), the ledger's record "
                            + "says \(FieldRules.quoted(expected[column] ?? ""))")
                    break
                }
                for column in expected.keys.sorted() where cells[column] == nil {
                    problem(entry.line, position, "the header has no column \(column)")
                    break
                }
            }
        }
    }

    /// Each proof must be for its record's leaf and lead to the manifest's root.
    private func checkProofs(
        _ proofs: (any ExportInput)?, file: [UInt8], entries: [ExportEntry],
        manifest: ExportManifest, problem: (Int?, UInt64?, String) -> Void
    ) throws {
        guard let stated = manifest.proofs else {
            problem(nil, nil, "the manifest names no proofs file")
            return
        }
        guard let proofs else {
            problem(nil, nil, "the proofs file \(stated.file) cannot be read")
            return
        }
        // The file's digest and line count come first among its problems, and are known
        // only once it has all been read: the lines' own problems wait until then.
        var lineProblems: [ExportProblem] = []
        var count = 0
        let digest = try forEachLine(of: proofs) { line in
            let index = count
            count += 1
            guard index < entries.count, let range = entries[index].bytes else { return }
            let entry = entries[index]
            func lineProblem(_ reason: String) {
                lineProblems.append(
                    ExportProblem(line: index + 1, position: entry.position, reason: reason))
            }
            let place = "proofs file line \(index + 1)"
            guard let proof = ExportProof(parsing: Array(line)) else {
                lineProblem("\(place) is not a proof")
                return
            }
            if let position = entry.position, proof.position != position {
                lineProblem("\(place) is for position \(proof.position), not this record's")
                return
            }
            let leaf = file[range].withUnsafeBytes {
                MerkleTree<NoHashes>.leafHash($0, hasher: hasher)
            }
            if proof.leaf != leaf {
                lineProblem("\(place) is for leaf \(proof.leaf.hex), the record's is \(leaf.hex)")
                return
            }
            let root = InclusionCheck.root(
                index: proof.position - 1, size: manifest.head.size, leaf: leaf,
                proof: proof.hashes, hasher: hasher)
            if root != manifest.head.root {
                lineProblem("\(place): the inclusion proof does not lead to the manifest's root")
            }
        }
        if digest != stated.sha256 {
            problem(
                nil, nil,
                "the proofs file's SHA-256 is \(digest.hex), the manifest says "
                    + stated.sha256.hex)
        }
        if count != entries.count {
            problem(nil, nil, "the proofs file has \(count) lines for \(entries.count) records")
        }
        for found in lineProblems { problem(found.line, found.position, found.reason) }
    }

    /// Calls `body` with each line of `input`, without its newline, reading it through
    /// a buffer; a last line with no newline after it counts, an empty one does not.
    /// - Returns: The SHA-256 of everything read.
    private func forEachLine(
        of input: any ExportInput, _ body: (ArraySlice<UInt8>) throws -> Void
    ) throws -> SHA256Digest {
        let digest = SHA256Stream()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        // A line begun in one chunk and ended in a later one.
        var partial: [UInt8] = []
        while true {
            let count = try chunk.withUnsafeMutableBytes { try input.read(into: $0) }
            guard count > 0 else { break }
            chunk.withUnsafeBytes { digest.add(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            var start = 0
            while let newline = chunk[start..<count].firstIndex(of: 0x0A) {
                if partial.isEmpty {
                    try body(chunk[start..<newline])
                } else {
                    partial += chunk[start..<newline]
                    try body(partial[...])
                    partial.removeAll(keepingCapacity: true)
                }
                start = newline + 1
            }
            partial += chunk[start..<count]
        }
        if !partial.isEmpty { try body(partial[...]) }
        return digest.finish()
    }

    /// The export must hold exactly the records its filters select at its head.
    private func checkSelection(
        _ entries: [ExportEntry], manifest: ExportManifest,
        problem: (Int?, UInt64?, String) -> Void
    ) throws(LedgerError) {
        var selection: ExportSelection
        do {
            selection = try ExportSelection(given: manifest.filters)
        } catch {
            problem(nil, nil, "the manifest's filter \(error)")
            return
        }
        guard manifest.head.size <= (try head()).position else { return }
        selection.asOf = .position(manifest.head.size)
        let selected = Set(try exportedPositions(selection))
        let held = Set(entries.compactMap(\.position))
        for position in selected.subtracting(held).sorted() {
            problem(nil, position, "is selected by the manifest's filters but not in the export")
        }
        for entry in entries {
            guard let position = entry.position, !selected.contains(position) else { continue }
            problem(entry.line, position, "is not selected by the manifest's filters")
        }
    }

    /// The ledger's record of the export must describe it.
    private func checkRecordOfExport(
        at position: UInt64, manifest: ExportManifest,
        problem: (Int?, UInt64?, String) -> Void
    ) throws(LedgerError) {
        guard position > manifest.head.size else {
            problem(
                nil, position,
                "the manifest says the export was recorded here, within its own head")
            return
        }
        guard let bytes = try recordBytes(at: position) else {
            problem(nil, position, "the manifest says the export was recorded here; no record")
            return
        }
        let record: Record
        do {
            record = try EventDecoder.decodeRecord(bytes[...])
        } catch {
            throw LedgerError.corrupt(position: position, reason: error.description)
        }
        guard record.event.type == .exported, manifest.summary.matches(record.event.data),
            record.recordedBy == manifest.exportedBy
        else {
            problem(nil, position, "the ledger's record there does not describe this export")
            return
        }
    }
}

/// One line of an export's proofs file (schemas/export-proof.schema.json).
struct ExportProof {
    var position: UInt64
    var leaf: SHA256Digest
    var hashes: [SHA256Digest]

    /// Reads a line; nil when it is not a well-formed proof.
    init?(parsing line: [UInt8]) {
        guard let document = try? JSONDocument(parsing: line),
            let positionNode = document.member("position", of: document.root),
            let position = document.integer(positionNode), position > 0,
            let leafNode = document.member("leaf", of: document.root),
            document.kind(leafNode) == .string,
            let leaf = SHA256Digest(hex: document.string(leafNode)),
            let proofNode = document.member("proof", of: document.root),
            document.kind(proofNode) == .array, document.count(document.root) == 3
        else { return nil }
        var hashes: [SHA256Digest] = []
        for node in document.elements(of: proofNode) {
            guard document.kind(node) == .string,
                let hash = SHA256Digest(hex: document.string(node))
            else { return nil }
            hashes.append(hash)
        }
        self.position = UInt64(position)
        self.leaf = leaf
        self.hashes = hashes
    }
}
