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

    /// The facts in their kept binary form (the incident id is the key, not repeated).
    func encoded() -> [UInt8] {
        var out = BinaryWriter()
        out.bytes.reserveCapacity(96)
        out.unsigned(UInt64(IncidentStatus.allCases.firstIndex(of: status) ?? 0))
        out.unsigned(UInt64(Severity.allCases.firstIndex(of: severity) ?? 0))
        out.string(process)
        out.optionalString(owner)
        out.optionalString(team)
        out.optionalString(scope)
        out.optionalString(source)
        out.flag(customerFacing)
        out.flag(regulatory)
        out.optionalString(rootCauseCategory)
        out.signed(detectedNanoseconds)
        for time in [
            impactNanoseconds, acknowledgedNanoseconds, mitigatedNanoseconds,
            firstResolvedNanoseconds, resolvedNanoseconds,
        ] {
            out.flag(time != nil)
            if let time { out.signed(time) }
        }
        return out.bytes
    }

    /// Reads facts written by `encoded()`; nil when the bytes are damaged.
    init?(incident: String, encoded bytes: UnsafeRawBufferPointer) {
        var input = BinaryReader(bytes: bytes)
        let statuses = IncidentStatus.allCases
        let severities = Severity.allCases
        guard let statusCode = input.unsigned(), statusCode < UInt64(statuses.count),
            let severityCode = input.unsigned(), severityCode < UInt64(severities.count),
            let process = input.string(), let owner = input.optionalString(),
            let team = input.optionalString(), let scope = input.optionalString(),
            let source = input.optionalString(), let customerFacing = input.flag(),
            let regulatory = input.flag(), let category = input.optionalString(),
            let detected = input.signed()
        else { return nil }
        guard let impact = input.optionalSigned(), let acknowledged = input.optionalSigned(),
            let mitigated = input.optionalSigned(), let firstResolved = input.optionalSigned(),
            let resolved = input.optionalSigned()
        else { return nil }
        guard input.offset == bytes.count else { return nil }
        self.incident = incident
        status = statuses[Int(statusCode)]
        severity = severities[Int(severityCode)]
        self.process = process
        self.owner = owner
        self.team = team
        self.scope = scope
        self.source = source
        self.customerFacing = customerFacing
        self.regulatory = regulatory
        self.rootCauseCategory = category
        detectedNanoseconds = detected
        impactNanoseconds = impact
        acknowledgedNanoseconds = acknowledged
        mitigatedNanoseconds = mitigated
        firstResolvedNanoseconds = firstResolved
        resolvedNanoseconds = resolved
    }
}
