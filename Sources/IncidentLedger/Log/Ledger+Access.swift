import Glibc
import LedgerStorage

extension Ledger {
    /// Who besides its owner may use a ledger: no one, or one group reading or
    /// also writing. The modes are those of `LedgerStorage.Sharing`.
    public typealias Sharing = LedgerStorage.Sharing

    /// Makes a new ledger's directory and empty files with the modes of `sharing`.
    static func makeFiles(_ path: String, sharing: Sharing) throws(LedgerError) {
        do {
            try EnvironmentFiles.create(directory: path, sharing: sharing)
        } catch {
            throw openFailure(error, path: path, access: .readWrite)
        }
    }

    /// Gives an existing ledger the group and modes of `sharing`, or takes its
    /// sharing away with `.ownerOnly`.
    /// - Parameters:
    ///   - path: The ledger's directory.
    ///   - sharing: Who may use it from now on.
    /// - Throws: `LedgerError.missing` when there is no ledger, `.permissionDenied`
    ///   when this user does not own its files (or is not in the group), or one of
    ///   them is a symbolic link.
    public static func share(_ path: String, sharing: Sharing) throws(LedgerError) {
        guard exists(at: path) else { throw LedgerError.missing(path: path) }
        do {
            try EnvironmentFiles.refuseLinks(in: path)
            try EnvironmentFiles.share(directory: path, sharing: sharing)
        } catch {
            guard error.code == EPERM else {
                throw openFailure(error, path: path, access: .readWrite)
            }
            throw LedgerError.permissionDenied(
                "permission denied: only the owner of the ledger at \(path) may change who "
                    + "shares it, and only with a group the owner is in")
        }
    }

    /// Whether this process may write the ledger at `path` (its data file).
    public static func mayWrite(at path: String) -> Bool {
        EnvironmentFiles.isWritable(directory: path)
    }

    /// Refuses, before LMDB is asked, to open for writing a ledger whose data file
    /// this process may not write: a reader gets a clear refusal, not a storage error.
    static func refuseReadOnly(_ path: String) throws(LedgerError) {
        do {
            try EnvironmentFiles.refuseLinks(in: path)
        } catch {
            throw openFailure(error, path: path, access: .readWrite)
        }
        guard !EnvironmentFiles.isWritable(directory: path) else { return }
        throw LedgerError.permissionDenied(
            "permission denied: the ledger at \(path) is read-only for you "
                + "(\(currentUser()) may not write \(EnvironmentFiles.dataFile))")
    }

    /// The error a user acts on when opening or making a ledger's files failed.
    static func openFailure(_ error: StorageError, path: String, access: Access) -> LedgerError {
        switch error.code {
        case StorageError.symbolicLink:
            return .permissionDenied(
                "refusing the ledger at \(path): \(error.file ?? path) is a symbolic link, "
                    + "which a ledger never follows")
        case EACCES, EPERM, EROFS:
            if access == .readOnly, EnvironmentFiles.isReadable(directory: path),
                !EnvironmentFiles.isLockWritable(directory: path)
            {
                return .permissionDenied(
                    "permission denied: readers of the ledger at \(path) must be able to write "
                        + "\(EnvironmentFiles.lockFile), where LMDB keeps its table of readers")
            }
            return .permissionDenied("permission denied opening the ledger at \(path)")
        case StorageError.truncated:
            // Nothing of the log can be read, so the first record is the first bad one.
            return .corrupt(position: 1, reason: error.description)
        default:
            return classify(error, path: path)
        }
    }
}
