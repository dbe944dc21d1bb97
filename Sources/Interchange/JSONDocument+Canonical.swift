/// Checks on a parsed document that need no `String`: whether its text is already in
/// canonical form, and direct access to members by key.
extension JSONDocument {
    /// Whether the text is exactly the canonical JSON of its own value (RFC 8785 for
    /// strings, booleans, null, integers, arrays and objects): no whitespace, object
    /// keys in ascending order, strings with only the escapes canonical form requires,
    /// integers without sign on zero, fraction or exponent.
    ///
    /// This is what re-serialising the value and comparing bytes would say, without
    /// building anything: every value must begin right after the byte that introduces
    /// it, and every container end right after its last child.
    /// - Returns: True when the text is canonical.
    /// - Complexity: O(n) in the length of the text.
    public var isCanonical: Bool {
        guard let root = tape.first, root.start == 0, root.end == bytes.count else {
            return false
        }
        return bytes.withUnsafeBufferPointer { text in
            tape.withUnsafeBufferPointer { tape in
                // Frames for open containers: a few on the stack, enough for any text when
                // that is not enough, since nesting is bounded by the tape's length.
                let shallow = withUnsafeTemporaryAllocation(
                    of: Frame.self, capacity: JSONDocument.stackFrameCount
                ) { frames in
                    JSONDocument.canonicalValue(text: text, tape: tape, frames: frames)
                }
                if let shallow {
                    return shallow
                }
                return withUnsafeTemporaryAllocation(of: Frame.self, capacity: tape.count) {
                    frames in
                    JSONDocument.canonicalValue(text: text, tape: tape, frames: frames) ?? false
                }
            }
        }
    }

    /// How many open containers the canonical check keeps on the stack: 1 KiB of frames.
    private static let stackFrameCount = 32

    /// An open container while checking canonical form.
    private struct Frame {
        /// The container's tape index.
        var index: Int

        /// How many of its children (keys and values) are still to come.
        var remaining: Int

        /// The tape index of the enclosing object's last key, or -1.
        var enclosingPreviousKey: Int

        /// Whether the container is an object.
        var isObject: Bool
    }

    /// Checks the whole tape, with an explicit stack of open containers so that depth
    /// costs no recursion.
    ///
    /// - Returns: Whether the text is canonical, or nil if it nests deeper than `frames`.
    private static func canonicalValue(
        text: UnsafeBufferPointer<UInt8>, tape: UnsafeBufferPointer<JSONTapeEntry>,
        frames: UnsafeMutableBufferPointer<Frame>
    ) -> Bool? {
        var depth = 0
        var index = 0
        var previousKey = -1
        var expectedStart = 0

        while true {
            let entry = tape[index]
            guard entry.start == expectedStart else { return false }
            switch entry.kind {
            case .string:
                guard !entry.hasEscapes || canonicalEscapes(text, entry.start + 1, entry.end - 1)
                else { return false }
            case .number:
                guard canonicalInteger(text, entry.start, entry.end) else { return false }
            case .object, .array:
                if entry.count == 0 {
                    guard entry.end == entry.start + 2 else { return false }
                } else {
                    guard depth < frames.count else { return nil }
                    let isObject = entry.kind == .object
                    frames[depth] = Frame(
                        index: index, remaining: isObject ? entry.count &* 2 : entry.count,
                        enclosingPreviousKey: previousKey, isObject: isObject)
                    depth += 1
                    previousKey = -1
                    index += 1
                    expectedStart = entry.start + 1
                    continue
                }
            case .bool, .null:
                break
            }

            // The value is done: move to the next sibling, closing finished containers.
            var end = entry.end
            index += 1
            while depth > 0 {
                let remaining = frames[depth - 1].remaining - 1
                if remaining > 0 {
                    frames[depth - 1].remaining = remaining
                    if frames[depth - 1].isObject && remaining & 1 == 1 {
                        // The entry just finished was a key: check its order.
                        let key = index - 1
                        if previousKey >= 0 && !keyPrecedes(text, tape[previousKey], tape[key]) {
                            return false
                        }
                        previousKey = key
                    }
                    expectedStart = end + 1  // after ',' or ':'
                    break
                }
                depth -= 1
                previousKey = frames[depth].enclosingPreviousKey
                let container = tape[frames[depth].index]
                guard container.end == end + 1 else { return false }
                end = container.end
            }
            if depth == 0 { return true }
        }
    }

