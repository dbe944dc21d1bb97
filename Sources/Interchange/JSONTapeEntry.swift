/// One value of a parsed JSON text, as the parser records it on the document's tape.
///
/// Values lie on the tape in document order: a container is followed by its children (for an
/// object, each member's key and then its value), so a subtree is a contiguous run of entries
/// and `next` skips over it.
struct JSONTapeEntry {
    /// The offset of the value's first byte (the opening quote or bracket included).
    var start: Int

    /// The offset one past the value's last byte.
    var end: Int

    /// For an object the number of members, for an array the number of elements, else 0.
    ///
    /// While a container is still open, it holds the count of its children so far.
    var count: Int

    /// The tape index just past this value's subtree.
    ///
    /// While a container is still open, it holds the tape index of the enclosing container
    /// instead (or -1 for the root), so the parser needs no stack of its own.
    var next: Int

    /// The kind of the value.
    var kind: JSONKind

    /// Whether a string contains a backslash escape, so that its decoded text differs from
    /// its source bytes.
    var hasEscapes: Bool
}
