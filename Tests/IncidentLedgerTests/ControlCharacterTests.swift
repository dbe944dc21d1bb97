import Testing

@testable import IncidentLedger

/// Control characters, as event.schema.json defines them, in names, texts and actors.
@Suite("Control characters")
struct ControlCharacterTests {
    /// event.schema.json forbids U+007F to U+009F in names, texts and actors, C1 included.
    @Test("a C1 control character (U+0080 to U+009F) in a name or text is refused")
    func c1ControlCharactersAreRefused() throws {
        let test = try TestLedger()

        #expect(
            test.refusal(detectedLine(title: "a\u{85}b"))
                == "line 1: data.title: must not contain control characters other than tab and "
                + "newline")
        #expect(
            test.refusal(
                eventLine(
                    "detected", data: ["process": "a\u{9F}b", "severity": "SEV3", "title": "t"]))
                == "line 1: data.process: must not contain control characters")
    }

    /// An actor is a name: like event.schema.json's `actor`, it holds no control character.
    @Test("an actor with a tab is refused, as event.schema.json says")
    func actorMayNotContainTab() throws {
        let test = try TestLedger()

        #expect(
            test.refusal(
                eventLine(
                    "detected", actor: "alice\tsmith",
                    data: ["process": "p", "severity": "SEV3", "title": "t"]))
                == "line 1: actor: must not contain control characters")
    }
}
