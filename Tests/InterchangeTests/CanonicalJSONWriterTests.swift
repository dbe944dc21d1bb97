import Interchange
import Testing

@Suite("CanonicalJSONWriter")
struct CanonicalJSONWriterTests {
    @Test func writesTheExampleRecordByteForByte() {
        var writer = CanonicalJSONWriter()
        writer.beginObject()
        writer.key("actor")
        writer.string("alice")
        writer.key("at")
        writer.string("2026-03-02T09:14:00Z")
        writer.key("data")
        writer.beginObject()
        writer.key("process")
        writer.string("nightly-export")
        writer.key("severity")
        writer.string("SEV3")
        writer.key("title")
        writer.string("Export job failed")
        writer.endObject()
        writer.key("id")
        writer.string("3b8f2a56-0c1e-4e8a-9a53-8d6f0f8f2c11")
        writer.key("incident")
        writer.string("INC-0042")
        writer.key("position")
        writer.integer(1)
        writer.key("prev")
        writer.string(String(repeating: "0", count: 64))
        writer.key("recordedAt")
        writer.string("2026-03-02T09:14:03.512000Z")
        writer.key("recordedBy")
        writer.string("alice")
        writer.key("type")
        writer.string("detected")
        writer.endObject()

        #expect(writer.bytes == utf8(exampleRecord))
    }

    @Test func escapesOnlyQuoteBackslashAndControlCharacters() {
        let controls = String(String.UnicodeScalarView((0..<0x20).compactMap(Unicode.Scalar.init)))
        var writer = CanonicalJSONWriter()

        writer.string(controls + "\"\\/é€😀\u{7F}")

        let expected =
            #""\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f"#
            + #"\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b"#
            + #"\u001c\u001d\u001e\u001f\"\\/"#
        #expect(
            writer.bytes
                == utf8(expected) + [0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0x7F]
                + [0x22])
    }

    @Test func plainStringsAreCopiedWhole() {
        var writer = CanonicalJSONWriter()

        writer.string("")
        writer.string("Export job failed; retried at 09:20 — still failing")

        #expect(writer.bytes == utf8(#""","Export job failed; retried at 09:20 — still failing""#))
    }

    @Test(arguments: [
        (Int64(0), "0"), (1, "1"), (-1, "-1"), (10, "10"), (-120, "-120"),
        (Int64.max, "9223372036854775807"), (Int64.min, "-9223372036854775808"),
    ])
    func integersAreWrittenInPlainDecimal(_ value: Int64, _ text: String) {
        var writer = CanonicalJSONWriter()

        writer.integer(value)

        #expect(writer.bytes == utf8(text))
    }

    @Test func commasSeparateMembersAndElementsAtEveryLevel() {
        var writer = CanonicalJSONWriter()
        writer.beginObject()
        writer.key("a")
        writer.beginArray()
        writer.integer(1)
        writer.bool(true)
        writer.bool(false)
        writer.string("x")
        writer.beginArray()
        writer.endArray()
        writer.beginObject()
        writer.endObject()
        writer.beginArray()
        writer.integer(2)
        writer.integer(3)
        writer.endArray()
        writer.endArray()
        writer.key("b")
        writer.beginObject()
        writer.key("c")
        writer.bool(false)
        writer.endObject()
        writer.key("d")
        writer.integer(-4)
        writer.endObject()

        #expect(
            writer.bytes == utf8(#"{"a":[1,true,false,"x",[],{},[2,3]],"b":{"c":false},"d":-4}"#))
    }

    @Test func keysAreEscapedLikeStrings() {
        var writer = CanonicalJSONWriter()
        writer.beginObject()
        writer.key("a\"b")
        writer.integer(1)
        writer.key("a\\")
        writer.integer(2)
        writer.endObject()

        #expect(writer.bytes == utf8(#"{"a\"b":1,"a\\":2}"#))
    }

    @Test func resetEmptiesTheBufferAndKeepsItsCapacity() {
        var writer = CanonicalJSONWriter(reservingCapacity: 1024)
        writer.beginArray()
        writer.integer(1)
        let capacity = writer.bytes.capacity

        writer.reset()
        writer.integer(2)

        #expect(writer.bytes == utf8("2"))
        #expect(writer.bytes.capacity == capacity)
        #expect(capacity >= 1024)
    }

    #if DEBUG
        @Test func keysOutOfOrderStopADebugBuild() async {
            await #expect(processExitsWith: .failure) {
                var writer = CanonicalJSONWriter()
                writer.beginObject()
                writer.key("type")
                writer.integer(1)
                writer.key("at")
                writer.integer(2)
            }
        }

        @Test func aRepeatedKeyStopsADebugBuild() async {
            await #expect(processExitsWith: .failure) {
                var writer = CanonicalJSONWriter()
                writer.beginObject()
                writer.key("at")
                writer.integer(1)
                writer.key("at")
                writer.integer(2)
            }
        }
    #endif

    @Test func keysOfNestedObjectsAreOrderedSeparately() {
        var writer = CanonicalJSONWriter()
        writer.beginObject()
        writer.key("m")
        writer.beginObject()
        writer.key("z")
        writer.integer(1)
        writer.endObject()
        writer.key("n")
        writer.beginArray()
        writer.beginObject()
        writer.key("a")
        writer.integer(2)
        writer.endObject()
        writer.endArray()
        writer.endObject()

        #expect(writer.bytes == utf8(#"{"m":{"z":1},"n":[{"a":2}]}"#))
    }

    @Test func parsingThenWritingCanonicallyNormalisesTheText() throws {
        let text = #"""
             { "type" : "note",
               "data" : { "text" : "caf\u00e9 \/ \u20ac \ud83d\ude00 \u001F" },
               "at" : "2026-03-02T09:14:00Z", "n" : [ -0, 7 ], "ok" : true }
            """#
        let document = try JSONDocument(parsing: utf8(text))

        let canonical = String(decoding: canonicalBytes(of: document), as: UTF8.self)

        #expect(
            canonical
                == #"{"at":"2026-03-02T09:14:00Z","data":{"text":"café / € 😀 \u001f"},"#
                + #""n":[0,7],"ok":true,"type":"note"}"#)
    }
}
