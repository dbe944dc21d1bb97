import CommandLineKit
import Testing

/// The one-line message given for each way a command line can be wrong.
struct UsageErrorTests {
    @Test func unknownLongOptionSuggestsTheNearestName() {
        #expect(throws: UsageError("unknown option '--tittle'; did you mean '--title'?")) {
            try ArgumentParser.parse(["INC-1", "--tittle", "x"], for: Fixtures.detect)
        }
    }

    @Test func unknownLongOptionWithAValueSuggestsByNameAlone() {
        #expect(throws: UsageError("unknown option '--sevrity'; did you mean '--severity'?")) {
            try ArgumentParser.parse(["INC-1", "-t", "x", "--sevrity=SEV1"], for: Fixtures.detect)
        }
    }

    @Test func unknownLongOptionTwoEditsAwayIsStillSuggested() {
        #expect(throws: UsageError("unknown option '--jsn1'; did you mean '--json'?")) {
            try ArgumentParser.parse(["INC-1", "-t", "x", "--jsn1"], for: Fixtures.detect)
        }
    }

    @Test func unknownLongOptionThreeEditsAwayGetsNoSuggestion() {
        #expect(throws: UsageError("unknown option '--colour'")) {
            try ArgumentParser.parse(["INC-1", "-t", "x", "--colour"], for: Fixtures.detect)
        }
    }

    @Test func nameNoLongerThanTheEditsNeededIsNotSuggested() {
        #expect(throws: UsageError("unknown option '--x'")) {
            try ArgumentParser.parse(["INC-1", "-t", "x", "--x"], for: Fixtures.detect)
        }
    }

    @Test func mistypedHelpSuggestsHelp() {
        #expect(throws: UsageError("unknown option '--hlep'; did you mean '--help'?")) {
            try ArgumentParser.parse(["--hlep"], for: Fixtures.show)
        }
    }

    @Test func unknownShortOptionIsNamed() {
        #expect(throws: UsageError("unknown option '-x'")) {
            try ArgumentParser.parse(["INC-1", "-t", "x", "-x"], for: Fixtures.detect)
        }
    }

    @Test func unknownLetterInAGroupIsNamedWithItsGroup() {
        #expect(throws: UsageError("unknown option '-x' in '-jx'")) {
            try ArgumentParser.parse(["INC-1", "-t", "x", "-jx"], for: Fixtures.detect)
        }
    }

    @Test func longNameWrittenWithOneDashSuggestsTheLongOption() {
        #expect(throws: UsageError("unknown option '-l' in '-ledger'; did you mean '--ledger'?")) {
            try ArgumentParser.parse(["INC-1", "-t", "x", "-ledger"], for: Fixtures.detect)
        }
    }

    @Test func optionTakingAValueCannotBeGroupedAfterAFlag() {
        #expect(
            throws: UsageError("option '-o' takes a value (DIR) and cannot be grouped in '-jo'")
        ) {
            try ArgumentParser.parse(["INC-1", "-t", "x", "-jo", "dir"], for: Fixtures.detect)
        }
    }

    @Test func optionAtTheEndWithoutItsValueIsReported() {
        #expect(throws: UsageError("option '--at' needs a value (TIME)")) {
            try ArgumentParser.parse(["INC-1", "-t", "x", "--at"], for: Fixtures.detect)
        }
    }

    @Test func optionFollowedByAnotherOptionIsMissingItsValue() {
        #expect(throws: UsageError("option '--at' needs a value (TIME)")) {
            try ArgumentParser.parse(["INC-1", "-t", "x", "--at", "--json"], for: Fixtures.detect)
        }
    }

    @Test func shortOptionWithoutItsValueIsNamedAsWritten() {
        #expect(throws: UsageError("option '-o' needs a value (DIR)")) {
            try ArgumentParser.parse(["INC-1", "-t", "x", "-o"], for: Fixtures.detect)
        }
    }

    @Test func valueOutsideTheAllowedListIsRejected() {
        let message = "'--severity' must be one of SEV1, SEV2, SEV3, SEV4, not 'SEV5'"
        #expect(throws: UsageError(message)) {
            try ArgumentParser.parse(
                ["INC-1", "-t", "x", "--severity", "SEV5"], for: Fixtures.detect)
        }
    }

    @Test func allowedValuesAreMatchedExactly() {
        let message = "'-s' must be one of SEV1, SEV2, SEV3, SEV4, not 'sev1'"
        #expect(throws: UsageError(message)) {
            try ArgumentParser.parse(["INC-1", "-t", "x", "-ssev1"], for: Fixtures.detect)
        }
    }

    @Test func flagGivenAValueIsRejected() {
        #expect(throws: UsageError("option '--json' takes no value")) {
            try ArgumentParser.parse(["INC-1", "-t", "x", "--json=yes"], for: Fixtures.detect)
        }
    }

    @Test func optionGivenTwiceWhenNotRepeatableIsRejected() {
        #expect(throws: UsageError("option '--title' given more than once")) {
            try ArgumentParser.parse(["INC-1", "-t", "a", "--title", "b"], for: Fixtures.detect)
        }
    }

    @Test func flagGivenTwiceIsRejected() {
        #expect(throws: UsageError("option '-j' given more than once")) {
            try ArgumentParser.parse(["INC-1", "-t", "x", "--json", "-j"], for: Fixtures.detect)
        }
    }

    @Test func missingPositionalIsNamed() {
        #expect(throws: UsageError("missing INCIDENT")) {
            try ArgumentParser.parse(["--title", "x"], for: Fixtures.detect)
        }
    }

    @Test func variadicPositionalNeedsAtLeastOneValue() {
        #expect(throws: UsageError("missing LABEL")) {
            try ArgumentParser.parse(["INC-1", "--json"], for: Fixtures.label)
        }
    }

    @Test func extraPositionalIsRejected() {
        #expect(throws: UsageError("unexpected argument 'foo'")) {
            try ArgumentParser.parse(
                ["INC-1", "foo", "--title", "x", "bar"], for: Fixtures.detect)
        }
    }

    @Test func missingRequiredOptionIsNamedWithItsValue() {
        #expect(throws: UsageError("missing option '--title' (TEXT)")) {
            try ArgumentParser.parse(["INC-1"], for: Fixtures.detect)
        }
    }

    @Test func firstMistakeOnTheLineIsTheOneReported() {
        #expect(throws: UsageError("option '--json' takes no value")) {
            try ArgumentParser.parse(["--json=1", "--tittle", "x", "--at"], for: Fixtures.detect)
        }
    }

    @Test func usageErrorPrintsAsItsMessage() {
        #expect(String(describing: UsageError("missing INCIDENT")) == "missing INCIDENT")
    }
}
