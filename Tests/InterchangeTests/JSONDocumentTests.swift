import Interchange
import Testing

@Suite("JSONDocument reading valid texts")
struct JSONDocumentTests {
    @Test func exampleRecordYieldsItsMembersInDocumentOrderWithDecodedValues() throws {
        let document = try JSONDocument(parsing: utf8(exampleRecord))

        #expect(document.kind(document.root) == .object)
        #expect(document.count(document.root) == 10)
        var keys: [String] = []
        var strings: [String: String] = [:]
        var data: JSONNode?
        document.forEachMember(of: document.root) { key, value in
            keys.append(key)
            if document.kind(value) == .string {
                strings[key] = document.string(value)
            }
            if key == "data" {
                data = value
            }
        }
        #expect(
            keys == [
                "actor", "at", "data", "id", "incident", "position", "prev", "recordedAt",
                "recordedBy", "type",
            ])
        #expect(strings["at"] == "2026-03-02T09:14:00Z")
        #expect(strings["type"] == "detected")
        #expect(strings.count == 8)

        let dataNode = try #require(data)
        #expect(document.kind(dataNode) == .object)
        #expect(document.count(dataNode) == 3)
        var dataMembers: [String] = []
        document.forEachMember(of: dataNode) { key, value in
            dataMembers.append("\(key)=\(document.string(value))")
        }
        #expect(
            dataMembers == [
                "process=nightly-export", "severity=SEV3", "title=Export job failed",
            ])
    }

    @Test func exampleRecordReSerialisesCanonicallyToTheSameBytes() throws {
        let bytes = utf8(exampleRecord)
        let document = try JSONDocument(parsing: bytes)

        #expect(canonicalBytes(of: document) == bytes)
    }

    @Test func sourceOfAValueIsItsExactTextIncludingQuotesAndBrackets() throws {
        let document = try JSONDocument(parsing: utf8(#" { "a" : [ 1 , "x\n" ] } "#))

        #expect(
            String(decoding: document.source(document.root), as: UTF8.self)
                == #"{ "a" : [ 1 , "x\n" ] }"#)
        var array: JSONNode?
        document.forEachMember(of: document.root) { _, value in array = value }
        let arrayNode = try #require(array)
        #expect(
            String(decoding: document.source(arrayNode), as: UTF8.self)
                == #"[ 1 , "x\n" ]"#)
        let elements = document.elements(of: arrayNode)
        #expect(elements.count == 2)
        #expect(String(decoding: document.source(elements[1]), as: UTF8.self) == #""x\n""#)
        #expect(document.string(elements[1]) == "x\n")
    }

    @Test func everyEscapeDecodesToItsCharacter() throws {
        let document = try JSONDocument(
            parsing: utf8(#""\"\\\/\b\f\n\r\t\u0000\u00e9\u20AC\uFFFF""#))

        #expect(
            document.string(document.root)
                == "\"\\/\u{08}\u{0C}\n\r\t\u{00}\u{E9}\u{20AC}\u{FFFF}")
    }

    @Test func surrogatePairEscapeDecodesToOneScalar() throws {
        let document = try JSONDocument(parsing: utf8(#"["\ud83d\ude00", "a\uD834\uDD1Eb"]"#))

        let elements = document.elements(of: document.root)
        #expect(document.string(elements[0]) == "\u{1F600}")
        #expect(document.string(elements[0]).unicodeScalars.count == 1)
        #expect(document.string(elements[1]) == "a\u{1D11E}b")
    }

    @Test func rawMultibyteUTF8IsKeptAsWritten() throws {
        let document = try JSONDocument(parsing: utf8("\"é € 😀 \u{10FFFF} \u{7F}\""))

        #expect(document.string(document.root) == "é € 😀 \u{10FFFF} \u{7F}")
    }

    @Test func longStringsAreScannedAcrossWordBoundaries() throws {
        let text = String(repeating: "abcdefg", count: 37) + "é" + String(repeating: "x", count: 9)
        let document = try JSONDocument(parsing: utf8("\"\(text)\""))

        #expect(document.string(document.root) == text)
    }

    @Test func numbersAreKeptAsTheirSourceText() throws {
        let text = "[0,-0,7,-12,1.5,0.25e10,-12.25E-3,1E+2,1e0,123456789012345678901234567890]"
        let document = try JSONDocument(parsing: utf8(text))

        let sources = document.elements(of: document.root).map {
            String(decoding: document.source($0), as: UTF8.self)
        }
        #expect(
            sources == [
                "0", "-0", "7", "-12", "1.5", "0.25e10", "-12.25E-3", "1E+2", "1e0",
                "123456789012345678901234567890",
            ])
        #expect(document.elements(of: document.root).allSatisfy { document.kind($0) == .number })
    }

    @Test func literalsAreReadAsBooleansAndNull() throws {
        let document = try JSONDocument(parsing: utf8("[true,false,null]"))

        let elements = document.elements(of: document.root)
        #expect(elements.map { document.kind($0) } == [.bool, .bool, .null])
        #expect(elements.map { document.bool($0) } == [true, false, false])
    }

    @Test func aScalarCanBeTheWholeText() throws {
        let string = try JSONDocument(parsing: utf8("\"x\""))
        #expect(string.string(string.root) == "x")
        let number = try JSONDocument(parsing: utf8(" 42 "))
        #expect(number.kind(number.root) == .number)
        #expect(Array(number.source(number.root)) == utf8("42"))
        let null = try JSONDocument(parsing: utf8("null"))
        #expect(null.kind(null.root) == .null)
    }

    @Test func spaceTabCarriageReturnAndLineFeedAreWhitespaceEverywhere() throws {
        let document = try JSONDocument(parsing: utf8("\r\n\t {\t\"a\"\r:\n[ 1\t,\r\n2 ] }\n"))

        #expect(document.count(document.root) == 1)
        document.forEachMember(of: document.root) { key, value in
            #expect(key == "a")
            #expect(document.count(value) == 2)
        }
    }

    @Test func emptyContainersHaveNoMembersOrElements() throws {
        let document = try JSONDocument(parsing: utf8(#"{"a":[],"b":{},"c":[ ],"d":{ }}"#))

        var counts: [String] = []
        document.forEachMember(of: document.root) { key, value in
            counts.append("\(key):\(document.kind(value)):\(document.count(value))")
        }
        #expect(counts == ["a:array:0", "b:object:0", "c:array:0", "d:object:0"])
    }

    @Test func siblingsAfterNestedContainersAreFound() throws {
        let document = try JSONDocument(parsing: utf8(#"[[1,[2,{"x":[3]}]],{"y":{}},4]"#))

        let elements = document.elements(of: document.root)
        #expect(elements.map { document.kind($0) } == [.array, .object, .number])
        #expect(Array(document.source(elements[2])) == utf8("4"))
        #expect(document.count(elements[0]) == 2)
        #expect(document.elements(of: elements[0]).map { document.kind($0) } == [.number, .array])
    }

    @Test func accessorsGiveEmptyAnswersForTheWrongKind() throws {
        let document = try JSONDocument(parsing: utf8(#"[1,"s",{"k":true}]"#))
        let elements = document.elements(of: document.root)

        #expect(document.string(elements[0]) == "")
        #expect(document.bool(elements[1]) == false)
        #expect(document.count(elements[1]) == 0)
        #expect(document.elements(of: elements[2]).isEmpty)
        var called = false
        document.forEachMember(of: elements[0]) { _, _ in called = true }
        #expect(called == false)
    }

    @Test func sliceOffsetsCountFromTheSliceStart() throws {
        let line = utf8("xxxx{\"a\":\"b\"}yyyy")
        let document = try JSONDocument(parsing: line[4..<13])

        #expect(Array(document.source(document.root)) == utf8(#"{"a":"b"}"#))
        document.forEachMember(of: document.root) { key, value in
            #expect(key == "a")
            #expect(document.string(value) == "b")
        }

        let bad = utf8("xxxx[1,]")
        #expect(
            throws: JSONError(offset: 3, message: "unexpected character ']' (expected a value)")
        ) {
            try JSONDocument(parsing: bad[4...])
        }
    }

    @Test func memberClosureErrorsPropagate() throws {
        struct Stop: Error {}
        let document = try JSONDocument(parsing: utf8(#"{"a":1,"b":2}"#))

        var seen: [String] = []
        #expect(throws: Stop.self) {
            try document.forEachMember(of: document.root) { key, _ in
                seen.append(key)
                throw Stop()
            }
        }
        #expect(seen == ["a"])
    }

    @Test func nodesAreHashableHandles() throws {
        let document = try JSONDocument(parsing: utf8("[1,2,1]"))

        let elements = document.elements(of: document.root)
        #expect(Set(elements).count == 3)
        #expect(elements[0] == document.elements(of: document.root)[0])
    }
}
