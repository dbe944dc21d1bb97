import LedgerCrypto

@testable import IncidentLedger

/// An export file made in memory.
final class ExportBytes: ExportOutput {
    private(set) var bytes: [UInt8] = []

    func write(_ bytes: UnsafeRawBufferPointer) {
        self.bytes.append(contentsOf: bytes)
    }
}

/// The files of an export, made in memory, and what its manifest says of them.
struct ExportFiles {
    var contents: [UInt8]
    /// The proofs file, for formats that carry record bytes.
    var proofs: [UInt8]?
    var summary: ExportSummary
}

extension Ledger {
    /// Makes an export in memory through `writeExport`, as `incidents export` writes one
    /// to its files.
    func makeExport(
        _ selection: ExportSelection, format: ExportFormat, file: String
    ) throws -> ExportFiles {
        let contents = ExportBytes()
        let proofs = ExportBytes()
        let written = try writeExport(
            selection, format: format, file: file, contents: contents, proofs: proofs)
        return ExportFiles(
            contents: contents.bytes, proofs: written.proofsDigest.map { _ in proofs.bytes },
            summary: written.summary)
    }
}
