import Testing

@testable import IncidentLedger

@Suite("Event ids written and read")
struct EventIDTests {
    /// The id's text made digit by digit, independently of `EventID`'s own writing.
    static func reference(_ id: EventID) -> String {
        func hex(_ value: UInt64, digits: Int) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: digits - text.count) + text
        }
        let high = hex(id.high, digits: 16)
        let low = hex(id.low, digits: 16)
        return "\(high.prefix(8))-\(high.dropFirst(8).prefix(4))-\(high.suffix(4))-"
            + "\(low.prefix(4))-\(low.suffix(12))"
    }

    static let edges: [UInt64] = [
        0, 1, 9, 10, 15, 16, 0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210,
        0x9999_9999_9999_9999, 0xAAAA_AAAA_AAAA_AAAA, 0xF0F0_F0F0_0F0F_0F0F,
        0x0000_0000_FFFF_FFFF, 0xFFFF_FFFF_0000_0000, .max,
    ]

    @Test("each digit, a to f and 0 to 9, in every place, and random ids")
    func textMatchesReference() throws {
        var ids = Self.edges.flatMap { high in Self.edges.map { EventID(high: high, low: $0) } }
        // One digit of every value in every place, the rest zero.
        for place in 0..<16 {
            for digit in UInt64(0)...15 {
                ids.append(EventID(high: digit << (4 * UInt64(place)), low: 0))
                ids.append(EventID(high: 0, low: digit << (4 * UInt64(place))))
            }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            ids.append(EventID(high: generator.next(), low: generator.next()))
        }
        for id in ids {
            let text = id.description
            #expect(text == Self.reference(id))
            #expect(id.withUTF8 { String(decoding: $0, as: UTF8.self) } == text)
            #expect(EventID(text) == id)
        }
    }
}
