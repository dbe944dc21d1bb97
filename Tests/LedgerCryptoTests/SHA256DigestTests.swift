import Testing

@testable import LedgerCrypto

@Suite("SHA-256 digests as hexadecimal text")
struct SHA256DigestTests {
    /// Digests of a few inputs, with every nibble value among them.
    static func samples() throws -> [SHA256Digest] {
        let hasher = try SHA256Hasher()
        return (0..<64).map { hasher.digest(Array("sample \($0)".utf8)) }
    }

    static func matches(_ digest: SHA256Digest, _ text: String) -> Bool {
        Array(text.utf8).withUnsafeBufferPointer { digest.matches(hexUTF8: $0) }
    }

    @Test("a digest matches its own lower-case hex and nothing one digit away")
    func matchesItsOwnHexOnly() throws {
        for digest in try Self.samples() {
            let hex = digest.hex
            #expect(Self.matches(digest, hex))
            var digits = Array(hex.utf8)
            for index in digits.indices {
                let original = digits[index]
                for replacement in Array("0123456789abcdefABCDEF".utf8)
                where replacement != original {
                    digits[index] = replacement
                    #expect(!Self.matches(digest, String(decoding: digits, as: UTF8.self)))
                }
                digits[index] = original
            }
        }
    }

    @Test("upper-case digits, short and long text are not the digest's canonical hex")
    func refusesOtherForms() throws {
        let digest = try #require(try Self.samples().first { $0.hex.contains("a") })
        #expect(!Self.matches(digest, digest.hex.uppercased()))
        #expect(!Self.matches(digest, String(digest.hex.dropLast())))
        #expect(!Self.matches(digest, digest.hex + "0"))
        #expect(Self.matches(SHA256Digest.zero, String(repeating: "0", count: 64)))
    }
}
