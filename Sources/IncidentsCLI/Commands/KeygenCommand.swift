import CommandLineKit
import Interchange
import LedgerCrypto

extension Command {
    /// `incidents keygen`: a new Ed25519 key pair for signing ledger heads.
    static let keygen = Command(
        spec: CommandSpec(
            name: "keygen", summary: "Make an Ed25519 key pair for signing ledger heads",
            discussion: "Writes a new private key to PATH (PKCS#8 PEM, mode 0600: keep it "
                + "secret) and its public key to PATH.pub (SubjectPublicKeyInfo PEM: give it "
                + "to auditors and witnesses). Neither file may exist: keygen never replaces "
                + "a key. The key id is the SHA-256 of the 32 raw public-key bytes; signed "
                + "heads carry it. Use the key with 'incidents head --sign PATH' and with "
                + "--key PATH where a command signs the head it was taken from.",
            options: [
                OptionSpec(
                    "output", short: "o", value: "PATH",
                    help: "Where the private key goes; the public key goes to PATH.pub",
                    required: true),
                CommonOptions.json,
                CommonOptions.help,
            ],
            examples: [
                "incidents keygen -o ~/.config/incidents/head-signing.pem",
                "incidents keygen -o witness.pem --json",
            ]
        )
    ) { arguments, context in
        guard let path = arguments.value("output"), !path.isEmpty else {
            throw UsageError("give the private key's path with -o PATH")
        }
        let publicPath = path + ".pub"
        let key = try Ed25519PrivateKey.generate()
        try KeyFile.writePair(key, privateKeyPath: path, publicKeyPath: publicPath)

        let publicKey = key.publicKey
        if arguments.flag("json") {
            var writer = CanonicalJSONWriter()
            writer.beginObject()
            writer.field("keyId", publicKey.keyID)
            writer.field("privateKeyFile", path)
            writer.field("publicKey", Hex.encode(publicKey.rawRepresentation))
            writer.field("publicKeyFile", publicPath)
            writer.endObject()
            context.out.write(bytes: writer.bytes)
            context.out.line()
        } else {
            context.out.line("private key  \(path)  (mode 0600: keep it secret)")
            context.out.line("public key   \(publicPath)  (give it to auditors and witnesses)")
            context.out.line("key id       \(publicKey.keyID)")
        }
        return .success
    }
}
