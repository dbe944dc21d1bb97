/// Parses one strict RFC 8259 JSON text into a tape of values.
///
/// The parser is a loop, not a recursive descent: an open container's tape entry remembers
/// its parent, so nesting costs no call-stack depth and the depth limit is checked before
/// anything is opened. Strings and numbers are only located and validated; nothing is
/// decoded or allocated per value.
///
/// The tape is a buffer the caller owns. When it is nearly full, ``parse(_:into:)`` returns
/// early; the caller grows the buffer and calls again, and parsing resumes where it stopped,
/// since all the parser's state is offsets and counts.
struct JSONParser {
    /// Objects with more earlier keys than this find duplicates through a hash table
    /// instead of comparing the new key with each earlier one.
    static let linearKeyLimit = 16

    /// The most entries one step of the parse loop appends: a container and its first key,
    /// or a value and the next key.
    static let entriesPerStep = 2

    /// The whole text; set on each call to ``parse(_:into:)``.
    private var input = UnsafeBufferPointer<UInt8>(start: nil, count: 0)

    /// The tape being filled; set on each call to ``parse(_:into:)``.
    private var tape = UnsafeMutableBufferPointer<JSONTapeEntry>(start: nil, count: 0)

    /// How many tape entries are filled.
    private(set) var tapeCount = 0

    /// The deepest nesting of objects and arrays allowed.
    private let maxDepth: Int

    /// Whether parsing has begun, so that a resumed call skips the start.
    private var started = false

    /// The offset of the next byte to read.
    private var position = 0

    /// The tape index of the innermost open container, or -1 when none is open.
    private var openContainer = -1

    /// Whether the innermost open container is an object.
    private var openIsObject = false

    /// How many children the innermost open container has so far.
    private var openCount = 0

    /// How many containers are open.
    private var depth = 0

    /// Keys of large objects, for finding duplicates; empty until an object grows large.
    private var keyTable = JSONKeyTable()

    /// Fingerprints of the keys of the open objects that are still small, innermost last;
    /// memory the caller owns for the whole parse.
    private let keyMarks: UnsafeMutableBufferPointer<KeyMark>

    /// How many entries of ``keyMarks`` are in use.
    private var keyMarkCount = 0

    /// Where the innermost open container's key marks begin in ``keyMarks``.
    ///
    /// A small object whose keys have so far come in ascending byte order has no marks:
    /// each new key is only compared with the one before. Its marks are made the first
    /// time a key comes out of order.
    private var openKeyBase = 0

    /// The tape index of the innermost open object's latest key.
    private var openLastKey = 0

    /// Reusable buffers for comparing and hashing keys that contain escapes.
    private var decodedKey = [UInt8]()
    private var otherDecodedKey = [UInt8]()

    /// A key of a small open object, as a word that equal keys share, so that a new key is
    /// compared in full only with earlier keys that have the same fingerprint.
    struct KeyMark {
        /// A digest of the key's decoded text (see ``JSONParser/fingerprint(_:)``).
        var fingerprint: UInt64

        /// The tape index of the key's string entry.
        var key: Int
    }

    /// How many key marks the caller's buffer should hold: enough for a few nested small
    /// objects, in 1 KiB, which is the most memory a temporary allocation surely finds on
    /// the stack. Objects opened when fewer than ``linearKeyLimit`` marks are left compare
    /// keys by walking the tape instead.
    static let keyMarkCapacity = 64

    /// Creates a parser.
    ///
    /// - Parameters:
    ///   - maxDepth: The deepest nesting of objects and arrays allowed.
    ///   - keyMarks: Scratch memory for key fingerprints, the same on every call to
    ///     ``parse(_:into:)``; ``keyMarkCapacity`` entries suffice.
    init(maxDepth: Int, keyMarks: UnsafeMutableBufferPointer<KeyMark>) {
        self.maxDepth = maxDepth
        self.keyMarks = keyMarks
    }

