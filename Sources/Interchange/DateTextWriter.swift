/// Writes the fixed-width decimal fields of a date or timestamp into a string's buffer.
struct DateTextWriter {
    /// Where the text goes.
    private let buffer: UnsafeMutableBufferPointer<UInt8>

    /// How many bytes have been written.
    private(set) var count = 0

    /// Creates a writer at the start of a buffer.
    ///
    /// - Parameter buffer: Room for the whole text.
    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    /// Writes a number with leading zeros up to a width, and a `-` first if negative.
    ///
    /// - Parameters:
    ///   - value: The number; wider numbers are written whole.
    ///   - width: The least number of digits.
    mutating func number(_ value: Int, width: Int) {
        if value < 0 {
            character(UInt8(ascii: "-"))
        }
        var magnitude = value.magnitude
        var digitCount = 1
        var power: UInt = 10
        while magnitude >= power && digitCount < 19 {
            digitCount += 1
            power *= 10
        }
        let total = Swift.max(width, digitCount)
        for index in stride(from: count + total - 1, through: count, by: -1) {
            buffer[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        }
        count += total
    }

    /// Writes one ASCII character.
    ///
    /// - Parameter byte: The character.
    mutating func character(_ byte: UInt8) {
        buffer[count] = byte
        count += 1
    }

    /// Makes a string by running a closure on a writer.
    ///
    /// - Parameters:
    ///   - capacity: The most bytes the closure can write.
    ///   - body: Writes the text.
    /// - Returns: The text written.
    static func string(capacity: Int, _ body: (inout DateTextWriter) -> Void) -> String {
        String(unsafeUninitializedCapacity: capacity) { buffer in
            var writer = DateTextWriter(buffer)
            body(&writer)
            return writer.count
        }
    }
}
