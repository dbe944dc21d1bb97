import Interchange
import LedgerStorage
import Testing

@testable import IncidentLedger

/// The fold behind rebuilds and "as of" answers shares incidents among the cores and
/// reads events whose data no fact depends on straight from their canonical bytes.
/// These tests fold small ledgers on every core and hold the result to the states the
/// appends kept, which were computed from fully decoded events one at a time.
@Suite("Folding the log on every core")
struct ParallelFoldTests {
    /// Twelve incidents of every type, with corrections of a data-less type's time
    /// (an acknowledgement, a resolution) and of a detection's data, an actor with
    /// escapes before the time, and a reopening.
    static func history() -> [String] {
        var lines: [String] = []
        for number in 1...12 {
            let incident = "INC-\(number)"
            let base = number * 60
            lines += [
                detectedLine(incident, at: time(base), id: eventID(base)),
                eventLine(
                    "acknowledged", incident, at: time(base + 1), actor: #"a "quoted" \ actor"#,
                    id: eventID(base + 1)),
                eventLine("note", incident, at: time(base + 2), data: ["text": "looking"]),
                eventLine(
                    "assigned", incident, at: time(base + 3),
                    data: ["owner": "bob", "team": "data"]),
                eventLine("mitigated", incident, at: time(base + 4), data: ["action": "restart"]),
                eventLine(
                    "notified", incident, at: time(base + 5), data: ["channel": "status-page"]),
                eventLine("resolved", incident, at: time(base + 6), id: eventID(base + 6)),
            ]
            if number % 3 == 0 {
                lines += [
                    eventLine("reopened", incident, at: time(base + 7), data: ["reason": "again"]),
                    eventLine("resolved", incident, at: time(base + 8)),
                ]
            }
            if number % 4 == 0 {
                lines += [
                    eventLine(
                        "corrected", incident, at: time(base + 9),
                        data: [
                            "event": .string(eventID(base + 1)), "reason": "clock",
                            "at": .string(time(base)),
                        ]),
                    eventLine(
                        "corrected", incident, at: time(base + 9),
                        data: [
                            "event": .string(eventID(base + 6)), "reason": "clock",
                            "at": .string(time(base + 5)),
                        ]),
                    eventLine(
                        "corrected", incident, at: time(base + 9),
                        data: [
                            "event": .string(eventID(base)), "reason": "wrong process",
                            "data": .object(["process": "billing-batch"]),
                        ]),
                ]
            }
            if number % 2 == 0 {
                // Flags, a list, a date and an escaped text: read directly or decoded.
                lines += [
                    eventLine(
                        "triaged", incident, at: time(base + 1),
                        data: number % 4 == 0
                            ? ["scope": "multi-process", "processes": ["a", "b"]]
                            : [
                                "scope": "single-process", "customerFacing": true,
                                "regulatory": false, "severity": "SEV2",
                            ]),
                    eventLine(
                        "root-cause", incident, at: time(base + 2),
                        data: [
                            "category": "config", "summary": .string(#"a "quoted" cause"#),
                            "change": .string("PR-\(number)"),
                        ]),
                    eventLine(
                        "follow-up", incident, at: time(base + 3),
                        data: ["task": "T1", "title": "Add an alert", "due": "2026-04-01"]),
                    eventLine("follow-up-done", incident, at: time(base + 4), data: ["task": "T1"]),
                    eventLine(
                        "severity-changed", incident, at: time(base + 4),
                        data: ["severity": "SEV1", "reason": "spreading"]),
                    eventLine(
                        "escalated", incident, at: time(base + 5),
                        data: ["reason": "two services", "scope": "multi-process"]),
                    eventLine(
                        "postmortem", incident, at: time(base + 6), data: ["document": "PM-1"]),
                ]
            }
            lines.append(
                eventLine(
                    "closed", incident, at: time(base + 10),
                    data: ["whatHappened": "disk", "why": "no alert", "whatWillChange": "alert"]))
        }
        return lines
    }

    /// The kept states, by incident, as their stored bytes.
    static func kept(_ ledger: Ledger) throws -> [String: [UInt8]] {
        let states = try ledger.states(asOf: nil)
        return Dictionary(uniqueKeysWithValues: states.map { ($0.incident, $0.encoded()) })
    }

    @Test("a fold on every core gives exactly the states the appends kept")
    func everyCoreEqualsKept() throws {
        let test = try TestLedger()
        try test.append(Self.history())
        let folded = try test.ledger.environment.read { txn in
            try test.ledger.fold(in: txn, through: nil, wantsLeaves: true, splittingFrom: 1) {
                _, _ in
            }
        }
        #expect(folded.states.count == 12)
        #expect(folded.states.mapValues { $0.encoded() } == (try Self.kept(test.ledger)))

        // The corrections moved the acknowledgement and resolution and the process.
        let fourth = try #require(folded.states["INC-4"])
        #expect(fourth.firstAcknowledgedAt?.text == time(240))
        #expect(fourth.resolvedAt?.text == time(245))
        #expect(fourth.process == "billing-batch")
        #expect(fourth.correctionCount == 3)
        #expect(fourth.notificationCount == 1)
    }

    @Test("the leaves a fold hashes on every core are those of every record in order")
    func everyCoreHashesEveryLeaf() throws {
        let test = try TestLedger()
        try test.append(Self.history())
        let (folded, count) = try test.ledger.environment.read { txn in
            (
                try test.ledger.fold(in: txn, through: nil, wantsLeaves: true, splittingFrom: 1) {
                    _, _ in
                },
                try txn.count(test.ledger.records)
            )
        }
        #expect(folded.leaves.count == count)
        for position in [1, count / 2, count] {
            let text = try #require(try test.recordText(at: UInt64(position)))
            let expected = Array(text.utf8).withUnsafeBytes {
                MerkleTree<KeptSubtrees<ReadTransaction>>.leafHash($0, hasher: test.ledger.hasher)
            }
            #expect(folded.leaves[position - 1] == expected)
        }
    }

    @Test("the block roots a fold hashes on every core are those the appends stored")
    func everyCoreHashesEveryBlock() throws {
        let test = try TestLedger()
        // Three leaf spans of 4,096 and a part: spans go to the workers in turn.
        var lines = [detectedLine()]
        lines += (1..<13_000).map { eventLine("note", data: ["text": .string("n\($0)")]) }
        try test.append(lines)
        let (folded, stored) = try test.ledger.environment.read { txn in
            let folded = try test.ledger.fold(
                in: txn, through: nil, wantsLeaves: true, splittingFrom: 1
            ) { _, _ in }
            let kept = test.ledger.keptSubtrees(in: txn)
            let stored = try (0..<UInt64(13_000 / 256)).map { try kept.hash(level: 8, index: $0) }
            return (folded, stored)
        }
        #expect(folded.blockRoots.count == 50)
        #expect(folded.blockRoots == stored)
        #expect(folded.states["INC-1"]?.eventCount == 13_000)
    }

    @Test("as of a position, a fold on every core applies only the corrections made by then")
    func everyCoreAsOf() throws {
        let test = try TestLedger()
        let lines = Self.history()
        // Up to the fourth incident's resolution, before its corrections.
        let cut = try #require(lines.firstIndex { $0.contains(eventID(246)) }) + 1
        try test.append(Array(lines[..<cut]))
        let before = try Self.kept(test.ledger)
        try test.append(Array(lines[cut...]))

        let folded = try test.ledger.environment.read { txn in
            try test.ledger.fold(in: txn, through: UInt64(cut), splittingFrom: 1) { _, _ in }
        }
        #expect(folded.states.mapValues { $0.encoded() } == before)
        #expect(folded.states["INC-4"]?.firstAcknowledgedAt?.text == time(241))
    }

    @Test("an incident begun in the first run is folded in order with its later records")
    func incidentAcrossRunsIsFoldedInOrder() throws {
        let test = try TestLedger()
        var lines = [
            detectedLine("INC-A", at: time(0), id: eventID(1)),
            eventLine("acknowledged", "INC-A", at: time(2), id: eventID(2)),
            detectedLine("INC-B", at: time(1), id: eventID(3)),
        ]
        lines += (0..<40).map {
            eventLine("note", "INC-B", at: time(2 + $0), data: ["text": .string("n\($0)")])
        }
        // In the second run: INC-A's later records, a correction of its first
        // acknowledgement's time among them, and a third incident begun there.
        lines += [
            eventLine("mitigated", "INC-A", at: time(50), data: ["action": "restart"]),
            detectedLine("INC-C", at: time(51), id: eventID(4)),
            eventLine(
                "corrected", "INC-A", at: time(52),
                data: ["event": .string(eventID(2)), "reason": "clock", "at": .string(time(1))]),
            eventLine("resolved", "INC-A", at: time(53)),
            eventLine("acknowledged", "INC-C", at: time(54)),
        ]
        try test.append(lines)
        let folded = try test.ledger.environment.read { txn in
            try test.ledger.fold(in: txn, through: nil, splittingFrom: 1) { _, _ in }
        }
        #expect(folded.states.mapValues { $0.encoded() } == (try Self.kept(test.ledger)))
        let first = try #require(folded.states["INC-A"])
        #expect(first.firstAcknowledgedAt?.text == time(1))
        #expect(first.status == .resolved)
        #expect(first.lastPosition == UInt64(lines.count - 1))
        #expect(folded.states["INC-C"]?.firstAcknowledgedAt?.text == time(54))
    }

    @Test("a log with an incident detected in two runs is folded as in order")
    func incidentDetectedTwiceIsFoldedAsInOrder() throws {
        let test = try TestLedger()
        var lines = [
            detectedLine("INC-A", at: time(0), id: eventID(1)),
            detectedLine("INC-B", at: time(1), id: eventID(2)),
        ]
        lines += (0..<40).map {
            eventLine("note", "INC-B", at: time(2 + $0), data: ["text": .string("n\($0)")])
        }
        try test.append(lines)
        // No append accepts a second detection: it is written beneath the ledger,
        // late in the log, where another worker than the first one meets it.
        let detection = try #require(try test.ledger.recordBytes(at: 1))
        try test.ledger.environment.write { txn in
            try txn.put(detection, forKey: bigEndianBytes(40), in: test.ledger.records)
        }
        let (split, inOrder) = try test.ledger.environment.read { txn in
            (
                try test.ledger.fold(in: txn, through: nil, splittingFrom: 1) { _, _ in },
                try test.ledger.fold(in: txn, through: nil, splittingFrom: .max) { _, _ in }
            )
        }
        #expect(inOrder.states["INC-A"]?.lastPosition == 40)
        #expect(
            split.states.mapValues { $0.encoded() } == inOrder.states.mapValues { $0.encoded() })
    }

