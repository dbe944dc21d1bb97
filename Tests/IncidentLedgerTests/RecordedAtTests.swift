import Testing

@testable import IncidentLedger

@Suite("Recording time")
struct RecordedAtTests {
    @Test("recordedAt is the ledger's clock in UTC with 6 fraction digits and recordedBy the user")
    func recordedAtFromClock() throws {
        let test = try TestLedger()
        test.ledger.clock = { 1_772_442_843_000_001 }

        try test.append(detectedLine())

        let record = try #require(try test.ledger.history(of: "INC-1").first)
        #expect(record.recordedAt.text == "2026-03-02T09:14:03.000001Z")
        #expect(record.recordedBy == Ledger.currentUser())
    }

    @Test("every record of one batch has the same recordedAt")
    func batchSharesRecordedAt() throws {
        let test = try TestLedger()
        var ticks: Int64 = 1_772_442_843_000_000
        test.ledger.clock = {
            ticks += 1_000_000
            return ticks
        }

        try test.append(detectedLine(), eventLine("acknowledged", at: time(1)))

        let times = try test.ledger.history(of: "INC-1").map(\.recordedAt.text)
        #expect(times == ["2026-03-02T09:14:04.000000Z", "2026-03-02T09:14:04.000000Z"])
    }

    @Test("recordedAt never goes backwards when the clock does")
    func recordedAtNeverGoesBackwards() throws {
        let test = try TestLedger()
        try test.append(detectedLine())
        test.ledger.clock = { TestLedger.clockMicroseconds - 3_600_000_000 }

        try test.append(eventLine("acknowledged", at: time(1)))

        let times = try test.ledger.history(of: "INC-1").map(\.recordedAt.text)
        #expect(times == [TestLedger.recordedAtText, TestLedger.recordedAtText])
        #expect(try test.ledger.head().recordedAt?.text == TestLedger.recordedAtText)
        #expect(try test.ledger.verify().isIntact)
    }

    @Test("recordedAt follows the clock forward again after it stood still")
    func recordedAtMovesForward() throws {
        let test = try TestLedger()
        try test.append(detectedLine())
        test.ledger.clock = { 0 }
        try test.append(eventLine("acknowledged", at: time(1)))
        test.ledger.clock = { TestLedger.clockMicroseconds + 1 }

        try test.append(eventLine("resolved", at: time(2)))

        let times = try test.ledger.history(of: "INC-1").map(\.recordedAt.text)
        #expect(
            times == [
                TestLedger.recordedAtText, TestLedger.recordedAtText,
                "2026-03-02T09:14:03.512001Z",
            ])
    }
}
