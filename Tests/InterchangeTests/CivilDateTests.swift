import Interchange
import Testing

@Suite("CivilDate")
struct CivilDateTests {
    // Day counts computed with Python's datetime.date.
    @Test(arguments: [
        ("1970-01-01", 0), ("2000-03-01", 11_017), ("2024-02-29", 19_782),
        ("2026-03-31", 20_543), ("2200-12-31", 84_370),
    ])
    func datesParseToTheirFieldsAndDayCount(_ text: String, _ days: Int) throws {
        let date = try CivilDate(parsing: text)

        #expect(date.text == text)
        #expect(date.daysSinceEpoch == days)
        #expect(CivilDate(daysSinceEpoch: days) == date)
    }

    @Test func fieldsAreTheWrittenNumbers() throws {
        let date = try CivilDate(parsing: "2026-03-09")

        #expect(date.year == 2026)
        #expect(date.month == 3)
        #expect(date.day == 9)
    }

    @Test func everyDayFrom1970Through2200FollowsThePreviousOne() {
        var previous = CivilDate(daysSinceEpoch: 0)
        for days in 1...84_370 {
            let date = CivilDate(daysSinceEpoch: days)
            let nextDay = previous.day + 1 <= monthLength(previous.month, previous.year)
            if nextDay {
                #expect(
                    [date.year, date.month, date.day]
                        == [previous.year, previous.month, previous.day + 1])
            } else if previous.month < 12 {
                #expect(
                    [date.year, date.month, date.day] == [previous.year, previous.month + 1, 1])
            } else {
                #expect([date.year, date.month, date.day] == [previous.year + 1, 1, 1])
            }
            #expect(date.daysSinceEpoch == days)
            #expect(previous < date)
            previous = date
        }
        #expect(previous.text == "2200-12-31")
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01"), (-1, "1969-12-31"), (86_399_999_999_999, "1970-01-01"),
        (86_400_000_000_000, "1970-01-02"), (1_772_442_840_000_000_000, "2026-03-02"),
    ])
    func utcDateOfAnInstantRoundsTowardsThePast(_ nanoseconds: Int64, _ text: String) {
        #expect(CivilDate(utcNanoseconds: nanoseconds).text == text)
    }

    @Test(arguments: [
        ("2026-3-31", "month must be 2 digits"),
        ("20260331", "expected '-' after the year"),
        ("2026-03-31T00:00:00Z", "unexpected characters after the date (expected YYYY-MM-DD)"),
        ("2026-02-29", "day 29 out of range (2026-02 has 28 days)"),
        ("1969-12-31", "year 1969 out of range (1970 to 2200)"),
        ("2026-13-01", "month 13 out of range"),
        ("", "year must be 4 digits"),
    ])
    func malformedDatesNameWhatIsWrong(_ text: String, _ message: String) {
        #expect(throws: TimestampError(message: message)) {
            try CivilDate(parsing: text)
        }
    }

    @Test func datesOrderByYearThenMonthThenDay() throws {
        let dates = try ["2026-03-01", "2025-12-31", "2026-02-28", "2026-03-10"].map {
            try CivilDate(parsing: $0)
        }

        #expect(
            dates.sorted().map(\.text) == ["2025-12-31", "2026-02-28", "2026-03-01", "2026-03-10"])
    }

    private func monthLength(_ month: Int, _ year: Int) -> Int {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }
}
