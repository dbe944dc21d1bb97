import Glibc
import IncidentLedger

/// A file read a piece at a time (an export's proofs file, which can be larger than
/// memory allows holding whole).
final class InputFile: ExportInput {
    private let path: String
    private let descriptor: Int32

    /// Opens a file that is not a directory; nil when it cannot be.
    init?(path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT != S_IFDIR else {
            close(descriptor)
            return nil
        }
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(CLIError) -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno != EINTR {
                throw CLIError(.ioError, "\(path): \(String(cString: strerror(errno)))")
            }
        }
    }
}
