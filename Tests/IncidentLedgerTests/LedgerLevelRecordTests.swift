import Interchange
import LedgerCrypto
import Testing

@testable import IncidentLedger

@Suite("Ledger-level exported records and the export's pieces")
struct LedgerLevelRecordTests {
    /// A ledger with two incidents, and the summary of an export of it.
    static func ledgerWithExport() throws -> (TestLedger, ExportSummary, UInt64) {
        let test = try TestLedger()
        try test.append(
            detectedLine("INC-1", id: eventID(1)), eventLine("acknowledged", at: time(5)),
            detectedLine("INC-2", at: time(10)))
        let files = try test.ledger.makeExport(
            ExportSelection(), format: .ndjson, file: "audit.ndjson")
        let at = Timestamp(utcNanoseconds: TestLedger.clockMicroseconds * 1000, fractionDigits: 6)
        let position = try test.ledger.recordExport(files.summary, at: at)
        return (test, files.summary, position)
    }

    @Test("an exported record has no incident key and reads back to the same bytes")
    func exportedRecordRoundTrips() throws {
        let (test, summary, position) = try Self.ledgerWithExport()
        #expect(position == 4)
        let text = try #require(try test.recordText(at: 4))
        let head = summary.head
        let previous = try #require(try test.recordText(at: 3))
        let id = try readID(text)
        #expect(
            text
                == #"{"actor":"\#(Ledger.currentUser())","at":"\#(TestLedger.recordedAtText)","#
                + #""data":{"count":3,"file":"audit.ndjson","filters":{},"format":"ndjson","#
                + #""headRoot":"\#(head.root.hex)","headSize":3,"#
                + #""sha256":"\#(summary.sha256.hex)"},"#
                + #""id":"\#(id)","position":4,"#
                + #""prev":"\#(try sha256Hex(Array(previous.utf8)))","#
                + #""recordedAt":"\#(TestLedger.recordedAtText)","#
                + #""recordedBy":"\#(Ledger.currentUser())","type":"exported"}"#)

        let record = try EventDecoder.decodeRecord(Array(text.utf8)[...])
        #expect(record.event.type == .exported)
        #expect(summary.matches(record.event.data))
        var encoder = RecordEncoder()
        #expect(encoder.encode(record) == Array(text.utf8))
        #expect(try test.ledger.verify().isIntact)
    }

    @Test("projections, the incident index and rebuild pass over an exported record")
    func projectionsIgnoreExportedRecords() throws {
        let (test, _, _) = try Self.ledgerWithExport()
        let states = try test.ledger.states(asOf: nil).map(\.incident).sorted()
        #expect(states == ["INC-1", "INC-2"])
        #expect(try test.ledger.state(of: "INC-1")?.eventCount == 2)
        #expect(try test.ledger.states(asOf: .position(4)).count == 2)
        let check = try test.ledger.rebuild(check: true)
        #expect(check.records == 4)
        #expect(check.incidents == 2)
        #expect(check.differing.isEmpty)
        #expect(check.treeIntact)
    }

