import Interchange
import Testing

@Suite("Timestamp parsing")
struct TimestampParsingTests {
    // Expected instants computed with Python's datetime.
    @Test(arguments: [
        ("2026-03-02T09:14:00Z", Int64(1_772_442_840) * 1_000_000_000),
        ("1970-01-01T00:00:00Z", 0),
        ("1970-01-01T00:00:00+01:00", -3_600_000_000_000),
        ("2024-02-29T12:00:00-05:30", 1_709_227_800_000_000_000),
        ("2000-02-29T23:59:59+23:59", 951_782_459_000_000_000),
        ("2100-03-01T00:00:00Z", 4_107_542_400_000_000_000),
        ("1972-06-30T23:59:59Z", 78_796_799_000_000_000),
        ("2026-12-03T16:40:44.123456Z", 1_796_316_044_123_456_000),
        ("2200-12-31T23:59:59.999999999Z", 7_289_654_399_999_999_999),
        ("2026-03-02T10:14:00.5+01:00", 1_772_442_840_500_000_000),
        ("2026-03-02T09:14:00.000000001Z", 1_772_442_840_000_000_001),
        ("2026-03-02T09:14:00-00:00", 1_772_442_840_000_000_000),
        ("2026-03-02T09:14:00+00:00", 1_772_442_840_000_000_000),
        ("2026-03-02T09:14:00.500Z", 1_772_442_840_500_000_000),
        ("1970-01-01T00:30:00.000000010+01:00", -1_799_999_999_990),
    ])
    func knownInstantsParseToTheirExactNanoseconds(_ text: String, _ nanoseconds: Int64) throws {
        let timestamp = try Timestamp(parsing: text)

        #expect(timestamp.nanoseconds == nanoseconds)
        #expect(timestamp.text == text)
    }

    @Test func aTimestampParsedFromBytesIsTheSameAndHoldsNoReference() throws {
        for text in [
            "2026-03-02t09:14:00.25z", "2024-02-29T12:00:00-05:30", "2026-03-02T09:14:00Z",
        ] {
            var utf8 = text
            let fromBytes = try utf8.withUTF8 { try Timestamp(parsing: $0) }
            let fromText = try Timestamp(parsing: text)
            #expect(fromBytes.nanoseconds == fromText.nanoseconds)
            #expect(fromBytes.text == fromText.text)
            #expect(fromBytes.withText { String(decoding: $0, as: UTF8.self) } == fromText.text)
        }
        // The text is written on demand: a timestamp is plain bits, copied without
        // reference counting.
        #expect(_isPOD(Timestamp.self))
        #expect(MemoryLayout<Timestamp>.size <= 16)
    }

