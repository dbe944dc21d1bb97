import CommandLineKit
import IncidentLedger
import Interchange

extension Command {
    /// `incidents head`: the last position and its hash.
    static let head = Command(
        spec: CommandSpec(
            name: "head", summary: "Print the last record's position and hash",
            discussion: "The head is the digest an auditor writes down: the position of the "
                + "last record and the SHA-256 of its stored bytes. Because each record "
                + "carries the hash of the one before, the head fixes the whole log up to it. "
                + "The second line is the RFC 6962 Merkle tree head over the same records "
                + "(size and root), against which 'incidents prove' gives proofs.",
            examples: ["incidents head", "incidents head --json"]
        ).withCommonOptions(json: true)
    ) { arguments, context in
        let ledger = try context.openLedger(.readOnly)
        let head = try ledger.head()
        let tree = try ledger.treeHead(size: head.position)
        if arguments.flag("json") {
            var writer = CanonicalJSONWriter()
            writer.beginObject()
            writer.field("hash", head.hash.hex)
            writer.field("position", Int(head.position))
            writer.field("recordedAt", head.recordedAt)
            writer.field("root", tree.root.hex)
            writer.field("treeSize", Int(tree.size))
            writer.endObject()
            context.out.write(bytes: writer.bytes)
            context.out.line()
        } else {
            let time = head.recordedAt.map { "  recorded \($0.text)" } ?? ""
            context.out.line("\(head.position) \(head.hash.hex)\(time)")
            context.out.line("tree size \(tree.size) root \(tree.root.hex)")
        }
        return .success
    }
}
