import Interchange
import Testing

/// A text the parser must reject, with the exact error it must report.
struct Rejection: Sendable, CustomTestStringConvertible {
    let bytes: [UInt8]
    let offset: Int
    let message: String

    init(_ text: String, at offset: Int, _ message: String) {
        self.init(Array(text.utf8), at: offset, message)
    }

    init(_ bytes: [UInt8], at offset: Int, _ message: String) {
        self.bytes = bytes
        self.offset = offset
        self.message = message
    }

    var testDescription: String {
        bytes.map {
            (0x20...0x7E).contains($0) ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16)
        }
        .joined()
    }

    var expected: JSONError {
        JSONError(offset: offset, message: message)
    }
}

@Suite("JSONDocument rejecting what RFC 8259 does not allow")
struct JSONRejectionTests {
    @Test(arguments: [
        Rejection([0x22, 0xC0, 0x80, 0x22], at: 1, "invalid UTF-8 (overlong encoding)"),
        Rejection([0x22, 0xC1, 0xBF, 0x22], at: 1, "invalid UTF-8 (overlong encoding)"),
        Rejection([0x22, 0xE0, 0x80, 0xAF, 0x22], at: 1, "invalid UTF-8 (overlong encoding)"),
        Rejection(
            [0x22, 0xF0, 0x82, 0x82, 0xAC, 0x22], at: 1, "invalid UTF-8 (overlong encoding)"),
        Rejection([0x22, 0xED, 0xA0, 0x80, 0x22], at: 1, "invalid UTF-8 (encoded surrogate)"),
        Rejection([0x22, 0xED, 0xBF, 0xBF, 0x22], at: 1, "invalid UTF-8 (encoded surrogate)"),
        Rejection(
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], at: 1, "invalid UTF-8 (beyond U+10FFFF)"),
        Rejection(
            [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], at: 1, "invalid UTF-8 (byte 0xF5 is never valid)"
        ),
        Rejection([0x22, 0xFF, 0x22], at: 1, "invalid UTF-8 (byte 0xFF is never valid)"),
        Rejection(
            [0x22, 0x61, 0x80, 0x22], at: 2, "invalid UTF-8 (unexpected continuation byte)"),
        Rejection([0x22, 0xE2, 0x82, 0x22], at: 1, "invalid UTF-8 (truncated sequence)"),
        Rejection([0x22, 0xE2, 0x82], at: 1, "invalid UTF-8 (truncated sequence)"),
        Rejection(
            [0x22, 0xF0, 0x9F, 0x98, 0x41, 0x22], at: 1, "invalid UTF-8 (truncated sequence)"),
        Rejection([0x22, 0xC3, 0x41, 0x22], at: 1, "invalid UTF-8 (truncated sequence)"),
        Rejection(
            Array(#"{"title":"abcdefghijklmnop"#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8),
            at: 26, "invalid UTF-8 (truncated sequence)"),
    ])
    func invalidUTF8InAStringIsRejectedAtItsFirstByte(_ example: Rejection) {
        #expect(rejection(example.bytes) == example.expected)
    }

    @Test(arguments: [
        Rejection([0xC3, 0xA9], at: 0, "unexpected byte 0xC3 (expected a value)"),
        Rejection(
            [0xEF, 0xBB, 0xBF, 0x7B, 0x7D], at: 0, "unexpected byte 0xEF (expected a value)"),
        Rejection(
            [0x5B, 0xC2, 0xA0, 0x31, 0x5D], at: 1, "unexpected byte 0xC2 (expected a value)"),
    ])
    func bytesOutsideASCIIOutsideStringsAreRejected(_ example: Rejection) {
        #expect(rejection(example.bytes) == example.expected)
    }

