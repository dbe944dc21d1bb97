import Interchange

/// Folds a stream of records, in log order, into the state of every incident they
/// touch, applying each correction to the event it names.
///
/// Used to rebuild the kept projections from position 1, and to answer "as of" an
/// earlier position by folding only the records up to it. Corrections must be known
/// before the events they correct are folded, so a projector is made from the
/// corrections of the same span of the log (`corrections(in:)`).
public struct Projector {
    /// Each corrected event's id, with the time and fields that replace its own.
    public typealias Corrections = [EventID: (at: Timestamp?, data: EventData)]

    private let corrections: Corrections
    /// One bit for each value of the last 16 bits of an id, set for those of the
    /// corrected ids: a clear bit says that no correction names an event without
    /// hashing its id, as most events are looked up (ids are random, corrections few).
    private let correctedBits: [UInt64]
    /// The states so far, by incident.
    public private(set) var states: [String: IncidentState] = [:]

    /// A projector that applies `corrections`.
    /// - Parameters:
    ///   - corrections: The corrections of the span to be folded.
    ///   - expectedIncidents: Room to make for this many incidents at once.
    public init(corrections: Corrections, expectedIncidents: Int = 0) {
        self.corrections = corrections
        var bits = [UInt64](repeating: 0, count: corrections.isEmpty ? 0 : Projector.bitWords)
        for id in corrections.keys {
            let bit = Int(truncatingIfNeeded: id.low) & (Projector.bitWords * 64 - 1)
            bits[bit >> 6] |= 1 << UInt64(bit & 63)
        }
        correctedBits = bits
        states.reserveCapacity(expectedIncidents)
    }

    /// How many words `correctedBits` has when there are corrections: 65,536 bits.
    private static let bitWords = 1024

    /// Whether a correction may name `id`: false only when none does.
    @inline(__always)
    private func mayBeCorrected(_ id: EventID) -> Bool {
        guard !correctedBits.isEmpty else { return false }
        let bit = Int(truncatingIfNeeded: id.low) & (Projector.bitWords * 64 - 1)
        return correctedBits[bit >> 6] & 1 << UInt64(bit & 63) != 0
    }

    /// Adds a correction event's replacement to `corrections` (later ones win, field
    /// by field).
    /// - Parameters:
    ///   - corrections: The corrections gathered so far.
    ///   - event: A `corrected` event (others are ignored).
    public static func gather(_ event: Event, into corrections: inout Corrections) {
        guard event.type == .corrected, case .string(let text)? = event.data["event"],
            let target = EventID(text)
        else { return }
        var correction = corrections[target] ?? (nil, EventData())
        if let at = event.data.time("at") { correction.at = at }
        if case .fields(let fields)? = event.data["data"] {
            correction.data = correction.data.merging(fields)
        }
        corrections[target] = correction
    }

    /// The event as its corrections say it was.
    /// - Complexity: O(1) when it is not corrected.
    public func corrected(_ original: Event) -> Event {
        guard mayBeCorrected(original.id), let correction = corrections[original.id] else {
            return original
        }
        var event = original
        if let at = correction.at { event.at = at }
        let typed = (try? EventDecoder.check(correction.data, against: event.type))
        event.data = event.data.merging(typed ?? correction.data)
        return event
    }

    /// Folds one record into its incident's state.
    /// - Parameters:
    ///   - event: The event as stored (corrections are applied here).
    ///   - position: Its position.
    /// - Returns: Whether it was folded: false when its incident has no state here
    ///   and it is not a detection, which would begin one.
    /// - Complexity: O(1) amortised.
    @discardableResult
    public mutating func fold(_ event: Event, position: UInt64) -> Bool {
        let effective = corrected(event)
        // Found by index and changed through `values`, in place: `states[id]?.apply`
        // copies the whole state in and out of the dictionary.
        guard let index = states.index(forKey: effective.incident) else {
            guard effective.type == .detected else { return false }
            states[effective.incident] = IncidentState(detected: effective, position: position)
            return true
        }
        states.values[index].apply(effective, position: position)
        return true
    }

    /// Folds an event that is not corrected and whose type folds without its data
    /// (`EventType.foldsWithoutData`), from its type and time alone.
    /// - Parameters:
    ///   - type: The event's type.
    ///   - at: Its time.
    ///   - incident: Its incident.
    ///   - position: Its position.
    /// - Returns: Whether it was folded: false when its incident has no state here.
    /// - Complexity: O(1) amortised.
    @discardableResult
    mutating func fold(
        _ type: EventType, at: Timestamp, of incident: String, position: UInt64
    ) -> Bool {
        guard let index = states.index(forKey: incident) else { return false }
        states.values[index].apply(type, at: at, position: position)
        return true
    }

    /// Whether `incident` has a state here.
    func knows(_ incident: String) -> Bool {
        states.index(forKey: incident) != nil
    }

    /// Whether `id` names an event that a correction changes.
    func isCorrected(_ id: EventID) -> Bool {
        mayBeCorrected(id) && corrections[id] != nil
    }
}
