import CLMDB
import Glibc

/// A failure reported by LMDB or by the operating system beneath it.
///
/// It carries the C result code, so callers can react to specific conditions
/// (a full map, a missing environment) by name, and the operation that failed,
/// so the message says what was being done.
public struct StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The LMDB or `errno` result code.
    public var code: Int32
    /// What the storage layer was doing, e.g. `"commit"` or `"open /var/lib/x"`.
    public var operation: String
    /// The file the failure is about, when it is about one file.
    public var file: String?

    /// Creates an error from a result code and the operation that returned it.
    /// - Parameters:
    ///   - code: The LMDB or `errno` result code.
    ///   - operation: What was being done.
    ///   - file: The file the failure is about, if one.
    public init(code: Int32, operation: String, file: String? = nil) {
        self.code = code
        self.operation = operation
        self.file = file
    }

    /// The map is full: the environment needs a larger map size.
    public static let mapFull = MDB_MAP_FULL
    /// Another process grew the map; this process must adopt the new size.
    public static let mapResized = MDB_MAP_RESIZED
    /// The environment or a named database does not exist.
    public static let notFound = MDB_NOTFOUND
    /// A key that must be new already exists.
    public static let keyExists = MDB_KEYEXIST
    /// A file of the environment is a symbolic link, which is never followed (`ELOOP`).
    public static let symbolicLink = ELOOP
    /// The data file is shorter than its last committed page: it was truncated, and
    /// reading the pages past its end would stop the process with `SIGBUS`.
    public static let truncated = MDB_CORRUPTED

    /// LMDB's own description of the code, prefixed by the operation.
    public var description: String {
        if code == StorageError.symbolicLink, let file {
            return "\(operation): \(file) is a symbolic link, which is never followed"
        }
        if code == StorageError.truncated, file != nil {
            return operation
        }
        let text = mdb_strerror(code).map { String(cString: $0) } ?? "error \(code)"
        return "\(operation): \(text)"
    }

    /// Whether the failure means no space was left: in the map, on the disk, in the
    /// user's quota or under the process's file size limit.
    public var isOutOfSpace: Bool {
        [MDB_MAP_FULL, ENOSPC, EDQUOT, EFBIG].contains(code)
    }
}

/// Turns an LMDB result code into a thrown `StorageError`.
@inline(__always)
func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(StorageError) {
    if code != 0 {
        throw StorageError(code: code, operation: operation())
    }
}
