import Interchange
import LedgerCrypto

/// A ledger head signed with Ed25519: the statement "this key saw the ledger with these
/// records, this last hash and this Merkle root", to give to an auditor or a witness.
///
/// Its JSON form (`schemas/head.schema.json`, signed form) is the output of
/// `incidents head --json` plus `kind`, `keyId`, `signedAt` and `signature`. The
/// signed bytes are the canonical JSON (RFC 8785) of that object without its
/// `signature` member; `signature` is the 64-byte Ed25519 signature as 128 lower-case
/// hex digits. `schemas/README.md` says this for auditors.
public struct SignedTreeHead: Equatable, Sendable {
    /// The value of `kind`: what the signed object is, so that a signature over a tree
    /// head cannot be passed off as a signature over anything else.
    public static let kind = "incident-ledger.tree-head.v1"

    /// The hash chain's head: the last position, its record's SHA-256 and when it was
    /// appended.
    public var head: Head
    /// The Merkle tree head over the same records; `tree.size == head.position`.
    public var tree: TreeHead
    /// When the head was signed, by the signer's clock (UTC, 6 fraction digits).
    public var signedAt: Timestamp
    /// The signing key's id: SHA-256 hex of its 32 raw public-key bytes.
    public var keyID: String
    /// The 64-byte Ed25519 signature of ``signedBytes``.
    public var signature: [UInt8]

    /// Signs a head.
    /// - Parameters:
    ///   - head: The hash chain's head, as `Ledger.head()` gives it.
    ///   - tree: The tree head of the same size, as `Ledger.treeHead(size:)` gives it.
    ///   - signedAt: The signing time.
    ///   - key: The signing key.
    /// - Throws: `KeyError` when libcrypto fails to sign (it should not).
    /// - Precondition: `tree.size == head.position`.
    public init(
        head: Head, tree: TreeHead, signedAt: Timestamp, key: Ed25519PrivateKey
    ) throws(KeyError) {
        precondition(tree.size == head.position, "a tree head of another size than the head")
        self.head = head
        self.tree = tree
        self.signedAt = signedAt
        self.keyID = key.publicKey.keyID
        self.signature = []
        self.signature = try key.signature(for: signedBytes)
    }

    /// The signature as 128 lower-case hex digits, as the JSON form writes it.
    public var signatureHex: String { Hex.encode(signature) }

    /// The bytes the signature covers: the canonical JSON of the object without
    /// `signature`, e.g. `{"hash":"…","keyId":"…","kind":"incident-ledger.tree-head.v1",
    /// "position":3,"recordedAt":"…","root":"…","signedAt":"…","treeSize":3}`.
    public var signedBytes: [UInt8] {
        var writer = CanonicalJSONWriter()
        write(to: &writer, withSignature: false)
        return writer.bytes
    }

    /// The whole signed head as canonical JSON (one line, no newline).
    public var canonicalBytes: [UInt8] {
        var writer = CanonicalJSONWriter()
        write(to: &writer)
        return writer.bytes
    }

    /// Writes the signed head as one JSON object value, e.g. as a member of an export
    /// manifest or a report (`writer.key("head")` first).
    /// - Parameter writer: The writer; the object is its next value.
    public func write(to writer: inout CanonicalJSONWriter) {
        write(to: &writer, withSignature: true)
    }

    private func write(to writer: inout CanonicalJSONWriter, withSignature: Bool) {
        writer.beginObject()
        writer.key("hash")
        writer.string(head.hash.hex)
        writer.key("keyId")
        writer.string(keyID)
        writer.key("kind")
        writer.string(Self.kind)
        writer.key("position")
        writer.integer(Int64(head.position))
        if let recordedAt = head.recordedAt {
            writer.key("recordedAt")
            writer.string(recordedAt.text)
        }
        writer.key("root")
        writer.string(tree.root.hex)
        if withSignature {
            writer.key("signature")
            writer.string(signatureHex)
        }
        writer.key("signedAt")
        writer.string(signedAt.text)
        writer.key("treeSize")
        writer.integer(Int64(tree.size))
        writer.endObject()
    }

