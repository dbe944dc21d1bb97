import Testing

@testable import IncidentLedger

@Suite("Durability of commits")
struct DurabilityTests {
    @Test("a ledger opened for writing syncs every commit to disk")
    func ledgerCommitsAreSynced() throws {
        let test = try TestLedger()
        try test.append(detectedLine("INC-1"))
        #expect(test.ledger.environment.isDurable)
        #expect(try test.ledger.head().position == 1)
    }
}
