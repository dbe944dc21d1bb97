import Interchange
import LedgerCrypto
import LedgerStorage

/// The head an export was taken from: the tree of its first `size` records.
public struct ExportHead: Sendable {
    /// How many records the head covers (the last position).
    public var size: UInt64
    /// The RFC 6962 Merkle root of those records.
    public var root: SHA256Digest
    /// The SHA-256 of the record at `size` (the chain's head); zero for no records.
    public var hash: SHA256Digest
    /// When the record at `size` was appended; nil for no records, or when not read.
    /// Not written in the manifest's head (a signature of the head carries it).
    public var recordedAt: Timestamp?

    /// A head.
    public init(size: UInt64, root: SHA256Digest, hash: SHA256Digest) {
        self.size = size
        self.root = root
        self.hash = hash
    }

    /// The head signed with `key`, in the form of `incidents head --sign`.
    /// - Parameters:
    ///   - signedAt: The signing time.
    ///   - key: The Ed25519 signing key.
    /// - Throws: `KeyError` when libcrypto fails to sign.
    public func signed(
        at signedAt: Timestamp, with key: Ed25519PrivateKey
    ) throws(KeyError) -> SignedTreeHead {
        try SignedTreeHead(
            head: Head(position: size, hash: hash, recordedAt: recordedAt),
            tree: TreeHead(size: size, root: root), signedAt: signedAt, key: key)
    }

    /// Whether a signed head is of this head: the same size, last hash and root.
    public func isSigned(by signed: SignedTreeHead) -> Bool {
        signed.head.position == size && signed.tree.size == size && signed.head.hash == hash
            && signed.tree.root == root
    }
}

extension ExportHead: Equatable {
    /// Heads are equal when they cover the same records with the same hashes.
    public static func == (lhs: ExportHead, rhs: ExportHead) -> Bool {
        lhs.size == rhs.size && lhs.root == rhs.root && lhs.hash == rhs.hash
    }
}

extension Ledger {
    /// The positions of the records `selection` picks, in order, read in one snapshot.
    /// - Complexity: O(n) in the records up to the moment, in O(k) memory for k records
    ///   picked; an `asOf` with a process filter also folds the log to that moment.
    public func exportedPositions(_ selection: ExportSelection) throws(LedgerError) -> [UInt64] {
        do {
            return try withSelection(selection) { size, processes, txn in
                var positions: [UInt64] = []
                try forEachSelected(selection, size: size, processes: processes, in: txn) {
                    position, _, _ in positions.append(position)
                }
                return positions
            }
        } catch {
            throw Ledger.wrap(error)
        }
    }

