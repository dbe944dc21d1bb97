/// The kind of a JSON value.
public enum JSONKind: Sendable {
    /// An object: `{"key": value, ...}`.
    case object

    /// An array: `[value, ...]`.
    case array

    /// A string: `"..."`.
    case string

    /// A number, kept only as its source text.
    case number

    /// `true` or `false`.
    case bool

    /// `null`.
    case null
}
