/// A handle on one value of a ``JSONDocument``.
///
/// A node is an index into its document's tape; it is only meaningful together with the
/// document that produced it.
public struct JSONNode: Hashable, Sendable {
    /// The position of the value's entry on the document's tape.
    let index: Int
}
