import Foundation
import Interchange
import LedgerCrypto
import LedgerStorage
import Testing

@testable import IncidentLedger

@Suite("Kept projections, rebuilds and time travel")
struct ProjectionRebuildTests {
    /// A small history: two incidents, a reopen, a correction of the first ack's time.
    static func history() -> [String] {
        [
            detectedLine("INC-1", at: time(0), id: eventID(1)),
            eventLine("acknowledged", "INC-1", at: time(10), id: eventID(2)),
            detectedLine("INC-2", at: time(5), id: eventID(3), severity: "SEV1"),
            eventLine("resolved", "INC-1", at: time(30), id: eventID(4)),
            eventLine("reopened", "INC-1", at: time(40), data: ["reason": "back"]),
            eventLine(
                "corrected", "INC-1", at: time(50), id: eventID(6),
                data: ["event": .string(eventID(2)), "reason": "typo", "at": .string(time(3))]),
            eventLine("resolved", "INC-1", at: time(60)),
        ]
    }

    @Test("a rebuild from the log gives exactly the states kept by the appends")
    func keptEqualsRebuilt() throws {
        let test = try TestLedger()
        try test.append(Self.history())
        let kept = try test.ledger.states(asOf: nil).sorted { $0.incident < $1.incident }

        let check = try test.ledger.rebuild(check: true)
        #expect(check.differing == [])
        #expect(check.records == 7)
        #expect(check.incidents == 2)

        let report = try test.ledger.rebuild()
        #expect(report.incidents == 2)
        let rebuilt = try test.ledger.states(asOf: nil).sorted { $0.incident < $1.incident }
        #expect(rebuilt == kept)
        #expect(rebuilt[0].firstAcknowledgedAt?.text == time(3))
        #expect(rebuilt[0].reopenCount == 1)
        #expect(rebuilt[0].correctionCount == 1)
    }

    @Test("rebuild --check reports an incident whose kept state was altered")
    func checkReportsAlteredProjection() throws {
        let test = try TestLedger()
        try test.append(Self.history())
        var altered = try #require(try test.ledger.state(of: "INC-2"))
        altered.title = "Someone else's title"
        try test.ledger.environment.write { txn in
            try txn.put(altered.encoded(), forKey: Array("INC-2".utf8), in: test.ledger.incidents)
        }

        let check = try test.ledger.rebuild(check: true)

        #expect(check.differing == ["INC-2"])
        #expect(try test.ledger.state(of: "INC-2")?.title == "Someone else's title")
        _ = try test.ledger.rebuild()
        #expect(try test.ledger.rebuild(check: true).differing == [])
        #expect(try test.ledger.state(of: "INC-2")?.title == "Export job failed")
    }

    @Test("a rebuild repairs altered, missing and extra states, facts, statuses and tree nodes")
    func rebuildRepairsOnlyWhatDiffers() throws {
        let test = try TestLedger()
        var lines = Self.history()
        lines += (0..<600).map { eventLine("note", "INC-2", data: ["text": .string("n\($0)")]) }
        try test.append(lines)
        let kept = try test.ledger.states(asOf: nil).sorted { $0.incident < $1.incident }
        let (tree, facts) = try test.ledger.environment.read { txn in
            (try txn.count(test.ledger.merkle), try txn.count(test.ledger.incidentFacts))
        }

        // An altered state, a missing fact, a ghost incident, a wrong status entry, a
        // missing status entry and a changed tree node.
        var altered = try #require(try test.ledger.state(of: "INC-1"))
        altered.title = "Someone else's title"
        try test.ledger.environment.write { txn in
            let ledger = test.ledger
            try txn.put(altered.encoded(), forKey: Array("INC-1".utf8), in: ledger.incidents)
            _ = try txn.delete(Array("INC-2".utf8), in: ledger.incidentFacts)
            try txn.put(altered.encoded(), forKey: Array("INC-9".utf8), in: ledger.incidents)
            try txn.put(
                [], forKey: Ledger.statusKey(.closed, Array("INC-1".utf8)),
                in: ledger.incidentsByStatus)
            _ = try txn.delete(
                Ledger.statusKey(.open, Array("INC-2".utf8)), in: ledger.incidentsByStatus)
            try txn.put(
                SHA256Digest.zero.bytes,
                forKey: KeptSubtrees<WriteTransaction>.key(level: 9, index: 0),
                in: ledger.merkle)
        }
        #expect(try test.ledger.rebuild(check: true).differing == ["INC-1", "INC-9"])
        #expect(try test.ledger.rebuild(check: true).treeIntact == false)

        _ = try test.ledger.rebuild()
        #expect(try test.ledger.rebuild(check: true).differing == [])
        #expect(try test.ledger.rebuild(check: true).treeIntact)
        #expect(try test.ledger.states(asOf: nil).sorted { $0.incident < $1.incident } == kept)
        #expect(try test.ledger.states(asOf: nil, statuses: [.open]).map(\.incident) == ["INC-2"])
        #expect(try test.ledger.states(asOf: nil, statuses: [.closed]).isEmpty)
        let (treeAfter, factsAfter) = try test.ledger.environment.read { txn in
            (try txn.count(test.ledger.merkle), try txn.count(test.ledger.incidentFacts))
        }
        #expect(treeAfter == tree)
        #expect(factsAfter == facts)
        #expect(try test.ledger.facts(asOf: nil).map(\.incident) == ["INC-1", "INC-2"])
    }

