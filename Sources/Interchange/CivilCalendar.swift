/// Exact integer arithmetic on proleptic Gregorian dates, counted in days from 1970-01-01.
enum CivilCalendar {
    /// Seconds in a day; the format has no leap seconds.
    static let secondsPerDay: Int64 = 86_400

    /// Nanoseconds in a second.
    static let nanosecondsPerSecond: Int64 = 1_000_000_000

    /// Nanoseconds in a day.
    static let nanosecondsPerDay: Int64 = 86_400 * 1_000_000_000

    /// Whether a year has a 29 February.
    ///
    /// - Parameter year: A Gregorian year.
    /// - Returns: True for leap years.
    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The number of days in a month.
    ///
    /// - Parameters:
    ///   - month: 1 through 12.
    ///   - year: A Gregorian year.
    /// - Returns: 28 through 31.
    static func daysInMonth(_ month: Int, of year: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// The day count from 1970-01-01 of a valid date.
    ///
    /// Counts in 400-year cycles of 146,097 days, with years starting on 1 March so that
    /// the leap day falls at the end of a year.
    ///
    /// - Parameters:
    ///   - year: A Gregorian year.
    ///   - month: 1 through 12.
    ///   - day: 1 through the month's length.
    /// - Returns: Days since 1970-01-01, negative before it.
    /// - Complexity: O(1).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let marchYear = month <= 2 ? year - 1 : year
        let cycle = floorDivide(marchYear, 400)
        let yearOfCycle = marchYear - cycle * 400
        let monthFromMarch = (month + 9) % 12
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfCycle = yearOfCycle * 365 + yearOfCycle / 4 - yearOfCycle / 100 + dayOfYear
        return cycle * 146_097 + dayOfCycle - daysFrom0000March1To1970
    }

    /// The date of a day count from 1970-01-01; the inverse of
    /// ``daysSinceEpoch(year:month:day:)``.
    ///
    /// - Parameter days: Days since 1970-01-01, negative before it.
    /// - Returns: The year, month (1 through 12) and day of the month.
    /// - Complexity: O(1).
    static func date(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        // Clamped so that no day count, however absurd, can overflow.
        let sinceMarch0000 = Swift.min(days, Int.max / 2) + daysFrom0000March1To1970
        let cycle = floorDivide(sinceMarch0000, 146_097)
        let dayOfCycle = sinceMarch0000 - cycle * 146_097
        let yearOfCycle =
            (dayOfCycle - dayOfCycle / 1_460 + dayOfCycle / 36_524 - dayOfCycle / 146_096) / 365
        let dayOfYear = dayOfCycle - (365 * yearOfCycle + yearOfCycle / 4 - yearOfCycle / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfCycle + cycle * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// The ISO 8601 weekday of a day count: 1 for Monday through 7 for Sunday.
    ///
    /// - Parameter days: Days since 1970-01-01, a Thursday.
    /// - Returns: 1 through 7.
    static func isoWeekday(daysSinceEpoch days: Int) -> Int {
        floorModulo(days + 3, 7) + 1
    }

    /// Division rounding towards negative infinity.
    ///
    /// - Parameters:
    ///   - dividend: Any integer.
    ///   - divisor: A positive integer.
    /// - Returns: The largest integer not above `dividend / divisor`.
    @inline(__always)
    static func floorDivide<Value: BinaryInteger>(_ dividend: Value, _ divisor: Value) -> Value {
        let quotient = dividend / divisor
        return dividend % divisor < 0 ? quotient - 1 : quotient
    }

    /// The remainder of ``floorDivide(_:_:)``, never negative.
    ///
    /// - Parameters:
    ///   - dividend: Any integer.
    ///   - divisor: A positive integer.
    /// - Returns: 0 up to `divisor - 1`.
    @inline(__always)
    static func floorModulo<Value: BinaryInteger>(_ dividend: Value, _ divisor: Value) -> Value {
        let remainder = dividend % divisor
        return remainder < 0 ? remainder + divisor : remainder
    }

    /// Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar.
    private static let daysFrom0000March1To1970 = 719_468
}
