import Interchange
import Testing

@Suite("JSONDocument on damaged and generated texts")
struct JSONRobustnessTests {
    @Test func everyTruncationOfARecordIsRejectedWithAnOffsetInsideIt() {
        let record = utf8(exampleRecord)

        for length in 0..<record.count {
            let error = rejection(Array(record[..<length]))
            #expect(error != nil, "accepted the first \(length) bytes")
            if let error {
                #expect((0...length).contains(error.offset), "\(length): \(error)")
            }
        }
    }

    @Test func everySingleByteChangeOfARecordIsParsedOrRejectedWithoutTrapping() {
        let record = utf8(exampleRecord)
        let replacements: [UInt8] = [
            0x00, 0x09, 0x0A, 0x1F, 0x20, 0x22, 0x2C, 0x2D, 0x2E, 0x30, 0x3A, 0x5B, 0x5C,
            0x5D, 0x65, 0x75, 0x7B, 0x7D, 0x7F, 0x80, 0xC3, 0xED, 0xF4, 0xFF,
        ]

        var accepted = 0
        var rejected = 0
        for index in record.indices {
            for replacement in replacements where replacement != record[index] {
                var damaged = record
                damaged[index] = replacement
                if let error = rejection(damaged) {
                    #expect((0...damaged.count).contains(error.offset))
                    rejected += 1
                } else {
                    accepted += 1
                }
            }
        }
        #expect(rejected > accepted)
        #expect(accepted + rejected > 6_000)
    }

    @Test func largeGeneratedCanonicalTextSurvivesParseAndRewriteUnchanged() throws {
        var writer = CanonicalJSONWriter()
        writer.beginArray()
        for index in 0..<3_000 {
            writer.beginObject()
            writer.key("a")
            writer.integer(Int64(index) * -7)
            writer.key("b")
            writer.beginArray()
            for element in 0..<(index % 5) {
                writer.bool(element % 2 == 0)
            }
            writer.endArray()
            writer.key("c")
            writer.string("line \(index)\n\u{01}\"é\"")
            if index % 3 == 0 {
                writer.key("d")
                writer.beginObject()
                writer.key("e")
                writer.beginArray()
                writer.beginArray()
                writer.endArray()
                writer.endArray()
                writer.endObject()
            }
            writer.endObject()
        }
        writer.endArray()

        let document = try JSONDocument(parsing: writer.bytes)

        #expect(document.count(document.root) == 3_000)
        #expect(canonicalBytes(of: document) == writer.bytes)
    }

    @Test func longArrayOfSmallValuesGrowsTheTapeAndKeepsEveryElement() throws {
        let text = "[" + Array(repeating: "0", count: 50_000).joined(separator: ",") + ",1]"

        let document = try JSONDocument(parsing: utf8(text))

        let elements = document.elements(of: document.root)
        #expect(elements.count == 50_001)
        #expect(Array(document.source(elements[50_000])) == utf8("1"))
        #expect(Array(document.source(elements[49_999])) == utf8("0"))
    }
}
