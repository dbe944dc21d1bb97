import IncidentLedger
import Interchange

/// The libFuzzer entry point: feeds one input to the strict JSON parser, the
/// canonical scanner and the event and record decoders, and traps when the parser
/// and the scanner disagree.
///
/// Built and run by `tools/fuzz`, never by SwiftPM: libFuzzer supplies `main`.
/// Every decoder must return or throw for any bytes; a trap, an overflow, an
/// out-of-bounds access (AddressSanitizer) or a hang is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let buffer = UnsafeBufferPointer(start: start, count: start == nil ? 0 : count)
    let bytes = ArraySlice(buffer)

    // The parser, at the depth events are read with and at a deeper one.
    let parsed = try? JSONDocument(parsing: bytes, maxDepth: 32)
    _ = try? JSONDocument(parsing: bytes, maxDepth: 4096)

    // The scanner says yes exactly when the parser accepts a canonical object,
    // except that it refuses an object key written with an escape.
    let scanned = CanonicalScanner.scan(UnsafeRawBufferPointer(buffer), maxDepth: 32) { _, _ in }
    if scanned {
        guard let parsed, parsed.kind(parsed.root) == .object, parsed.isCanonical else {
            fatalError("the canonical scanner accepted what the parser refuses or calls other")
        }
    } else if let parsed, parsed.kind(parsed.root) == .object, parsed.isCanonical,
        !hasEscapedKey(buffer)
    {
        fatalError("the parser accepts a canonical object that the scanner refuses")
    }

    // The validator: every field rule, as `import` and `verify` apply them.
    _ = try? EventDecoder.decodeEvent(bytes)
    _ = try? EventDecoder.decodeRecord(bytes)
    if let text = String(validating: buffer, as: UTF8.self) {
        _ = try? Timestamp(parsing: text)
    }
    return 0
}

/// Whether a backslash appears inside any string of the text (a cheap superset of
/// "some object key has an escape").
private func hasEscapedKey(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
    buffer.contains(UInt8(ascii: "\\"))
}
