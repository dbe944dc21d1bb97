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
            // Frames for open containers; nesting is bounded by the tape's length.
            withUnsafeTemporaryAllocation(of: Frame.self, capacity: tape.count) { frames in
                canonicalValue(text: text, frames: frames)
            }
        }
    }

    /// An open container while checking canonical form.
    private struct Frame {
        var index: Int
        var remaining: Int
        var isObject: Bool
        var enclosingPreviousKey: Range<Int>?
    }

    /// Checks the whole tape, with an explicit stack of open containers so that depth
    /// costs no recursion.
    private func canonicalValue(
        text: UnsafeBufferPointer<UInt8>, frames: UnsafeMutableBufferPointer<Frame>
    ) -> Bool {
        var depth = 0
        var index = 0
        var previousKey: Range<Int>?
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
                    frames[depth] = Frame(
                        index: index, remaining: entry.count * (entry.kind == .object ? 2 : 1),
                        isObject: entry.kind == .object, enclosingPreviousKey: previousKey)
                    depth += 1
                    previousKey = nil
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
                let top = frames[depth - 1]
                let remaining = top.remaining - 1
                if remaining > 0 {
                    frames[depth - 1].remaining = remaining
                    let childIsKey = top.isObject && remaining % 2 == 0
                    if top.isObject, !childIsKey {
                        // The entry just finished was a key: check its order.
                        let key = (tape[index - 1].start + 1)..<(tape[index - 1].end - 1)
                        if let previous = previousKey,
                            !keyPrecedes(text, previous, key, tape[index - 1].hasEscapes)
                        {
                            return false
                        }
                        previousKey = key
                    }
                    expectedStart = end + 1  // after ',' or ':'
                    break
                }
                depth -= 1
                previousKey = top.enclosingPreviousKey
                let container = tape[top.index]
                guard container.end == end + 1 else { return false }
                end = container.end
            }
            if depth == 0 { return true }
        }
    }

    /// Whether the escapes in a string's content are exactly those canonical form uses.
    private func canonicalEscapes(
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
    private func canonicalInteger(
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
    private func keyPrecedes(
        _ text: UnsafeBufferPointer<UInt8>, _ a: Range<Int>, _ b: Range<Int>, _ escaped: Bool
    ) -> Bool {
        if !escaped, !text[a].contains(UInt8(ascii: "\\")) {
            return text[a].lexicographicallyPrecedes(text[b])
        }
        // Rare: compare by UTF-16 code units, as RFC 8785 orders keys.
        let left = JSONStringDecoder.string(
            UnsafeBufferPointer(rebasing: text[a]), hasEscapes: true)
        let right = JSONStringDecoder.string(
            UnsafeBufferPointer(rebasing: text[b]), hasEscapes: true)
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
            var key = node.index + 1
            for _ in 0..<object.count {
                let entry = tape[key]
                let content = text[(entry.start + 1)..<(entry.end - 1)]
                if !entry.hasEscapes, content.elementsEqual(wanted) {
                    return JSONNode(index: key + 1)
                }
                key = tape[key + 1].next
            }
            return nil
        }
    }

    /// A number's value when it is an integer that fits in 64 bits.
    /// - Complexity: O(n) in its digits.
    public func integer(_ node: JSONNode) -> Int64? {
        let entry = tape[node.index]
        guard entry.kind == .number else { return nil }
        var value: Int64 = 0
        var negative = false
        for (offset, byte) in bytes[
            (bytes.startIndex + entry.start)..<(bytes.startIndex + entry.end)
        ]
        .enumerated() {
            if offset == 0, byte == UInt8(ascii: "-") {
                negative = true
                continue
            }
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflow, !overflow2 else { return nil }
            value = sum
        }
        return negative ? -value : value
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