    @Test func aPackedFormMakesTheSameTimestampBack() throws {
        let texts = [
            "2026-03-02T09:14:00Z", "2024-02-29T12:00:00-05:30", "2026-03-02T09:14:00-00:00",
            "2026-03-02T09:14:00+00:00", "1970-01-01T00:30:00.000000010+01:00",
            "2200-12-31T23:59:59.999999999+23:59", "2026-03-02T09:14:00.500Z",
        ]
        for text in texts {
            let time = try Timestamp(parsing: text)
            let back = try #require(
                Timestamp(nanoseconds: time.nanoseconds, packedForm: time.packedForm))
            #expect(back.text == text)
        }
        let time = try Timestamp(parsing: "2026-03-02T09:14:00.5Z")
        // Ten digits, a fourth offset sign, an offset of 24 hours, minutes with `Z`,
        // and an instant finer than the digits written are each refused.
        for form: UInt32 in [10, 3 << 4, 1 << 4 | 1440 << 6, 60 << 6] {
            #expect(Timestamp(nanoseconds: time.nanoseconds, packedForm: form) == nil)
        }
        #expect(Timestamp(nanoseconds: time.nanoseconds + 1, packedForm: time.packedForm) == nil)
    }

    @Test func lowerCaseTAndZAreAcceptedAndWrittenUpperCase() throws {
        let timestamp = try Timestamp(parsing: "2026-03-02t09:14:00.25z")
        let withOffset = try Timestamp(parsing: "2026-03-02t10:14:00+01:00")

        #expect(timestamp.text == "2026-03-02T09:14:00.25Z")
        #expect(timestamp.nanoseconds == 1_772_442_840_250_000_000)
        #expect(withOffset.text == "2026-03-02T10:14:00+01:00")
    }

    @Test func timestampsAreEqualWhenTheyNameTheSameInstant() throws {
        let utc = try Timestamp(parsing: "2026-03-02T09:14:00Z")
        let paris = try Timestamp(parsing: "2026-03-02T10:14:00+01:00")
        let precise = try Timestamp(parsing: "2026-03-02T09:14:00.000Z")

        #expect(utc == paris)
        #expect(utc == precise)
        #expect(paris.text != utc.text)
        #expect(Set([utc, paris, precise]).count == 1)
    }

    @Test func timestampsOrderByInstantNotByText() throws {
        let early = try Timestamp(parsing: "2026-03-02T10:00:00+02:00")
        let late = try Timestamp(parsing: "2026-03-02T09:00:00Z")
        let later = try Timestamp(parsing: "2026-03-02T09:00:00.000000001Z")

        #expect(early < late)
        #expect(late < later)
        #expect([later, late, early].sorted() == [early, late, later])
    }

    @Test func secondsGivesTheInstantAsADouble() throws {
        #expect(try Timestamp(parsing: "2026-03-02T09:14:00.5Z").seconds == 1_772_442_840.5)
        #expect(try Timestamp(parsing: "1970-01-01T00:00:00.25+01:00").seconds == -3599.75)
    }

    @Test(arguments: [
        ("", "empty timestamp"),
        ("2026", "expected '-' after the year"),
        ("26-03-02T09:14:00Z", "year must be 4 digits"),
        ("2026/03/02T09:14:00Z", "expected '-' after the year"),
        ("1969-12-31T23:59:59Z", "year 1969 out of range (1970 to 2200)"),
        ("2201-01-01T00:00:00Z", "year 2201 out of range (1970 to 2200)"),
        ("2026-3-02T09:14:00Z", "month must be 2 digits"),
        ("2026-00-02T09:14:00Z", "month 0 out of range"),
        ("2026-13-02T09:14:00Z", "month 13 out of range"),
        ("2026-03-2T09:14:00Z", "day must be 2 digits"),
        ("2026-03-00T09:14:00Z", "day 0 out of range (2026-03 has 31 days)"),
        ("2026-04-31T09:14:00Z", "day 31 out of range (2026-04 has 30 days)"),
        ("2026-02-29T09:14:00Z", "day 29 out of range (2026-02 has 28 days)"),
        ("2100-02-29T09:14:00Z", "day 29 out of range (2100-02 has 28 days)"),
        ("2024-02-30T09:14:00Z", "day 30 out of range (2024-02 has 29 days)"),
        ("2026-03-02", "missing time (expected 'T' and HH:MM:SS after the date)"),
        ("2026-03-02 09:14:00Z", "expected 'T' between date and time, found ' '"),
        ("2026-03-02_09:14:00Z", "expected 'T' between date and time, found '_'"),
        ("2026-03-02T9:14:00Z", "hour must be 2 digits"),
        ("2026-03-02T24:00:00Z", "hour 24 out of range"),
        ("2026-03-02T09-14:00Z", "expected ':' after the hour"),
        ("2026-03-02T09:60:00Z", "minute 60 out of range"),
        ("2026-03-02T09:14Z", "expected ':' after the minute"),
        ("2026-03-02T09:14:0Z", "second must be 2 digits"),
        ("2016-12-31T23:59:60Z", "leap second 60 not accepted (use 00 to 59)"),
        ("2026-03-02T09:14:61Z", "second 61 out of range"),
        ("2026-03-02T09:14:00", "missing UTC offset (add Z or +HH:MM)"),
        ("2026-03-02T09:14:00.123", "missing UTC offset (add Z or +HH:MM)"),
        ("2026-03-02T09:14:00.Z", "fraction of a second needs 1 to 9 digits after '.'"),
        ("2026-03-02T09:14:00.1234567891Z", "fraction of a second has more than 9 digits"),
        (
            "2026-03-02T09:14:00,5Z",
            "unexpected ',' where the UTC offset belongs (add Z or +HH:MM)"
        ),
        ("2026-03-02T09:14:00 Z", "unexpected ' ' where the UTC offset belongs (add Z or +HH:MM)"),
        (
            "2026-03-02T09:14:00UTC",
            "unexpected 'U' where the UTC offset belongs (add Z or +HH:MM)"
        ),
        ("2026-03-02T09:14:000Z", "unexpected '0' where the UTC offset belongs (add Z or +HH:MM)"),
        ("2026-03-02T09:14:00+1:00", "offset hour must be 2 digits"),
        ("2026-03-02T09:14:00+0100", "expected ':' after the offset hour"),
        ("2026-03-02T09:14:00+01", "expected ':' after the offset hour"),
        ("2026-03-02T09:14:00+01:0", "offset minute must be 2 digits"),
        ("2026-03-02T09:14:00+24:00", "offset hour 24 out of range"),
        ("2026-03-02T09:14:00-01:60", "offset minute 60 out of range"),
        ("2026-03-02T09:14:00ZZ", "unexpected characters after the UTC offset"),
        ("2026-03-02T09:14:00+01:00 ", "unexpected characters after the UTC offset"),
        ("２０２６-03-02T09:14:00Z", "year must be 4 digits"),
    ])
    func malformedOrOutOfRangeTimestampsNameWhatIsWrong(_ text: String, _ message: String) {
        #expect(throws: TimestampError(message: message)) {
            try Timestamp(parsing: text)
        }
    }

    @Test func yearsAreCheckedAsWrittenNotAfterTheOffset() throws {
        let earliest = try Timestamp(parsing: "1970-01-01T00:30:00+01:00")
        let latest = try Timestamp(parsing: "2200-12-31T23:00:00-05:00")

        #expect(earliest.nanoseconds == -1_800_000_000_000)
        #expect(latest.nanoseconds == 7_289_668_800_000_000_000)
    }
}

