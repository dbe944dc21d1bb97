import LedgerStorage

/// Why a ledger operation failed, in the categories a caller acts on differently.
public enum LedgerError: Error, Sendable, CustomStringConvertible {
    /// No ledger exists at the path.
    case missing(path: String)
    /// The input was refused; nothing was written. Each error names its line and field.
    case invalidInput([EventError])
    /// The process may not do this (for example, write to a ledger it may only read).
    case permissionDenied(String)
    /// The ledger's files are of a format this program does not know.
    case unsupportedFormat(String)
    /// The storage beneath failed (a full disk, an I/O error).
    case storage(StorageError)
    /// A stored record is damaged (found while reading, not while verifying).
    case corrupt(position: UInt64, reason: String)
    /// Refused because it would overwrite what must be kept: a backup's destination
    /// that exists, a restore over a ledger whose head is not in the backup, a write
    /// to a ledger that a restore has just replaced.
    case refused(String)

    public var description: String {
        switch self {
        case .missing(let path):
            "no ledger at \(path) (create one with 'incidents init')"
        case .invalidInput(let errors):
            errors.count == 1
                ? errors[0].description
                : "\(errors[0]) (and \(errors.count - 1) more errors)"
        case .permissionDenied(let message): message
        case .unsupportedFormat(let message): message
        case .storage(let error):
            error.isOutOfSpace
                ? "no space left for the ledger (\(error)); nothing was written"
                : "storage failure: \(error)"
        case .corrupt(let position, let reason): "record \(position) is damaged: \(reason)"
        case .refused(let message): message
        }
    }
}