    /// A tape size that fits typical texts of a given length without growing.
    ///
    /// - Parameter byteCount: The length of the text.
    /// - Returns: A number of entries.
    static func estimatedTapeSize(forByteCount byteCount: Int) -> Int {
        Swift.min(byteCount / 12, 4096) + 8
    }

    /// Parses the text, or resumes parsing it, filling the tape.
    ///
    /// - Parameters:
    ///   - input: The whole text, the same on every call.
    ///   - tape: The entries filled so far (``tapeCount`` of them) and room for more.
    /// - Returns: True when the text is complete; false when the tape needs more room,
    ///   after which the caller grows it and calls again.
    /// - Throws: `JSONError` at the first rule the text breaks.
    /// - Complexity: O(*n*) in the length of the text, over all calls.
    mutating func parse(
        _ input: UnsafeBufferPointer<UInt8>,
        into tape: UnsafeMutableBufferPointer<JSONTapeEntry>
    ) throws(JSONError) -> Bool {
        self.input = input
        self.tape = tape
        if !started {
            started = true
            skipWhitespace()
            guard position < input.count else {
                let message = input.isEmpty ? "empty input" : "empty input (whitespace only)"
                throw JSONError(offset: position, message: message)
            }
        }

        while true {
            guard tapeCount + JSONParser.entriesPerStep <= tape.count else {
                return false
            }

            // A value begins here.
            guard position < input.count else {
                throw endOfInput(expecting: "a value")
            }
            let byte = input[position]
            switch byte {
            case UInt8(ascii: "\""):
                try appendString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if try openContainer(isObject: byte == UInt8(ascii: "{")) {
                    continue
                }
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try appendNumber()
            case UInt8(ascii: "t"):
                try appendLiteral(JSONParser.trueWord, length: 4, kind: .bool, name: "true")
            case UInt8(ascii: "f"):
                try appendLiteral(JSONParser.falseWord, length: 5, kind: .bool, name: "false")
            case UInt8(ascii: "n"):
                try appendLiteral(JSONParser.nullWord, length: 4, kind: .null, name: "null")
            case UInt8(ascii: "+"):
                throw JSONError(offset: position, message: "invalid number (no '+' sign allowed)")
            case UInt8(ascii: "."):
                throw JSONError(
                    offset: position, message: "invalid number (digit expected before '.')")
            default:
                throw unexpected(byte, expecting: "a value")
            }

            // A value has just ended.
            if try finishValues() {
                return true
            }
        }
    }

    /// Adds an entry at the end of the tape; the parse loop has made sure there is room.
    @inline(__always)
    private mutating func append(_ entry: JSONTapeEntry) {
        tape[tapeCount] = entry
        tapeCount += 1
    }

    // MARK: - Structure

    /// Opens an object or array at the current position.
    ///
    /// - Parameter isObject: Whether the container is an object.
    /// - Returns: True if a first member or element follows, false if the container was
    ///   empty and is already closed.
    /// - Throws: `JSONError` if the nesting gets too deep or an object's first key is bad.
    @inline(__always)
    private mutating func openContainer(isObject: Bool) throws(JSONError) -> Bool {
        depth += 1
        guard depth <= maxDepth else {
            throw JSONError(offset: position, message: "nesting deeper than \(maxDepth) levels")
        }

        if openContainer >= 0 {
            tape[openContainer].count = openCount
        }
        // While the container is open, its entry's end holds where its key marks begin.
        let index = tapeCount
        append(
            JSONTapeEntry(
                start: position, end: keyMarkCount, count: 0, next: openContainer,
                kind: isObject ? .object : .array, hasEscapes: false))
        openKeyBase = keyMarkCount
        openContainer = index
        openIsObject = isObject
        openCount = 0
        position += 1
        skipWhitespace()

        let closer = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        if position < input.count && input[position] == closer {
            closeContainer()
            return false
        }
        if isObject {
            try parseKey()
        }
        return true
    }

