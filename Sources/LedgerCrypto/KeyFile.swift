import Glibc

/// Key files on disk: reading PEM, and writing a new key pair without ever replacing
/// an existing file.
public enum KeyFile {
    /// The largest key file read; a PEM key is well under 1 KiB.
    static let maximumSize = 64 * 1024

    /// The bytes of a key file.
    /// - Throws: `KeyError` naming the file: missing, not readable, or too large.
    static func read(_ path: String) throws(KeyError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw KeyError(path, problem(errno)) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes {
                Glibc.read(descriptor, $0.baseAddress, 4096)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw KeyError(path, problem(errno))
            }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
            guard bytes.count <= maximumSize else {
                throw KeyError(path, .notAKey("larger than \(maximumSize / 1024) KiB"))
            }
        }
    }

    /// Writes a new key pair: the private key as PKCS#8 PEM, readable and writable by
    /// its owner only (mode 0600), and its public key as SubjectPublicKeyInfo PEM
    /// (mode 0644).
    ///
    /// Neither file may exist already. When the second cannot be written, the first
    /// is removed again, so a failure leaves nothing behind.
    /// - Parameters:
    ///   - key: The key to write.
    ///   - privateKeyPath: Where the private key goes.
    ///   - publicKeyPath: Where the public key goes.
    /// - Throws: `KeyError` naming the file: `.exists` when either is there already,
    ///   `.permissionDenied` or `.cannotCreate` (with the system's reason) when
    ///   it cannot be created or written.
    public static func writePair(
        _ key: Ed25519PrivateKey, privateKeyPath: String, publicKeyPath: String
    ) throws(KeyError) {
        for path in [privateKeyPath, publicKeyPath] {
            var info = stat()
            if lstat(path, &info) == 0 { throw KeyError(path, .exists) }
        }
        let secret = try key.pemRepresentation
        let shared = try key.publicKey.pemRepresentation

        try writeNew(privateKeyPath, Array(secret.utf8), mode: 0o600)
        do {
            try writeNew(publicKeyPath, Array(shared.utf8), mode: 0o644)
        } catch {
            unlink(privateKeyPath)
            throw error
        }
    }

    /// Creates `path` (failing if it exists), gives it `mode` and writes `bytes`.
    private static func writeNew(_ path: String, _ bytes: [UInt8], mode: mode_t) throws(KeyError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw KeyError(path, creationProblem(errno)) }
        // The umask may only have taken bits away; set exactly `mode` in any case.
        var failure = fchmod(descriptor, mode) == 0 ? 0 : errno
        var offset = 0
        while failure == 0, offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Glibc.write(descriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset)
            }
            if written < 0 {
                if errno != EINTR { failure = errno }
            } else {
                offset += written
            }
        }
        if failure == 0, fsync(descriptor) != 0 { failure = errno }
        if close(descriptor) != 0, failure == 0 { failure = errno }
        guard failure == 0 else {
            unlink(path)
            throw KeyError(path, creationProblem(failure))
        }
    }

    /// The problem an `errno` value names when creating a file.
    private static func creationProblem(_ code: Int32) -> KeyError.Problem {
        switch code {
        case ENOENT: .cannotCreate("no such folder")
        case EACCES, EPERM: .permissionDenied
        case EEXIST: .exists
        default: .cannotCreate(String(cString: strerror(code)))
        }
    }

    /// The problem an `errno` value names.
    private static func problem(_ code: Int32) -> KeyError.Problem {
        switch code {
        case ENOENT: .missing
        case EACCES, EPERM: .permissionDenied
        default: .failed(String(cString: strerror(code)))
        }
    }
}