    @Test func everyRawControlCharacterInAStringIsRejected() {
        for byte in UInt8(0)..<0x20 {
            let hex = String(byte, radix: 16, uppercase: true)
            let code = "U+00" + (byte < 0x10 ? "0" + hex : hex)
            #expect(
                rejection([0x22, 0x61, byte, 0x22])
                    == JSONError(offset: 2, message: "raw control character \(code) in string"))
        }
    }

    @Test func deleteIsNotAControlCharacterForJSON() throws {
        let document = try JSONDocument(parsing: [0x22, 0x7F, 0x22])

        #expect(document.string(document.root) == "\u{7F}")
    }

    @Test(arguments: [
        Rejection(#""\ud800""#, at: 1, #"lone surrogate \ud800"#),
        Rejection(#""\uDBFF""#, at: 1, #"lone surrogate \uDBFF"#),
        Rejection(#""\udc00""#, at: 1, #"lone surrogate \udc00"#),
        Rejection(#""ab\ud800\u0041""#, at: 3, #"lone surrogate \ud800"#),
        Rejection(#""\ud800\ud800""#, at: 1, #"lone surrogate \ud800"#),
        Rejection(#""\ud83d\ude00\ude00""#, at: 13, #"lone surrogate \ude00"#),
        Rejection(#""\ud800x""#, at: 1, #"lone surrogate \ud800"#),
        Rejection(#""\ud800\n""#, at: 1, #"lone surrogate \ud800"#),
        Rejection(#"{"\udfff":1}"#, at: 2, #"lone surrogate \udfff"#),
    ])
    func loneSurrogateEscapesAreRejected(_ example: Rejection) {
        #expect(rejection(example.bytes) == example.expected)
    }

    @Test(arguments: [
        Rejection(#""\x""#, at: 1, #"invalid escape \x"#),
        Rejection(#""\'""#, at: 1, #"invalid escape \'"#),
        Rejection(#""\U0041""#, at: 1, #"invalid escape \U"#),
        Rejection([0x22, 0x5C, 0x09, 0x22], at: 1, "invalid escape (backslash before U+0009)"),
        Rejection(#""\u12G4""#, at: 1, #"invalid \u escape (4 hex digits needed)"#),
        Rejection(#""\u123""#, at: 1, #"invalid \u escape (4 hex digits needed)"#),
        Rejection(#""abc"#, at: 0, "unterminated string"),
        Rejection(#"["abc"#, at: 1, "unterminated string"),
        Rejection(#""abc\"#, at: 0, "unterminated string"),
        Rejection(#""abc\""#, at: 0, "unterminated string"),
        Rejection(#"{"title":"a long value that goes on and on"#, at: 9, "unterminated string"),
    ])
    func badEscapesAndUnterminatedStringsAreRejected(_ example: Rejection) {
        #expect(rejection(example.bytes) == example.expected)
    }

    @Test(arguments: [
        Rejection("01", at: 1, "invalid number (leading zero)"),
        Rejection("-01", at: 2, "invalid number (leading zero)"),
        Rejection("[00]", at: 2, "invalid number (leading zero)"),
        Rejection("+1", at: 0, "invalid number (no '+' sign allowed)"),
        Rejection(".5", at: 0, "invalid number (digit expected before '.')"),
        Rejection("-.5", at: 1, "invalid number (digit expected after '-')"),
        Rejection("-", at: 1, "invalid number (digit expected after '-')"),
        Rejection("-Infinity", at: 1, "invalid number (digit expected after '-')"),
        Rejection("1.", at: 2, "invalid number (digit expected after '.')"),
        Rejection("[1.]", at: 3, "invalid number (digit expected after '.')"),
        Rejection("1.e5", at: 2, "invalid number (digit expected after '.')"),
        Rejection("1e", at: 2, "invalid number (digit expected in the exponent)"),
        Rejection("1E+", at: 3, "invalid number (digit expected in the exponent)"),
        Rejection("1e-x", at: 3, "invalid number (digit expected in the exponent)"),
        Rejection("[0x10]", at: 2, "unexpected character 'x' (expected ',' or ']')"),
        Rejection("1.5.2", at: 3, "trailing characters after the value"),
        Rejection("NaN", at: 0, "unexpected character 'N' (expected a value)"),
        Rejection("Infinity", at: 0, "unexpected character 'I' (expected a value)"),
    ])
    func numbersOutsideTheGrammarAreRejected(_ example: Rejection) {
        #expect(rejection(example.bytes) == example.expected)
    }

    @Test(arguments: [
        Rejection("tru", at: 0, "invalid literal (expected true)"),
        Rejection("nul", at: 0, "invalid literal (expected null)"),
        Rejection("falsy", at: 0, "invalid literal (expected false)"),
        Rejection("[nulL]", at: 1, "invalid literal (expected null)"),
        Rejection("True", at: 0, "unexpected character 'T' (expected a value)"),
        Rejection("truex", at: 4, "trailing characters after the value"),
        Rejection("[truex]", at: 5, "unexpected character 'x' (expected ',' or ']')"),
        Rejection("undefined", at: 0, "unexpected character 'u' (expected a value)"),
    ])
    func misspelledLiteralsAreRejected(_ example: Rejection) {
        #expect(rejection(example.bytes) == example.expected)
    }

    @Test(arguments: [
        Rejection("", at: 0, "empty input"),
        Rejection(" \r\n\t", at: 4, "empty input (whitespace only)"),
        Rejection("1 2", at: 2, "trailing characters after the value"),
        Rejection("{}}", at: 2, "trailing characters after the value"),
        Rejection("[] []", at: 3, "trailing characters after the value"),
        Rejection("{} x", at: 3, "trailing characters after the value"),
        Rejection("\"a\"\"b\"", at: 3, "trailing characters after the value"),
        Rejection("[", at: 1, "unexpected end of input (expected a value)"),
        Rejection("[1", at: 2, "unexpected end of input (expected ',' or ']')"),
        Rejection("[1,", at: 3, "unexpected end of input (expected a value)"),
        Rejection("{", at: 1, "unexpected end of input (expected '\"' to begin a key)"),
        Rejection("{\"a\"", at: 4, "unexpected end of input (expected ':')"),
        Rejection("{\"a\":", at: 5, "unexpected end of input (expected a value)"),
        Rejection("{\"a\":1", at: 6, "unexpected end of input (expected ',' or '}')"),
        Rejection("[1,]", at: 3, "unexpected character ']' (expected a value)"),
        Rejection("[,1]", at: 1, "unexpected character ',' (expected a value)"),
        Rejection("[1 2]", at: 3, "unexpected character '2' (expected ',' or ']')"),
        Rejection("[1}", at: 2, "unexpected character '}' (expected ',' or ']')"),
        Rejection("{\"a\":1]", at: 6, "unexpected character ']' (expected ',' or '}')"),
        Rejection("{\"a\":1,}", at: 7, "unexpected character '}' (expected '\"' to begin a key)"),
        Rejection("{a:1}", at: 1, "unexpected character 'a' (expected '\"' to begin a key)"),
        Rejection("{1:1}", at: 1, "unexpected character '1' (expected '\"' to begin a key)"),
        Rejection("{\"a\" 1}", at: 5, "unexpected character '1' (expected ':' after the key)"),
        Rejection("{\"a\"=1}", at: 4, "unexpected character '=' (expected ':' after the key)"),
        Rejection("]", at: 0, "unexpected character ']' (expected a value)"),
        Rejection("'a'", at: 0, "unexpected character ''' (expected a value)"),
        Rejection("[1]\u{0B}", at: 3, "trailing characters after the value"),
        Rejection("\u{0B}1", at: 0, "unexpected character U+000B (expected a value)"),
        Rejection("\u{0C}1", at: 0, "unexpected character U+000C (expected a value)"),
        Rejection("[1,\u{00}]", at: 3, "unexpected character U+0000 (expected a value)"),
    ])
    func malformedStructureIsRejectedAtTheFirstWrongByte(_ example: Rejection) {
        #expect(rejection(example.bytes) == example.expected)
    }
}

@Suite("JSONDocument nesting limit")
struct JSONNestingTests {
    @Test func nestingOfExactlyMaxDepthLevelsIsAccepted() throws {
        let text = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        let document = try JSONDocument(parsing: utf8(text))

        #expect(document.count(document.root) == 1)
    }

    @Test func oneLevelMoreThanMaxDepthIsRejectedAtItsBracket() {
        let text = String(repeating: "[", count: 33) + String(repeating: "]", count: 33)

        #expect(rejection(text) == JSONError(offset: 32, message: "nesting deeper than 32 levels"))
    }

    @Test func hundredThousandOpenArraysGiveTheDepthErrorNotAStackOverflow() {
        let text = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)

        #expect(
            rejection(text) == JSONError(offset: 32, message: "nesting deeper than 32 levels"))
    }

    @Test func hundredThousandOpenObjectsGiveTheDepthError() {
        let text = String(repeating: #"{"a":"#, count: 100_000)

        #expect(
            rejection(text) == JSONError(offset: 160, message: "nesting deeper than 32 levels"))
    }

    @Test func hundredThousandLevelsParseWithoutRecursionWhenTheLimitAllowsIt() throws {
        let depth = 100_000
        let text =
            [UInt8](repeating: UInt8(ascii: "["), count: depth) + [UInt8(ascii: "7")]
            + [UInt8](repeating: UInt8(ascii: "]"), count: depth)

        let document = try JSONDocument(parsing: text, maxDepth: depth)

        var node = document.root
        var levels = 0
        while document.kind(node) == .array {
            levels += 1
            node = try #require(document.elements(of: node).first)
        }
        #expect(levels == depth)
        #expect(Array(document.source(node)) == utf8("7"))
        #expect(
            rejection(text, maxDepth: depth - 1)
                == JSONError(offset: depth - 1, message: "nesting deeper than 99999 levels"))
    }

    @Test func depthCountsOpenContainersNotTotalContainers() throws {
        let sibling = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        let text =
            "["
            + Array(repeating: String(sibling.dropFirst().dropLast()), count: 50)
            .joined(separator: ",") + "]"

        let document = try JSONDocument(parsing: utf8(text))

        #expect(document.count(document.root) == 50)
    }

    @Test func maxDepthZeroAllowsOnlyScalars() throws {
        #expect(
            rejection("[]", maxDepth: 0)
                == JSONError(offset: 0, message: "nesting deeper than 0 levels"))
        let document = try JSONDocument(parsing: utf8("\"flat\""), maxDepth: 0)
        #expect(document.string(document.root) == "flat")
    }
}

@Suite("JSONDocument duplicate keys")
struct JSONDuplicateKeyTests {
    @Test(arguments: [
        Rejection(#"{"a":1,"a":2}"#, at: 7, #"duplicate key "a""#),
        Rejection(#"{"title":"x","type":"y","title":"z"}"#, at: 24, #"duplicate key "title""#),
        Rejection(#"{"a":1,"\u0061":2}"#, at: 7, #"duplicate key "a""#),
        Rejection(#"{"\u00e9":1,"é":2}"#, at: 12, #"duplicate key "é""#),
        Rejection(#"{"\/":1,"/":2}"#, at: 8, #"duplicate key "/""#),
        Rejection(#"{"a\nb":1,"a\u000ab":2}"#, at: 10, #"duplicate key "a\nb""#),
        Rejection(#"{"":1,"":2}"#, at: 6, #"duplicate key """#),
        Rejection(#"{"a":{"b":1,"b":2}}"#, at: 12, #"duplicate key "b""#),
        Rejection(#"{"a":{"b":{}},"a":2}"#, at: 14, #"duplicate key "a""#),
        Rejection(#"[{"x":1},{"y":1,"y":2}]"#, at: 16, #"duplicate key "y""#),
        Rejection(#"{"a":1,"b":2,"c":3,"a":4}"#, at: 19, #"duplicate key "a""#),
        Rejection(#"{"c":1,"b":2,"a":3,"b":4}"#, at: 19, #"duplicate key "b""#),
        Rejection(
            #"{"recordedAt":1,"recordedBy":2,"recordedAt":3}"#, at: 31,
            #"duplicate key "recordedAt""#),
        Rejection(#"{"a":1,"b\u0061":2,"ba":3}"#, at: 19, #"duplicate key "ba""#),
        Rejection(#"{"ab":1,"a":2,"ab":3}"#, at: 14, #"duplicate key "ab""#),
    ])
    func repeatedKeyInOneObjectIsRejectedAtTheRepeat(_ example: Rejection) {
        #expect(rejection(example.bytes) == example.expected)
    }

    @Test func repeatedKeyIsRejectedAtEveryNestingDepth() {
        for depth in 1...12 {
            // Keys out of order make the parser remember each level's keys.
            let level = #"{"h":0,"g":0,"f":0,"e":0,"d":0,"c":0,"k":"#
            let open = String(repeating: level, count: depth - 1)
            let close = String(repeating: "}", count: depth - 1)
            let prefix = open + #"{"z":1,"y":2,"#
            let text = prefix + #""z":3}"# + close

            let expected = JSONError(offset: prefix.utf8.count, message: #"duplicate key "z""#)
            #expect(rejection(text) == expected, "depth \(depth)")
        }
    }

    @Test func distinctKeysAreAcceptedAtEveryNestingDepth() throws {
        let inner = #"{"b":1,"a":2,"ab":3,"ba":4}"#
        let level = #"{"h":0,"g":0,"f":0,"e":0,"d":0,"c":0,"k":"#
        let text = String(repeating: level, count: 12) + inner + String(repeating: "}", count: 12)
        let document = try JSONDocument(parsing: utf8(text))

        #expect(document.count(document.root) == 7)
    }

    @Test func equalKeysInDifferentObjectsAreAllowed() throws {
        let document = try JSONDocument(
            parsing: utf8(#"{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]}"#))

        #expect(document.count(document.root) == 2)
    }

    @Test func keysDifferingOnlyInCaseOrLengthAreDistinct() throws {
        let document = try JSONDocument(
            parsing: utf8(#"{"a":1,"A":2,"aa":3,"a ":4,"\u00e9":5,"e":6}"#))

        #expect(document.count(document.root) == 6)
    }

    @Test func tenThousandDistinctKeysAreAccepted() throws {
        let members = (0..<10_000).map { #""key\#($0)":\#($0)"# }
        let document = try JSONDocument(parsing: utf8("{" + members.joined(separator: ",") + "}"))

        #expect(document.count(document.root) == 10_000)
        var last = ""
        document.forEachMember(of: document.root) { key, _ in last = key }
        #expect(last == "key9999")
    }

    @Test func duplicateAtTheEndOfTenThousandKeysIsRejectedAtItsOffset() {
        let members = (0..<10_000).map { #""key\#($0)":0"# }
        let prefix = "{" + members.joined(separator: ",") + ","
        let text = prefix + #""key4321":1}"#

        #expect(
            rejection(text)
                == JSONError(offset: prefix.utf8.count, message: #"duplicate key "key4321""#))
    }

    @Test func escapedDuplicateInALargeObjectIsRejected() {
        let members = (0..<40).map { #""k\#($0)":0"# }
        let prefix = "{" + members.joined(separator: ",") + ","
        let text = prefix + #""\u006b3":1}"#

        #expect(
            rejection(text)
                == JSONError(offset: prefix.utf8.count, message: #"duplicate key "k3""#))
    }

    @Test func duplicateJustPastTheLinearLimitIsRejected() {
        for count in 14...20 {
            let members = (0..<count).map { #""k\#($0)":0"# }
            let prefix = "{" + members.joined(separator: ",") + ","
            for repeated in [0, count / 2, count - 1] {
                let text = prefix + #""k\#(repeated)":1}"#
                #expect(
                    rejection(text)
                        == JSONError(
                            offset: prefix.utf8.count, message: "duplicate key \"k\(repeated)\""))
            }
        }
    }

    @Test func largeObjectsWithTheSameKeysAtDifferentLevelsAreAllowed() throws {
        let inner = "{" + (0..<100).map { #""k\#($0)":0"# }.joined(separator: ",") + "}"
        let outerMembers = (0..<100).map { #""k\#($0)":\#($0 == 50 ? inner : "0")"# }
        let text = "{" + outerMembers.joined(separator: ",") + #","other":"# + inner + "}"

        let document = try JSONDocument(parsing: utf8(text))

        #expect(document.count(document.root) == 101)
    }

    @Test func duplicateInAnOuterLargeObjectAfterANestedLargeOneIsRejected() {
        let inner = "{" + (0..<100).map { #""k\#($0)":0"# }.joined(separator: ",") + "}"
        let outerMembers = (0..<30).map { #""k\#($0)":\#($0 == 20 ? inner : "0")"# }
        let prefix = "{" + outerMembers.joined(separator: ",") + ","
        let text = prefix + #""k20":0}"#

        #expect(
            rejection(text)
                == JSONError(offset: prefix.utf8.count, message: #"duplicate key "k20""#))
    }

    @Test func duplicateKeyMessageShowsTheKeyAsCanonicalJSON() {
        let text = #"{"a\"b\u0001":1,"a\"b\u0001":2}"#

        #expect(rejection(text) == JSONError(offset: 16, message: #"duplicate key "a\"b\u0001""#))
    }
}