    /// Closes the innermost open container at the current position, its closing bracket.
    @inline(__always)
    private mutating func closeContainer() {
        depth -= 1
        let index = openContainer
        let parent = tape[index].next
        keyMarkCount = tape[index].end
        tape[index].end = position + 1
        tape[index].count = openCount
        tape[index].next = tapeCount
        position += 1

        openContainer = parent
        if parent >= 0 {
            openCount = tape[parent].count
            openIsObject = tape[parent].kind == .object
            openKeyBase = tape[parent].end
            // The closed container was the value of its parent's latest key.
            openLastKey = index - 1
        }
    }

    /// Reads what follows a complete value: commas, closing brackets, the end of the text.
    ///
    /// - Returns: True when the text is complete, false when another value follows.
    /// - Throws: `JSONError` for anything else.
    @inline(__always)
    private mutating func finishValues() throws(JSONError) -> Bool {
        while true {
            skipWhitespace()
            guard openContainer >= 0 else {
                guard position == input.count else {
                    throw JSONError(
                        offset: position, message: "trailing characters after the value")
                }
                return true
            }

            openCount += 1
            let expected = openIsObject ? "',' or '}'" : "',' or ']'"
            guard position < input.count else {
                throw endOfInput(expecting: expected)
            }
            let byte = input[position]
            if byte == UInt8(ascii: ",") {
                position += 1
                skipWhitespace()
                if openIsObject {
                    try parseKey()
                }
                return false
            }
            guard byte == (openIsObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                throw unexpected(byte, expecting: expected)
            }
            closeContainer()
        }
    }

    /// Reads a member's key and the colon after it, leaving the position at the value.
    ///
    /// - Throws: `JSONError` if there is no key string, it repeats an earlier key of the
    ///   same object, or no colon follows it.
    @inline(__always)
    private mutating func parseKey() throws(JSONError) {
        guard position < input.count else {
            throw endOfInput(expecting: "'\"' to begin a key")
        }
        guard input[position] == UInt8(ascii: "\"") else {
            throw unexpected(input[position], expecting: "'\"' to begin a key")
        }
        let key = tapeCount
        try appendString()
        try rejectDuplicate(key)

        skipWhitespace()
        guard position < input.count else {
            throw endOfInput(expecting: "':'")
        }
        guard input[position] == UInt8(ascii: ":") else {
            throw unexpected(input[position], expecting: "':' after the key")
        }
        position += 1
        skipWhitespace()
    }

    // MARK: - Duplicate keys

    /// Throws if a key just read equals an earlier key of the innermost open object.
    ///
    /// - Parameter key: The tape index of the new key.
    /// - Throws: `JSONError` naming the duplicate key, at its opening quote.
    /// - Complexity: O(*k*) for an object with *k* earlier keys up to
    ///   ``linearKeyLimit``, amortised O(1) beyond.
    @inline(__always)
    private mutating func rejectDuplicate(_ key: Int) throws(JSONError) {
        let earlierKeys = openCount
        let lastKey = openLastKey
        openLastKey = key
        let hasRoomForMarks = openKeyBase + JSONParser.linearKeyLimit <= keyMarks.count
        guard earlierKeys < JSONParser.linearKeyLimit && hasRoomForMarks else {
            try rejectDuplicateWithoutMarks(key)
            return
        }

        if keyMarkCount == openKeyBase {
            if earlierKeys == 0 || keyFollows(lastKey, key) {
                return
            }
            // The first key out of order: mark the earlier ones.
            var earlier = openContainer + 1
            for _ in 0..<earlierKeys {
                keyMarks[keyMarkCount] = KeyMark(
                    fingerprint: keyFingerprint(earlier), key: earlier)
                keyMarkCount &+= 1
                earlier = tape[earlier + 1].next
            }
        }

        let fingerprint = keyFingerprint(key)
        var mark = openKeyBase
        while mark < keyMarkCount {
            if keyMarks[mark].fingerprint == fingerprint && keysEqual(keyMarks[mark].key, key) {
                throw duplicate(key)
            }
            mark &+= 1
        }
        keyMarks[keyMarkCount] = KeyMark(fingerprint: fingerprint, key: key)
        keyMarkCount &+= 1
    }

