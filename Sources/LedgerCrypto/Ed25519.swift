import CCrypto

/// An Ed25519 public key (RFC 8032): 32 bytes that check signatures made with the
/// matching private key.
///
/// Read one from the SubjectPublicKeyInfo PEM that `incidents keygen` writes
/// (`-----BEGIN PUBLIC KEY-----`), or make one from its 32 raw bytes.
public struct Ed25519PublicKey: Hashable, Sendable {
    /// The key's 32 bytes, as RFC 8032 encodes the point.
    public let rawRepresentation: [UInt8]

    /// The key's id: the SHA-256 of its 32 raw bytes, as 64 lower-case hex digits.
    /// Anyone can compute it from the public key alone.
    public let keyID: String

    /// Creates a key from its 32 raw bytes.
    /// - Parameter raw: The encoded point.
    /// - Throws: `KeyError` (source "raw public key") when `raw` is not 32 bytes.
    public init(rawRepresentation raw: some Collection<UInt8>) throws(KeyError) {
        guard raw.count == 32 else {
            throw KeyError(
                "raw public key", .notAKey("\(raw.count) bytes; an Ed25519 key is 32"))
        }
        let bytes = Array(raw)
        self.rawRepresentation = bytes
        self.keyID = try sha256Hex(bytes, source: "raw public key")
    }

    /// Reads a key from SubjectPublicKeyInfo PEM text.
    /// - Parameters:
    ///   - pem: The file's bytes.
    ///   - source: The file's name, for errors.
    /// - Throws: `KeyError` saying whether the text holds no key, a private key,
    ///   or a key of another algorithm.
    public init(pem: [UInt8], source: String) throws(KeyError) {
        try expectLabel("PUBLIC KEY", in: pem, source: source)
        let key = try PKey.parse(pem, source: source) { bio in
            PEM_read_bio_PUBKEY_ex(bio, nil, ccrypto_no_passphrase, nil, nil, nil)
        }
        try self.init(rawRepresentation: key.rawPublicKey(source: source))
    }

    /// Reads a key from a PEM file.
    /// - Parameter path: The file.
    /// - Throws: `KeyError` naming the file when it cannot be read or holds no
    ///   Ed25519 public key.
    public init(contentsOfFile path: String) throws(KeyError) {
        try self.init(pem: KeyFile.read(path), source: path)
    }

    /// The key as SubjectPublicKeyInfo PEM text (`-----BEGIN PUBLIC KEY-----`).
    public var pemRepresentation: String {
        get throws(KeyError) {
            let key = try PKey.publicKey(rawRepresentation)
            return try key.pem(source: "public key") { bio, pkey in
                PEM_write_bio_PUBKEY(bio, pkey)
            }
        }
    }

    /// Whether `signature` is this key's Ed25519 signature of `message`.
    /// - Parameters:
    ///   - signature: The 64-byte signature.
    ///   - message: The exact bytes that were signed.
    /// - Returns: True only for a valid signature; any other length is false.
    /// - Complexity: O(message length).
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == 64, let key = try? PKey.publicKey(rawRepresentation),
            let context = EVP_MD_CTX_new()
        else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, key.pointer) == 1 else {
            ERR_clear_error()
            return false
        }
        let verdict = withBytes(message) { messageBytes, messageCount in
            signature.withUnsafeBufferPointer { signatureBytes in
                EVP_DigestVerify(
                    context, signatureBytes.baseAddress, 64, messageBytes, messageCount)
            }
        }
        ERR_clear_error()
        return verdict == 1
    }
}

/// An Ed25519 private key (RFC 8032), held inside libcrypto: it signs, and gives its
/// public key. Its secret bytes never leave this type except as PKCS#8 PEM.
public final class Ed25519PrivateKey: @unchecked Sendable {
    // @unchecked: the key is never changed after it is made, and libcrypto allows one
    // key to be used by several threads at once, each with its own signing context.
    private let key: PKey

    /// The matching public key.
    public let publicKey: Ed25519PublicKey

    private init(_ key: PKey, source: String) throws(KeyError) {
        self.key = key
        self.publicKey = try Ed25519PublicKey(
            rawRepresentation: key.rawPublicKey(source: source))
    }

