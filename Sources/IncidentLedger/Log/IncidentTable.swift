import CSystem

/// The incidents a batch touched, by incident id: an open-addressing table probed in a
/// line, keyed by a hash of the id that the decoding threads work out ahead
/// (`IncidentHashing.hash(of:)`).
///
/// An import looks an incident up for every event, at random in a table far larger
/// than the caches. A `Dictionary` of strings hashes the id with SipHash on the
/// writer's thread and then misses the cache; this table takes a hash made on another
/// core, lets the writer fetch the slot ahead (`prefetch(hash:)`), and
/// keeps each hash beside its entry so that a probe compares ids only when the hashes
/// agree. Ids come from input, possibly chosen to collide: the hash is keyed by a
/// random seed per process, which input cannot know.
struct IncidentTable<Entry: IncidentNamed> {
    private var slots: [(hash: UInt64, entry: Entry?)]
    private var mask: Int
    /// How many incidents the table holds.
    private(set) var count = 0

    /// An empty table with room for `capacity` incidents before it grows.
    /// - Complexity: O(capacity).
    init(reservingCapacity capacity: Int) {
        // At most half full, so that probes stay short.
        var count = 16
        while count < 2 * capacity { count *= 2 }
        slots = Array(repeating: (0, nil), count: count)
        mask = count - 1
    }

    /// The entry of `incident`, whose hash is `hash`, or nil when the table has none.
    /// - Parameters:
    ///   - incident: The incident id.
    ///   - hash: `IncidentHashing.hash(of: incident)`.
    /// - Complexity: O(1) expected.
    func entry(of incident: String, hash: UInt64) -> Entry? {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while let entry = slots[slot].entry {
            if slots[slot].hash == hash, entry.incident == incident { return entry }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Asks the processor to fetch where the probe for `hash` starts.
    /// - Complexity: O(1); nothing is read or written.
    func prefetch(hash: UInt64) {
        let slot = Int(truncatingIfNeeded: hash) & mask
        slots.withUnsafeBufferPointer { slots in
            if let base = slots.baseAddress { csystem_prefetch(base + slot) }
        }
    }

    /// Adds the entry of an incident the table does not hold yet, whose hash is `hash`.
    /// - Complexity: O(1) amortised.
    mutating func insert(_ entry: Entry, hash: UInt64) {
        if 2 * (count + 1) > slots.count { grow() }
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot].entry != nil { slot = (slot + 1) & mask }
        slots[slot] = (hash, entry)
        count += 1
    }

    /// Every entry, in no particular order.
    var entries: [Entry] { slots.compactMap { $0.entry } }

    /// Doubles the slots and places every entry again.
    private mutating func grow() {
        var larger = IncidentTable(reservingCapacity: slots.count)
        for slot in slots {
            if let entry = slot.entry { larger.insert(entry, hash: slot.hash) }
        }
        self = larger
    }
}

/// What `IncidentTable` holds: an object that knows its incident's id.
protocol IncidentNamed: AnyObject {
    var incident: String { get }
}

/// The hash `IncidentTable` is keyed by.
enum IncidentHashing {
    /// A hash of `incident`'s UTF-8 bytes keyed by a random seed per process: each
    /// 8 bytes are mixed in by one 64-by-64-bit multiply whose halves are folded.
    /// - Complexity: O(n) in the id's length (at most 64 bytes).
    static func hash(of incident: String) -> UInt64 {
        var incident = incident
        return incident.withUTF8 { bytes in
            var hash = incidentHashSeed.0 ^ UInt64(bytes.count)
            var index = 0
            while index < bytes.count {
                let length = min(8, bytes.count - index)
                var word: UInt64 = 0
                if length == 8, let base = bytes.baseAddress {
                    word = UInt64(
                        littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                } else {
                    for offset in 0..<length {
                        word |= UInt64(bytes[index + offset]) << (8 * UInt64(offset))
                    }
                }
                let (high, low) = (word ^ incidentHashSeed.1)
                    .multipliedFullWidth(by: hash ^ mixer)
                hash = high ^ low
                index += 8
            }
            return hash
        }
    }

    /// An odd constant with its bits spread (the golden ratio's), so that a hash of 0
    /// still mixes.
    private static var mixer: UInt64 { 0x9E37_79B9_7F4A_7C15 }
}

/// The process's key for `IncidentHashing.hash(of:)`.
private let incidentHashSeed: (UInt64, UInt64) = {
    var random = SystemRandomNumberGenerator()
    return (random.next(), random.next() | 1)
}()
