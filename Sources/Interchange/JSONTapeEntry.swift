/// One value of a parsed JSON text, as the parser records it on the document's tape.
///
/// Values lie on the tape in document order: a container is followed by its children (for an
/// object, each member's key and then its value), so a subtree is a contiguous run of entries
/// and `next` skips over it.
///
/// Offsets, counts and indices are stored in 32 bits, which keeps an entry at 20 bytes and
/// the tape of a typical record small enough for the allocator's fastest path; documents
/// are limited to ``maxTextLength`` bytes accordingly.
struct JSONTapeEntry {
    /// The longest text whose offsets and tape indices fit an entry.
    static let maxTextLength = Int(Int32.max) - 1

    /// The offset of the value's first byte (the opening quote or bracket included).
    private var storedStart: Int32

    /// The offset one past the value's last byte.
    private var storedEnd: Int32

    /// See ``count``.
    private var storedCount: Int32

    /// See ``next``.
    private var storedNext: Int32

    /// The kind of the value.
    var kind: JSONKind

    /// Whether a string contains a backslash escape, so that its decoded text differs from
    /// its source bytes.
    var hasEscapes: Bool

    /// Creates an entry; every number must be below ``maxTextLength``.
    @inline(__always)
    init(start: Int, end: Int, count: Int, next: Int, kind: JSONKind, hasEscapes: Bool) {
        storedStart = Int32(truncatingIfNeeded: start)
        storedEnd = Int32(truncatingIfNeeded: end)
        storedCount = Int32(truncatingIfNeeded: count)
        storedNext = Int32(truncatingIfNeeded: next)
        self.kind = kind
        self.hasEscapes = hasEscapes
    }

    /// The offset of the value's first byte (the opening quote or bracket included).
    var start: Int {
        @inline(__always) get { Int(storedStart) }
        @inline(__always) set { storedStart = Int32(truncatingIfNeeded: newValue) }
    }

    /// The offset one past the value's last byte.
    var end: Int {
        @inline(__always) get { Int(storedEnd) }
        @inline(__always) set { storedEnd = Int32(truncatingIfNeeded: newValue) }
    }

    /// For an object the number of members, for an array the number of elements, else 0.
    ///
    /// While a container is still open, it holds the count of its children so far.
    var count: Int {
        @inline(__always) get { Int(storedCount) }
        @inline(__always) set { storedCount = Int32(truncatingIfNeeded: newValue) }
    }

    /// The tape index just past this value's subtree.
    ///
    /// While a container is still open, it holds the tape index of the enclosing container
    /// instead (or -1 for the root), so the parser needs no stack of its own.
    var next: Int {
        @inline(__always) get { Int(storedNext) }
        @inline(__always) set { storedNext = Int32(truncatingIfNeeded: newValue) }
    }
}