    /// Makes a new key from the system's random number generator.
    /// - Throws: `KeyError` when libcrypto cannot make one (it always should).
    public static func generate() throws(KeyError) -> Ed25519PrivateKey {
        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil) else {
            throw KeyError("new key", .library(libraryMessage("make a key context")))
        }
        defer { EVP_PKEY_CTX_free(context) }
        var made: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_keygen(context, &made) == 1,
            let made
        else {
            throw KeyError("new key", .library(libraryMessage("generate an Ed25519 key")))
        }
        return try Ed25519PrivateKey(PKey(made), source: "new key")
    }

    /// Makes the key whose 32-byte secret (RFC 8032's "private key", the seed) is `seed`.
    /// - Parameter seed: The 32 secret bytes, as in RFC 8032's test vectors.
    /// - Throws: `KeyError` when `seed` is not 32 bytes.
    public convenience init(seed: [UInt8]) throws(KeyError) {
        guard seed.count == 32 else {
            throw KeyError("seed", .notAKey("\(seed.count) bytes; an Ed25519 seed is 32"))
        }
        let made = seed.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32)
        }
        guard let made else {
            throw KeyError("seed", .library(libraryMessage("load an Ed25519 seed")))
        }
        try self.init(PKey(made), source: "seed")
    }

    /// Reads a key from PKCS#8 PEM text (`-----BEGIN PRIVATE KEY-----`, unencrypted).
    /// - Parameters:
    ///   - pem: The file's bytes.
    ///   - source: The file's name, for errors.
    /// - Throws: `KeyError` saying whether the text holds no key, a public key, an
    ///   encrypted key, or a key of another algorithm.
    public convenience init(pem: [UInt8], source: String) throws(KeyError) {
        try expectLabel("PRIVATE KEY", in: pem, source: source)
        let key = try PKey.parse(pem, source: source) { bio in
            PEM_read_bio_PrivateKey_ex(bio, nil, ccrypto_no_passphrase, nil, nil, nil)
        }
        try self.init(key, source: source)
    }

    /// Reads a key from a PEM file.
    /// - Parameter path: The file.
    /// - Throws: `KeyError` naming the file when it cannot be read or holds no
    ///   Ed25519 private key.
    public convenience init(contentsOfFile path: String) throws(KeyError) {
        try self.init(pem: KeyFile.read(path), source: path)
    }

    /// The key as unencrypted PKCS#8 PEM text (`-----BEGIN PRIVATE KEY-----`).
    /// - Important: This is the secret; write it only to a file only its owner can read.
    public var pemRepresentation: String {
        get throws(KeyError) {
            try key.pem(source: "private key") { bio, pkey in
                PEM_write_bio_PrivateKey(bio, pkey, nil, nil, 0, nil, nil)
            }
        }
    }

    /// Signs `message` (pure Ed25519: the message itself, no digest first).
    /// - Parameter message: The exact bytes to sign.
    /// - Returns: The 64-byte signature.
    /// - Throws: `KeyError` when libcrypto fails (it should not).
    /// - Complexity: O(message length).
    public func signature(for message: [UInt8]) throws(KeyError) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else {
            throw KeyError("private key", .library(libraryMessage("make a signing context")))
        }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, nil, nil, key.pointer) == 1 else {
            throw KeyError("private key", .library(libraryMessage("start signing")))
        }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = 64
        let status = withBytes(message) { messageBytes, messageCount in
            signature.withUnsafeMutableBufferPointer { out in
                EVP_DigestSign(context, out.baseAddress, &length, messageBytes, messageCount)
            }
        }
        guard status == 1, length == 64 else {
            throw KeyError("private key", .library(libraryMessage("sign")))
        }
        return signature
    }
}

