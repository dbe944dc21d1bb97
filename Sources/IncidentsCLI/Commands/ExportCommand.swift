import CommandLineKit
import Glibc
import IncidentLedger
import Interchange
import LedgerCrypto

extension Command {
    /// `incidents export`: an audit export, its manifest and its proofs.
    static let export = Command(
        spec: CommandSpec(
            name: "export", summary: "Write an audit export with its manifest and proofs",
            discussion: "Writes the selected records to FILE and, beside it, FILE.manifest.json "
                + "(the filters, the head the export was taken from, the count, the SHA-256 of "
                + "each file, who exported and when). ndjson writes each record's stored bytes "
                + "unchanged, one per line; json one canonical document {\"head\":...,"
                + "\"records\":[...]} holding the same bytes; both get FILE.proofs.ndjson, an "
                + "RFC 6962 inclusion proof of each record in the head's tree. csv flattens the "
                + "fields for spreadsheets (data.title, ...) with each record's position and "
                + "SHA-256. --since and --until apply to when events happened (at). The export "
                + "is recorded in the ledger as an 'exported' record after the head it was "
                + "taken from; a user who may not write the ledger still gets the export, and "
                + "the manifest says it was not recorded and why. 'incidents verify --export "
                + "FILE' and 'tools/ledger-check.py --export FILE' check it. With --key KEY, the "
                + "manifest's head carries a signature in the form of 'incidents head --sign'.",
            options: [
                OptionSpec(
                    "format", value: "FORMAT", help: "The export file's format",
                    allowed: ExportFormat.allCases.map(\.rawValue), required: true),
                OptionSpec(
                    "output", short: "o", value: "FILE", help: "The export file to write",
                    required: true),
                OptionSpec(
                    "since", value: "TIME", help: "Only events that happened at or after TIME"),
                OptionSpec("until", value: "TIME", help: "Only events that happened before TIME"),
                OptionSpec("incident", value: "ID", help: "Only this incident's events"),
                OptionSpec(
                    "process", value: "NAME",
                    help: "Only events of incidents whose process, as of the export's head, is NAME"
                ),
                OptionSpec("actor", value: "NAME", help: "Only events by this actor"),
                OptionSpec(
                    "as-of", value: "POSITION|TIME",
                    help: "Only the records up to this position or recorded time (RFC 3339); "
                        + "the head is taken at that size"),
                OptionSpec.flag("force", help: "Replace FILE, its manifest and proofs if present"),
                SigningOptions.key,
            ],
            examples: [
                "incidents export --format ndjson -o audit.ndjson",
                "incidents export --since 2026-01-01T00:00:00Z --until 2026-04-01T00:00:00Z "
                    + "--process payments --format csv -o q1-payments.csv",
                "incidents export --format json -o audit.json --key head-signing.pem",
                "incidents verify --export audit.ndjson",
            ]
        ).withCommonOptions(json: true)
    ) { arguments, context in
        let request = try ExportRequest(arguments)
        let key = try arguments.signingKey()
        let (ledger, readOnlyBecause) = try ExportRequest.open(context.ledgerPath)
        // The files are written as the records are read, beside their final paths, and
        // moved into place together once the manifest is written too.
        let contents = try StagedWriter(path: request.output)
        let proofs =
            request.format.carriesRecordBytes ? try StagedWriter(path: request.proofsPath) : nil
        let written = try ledger.writeExport(
            request.selection, format: request.format, file: request.baseName,
            contents: contents, proofs: proofs)
        var staged: [StagedFile] = []
        defer { for file in staged { file.discard() } }
        staged.append(try contents.finish())
        if let proofs { staged.append(try proofs.finish()) }

        let exportedAt = Timestamp(utcNanoseconds: Ledger.now(), fractionDigits: 6)
        var manifest = ExportManifest(
            summary: written.summary,
            proofs: written.proofsDigest.map { (ExportRequest.baseName(request.proofsPath), $0) },
            exportedBy: Ledger.currentUser(), exportedAt: exportedAt)
        if let key {
            do {
                manifest.headSignature = try written.summary.head.signed(at: exportedAt, with: key)
                    .canonicalBytes
            } catch let error as KeyError {
                throw CLIError(keyError: error)
            }
        }
        if let readOnlyBecause {
            manifest.notRecordedBecause = readOnlyBecause
        } else {
            do {
                manifest.recordPosition = try ledger.recordExport(written.summary, at: exportedAt)
            } catch LedgerError.permissionDenied(let message) {
                manifest.notRecordedBecause = message
            } catch LedgerError.storage(let error) where ExportRequest.deniesWriting(error.code) {
                manifest.notRecordedBecause = "the ledger could not be written: \(error)"
            }
        }
        staged.append(try StagedFile(path: request.manifestPath, bytes: manifest.encoded()))
        for file in staged { try file.commit() }
        staged = []

        if arguments.flag("json") {
            context.out.write(bytes: manifest.encoded())
            return .success
        }
        let head = manifest.head
        context.out.line(
            "exported \(manifest.count) record\(manifest.count == 1 ? "" : "s") to "
                + "\(request.output) (\(request.format.rawValue)), "
                + "from the head of \(head.size) records, root \(head.root.hex)")
        context.out.line("manifest: \(request.manifestPath)")
        if written.proofsDigest != nil { context.out.line("proofs: \(request.proofsPath)") }
        if let key {
            context.out.line("head signed by key \(key.publicKey.keyID)")
        }
        if let position = manifest.recordPosition {
            context.out.line("recorded in the ledger at position \(position)")
        } else {
            context.out.line("not recorded in the ledger: \(manifest.notRecordedBecause ?? "")")
        }
        return .success
    }
}