    @Test("a rebuild repairs a status entry moved to another status, all counts unchanged")
    func rebuildRepairsAMovedStatus() throws {
        let test = try TestLedger()
        try test.append(Self.history())
        let status = try #require(try test.ledger.state(of: "INC-2")).status
        #expect(status == .open)
        try test.ledger.environment.write { txn in
            let key = Array("INC-2".utf8)
            _ = try txn.delete(Ledger.statusKey(.open, key), in: test.ledger.incidentsByStatus)
            try txn.put(
                [], forKey: Ledger.statusKey(.closed, key), in: test.ledger.incidentsByStatus)
        }
        #expect(try test.ledger.states(asOf: nil, statuses: [.open]).isEmpty)

        _ = try test.ledger.rebuild()
        #expect(try test.ledger.states(asOf: nil, statuses: [.open]).map(\.incident) == ["INC-2"])
        #expect(try test.ledger.states(asOf: nil, statuses: [.closed]).isEmpty)
    }

    @Test("rebuild --check reports altered kept facts and a wrong status-index entry")
    func checkReportsAlteredFactsAndIndex() throws {
        let test = try TestLedger()
        try test.append(Self.history())
        #expect(try test.ledger.derivedProjectionDifferences() == [])
        var altered = try #require(try test.ledger.state(of: "INC-2"))
        altered.process = "someone-else"
        try test.ledger.environment.write { txn in
            try txn.put(
                IncidentFacts(altered).encoded(), forKey: Array("INC-2".utf8),
                in: test.ledger.incidentFacts)
        }
        // stats and recurrence would read the altered process; the states are intact.
        #expect(try test.ledger.facts(asOf: nil).map(\.process).contains("someone-else"))
        #expect(try test.ledger.rebuild(check: true).differing == [])
        #expect(try test.ledger.derivedProjectionDifferences() == ["INC-2"])

        let status = try #require(try test.ledger.state(of: "INC-1")).status
        let other: IncidentStatus = status == .closed ? .open : .closed
        try test.ledger.environment.write { txn in
            try txn.put(
                [], forKey: Ledger.statusKey(other, Array("INC-1".utf8)),
                in: test.ledger.incidentsByStatus)
            _ = try txn.delete(Array("INC-2".utf8), in: test.ledger.incidentFacts)
        }
        #expect(try test.ledger.derivedProjectionDifferences() == ["INC-1", "INC-2"])

        _ = try test.ledger.rebuild()
        #expect(try test.ledger.derivedProjectionDifferences() == [])
        let processes = try test.ledger.facts(asOf: nil).map(\.process)
        #expect(processes == ["nightly-export", "nightly-export"])
    }

    @Test("rebuild --check reports a kept incident the log does not have")
    func checkReportsExtraProjection() throws {
        let test = try TestLedger()
        try test.append(Self.history())
        let ghost = try #require(try test.ledger.state(of: "INC-2"))
        try test.ledger.environment.write { txn in
            try txn.put(ghost.encoded(), forKey: Array("INC-9".utf8), in: test.ledger.incidents)
        }
        #expect(try test.ledger.rebuild(check: true).differing == ["INC-9"])
    }

    @Test("a rebuild removes a kept incident the log does not have, all else being right")
    func rebuildRemovesOnlyAnExtraProjection() throws {
        let test = try TestLedger()
        try test.append(Self.history())
        let before = try test.ledger.states(asOf: nil).map { $0.encoded() }
        let ghost = try #require(try test.ledger.state(of: "INC-2"))
        try test.ledger.environment.write { txn in
            try txn.put(ghost.encoded(), forKey: Array("INC-9".utf8), in: test.ledger.incidents)
        }
        // Every folded state matches what is kept, so the fold lets them go; the
        // extra one still has to be found and removed.
        #expect(try test.ledger.rebuild().incidents == 2)
        #expect(try test.ledger.state(of: "INC-9") == nil)
        #expect(try test.ledger.states(asOf: nil).map { $0.encoded() } == before)
        #expect(try test.ledger.rebuild(check: true).differing.isEmpty)
    }