/// Owns one `EVP_PKEY`, freeing it when done; never seen outside this module.
final class PKey {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        EVP_PKEY_free(pointer)
    }

    /// The key libcrypto makes of an Ed25519 public key's 32 raw bytes.
    static func publicKey(_ raw: [UInt8]) throws(KeyError) -> PKey {
        let made = raw.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, $0.count)
        }
        guard let made else {
            throw KeyError("public key", .library(libraryMessage("load a raw public key")))
        }
        return PKey(made)
    }

    /// Parses PEM with `read`, then insists that the key is Ed25519.
    static func parse(
        _ pem: [UInt8], source: String, read: (OpaquePointer) -> OpaquePointer?
    ) throws(KeyError) -> PKey {
        guard let bio = pem.withUnsafeBytes({ BIO_new_mem_buf($0.baseAddress, Int32($0.count)) })
        else {
            throw KeyError(source, .library(libraryMessage("make a memory buffer")))
        }
        defer { BIO_free(bio) }
        guard let parsed = read(bio) else {
            throw KeyError(source, .notAKey("its PEM block is not a valid key" + libraryDetail()))
        }
        let key = PKey(parsed)
        guard EVP_PKEY_get_base_id(parsed) == EVP_PKEY_ED25519 else {
            let name = EVP_PKEY_get0_type_name(parsed).map { String(cString: $0) } ?? "non-Ed25519"
            throw KeyError(source, .wrongAlgorithm(name))
        }
        return key
    }

    /// The 32 raw bytes of the key's public half.
    func rawPublicKey(source: String) throws(KeyError) -> [UInt8] {
        var raw = [UInt8](repeating: 0, count: 32)
        var length = 32
        guard EVP_PKEY_get_raw_public_key(pointer, &raw, &length) == 1, length == 32 else {
            throw KeyError(source, .library(libraryMessage("read the public key")))
        }
        return raw
    }

    /// The PEM text that `write` puts into a memory buffer.
    func pem(
        source: String, write: (OpaquePointer, OpaquePointer) -> Int32
    ) throws(KeyError) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else {
            throw KeyError(source, .library(libraryMessage("make a memory buffer")))
        }
        defer { BIO_free(bio) }
        guard write(bio, pointer) == 1 else {
            throw KeyError(source, .library(libraryMessage("write PEM")))
        }
        var text = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(bio)))
        let count = text.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32($0.count)) }
        guard count == text.count else {
            throw KeyError(source, .library(libraryMessage("read PEM back")))
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// Calls `body` with a message's bytes and count, with a valid pointer even when the
/// message is empty (RFC 8032's first test vector signs no bytes at all).
private func withBytes<Result>(
    _ message: [UInt8], _ body: (UnsafePointer<UInt8>, Int) -> Result
) -> Result {
    if message.isEmpty {
        var none: UInt8 = 0
        return body(&none, 0)
    }
    return message.withUnsafeBufferPointer { buffer in
        // A non-empty array always has storage.
        guard let base = buffer.baseAddress else { return body([0], 0) }
        return body(base, buffer.count)
    }
}

/// "cannot `operation`", with libcrypto's first queued error, clearing the queue.
func libraryMessage(_ operation: String) -> String {
    "cannot \(operation)" + libraryDetail()
}

/// libcrypto's first queued error as " (text)", or "" when there is none; clears
/// the queue.
func libraryDetail() -> String {
    let code = ERR_get_error()
    ERR_clear_error()
    guard code != 0 else { return "" }
    var buffer = [CChar](repeating: 0, count: 256)
    ERR_error_string_n(code, &buffer, buffer.count)
    let text = String(
        decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return " (\(text))"
}

/// Insists that the first PEM block is labelled `expected` (`-----BEGIN PRIVATE KEY-----`).
/// - Throws: `KeyError` saying what the text holds instead: no PEM block, the other
///   half of a key pair, an encrypted key, or a key in another algorithm's own format.
func expectLabel(_ expected: String, in pem: [UInt8], source: String) throws(KeyError) {
    let begin = Array("-----BEGIN ".utf8)
    let dashes = Array("-----".utf8)
    guard let start = firstIndex(of: begin, in: pem[...]),
        let end = firstIndex(of: dashes, in: pem[(start + begin.count)...])
    else {
        throw KeyError(source, .notAKey("no '-----BEGIN \(expected)-----' PEM block"))
    }
    let label = String(decoding: pem[(start + begin.count)..<end], as: UTF8.self)
    switch label {
    case expected:
        return
    case "PRIVATE KEY", "PUBLIC KEY":
        let found = label.lowercased()
        throw KeyError(
            source, .notAKey("it holds a \(found), where a \(expected.lowercased()) belongs"))
    case "ENCRYPTED PRIVATE KEY":
        throw KeyError(source, .notAKey("it is encrypted; give an unencrypted PKCS#8 key"))
    case _ where label.hasSuffix(" PRIVATE KEY") || label.hasSuffix(" PUBLIC KEY"):
        let algorithm = label.split(separator: " ").dropLast(2).joined(separator: " ")
        throw KeyError(source, .wrongAlgorithm(algorithm))
    default:
        throw KeyError(source, .notAKey("it holds a '\(label)' PEM block"))
    }
}

/// Where `needle` first starts in `haystack`.
private func firstIndex(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
    guard haystack.count >= needle.count else { return nil }
    for start in haystack.startIndex...(haystack.endIndex - needle.count)
    where haystack[start..<(start + needle.count)].elementsEqual(needle) {
        return start
    }
    return nil
}

/// The SHA-256 of `bytes` as 64 lower-case hex digits.
private func sha256Hex(_ bytes: [UInt8], source: String) throws(KeyError) -> String {
    do {
        return try SHA256Hasher().digest(bytes).hex
    } catch {
        throw KeyError(source, .library(error.description))
    }
}
