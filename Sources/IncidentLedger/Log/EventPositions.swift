import CSystem

/// The positions a batch gave its events, by event id: an open-addressing table
/// probed in a line, holding each id's 16 bytes and position side by side.
///
/// An import asks it twice for every event (was the id seen? then, where is it?),
/// so it is made for that: no per-entry allocation, no hashing of the id as a
/// `Hashable` value, one multiply to spread the id over the table, and each id beside
/// its position, so that a probe reads one place in memory. Positions start at 1, so
/// a 0 marks an empty slot. Ids come from input, possibly chosen to collide:
/// the spreading is keyed by a random seed per table, which input cannot know.
struct EventPositions {
    private var slots: [(id: EventID, position: UInt64)]
    private var mask: Int
    /// How many ids the table holds.
    private(set) var count = 0
    private let seed: (UInt64, UInt64)

    /// An empty table with room for `capacity` ids before it grows.
    /// - Complexity: O(capacity).
    init(reservingCapacity capacity: Int) {
        // At most half full, so that probes stay short.
        var count = 16
        while count < 2 * capacity { count *= 2 }
        slots = Array(repeating: (EventID(high: 0, low: 0), 0), count: count)
        mask = count - 1
        var random = SystemRandomNumberGenerator()
        seed = (random.next() | 1, random.next())
    }

    /// The position of `id`, or nil when the table does not hold it.
    /// - Complexity: O(1) expected.
    subscript(id: EventID) -> UInt64? {
        var slot = self.slot(of: id)
        while slots[slot].position != 0 {
            if slots[slot].id == id { return slots[slot].position }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Asks the processor to fetch where the probe for `id` starts, so that a lookup
    /// of `id` a little later finds it in cache: the table is far larger than the
    /// caches, and ids fall in it at random.
    /// - Complexity: O(1); nothing is read or written.
    func prefetch(_ id: EventID) {
        let slot = self.slot(of: id)
        slots.withUnsafeBufferPointer { slots in
            if let base = slots.baseAddress { csystem_prefetch(base + slot) }
        }
    }

    /// Sets the position of `id`, which must be a new id.
    /// - Parameters:
    ///   - position: Its position, at least 1.
    ///   - id: An id the table does not hold yet.
    /// - Complexity: O(1) amortised.
    mutating func insert(_ position: UInt64, for id: EventID) {
        precondition(position > 0, "positions start at 1")
        if 2 * (count + 1) > slots.count { grow() }
        var slot = self.slot(of: id)
        while slots[slot].position != 0 {
            assert(slots[slot].id != id, "an id is inserted once")
            slot = (slot + 1) & mask
        }
        slots[slot] = (id, position)
        count += 1
    }

    /// Every id and its position, sorted by id (the order of the ids' bytes).
    /// - Complexity: O(n log n).
    func sortedByID() -> [(id: EventID, position: UInt64)] {
        var entries: [(id: EventID, position: UInt64)] = []
        entries.reserveCapacity(count)
        for slot in slots where slot.position != 0 { entries.append(slot) }
        entries.sort { $0.id < $1.id }
        return entries
    }

    /// Where the probe for `id` starts: the id's halves mixed with the seed by one
    /// 64-by-64-bit multiply, whose high and low halves are folded together.
    @inline(__always)
    private func slot(of id: EventID) -> Int {
        let (high, low) = (id.high ^ seed.1).multipliedFullWidth(by: id.low ^ seed.0)
        return Int(truncatingIfNeeded: high ^ low) & mask
    }

    /// Doubles the slots and places every id again.
    private mutating func grow() {
        var larger = EventPositions(reservingCapacity: slots.count)
        for slot in slots where slot.position != 0 { larger.insert(slot.position, for: slot.id) }
        self = larger
    }
}