@Suite("Timestamp formatting")
struct TimestampFormattingTests {
    @Test(arguments: [
        (0, "2026-12-03T16:40:44Z", Int64(1_796_316_044_000_000_000)),
        (3, "2026-12-03T16:40:44.123Z", 1_796_316_044_123_000_000),
        (6, "2026-12-03T16:40:44.123456Z", 1_796_316_044_123_456_000),
        (9, "2026-12-03T16:40:44.123456789Z", 1_796_316_044_123_456_789),
        (12, "2026-12-03T16:40:44.123456789Z", 1_796_316_044_123_456_789),
        (-1, "2026-12-03T16:40:44Z", 1_796_316_044_000_000_000),
    ])
    func fractionDigitsTruncateTheInstantToTheTextWritten(
        _ digits: Int, _ text: String, _ nanoseconds: Int64
    ) {
        let timestamp = Timestamp(
            utcNanoseconds: 1_796_316_044_123_456_789, fractionDigits: digits)

        #expect(timestamp.text == text)
        #expect(timestamp.nanoseconds == nanoseconds)
    }

    @Test func zeroFractionDigitsAreStillWritten() {
        let timestamp = Timestamp(utcNanoseconds: 1_772_442_843_512_000_000, fractionDigits: 6)

        #expect(timestamp.text == "2026-03-02T09:14:03.512000Z")
    }

    @Test func instantsBefore1970TruncateTowardsThePast() {
        let timestamp = Timestamp(utcNanoseconds: -1, fractionDigits: 3)

        #expect(timestamp.text == "1969-12-31T23:59:59.999Z")
        #expect(timestamp.nanoseconds == -1_000_000)
    }

    @Test func theWholeInt64RangeFormatsWithoutTrapping() {
        let latest = Timestamp(utcNanoseconds: .max, fractionDigits: 9)
        let earliest = Timestamp(utcNanoseconds: .min, fractionDigits: 0)

        #expect(latest.text == "2262-04-11T23:47:16.854775807Z")
        #expect(earliest.text == "1677-09-21T00:12:44Z")
        #expect(earliest.nanoseconds == -9_223_372_036_000_000_000)
    }

    @Test func formattedTextParsesBackToTheSameInstantAcrossTheWholeRange() throws {
        let last: Int64 = 7_289_654_399_999_999_999
        let step: Int64 = 7_919 * 60 * 1_000_000_000 + 123_456_789
        var instant: Int64 = 0
        var checked = 0
        while instant <= last {
            for digits in [0, 3, 6, 9] {
                let formatted = Timestamp(utcNanoseconds: instant, fractionDigits: digits)
                let parsed = try Timestamp(parsing: formatted.text)
                #expect(parsed.nanoseconds == formatted.nanoseconds)
                #expect(parsed.text == formatted.text)
            }
            instant += step
            checked += 1
        }
        #expect(checked > 15_000)
    }
}

