import Foundation
import LedgerStorage
import Testing

@testable import IncidentLedger

/// Fills a new ledger at `path` with one incident per batch (each titled
/// `Title-Marker-<n>`), then closes it.
/// - Returns: The head after the last append.
private func makeLedger(at path: String, incidents: Int) throws -> Head {
    let ledger = try Ledger(path: path, access: .readWrite, create: true)
    for number in 1...incidents {
        _ = try ledger.append(
            .ndjson(ndjson([detectedLine("INC-\(number)", title: "Title-Marker-\(number)")])))
    }
    return try ledger.head()
}

/// Replaces one byte of `marker` in the ledger's data file, trying each copy of the
/// marker in turn until the one the current tree reads is found: LMDB writes pages
/// copy-on-write, so older copies of a record's page may remain in the file unused.
/// - Returns: What `verify` reports once the damage shows, or nil if no copy did.
private func damage(
    ledgerAt path: String, marker: String, byteIndex: Int, with replacement: UInt8
) throws -> VerifyResult? {
    let dataFile = path + "/data.mdb"
    let original = try fileBytes(dataFile)
    for offset in offsets(of: Array(marker.utf8), in: original) {
        let target = offset + byteIndex
        try overwriteByte(in: dataFile, at: target, with: replacement)
        let result = try Ledger(path: path, access: .readOnly).verify()
        if !result.isIntact { return result }
        try overwriteByte(in: dataFile, at: target, with: original[target])
    }
    return nil
}

@Suite("Verification")
struct VerifyTests {
    @Test("an empty ledger verifies as intact with no records")
    func emptyLedgerIsIntact() throws {
        let test = try TestLedger()

        let result = try test.ledger.verify()

        #expect(result.isIntact)
        #expect(result.records == 0)
        #expect(result.head == Head.empty)
    }

    @Test("a ledger with records verifies as intact, with the head the ledger reports")
    func ledgerWithRecordsIsIntact() throws {
        let test = try TestLedger()
        try test.append(detectedLine("INC-1"), detectedLine("INC-2"))
        try test.append(eventLine("acknowledged", "INC-1", at: time(1)))
        try test.append(eventLine("resolved", "INC-2", at: time(2)))

        let result = try test.ledger.verify()

        #expect(result.isIntact)
        #expect(result.firstBad == nil)
        #expect(result.records == 4)
        #expect(result.head == (try test.ledger.head()))
        #expect(
            result.head.hash.hex
                == (try sha256Hex(try #require(try test.ledger.recordBytes(at: 4)))))
    }

    @Test("progress is reported with the total at the end of a verification")
    func verifyReportsProgress() throws {
        let test = try TestLedger()
        try test.append(detectedLine("INC-1"), detectedLine("INC-2"))
        var calls: [[UInt64]] = []

        _ = try test.ledger.verify { done, total in calls.append([done, total]) }

        #expect(calls.last == [2, 2])
    }

    @Test("a changed character in a middle record breaks the chain at the next record")
    func damagedMiddleRecordIsFound() throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/ledger"
        let head = try makeLedger(at: path, incidents: 5)
        #expect(try Ledger(path: path, access: .readOnly).verify().isIntact)

        let result = try #require(
            try damage(
                ledgerAt: path, marker: "Title-Marker-3", byteIndex: 0, with: UInt8(ascii: "S")))

        #expect(result.firstBad?.position == 4)
        #expect(result.firstBad?.reason == "prev does not match the hash of record 3")
        #expect(result.records == 3)
        #expect(head.position == 5)
    }

    @Test("a changed character in the last record is caught by the head kept with the log")
    func damagedLastRecordIsFound() throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/ledger"
        _ = try makeLedger(at: path, incidents: 4)

        let result = try #require(
            try damage(
                ledgerAt: path, marker: "Title-Marker-4", byteIndex: 0, with: UInt8(ascii: "S")))

        #expect(result.firstBad?.position == 4)
        #expect(
            result.firstBad?.reason
                == "the last record's hash differs from the head kept with the log")
    }

    @Test("a record claiming another position is reported at its own position")
    func changedPositionIsFound() throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/ledger"
        _ = try makeLedger(at: path, incidents: 4)

        let result = try #require(
            try damage(
                ledgerAt: path, marker: "\"position\":2,", byteIndex: 11, with: UInt8(ascii: "7")))

        #expect(result.firstBad?.position == 2)
        #expect(result.firstBad?.reason == "its position field is not 2")
    }

    @Test("a record that is no longer valid JSON is reported as such")
    func brokenJSONIsFound() throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/ledger"
        _ = try makeLedger(at: path, incidents: 3)

        let result = try #require(
            try damage(
                ledgerAt: path, marker: "Title-Marker-2\"", byteIndex: 14, with: UInt8(ascii: "x")))

        #expect(result.firstBad?.position == 2)
        #expect(
            result.firstBad?.reason.hasPrefix("not valid JSON: ") == true)
    }
}