    /// Whether a key is written after another in ascending byte order, so that the two
    /// differ; false when either has escapes.
    ///
    /// - Parameters:
    ///   - earlier: The tape index of the earlier key.
    ///   - key: The tape index of the later key.
    /// - Returns: True if `key`'s bytes sort strictly after `earlier`'s.
    @inline(__always)
    private func keyFollows(_ earlier: Int, _ key: Int) -> Bool {
        let a = tape[earlier]
        let b = tape[key]
        guard !a.hasEscapes && !b.hasEscapes else { return false }
        return ByteWord.precedes(
            input, from: a.start + 1, to: a.end - 1, input, from: b.start + 1, to: b.end - 1)
    }

    /// ``rejectDuplicate(_:)`` for an object that is large or has no room for key marks.
    ///
    /// - Parameter key: The tape index of the new key.
    /// - Throws: `JSONError` naming the duplicate key, at its opening quote.
    private mutating func rejectDuplicateWithoutMarks(_ key: Int) throws(JSONError) {
        let earlierKeys = openCount
        guard earlierKeys > 0 else { return }

        if earlierKeys < JSONParser.linearKeyLimit {
            var earlier = openContainer + 1
            for _ in 0..<earlierKeys {
                if keysEqual(earlier, key) {
                    throw duplicate(key)
                }
                earlier = tape[earlier + 1].next
            }
            return
        }

        if earlierKeys == JSONParser.linearKeyLimit {
            // The object just became large: move its earlier keys into the table.
            var earlier = openContainer + 1
            for _ in 0..<earlierKeys {
                insertKey(earlier)
                earlier = tape[earlier + 1].next
            }
        }
        if !insertKey(key) {
            throw duplicate(key)
        }
    }

    /// Adds a key of the innermost open object to the table.
    ///
    /// - Parameter key: The tape index of the key.
    /// - Returns: False, without adding it, if the object already has an equal key.
    @discardableResult
    private mutating func insertKey(_ key: Int) -> Bool {
        keyTable.reserveOne()
        let hash = keyHash(key, object: openContainer)
        var index = keyTable.firstIndex(for: hash)
        while let slot = keyTable.slot(at: index) {
            if slot.hash == hash && slot.object == openContainer && keysEqual(slot.key, key) {
                return false
            }
            index = keyTable.indexAfter(index)
        }
        keyTable.fill(index, with: JSONKeyTable.Slot(hash: hash, object: openContainer, key: key))
        return true
    }

    /// Hashes a key's decoded text together with the object it belongs to.
    private mutating func keyHash(_ key: Int, object: Int) -> Int {
        var hasher = Hasher()
        hasher.combine(object)
        let entry = tape[key]
        let content = stringContent(entry)
        if entry.hasEscapes {
            JSONStringDecoder.decode(content, into: &decodedKey)
            decodedKey.withUnsafeBytes { hasher.combine(bytes: $0) }
        } else {
            hasher.combine(bytes: UnsafeRawBufferPointer(content))
        }
        return hasher.finalize()
    }

    /// Whether two keys have the same decoded text.
    @inline(__always)
    private mutating func keysEqual(_ first: Int, _ second: Int) -> Bool {
        let a = tape[first]
        let b = tape[second]
        if !a.hasEscapes && !b.hasEscapes {
            guard a.end - a.start == b.end - b.start else { return false }
            return ByteWord.equal(input, a.start, input, b.start, count: a.end - a.start)
        }
        JSONStringDecoder.decode(stringContent(a), into: &decodedKey)
        JSONStringDecoder.decode(stringContent(b), into: &otherDecodedKey)
        return decodedKey == otherDecodedKey
    }

