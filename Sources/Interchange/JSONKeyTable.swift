/// An open-addressing hash set of object keys, used by the parser to find duplicate keys in
/// large objects without comparing each key with every earlier one.
///
/// One table serves every large object of a document: each slot records which object the
/// key belongs to, and only keys of the same object can match. The parser owns hashing and
/// key comparison, since both need the input bytes; the table only stores and probes.
struct JSONKeyTable {
    /// One occupied place in the table.
    struct Slot {
        /// The key's hash, kept so that growing the table needs no rehashing of the input.
        var hash: Int

        /// The tape index of the object the key belongs to.
        var object: Int

        /// The tape index of the key's string entry.
        var key: Int
    }

    /// The slots; nil where empty. The count is zero or a power of two.
    private var slots: [Slot?] = []

    /// How many slots are occupied.
    private var occupied = 0

    /// Makes sure one more key fits while the table stays at most half full.
    ///
    /// - Complexity: Amortised O(1).
    mutating func reserveOne() {
        guard (occupied + 1) * 2 > slots.count else { return }

        let old = slots
        slots = Array(repeating: nil, count: Swift.max(64, old.count * 2))
        for case let slot? in old {
            var index = firstIndex(for: slot.hash)
            while slots[index] != nil {
                index = indexAfter(index)
            }
            slots[index] = slot
        }
    }

    /// Where probing for a hash starts.
    ///
    /// - Parameter hash: The key's hash.
    /// - Returns: A slot index.
    @inline(__always)
    func firstIndex(for hash: Int) -> Int {
        hash & (slots.count - 1)
    }

    /// The next slot to probe after `index`.
    ///
    /// - Parameter index: A slot index.
    /// - Returns: The following slot index, wrapping around.
    @inline(__always)
    func indexAfter(_ index: Int) -> Int {
        (index + 1) & (slots.count - 1)
    }

    /// The key stored at a slot, or nil if the slot is empty.
    ///
    /// - Parameter index: A slot index.
    /// - Returns: The slot's contents.
    @inline(__always)
    func slot(at index: Int) -> Slot? {
        slots[index]
    }

    /// Stores a key in an empty slot found by probing; call ``reserveOne()`` first.
    ///
    /// - Parameters:
    ///   - slot: The key to store.
    ///   - index: The empty slot where probing stopped.
    mutating func fill(_ index: Int, with slot: Slot) {
        slots[index] = slot
        occupied += 1
    }
}