/// Damage done through LMDB itself, as someone with write access to the files could.
@Suite("Verification of a ledger changed behind its back")
struct TamperTests {
    /// A ledger of `count` detected incidents, one per batch.
    private func filledLedger(_ count: Int) throws -> TestLedger {
        let test = try TestLedger()
        for number in 1...count {
            try test.append(detectedLine("INC-\(number)"))
        }
        return test
    }

    @Test("a removed middle record is reported as missing")
    func removedRecordIsMissing() throws {
        let test = try filledLedger(4)
        let ledger = test.ledger

        try ledger.environment.write { txn in
            _ = try txn.delete(bigEndianBytes(2), in: ledger.records)
        }

        let result = try ledger.verify()
        #expect(result.firstBad?.position == 2)
        #expect(result.firstBad?.reason == "record 2 is missing (next is 3)")
        #expect(result.records == 1)
    }

    @Test("a removed last record is caught by the head kept with the log")
    func truncatedLogIsCaught() throws {
        let test = try filledLedger(4)
        let ledger = test.ledger

        try ledger.environment.write { txn in
            _ = try txn.delete(bigEndianBytes(4), in: ledger.records)
        }

        let result = try ledger.verify()
        #expect(result.records == 3)
        #expect(result.firstBad?.position == 3)
        #expect(
            result.firstBad?.reason
                == "the last record's hash differs from the head kept with the log")
    }

    @Test("a removed kept head is reported")
    func missingHeadIsReported() throws {
        let test = try filledLedger(2)
        let ledger = test.ledger

        try ledger.environment.write { txn in
            _ = try txn.delete(Array("head".utf8), in: ledger.meta)
        }

        let result = try ledger.verify()
        #expect(result.firstBad?.position == 2)
        #expect(result.firstBad?.reason == "the head kept with the log is missing")
    }

    @Test("a record rewritten with the same content in another layout is not canonical")
    func nonCanonicalRecordIsCaught() throws {
        let test = try filledLedger(2)
        let ledger = test.ledger
        let original = try #require(try ledger.recordBytes(at: 1))
        let spaced = Array(
            String(decoding: original, as: UTF8.self)
                .replacingOccurrences(of: "\",\"", with: "\", \"").utf8)

        try ledger.environment.write { txn in
            try txn.put(spaced, forKey: bigEndianBytes(1), in: ledger.records)
        }

        let result = try ledger.verify()
        #expect(result.firstBad?.position == 1)
        #expect(result.firstBad?.reason == "the bytes are not in canonical form")
    }
}

@Suite("verify split among the cores")
struct SplitVerifyTests {
    /// A ledger of 40 incidents with 3 events each: 120 records.
    static func ledger() throws -> TestLedger {
        let test = try TestLedger()
        var lines: [String] = []
        for index in 1...40 {
            let incident = "INC-\(index)"
            lines.append(detectedLine(incident, at: time(index), title: "Title \(1000 + index)"))
            lines.append(eventLine("acknowledged", incident, at: time(index + 1)))
            lines.append(eventLine("note", incident, at: time(index + 2), data: ["text": "n"]))
        }
        try test.append(lines)
        return test
    }

    @Test("split into spans, an intact log verifies with the same head as unsplit")
    func intactAcrossSpans() throws {
        let test = try Self.ledger()
        let split = try test.ledger.verify(splittingFrom: 2, progress: nil)
        let whole = try test.ledger.verify(splittingFrom: 1_000_000, progress: nil)
        #expect(split.isIntact && whole.isIntact)
        #expect(split.records == 120)
        #expect(split.head == whole.head)
        #expect(split.head == (try test.ledger.head()))
    }

    @Test("a record changed in any span, or at a seam, is found at the same position")
    func tamperAcrossSpans() throws {
        for title in ["Title 1002", "Title 1020", "Title 1021", "Title 1039"] {
            let test = try Self.ledger()
            let path = test.dataFile
            let bytes = try fileBytes(path)
            var found = false
            for offset in offsets(of: Array(title.utf8), in: bytes) {
                try overwriteByte(in: path, at: offset, with: UInt8(ascii: "X"))
                let reopened = try Ledger(path: test.path, access: .readOnly)
                let whole = try reopened.verify(splittingFrom: 1_000_000, progress: nil)
                if whole.isIntact {
                    try overwriteByte(in: path, at: offset, with: UInt8(ascii: "T"))
                    continue
                }
                let split = try reopened.verify(splittingFrom: 2, progress: nil)
                #expect(split.firstBad?.position == whole.firstBad?.position, "\(title)")
                #expect(split.firstBad?.reason == whole.firstBad?.reason, "\(title)")
                #expect(split.records == whole.records, "\(title)")
                found = true
                break
            }
            #expect(found, "\(title) was not found in data.mdb")
        }
    }
}
