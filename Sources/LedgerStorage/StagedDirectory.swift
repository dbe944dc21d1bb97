import CSystem
import Glibc

/// A new directory made beside a destination, filled there, and then moved into
/// the destination's place with one `rename`, so that the destination is at every
/// moment either what it was or complete, never half-written.
///
/// Made in the destination's parent, the staged directory is on the same file
/// system, which `rename` needs. Its name starts with a dot and says what it is
/// for, so one left behind by a crash is easy to recognise and remove.
public struct StagedDirectory: Sendable {
    /// The staged directory, readable and writable by its owner only.
    public let path: String
    /// Where `publish()` or `exchange()` puts it.
    public let destination: String

    /// Makes an empty directory beside `destination`.
    /// - Parameters:
    ///   - destination: The path the directory will take; its parent must exist.
    ///   - purpose: A word for the staged directory's name (`backup`, `restore`).
    /// - Throws: `StorageError` when the parent is missing or not writable.
    public init(beside destination: String, purpose: String) throws(StorageError) {
        let trimmed = StagedDirectory.trimmed(destination)
        let slash = trimmed.lastIndex(of: "/")
        let parent = slash.map { $0 == trimmed.startIndex ? "/" : String(trimmed[..<$0]) } ?? "."
        let name = slash.map { String(trimmed[trimmed.index(after: $0)...]) } ?? trimmed
        var template = Array("\(parent)/.\(name).\(purpose)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let base = buffer.baseAddress else { return nil }
            return mkdtemp(base).map { String(cString: $0) }
        }
        guard let made else {
            throw StorageError(code: errno, operation: "create a directory in \(parent)")
        }
        self.path = made
        self.destination = trimmed
    }

    /// The path without trailing slashes, so that `lstat` sees a link itself.
    public static func trimmed(_ path: String) -> String {
        var result = Substring(path)
        while result.count > 1, result.hasSuffix("/") { result = result.dropLast() }
        return String(result)
    }

    /// Moves the staged directory to the destination, which must be absent or an
    /// empty directory (`rename(2)` replaces an empty directory in one step).
    /// - Throws: `StorageError` with `ENOTEMPTY` or `EEXIST` when something took the
    ///   destination meanwhile, `StorageError.symbolicLink` when it is a link.
    public func publish() throws(StorageError) {
        try refuseLink(at: destination)
        guard rename(path, destination) == 0 else {
            throw StorageError(
                code: errno, operation: "move \(path) to \(destination)", file: destination)
        }
        try syncParent()
    }

    /// Swaps the staged directory and the existing destination in one step
    /// (`renameat2` with `RENAME_EXCHANGE`); afterwards `path` holds what the
    /// destination held.
    /// - Throws: `StorageError` when the swap fails, with `EINVAL` on a file system
    ///   that cannot swap; nothing has moved then.
    public func exchange() throws(StorageError) {
        try refuseLink(at: destination)
        let flags = UInt32(CSYSTEM_RENAME_EXCHANGE)
        guard renameat2(AT_FDCWD, path, AT_FDCWD, destination, flags) == 0 else {
            throw StorageError(
                code: errno, operation: "swap \(path) with \(destination)", file: destination)
        }
        try syncParent()
    }

    /// Removes the staged directory and the environment files in it.
    /// - Throws: `StorageError` when it holds other files or cannot be removed.
    public func discard() throws(StorageError) {
        try EnvironmentFiles.remove(directory: path)
    }

    private func refuseLink(at path: String) throws(StorageError) {
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            throw StorageError(
                code: StorageError.symbolicLink, operation: "replace \(path)", file: path)
        }
    }

    private func syncParent() throws(StorageError) {
        let parent = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        let folder = open(parent.isEmpty ? "/" : parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folder >= 0 else { throw StorageError(code: errno, operation: "open \(parent)") }
        defer { close(folder) }
        guard fsync(folder) == 0 else {
            throw StorageError(code: errno, operation: "flush \(parent)")
        }
    }
}
