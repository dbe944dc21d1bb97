import Foundation
import Interchange
import LedgerCrypto
import Testing

@testable import IncidentLedger

@Suite("Signed tree heads")
struct SignedTreeHeadTests {
    /// RFC 8032's first test key, so that signatures are the same on every run.
    static func key() throws -> Ed25519PrivateKey {
        try Ed25519PrivateKey(
            seed: #require(
                Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")))
    }

    static let signedAt = Timestamp(utcNanoseconds: 1_796_328_000_000_000_000, fractionDigits: 6)

    @Test("the signed bytes are the canonical JSON of the head without its signature")
    func signedBytes() throws {
        let test = try TestLedger()
        try test.append(detectedLine("INC-1"))
        let key = try Self.key()

        let signed = try test.ledger.signedTreeHead(key: key, signedAt: Self.signedAt)

        // Worked out apart from the ledger: record 1's hash and, for a tree of one
        // record, its RFC 6962 leaf hash as the root.
        let record = try #require(try test.ledger.recordBytes(at: 1))
        let hasher = try SHA256Hasher()
        let hash = hasher.digest(record).hex
        let root = hasher.digest([0] + record).hex
        let keyID = hasher.digest(key.publicKey.rawRepresentation).hex
        let expected =
            #"{"hash":"\#(hash)","keyId":"\#(keyID)","kind":"incident-ledger.tree-head.v1","#
            + #""position":1,"recordedAt":"2026-03-02T09:14:03.512000Z","root":"\#(root)","#
            + #""signedAt":"2026-12-03T20:00:00.000000Z","treeSize":1}"#
        #expect(String(decoding: signed.signedBytes, as: UTF8.self) == expected)
        #expect(key.publicKey.isValidSignature(signed.signature, for: Array(expected.utf8)))

        // The whole object is the same with the signature inserted in key order.
        let signature = Hex.encode(signed.signature)
        let whole = expected.replacingOccurrences(
            of: #","signedAt""#, with: #","signature":"\#(signature)","signedAt""#)
        #expect(String(decoding: signed.canonicalBytes, as: UTF8.self) == whole)
    }

    @Test("a signed head verifies with its key, not with another or after any change")
    func verify() throws {
        let test = try TestLedger()
        try test.append(detectedLine("INC-1"), detectedLine("INC-2"))
        let key = try Self.key()
        let signed = try test.ledger.signedTreeHead(key: key, signedAt: Self.signedAt)

        try signed.verify(with: key.publicKey)

        let other = try Ed25519PrivateKey.generate()
        #expect(
            throws: SignedTreeHeadError.wrongKey(
                signedBy: signed.keyID, given: other.publicKey.keyID)
        ) { try signed.verify(with: other.publicKey) }

        var altered = signed
        altered.tree.size = 1
        altered.head.position = 1
        #expect(throws: SignedTreeHeadError.badSignature) {
            try altered.verify(with: key.publicKey)
        }
        altered = signed
        altered.signedAt = Timestamp(
            utcNanoseconds: Self.signedAt.nanoseconds + 1000, fractionDigits: 6)
        #expect(throws: SignedTreeHeadError.badSignature) {
            try altered.verify(with: key.publicKey)
        }
        altered = signed
        altered.signature[10] ^= 1
        #expect(throws: SignedTreeHeadError.badSignature) {
            try altered.verify(with: key.publicKey)
        }
    }

    @Test("reading back gives the same head, from any JSON layout")
    func parse() throws {
        let test = try TestLedger()
        try test.append(detectedLine("INC-1"))
        let key = try Self.key()
        let signed = try test.ledger.signedTreeHead(key: key, signedAt: Self.signedAt)

        #expect(try SignedTreeHead(parsing: signed.canonicalBytes) == signed)

        // Spaces and another key order: the signed bytes are made again canonically.
        let text = String(decoding: signed.canonicalBytes, as: UTF8.self)
        let members = text.dropFirst().dropLast().split(separator: ",").reversed()
        let loose = "{\n  " + members.joined(separator: ",\n  ") + "\n}\n"
        let reread = try SignedTreeHead(parsing: Array(loose.utf8))
        #expect(reread == signed)
        try reread.verify(with: key.publicKey)
    }

    @Test("an empty ledger's head is signed with size 0 and no recordedAt")
    func emptyLedger() throws {
        let test = try TestLedger()
        let key = try Self.key()
        let signed = try test.ledger.signedTreeHead(key: key, signedAt: Self.signedAt)

        let emptyRoot = try SHA256Hasher().digest([UInt8]()).hex
        let text = String(decoding: signed.signedBytes, as: UTF8.self)
        #expect(text.contains(#""position":0,"root":"\#(emptyRoot)","#))
        #expect(!text.contains("recordedAt"))
        let reread = try SignedTreeHead(parsing: signed.canonicalBytes)
        try reread.verify(with: key.publicKey)
        #expect(try test.ledger.disagreement(with: reread) == nil)
    }

    @Test("malformed signed heads are refused naming the member and the rule")
    func malformed() throws {
        let test = try TestLedger()
        try test.append(detectedLine("INC-1"))
        let signed = try test.ledger.signedTreeHead(key: Self.key(), signedAt: Self.signedAt)
        let text = String(decoding: signed.canonicalBytes, as: UTF8.self)
        let hash = signed.head.hash.hex

        let cases: [(String, SignedTreeHeadError)] = [
            ("[]", .malformed(field: "", rule: "not a JSON object")),
            (
                text.replacingOccurrences(of: "{\"hash\"", with: "{\"extra\":\"x\",\"hash\""),
                .malformed(field: "extra", rule: "not a member of a signed head")
            ),
            (
                text.replacingOccurrences(of: "\"treeSize\":1", with: "\"treeSize\":2"),
                .malformed(field: "treeSize", rule: "must equal position (1)")
            ),
            (
                text.replacingOccurrences(of: "\"position\":1", with: "\"position\":01"),
                .malformed(field: "", rule: "")
            ),
            (
                text.replacingOccurrences(of: hash, with: hash.uppercased()),
                .malformed(field: "hash", rule: "must be 64 lower-case hex digits")
            ),
            (
                text.replacingOccurrences(of: "tree-head.v1", with: "tree-head.v2"),
                .malformed(field: "kind", rule: "must be \"incident-ledger.tree-head.v1\"")
            ),
            (
                text.replacingOccurrences(of: ".000000Z", with: ".000000z"),
                .malformed(field: "signedAt", rule: "must be UTC with an upper-case T and Z")
            ),
            (
                text.replacingOccurrences(of: ",\"treeSize\":1", with: ""),
                .malformed(field: "treeSize", rule: "missing")
            ),
        ]
        for (input, expected) in cases {
            let error = try #require(throws: SignedTreeHeadError.self) {
                try SignedTreeHead(parsing: Array(input.utf8))
            }
            if expected == .malformed(field: "", rule: "") {
                // A leading zero is not JSON at all; the parser's own message follows.
                #expect(error.description.hasPrefix("not a signed head: not JSON: "))
            } else {
                #expect(error == expected, "\(input)")
            }
        }
    }

    @Test("the ledger holds a head it signed, also after growing; another ledger does not")
    func disagreement() throws {
        let test = try TestLedger()
        try test.append(detectedLine("INC-1"), detectedLine("INC-2"))
        let signed = try test.ledger.signedTreeHead(key: Self.key(), signedAt: Self.signedAt)
        #expect(try test.ledger.disagreement(with: signed) == nil)

        try test.append(eventLine("acknowledged", "INC-1", at: time(1)))
        #expect(try test.ledger.disagreement(with: signed) == nil)

        let other = try TestLedger()
        try other.append(detectedLine("INC-1"), detectedLine("INC-3"))
        let theirs = try #require(try other.ledger.recordBytes(at: 2))
        let theirHash = try SHA256Hasher().digest(theirs).hex
        #expect(
            try other.ledger.disagreement(with: signed)
                == "record 2 hashes to \(theirHash), not \(signed.head.hash.hex)")

        let short = try TestLedger()
        try short.append(detectedLine("INC-1"))
        #expect(
            try short.ledger.disagreement(with: signed)
                == "the ledger ends at position 1, before the head's position 2")
    }
}
