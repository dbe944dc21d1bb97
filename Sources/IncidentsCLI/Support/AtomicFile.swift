import Glibc

/// Replaces the file at `path` with `bytes` in one step: the bytes go to a hidden
/// temporary file in the same folder, are synced, and the file is renamed over `path`.
/// A reader (the node exporter's textfile collector) sees the old file or the new one,
/// never a part.
/// - Parameters:
///   - path: The file to write.
///   - bytes: Its new content.
///   - mode: The new file's permissions.
/// - Throws: `CLIError` naming the path and the system's reason.
func writeFileAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws(CLIError) {
    let slash = path.lastIndex(of: "/")
    let folder = slash.map { String(path[...$0]) } ?? ""
    let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
    // Hidden and not ending in .prom, so that a textfile collector never reads it.
    let temporary = "\(folder).\(name).\(getpid()).tmp"

    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
    guard descriptor >= 0 else { throw failure(path, errno) }
    var written = 0
    while written < bytes.count {
        let count = bytes[written...].withUnsafeBytes {
            write(descriptor, $0.baseAddress, $0.count)
        }
        if count < 0, errno == EINTR { continue }
        guard count > 0 else {
            let code = errno
            close(descriptor)
            unlink(temporary)
            throw failure(path, code)
        }
        written += count
    }
    guard fsync(descriptor) == 0, fchmod(descriptor, mode) == 0 else {
        let code = errno
        close(descriptor)
        unlink(temporary)
        throw failure(path, code)
    }
    close(descriptor)
    guard rename(temporary, path) == 0 else {
        let code = errno
        unlink(temporary)
        throw failure(path, code)
    }
}

private func failure(_ path: String, _ code: Int32) -> CLIError {
    if code == EACCES { return CLIError(.permissionDenied, "\(path): permission denied") }
    return CLIError(.ioError, "\(path): \(String(cString: strerror(code)))")
}
