/// An RFC 3339 instant as written in a record.
///
/// The accepted form is `YYYY-MM-DDTHH:MM:SS`, an optional `.` with 1 to 9 fraction digits,
/// and an offset `Z` or `±HH:MM`; the `T` and `Z` may be lower case. Years run from 1970
/// through 2200 as written, and a leap second (`:60`) is rejected.
///
/// Two timestamps are equal when they name the same instant, whatever their text:
/// `2026-03-02T10:14:00+01:00` equals `2026-03-02T09:14:00Z`. Compare ``text`` to tell
/// them apart.
public struct Timestamp: Hashable, Comparable, Sendable {
    /// The instant, in nanoseconds since 1970-01-01T00:00:00Z.
    public let nanoseconds: Int64

    /// How the text writes the instant: its offset and its fraction digits. The
    /// text itself is written from these on demand, so that a timestamp holds no
    /// reference and costs no allocation.
    private let form: TextForm

    /// The canonical text: the parsed text with `t` and `z` upper-cased, otherwise as
    /// written; or the text made by ``init(utcNanoseconds:fractionDigits:)``.
    /// - Complexity: O(1); it makes a new string on every call (see ``withText(_:)``).
    public var text: String {
        String(unsafeUninitializedCapacity: Timestamp.longestText) { buffer in
            write(into: buffer)
        }
    }