    /// Checks the signature with a public key.
    /// - Parameter key: The signer's public key.
    /// - Throws: `SignedTreeHeadError.wrongKey` when `keyId` names another key,
    ///   `.badSignature` when the signature does not match the signed bytes.
    /// - Complexity: O(1): the signed bytes are about 400.
    public func verify(with key: Ed25519PublicKey) throws(SignedTreeHeadError) {
        guard keyID == key.keyID else {
            throw .wrongKey(signedBy: keyID, given: key.keyID)
        }
        guard key.isValidSignature(signature, for: signedBytes) else {
            throw .badSignature
        }
    }
}

/// Why a signed head was refused.
public enum SignedTreeHeadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The document is not a signed head: `field` breaks `rule`.
    case malformed(field: String, rule: String)
    /// It was signed by the key with id `signedBy`, not by the key given (`given`).
    case wrongKey(signedBy: String, given: String)
    /// The signature does not match: the head, or the signature, was altered.
    case badSignature

    /// One line saying what is wrong.
    public var description: String {
        switch self {
        case .malformed(let field, let rule):
            field.isEmpty ? "not a signed head: \(rule)" : "\(field): \(rule)"
        case .wrongKey(let signedBy, let given):
            "signed by key \(signedBy), not by the key given (\(given))"
        case .badSignature:
            "the signature does not match the head: the head or its signature was altered"
        }
    }
}

extension SignedTreeHead {
    /// Reads a signed head from its JSON form (any strict JSON layout; the signed bytes
    /// are made again canonically from the values read).
    /// - Parameter bytes: The JSON text, e.g. a file `incidents head --sign` wrote.
    /// - Throws: `SignedTreeHeadError.malformed` naming the field and the rule it
    ///   breaks: a missing, unknown or duplicate member, a value of the wrong form, or
    ///   `treeSize` other than `position`.
    public init(parsing bytes: [UInt8]) throws(SignedTreeHeadError) {
        let document: JSONDocument
        do {
            document = try JSONDocument(parsing: bytes)
        } catch {
            throw .malformed(field: "", rule: "not JSON: \(error.description)")
        }
        guard document.kind(document.root) == .object else {
            throw .malformed(field: "", rule: "not a JSON object")
        }
        var members: [String: JSONNode] = [:]
        document.forEachMember(of: document.root) { name, value in members[name] = value }
        let known: Set = [
            "hash", "keyId", "kind", "position", "recordedAt", "root", "signature", "signedAt",
            "treeSize",
        ]
        if let unknown = members.keys.sorted().first(where: { !known.contains($0) }) {
            throw .malformed(field: unknown, rule: "not a member of a signed head")
        }
        let reader = MemberReader(document: document, members: members)

        guard try reader.string("kind") == Self.kind else {
            throw .malformed(field: "kind", rule: "must be \"\(Self.kind)\"")
        }
        let position = try reader.integer("position")
        let size = try reader.integer("treeSize")
        guard size == position else {
            throw .malformed(field: "treeSize", rule: "must equal position (\(position))")
        }
        let recordedAt = try reader.optionalTimestamp("recordedAt")
        guard (recordedAt == nil) == (position == 0) else {
            throw .malformed(
                field: "recordedAt", rule: "present exactly when position is above 0")
        }
        self.head = Head(
            position: position, hash: try reader.digest("hash"), recordedAt: recordedAt)
        self.tree = TreeHead(size: size, root: try reader.digest("root"))
        guard let signedAt = try reader.optionalTimestamp("signedAt") else {
            throw .malformed(field: "signedAt", rule: "missing")
        }
        self.signedAt = signedAt
        self.keyID = try reader.hex("keyId", bytes: 32)
        guard let signature = Hex.decode(try reader.hex("signature", bytes: 64)) else {
            throw .malformed(field: "signature", rule: "must be 128 lower-case hex digits")
        }
        self.signature = signature
    }
}

/// Reads typed members of one object, naming the member in each error.
private struct MemberReader {
    let document: JSONDocument
    let members: [String: JSONNode]

