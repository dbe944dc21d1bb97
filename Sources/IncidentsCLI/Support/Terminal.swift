import Glibc

/// Buffered output to a file descriptor through `write(2)`: the CLI's only way to
/// the terminal (the global `stdout` does not compile in Swift 6 mode).
final class OutputStream {
    let descriptor: Int32
    private var buffer: [UInt8] = []
    private let capacity = 1 << 16

    init(descriptor: Int32) {
        self.descriptor = descriptor
        buffer.reserveCapacity(capacity)
    }

    deinit {
        flush()
    }

    /// Whether the stream is a terminal.
    var isTerminal: Bool { isatty(descriptor) == 1 }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= capacity { flush() }
    }

    func line(_ text: String = "") {
        write(text)
        buffer.append(0x0A)
        if buffer.count >= capacity { flush() }
    }

    func write(bytes: UnsafeRawBufferPointer) {
        if buffer.count + bytes.count > capacity { flush() }
        if bytes.count > capacity {
            writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    func write(bytes: [UInt8]) {
        bytes.withUnsafeBytes { write(bytes: $0) }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return  // A closed pipe: nothing more can be said.
            }
            offset += written
        }
    }

}

/// What the process talks to: its output streams, its environment and its styles.
final class Terminal {
    let out = OutputStream(descriptor: 1)
    let err = OutputStream(descriptor: 2)
    let environment: [String: String]

    init(environment: [String: String]) {
        self.environment = environment
    }

    /// Colour only on a terminal, and never when `NO_COLOR` is set to anything.
    var useColor: Bool {
        out.isTerminal && environment["NO_COLOR"].map(\.isEmpty) ?? true
            && environment["TERM"] != "dumb"
    }

    /// `text` in bold when colour is on.
    func bold(_ text: String) -> String { styled(text, "1") }
    /// `text` dimmed when colour is on.
    func dim(_ text: String) -> String { styled(text, "2") }
    /// `text` in red when colour is on.
    func red(_ text: String) -> String { styled(text, "31") }
    /// `text` in green when colour is on.
    func green(_ text: String) -> String { styled(text, "32") }
    /// `text` in yellow when colour is on.
    func yellow(_ text: String) -> String { styled(text, "33") }

    private func styled(_ text: String, _ code: String) -> String {
        useColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// A progress line on stderr, shown only when stderr is a terminal.
    func progress(_ label: String) -> (@Sendable (Int, Int) -> Void)? {
        guard err.isTerminal else { return nil }
        let err = UncheckedBox(err)
        return { done, total in
            let percent = total > 0 ? done * 100 / total : 100
            err.value.write("\r\(label) \(done)/\(total) (\(percent)%)")
            if done >= total { err.value.write("\r\u{1B}[K") }
            err.value.flush()
        }
    }

    func flush() {
        out.flush()
        err.flush()
    }
}

/// Carries a non-Sendable reference into a `@Sendable` closure that only ever runs
/// on the thread that made it (progress callbacks run inside the caller's call).
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Reads a whole file, or standard input for `-`.
/// - Throws: `CLIError` with status `.missing` when the file does not exist.
func readInput(_ path: String) throws(CLIError) -> [UInt8] {
    let descriptor = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
        let code = errno
        if code == ENOENT { throw CLIError(.missing, "\(path): no such file") }
        if code == EACCES { throw CLIError(.permissionDenied, "\(path): permission denied") }
        throw CLIError(.ioError, "\(path): \(String(cString: strerror(code)))")
    }
    defer { if descriptor != 0 { close(descriptor) } }
    var info = stat()
    var expected = 0
    if fstat(descriptor, &info) == 0, info.st_size > 0 { expected = Int(info.st_size) }
    // A file of known size is read straight into the array, not through a chunk: a
    // large import's input is copied once. One byte more shows whether it ended there.
    var failure: Int32?
    var bytes = [UInt8](unsafeUninitializedCapacity: expected + 1) { buffer, count in
        count = 0
        guard let base = buffer.baseAddress else { return }
        while count < buffer.count {
            let got = read(descriptor, base + count, buffer.count - count)
            if got < 0 {
                if errno == EINTR { continue }
                failure = errno
                return
            }
            if got == 0 { return }
            count += got
        }
    }
    if let failure {
        throw CLIError(.ioError, "\(path): \(String(cString: strerror(failure)))")
    }
    guard bytes.count > expected else { return bytes }
    // Standard input, or a file that grew: the rest in chunks.
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            throw CLIError(.ioError, "\(path): \(String(cString: strerror(errno)))")
        }
        if count == 0 { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    return bytes
}

/// Writes `bytes` to a new file (replacing any), or fails with a CLI error.
func writeFile(_ path: String, _ bytes: [UInt8]) throws(CLIError) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
        throw CLIError(.ioError, "\(path): \(String(cString: strerror(errno)))")
    }
    defer { close(descriptor) }
    let stream = OutputStream(descriptor: descriptor)
    stream.write(bytes: bytes)
    stream.flush()
}