    /// Calls `body` with the UTF-8 bytes of ``text``, written on the stack.
    /// - Complexity: O(1).
    public func withText<Result>(
        _ body: (UnsafeBufferPointer<UInt8>) throws -> Result
    ) rethrows -> Result {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Timestamp.longestText) {
            buffer in
            let count = write(into: buffer)
            return try body(UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// The most bytes ``text`` takes: nine fraction digits and a numeric offset.
    public static var maximumTextLength: Int { longestText }

    /// Writes the UTF-8 bytes of ``text`` to `destination`, which has room for
    /// ``maximumTextLength`` bytes, and returns how many it wrote.
    /// - Complexity: O(1).
    public func writeText(to destination: UnsafeMutablePointer<UInt8>) -> Int {
        write(into: UnsafeMutableBufferPointer(start: destination, count: Timestamp.longestText))
    }

    /// Parses an RFC 3339 timestamp.
    ///
    /// - Parameter text: For example `2026-03-02T09:14:00Z` or
    ///   `2026-03-02T10:14:00.5+01:00`.
    /// - Throws: `TimestampError` naming the first field that is malformed or out of range,
    ///   such as `month 13 out of range` or `missing UTC offset (add Z or +HH:MM)`.
    /// - Complexity: O(*n*) in the length of the text.
    public init(parsing text: String) throws(TimestampError) {
        var utf8Text = text
        let parsed = utf8Text.withUTF8 { Timestamp.parse($0) }
        (nanoseconds, form) = try parsed.get()
    }

    /// Parses an RFC 3339 timestamp from its UTF-8 bytes (see ``init(parsing:)-(String)``).
    /// - Complexity: O(*n*) in the length of the text.
    public init(parsing utf8: UnsafeBufferPointer<UInt8>) throws(TimestampError) {
        (nanoseconds, form) = try Timestamp.parse(utf8).get()
    }

    /// Makes the UTC timestamp of an instant, formatted `YYYY-MM-DDTHH:MM:SS.fffZ`.
    ///
    /// The instant is truncated (towards the past) to the precision written, so that
    /// ``nanoseconds`` is always the instant that ``text`` names.
    ///
    /// - Parameters:
    ///   - utcNanoseconds: Nanoseconds since 1970-01-01T00:00:00Z. Instants before
    ///     1677-09-21T00:12:44Z, which the precision could not be cut to, are moved there.
    ///   - fractionDigits: How many fraction digits to write, 0 through 9; 0 writes no
    ///     `.`; values outside the range are clamped to it.
    /// - Complexity: O(1).
    public init(utcNanoseconds: Int64, fractionDigits: Int) {
        let digits = Swift.min(Swift.max(fractionDigits, 0), 9)
        var unit: Int64 = 1
        for _ in digits..<9 {
            unit *= 10
        }
        let instant = Swift.max(utcNanoseconds, Timestamp.earliestFormattable)
        let truncated = instant - CivilCalendar.floorModulo(instant, unit)
        nanoseconds = truncated
        form = TextForm(offsetMinutes: 0, fractionDigits: UInt8(digits), offset: .zulu)
    }

    /// The instant in seconds since 1970-01-01T00:00:00Z, for statistics.
    ///
    /// Whole seconds and the fraction are converted apart, so the value is as exact as a
    /// `Double` allows.
    public var seconds: Double {
        let whole = CivilCalendar.floorDivide(nanoseconds, CivilCalendar.nanosecondsPerSecond)
        let fraction = nanoseconds - whole * CivilCalendar.nanosecondsPerSecond
        return Double(whole) + Double(fraction) / 1e9
    }

    /// The ISO 8601 week of the instant in UTC, such as `2026-W09`.
    ///
    /// Weeks start on Monday, and a week belongs to the year that holds its Thursday, so
    /// 2027-01-01 is in `2026-W53` and 2024-12-30 in `2025-W01`.
    ///
    /// - Complexity: O(1).
    public var isoWeekKey: String {
        let days = utcDaysSinceEpoch
        let thursday = days + 4 - CivilCalendar.isoWeekday(daysSinceEpoch: days)
        let weekYear = CivilCalendar.date(daysSinceEpoch: thursday).year
        let firstDay = CivilCalendar.daysSinceEpoch(year: weekYear, month: 1, day: 1)
        let week = (thursday - firstDay) / 7 + 1
        return DateTextWriter.string(capacity: 32) { writer in
            writer.number(weekYear, width: 4)
            writer.character(UInt8(ascii: "-"))
            writer.character(UInt8(ascii: "W"))
            writer.number(week, width: 2)
        }
    }

    /// The calendar month of the instant in UTC, such as `2026-03`.
    ///
    /// - Complexity: O(1).
    public var monthKey: String {
        let date = CivilCalendar.date(daysSinceEpoch: utcDaysSinceEpoch)
        return DateTextWriter.string(capacity: 32) { writer in
            writer.number(date.year, width: 4)
            writer.character(UInt8(ascii: "-"))
            writer.number(date.month, width: 2)
        }
    }

    /// The calendar quarter of the instant in UTC, such as `2026-Q1`.
    ///
    /// - Complexity: O(1).
    public var quarterKey: String {
        let date = CivilCalendar.date(daysSinceEpoch: utcDaysSinceEpoch)
        return DateTextWriter.string(capacity: 32) { writer in
            writer.number(date.year, width: 4)
            writer.character(UInt8(ascii: "-"))
            writer.character(UInt8(ascii: "Q"))
            writer.number((date.month - 1) / 3 + 1, width: 1)
        }
    }

    /// Whether two timestamps name the same instant.
    ///
    /// - Parameters:
    ///   - lhs: A timestamp.
    ///   - rhs: Another timestamp.
    /// - Returns: True if their ``nanoseconds`` are equal, whatever their text.
    public static func == (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.nanoseconds == rhs.nanoseconds
    }

    /// Whether one timestamp is earlier than another.
    ///
    /// - Parameters:
    ///   - lhs: A timestamp.
    ///   - rhs: Another timestamp.
    /// - Returns: True if `lhs` is the earlier instant.
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// Hashes the instant, consistently with ``==(_:_:)``.
    ///
    /// - Parameter hasher: The hasher to feed.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(nanoseconds)
    }

    /// The earliest instant whose text can be cut to any precision within `Int64`:
    /// 1677-09-21T00:12:44Z.
    private static let earliestFormattable: Int64 = -9_223_372_036_000_000_000

    /// Whole UTC days since 1970-01-01.
    private var utcDaysSinceEpoch: Int {
        Int(CivilCalendar.floorDivide(nanoseconds, CivilCalendar.nanosecondsPerDay))
    }

    /// Reads a timestamp's fields.
    ///
    /// - Parameter text: The UTF-8 bytes of the text.
    /// - Returns: The instant and how its text writes it; or the first error.
    private static func parse(
        _ text: UnsafeBufferPointer<UInt8>
    ) -> Result<(nanoseconds: Int64, form: TextForm), TimestampError> {
        if let common = parseCommon(text) { return .success(common) }
        return Result { () throws(TimestampError) in
            guard !text.isEmpty else {
                throw TimestampError(message: "empty timestamp")
            }
            var scanner = DateTextScanner(text)
            let date = try scanner.date()

            guard let separator = scanner.next else {
                throw TimestampError(
                    message: "missing time (expected 'T' and HH:MM:SS after the date)")
            }
            guard separator | 0x20 == UInt8(ascii: "t") else {
                let shown = ByteDescription.describe(separator)
                throw TimestampError(message: "expected 'T' between date and time, found \(shown)")
            }
            scanner.skip()
            let secondOfDay = try timeOfDay(&scanner)

            var fraction: (nanoseconds: Int64, digits: Int) = (0, 0)
            if scanner.next == UInt8(ascii: ".") {
                scanner.skip()
                fraction = try scanner.fraction()
            }

            guard scanner.next != nil else {
                throw TimestampError(message: "missing UTC offset (add Z or +HH:MM)")
            }
            let (offsetSeconds, offset) = try utcOffset(&scanner)
            guard scanner.isAtEnd else {
                throw TimestampError(message: "unexpected characters after the UTC offset")
            }

            let days = CivilCalendar.daysSinceEpoch(
                year: date.year, month: date.month, day: date.day)
            let seconds =
                Int64(days) * CivilCalendar.secondsPerDay + secondOfDay - offsetSeconds
            let nanoseconds = seconds * CivilCalendar.nanosecondsPerSecond + fraction.nanoseconds
            let form = TextForm(
                offsetMinutes: Int16(offsetSeconds / 60), fractionDigits: UInt8(fraction.digits),
                offset: offset)
            return (nanoseconds, form)
        }
    }

    /// Reads the commonest texts, `YYYY-MM-DDTHH:MM:SSZ` and the same with three
    /// fraction digits (what the ledger writes), at their fixed offsets, without the
    /// scanner's field by field steps; the rules are the same.
    /// - Parameter text: The UTF-8 bytes of the text.
    /// - Returns: The instant and how its text writes it; nil when the text has another
    ///   form or breaks a rule, for `parse` to read it again and name what is wrong.
    /// - Complexity: O(1).
    @inline(__always)
    private static func parseCommon(
        _ text: UnsafeBufferPointer<UInt8>
    ) -> (nanoseconds: Int64, form: TextForm)? {
        let count = text.count
        guard count == 20 || count == 24, let base = text.baseAddress,
            base[4] == UInt8(ascii: "-"), base[7] == UInt8(ascii: "-"),
            base[10] | 0x20 == UInt8(ascii: "t"), base[13] == UInt8(ascii: ":"),
            base[16] == UInt8(ascii: ":"), base[count - 1] | 0x20 == UInt8(ascii: "z"),
            count == 20 || base[19] == UInt8(ascii: ".")
        else { return nil }

        // Two digits' value, or a value no field allows when either is not a digit.
        func twoDigits(_ offset: Int) -> Int {
            let tens = base[offset] &- UInt8(ascii: "0")
            let ones = base[offset + 1] &- UInt8(ascii: "0")
            return tens < 10 && ones < 10 ? Int(tens) * 10 + Int(ones) : 10_000
        }
        let year = twoDigits(0) * 100 + twoDigits(2)
        let (month, day) = (twoDigits(5), twoDigits(8))
        let (hour, minute, second) = (twoDigits(11), twoDigits(14), twoDigits(17))
        guard (1970...2200).contains(year), (1...12).contains(month), day >= 1,
            day <= CivilCalendar.daysInMonth(month, of: year), hour < 24, minute < 60,
            second < 60
        else { return nil }

        var milliseconds = 0
        if count == 24 {
            let last = base[22] &- UInt8(ascii: "0")
            guard last < 10 else { return nil }
            milliseconds = twoDigits(20) * 10 + Int(last)
            guard milliseconds < 1000 else { return nil }
        }
        let days = CivilCalendar.daysSinceEpoch(year: year, month: month, day: day)
        let seconds =
            Int64(days) * CivilCalendar.secondsPerDay
            + Int64(hour * 3600 + minute * 60 + second)
        let nanoseconds =
            seconds * CivilCalendar.nanosecondsPerSecond + Int64(milliseconds) * 1_000_000
        let form = TextForm(
            offsetMinutes: 0, fractionDigits: count == 24 ? 3 : 0, offset: .zulu)
        return (nanoseconds, form)
    }

    /// Reads `HH:MM:SS` and returns the second of the day.
    private static func timeOfDay(
        _ scanner: inout DateTextScanner
    ) throws(TimestampError) -> Int64 {
        let hour = try scanner.number(digits: 2, field: "hour")
        guard hour < 24 else {
            throw TimestampError(message: "hour \(hour) out of range")
        }
        try scanner.expect(UInt8(ascii: ":"), after: "the hour")

        let minute = try scanner.number(digits: 2, field: "minute")
        guard minute < 60 else {
            throw TimestampError(message: "minute \(minute) out of range")
        }
        try scanner.expect(UInt8(ascii: ":"), after: "the minute")

        let second = try scanner.number(digits: 2, field: "second")
        guard second != 60 else {
            throw TimestampError(message: "leap second 60 not accepted (use 00 to 59)")
        }
        guard second < 60 else {
            throw TimestampError(message: "second \(second) out of range")
        }
        return Int64(hour * 3600 + minute * 60 + second)
    }

    /// Reads `Z` or `±HH:MM` and returns the offset from UTC in seconds, east positive,
    /// and how it was written.
    private static func utcOffset(
        _ scanner: inout DateTextScanner
    ) throws(TimestampError) -> (seconds: Int64, written: TextForm.Offset) {
        guard let sign = scanner.next else {
            throw TimestampError(message: "missing UTC offset (add Z or +HH:MM)")
        }
        scanner.skip()
        switch sign {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            return (0, .zulu)
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            break
        default:
            let shown = ByteDescription.describe(sign)
            throw TimestampError(
                message: "unexpected \(shown) where the UTC offset belongs (add Z or +HH:MM)")
        }

        let hours = try scanner.number(digits: 2, field: "offset hour")
        guard hours < 24 else {
            throw TimestampError(message: "offset hour \(hours) out of range")
        }
        try scanner.expect(UInt8(ascii: ":"), after: "the offset hour")
        let minutes = try scanner.number(digits: 2, field: "offset minute")
        guard minutes < 60 else {
            throw TimestampError(message: "offset minute \(minutes) out of range")
        }
        let offset = Int64(hours * 3600 + minutes * 60)
        guard sign == UInt8(ascii: "-") else { return (offset, .east) }
        return (-offset, .west)
    }

    /// The longest text: nine fraction digits and a numeric offset.
    static let longestText = 35

    /// Writes ``text`` into `buffer`, which has room for `longestText` bytes, and
    /// returns its length: the local date and time that the offset gives, the
    /// fraction's digits as many as were written, and the offset as written.
    private func write(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let offsetNanoseconds = Int64(form.offsetMinutes) * 60 * CivilCalendar.nanosecondsPerSecond
        let local = nanoseconds + offsetNanoseconds
        let seconds = CivilCalendar.floorDivide(local, CivilCalendar.nanosecondsPerSecond)
        let fraction = local - seconds * CivilCalendar.nanosecondsPerSecond
        let days = CivilCalendar.floorDivide(seconds, CivilCalendar.secondsPerDay)
        let secondOfDay = Int(seconds - days * CivilCalendar.secondsPerDay)
        let date = CivilCalendar.date(daysSinceEpoch: Int(days))

        var writer = DateTextWriter(buffer)
        writer.number(date.year, width: 4)
        writer.character(UInt8(ascii: "-"))
        writer.number(date.month, width: 2)
        writer.character(UInt8(ascii: "-"))
        writer.number(date.day, width: 2)
        writer.character(UInt8(ascii: "T"))
        writer.number(secondOfDay / 3600, width: 2)
        writer.character(UInt8(ascii: ":"))
        writer.number(secondOfDay / 60 % 60, width: 2)
        writer.character(UInt8(ascii: ":"))
        writer.number(secondOfDay % 60, width: 2)
        let digits = Int(form.fractionDigits)
        if digits > 0 {
            var unit: Int64 = 1
            for _ in digits..<9 { unit *= 10 }
            writer.character(UInt8(ascii: "."))
            writer.number(Int(fraction / unit), width: digits)
        }
        switch form.offset {
        case .zulu:
            writer.character(UInt8(ascii: "Z"))
        case .east, .west:
            let minutes = Int(form.offsetMinutes.magnitude)
            writer.character(UInt8(ascii: form.offset == .west ? "-" : "+"))
            writer.number(minutes / 60, width: 2)
            writer.character(UInt8(ascii: ":"))
            writer.number(minutes % 60, width: 2)
        }
        return writer.count
    }
}

extension Timestamp {
    /// How the text writes the instant, packed in a number for compact storage:
    /// the fraction digits in bits 0 to 3, the offset's sign (0 for `Z`, 1 for `+`,
    /// 2 for `-`) in bits 4 and 5, and the offset's minutes from bit 6.
    /// ``init(nanoseconds:packedForm:)`` makes the same timestamp back.
    public var packedForm: UInt32 {
        UInt32(form.fractionDigits) | UInt32(form.offset.rawValue) << 4
            | UInt32(form.offsetMinutes.magnitude) << 6
    }

