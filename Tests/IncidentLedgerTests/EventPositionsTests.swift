import Testing

@testable import IncidentLedger

/// The table an append keeps of the positions it gave, by event id.
@Suite("Event positions by id")
struct EventPositionsTests {
    /// Ids that differ in one half only, or share their low half: the kinds a client
    /// could choose to crowd one part of a table.
    static func ids(_ count: Int) -> [EventID] {
        (0..<count).map { number in
            let value = UInt64(number)
            switch number % 3 {
            case 0: return EventID(high: value, low: 0)
            case 1: return EventID(high: 0, low: value)
            default: return EventID(high: value &* 0x9E37_79B9_7F4A_7C15, low: ~value)
            }
        }
    }

    @Test("every id inserted is found at its position, and no other id is")
    func findsWhatWasInserted() {
        var table = EventPositions(reservingCapacity: 1_000)
        let ids = Self.ids(3_000)
        for (index, id) in ids.enumerated() { table.insert(UInt64(index + 1), for: id) }

        #expect(table.count == 3_000)
        for (index, id) in ids.enumerated() { #expect(table[id] == UInt64(index + 1)) }
        #expect(table[EventID(high: 1, low: 1)] == nil)
        #expect(table[EventID(high: 0, low: 3_001)] == nil)
        #expect(table[EventID(high: .max, low: .max)] == nil)
    }

    @Test("the entries come out sorted by id, each once, with their positions")
    func sortedByID() {
        var table = EventPositions(reservingCapacity: 4)
        let ids = Self.ids(500)
        for (index, id) in ids.enumerated() { table.insert(UInt64(index + 1), for: id) }

        let sorted = table.sortedByID()
        #expect(sorted.map(\.id) == ids.sorted())
        for entry in sorted {
            #expect(ids.firstIndex(of: entry.id).map { UInt64($0 + 1) } == entry.position)
        }
    }

    @Test("the nil UUID is an id like any other")
    func nilUUID() {
        var table = EventPositions(reservingCapacity: 2)
        let zero = EventID(high: 0, low: 0)
        #expect(table[zero] == nil)
        table.insert(7, for: zero)
        #expect(table[zero] == 7)
        #expect(table.sortedByID().map(\.position) == [7])
    }
}
