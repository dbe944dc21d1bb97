import Glibc

/// A file written in full beside its final path, then moved into place in one step by
/// `commit()`, so that a reader never sees it half-written.
struct StagedFile {
    /// Where the file goes.
    let path: String
    /// Where it is written first: a hidden name in the same directory.
    let temporary: String

    /// Writes `bytes` to the temporary file and flushes them to disk.
    /// - Throws: `CLIError` naming the path when it cannot be written.
    init(path: String, bytes: [UInt8]) throws(CLIError) {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        temporary = "\(directory).\(base).tmp-\(getpid())"

        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StagedFile.failure(path, errno) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.write(descriptor, base + written, buffer.count - written)
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                let code = errno
                close(descriptor)
                unlink(temporary)
                throw StagedFile.failure(path, code)
            }
            written += count
        }
        let synced = fsync(descriptor) == 0
        let code = errno
        close(descriptor)
        guard synced else {
            unlink(temporary)
            throw StagedFile.failure(path, code)
        }
    }

    /// Moves the file into place, replacing any file there.
    func commit() throws(CLIError) {
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw StagedFile.failure(path, code)
        }
    }

    /// Removes the temporary file.
    func discard() {
        unlink(temporary)
    }

    /// Whether a file (or anything) exists at `path`.
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    private static func failure(_ path: String, _ code: Int32) -> CLIError {
        let reason = String(cString: strerror(code))
        if code == EACCES || code == EPERM || code == EROFS {
            return CLIError(.permissionDenied, "\(path): \(reason)")
        }
        return CLIError(.ioError, "\(path): \(reason)")
    }
}