    /// The timestamp of an instant written in a packed form (``packedForm``); nil
    /// when the form is not one a timestamp has, or its fraction digits cannot
    /// write the instant exactly.
    /// - Complexity: O(1).
    public init?(nanoseconds: Int64, packedForm: UInt32) {
        let digits = UInt8(packedForm & 0xF)
        let minutes = packedForm >> 6
        guard digits <= 9, let offset = TextForm.Offset(rawValue: UInt8(packedForm >> 4 & 0x3)),
            minutes < 24 * 60, offset != .zulu || minutes == 0
        else { return nil }
        var unit: Int64 = 1
        for _ in Int(digits)..<9 { unit *= 10 }
        guard CivilCalendar.floorModulo(nanoseconds, unit) == 0 else { return nil }
        self.nanoseconds = nanoseconds
        let signed = Int16(minutes)
        form = TextForm(
            offsetMinutes: offset == .west ? -signed : signed, fractionDigits: digits,
            offset: offset)
    }
}

/// How a timestamp's text writes its instant, beside the instant itself.
struct TextForm: Sendable {
    /// How the offset was written.
    enum Offset: UInt8, Sendable {
        /// `Z`.
        case zulu
        /// `+HH:MM`, `+00:00` included.
        case east
        /// `-HH:MM`, `-00:00` included.
        case west
    }

    /// The offset from UTC in minutes, east positive: the local time written is the
    /// instant plus this.
    var offsetMinutes: Int16
    /// How many fraction digits were written, 0 through 9.
    var fractionDigits: UInt8
    var offset: Offset
}

extension Timestamp: CustomStringConvertible {
    /// The canonical text.
    public var description: String {
        text
    }
}
