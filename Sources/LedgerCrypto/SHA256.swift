import CCrypto

/// A SHA-256 digest: 32 bytes, compared and hashed by value.
public struct SHA256Digest: Hashable, Sendable, CustomStringConvertible {
    /// The 32 bytes in order, as four words in memory order.
    var words: (UInt64, UInt64, UInt64, UInt64)

    /// The digest of nothing in particular: 32 zero bytes, the `prev` of the first record.
    public static let zero = SHA256Digest(words: (0, 0, 0, 0))

    init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    /// Creates a digest from exactly 32 bytes.
    /// - Parameter bytes: The digest's bytes; any other length gives nil.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { raw in
            for (index, byte) in zip(0..<32, bytes) { raw[index] = byte }
        }
        self.words = words
    }

    /// Creates a digest from exactly 32 bytes in memory, copying them at once.
    /// - Parameter raw: The digest's bytes; any other length gives nil.
    /// - Complexity: O(1).
    public init?(raw: UnsafeRawBufferPointer) {
        guard raw.count == 32 else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: raw) }
        self.words = words
    }

    /// Parses 64 hexadecimal digits (either case).
    /// - Parameter hex: The digest as text.
    public init?(hex: String) {
        var text = hex
        guard let digest = text.withUTF8({ SHA256Digest(hexUTF8: $0) }) else { return nil }
        self = digest
    }

    /// Parses 64 hexadecimal digits (either case) given as UTF-8 bytes.
    /// - Complexity: O(1): exactly 64 bytes are read, eight digits at a time, and
    ///   nothing is allocated.
    public init?(hexUTF8 text: UnsafeBufferPointer<UInt8>) {
        guard text.count == 64 else { return nil }
        let digits = UnsafeRawBufferPointer(text)
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let valid = Swift.withUnsafeMutableBytes(of: &words) { raw -> Bool in
            for group in 0..<8 {
                let eight = digits.loadUnaligned(fromByteOffset: 8 * group, as: UInt64.self)
                guard let value = Hex.value(ofDigits: UInt64(littleEndian: eight)) else {
                    return false
                }
                raw.storeBytes(of: value.bigEndian, toByteOffset: 4 * group, as: UInt32.self)
            }
            return true
        }
        guard valid else { return nil }
        self.words = words
    }

    /// Whether `text` is this digest as 64 lower-case hexadecimal digits.
    /// - Complexity: O(1), without allocating: eight digits are made and compared at a
    ///   time, as `verify` does for every record's `prev`.
    public func matches(hexUTF8 text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.count == 64 else { return false }
        let expected = UnsafeRawBufferPointer(text)
        return Swift.withUnsafeBytes(of: words) { raw in
            for group in 0..<8 {
                let four = raw.loadUnaligned(fromByteOffset: 4 * group, as: UInt32.self)
                let digits = Hex.digits(ofBytes: UInt32(littleEndian: four))
                let stated = expected.loadUnaligned(fromByteOffset: 8 * group, as: UInt64.self)
                guard digits == UInt64(littleEndian: stated) else { return false }
            }
            return true
        }
    }

    /// Writes the 64 lower-case hexadecimal digits as UTF-8 to the 64 bytes at
    /// `destination`, eight digits at a time.
    /// - Complexity: O(1), without allocating.
    @inline(__always)
    public func writeHex(to destination: UnsafeMutableRawPointer) {
        Swift.withUnsafeBytes(of: words) { raw in
            for group in 0..<8 {
                let four = raw.loadUnaligned(fromByteOffset: 4 * group, as: UInt32.self)
                let digits = Hex.digits(ofBytes: UInt32(littleEndian: four))
                destination.storeBytes(
                    of: digits.littleEndian, toByteOffset: 8 * group, as: UInt64.self)
            }
        }
    }

    /// The 32 bytes, in order.
    public var bytes: [UInt8] {
        Swift.withUnsafeBytes(of: words) { Array($0) }
    }

    /// Calls `body` with the 32 bytes, without copying them.
    public func withUnsafeBytes<Result>(
        _ body: (UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result {
        try Swift.withUnsafeBytes(of: words, body)
    }

    /// Calls `body` with the 64 lower-case hexadecimal digits as UTF-8, without
    /// making a `String`.
    public func withHexUTF8<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { out in
            guard let base = out.baseAddress else { return body(UnsafeBufferPointer(out)) }
            writeHex(to: UnsafeMutableRawPointer(base))
            return body(UnsafeBufferPointer(out))
        }
    }

    /// The digest as 64 lower-case hexadecimal digits.
    public var hex: String {
        String(unsafeUninitializedCapacity: 64) { out in
            guard let base = out.baseAddress else { return 0 }
            writeHex(to: UnsafeMutableRawPointer(base))
            return 64
        }
    }

    /// The same as `hex`.
    public var description: String { hex }

    public static func == (lhs: SHA256Digest, rhs: SHA256Digest) -> Bool {
        lhs.words == rhs.words
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}

/// A failure inside OpenSSL, with its error queue's first message.
public struct CryptoError: Error, Sendable, CustomStringConvertible {
    /// What was being done and what OpenSSL said.
    public var description: String

    static func fromQueue(_ operation: String) -> CryptoError {
        let code = ERR_get_error()
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        let text = String(
            decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) },
            as: UTF8.self)
        return CryptoError(description: "\(operation): \(text)")
    }
}