    func string(_ name: String) throws(SignedTreeHeadError) -> String {
        guard let node = members[name] else { throw .malformed(field: name, rule: "missing") }
        guard document.kind(node) == .string else {
            throw .malformed(field: name, rule: "must be a string")
        }
        return document.string(node)
    }

    func integer(_ name: String) throws(SignedTreeHeadError) -> UInt64 {
        guard let node = members[name] else { throw .malformed(field: name, rule: "missing") }
        let text = String(decoding: document.source(node), as: UTF8.self)
        guard document.kind(node) == .number, let value = UInt64(text), String(value) == text
        else {
            throw .malformed(field: name, rule: "must be a whole number from 0, not \(text)")
        }
        return value
    }

    func hex(_ name: String, bytes: Int) throws(SignedTreeHeadError) -> String {
        let text = try string(name)
        guard text.utf8.count == 2 * bytes, Hex.decode(text) != nil else {
            throw .malformed(field: name, rule: "must be \(2 * bytes) lower-case hex digits")
        }
        return text
    }

    func digest(_ name: String) throws(SignedTreeHeadError) -> SHA256Digest {
        guard let digest = SHA256Digest(hex: try hex(name, bytes: 32)) else {
            throw .malformed(field: name, rule: "must be 64 lower-case hex digits")
        }
        return digest
    }

    func optionalTimestamp(_ name: String) throws(SignedTreeHeadError) -> Timestamp? {
        guard members[name] != nil else { return nil }
        let text = try string(name)
        let timestamp: Timestamp
        do {
            timestamp = try Timestamp(parsing: text)
        } catch {
            throw .malformed(field: name, rule: "\(error)")
        }
        // The signature covers the text as written; only the ledger's own form is accepted,
        // so that every checker signs and checks the same bytes.
        guard timestamp.text == text, text.hasSuffix("Z") else {
            throw .malformed(field: name, rule: "must be UTC with an upper-case T and Z")
        }
        return timestamp
    }
}

extension Ledger {
    /// Signs the ledger's current head: the hash chain's head and the Merkle tree head
    /// of the same size.
    /// - Parameters:
    ///   - key: The signing key.
    ///   - signedAt: The signing time (default: now, UTC, 6 fraction digits).
    /// - Returns: The signed head.
    /// - Throws: `LedgerError` when the ledger cannot be read, `KeyError` when
    ///   signing fails.
    /// - Complexity: O(log n) reads.
    public func signedTreeHead(
        key: Ed25519PrivateKey,
        signedAt: Timestamp = Timestamp(utcNanoseconds: Ledger.now(), fractionDigits: 6)
    ) throws -> SignedTreeHead {
        let head = try head()
        let tree = try treeHead(size: head.position)
        return try SignedTreeHead(head: head, tree: tree, signedAt: signedAt, key: key)
    }

    /// What this ledger says against a signed head, or nil when it holds that head:
    /// the record at its position hashes to its `hash`, and the tree of its size has
    /// its root. A ledger that only grew since the head was signed still holds it.
    /// - Parameter signed: The head to look for (its signature is not checked here).
    /// - Returns: Nil, or one line saying where the ledger differs.
    /// - Throws: `LedgerError` when the ledger cannot be read.
    /// - Complexity: O(log n) reads plus one record.
    public func disagreement(with signed: SignedTreeHead) throws(LedgerError) -> String? {
        let current = try head()
        guard signed.head.position <= current.position else {
            return "the ledger ends at position \(current.position), before the head's "
                + "position \(signed.head.position)"
        }
        if signed.head.position > 0 {
            guard let bytes = try recordBytes(at: signed.head.position) else {
                return "no record at position \(signed.head.position)"
            }
            let digest = hasher.digest(bytes)
            guard digest == signed.head.hash else {
                return "record \(signed.head.position) hashes to \(digest.hex), "
                    + "not \(signed.head.hash.hex)"
            }
        }
        let tree = try treeHead(size: signed.tree.size)
        guard tree.root == signed.tree.root else {
            return "the tree of \(tree.size) records has root \(tree.root.hex), "
                + "not \(signed.tree.root.hex)"
        }
        return nil
    }
}