    /// The fingerprint of a key's decoded text.
    ///
    /// - Parameter key: The tape index of the key.
    /// - Returns: A word that keys with the same decoded text share.
    @inline(__always)
    private mutating func keyFingerprint(_ key: Int) -> UInt64 {
        let entry = tape[key]
        guard entry.hasEscapes else {
            return ByteWord.fingerprint(input, from: entry.start + 1, to: entry.end - 1)
        }
        JSONStringDecoder.decode(stringContent(entry), into: &decodedKey)
        return decodedKey.withUnsafeBufferPointer { decoded in
            ByteWord.fingerprint(decoded, from: 0, to: decoded.count)
        }
    }

    /// The bytes between a string entry's quotes.
    @inline(__always)
    private func stringContent(_ entry: JSONTapeEntry) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: input[(entry.start + 1)..<(entry.end - 1)])
    }

    /// The error for a duplicate key, showing the key as canonical JSON.
    private func duplicate(_ key: Int) -> JSONError {
        let entry = tape[key]
        var writer = CanonicalJSONWriter(reservingCapacity: entry.end - entry.start)
        writer.string(JSONStringDecoder.string(stringContent(entry), hasEscapes: entry.hasEscapes))
        let shown = String(decoding: writer.bytes, as: UTF8.self)
        return JSONError(offset: entry.start, message: "duplicate key \(shown)")
    }

    // MARK: - Scalars

    /// Validates a string starting at its opening quote and appends it to the tape.
    ///
    /// - Throws: `JSONError` for invalid UTF-8, a raw control character, a bad escape or a
    ///   missing closing quote.
    /// - Complexity: O(*n*) in the string's length, reading 8 bytes at a time where the
    ///   text is plain ASCII.
    @inline(__always)
    private mutating func appendString() throws(JSONError) {
        let open = position
        let end = input.count
        var index = open + 1
        var hasEscapes = false

        while true {
            while index &+ 8 <= end {
                let special = ByteWord.specialStringBytes(in: ByteWord.load(input, at: index))
                if special != 0 {
                    index &+= special.trailingZeroBitCount &>> 3
                    break
                }
                index &+= 8
            }

            guard index < end else {
                throw JSONError(offset: open, message: "unterminated string")
            }
            let byte = input[index]
            if byte == UInt8(ascii: "\"") {
                break
            } else if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                index = try skipEscape(at: index, stringStart: open)
            } else if byte < 0x20 {
                throw JSONError(
                    offset: index,
                    message: "raw control character \(ByteDescription.codePoint(byte)) in string")
            } else if byte < 0x80 {
                index += 1
            } else {
                index = try skipMultibyteCharacter(at: index)
            }
        }

        append(
            JSONTapeEntry(
                start: open, end: index + 1, count: 0, next: tapeCount + 1,
                kind: .string, hasEscapes: hasEscapes))
        position = index + 1
    }

    /// Validates the escape at a backslash and returns the offset just past it.
    ///
    /// - Parameters:
    ///   - index: The offset of the backslash.
    ///   - stringStart: The offset of the string's opening quote, for errors.
    /// - Returns: The offset after the escape, or after both halves of a surrogate pair.
    /// - Throws: `JSONError` for an unknown escape, a bad `\u` escape or a lone surrogate.
    private func skipEscape(at index: Int, stringStart: Int) throws(JSONError) -> Int {
        guard index + 1 < input.count else {
            throw JSONError(offset: stringStart, message: "unterminated string")
        }
        let letter = input[index + 1]
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return index + 2
        case UInt8(ascii: "u"):
            break
        case 0x21...0x7E:
            let escape = "\\\(Character(Unicode.Scalar(letter)))"
            throw JSONError(offset: index, message: "invalid escape \(escape)")
        default:
            let shown = ByteDescription.describe(letter)
            throw JSONError(offset: index, message: "invalid escape (backslash before \(shown))")
        }

        guard let unit = JSONStringDecoder.hexQuad(input, at: index + 2) else {
            throw JSONError(offset: index, message: "invalid \\u escape (4 hex digits needed)")
        }
        switch unit {
        case 0xD800...0xDBFF:
            guard JSONStringDecoder.lowSurrogate(input, at: index + 6) != nil else {
                throw loneSurrogate(at: index)
            }
            return index + 12
        case 0xDC00...0xDFFF:
            throw loneSurrogate(at: index)
        default:
            return index + 6
        }
    }

    /// The error for a surrogate escape that is not part of a pair, showing it as written.
    private func loneSurrogate(at index: Int) -> JSONError {
        let escape = String(
            decoding: UnsafeBufferPointer(rebasing: input[index..<index + 6]),
            as: UTF8.self)
        return JSONError(offset: index, message: "lone surrogate \(escape)")
    }

    /// Validates one UTF-8 encoded character of 2 to 4 bytes and returns the offset after it.
    ///
    /// Rejects stray continuation bytes, overlong forms, encoded surrogates, code points
    /// beyond U+10FFFF and sequences cut short.
    ///
    /// - Parameter index: The offset of the lead byte, 0x80 or above.
    /// - Returns: The offset after the character.
    /// - Throws: `JSONError` "invalid UTF-8 (...)" at the lead byte.
    @inline(__always)
    private func skipMultibyteCharacter(at index: Int) throws(JSONError) -> Int {
        let lead = input[index]
        let length: Int
        let second: ClosedRange<UInt8>
        switch lead {
        case 0xC2...0xDF: (length, second) = (2, 0x80...0xBF)
        case 0xE0: (length, second) = (3, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (length, second) = (3, 0x80...0xBF)
        case 0xED: (length, second) = (3, 0x80...0x9F)
        case 0xF0: (length, second) = (4, 0x90...0xBF)
        case 0xF1...0xF3: (length, second) = (4, 0x80...0xBF)
        case 0xF4: (length, second) = (4, 0x80...0x8F)
        case 0x80...0xBF: throw invalidUTF8(at: index, "unexpected continuation byte")
        case 0xC0, 0xC1: throw invalidUTF8(at: index, "overlong encoding")
        default: throw invalidUTF8(at: index, "byte 0x\(ByteDescription.hex(lead)) is never valid")
        }

        guard index + length <= input.count else {
            throw invalidUTF8(at: index, "truncated sequence")
        }
        let next = input[index + 1]
        guard second.contains(next) else {
            guard (0x80...0xBF).contains(next) else {
                throw invalidUTF8(at: index, "truncated sequence")
            }
            switch lead {
            case 0xE0, 0xF0: throw invalidUTF8(at: index, "overlong encoding")
            case 0xED: throw invalidUTF8(at: index, "encoded surrogate")
            default: throw invalidUTF8(at: index, "beyond U+10FFFF")
            }
        }
        for offset in 2..<length where !(0x80...0xBF).contains(input[index + offset]) {
            throw invalidUTF8(at: index, "truncated sequence")
        }
        return index + length
    }

    /// The error for a bad UTF-8 sequence.
    private func invalidUTF8(at index: Int, _ detail: String) -> JSONError {
        JSONError(offset: index, message: "invalid UTF-8 (\(detail))")
    }

    /// Validates a number's grammar and appends it to the tape as source text.
    ///
    /// - Throws: `JSONError` "invalid number (...)" at the first byte that breaks the
    ///   grammar `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    @inline(__always)
    private mutating func appendNumber() throws(JSONError) {
        let start = position
        var index = position
        if input[index] == UInt8(ascii: "-") {
            index += 1
        }

        guard index < input.count, JSONParser.isDigit(input[index]) else {
            throw JSONError(offset: index, message: "invalid number (digit expected after '-')")
        }
        if input[index] == UInt8(ascii: "0") {
            index += 1
            if index < input.count && JSONParser.isDigit(input[index]) {
                throw JSONError(offset: index, message: "invalid number (leading zero)")
            }
        } else {
            index = skipDigits(from: index)
        }

        if index < input.count && input[index] == UInt8(ascii: ".") {
            index += 1
            guard index < input.count, JSONParser.isDigit(input[index]) else {
                throw JSONError(
                    offset: index, message: "invalid number (digit expected after '.')")
            }
            index = skipDigits(from: index)
        }

        if index < input.count && (input[index] | 0x20) == UInt8(ascii: "e") {
            index += 1
            if index < input.count
                && (input[index] == UInt8(ascii: "+") || input[index] == UInt8(ascii: "-"))
            {
                index += 1
            }
            guard index < input.count, JSONParser.isDigit(input[index]) else {
                throw JSONError(
                    offset: index, message: "invalid number (digit expected in the exponent)")
            }
            index = skipDigits(from: index)
        }

        append(
            JSONTapeEntry(
                start: start, end: index, count: 0, next: tapeCount + 1,
                kind: .number, hasEscapes: false))
        position = index
    }

    /// The offset of the first non-digit at or after `index`.
    @inline(__always)
    private func skipDigits(from index: Int) -> Int {
        var index = index
        while index < input.count && JSONParser.isDigit(input[index]) {
            index += 1
        }
        return index
    }

    /// Checks a literal (`true`, `false`, `null`) and appends it to the tape.
    ///
    /// - Parameters:
    ///   - word: The literal's last four bytes as a little-endian word.
    ///   - length: The literal's length, 4 or 5.
    ///   - kind: `.bool` or `.null`.
    ///   - name: The literal, for the error message.
    /// - Throws: `JSONError` "invalid literal" if the bytes differ.
    @inline(__always)
    private mutating func appendLiteral(
        _ word: UInt32, length: Int, kind: JSONKind, name: String
    ) throws(JSONError) {
        let start = position
        let last4 = start + length - 4
        guard start + length <= input.count,
            UInt32(
                littleEndian: UnsafeRawBufferPointer(input).loadUnaligned(
                    fromByteOffset: last4, as: UInt32.self)) == word
        else {
            throw JSONError(offset: start, message: "invalid literal (expected \(name))")
        }
        append(
            JSONTapeEntry(
                start: start, end: start + length, count: 0, next: tapeCount + 1,
                kind: kind, hasEscapes: false))
        position = start + length
    }

    // MARK: - Bytes

    /// Skips spaces, tabs, carriage returns and line feeds.
    @inline(__always)
    private mutating func skipWhitespace() {
        while position < input.count {
            let byte = input[position]
            guard byte <= 0x20,
                byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
            else { return }
            position += 1
        }
    }

    /// The error for the text ending where something else was needed.
    private func endOfInput(expecting expected: String) -> JSONError {
        JSONError(offset: position, message: "unexpected end of input (expected \(expected))")
    }

    /// The error for a byte that cannot stand where it stands.
    private func unexpected(_ byte: UInt8, expecting expected: String) -> JSONError {
        let what = byte >= 0x80 ? "byte" : "character"
        return JSONError(
            offset: position,
            message: "unexpected \(what) \(ByteDescription.describe(byte)) (expected \(expected))")
    }

    /// Whether a byte is an ASCII digit.
    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    /// Four ASCII bytes as a little-endian word.
    @inline(__always)
    private static func word(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> UInt32 {
        UInt32(a) | UInt32(b) << 8 | UInt32(c) << 16 | UInt32(d) << 24
    }

    /// `true` as a word.
    private static var trueWord: UInt32 { word(0x74, 0x72, 0x75, 0x65) }

    /// The last four bytes of `false`, `alse`, as a word.
    private static var falseWord: UInt32 { word(0x61, 0x6C, 0x73, 0x65) }

    /// `null` as a word.
    private static var nullWord: UInt32 { word(0x6E, 0x75, 0x6C, 0x6C) }
}
