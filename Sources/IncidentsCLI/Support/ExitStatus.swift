/// The exit statuses of `incidents`, stable for scripts (values from `sysexits.h`).
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// Success.
    case success = 0
    /// A check ran and failed: `verify` found a damaged or altered ledger, or
    /// `head --check` refused a signed head.
    case checkFailed = 1
    /// The command line was wrong.
    case usage = 64
    /// The input was refused (a field, a rule, malformed JSON); nothing was written.
    case invalidInput = 65
    /// The ledger or an input file does not exist.
    case missing = 66
    /// A failure inside the program.
    case internalError = 70
    /// An output cannot be created: it exists already and is not replaced, or its
    /// folder is missing; or a restore would drop records the backup lacks.
    case cannotCreate = 73
    /// Reading or writing storage failed (a full disk, an I/O error).
    case ioError = 74
    /// Permission denied, e.g. writing to a ledger the user may only read.
    case permissionDenied = 77

    /// One line per status, for `--help`.
    static var table: String {
        """
        EXIT STATUS
          0   success
          1   verify found the ledger damaged or altered, or head --check refused a head
          64  usage error (unknown command or option, missing argument)
          65  invalid input: a field, a lifecycle rule or malformed JSON (nothing written)
          66  no ledger, or no input file, at the path given
          70  internal error
          73  cannot create an output (it exists already; nothing is replaced), or
              restore would drop records the backup lacks
          74  storage failure (disk full, I/O error); nothing was written
          77  permission denied: the ledger is read-only for you, or a file is a link
        """
    }
}