@Suite("Timestamp calendar keys")
struct TimestampKeyTests {
    // ISO weeks computed with Python's date.isocalendar().
    @Test(arguments: [
        ("2026-12-31T00:00:00Z", "2026-W53"),
        ("2027-01-01T12:00:00Z", "2026-W53"),
        ("2027-01-03T23:59:59Z", "2026-W53"),
        ("2027-01-04T00:00:00Z", "2027-W01"),
        ("2020-12-28T00:00:00Z", "2020-W53"),
        ("2024-12-30T00:00:00Z", "2025-W01"),
        ("2026-01-01T00:00:00Z", "2026-W01"),
        ("2025-12-29T00:00:00Z", "2026-W01"),
        ("2021-01-03T23:59:59.999999999Z", "2020-W53"),
        ("2021-01-04T00:00:00Z", "2021-W01"),
        ("2020-12-31T00:00:00Z", "2020-W53"),
        ("2026-02-26T09:00:00Z", "2026-W09"),
        ("2015-12-31T00:00:00Z", "2015-W53"),
        ("2016-01-01T00:00:00Z", "2015-W53"),
        ("2008-12-29T00:00:00Z", "2009-W01"),
        ("2010-01-03T00:00:00Z", "2009-W53"),
        ("1970-01-01T00:00:00Z", "1970-W01"),
        ("2027-01-04T00:30:00+01:00", "2026-W53"),
    ])
    func isoWeekKeyFollowsTheWeekOfItsThursdayInUTC(_ text: String, _ key: String) throws {
        #expect(try Timestamp(parsing: text).isoWeekKey == key)
    }

    @Test(arguments: [
        ("2026-01-01T00:00:00Z", "2026-01", "2026-Q1"),
        ("2026-03-31T23:59:59Z", "2026-03", "2026-Q1"),
        ("2026-04-01T00:00:00Z", "2026-04", "2026-Q2"),
        ("2026-06-30T12:00:00Z", "2026-06", "2026-Q2"),
        ("2026-07-01T00:00:00Z", "2026-07", "2026-Q3"),
        ("2026-09-30T23:59:59Z", "2026-09", "2026-Q3"),
        ("2026-10-01T00:00:00Z", "2026-10", "2026-Q4"),
        ("2026-12-31T23:59:59.999999999Z", "2026-12", "2026-Q4"),
        ("2027-01-01T00:30:00+01:00", "2026-12", "2026-Q4"),
        ("2026-12-31T23:30:00-01:00", "2027-01", "2027-Q1"),
    ])
    func monthAndQuarterKeysUseTheUTCDate(
        _ text: String, _ month: String, _ quarter: String
    )
        throws
    {
        let timestamp = try Timestamp(parsing: text)

        #expect(timestamp.monthKey == month)
        #expect(timestamp.quarterKey == quarter)
    }

    @Test func theLedgersOwnFormsReadTheSameAsTheScannerReadsThem() throws {
        var generator = SystemRandomNumberGenerator()
        let earliest: Int64 = 0
        let latest: Int64 = 7_289_654_399_999_999_999  // 2200-12-31T23:59:59.999999999Z
        for index in 0..<2_000 {
            let instant = Int64.random(in: earliest...latest, using: &generator)
            let digits = index.isMultiple(of: 2) ? 3 : 0
            let text = Timestamp(utcNanoseconds: instant, fractionDigits: digits).text
            // The same instant with a numeric offset, which only the scanner reads.
            let offsetText = text.dropLast() + "+00:00"

            let common = try Timestamp(parsing: text)
            let scanned = try Timestamp(parsing: String(offsetText))

            #expect(common.nanoseconds == scanned.nanoseconds, "\(text)")
            #expect(common.text == text)
            #expect(try Timestamp(parsing: text.lowercased()).text == text)
        }
        for text in [
            "2026-03-02T09:14:00.12xZ", "2026-03-02T09:14:00.1234", "2026-03-02T0a:14:00Z",
        ] {
            #expect(throws: TimestampError.self) { try Timestamp(parsing: text) }
        }
    }
}
