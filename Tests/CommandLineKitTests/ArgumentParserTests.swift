import CommandLineKit
import Testing

/// How command lines that follow the rules are read.
struct ArgumentParserTests {
    @Test func longOptionTakesTheNextArgumentAsItsValue() throws {
        let parsed = try ArgumentParser.parse(
            ["INC-1", "--title", "API down", "--ledger", "/var/ledger"],
            for: Fixtures.detect
        )

        #expect(parsed.value("title") == "API down")
        #expect(parsed.value("ledger") == "/var/ledger")
        #expect(parsed.positional("INCIDENT") == "INC-1")
        #expect(parsed.helpRequested == false)
    }

    @Test func longOptionTakesTheValueAfterItsFirstEqualsSign() throws {
        let parsed = try ArgumentParser.parse(
            ["INC-1", "--title=a=b", "--at=2024-05-01T10:00:00Z"],
            for: Fixtures.detect
        )

        #expect(parsed.value("title") == "a=b")
        #expect(parsed.value("at") == "2024-05-01T10:00:00Z")
    }

    @Test func emptyValueAfterEqualsSignIsKept() throws {
        let parsed = try ArgumentParser.parse(["INC-1", "--title="], for: Fixtures.detect)

        #expect(parsed.value("title") == "")
    }

    @Test func shortOptionTakesTheNextArgumentAsItsValue() throws {
        let parsed = try ArgumentParser.parse(
            ["INC-1", "-t", "API down", "-s", "SEV2"],
            for: Fixtures.detect
        )

        #expect(parsed.value("title") == "API down")
        #expect(parsed.value("severity") == "SEV2")
    }

    @Test func shortOptionTakesTheRestOfTheWordAsItsValue() throws {
        let parsed = try ArgumentParser.parse(
            ["INC-1", "-tAPI", "-o/var/ledger"],
            for: Fixtures.detect
        )

        #expect(parsed.value("title") == "API")
        #expect(parsed.value("ledger") == "/var/ledger")
    }

    @Test func valueStartingWithDashIsAcceptedWhenAttached() throws {
        let parsed = try ArgumentParser.parse(
            ["INC-1", "--title=-x", "-o-y"],
            for: Fixtures.detect
        )

        #expect(parsed.value("title") == "-x")
        #expect(parsed.value("ledger") == "-y")
    }

    @Test func loneDashIsAcceptedAsASeparateValue() throws {
        let parsed = try ArgumentParser.parse(
            ["INC-1", "--title", "x", "--ledger", "-"],
            for: Fixtures.detect
        )

        #expect(parsed.value("ledger") == "-")
    }

    @Test func groupedShortFlagsAreEachSet() throws {
        let parsed = try ArgumentParser.parse(["INC-1", "-t", "x", "-jq"], for: Fixtures.detect)

        #expect(parsed.flag("json"))
        #expect(parsed.flag("quiet"))
    }

    @Test func flagsNotGivenAreFalse() throws {
        let parsed = try ArgumentParser.parse(["INC-1", "--title", "x"], for: Fixtures.detect)

        #expect(parsed.flag("json") == false)
        #expect(parsed.has("json") == false)
    }

    @Test func flagGivenByLongOrShortNameIsSetUnderItsLongName() throws {
        let long = try ArgumentParser.parse(["INC-1", "-t", "x", "--json"], for: Fixtures.detect)
        let short = try ArgumentParser.parse(["INC-1", "-t", "x", "-j"], for: Fixtures.detect)

        #expect(long.flag("json"))
        #expect(short.flag("json"))
        #expect(short.has("json"))
        #expect(short.values("json") == [])
    }

    @Test func repeatableOptionKeepsEveryValueInOrder() throws {
        let parsed = try ArgumentParser.parse(
            ["INC-1", "-t", "x", "--tag", "storage", "--tag=eu-west", "--tag", "db"],
            for: Fixtures.detect
        )

        #expect(parsed.values("tag") == ["storage", "eu-west", "db"])
        #expect(parsed.value("tag") == "db")
    }

    @Test func optionNotGivenHasNoValue() throws {
        let parsed = try ArgumentParser.parse(["INC-1", "-t", "x"], for: Fixtures.detect)

        #expect(parsed.value("at") == nil)
        #expect(parsed.values("tag") == [])
        #expect(parsed.has("at") == false)
        #expect(parsed.has("title"))
    }

    @Test func allowedValueIsAccepted() throws {
        let parsed = try ArgumentParser.parse(
            ["INC-1", "-t", "x", "--severity", "SEV4"],
            for: Fixtures.detect
        )

        #expect(parsed.value("severity") == "SEV4")
    }

    @Test func optionsMayComeBeforeAndBetweenPositionals() throws {
        let parsed = try ArgumentParser.parse(
            ["--json", "INC-1", "storage", "--", "-eu"],
            for: Fixtures.label
        )

        #expect(parsed.flag("json"))
        #expect(parsed.positional("INCIDENT") == "INC-1")
        #expect(parsed.positionals("LABEL") == ["storage", "-eu"])
    }

    @Test func doubleDashMakesEveryLaterArgumentPositional() throws {
        let parsed = try ArgumentParser.parse(
            ["INC-1", "--", "--json", "-h", "--"],
            for: Fixtures.label
        )

        #expect(parsed.positionals("LABEL") == ["--json", "-h", "--"])
        #expect(parsed.flag("json") == false)
        #expect(parsed.helpRequested == false)
    }

    @Test func loneDashIsAPositionalArgument() throws {
        let parsed = try ArgumentParser.parse(["-", "--title", "x"], for: Fixtures.detect)

        #expect(parsed.positional("INCIDENT") == "-")
    }

    @Test func variadicPositionalTakesEveryRemainingArgument() throws {
        let parsed = try ArgumentParser.parse(["INC-1", "a", "b", "c"], for: Fixtures.label)

        #expect(parsed.positional("INCIDENT") == "INC-1")
        #expect(parsed.positionals("LABEL") == ["a", "b", "c"])
        #expect(parsed.positional("LABEL") == "a")
    }

    @Test func optionalPositionalMayBeLeftOut() throws {
        let parsed = try ArgumentParser.parse([], for: Fixtures.show)

        #expect(parsed.positional("INCIDENT") == nil)
        #expect(parsed.positionals("INCIDENT") == [])
    }

    @Test(arguments: [["--help"], ["-h"], ["INC-1", "-jh"]])
    func helpIsRequestedByEitherSpelling(arguments: [String]) throws {
        let parsed = try ArgumentParser.parse(arguments, for: Fixtures.detect)

        #expect(parsed.helpRequested)
    }

    @Test func helpSkipsTheChecksForMissingArguments() throws {
        let parsed = try ArgumentParser.parse(["-h"], for: Fixtures.detect)

        #expect(parsed.helpRequested)
        #expect(parsed.positional("INCIDENT") == nil)
    }

    @Test func helpAnywhereForgivesEveryMistakeOnTheLine() throws {
        let parsed = try ArgumentParser.parse(
            ["--tittle", "x", "--severity", "SEV9", "--json=yes", "a", "b", "--help", "--at"],
            for: Fixtures.detect
        )

        #expect(parsed.helpRequested)
    }
}