    @Test("a detection after records left aside is left aside too, in order")
    func detectionAfterRecordsLeftAsideStaysInOrder() throws {
        let test = try TestLedger()
        var lines = [detectedLine("INC-B", at: time(1), id: eventID(2))]
        lines += (0..<40).map {
            eventLine("note", "INC-B", at: time(2 + $0), data: ["text": .string("n\($0)")])
        }
        lines += [
            detectedLine("INC-C", at: time(50), id: eventID(3)),
            eventLine("note", "INC-C", at: time(51), data: ["text": "after"]),
        ]
        try test.append(lines)
        // A note of INC-C before its detection, written beneath the ledger (no append
        // takes one): in order it is ignored; the second run leaves it aside, and so
        // must leave aside the detection and the note after it.
        let note = try #require(try test.ledger.recordBytes(at: 43))
        try test.ledger.environment.write { txn in
            try txn.put(note, forKey: bigEndianBytes(30), in: test.ledger.records)
        }
        let (split, inOrder) = try test.ledger.environment.read { txn in
            (
                try test.ledger.fold(in: txn, through: nil, splittingFrom: 1) { _, _ in },
                try test.ledger.fold(in: txn, through: nil, splittingFrom: .max) { _, _ in }
            )
        }
        #expect(inOrder.states["INC-C"]?.lastPosition == 43)
        #expect(inOrder.states["INC-C"]?.eventCount == 2)
        #expect(
            split.states.mapValues { $0.encoded() } == inOrder.states.mapValues { $0.encoded() })
    }

    /// The stored text of a ledger's one record, the detection of `incident`, and its
    /// `recordedBy` member as written.
    static func detectionRecord(_ incident: String) throws -> (text: String, user: String) {
        let test = try TestLedger()
        try test.append([detectedLine(incident, at: time(0), id: eventID(1))])
        let text = try #require(try test.recordText(at: 1))
        return (text, #""recordedBy":"\#(Ledger.currentUser())""#)
    }

    @Test("the incident is found from the tail's layout, an escaped user name and all")
    func findsTheIncidentFromTheTail() throws {
        let (text, user) = try Self.detectionRecord("INC-77")
        #expect(text.contains(user))
        let variants = [
            text,
            text.replacingOccurrences(of: user, with: #""recordedBy":"a\"b\\""#),
            text.replacingOccurrences(of: user, with: #""recordedBy":"\\\"x""#),
        ]
        for variant in variants {
            try Array(variant.utf8).withUnsafeBytes { bytes in
                let (key, value) = try #require(
                    Ledger.canonicalIncident(in: bytes), "\(variant)")
                #expect(String(decoding: bytes[value], as: UTF8.self) == "INC-77")
                #expect(bytes[key..<value.lowerBound].elementsEqual(#","incident":""#.utf8))
            }
        }
        // A ledger-level record has no incident; nor does a tail laid out otherwise.
        let noIncident = text.replacingOccurrences(of: #","incident":"INC-77""#, with: "")
        Array(noIncident.utf8).withUnsafeBytes { bytes in
            #expect(Ledger.canonicalIncident(in: bytes) == nil)
        }
    }

    @Test("an export record whose filters name an incident is folded into no incident")
    func exportNamingAnIncidentIsFoldedIntoNone() throws {
        let test = try TestLedger()
        try test.append(Self.history())
        let selection = try ExportSelection(given: ["actor": "alice", "incident": "INC-4"])
        let files = try test.ledger.makeExport(selection, format: .ndjson, file: "a.ndjson")
        let at = Timestamp(utcNanoseconds: TestLedger.clockMicroseconds * 1000, fractionDigits: 6)
        let position = try test.ledger.recordExport(files.summary, at: at)
        // The record's data holds the very key the fold looks for.
        let text = try #require(try test.recordText(at: position))
        #expect(text.contains(#""actor":"alice","incident":"INC-4""#))

        let folded = try test.ledger.environment.read { txn in
            try test.ledger.fold(in: txn, through: nil, splittingFrom: 1) { _, _ in }
        }
        #expect(folded.states.mapValues { $0.encoded() } == (try Self.kept(test.ledger)))
        #expect(try test.ledger.rebuild(check: true).differing == [])
        #expect(try test.ledger.rebuild().incidents == 12)
    }

    @Test("the incident and the skimmed fields are found in a canonical record's bytes")
    func skimsCanonicalBytes() throws {
        let test = try TestLedger()
        try test.append([
            detectedLine("INC-9", at: time(0), id: eventID(1)),
            eventLine(
                "acknowledged", "INC-9", at: time(7), actor: #"x","incident":"INC-1"#,
                id: eventID(2)),
        ])
        let text = try #require(try test.recordText(at: 2))
        try Array(text.utf8).withUnsafeBytes { bytes in
            let (key, value) = try #require(Ledger.canonicalIncident(in: bytes))
            #expect(String(decoding: bytes[value], as: UTF8.self) == "INC-9")
            let skimmed = try #require(Ledger.skim(bytes, incidentKey: key))
            #expect(skimmed.type == .acknowledged)
            #expect(skimmed.id.description == eventID(2))
            #expect(skimmed.at.text == time(7))
        }
    }

    @Test("a data text is read up to its closing quote, and one with an escape is left alone")
    func readsDataTextsOfEveryLength() throws {
        for length in 0..<40 {
            let title = String((0..<length).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
            let plain = Array(#"{"process":"p","title":"\#(title)"}"#.utf8)
            let data = try plain.withUnsafeBytes { bytes in
                try #require(Ledger.canonicalData(bytes, in: 0..<bytes.count, of: .detected))
            }
            #expect(data.string("title") == title)
            #expect(data.string("process") == "p")

            for index in 0...length {
                var escaped = Array(title.utf8)
                escaped.insert(contentsOf: Array(#"\""#.utf8), at: index)
                let text = #"{"title":""# + String(decoding: escaped, as: UTF8.self) + #""}"#
                let bytes = Array(text.utf8)
                #expect(
                    bytes.withUnsafeBytes {
                        Ledger.canonicalData($0, in: 0..<$0.count, of: .detected)
                    } == nil, "\(text)")
            }
        }
    }

    @Test("a byte is found eight at a time exactly where a byte-by-byte search finds it")
    func findsABytePerWordAsPerByte() {
        // Bytes one bit from a quote, and a zero, beside the quotes: a word search
        // whose lanes leak into each other flags them too.
        let noise: [UInt8] = [0x21, 0x23, 0xA2, 0x02, 0x00, 0x61, 0x5C]
        for length in 0..<24 {
            for seed in 0..<4 {
                var bytes = (0..<length).map { noise[($0 * 3 + seed) % noise.count] }
                for index in stride(from: seed, to: length, by: 5 + seed) { bytes[index] = 0x22 }
                bytes.withUnsafeBufferPointer { buffer in
                    guard let text = buffer.baseAddress else { return }
                    for lower in 0...length {
                        for upper in lower...length {
                            let window = lower..<upper
                            #expect(
                                ByteScan.lastIndex(of: 0x22, in: text, from: lower, before: upper)
                                    == window.last { bytes[$0] == 0x22 }, "\(bytes) \(window)")
                            #expect(
                                ByteScan.firstIndex(of: 0x22, in: text, from: lower, to: upper)
                                    == (window.first { bytes[$0] == 0x22 } ?? upper),
                                "\(bytes) \(window)")
                        }
                    }
                }
            }
        }
    }

    @Test("the tail and the time are found past escaped quotes of every length")
    func skimsPastEscapesOfEveryLength() throws {
        let (text, user) = try Self.detectionRecord("INC-5")
        let actor = try #require(text.firstRange(of: #"{"actor":""#))
        let actorEnd = try #require(text[actor.upperBound...].firstIndex(of: "\""))
        for length in 0..<20 {
            let plain = String(repeating: "u", count: length)
            for index in 0...length {
                var name = Array(plain.utf8)
                name.insert(contentsOf: Array(#"\""#.utf8), at: index)
                let escaped = String(decoding: name, as: UTF8.self)
                let variant =
                    (#"{"actor":""# + escaped + text[actorEnd...])
                    .replacingOccurrences(of: user, with: #""recordedBy":""# + escaped + #"""#)
                try Array(variant.utf8).withUnsafeBytes { bytes in
                    let (key, value) = try #require(
                        Ledger.canonicalIncident(in: bytes), "\(variant)")
                    #expect(String(decoding: bytes[value], as: UTF8.self) == "INC-5")
                    let skimmed = try #require(Ledger.skim(bytes, incidentKey: key))
                    #expect(skimmed.type == .detected)
                    #expect(skimmed.at.text == time(0))
                }
            }
        }
    }

    @Test("a state and its facts match their encoded bytes, and no byte changed, cut or added")
    func matcherHoldsStatesAgainstEveryByte() throws {
        let test = try TestLedger()
        try test.append(Self.history())
        let states = try test.ledger.states(asOf: nil)
        #expect(states.count == 12)
        for state in states {
            let forms: [(bytes: [UInt8], give: (inout BinaryMatcher) -> Void)] = [
                (state.encoded(), { state.encode(into: &$0) }),
                (IncidentFacts(state).encoded(), { state.encodeFacts(into: &$0) }),
            ]
            for (bytes, give) in forms {
                func matches(_ kept: [UInt8]) -> Bool {
                    kept.withUnsafeBytes { kept in
                        var matcher = BinaryMatcher(kept: kept)
                        give(&matcher)
                        return matcher.matchesWhole
                    }
                }
                #expect(matches(bytes))
                #expect(!matches(Array(bytes.dropLast())))
                #expect(!matches(bytes + [0]))
                for index in bytes.indices {
                    var changed = bytes
                    changed[index] ^= 0x01
                    let matched = matches(changed)
                    #expect(!matched, "byte \(index) of \(state.incident)")
                }
            }
        }
    }

    @Test("a key is found in its bytes, and not where any one byte differs, at every length")
    func keyIsHeldByEveryOneOfItsBytes() {
        let keys: [StaticString] = [
            "", "a", "abc", "abcd", "abcdefg", "abcdefgh", #","at":""#, #","type":""#,
            #","incident":""#, "abcdefghijklmno", #","recordedAt":""#, "abcdefghijklmnop",
            "abcdefghijklmnopq", "abcdefghijklmnopqrstuvwxyz",
        ]
        for key in keys {
            let bytes = Array(
                UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
            // The key's bytes inside longer text, so that no read runs off the end unseen.
            let text = [0x2A] + bytes + [0x2A]
            text.withUnsafeBytes { text in
                guard let base = text.baseAddress else { return }
                #expect(ByteScan.holds(key, at: base + 1), "\(key)")
            }
            for index in bytes.indices {
                var changed = text
                changed[index + 1] ^= 0x20
                changed.withUnsafeBytes { text in
                    guard let base = text.baseAddress else { return }
                    let held = ByteScan.holds(key, at: base + 1)
                    #expect(!held, "\(key) byte \(index)")
                }
            }
        }
    }
}
