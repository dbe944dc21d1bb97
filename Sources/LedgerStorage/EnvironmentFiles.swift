import Glibc

/// The files of an environment directory, made, shared, checked and removed
/// without ever following a symbolic link.
///
/// LMDB opens `data.mdb` and `lock.mdb` by name, following links: a link planted
/// in the directory would make it read, truncate or write whatever file the link
/// names, with the rights of whoever runs the program. `Environment` therefore
/// refuses a directory, data file or lock file that is a link (`refuseLinks(in:)`)
/// and checks after opening that the data file it mapped is the one it examined.
public enum EnvironmentFiles {
    /// The name of the data file inside the directory.
    public static let dataFile = "data.mdb"
    /// The name of the lock file inside the directory.
    public static let lockFile = "lock.mdb"

    /// The status of `path` itself, not of what a link there names (`lstat`).
    /// - Throws: `StorageError` with the `errno` of the failure, e.g. `ENOENT`.
    public static func status(of path: String) throws(StorageError) -> stat {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw StorageError(code: errno, operation: "examine \(path)", file: path)
        }
        return info
    }

    /// Whether anything, even a dangling link, is at `path`.
    public static func isPresent(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Refuses a directory, data file or lock file that is a symbolic link or not
    /// of the expected kind; files that do not exist yet are allowed.
    /// - Parameter directory: The environment's directory; it must exist.
    /// - Throws: `StorageError` with code `StorageError.symbolicLink` and `file` set
    ///   for a link, `ENOTDIR` or `EINVAL` for the wrong kind of file, or the
    ///   `errno` of a failed `lstat`.
    /// - Complexity: three `lstat` calls.
    public static func refuseLinks(in directory: String) throws(StorageError) {
        try expect(directory, kind: S_IFDIR, code: ENOTDIR)
        for name in [dataFile, lockFile] {
            let path = directory + "/" + name
            guard isPresent(path) else { continue }
            try expect(path, kind: S_IFREG, code: EINVAL)
        }
    }

    private static func expect(_ path: String, kind: mode_t, code: Int32) throws(StorageError) {
        let info = try status(of: path)
        let type = info.st_mode & S_IFMT
        if type == S_IFLNK {
            throw StorageError(
                code: StorageError.symbolicLink, operation: "open \(path)", file: path)
        }
        guard type == kind else {
            let expected = kind == S_IFDIR ? "a directory" : "a regular file"
            throw StorageError(code: code, operation: "open \(path) (not \(expected))", file: path)
        }
    }

    /// Makes an environment's directory (when absent) and its empty data and lock
    /// files, with the modes and group of `sharing`; LMDB fills the files on first open.
    /// - Parameters:
    ///   - directory: Where the environment goes; its parent must exist.
    ///   - sharing: Who may use it.
    /// - Throws: `StorageError` when a file cannot be made or shared (`EEXIST` when
    ///   a data or lock file, or a link in its place, is already there).
    public static func create(
        directory: String, sharing: Sharing
    ) throws(StorageError) {
        if mkdir(directory, 0o700) != 0, errno != EEXIST {
            throw StorageError(code: errno, operation: "create \(directory)", file: directory)
        }
        let folder = try openDirectory(directory)
        defer { close(folder) }
        for name in [dataFile, lockFile] {
            let flags = O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
            let file = openat(folder, name, flags, 0o600)
            guard file >= 0 else {
                let path = directory + "/" + name
                throw StorageError(code: errno, operation: "create \(path)", file: path)
            }
            close(file)
        }
        try share(directory: directory, sharing: sharing)
    }

    /// Makes the lock file of an existing environment when it is missing (someone
    /// removed it), with the mode and group the directory's sharing gives it: LMDB
    /// would make it with this process's umask, which can shut readers out.
    /// - Parameter directory: The environment's directory, holding its data file.
    /// - Throws: `StorageError` when the file cannot be made or given its mode; when
    ///   this process may not create files there, nothing is done (LMDB then reports).
    public static func makeMissingLock(in directory: String) throws(StorageError) {
        let path = directory + "/" + lockFile
        guard isPresent(directory + "/" + dataFile), !isPresent(path) else { return }
        let sharing = try Sharing.of(directory: directory)
        let file = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard file >= 0 else {
            if [EACCES, EPERM, EROFS, EEXIST].contains(errno) { return }
            throw StorageError(code: errno, operation: "create \(path)", file: path)
        }
        defer { close(file) }
        try apply(sharing.group, sharing.lockMode, to: file, path: path)
    }

    /// Gives an existing environment's directory and files the group and modes of
    /// `sharing`; a lock file not made yet is skipped.
    /// - Parameters:
    ///   - directory: The environment's directory.
    ///   - sharing: Who may use it.
    /// - Throws: `StorageError` with `EPERM` when this process does not own the
    ///   files or is not in the group, or `StorageError.symbolicLink` for a link.
    public static func share(directory: String, sharing: Sharing) throws(StorageError) {
        let folder = try openDirectory(directory)
        defer { close(folder) }
        try apply(sharing.group, sharing.directoryMode, to: folder, path: directory)
        for (name, mode) in [(dataFile, sharing.dataMode), (lockFile, sharing.lockMode)] {
            let path = directory + "/" + name
            let file = openat(folder, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard file >= 0 else {
                if errno == ENOENT, name == lockFile { continue }
                throw StorageError(
                    code: errno == ELOOP ? StorageError.symbolicLink : errno,
                    operation: "open \(path)", file: path)
            }
            defer { close(file) }
            try apply(sharing.group, mode, to: file, path: path)
        }
    }

    private static func apply(
        _ group: gid_t?, _ mode: mode_t, to file: Int32, path: String
    ) throws(StorageError) {
        if let group, fchown(file, uid_t.max, group) != 0 {
            throw StorageError(code: errno, operation: "give \(path) to group \(group)", file: path)
        }
        if fchmod(file, mode) != 0 {
            throw StorageError(code: errno, operation: "set the mode of \(path)", file: path)
        }
    }

    /// Opens a directory for `*at` calls, refusing a link in its place.
    static func openDirectory(_ directory: String) throws(StorageError) -> Int32 {
        let folder = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard folder >= 0 else {
            let code = errno
            let isLink = (try? status(of: directory)).map { $0.st_mode & S_IFMT == S_IFLNK }
            throw StorageError(
                code: isLink == true ? StorageError.symbolicLink : code,
                operation: "open \(directory)", file: directory)
        }
        return folder
    }

    /// Whether this process, by its effective user and groups, may write the
    /// environment's data file (`faccessat` with `AT_EACCESS`). Root may write any
    /// file on a writable file system.
    /// - Parameter directory: The environment's directory.
    public static func isWritable(directory: String) -> Bool {
        let path = directory + "/" + dataFile
        return faccessat(AT_FDCWD, path, W_OK, AT_EACCESS | AT_SYMLINK_NOFOLLOW) == 0
    }

    /// Whether this process, by its effective user and groups, may read the data file.
    /// - Parameter directory: The environment's directory.
    public static func isReadable(directory: String) -> Bool {
        let path = directory + "/" + dataFile
        return faccessat(AT_FDCWD, path, R_OK, AT_EACCESS | AT_SYMLINK_NOFOLLOW) == 0
    }

    /// Whether this process may write the lock file, as every reader must.
    /// - Parameter directory: The environment's directory.
    public static func isLockWritable(directory: String) -> Bool {
        let path = directory + "/" + lockFile
        return faccessat(AT_FDCWD, path, W_OK, AT_EACCESS | AT_SYMLINK_NOFOLLOW) == 0
    }

    /// Flushes the data file and the directory entry to disk.
    /// - Parameter directory: The environment's directory.
    /// - Throws: `StorageError` when a flush fails.
    public static func sync(directory: String) throws(StorageError) {
        let folder = try openDirectory(directory)
        defer { close(folder) }
        let file = openat(folder, dataFile, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        let path = directory + "/" + dataFile
        guard file >= 0 else { throw StorageError(code: errno, operation: "open \(path)") }
        defer { close(file) }
        guard fsync(file) == 0 else { throw StorageError(code: errno, operation: "flush \(path)") }
        guard fsync(folder) == 0 else {
            throw StorageError(code: errno, operation: "flush \(directory)")
        }
    }

    /// Removes an environment: its data and lock files, then the directory, which
    /// must then be empty. Links in the directory are removed, never followed.
    /// - Parameter directory: The environment's directory.
    /// - Throws: `StorageError` when a file cannot be removed, or `ENOTEMPTY` when
    ///   the directory holds other files (they are left as they are).
    public static func remove(directory: String) throws(StorageError) {
        let folder = try openDirectory(directory)
        for name in [dataFile, lockFile] where unlinkat(folder, name, 0) != 0 && errno != ENOENT {
            let code = errno
            close(folder)
            throw StorageError(code: code, operation: "remove \(directory)/\(name)")
        }
        close(folder)
        guard rmdir(directory) == 0 else {
            throw StorageError(code: errno, operation: "remove \(directory)", file: directory)
        }
    }
}