    /// Writes an export as its records are read, never holding more than one of them:
    /// the export file to `contents` and, for formats that carry record bytes, one
    /// RFC 6962 inclusion proof per record to `proofs`; each is hashed as it is written.
    /// - Parameters:
    ///   - selection: The filters and the moment.
    ///   - format: The export's format.
    ///   - file: The export file's base name, for the summary.
    ///   - contents: Where the export file goes.
    ///   - proofs: Where the proofs file goes; nil for none (csv has none).
    /// - Returns: The summary (the count, the file's SHA-256 and the head) and the
    ///   proofs file's SHA-256, nil when none was written.
    /// - Throws: `LedgerError` when the ledger cannot be read, or what an output throws;
    ///   the outputs then hold part of the export.
    /// - Complexity: O(n) in the records up to the moment, plus O(log² n) reads for each
    ///   proof, in O(1) memory beyond the outputs' (csv reads the records twice: once for
    ///   its columns); an `asOf` with a process filter also folds the log to that moment.
    public func writeExport(
        _ selection: ExportSelection, format: ExportFormat, file: String,
        contents: some ExportOutput, proofs: (any ExportOutput)?
    ) throws -> (summary: ExportSummary, proofsDigest: SHA256Digest?) {
        let proofs = format.carriesRecordBytes ? proofs : nil
        let contentsDigest = SHA256Stream()
        let proofsDigest = SHA256Stream()
        func emit(_ bytes: UnsafeRawBufferPointer) throws {
            contentsDigest.add(bytes)
            try contents.write(bytes)
        }
        func emit(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes { try emit($0) }
        }
        let newline: [UInt8] = [0x0A]

        let (head, count) = try withSelection(selection) { size, processes, txn in
            let tree = keptTree(in: txn)
            let head = try exportHead(size: size, tree: tree, in: txn)
            var count = 0
            switch format {
            case .ndjson, .json:
                if format == .json {
                    var writer = CanonicalJSONWriter()
                    writer.exportHead(head)
                    try emit(Array(#"{"head":"#.utf8) + writer.bytes + Array(#","records":["#.utf8))
                }
                var proof = CanonicalJSONWriter(reservingCapacity: 2048)
                try forEachSelected(selection, size: size, processes: processes, in: txn) {
                    position, bytes, _ in
                    if format == .json, count > 0 { try emit([UInt8(ascii: ",")]) }
                    try emit(bytes)
                    if format == .ndjson { try emit(newline) }
                    count += 1
                    guard let proofs else { return }
                    proof.reset()
                    proof.exportProof(
                        position: position,
                        leaf: MerkleTree<KeptSubtrees<ReadTransaction>>.leafHash(
                            bytes, hasher: hasher),
                        proof: try tree.inclusionProof(index: position - 1, size: size))
                    proof.bytes.append(0x0A)
                    try proof.bytes.withUnsafeBytes { line in
                        proofsDigest.add(line)
                        try proofs.write(line)
                    }
                }
                if format == .json { try emit(Array("]}\n".utf8)) }
            case .csv:
                // The columns are every data field of any record picked: known only once
                // all have been read.
                var dataColumns: Set<String> = []
                try forEachSelected(selection, size: size, processes: processes, in: txn) {
                    _, _, record in ExportCSV.addDataColumns(of: record, to: &dataColumns)
                }
                let columns = ExportCSV.envelope + dataColumns.sorted()
                try emit(ExportCSV.line(columns))
                try forEachSelected(selection, size: size, processes: processes, in: txn) {
                    _, bytes, record in
                    let cells = ExportCSV.cells(of: record, sha256: hasher.digest(bytes))
                    try emit(ExportCSV.line(columns.map { cells[$0] ?? "" }))
                    count += 1
                }
            }
            return (head, count)
        }
        let summary = ExportSummary(
            format: format, filters: selection.given, count: count,
            sha256: contentsDigest.finish(), head: head, file: file)
        return (summary, proofs == nil ? nil : proofsDigest.finish())
    }

    /// Calls `body` with the size of the log at the selection's moment, each incident's
    /// process when the selection needs them, and a snapshot that holds that size.
    private func withSelection<Result>(
        _ selection: ExportSelection,
        _ body: (UInt64, [String: String], ReadTransaction) throws -> Result
    ) throws -> Result {
        guard let moment = selection.asOf else {
            return try environment.read { txn in
                let size = UInt64(try txn.count(records))
                let processes = selection.needsProcesses ? try keptProcesses(in: txn) : [:]
                return try body(size, processes, txn)
            }
        }
        // A past moment is a fixed prefix of the log: its incidents' processes come
        // from folding it, in a snapshot of their own.
        let size = try environment.read { txn in try position(of: moment, in: txn) }
        var processes: [String: String] = [:]
        if selection.needsProcesses {
            for state in try states(asOf: .position(size)) {
                processes[state.incident] = state.process
            }
        }
        return try environment.read { txn in try body(size, processes, txn) }
    }

    /// The head of the first `size` records: their tree's root and the last one's hash.
    private func exportHead(
        size: UInt64, tree: MerkleTree<KeptSubtrees<ReadTransaction>>, in txn: ReadTransaction
    ) throws -> ExportHead {
        var head = ExportHead(size: size, root: try tree.root(size: size), hash: .zero)
        guard size > 0 else { return head }
        guard let last = try txn.value(in: records, forKey: bigEndianBytes(size)) else {
            throw LedgerError.corrupt(position: size, reason: "the record is missing")
        }
        do {
            head.recordedAt = try EventDecoder.decodeRecord(last[...]).recordedAt
        } catch {
            throw LedgerError.corrupt(position: size, reason: error.description)
        }
        head.hash = hasher.digest(last)
        return head
    }

    /// Each incident's process, from the kept facts.
    private func keptProcesses(in txn: some ReadableTransaction) throws -> [String: String] {
        try txn.withCursor(incidentFacts) { cursor in
            var processes: [String: String] = [:]
            var names = StringInterner()
            var entry = try cursor.first()
            while let current = entry {
                let incident = String(decoding: current.key, as: UTF8.self)
                guard
                    let facts = IncidentFacts(
                        incident: incident, encoded: current.value, names: &names)
                else {
                    throw LedgerError.corrupt(
                        position: 0,
                        reason: "the kept facts of \(incident) cannot be read; run "
                            + "'incidents rebuild'")
                }
                processes[incident] = facts.process
                entry = try cursor.next()
            }
            return processes
        }
    }

    /// Calls `body` with each of the first `size` records that `selection` picks, in
    /// order: its position, its stored bytes (valid only during the call) and the
    /// record decoded.
    private func forEachSelected(
        _ selection: ExportSelection, size: UInt64, processes: [String: String],
        in txn: some ReadableTransaction,
        _ body: (UInt64, UnsafeRawBufferPointer, Record) throws -> Void
    ) throws {
        guard size > 0 else { return }
        try txn.withCursor(records) { cursor in
            var entry = try cursor.first()
            while let current = entry, let position = bigEndianValue(current.key),
                position <= size
            {
                let record: Record
                do {
                    record = try EventDecoder.decodeRecord(ArraySlice(current.value))
                } catch let error as EventError {
                    throw LedgerError.corrupt(position: position, reason: error.description)
                }
                if selection.matches(record.event, processes: processes) {
                    try body(position, current.value, record)
                }
                entry = try cursor.next()
            }
        }
    }
}

/// What the ledger's own record of an export says (the data of an `exported` record).
public struct ExportSummary: Equatable, Sendable {
    /// The export's format (`ExportFormat`).
    public var format: ExportFormat
    /// The filters as given, by name.
    public var filters: [String: String]
    /// How many records it holds.
    public var count: Int
    /// The SHA-256 of the export file.
    public var sha256: SHA256Digest
    /// The head it was taken from.
    public var head: ExportHead
    /// The export file's base name.
    public var file: String

    /// A summary.
    public init(
        format: ExportFormat, filters: [String: String], count: Int, sha256: SHA256Digest,
        head: ExportHead, file: String
    ) {
        self.format = format
        self.filters = filters
        self.count = count
        self.sha256 = sha256
        self.head = head
        self.file = file
    }

    /// The `data` of the `exported` record.
    var data: EventData {
        var labels = EventData()
        for (name, value) in filters { labels.set(name, .string(value)) }
        return EventData([
            "count": .integer(UInt64(count)),
            "file": .string(file),
            "filters": .fields(labels),
            "format": .string(format.rawValue),
            "headRoot": .string(head.root.hex),
            "headSize": .integer(head.size),
            "sha256": .string(sha256.hex),
        ])
    }

    /// Whether an `exported` record's data says exactly this.
    public func matches(_ data: EventData) -> Bool {
        data == self.data
    }
}

extension Ledger {
    /// Appends the ledger-level `exported` record of an export made by this process's
    /// user, after the export was taken.
    /// - Parameters:
    ///   - summary: What was exported.
    ///   - time: When the export was made (the record's `at`).
    /// - Returns: The position of the record.
    /// - Throws: `LedgerError.permissionDenied` when the ledger cannot be written,
    ///   `.storage` when the disk is full; then nothing was written.
    /// - Complexity: O(log n), one durable commit.
    public func recordExport(
        _ summary: ExportSummary, at time: Timestamp
    ) throws(LedgerError) -> UInt64 {
        let event = Event(
            id: EventID.random(), incident: "", type: .exported, at: time,
            actor: Ledger.currentUser(), data: summary.data)
        var options = AppendOptions()
        options.acceptsLedgerLevel = true
        let report = try append(EventBatch(events: [event]), options: options)
        guard let position = report.firstPosition else {
            throw LedgerError.storage(StorageError(code: -1, operation: "record the export"))
        }
        return position
    }
}

/// Where an export's bytes go as they are made: a file, or memory.
public protocol ExportOutput: AnyObject {
    /// Takes the next bytes.
    func write(_ bytes: UnsafeRawBufferPointer) throws
}
