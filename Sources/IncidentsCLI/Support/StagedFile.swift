import Glibc
import IncidentLedger

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
        let writer = try StagedWriter(path: path)
        do throws(CLIError) {
            try writer.write(bytes)
            self = try writer.finish()
        } catch {
            writer.discard()
            throw error
        }
    }

    fileprivate init(path: String, temporary: String) {
        self.path = path
        self.temporary = temporary
    }

    /// The hidden name beside `path` that its content is written under first.
    fileprivate static func temporaryPath(for path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return "\(directory).\(base).tmp-\(getpid())"
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

    fileprivate static func failure(_ path: String, _ code: Int32) -> CLIError {
        let reason = String(cString: strerror(code))
        if code == EACCES || code == EPERM || code == EROFS {
            return CLIError(.permissionDenied, "\(path): \(reason)")
        }
        return CLIError(.ioError, "\(path): \(reason)")
    }
}

/// A staged file written a piece at a time, through a buffer, so that a file of any
/// size is written without being held whole: `finish()` flushes it to disk and gives
/// the `StagedFile` to commit; `discard()` removes it instead.
final class StagedWriter: ExportOutput {
    /// Where the file goes.
    let path: String
    private let temporary: String
    /// The open temporary file; -1 once finished or discarded.
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private static let bufferSize = 1 << 20

    /// Creates the temporary file beside `path`.
    /// - Throws: `CLIError` naming the path when it cannot be created.
    init(path: String) throws(CLIError) {
        self.path = path
        temporary = StagedFile.temporaryPath(for: path)
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StagedFile.failure(path, errno) }
        buffer.reserveCapacity(StagedWriter.bufferSize)
    }

    deinit {
        discard()
    }

    /// Adds `bytes` to the file.
    /// - Throws: `CLIError` naming the path when the file cannot be written.
    func write(_ bytes: UnsafeRawBufferPointer) throws(CLIError) {
        if buffer.count + bytes.count > StagedWriter.bufferSize { try flush() }
        if bytes.count >= StagedWriter.bufferSize {
            try writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Adds `bytes` to the file.
    /// - Throws: `CLIError` naming the path when the file cannot be written.
    func write(_ bytes: [UInt8]) throws(CLIError) {
        try StagedWriter.withRawBytes(of: bytes) { raw throws(CLIError) in try write(raw) }
    }

    /// Writes what is buffered, flushes the file to disk and closes it.
    /// - Returns: The file, ready to be moved into place.
    /// - Throws: `CLIError` naming the path; the temporary file is then removed.
    func finish() throws(CLIError) -> StagedFile {
        do throws(CLIError) {
            try flush()
            guard fsync(descriptor) == 0 else { throw StagedFile.failure(path, errno) }
        } catch {
            discard()
            throw error
        }
        close(descriptor)
        descriptor = -1
        return StagedFile(path: path, temporary: temporary)
    }

    /// Closes and removes the temporary file, unless `finish()` has handed it over.
    func discard() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(temporary)
    }

    private func flush() throws(CLIError) {
        try StagedWriter.withRawBytes(of: buffer) { raw throws(CLIError) in try writeAll(raw) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with the memory of `bytes`, passing its typed error on: the array's
    /// `withUnsafeBytes` only rethrows untyped ones.
    private static func withRawBytes(
        of bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(CLIError) -> Void
    ) throws(CLIError) {
        let failure = bytes.withUnsafeBytes { raw -> CLIError? in
            do throws(CLIError) {
                try body(raw)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws(CLIError) {
        guard descriptor >= 0 else { throw CLIError(.internalError, "\(path): already closed") }
        var written = 0
        while written < bytes.count, let base = bytes.baseAddress {
            let count = Glibc.write(descriptor, base + written, bytes.count - written)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw StagedFile.failure(path, errno) }
            written += count
        }
    }
}
