import Foundation
import LedgerCrypto
import Testing

/// RFC 8032 section 7.1, TEST 1 to 3: secret key (seed), public key, message and
/// signature, as the RFC publishes them.
let rfc8032: [(seed: String, publicKey: String, message: String, signature: String)] = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
            + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
    ),
    (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
            + "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
    ),
]

func bytes(_ hex: String) throws -> [UInt8] {
    try #require(Hex.decode(hex))
}

/// A folder of its own under the system's temporary directory, removed when released.
final class KeyFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/ledger-crypto-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

@Suite("Ed25519 through libcrypto")
struct Ed25519Tests {
    @Test("RFC 8032 vectors 1 to 3: the seed gives the published key and signature")
    func rfc8032Vectors() throws {
        for vector in rfc8032 {
            let key = try Ed25519PrivateKey(seed: bytes(vector.seed))
            #expect(Hex.encode(key.publicKey.rawRepresentation) == vector.publicKey)
            let signature = try key.signature(for: bytes(vector.message))
            #expect(Hex.encode(signature) == vector.signature)

            let publicKey = try Ed25519PublicKey(rawRepresentation: bytes(vector.publicKey))
            #expect(publicKey.isValidSignature(signature, for: try bytes(vector.message)))
            #expect(!publicKey.isValidSignature(signature, for: try bytes(vector.message) + [0]))
        }
    }

    @Test("the key id is the SHA-256 of the raw public key")
    func keyID() throws {
        let key = try Ed25519PublicKey(rawRepresentation: bytes(rfc8032[0].publicKey))
        let digest = try SHA256Hasher().digest(key.rawRepresentation)
        #expect(key.keyID == digest.hex)
        #expect(key.keyID.count == 64)
    }

    @Test("a signature changed in any byte, another message or another key is refused")
    func verifyRefuses() throws {
        let key = try Ed25519PrivateKey.generate()
        let other = try Ed25519PrivateKey.generate()
        let message = Array("the tree of 3 records".utf8)
        let signature = try key.signature(for: message)
        #expect(signature.count == 64)
        #expect(key.publicKey.isValidSignature(signature, for: message))

        for index in [0, 31, 32, 63] {
            var altered = signature
            altered[index] ^= 0x01
            #expect(!key.publicKey.isValidSignature(altered, for: message))
        }
        var alteredMessage = message
        alteredMessage[4] ^= 0x20
        #expect(!key.publicKey.isValidSignature(signature, for: alteredMessage))
        #expect(!other.publicKey.isValidSignature(signature, for: message))
        #expect(!key.publicKey.isValidSignature(Array(signature.prefix(63)), for: message))
        #expect(key.publicKey != other.publicKey)
    }