/// Computes SHA-256 digests through libcrypto's low-level interface, reusing one
/// context: on the short inputs of a ledger (a record, two child hashes) this spares
/// the provider context that the EVP interface makes and frees on every digest.
/// Not for sharing between threads: give each its own.
public final class SHA256Hasher {
    private let context: UnsafeMutablePointer<SHA256_CTX>

    /// Makes a context.
    /// - Throws: `CryptoError` never, now that no algorithm is fetched; kept so that
    ///   callers need not change should a failing back end return.
    public init() throws(CryptoError) {
        context = .allocate(capacity: 1)
        context.initialize(to: SHA256_CTX())
    }

    deinit {
        context.deallocate()
    }

    /// The digest of `parts`, hashed one after another as if concatenated.
    /// - Parameter parts: The byte buffers to hash, in order.
    /// - Returns: Their SHA-256.
    /// - Complexity: O(total length).
    public func digest(_ parts: UnsafeRawBufferPointer...) -> SHA256Digest {
        ccrypto_sha256_init(context)
        for part in parts where part.count > 0 {
            ccrypto_sha256_update(context, part.baseAddress, part.count)
        }
        return finish()
    }

    /// The digest of three buffers in turn, without the variadic call's array: an
    /// RFC 6962 interior node is its prefix and its two children.
    /// - Complexity: O(n).
    public func digest(
        _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer,
        _ third: UnsafeRawBufferPointer
    ) -> SHA256Digest {
        ccrypto_sha256_init(context)
        if first.count > 0 { ccrypto_sha256_update(context, first.baseAddress, first.count) }
        if second.count > 0 { ccrypto_sha256_update(context, second.baseAddress, second.count) }
        if third.count > 0 { ccrypto_sha256_update(context, third.baseAddress, third.count) }
        return finish()
    }

    /// The digest of one buffer, without the variadic call's array.
    /// - Complexity: O(n).
    public func digest(_ bytes: UnsafeRawBufferPointer) -> SHA256Digest {
        ccrypto_sha256_init(context)
        if bytes.count > 0 { ccrypto_sha256_update(context, bytes.baseAddress, bytes.count) }
        return finish()
    }

    /// The digest of one byte, then a buffer: an RFC 6962 leaf (0x00) hash.
    /// - Complexity: O(n).
    public func digest(prefix: UInt8, _ bytes: UnsafeRawBufferPointer) -> SHA256Digest {
        ccrypto_sha256_init(context)
        var byte = prefix
        ccrypto_sha256_update(context, &byte, 1)
        if bytes.count > 0 { ccrypto_sha256_update(context, bytes.baseAddress, bytes.count) }
        return finish()
    }

    private func finish() -> SHA256Digest {
        finalDigest(of: context)
    }

    /// The digest of `bytes`.
    /// - Complexity: O(n).
    public func digest(_ bytes: [UInt8]) -> SHA256Digest {
        bytes.withUnsafeBytes { digest($0) }
    }

    /// The digest of `bytes`.
    /// - Complexity: O(n).
    public func digest(_ bytes: ArraySlice<UInt8>) -> SHA256Digest {
        bytes.withUnsafeBytes { digest($0) }
    }
}

/// A SHA-256 digest of bytes given a piece at a time, for what is hashed as it is
/// written: an export file of any size without holding it whole.
/// Not for sharing between threads.
public final class SHA256Stream {
    private let context: UnsafeMutablePointer<SHA256_CTX>

    /// Begins a digest.
    public init() {
        context = .allocate(capacity: 1)
        context.initialize(to: SHA256_CTX())
        ccrypto_sha256_init(context)
    }

    deinit {
        context.deallocate()
    }

    /// Adds `bytes` after those added before.
    /// - Complexity: O(n).
    public func add(_ bytes: UnsafeRawBufferPointer) {
        if bytes.count > 0 { ccrypto_sha256_update(context, bytes.baseAddress, bytes.count) }
    }

    /// The digest of everything added, after which the stream begins again, empty.
    public func finish() -> SHA256Digest {
        let digest = finalDigest(of: context)
        ccrypto_sha256_init(context)
        return digest
    }
}

/// Ends the digest begun in `context` and returns it.
private func finalDigest(of context: UnsafeMutablePointer<SHA256_CTX>) -> SHA256Digest {
    var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    Swift.withUnsafeMutableBytes(of: &words) { out in
        ccrypto_sha256_final(context, out.baseAddress?.assumingMemoryBound(to: UInt8.self))
    }
    return SHA256Digest(words: words)
}