    @Test("input naming the exported type is refused, with or without an incident")
    func exportedTypeIsNotInput() throws {
        let test = try TestLedger()
        let line =
            #"{"incident":"INC-1","type":"exported","at":"2026-03-02T09:00:00Z","#
            + #""actor":"a","data":{}}"#
        let refusal = try #require(test.refusals([line]).first)
        #expect(refusal.field == "type")
        #expect(refusal.message.contains("written only by the ledger itself"))

        let built = Event(
            id: EventID.random(), incident: "", type: .exported,
            at: try Timestamp(parsing: "2026-03-02T09:00:00Z"), actor: "a", data: EventData())
        #expect(throws: LedgerError.self) {
            try test.ledger.append(EventBatch(events: [built]))
        }
        #expect(try test.ledger.head().position == 0)
    }

    @Test("an exported record whose id is already used is refused, the ledger unchanged")
    func exportedRecordWithUsedIDIsRefused() throws {
        let (test, _, position) = try Self.ledgerWithExport()
        let stored = try #require(try test.ledger.recordBytes(at: position))
        let exported = try EventDecoder.decodeRecord(stored[...]).event
        var options = AppendOptions()
        options.acceptsLedgerLevel = true

        #expect {
            try test.ledger.append(EventBatch(events: [exported]), options: options)
        } throws: { error in
            guard case LedgerError.invalidInput(let refusals) = error else { return false }
            return refusals.map(\.field) == ["id"]
                && refusals[0].message.contains("is already used by another event")
        }
        #expect(try test.ledger.head().position == position)
    }

    @Test("a stored exported record with an incident key is not a record")
    func exportedRecordWithIncidentIsRefused() throws {
        let (test, _, _) = try Self.ledgerWithExport()
        let text = try #require(try test.recordText(at: 4))
        let withIncident = text.replacingOccurrences(
            of: #","position":"#, with: #","incident":"INC-1","position":"#)
        #expect(throws: EventError(field: "incident", "a ledger-level record has no incident")) {
            try EventDecoder.decodeRecord(Array(withIncident.utf8)[...])
        }
    }

    @Test("a correction may not name an exported record")
    func correctionOfExportedRecordIsRefused() throws {
        let (test, _, _) = try Self.ledgerWithExport()
        let exportedID = try readID(try #require(try test.recordText(at: 4)))
        let line = eventLine(
            "corrected", "INC-1", at: time(20),
            data: ["event": .string(exportedID), "reason": "typo", "at": .string(time(1))])
        let refusal = try #require(test.refusals([line]).first)
        #expect(refusal.field == "data.event")
        #expect(refusal.message.contains("is a ledger-level exported record"))
    }

    @Test("every inclusion proof of an export leads to its head's root")
    func exportProofsCheck() throws {
        let test = try TestLedger()
        try test.append((0..<7).map { detectedLine("INC-\($0)", at: time($0)) })
        let files = try test.ledger.makeExport(
            ExportSelection(), format: .ndjson, file: "audit.ndjson")
        let head = files.summary.head
        #expect(head.root == (try test.ledger.treeHead(size: 7)).root)
        let records = files.contents.split(separator: 0x0A)
        let proofs = try #require(files.proofs).split(separator: 0x0A).map {
            try #require(ExportProof(parsing: Array($0)))
        }
        #expect(proofs.map(\.position) == Array(1...7))
        let hasher = try SHA256Hasher()
        for (record, proof) in zip(records, proofs) {
            let leaf = Array(record).withUnsafeBytes {
                MerkleTree<NoHashes>.leafHash($0, hasher: hasher)
            }
            #expect(proof.leaf == leaf)
            let root = InclusionCheck.root(
                index: proof.position - 1, size: 7, leaf: leaf, proof: proof.hashes,
                hasher: hasher)
            #expect(root == head.root)
            var wrong = proof.hashes
            wrong.swapAt(0, wrong.count - 1)
            #expect(
                InclusionCheck.root(
                    index: proof.position - 1, size: 7, leaf: leaf, proof: wrong, hasher: hasher)
                    != head.root)
        }
    }

    @Test("CSV lines are quoted as RFC 4180 says and read back")
    func csvRoundTrip() throws {
        let fields = ["plain", "a,b", "say \"hi\"", "two\r\nlines", ""]
        let line = ExportCSV.line(fields)
        #expect(
            String(decoding: line, as: UTF8.self)
                == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\",\r\n")
        let rows = try ExportCSV.rows(line + ExportCSV.line(["x"]))
        #expect(rows.map(\.fields) == [fields, ["x"]])
        #expect(rows.map(\.line) == [1, 3])
    }

    @Test("a manifest reads back to itself")
    func manifestRoundTrips() throws {
        let (_, summary, position) = try Self.ledgerWithExport()
        var manifest = ExportManifest(
            summary: summary, proofs: ("audit.ndjson.proofs.ndjson", summary.sha256),
            exportedBy: "alice",
            exportedAt: try Timestamp(parsing: "2026-03-02T09:14:03.512000Z"))
        manifest.recordPosition = position
        let again = try ExportManifest(parsing: manifest.encoded())
        #expect(again == manifest)
        #expect(again.recordPosition == 4)

        manifest.recordPosition = nil
        manifest.notRecordedBecause = "read-only"
        manifest.headSignature = Array(#"{"key":"k"}"#.utf8)
        let encoded = manifest.encoded()
        #expect(String(decoding: encoded, as: UTF8.self).contains(#""signature":{"key":"k"},"#))
        #expect(try ExportManifest(parsing: encoded) == manifest)
    }

    private func readID(_ text: String) throws -> String {
        let start = try #require(text.range(of: #""id":""#)).upperBound
        return String(text[start...].prefix(36))
    }
}