    @Test("as of a position before a correction, the correction does not apply")
    func asOfBeforeAndAfterCorrection() throws {
        let test = try TestLedger()
        try test.append(Self.history())

        let before = try #require(try test.ledger.state(of: "INC-1", asOf: .position(5)))
        #expect(before.firstAcknowledgedAt?.text == time(10))
        #expect(before.status == .open)
        #expect(before.correctionCount == 0)
        #expect(before.lastPosition == 5)

        let after = try #require(try test.ledger.state(of: "INC-1", asOf: .position(6)))
        #expect(after.firstAcknowledgedAt?.text == time(3))
        #expect(after.correctionCount == 1)

        let atStart = try test.ledger.state(of: "INC-2", asOf: .position(2))
        #expect(atStart == nil)
        let all = try test.ledger.states(asOf: .position(4))
        #expect(all.map(\.incident).sorted() == ["INC-1", "INC-2"])
        #expect(all.first { $0.incident == "INC-1" }?.status == .resolved)
    }

    @Test("as of a recorded time finds the last record appended by then")
    func asOfRecordedTime() throws {
        let test = try TestLedger()
        let lines = Self.history()
        test.ledger.clock = { 1_772_442_000_000_000 }  // 2026-03-02T09:00:00Z
        try test.append(Array(lines[0..<3]))
        test.ledger.clock = { 1_772_445_600_000_000 }  // 10:00:00Z
        try test.append(Array(lines[3...]))

        let early = try Timestamp(parsing: "2026-03-02T09:30:00Z")
        let states = try test.ledger.states(asOf: .recorded(early))
        #expect(states.count == 2)
        #expect(states.allSatisfy { $0.status == .open })
        let beforeAll = try Timestamp(parsing: "2026-03-02T08:00:00Z")
        #expect(try test.ledger.states(asOf: .recorded(beforeAll)).isEmpty)
        let later = try Timestamp(parsing: "2026-03-02T11:00:00Z")
        let now = try test.ledger.states(asOf: .recorded(later))
        #expect(now.first { $0.incident == "INC-1" }?.status == .resolved)
    }

    @Test("projections kept in an older layout are rebuilt when the ledger is next opened")
    func olderLayoutIsRebuilt() throws {
        let test = try TestLedger()
        try test.append(Self.history())
        try test.ledger.environment.write { txn in
            try txn.put(Array("0".utf8), forKey: Ledger.projectionVersionKey, in: test.ledger.meta)
            try txn.put([0, 1, 2], forKey: Array("INC-1".utf8), in: test.ledger.incidents)
        }
        #expect(throws: LedgerError.self) { try Ledger(path: test.path, access: .readOnly) }

        let reopened = try Ledger(path: test.path, access: .readWrite)

        #expect(try reopened.state(of: "INC-1")?.reopenCount == 1)
        #expect(try reopened.rebuild(check: true).differing == [])
        let version = try reopened.environment.read { txn in
            try txn.value(in: reopened.meta, forKey: Ledger.projectionVersionKey)
        }
        #expect(version == Ledger.projectionVersion)
    }
}

@Suite("The status index beside the kept states")
struct StatusIndexTests {
    @Test("appends move incidents between statuses in the index, as a rebuild would")
    func indexFollowsAppends() throws {
        let test = try TestLedger()
        try test.append(ProjectionRebuildTests.history())
        let open = try test.ledger.states(asOf: nil, statuses: [.open])
        #expect(open.map(\.incident) == ["INC-2"])
        let resolved = try test.ledger.states(asOf: nil, statuses: [.resolved])
        #expect(resolved.map(\.incident) == ["INC-1"])

        try test.append(eventLine("closed", "INC-1", at: time(70)))
        #expect(try test.ledger.states(asOf: nil, statuses: [.resolved]).isEmpty)
        #expect(
            try test.ledger.states(asOf: nil, statuses: [.closed]).map(\.incident) == ["INC-1"])

        _ = try test.ledger.rebuild()
        #expect(
            try test.ledger.states(asOf: nil, statuses: [.open, .closed]).map(\.incident).sorted()
                == ["INC-1", "INC-2"])
    }
}
