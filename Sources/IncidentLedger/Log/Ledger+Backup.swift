import Glibc
import LedgerStorage

/// A copy of a ledger that was written, checked and moved into place.
public struct CopyReport: Sendable {
    /// Where the copy now is.
    public var path: String
    /// The copy's head: the source's head at the moment of the copy.
    public var head: Head
    /// The copy's Merkle tree head (size and root).
    public var tree: TreeHead
    /// The size of the copy's data file, in bytes.
    public var bytes: Int
}

extension Ledger {
    /// Writes a consistent, compacted copy of the ledger into `destination`, while
    /// other processes go on appending.
    ///
    /// The copy is LMDB's own (`mdb_env_copy2` with compaction) from one read
    /// snapshot, so it holds exactly the records committed when the copy began. It is
    /// written into a new directory beside `destination`, flushed, reopened and
    /// verified, and only then renamed to `destination`: a failed or interrupted
    /// backup leaves nothing at `destination`. The copy is readable and writable by
    /// its owner only, whatever the ledger's sharing.
    /// - Parameter destination: A path that does not exist yet (or an empty
    ///   directory); its parent must exist. A symbolic link there is refused.
    /// - Returns: The copy's head, tree head and size.
    /// - Throws: `LedgerError.refused` when `destination` exists, `.permissionDenied`
    ///   for a link, `.corrupt` when the copy does not verify, `.storage` otherwise.
    /// - Complexity: O(n) in the ledger's size: one copy and one verify.
    public func backup(to destination: String) throws(LedgerError) -> CopyReport {
        let target = StagedDirectory.trimmed(destination)
        try Ledger.refuseOccupied(target, by: "a backup")
        let stage = try Ledger.staged(target, "backup")
        do {
            try environment.copy(to: stage.path, compact: true)
            let report = try Ledger.check(copy: stage, sharing: .ownerOnly, source: path)
            try stage.publish()
            return CopyReport(
                path: target, head: report.head, tree: report.tree, bytes: report.bytes)
        } catch {
            try? stage.discard()
            throw Ledger.wrapCopy(error, path: target)
        }
    }

    /// Refuses a destination that is a link, or a file, or a directory that holds
    /// anything.
    static func refuseOccupied(_ target: String, by what: String) throws(LedgerError) {
        guard EnvironmentFiles.isPresent(target) else { return }
        let info: stat
        do {
            info = try EnvironmentFiles.status(of: target)
        } catch {
            throw Ledger.wrap(error)
        }
        if info.st_mode & S_IFMT == S_IFLNK {
            throw LedgerError.permissionDenied(
                "refusing \(target): it is a symbolic link, and \(what) never follows one")
        }
        guard info.st_mode & S_IFMT == S_IFDIR, isEmptyDirectory(target) else {
            throw LedgerError.refused(
                "\(target) already exists; \(what) goes to a new path or an empty directory")
        }
    }

    /// Whether `path` is a directory with no entries but `.` and `..`.
    static func isEmptyDirectory(_ path: String) -> Bool {
        guard let folder = opendir(path) else { return false }
        defer { closedir(folder) }
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix(3)) }
            if name[0] == 0x2E, name[1] == 0 || (name[1] == 0x2E && name[2] == 0) { continue }
            return false
        }
        return true
    }

    /// A new directory beside `target`, refused with a clear error when the parent
    /// may not be written.
    static func staged(_ target: String, _ purpose: String) throws(LedgerError) -> StagedDirectory {
        do {
            return try StagedDirectory(beside: target, purpose: purpose)
        } catch {
            guard [EACCES, EPERM, EROFS].contains(error.code) else { throw .storage(error) }
            throw LedgerError.permissionDenied(
                "permission denied: cannot create the \(purpose) beside \(target)")
        }
    }

    /// The copy's head and tree, once it has been given `sharing`, flushed, reopened
    /// and verified.
    static func check(
        copy stage: StagedDirectory, sharing: Sharing, source: String
    ) throws -> (head: Head, tree: TreeHead, bytes: Int) {
        try EnvironmentFiles.share(directory: stage.path, sharing: .ownerOnly)
        let checked: (head: Head, tree: TreeHead)
        do {
            // Opening makes the copy's lock file; the ledger is closed again at the
            // end of this block, before the copy is shared and moved.
            let copy = try Ledger(path: stage.path, access: .readOnly)
            let result = try copy.verify()
            if let bad = result.firstBad {
                throw LedgerError.corrupt(
                    position: bad.position,
                    reason: "the copy of \(source) does not verify: \(bad.reason)")
            }
            checked = (result.head, try copy.treeHead(size: result.head.position))
        }
        try EnvironmentFiles.share(directory: stage.path, sharing: sharing)
        try EnvironmentFiles.sync(directory: stage.path)
        let data = try EnvironmentFiles.status(of: stage.path + "/" + EnvironmentFiles.dataFile)
        return (checked.head, checked.tree, Int(data.st_size))
    }

    /// Turns an error met while copying into the error a user acts on.
    static func wrapCopy(_ error: any Error, path: String) -> LedgerError {
        if let error = error as? StorageError {
            return openFailure(error, path: path, access: .readWrite)
        }
        return wrap(error)
    }
}
