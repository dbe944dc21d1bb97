import CommandLineKit
import IncidentLedger
import Interchange
import LedgerCrypto

/// The signing options shared by the commands that can sign what they write (`head`,
/// and the export manifest and compliance report): one spelling, one loader, one set
/// of error messages.
enum SigningOptions {
    /// `--key KEY`: the Ed25519 private key (PKCS#8 PEM, from `incidents keygen`) to
    /// sign the ledger head with.
    static let key = OptionSpec(
        "key", value: "KEY",
        help: "Sign the ledger head with this Ed25519 private key (from 'incidents keygen')")

    /// `--public-key PUB`: the public key (`KEY.pub`) a signed head is checked with.
    static let publicKey = OptionSpec(
        "public-key", value: "PUB",
        help: "The signer's public key (the KEY.pub that 'incidents keygen' wrote)")
}

extension ParsedArguments {
    /// The private key named by the option `name` (default `--key`), or nil when the
    /// option is not given.
    /// - Throws: `CLIError` naming the file: 66 when missing, 77 when unreadable by
    ///   this user, 65 when it is not an Ed25519 private key.
    func signingKey(option name: String = "key") throws(CLIError) -> Ed25519PrivateKey? {
        guard let path = value(name) else { return nil }
        do {
            return try Ed25519PrivateKey(contentsOfFile: path)
        } catch {
            throw CLIError(keyError: error)
        }
    }

    /// The public key named by the option `name` (default `--public-key`), or nil when
    /// the option is not given.
    /// - Throws: `CLIError` naming the file, as for `signingKey(option:)`.
    func publicKey(option name: String = "public-key") throws(CLIError) -> Ed25519PublicKey? {
        guard let path = value(name) else { return nil }
        do {
            return try Ed25519PublicKey(contentsOfFile: path)
        } catch {
            throw CLIError(keyError: error)
        }
    }
}

extension CanonicalJSONWriter {
    /// The ledger head a command's output was taken from, as one object value (write
    /// its key first, e.g. `writer.key("head")`): signed with `key` when there is one
    /// (`head.schema.json#/$defs/signedHead`), else the plain head of `incidents head
    /// --json` (`#/$defs/head`).
    /// - Parameters:
    ///   - head: The head read in the same transaction, or at the same position, as
    ///     the data the output holds.
    ///   - tree: `ledger.treeHead(size: head.position)`.
    ///   - key: From `arguments.signingKey()`, or nil.
    /// - Returns: The signed head when there was a key, for showing its id and time.
    /// - Throws: `CLIError` (status 70) when signing fails, which it should not.
    @discardableResult
    mutating func ledgerHead(
        _ head: Head, tree: TreeHead, signedWith key: Ed25519PrivateKey?
    ) throws(CLIError) -> SignedTreeHead? {
        guard let key else {
            ledgerHead(head, tree: tree, signed: nil)
            return nil
        }
        let signed: SignedTreeHead
        do {
            signed = try SignedTreeHead(
                head: head, tree: tree,
                signedAt: Timestamp(utcNanoseconds: Ledger.now(), fractionDigits: 6), key: key)
        } catch {
            throw CLIError(keyError: error)
        }
        ledgerHead(head, tree: tree, signed: signed)
        return signed
    }

    /// The ledger head as one object: `signed` when given (it must be of `head` and
    /// `tree`), else the fields of `incidents head --json`.
    mutating func ledgerHead(_ head: Head, tree: TreeHead, signed: SignedTreeHead?) {
        if let signed {
            signed.write(to: &self)
            return
        }
        beginObject()
        field("hash", head.hash.hex)
        field("position", Int(head.position))
        field("recordedAt", head.recordedAt)
        field("root", tree.root.hex)
        field("treeSize", Int(tree.size))
        endObject()
    }
}

extension CLIError {
    /// The status and message for a key that cannot be read or written.
    init(keyError error: KeyError) {
        let status: ExitStatus =
            switch error.problem {
            case .missing: .missing
            case .permissionDenied: .permissionDenied
            case .exists, .cannotCreate: .cannotCreate
            case .notAKey, .wrongAlgorithm: .invalidInput
            case .failed: .ioError
            case .library: .internalError
            }
        self.init(status, error.description)
    }
}
