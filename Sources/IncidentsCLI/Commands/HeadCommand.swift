import CommandLineKit
import IncidentLedger
import Interchange
import LedgerCrypto

extension Command {
    /// `incidents head`: the last position and its hash; signed, or a signed one checked.
    static let head = Command(
        spec: CommandSpec(
            name: "head", summary: "Print the last record's position and hash",
            discussion: "The head is the digest an auditor writes down: the position of the "
                + "last record and the SHA-256 of its stored bytes. Because each record "
                + "carries the hash of the one before, the head fixes the whole log up to it. "
                + "The second line is the RFC 6962 Merkle tree head over the same records "
                + "(size and root), against which 'incidents prove' gives proofs.\n\n"
                + "With --sign KEY, prints the head signed with that Ed25519 key (from "
                + "'incidents keygen') as one line of JSON, to give to an auditor or a "
                + "witness; schemas/README.md says exactly which bytes are signed. With "
                + "--check FILE --public-key PUB, checks such a signed head: its signature, "
                + "and that this ledger still holds it (the record at its position has its "
                + "hash, the tree of its size its root). Exit status 1 when either fails; "
                + "tools/ledger-check.py --signed-head does the same check without the ledger.",
            options: [
                OptionSpec("sign", value: "KEY", help: "Sign the head with this private key"),
                OptionSpec("check", value: "FILE", help: "Check a signed head ('-' for stdin)"),
                SigningOptions.publicKey,
            ],
            examples: [
                "incidents head",
                "incidents head --json",
                "incidents head --sign head-signing.pem > head-2026-12-03.json",
                "incidents head --check head-2026-12-03.json --public-key head-signing.pem.pub",
            ]
        ).withCommonOptions(json: true)
    ) { arguments, context in
        if let file = arguments.value("check") {
            return try checkSignedHead(file, arguments: arguments, context: context)
        }
        if arguments.has("public-key") {
            throw UsageError("--public-key goes with --check FILE")
        }
        let key = try arguments.signingKey(option: "sign")
        let ledger = try context.openLedger(.readOnly)
        let head = try ledger.head()
        let tree = try ledger.treeHead(size: head.position)
        if key != nil || arguments.flag("json") {
            var writer = CanonicalJSONWriter()
            try writer.ledgerHead(head, tree: tree, signedWith: key)
            context.out.write(bytes: writer.bytes)
            context.out.line()
        } else {
            let time = head.recordedAt.map { "  recorded \($0.text)" } ?? ""
            context.out.line("\(head.position) \(head.hash.hex)\(time)")
            context.out.line("tree size \(tree.size) root \(tree.root.hex)")
        }
        return .success
    }

    /// `head --check FILE --public-key PUB`: the signature, then the ledger.
    private static func checkSignedHead(
        _ file: String, arguments: ParsedArguments, context: Context
    ) throws -> ExitStatus {
        if arguments.has("sign") {
            throw UsageError("give either --sign KEY or --check FILE, not both")
        }
        guard let publicKey = try arguments.publicKey() else {
            throw UsageError("--check FILE needs the signer's key: --public-key PUB")
        }
        let signed: SignedTreeHead
        do {
            signed = try SignedTreeHead(parsing: readInput(file))
        } catch let error as SignedTreeHeadError {
            throw CLIError(.invalidInput, "\(file): \(error)")
        }

        var failure: String?
        do {
            try signed.verify(with: publicKey)
        } catch {
            failure = error.description
        }
        if failure == nil {
            let ledger = try context.openLedger(.readOnly)
            failure = try ledger.disagreement(with: signed).map {
                "signed correctly, but this ledger does not hold it: \($0)"
            }
        }

        if arguments.flag("json") {
            var writer = CanonicalJSONWriter()
            writer.beginObject()
            writer.key("head")
            signed.write(to: &writer)
            writer.field("ok", failure == nil)
            writer.field("reason", failure)
            writer.endObject()
            context.out.write(bytes: writer.bytes)
            context.out.line()
        } else if failure == nil {
            context.out.line(
                "ok: \(signed.head.position) records, root \(signed.tree.root.hex), "
                    + "signed at \(signed.signedAt.text) by key \(signed.keyID); "
                    + "this ledger holds it")
        }
        if let failure {
            context.err.line("incidents head: \(file): \(failure)")
            return .checkFailed
        }
        return .success
    }
}