/// What `export` was asked for: checked in full before the ledger is opened.
private struct ExportRequest {
    var selection: ExportSelection
    var format: ExportFormat
    var output: String
    var manifestPath: String { output + ".manifest.json" }
    var proofsPath: String { output + ".proofs.ndjson" }
    var baseName: String { ExportRequest.baseName(output) }

    /// The filter options, with the names the manifest gives them.
    static let filterOptions = [
        ("since", "since"), ("until", "until"), ("incident", "incident"),
        ("process", "process"), ("actor", "actor"), ("as-of", "asOf"),
    ]

    init(_ arguments: ParsedArguments) throws {
        guard let name = arguments.value("format"), let format = ExportFormat(rawValue: name)
        else {
            throw UsageError("missing --format ndjson|csv|json")
        }
        guard let output = arguments.value("output"), !output.isEmpty, !output.hasSuffix("/")
        else {
            throw UsageError("missing -o FILE")
        }
        self.format = format
        self.output = output

        var given: [String: String] = [:]
        for (option, filter) in ExportRequest.filterOptions {
            if let value = arguments.value(option) { given[filter] = value }
        }
        do {
            selection = try ExportSelection(given: given)
        } catch {
            let option = ExportRequest.filterOptions.first { $0.1 == error.field }?.0
            throw UsageError("'--\(option ?? error.field ?? "?")' \(error.message)")
        }

        if !arguments.flag("force") {
            let paths = [output, manifestPath] + (format.carriesRecordBytes ? [proofsPath] : [])
            for path in paths where StagedFile.exists(path) {
                throw CLIError(.usage, "\(path) exists; pass --force to replace it")
            }
        }
    }

    static func baseName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// Opens the ledger for writing when this user may, else for reading, saying why.
    static func open(_ path: String) throws -> (Ledger, readOnlyBecause: String?) {
        guard Ledger.exists(at: path) else { throw LedgerError.missing(path: path) }
        let user = Ledger.currentUser()
        if access(path + "/data.mdb", W_OK) != 0 {
            return (
                try Ledger(path: path, access: .readOnly),
                "the ledger's data file is not writable by \(user)"
            )
        }
        do {
            return (try Ledger(path: path, access: .readWrite), nil)
        } catch LedgerError.permissionDenied(let message) {
            return (try Ledger(path: path, access: .readOnly), message)
        }
    }

    /// Whether a storage error means this user may not write the ledger.
    static func deniesWriting(_ code: Int32) -> Bool {
        code == EACCES || code == EPERM || code == EROFS
    }
}
