import CommandLineKit
import IncidentLedger
import LedgerCrypto

/// A failure that ends a command: the message for stderr and the exit status.
struct CLIError: Error {
    var status: ExitStatus
    var message: String

    init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    /// Maps any error to the status and one-line message the user sees.
    static func from(_ error: any Error) -> CLIError {
        switch error {
        case let error as CLIError:
            return error
        case let error as UsageError:
            return CLIError(.usage, error.message)
        case let error as KeyError:
            return CLIError(keyError: error)
        case let error as SignedTreeHeadError:
            return CLIError(.invalidInput, error.description)
        case let error as EventError:
            return CLIError(.invalidInput, error.description)
        case let error as LedgerError:
            switch error {
            case .missing: return CLIError(.missing, error.description)
            case .invalidInput: return CLIError(.invalidInput, error.description)
            case .permissionDenied: return CLIError(.permissionDenied, error.description)
            case .storage: return CLIError(.ioError, error.description)
            case .unsupportedFormat, .corrupt: return CLIError(.ioError, error.description)
            case .refused: return CLIError(.cannotCreate, error.description)
            }
        default:
            return CLIError(.internalError, "internal error: \(error)")
        }
    }
}
