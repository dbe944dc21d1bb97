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

    @Test("a digest reads back from its hex in either case; any other byte is refused")
    func parsesHex() throws {
        for digest in try Self.samples() {
            #expect(SHA256Digest(hex: digest.hex) == digest)
            #expect(SHA256Digest(hex: digest.hex.uppercased()) == digest)
            #expect(digest.withHexUTF8 { String(decoding: $0, as: UTF8.self) } == digest.hex)
            var digits = Array(digest.hex.utf8)
            for index in stride(from: 0, to: 64, by: 7) {
                let original = digits[index]
                for bad in Array("/:@G`g \u{7F}".utf8) + [0x80, 0xC3, 0x00] {
                    digits[index] = bad
                    #expect(SHA256Digest(hex: String(decoding: digits, as: UTF8.self)) == nil)
                }
                digits[index] = original
            }
        }
        #expect(SHA256Digest(hex: String(repeating: "0", count: 63)) == nil)
        #expect(SHA256Digest(hex: String(repeating: "0", count: 64)) == .zero)
    }
}

@Suite("Eight hexadecimal digits at a time")
struct HexWordTests {
    /// Eight digits as the bytes of a little-endian word, the first digit lowest.
    static func word(_ text: String) -> UInt64 {
        Array(text.utf8).enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * $1.offset) }
    }

    static func text(_ word: UInt64) -> String {
        String(decoding: (0..<8).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) }, as: UTF8.self)
    }

    @Test("digits and values agree with formatting one digit at a time")
    func roundTrips() {
        var generator = SystemRandomNumberGenerator()
        let values: [UInt32] =
            [0, 1, 9, 10, 15, 16, 0x8000_0000, 0x0123_4567, 0x89AB_CDEF, 0xFFFF_FFFF]
            + (0..<5_000).map { _ in generator.next() }
        for value in values {
            let expected = String(value, radix: 16)
            let padded = String(repeating: "0", count: 8 - expected.count) + expected
            // The bytes are given first byte lowest: the value's most significant byte.
            #expect(Self.text(Hex.digits(ofBytes: value.byteSwapped)) == padded)
            #expect(Hex.value(ofDigits: Self.word(padded)) == value)
            #expect(Hex.value(ofDigits: Self.word(padded.uppercased())) == value)
        }
    }

    @Test("any byte that is not a hexadecimal digit, in any place, is refused")
    func refusesOtherBytes() {
        let digits = Set("0123456789abcdefABCDEF".utf8)
        for place in 0..<8 {
            for byte in UInt8.min...UInt8.max {
                var bytes = Array("0a1B2c3D".utf8)
                bytes[place] = byte
                let word = bytes.enumerated().reduce(UInt64(0)) {
                    $0 | UInt64($1.element) << (8 * $1.offset)
                }
                #expect((Hex.value(ofDigits: word) != nil) == digits.contains(byte), "\(byte)")
            }
        }
    }
}