    @Test("PEM round trip: PKCS#8 private, SubjectPublicKeyInfo public")
    func pemRoundTrip() throws {
        let key = try Ed25519PrivateKey(seed: bytes(rfc8032[0].seed))
        let privatePEM = try key.pemRepresentation
        #expect(privatePEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(privatePEM.hasSuffix("-----END PRIVATE KEY-----\n"))
        let again = try Ed25519PrivateKey(pem: Array(privatePEM.utf8), source: "k.pem")
        #expect(again.publicKey == key.publicKey)
        #expect(try again.signature(for: [1, 2, 3]) == key.signature(for: [1, 2, 3]))

        // The SPKI DER of vector 1's key: the fixed 12-byte Ed25519 prefix, then the key.
        let publicPEM = try key.publicKey.pemRepresentation
        #expect(
            publicPEM
                == "-----BEGIN PUBLIC KEY-----\n"
                + "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
                + "-----END PUBLIC KEY-----\n")
        let publicKey = try Ed25519PublicKey(pem: Array(publicPEM.utf8), source: "k.pub")
        #expect(publicKey == key.publicKey)
    }

    @Test("key pair files: private 0600, public beside it, never replaced")
    func keyFiles() throws {
        let folder = try KeyFolder()
        let path = folder.path + "/signing.pem"
        let key = try Ed25519PrivateKey.generate()
        try KeyFile.writePair(key, privateKeyPath: path, publicKeyPath: path + ".pub")

        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try Ed25519PrivateKey(contentsOfFile: path).publicKey == key.publicKey)
        #expect(try Ed25519PublicKey(contentsOfFile: path + ".pub") == key.publicKey)

        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let second = try Ed25519PrivateKey.generate()
        #expect(throws: KeyError(path, .exists)) {
            try KeyFile.writePair(second, privateKeyPath: path, publicKeyPath: path + ".pub")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)

        // Only the public file exists: the private one must not be written either.
        let lone = folder.path + "/lone.pem"
        try Data("x".utf8).write(to: URL(fileURLWithPath: lone + ".pub"))
        #expect(throws: KeyError(lone + ".pub", .exists)) {
            try KeyFile.writePair(second, privateKeyPath: lone, publicKeyPath: lone + ".pub")
        }
        #expect(!FileManager.default.fileExists(atPath: lone))

        let nowhere = folder.path + "/no/such/folder/k.pem"
        #expect(throws: KeyError(nowhere, .cannotCreate("no such folder"))) {
            try KeyFile.writePair(second, privateKeyPath: nowhere, publicKeyPath: nowhere + ".pub")
        }
    }

    @Test("errors name the file and say what it holds instead of the key wanted")
    func readErrors() throws {
        let folder = try KeyFolder()
        let key = try Ed25519PrivateKey(seed: bytes(rfc8032[1].seed))
        let privatePEM = Array(try key.pemRepresentation.utf8)
        let publicPEM = Array(try key.publicKey.pemRepresentation.utf8)

        #expect(throws: KeyError(folder.path + "/none.pem", .missing)) {
            try Ed25519PrivateKey(contentsOfFile: folder.path + "/none.pem")
        }
        #expect(
            throws: KeyError(
                "k.pub", .notAKey("it holds a public key, where a private key belongs"))
        ) {
            try Ed25519PrivateKey(pem: publicPEM, source: "k.pub")
        }
        #expect(
            throws: KeyError(
                "k.pem", .notAKey("it holds a private key, where a public key belongs"))
        ) {
            try Ed25519PublicKey(pem: privatePEM, source: "k.pem")
        }
        #expect(
            throws: KeyError("notes.txt", .notAKey("no '-----BEGIN PRIVATE KEY-----' PEM block"))
        ) {
            try Ed25519PrivateKey(pem: Array("hello\n".utf8), source: "notes.txt")
        }
        let rsa = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n"
        #expect(throws: KeyError("rsa.pem", .wrongAlgorithm("RSA"))) {
            try Ed25519PrivateKey(pem: Array(rsa.utf8), source: "rsa.pem")
        }
        // An X25519 key: the same PKCS#8 and SPKI wrappers, another algorithm inside.
        let x25519Private =
            "-----BEGIN PRIVATE KEY-----\n"
            + "MC4CAQAwBQYDK2VuBCIEIMjFl+MNlT3Dp5wgGgnqthDhZ8ev9DjdFoSJ5cF/sBFr\n"
            + "-----END PRIVATE KEY-----\n"
        #expect(throws: KeyError("x.pem", .wrongAlgorithm("X25519"))) {
            try Ed25519PrivateKey(pem: Array(x25519Private.utf8), source: "x.pem")
        }
        let x25519Public =
            "-----BEGIN PUBLIC KEY-----\n"
            + "MCowBQYDK2VuAyEAYO4e9oC0DjivKnzjZkf0RbcSqB44FOnsTEglxsDo7Wo=\n"
            + "-----END PUBLIC KEY-----\n"
        #expect(throws: KeyError("x.pub", .wrongAlgorithm("X25519"))) {
            try Ed25519PublicKey(pem: Array(x25519Public.utf8), source: "x.pub")
        }
        // A damaged body: the PEM label is right, the DER inside is not a key.
        var damaged = String(decoding: privatePEM, as: UTF8.self)
        damaged = damaged.replacingOccurrences(of: "MC4CAQAw", with: "MC4CAQBw")
        let failure = try #require(throws: KeyError.self) {
            try Ed25519PrivateKey(pem: Array(damaged.utf8), source: "d.pem")
        }
        #expect(failure.source == "d.pem")
        guard case .notAKey(let reason) = failure.problem else {
            Issue.record("expected notAKey, got \(failure)")
            return
        }
        #expect(reason.hasPrefix("its PEM block is not a valid key ("))
        #expect(throws: KeyError("raw public key", .notAKey("31 bytes; an Ed25519 key is 32"))) {
            try Ed25519PublicKey(rawRepresentation: [UInt8](repeating: 1, count: 31))
        }
    }
}
