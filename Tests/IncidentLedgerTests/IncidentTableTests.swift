import Testing

@testable import IncidentLedger

/// The table an append keeps of the incidents it touched, by a hash of their ids.
@Suite("Incidents by hashed id")
struct IncidentTableTests {
    final class Named: IncidentNamed {
        let incident: String
        init(_ incident: String) { self.incident = incident }
    }

    @Test("every incident inserted is found, through growth, and no other is")
    func findsWhatWasInserted() {
        var table = IncidentTable<Named>(reservingCapacity: 2)
        let names = (0..<2_000).map { "INC-\($0)" } + ["", "a", String(repeating: "z", count: 64)]
        let entries = names.map(Named.init)
        for entry in entries {
            table.insert(entry, hash: IncidentHashing.hash(of: entry.incident))
        }
        #expect(table.count == names.count)
        for entry in entries {
            let hash = IncidentHashing.hash(of: entry.incident)
            #expect(table.entry(of: entry.incident, hash: hash) === entry)
        }
        for missing in ["INC-2000", "inc-1", "INC-1 ", "b"] {
            #expect(table.entry(of: missing, hash: IncidentHashing.hash(of: missing)) == nil)
        }
        #expect(Set(table.entries.map(\.incident)) == Set(names))
    }

    @Test("incidents whose hashes collide are told apart by their ids")
    func collidingHashes() {
        // Every entry under one hash: lookups must compare the ids themselves.
        var table = IncidentTable<Named>(reservingCapacity: 4)
        let entries = (0..<50).map { Named("INC-\($0)") }
        for entry in entries { table.insert(entry, hash: 42) }
        for entry in entries { #expect(table.entry(of: entry.incident, hash: 42) === entry) }
        #expect(table.entry(of: "INC-50", hash: 42) == nil)
    }

    @Test("the hash reads every byte of an id, whatever its length")
    func hashReadsEveryByte() {
        // Ids of 1 to 64 bytes, each differing from another in one byte at every place.
        for length in 1...64 {
            let base = Array(repeating: UInt8(ascii: "a"), count: length)
            let hash = IncidentHashing.hash(of: String(decoding: base, as: UTF8.self))
            for place in 0..<length {
                var changed = base
                changed[place] = UInt8(ascii: "b")
                let other = String(decoding: changed, as: UTF8.self)
                #expect(IncidentHashing.hash(of: other) != hash)
            }
            let longer = String(decoding: base + [0x61], as: UTF8.self)
            #expect(IncidentHashing.hash(of: longer) != hash)
        }
    }
}
