/// Reads the fixed-width fields of an RFC 3339 date or timestamp, left to right, checking
/// each field's range as soon as it is read.
struct DateTextScanner {
    /// The text's UTF-8 bytes.
    private let text: UnsafeBufferPointer<UInt8>

    /// The offset of the next byte to read.
    private var position = 0

    /// Creates a scanner at the start of a text.
    ///
    /// - Parameter text: The UTF-8 bytes to read.
    init(_ text: UnsafeBufferPointer<UInt8>) {
        self.text = text
    }

    /// Whether everything has been read.
    var isAtEnd: Bool {
        position == text.count
    }

    /// The next byte, without reading it, or nil at the end.
    var next: UInt8? {
        position < text.count ? text[position] : nil
    }

    /// Moves past the next byte.
    mutating func skip() {
        position += 1
    }

    /// Reads `YYYY-MM-DD` and checks that it is a real date from 1970 through 2200.
    ///
    /// - Returns: The year, month and day.
    /// - Throws: `TimestampError` naming the first field that is malformed or out of range.
    mutating func date() throws(TimestampError) -> (year: Int, month: Int, day: Int) {
        let year = try number(digits: 4, field: "year")
        guard (1970...2200).contains(year) else {
            throw TimestampError(message: "year \(year) out of range (1970 to 2200)")
        }
        try expect(UInt8(ascii: "-"), after: "the year")

        let month = try number(digits: 2, field: "month")
        guard (1...12).contains(month) else {
            throw TimestampError(message: "month \(month) out of range")
        }
        try expect(UInt8(ascii: "-"), after: "the month")

        let day = try number(digits: 2, field: "day")
        let monthLength = CivilCalendar.daysInMonth(month, of: year)
        guard (1...monthLength).contains(day) else {
            let yearMonth = "\(year)-\(month < 10 ? "0" : "")\(month)"
            throw TimestampError(
                message: "day \(day) out of range (\(yearMonth) has \(monthLength) days)")
        }
        return (year, month, day)
    }

    /// Reads a field of exactly `digits` ASCII digits.
    ///
    /// - Parameters:
    ///   - digits: How many digits the field has.
    ///   - field: The field's name, for the error.
    /// - Returns: The field's value.
    /// - Throws: `TimestampError` "<field> must be <n> digits".
    mutating func number(digits: Int, field: String) throws(TimestampError) -> Int {
        var value = 0
        for _ in 0..<digits {
            guard let byte = next, byte &- UInt8(ascii: "0") < 10 else {
                throw TimestampError(message: "\(field) must be \(digits) digits")
            }
            value = value * 10 + Int(byte &- UInt8(ascii: "0"))
            position += 1
        }
        return value
    }

    /// Reads one expected separator.
    ///
    /// - Parameters:
    ///   - separator: The byte that must come next.
    ///   - field: What it follows, for the error, such as "the year".
    /// - Throws: `TimestampError` "expected '-' after the year".
    mutating func expect(_ separator: UInt8, after field: String) throws(TimestampError) {
        guard next == separator else {
            let shown = ByteDescription.describe(separator)
            throw TimestampError(message: "expected \(shown) after \(field)")
        }
        position += 1
    }

    /// Reads the digits of a fraction of a second, after its `.`.
    ///
    /// - Returns: The fraction in nanoseconds, and how many digits wrote it.
    /// - Throws: `TimestampError` unless there are 1 to 9 digits.
    mutating func fraction() throws(TimestampError) -> (nanoseconds: Int64, digits: Int) {
        var value: Int64 = 0
        var digits = 0
        while let byte = next, byte &- UInt8(ascii: "0") < 10 {
            digits += 1
            guard digits <= 9 else {
                throw TimestampError(message: "fraction of a second has more than 9 digits")
            }
            value = value * 10 + Int64(byte &- UInt8(ascii: "0"))
            position += 1
        }
        guard digits > 0 else {
            throw TimestampError(message: "fraction of a second needs 1 to 9 digits after '.'")
        }
        var nanoseconds = value
        for _ in digits..<9 {
            nanoseconds *= 10
        }
        return (nanoseconds, digits)
    }
}
