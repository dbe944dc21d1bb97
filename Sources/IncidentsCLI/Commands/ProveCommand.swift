import CommandLineKit
import IncidentLedger
import Interchange
import LedgerCrypto

extension Command {
    /// `incidents prove`: RFC 6962 inclusion and consistency proofs.
    static let prove = Command(
        spec: CommandSpec(
            name: "prove", summary: "Prove a record is in the log, or that the log only grew",
            discussion: "With an event id or a position, prints the RFC 6962 inclusion proof "
                + "of that record in the Merkle tree of the first N records (default: all), "
                + "with the tree's root: anyone holding the record's bytes can check it "
                + "against a tree head they trust. With --consistency OLD, prints the proof "
                + "that the tree of N records extends the tree of OLD records, i.e. that "
                + "nothing written before was changed or removed. tools/ledger-check.py "
                + "verifies both.",
            positionals: [
                PositionalSpec("RECORD", help: "An event id or a position", optional: true)
            ],
            options: [
                OptionSpec("size", value: "N", help: "The tree size to prove against"),
                OptionSpec(
                    "consistency", value: "OLD", help: "Prove the tree of OLD records is a prefix"),
            ],
            examples: [
                "incidents prove 3b8f2a56-0c1e-4e8a-9a53-8d6f0f8f2c11 > proof.json",
                "incidents prove --consistency 1000 --size 2000",
            ]
        ).withCommonOptions(json: false)
    ) { arguments, context in
        let ledger = try context.openLedger(.readOnly)
        let head = try ledger.head()
        let size = try arguments.wholeNumber("size", minimum: 1) ?? head.position
        guard size >= 1, size <= head.position else {
            throw CLIError(.invalidInput, "--size must be from 1 to \(head.position), not \(size)")
        }
        let tree = try ledger.treeHead(size: size)
        var writer = CanonicalJSONWriter(reservingCapacity: 4096)
        writer.beginObject()

        if let old = try arguments.wholeNumber("consistency", minimum: 1) {
            guard old <= size else {
                throw CLIError(.invalidInput, "--consistency \(old) is larger than --size \(size)")
            }
            let oldTree = try ledger.treeHead(size: old)
            writer.field("newRoot", tree.root.hex)
            writer.field("newSize", Int(size))
            writer.field("oldRoot", oldTree.root.hex)
            writer.field("oldSize", Int(old))
            writer.key("proof")
            writeHashes(try ledger.consistencyProof(oldSize: old, newSize: size), to: &writer)
            writer.field("type", "consistency")
        } else {
            guard let target = arguments.positional("RECORD") else {
                throw UsageError("give a RECORD (event id or position), or --consistency OLD")
            }
            let position = try ledger.position(ofRecord: target)
            guard position <= size else {
                throw CLIError(
                    .invalidInput, "record \(position) is not in the tree of \(size) records")
            }
            guard let bytes = try ledger.recordBytes(at: position) else {
                throw CLIError(.missing, "no record at position \(position)")
            }
            writer.field("position", Int(position))
            writer.key("proof")
            writeHashes(try ledger.inclusionProof(position: position, size: size), to: &writer)
            writer.field("record", String(decoding: bytes, as: UTF8.self))
            writer.field("root", tree.root.hex)
            writer.field("treeSize", Int(size))
            writer.field("type", "inclusion")
        }
        writer.endObject()
        context.out.write(bytes: writer.bytes)
        context.out.line()
        return .success
    }

    private static func writeHashes(_ hashes: [SHA256Digest], to writer: inout CanonicalJSONWriter)
    {
        writer.beginArray()
        for hash in hashes { writer.string(hash.hex) }
        writer.endArray()
    }
}
