import LedgerStorage

/// An incident's kept facts read where they lie, without copying them out: numbers
/// are loaded from fixed offsets and a name is made (shared through a table) only
/// when asked for. Valid only inside the `Ledger.forEachFacts` call that gave it.
public struct KeptFacts: IncidentFactsView {
    private let key: UnsafeRawBufferPointer
    private let bytes: UnsafeRawBufferPointer
    private let names: NameTable
    /// Where each of the six names (process, owner, team, scope, source, category)
    /// begins: its presence flag, or for `process` its length.
    private let nameOffsets: (Int, Int, Int, Int, Int, Int)

    private static let fixedPart = 3 + 6 * 8

    /// Views kept facts; nil when the bytes are not a whole facts record.
    init?(key: UnsafeRawBufferPointer, bytes: UnsafeRawBufferPointer, names: NameTable) {
        guard bytes.count >= KeptFacts.fixedPart,
            Int(bytes[0]) < IncidentStatus.allCases.count,
            Int(bytes[1]) < Severity.allCases.count
        else { return nil }
        var input = BinaryReader(bytes: bytes, offset: KeptFacts.fixedPart)
        let process = input.offset
        guard input.skipString() else { return nil }
        func skipOptional() -> Int? {
            let offset = input.offset
            guard let present = input.flag() else { return nil }
            return !present || input.skipString() ? offset : nil
        }
        guard let owner = skipOptional(), let team = skipOptional(),
            let scope = skipOptional(), let source = skipOptional(),
            let category = skipOptional()
        else { return nil }
        guard input.offset == bytes.count else { return nil }
        self.key = key
        self.bytes = bytes
        self.names = names
        nameOffsets = (process, owner, team, scope, source, category)
    }

    private var flags: UInt8 { bytes[2] }

    private func time(_ index: Int) -> Int64 {
        Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 3 + 8 * index, as: Int64.self))
    }

    private func optionalTime(_ index: Int) -> Int64? {
        flags & (4 << (index - 1)) != 0 ? time(index) : nil
    }

    private func name(at offset: Int) -> String {
        var input = BinaryReader(bytes: bytes, offset: offset)
        return input.string(interning: &names.interner) ?? ""
    }

    private func optionalName(at offset: Int) -> String? {
        guard bytes[offset] != 0 else { return nil }
        return name(at: offset + 1)
    }

    public var incident: String { String(decoding: key, as: UTF8.self) }
    public var status: IncidentStatus { IncidentStatus.allCases[Int(bytes[0])] }
    public var severity: Severity { Severity.allCases[Int(bytes[1])] }
    public var process: String { name(at: nameOffsets.0) }
    public var owner: String? { optionalName(at: nameOffsets.1) }
    public var team: String? { optionalName(at: nameOffsets.2) }
    public var scope: String? { optionalName(at: nameOffsets.3) }
    public var source: String? { optionalName(at: nameOffsets.4) }
    public var customerFacing: Bool { flags & 1 != 0 }
    public var regulatory: Bool { flags & 2 != 0 }
    public var rootCauseCategory: String? { optionalName(at: nameOffsets.5) }
    public var detectedNanoseconds: Int64 { time(0) }
    public var impactNanoseconds: Int64? { optionalTime(1) }
    public var acknowledgedNanoseconds: Int64? { optionalTime(2) }
    public var mitigatedNanoseconds: Int64? { optionalTime(3) }
    public var firstResolvedNanoseconds: Int64? { optionalTime(4) }
    public var resolvedNanoseconds: Int64? { optionalTime(5) }
}

/// The names shared by every `KeptFacts` of one read.
final class NameTable {
    var interner = StringInterner()
}

extension Ledger {
    /// Calls `body` with every incident's facts as they stood at `moment` (now when
    /// nil), in incident id order now; each view is valid only during its call.
    /// This is how a question over every incident reads them without copying each
    /// one out; `facts(asOf:where:)` returns copies instead.
    /// - Parameters:
    ///   - moment: The moment to answer for, or nil for now.
    ///   - body: Reads one incident's facts.
    /// - Throws: `LedgerError` when the ledger cannot be read or a kept record is
    ///   damaged.
    /// - Complexity: O(k) small reads now; O(n) in the records for a past moment.
    public func forEachFacts(
        asOf moment: AsOf?, _ body: (KeptFacts) -> Void
    ) throws(LedgerError) {
        let names = NameTable()
        if let moment {
            // The past is folded from the records; its facts go through the kept form
            // so that every caller reads one type.
            for state in try states(asOf: moment) {
                let key = Array(state.incident.utf8)
                let bytes = IncidentFacts(state).encoded()
                let viewed = key.withUnsafeBytes { key in
                    bytes.withUnsafeBytes { bytes in
                        KeptFacts(key: key, bytes: bytes, names: names).map { body($0) } != nil
                    }
                }
                guard viewed else {
                    throw LedgerError.corrupt(
                        position: 0, reason: "the facts of \(state.incident) do not encode")
                }
            }
            return
        }
        do {
            try environment.read { txn in
                try txn.withCursor(incidentFacts) { cursor in
                    var entry = try cursor.first()
                    while let current = entry {
                        guard
                            let facts = KeptFacts(
                                key: current.key, bytes: current.value, names: names)
                        else {
                            let incident = String(decoding: current.key, as: UTF8.self)
                            throw LedgerError.corrupt(
                                position: 0,
                                reason: "the kept facts of \(incident) cannot be read; run "
                                    + "'incidents rebuild'")
                        }
                        body(facts)
                        entry = try cursor.next()
                    }
                }
            }
        } catch {
            throw Ledger.wrap(error)
        }
    }
}
