import Testing

@testable import Interchange

@Suite("CanonicalScanner")
struct CanonicalScannerTests {
    static let record = Array(
        (#"{"actor":"łukasz","at":"2026-03-02T09:14:00Z","data":{"processes":["a","b"],"#
            + #""regulatory":true,"text":"line\nnext \u001f"},"id":"3b8f2a56-0c1e-4e8a-9a53-"#
            + #"8d6f0f8f2c11","incident":"INC-1","position":12,"prev":"00","recordedAt":"x","#
            + #""recordedBy":"root","type":"note","z":[null,false,-7,0,{}]}"#).utf8)

    static func scan(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { CanonicalScanner.scan($0) { _, _ in } }
    }

    static func parserSays(_ bytes: [UInt8]) -> Bool {
        (try? JSONDocument(parsing: bytes))?.isCanonical ?? false
    }

    @Test("a canonical record is accepted and its top-level members handed over in order")
    func acceptsRecord() {
        var keys: [String] = []
        var position = ""
        let accepted = Self.record.withUnsafeBytes { text in
            CanonicalScanner.scan(text) { key, value in
                keys.append(String(decoding: key, as: UTF8.self))
                if keys.last == "position" { position = String(decoding: value, as: UTF8.self) }
            }
        }
        #expect(accepted)
        #expect(keys.first == "actor" && keys.last == "z" && keys.count == 11)
        #expect(position == "12")
    }

    @Test(
        "non-canonical and invalid texts are refused",
        arguments: [
            #"{"b":1,"a":2}"#, #"{"a":1,"a":1}"#, #"{ "a":1}"#, #"{"a":1}\#n"#, #"{"a":01}"#,
            #"{"a":-0}"#, #"{"a":1.5}"#, #"{"a":1e3}"#, #"{"a":"\/"}"#, #"{"a":"\u0041"}"#,
            #"{"a":"\u001F"}"#, #"{"a":"\u000a"}"#, #"{"a":tru}"#, #"["a"]"#, #"{"a":1"#, "",
            #"{"a\n":1}"#,
        ])
    func refuses(text: String) {
        #expect(!Self.scan(Array(text.utf8)))
    }

    @Test("it agrees with the parser's canonical check on every truncation and byte change")
    func agreesWithParser() {
        let base = Self.record
        var cases: [[UInt8]] = (0...base.count).map { Array(base[..<$0]) }
        let replacements: [UInt8] = [
            0x20, 0x22, 0x5C, 0x2C, 0x7B, 0x7D, 0x30, 0x61, 0x80, 0xC3, 0x0A,
        ]
        for index in base.indices {
            for byte in replacements where byte != base[index] {
                var changed = base
                changed[index] = byte
                cases.append(changed)
            }
        }
        cases.append(Array(#"{"a":"\#u{7F}é𝄞"}"#.utf8))
        // A UTF-8-encoded surrogate, and an overlong form.
        cases.append([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x7D])
        cases.append([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC0, 0xAF, 0x22, 0x7D])
        var disagreements = 0
        for bytes in cases {
            let scanner = Self.scan(bytes)
            let parser = Self.parserSays(bytes)
            if scanner {
                #expect(parser, "scanner accepted what the parser refuses: \(bytes)")
            } else if parser, !bytes.contains(UInt8(ascii: "\\")) {
                disagreements += 1
            }
        }
        #expect(disagreements == 0)
        #expect(cases.count > 3000)
    }

    @Test("nesting deeper than the limit is refused without recursion trouble")
    func depth() {
        let deep = Array(repeating: UInt8(ascii: "["), count: 100_000)
        let text = Array(#"{"a":"#.utf8) + deep
        #expect(!Self.scan(text))
        let fine = Array(#"{"a":[[[]]]}"#.utf8)
        #expect(Self.scan(fine))
    }
}
