import Interchange

/// The UTF-8 bytes of a text, for feeding the parser.
func utf8(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

/// The error the parser reports for a text, or nil if it accepts the text.
func rejection(_ bytes: [UInt8], maxDepth: Int = 32) -> JSONError? {
    do {
        _ = try JSONDocument(parsing: bytes, maxDepth: maxDepth)
        return nil
    } catch {
        return error
    }
}

/// The error the parser reports for a text, or nil if it accepts the text.
func rejection(_ text: String, maxDepth: Int = 32) -> JSONError? {
    rejection(utf8(text), maxDepth: maxDepth)
}

/// Re-serialises a parsed document canonically, as an auditor's checker would: object keys
/// sorted by their UTF-8 bytes, integers from their source text.
func canonicalBytes(of document: JSONDocument) -> [UInt8] {
    var writer = CanonicalJSONWriter()
    writeCanonically(document.root, of: document, to: &writer)
    return writer.bytes
}

private func writeCanonically(
    _ node: JSONNode, of document: JSONDocument, to writer: inout CanonicalJSONWriter
) {
    switch document.kind(node) {
    case .object:
        var members: [(key: String, value: JSONNode)] = []
        document.forEachMember(of: node) { members.append(($0, $1)) }
        members.sort { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        writer.beginObject()
        for member in members {
            writer.key(member.key)
            writeCanonically(member.value, of: document, to: &writer)
        }
        writer.endObject()
    case .array:
        writer.beginArray()
        for element in document.elements(of: node) {
            writeCanonically(element, of: document, to: &writer)
        }
        writer.endArray()
    case .string:
        writer.string(document.string(node))
    case .number:
        let digits = String(decoding: document.source(node), as: UTF8.self)
        writer.integer(Int64(digits) ?? 0)
    case .bool:
        writer.bool(document.bool(node))
    case .null:
        break
    }
}

/// The example record of schemas/README.md, exactly as the ledger stores it.
let exampleRecord = """
    {"actor":"alice","at":"2026-03-02T09:14:00Z","data":{"process":"nightly-export",\
    "severity":"SEV3","title":"Export job failed"},\
    "id":"3b8f2a56-0c1e-4e8a-9a53-8d6f0f8f2c11","incident":"INC-0042","position":1,\
    "prev":"0000000000000000000000000000000000000000000000000000000000000000",\
    "recordedAt":"2026-03-02T09:14:03.512000Z","recordedBy":"alice","type":"detected"}
    """
