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
                + "carries the hash of the one before, the head fixes the whole log up to it.",
            examples: ["incidents head", "incidents head --json"]
        ).withCommonOptions(json: true)
    ) { arguments, context in
        let head = try context.openLedger(.readOnly).head()
        if arguments.flag("json") {
            var writer = CanonicalJSONWriter()
            writer.head(head)
            context.out.write(bytes: writer.bytes)
            context.out.line()
        } else {
            let time = head.recordedAt.map { "  recorded \($0.text)" } ?? ""
            context.out.line("\(head.position) \(head.hash.hex)\(time)")
        }
        return .success
    }
}
