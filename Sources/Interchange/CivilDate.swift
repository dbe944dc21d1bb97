/// A calendar date `YYYY-MM-DD` without a time or zone, such as a follow-up's due date.
///
/// Dates order by year, then month, then day.
public struct CivilDate: Hashable, Comparable, Sendable {
    /// The Gregorian year.
    public let year: Int

    /// The month, 1 through 12.
    public let month: Int

    /// The day of the month, 1 through 31.
    public let day: Int

    /// Parses a date written `YYYY-MM-DD`.
    ///
    /// - Parameter text: For example `2026-03-31`; years 1970 through 2200.
    /// - Throws: `TimestampError` naming the first field that is malformed or out of range,
    ///   such as `day 30 out of range (2026-02 has 28 days)`.
    /// - Complexity: O(*n*) in the length of the text.
    public init(parsing text: String) throws(TimestampError) {
        var utf8Text = text
        let parsed = utf8Text.withUTF8 { bytes in
            Result { () throws(TimestampError) in
                var scanner = DateTextScanner(bytes)
                let date = try scanner.date()
                guard scanner.isAtEnd else {
                    throw TimestampError(
                        message: "unexpected characters after the date (expected YYYY-MM-DD)")
                }
                return date
            }
        }
        switch parsed {
        case .success(let date):
            (year, month, day) = (date.year, date.month, date.day)
        case .failure(let error):
            throw error
        }
    }

    /// Makes the date a number of days after (or before) 1970-01-01.
    ///
    /// - Parameter daysSinceEpoch: Days from 1970-01-01, negative before it.
    /// - Complexity: O(1).
    public init(daysSinceEpoch: Int) {
        (year, month, day) = CivilCalendar.date(daysSinceEpoch: daysSinceEpoch)
    }

    /// Makes the UTC date of an instant.
    ///
    /// - Parameter utcNanoseconds: Nanoseconds since 1970-01-01T00:00:00Z.
    /// - Complexity: O(1).
    public init(utcNanoseconds: Int64) {
        let days = CivilCalendar.floorDivide(utcNanoseconds, CivilCalendar.nanosecondsPerDay)
        self.init(daysSinceEpoch: Int(days))
    }

    /// The date written `YYYY-MM-DD`.
    public var text: String {
        DateTextWriter.string(capacity: 48) { writer in
            writer.number(year, width: 4)
            writer.character(UInt8(ascii: "-"))
            writer.number(month, width: 2)
            writer.character(UInt8(ascii: "-"))
            writer.number(day, width: 2)
        }
    }

    /// The number of days from 1970-01-01 to this date, negative before it.
    ///
    /// - Complexity: O(1).
    public var daysSinceEpoch: Int {
        CivilCalendar.daysSinceEpoch(year: year, month: month, day: day)
    }

    /// Whether one date is earlier than another.
    ///
    /// - Parameters:
    ///   - lhs: A date.
    ///   - rhs: Another date.
    /// - Returns: True if `lhs` comes first.
    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

extension CivilDate: CustomStringConvertible {
    /// The date written `YYYY-MM-DD`.
    public var description: String {
        text
    }
}
