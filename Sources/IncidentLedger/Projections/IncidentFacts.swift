import Interchange

/// The facts of an incident that selections, metrics and recurrence read: a small
/// projection kept beside the full state, so that a question over every incident
/// reads a few bytes per incident instead of its whole state.
public protocol IncidentFactsView {
    /// The incident's id.
    var incident: String { get }
    /// Open, resolved or closed.
    var status: IncidentStatus { get }
    /// The current severity.
    var severity: Severity { get }
    /// The process affected.
    var process: String { get }
    /// The current owner.
    var owner: String? { get }
    /// The owner's team.
    var team: String? { get }
    /// Single- or multi-process.
    var scope: String? { get }
    /// How it was detected.
    var source: String? { get }
    /// Whether customers are affected.
    var customerFacing: Bool { get }
    /// Whether a regulatory duty is touched.
    var regulatory: Bool { get }
    /// The latest root-cause category.
    var rootCauseCategory: String? { get }
    /// When it was detected, in nanoseconds since the epoch.
    var detectedNanoseconds: Int64 { get }
    /// When the impact began, when given.
    var impactNanoseconds: Int64? { get }
    /// The first acknowledgement.
    var acknowledgedNanoseconds: Int64? { get }
    /// The first mitigation.
    var mitigatedNanoseconds: Int64? { get }
    /// The first resolution.
    var firstResolvedNanoseconds: Int64? { get }
    /// The resolution that stands, nil while open.
    var resolvedNanoseconds: Int64? { get }
}

extension IncidentState: IncidentFactsView {
    public var detectedNanoseconds: Int64 { detectedAt.nanoseconds }
    public var impactNanoseconds: Int64? { impactStartedAt?.nanoseconds }
    public var acknowledgedNanoseconds: Int64? { firstAcknowledgedAt?.nanoseconds }
    public var mitigatedNanoseconds: Int64? { firstMitigatedAt?.nanoseconds }
    public var firstResolvedNanoseconds: Int64? { firstResolvedAt?.nanoseconds }
    public var resolvedNanoseconds: Int64? { resolvedAt?.nanoseconds }
}

/// The kept form of `IncidentFactsView`.
public struct IncidentFacts: IncidentFactsView, Equatable, Sendable {
    public var incident: String
    public var status: IncidentStatus
    public var severity: Severity
    public var process: String
    public var owner: String?
    public var team: String?
    public var scope: String?
    public var source: String?
    public var customerFacing: Bool
    public var regulatory: Bool
    public var rootCauseCategory: String?
    public var detectedNanoseconds: Int64
    public var impactNanoseconds: Int64?
    public var acknowledgedNanoseconds: Int64?
    public var mitigatedNanoseconds: Int64?
    public var firstResolvedNanoseconds: Int64?
    public var resolvedNanoseconds: Int64?

    /// The facts of a state.
    public init(_ state: some IncidentFactsView) {
        incident = state.incident
        status = state.status
        severity = state.severity
        process = state.process
        owner = state.owner
        team = state.team
        scope = state.scope
        source = state.source
        customerFacing = state.customerFacing
        regulatory = state.regulatory
        rootCauseCategory = state.rootCauseCategory
        detectedNanoseconds = state.detectedNanoseconds
        impactNanoseconds = state.impactNanoseconds
        acknowledgedNanoseconds = state.acknowledgedNanoseconds
        mitigatedNanoseconds = state.mitigatedNanoseconds
        firstResolvedNanoseconds = state.firstResolvedNanoseconds
        resolvedNanoseconds = state.resolvedNanoseconds
    }

    /// The facts in their kept binary form (the incident id is the key, not repeated):
    /// status, severity and a byte of flags, then the six instants as fixed 8-byte
    /// little-endian numbers (absent ones as zero, their absence in the flags), then
    /// the names, each a LEB128 length and its UTF-8. Fixed widths
    /// because every `stats` reads these for every incident.
    func encoded() -> [UInt8] {
        var out = BinaryWriter()
        out.bytes.reserveCapacity(128)
        encodeFacts(into: &out)
        return out.bytes
    }

    /// The statuses and severities in the order their kept numbers name them.
    static let statuses = IncidentStatus.allCases
    static let severities = Severity.allCases

    /// Reads facts written by `encoded()`; nil when the bytes are damaged.
    /// - Parameters:
    ///   - incident: The incident's id (the key they were kept under).
    ///   - bytes: The kept facts.
    ///   - names: Shares the strings of names that repeat across incidents.
    init?(
        incident: String, encoded bytes: UnsafeRawBufferPointer,
        names: inout StringInterner
    ) {
        let statuses = IncidentStatus.allCases
        let severities = Severity.allCases
        let fixedPart = 3 + 6 * 8
        guard bytes.count >= fixedPart, Int(bytes[0]) < statuses.count,
            Int(bytes[1]) < severities.count
        else { return nil }
        let flags = bytes[2]
        func time(_ index: Int) -> Int64 {
            Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 3 + 8 * index, as: Int64.self))
        }
        func optionalTime(_ index: Int) -> Int64? {
            flags & (4 << (index - 1)) != 0 ? time(index) : nil
        }

        var input = BinaryReader(bytes: bytes, offset: fixedPart)
        guard let process = input.string(interning: &names),
            let owner = input.optionalString(interning: &names),
            let team = input.optionalString(interning: &names),
            let scope = input.optionalString(interning: &names),
            let source = input.optionalString(interning: &names),
            let category = input.optionalString(interning: &names),
            input.offset == bytes.count
        else { return nil }

        self.incident = incident
        status = statuses[Int(bytes[0])]
        severity = severities[Int(bytes[1])]
        self.process = process
        self.owner = owner
        self.team = team
        self.scope = scope
        self.source = source
        customerFacing = flags & 1 != 0
        regulatory = flags & 2 != 0
        rootCauseCategory = category
        detectedNanoseconds = time(0)
        impactNanoseconds = optionalTime(1)
        acknowledgedNanoseconds = optionalTime(2)
        mitigatedNanoseconds = optionalTime(3)
        firstResolvedNanoseconds = optionalTime(4)
        resolvedNanoseconds = optionalTime(5)
    }
}

extension IncidentFactsView {
    /// Gives the facts' kept binary form to `out` (see `IncidentFacts.encoded()`):
    /// straight from a state, without making its facts first.
    func encodeFacts(into out: inout some BinarySink) {
        out.byte(UInt8(IncidentFacts.statuses.firstIndex(of: status) ?? 0))
        out.byte(UInt8(IncidentFacts.severities.firstIndex(of: severity) ?? 0))
        let times = (
            impactNanoseconds, acknowledgedNanoseconds, mitigatedNanoseconds,
            firstResolvedNanoseconds, resolvedNanoseconds
        )
        var flags: UInt8 = (customerFacing ? 1 : 0) | (regulatory ? 2 : 0)
        if times.0 != nil { flags |= 4 }
        if times.1 != nil { flags |= 8 }
        if times.2 != nil { flags |= 16 }
        if times.3 != nil { flags |= 32 }
        if times.4 != nil { flags |= 64 }
        out.byte(flags)
        out.fixed(detectedNanoseconds)
        out.fixed(times.0 ?? 0)
        out.fixed(times.1 ?? 0)
        out.fixed(times.2 ?? 0)
        out.fixed(times.3 ?? 0)
        out.fixed(times.4 ?? 0)
        out.string(process)
        out.optionalString(owner)
        out.optionalString(team)
        out.optionalString(scope)
        out.optionalString(source)
        out.optionalString(rootCauseCategory)
    }
}