    /// Whether the escapes in a string's content are exactly those canonical form uses.
    private static func canonicalEscapes(
        _ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int
    ) -> Bool {
        var index = start
        while index < end {
            guard text[index] == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            let code = text[index + 1]
            switch code {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "t"),
                UInt8(ascii: "n"), UInt8(ascii: "f"), UInt8(ascii: "r"):
                index += 2
            case UInt8(ascii: "u"):
                // Only control characters without a short form, in lower-case hex.
                guard index + 6 <= end, text[index + 2] == UInt8(ascii: "0"),
                    text[index + 3] == UInt8(ascii: "0")
                else { return false }
                let high = text[index + 4]
                let low = text[index + 5]
                guard high == UInt8(ascii: "0") || high == UInt8(ascii: "1"),
                    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(low)
                        || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(low)
                else { return false }
                let value =
                    (high - UInt8(ascii: "0")) << 4
                    | (low <= UInt8(ascii: "9") ? low - UInt8(ascii: "0") : low - 87)
                guard ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(value) else { return false }
                index += 6
            default:
                return false
            }
        }
        return true
    }

    /// Whether a number is an integer in plain canonical decimal.
    @inline(__always)
    private static func canonicalInteger(
        _ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int
    ) -> Bool {
        var index = start
        if text[index] == UInt8(ascii: "-") { index += 1 }
        guard index < end else { return false }
        if text[index] == UInt8(ascii: "0") {
            return index + 1 == end && index == start  // "0", never "-0" or "01"
        }
        for position in index..<end
        where !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[position]) {
            return false
        }
        return true
    }

    /// Whether key `a` sorts strictly before key `b`, comparing decoded text.
    @inline(__always)
    private static func keyPrecedes(
        _ text: UnsafeBufferPointer<UInt8>, _ a: JSONTapeEntry, _ b: JSONTapeEntry
    ) -> Bool {
        if !a.hasEscapes, !b.hasEscapes {
            return ByteWord.precedes(
                text, from: a.start + 1, to: a.end - 1, text, from: b.start + 1, to: b.end - 1)
        }
        // Rare: compare by UTF-16 code units, as RFC 8785 orders keys.
        let left = JSONStringDecoder.string(
            UnsafeBufferPointer(rebasing: text[(a.start + 1)..<(a.end - 1)]), hasEscapes: true)
        let right = JSONStringDecoder.string(
            UnsafeBufferPointer(rebasing: text[(b.start + 1)..<(b.end - 1)]), hasEscapes: true)
        return left.utf16.lexicographicallyPrecedes(right.utf16)
    }

    /// The value of the member of object `node` whose key is exactly `name` (a key
    /// written with escapes is not matched).
    /// - Parameters:
    ///   - name: The key, as UTF-8 bytes without escapes.
    ///   - node: An object.
    /// - Returns: The member's value, or nil.
    /// - Complexity: O(k) in the object's members, without building strings.
    public func member(_ name: StaticString, of node: JSONNode) -> JSONNode? {
        let object = tape[node.index]
        guard object.kind == .object else { return nil }
        let wanted = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        return bytes.withUnsafeBufferPointer { text in
            tape.withUnsafeBufferPointer { tape in
                var key = node.index + 1
                for _ in 0..<object.count {
                    let entry = tape[key]
                    if entry.end - entry.start == wanted.count + 2, !entry.hasEscapes,
                        ByteWord.equal(text, entry.start + 1, wanted, 0, count: wanted.count)
                    {
                        return JSONNode(index: key + 1)
                    }
                    key = tape[key + 1].next
                }
                return nil
            }
        }
    }

    /// Calls `body` with each member of object `node`, in document order: its key's
    /// bytes as written between the quotes (nil when the key has an escape) and its
    /// value. For any other kind, `body` is not called.
    /// - Complexity: O(k) for k members, without building strings.
    public func forEachMemberAsWritten(
        of node: JSONNode, _ body: (UnsafeBufferPointer<UInt8>?, JSONNode) -> Void
    ) {
        let object = tape[node.index]
        guard object.kind == .object else { return }
        bytes.withUnsafeBufferPointer { text in
            tape.withUnsafeBufferPointer { tape in
                var key = node.index + 1
                for _ in 0..<object.count {
                    let entry = tape[key]
                    let content = (entry.start + 1)..<(entry.end - 1)
                    let written =
                        entry.hasEscapes ? nil : UnsafeBufferPointer(rebasing: text[content])
                    body(written, JSONNode(index: key + 1))
                    key = tape[key + 1].next
                }
            }
        }
    }

    /// A number's value when it is an integer that fits in 64 bits.
    /// - Complexity: O(n) in its digits.
    public func integer(_ node: JSONNode) -> Int64? {
        let entry = tape[node.index]
        guard entry.kind == .number else { return nil }
        return bytes.withUnsafeBufferPointer { text in
            var index = entry.start
            let negative = text[index] == UInt8(ascii: "-")
            if negative {
                index += 1
            }
            var value: Int64 = 0
            while index < entry.end {
                let digit = text[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                let (times, overflow) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(Int64(digit))
                guard !overflow, !overflow2 else { return nil }
                value = sum
                index += 1
            }
            return negative ? -value : value
        }
    }

    /// Calls `body` with a string's content bytes exactly as written (escapes and all).
    public func withRawContent<Result>(
        _ node: JSONNode, _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        let entry = tape[node.index]
        return bytes.withUnsafeBufferPointer { text in
            guard entry.kind == .string else {
                return body(UnsafeBufferPointer(rebasing: text[0..<0]))
            }
            return body(UnsafeBufferPointer(rebasing: text[(entry.start + 1)..<(entry.end - 1)]))
        }
    }
}
