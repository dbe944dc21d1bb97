import Foundation
import Glibc
import LedgerStorage
import Testing

/// Runs each worker on a thread of its own, all at once, and gathers the problems
/// they report. (Tasks would share the cooperative pool, one thread per core, and
/// so run only as many processes at a time as there are cores.)
func runAtOnce(_ workers: [@Sendable () throws -> [String]]) -> [String] {
    final class Problems: @unchecked Sendable {
        let lock = NSLock()
        var all: [String] = []
        func add(_ more: [String]) { lock.withLock { all += more } }
    }
    let problems = Problems()
    let group = DispatchGroup()
    for worker in workers {
        group.enter()
        let thread = Thread {
            do {
                problems.add(try worker())
            } catch {
                problems.add(["worker threw: \(error)"])
            }
            group.leave()
        }
        thread.start()
    }
    group.wait()
    return problems.all
}

/// The records of `log --json` output as (position, incident) pairs, in order.
func loggedRecords(_ ndjson: String) -> [(position: Int, incident: String)] {
    ndjson.split(separator: "\n").compactMap { line in
        guard
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8))
                as? [String: Any],
            let position = object["position"] as? Int
        else { return nil }
        return (position, object["incident"] as? String ?? "-")
    }
}

@Suite("Many processes at once, and readers that die")
struct ConcurrentAccessTests {
    static let importers = 4
    static let importsEach = 8
    /// Events in each import: one incident, detected, then notes.
    static let importSize = 40
    static let recorders = 4
    static let recordsEach = 15
    /// Events in each `record`: one incident, detected, acknowledged and noted.
    static let recordSize = 3
    static let exports = 3

    /// The NDJSON of one import: incident `incident`, detected and noted.
    static func importFile(_ incident: String) -> String {
        var lines = [eventLine(incident, "detected", "2026-03-02T09:14:00Z", data: detectedData())]
        for note in 1..<importSize {
            lines.append(
                eventLine(incident, "note", "2026-03-02T09:15:00Z", data: #"{"text":"n\#(note)"}"#))
        }
        return lines.joined(separator: "\n")
    }

    /// Problems in one reader's snapshot: a gap, or an incident seen in part.
    static func halfSeen(_ records: [(position: Int, incident: String)]) -> [String] {
        var problems: [String] = []
        if records.map(\.position) != Array(1..<(records.count + 1)) {
            problems.append("a snapshot's positions are not 1...\(records.count)")
        }
        var counts: [String: Int] = [:]
        for record in records { counts[record.incident, default: 0] += 1 }
        for (incident, count) in counts where incident != "-" {
            let whole = incident.hasPrefix("IMP-") ? importSize : recordSize
            if count != whole { problems.append("\(incident): \(count) of \(whole) events seen") }
        }
        return problems
    }

    @Test("8 writers, readers, exports and rebuilds at once: nothing lost, doubled or half seen")
    func writersReadersExportsAndRebuildsAtOnce() throws {
        let harness = try CLIHarness()
        #expect(try harness.run(["init"]).status == 0)
        for writer in 0..<Self.importers {
            for batch in 0..<Self.importsEach {
                _ = try harness.file(
                    "w\(writer)-\(batch).ndjson", Self.importFile("IMP-\(writer)-\(batch)"))
            }
        }

        var workers: [@Sendable () throws -> [String]] = []
        for writer in 0..<Self.importers {
            workers.append {
                (0..<Self.importsEach).flatMap { batch -> [String] in
                    let file = harness.directory.appendingPathComponent(
                        "w\(writer)-\(batch).ndjson")
                    let outcome = try? harness.run(["import", file.path])
                    return outcome?.status == 0 ? [] : ["import: \(outcome?.stderr ?? "")"]
                }
            }
        }
        for recorder in 0..<Self.recorders {
            workers.append {
                (0..<Self.recordsEach).flatMap { index -> [String] in
                    let incident = "REC-\(recorder)-\(index)"
                    let outcome = try? harness.run([
                        "record",
                        eventLine(
                            incident, "detected", "2026-03-02T09:14:00Z", data: detectedData()),
                        eventLine(incident, "acknowledged", "2026-03-02T09:15:00Z"),
                        eventLine(incident, "note", "2026-03-02T09:16:00Z", data: #"{"text":"x"}"#),
                    ])
                    return outcome?.status == 0 ? [] : ["record: \(outcome?.stderr ?? "")"]
                }
            }
        }
        for _ in 0..<2 {
            workers.append {
                (0..<12).flatMap { _ -> [String] in
                    guard let outcome = try? harness.run(["log", "--json"]), outcome.status == 0
                    else { return ["log failed"] }
                    return Self.halfSeen(loggedRecords(outcome.stdout))
                }
            }
        }
        workers.append {
            (0..<10).flatMap { _ -> [String] in
                let list = try? harness.run(["list", "--json"])
                let show = try? harness.run(["show", "REC-0-0", "--json"])
                var problems = list?.status == 0 ? [] : ["list: \(list?.stderr ?? "")"]
                // Once REC-0-0 is seen, its record of three events is seen whole.
                if show?.status == 0, show?.stdout.contains(#""eventCount":3,"#) != true {
                    problems.append("show saw REC-0-0 without all 3 of its events")
                }
                return problems
            }
        }
        workers.append {
            (0..<Self.exports).flatMap { index -> [String] in
                let output = harness.directory.appendingPathComponent("export-\(index).ndjson")
                let outcome = try? harness.run(["export", "--format", "ndjson", "-o", output.path])
                return outcome?.status == 0 ? [] : ["export: \(outcome?.stderr ?? "")"]
            }
        }
        workers.append {
            (0..<3).flatMap { _ -> [String] in
                let outcome = try? harness.run(["rebuild"])
                return outcome?.status == 0 ? [] : ["rebuild: \(outcome?.stderr ?? "")"]
            }
        }
        workers.append {
            (0..<5).flatMap { _ -> [String] in
                let outcome = try? harness.run(["verify"])
                return outcome?.status == 0 ? [] : ["verify: \(outcome?.stdout ?? "")"]
            }
        }
        #expect(workers.count == 14)
        let problems = runAtOnce(workers)
        #expect(problems.isEmpty, "\(problems)")

        let events =
            Self.importers * Self.importsEach * Self.importSize
            + Self.recorders * Self.recordsEach * Self.recordSize
        let expected = events + Self.exports
        let log = loggedRecords(try harness.run(["log", "--json"]).stdout)
        #expect(log.count == expected)
        #expect(Self.halfSeen(log).isEmpty)
        #expect(log.filter { $0.incident == "-" }.count == Self.exports)
        let verify = try harness.run(["verify", "--json"])
        #expect(verify.status == 0)
        #expect(verify.stdout.contains(#""records":\#(expected)"#))
        #expect(try harness.run(["rebuild", "--check"]).status == 0)
    }

    @Test("the slot of a reader killed mid-read is cleared when the next process opens the ledger")
    func staleReaderSlotIsReclaimed() throws {
        let harness = try CLIHarness()
        let lines = (1...2000).map { number in
            eventLine("INC-\(number)", "detected", "2026-03-02T09:14:00Z", data: detectedData())
        }
        let file = try harness.file("h.ndjson", lines.joined(separator: "\n"))
        try #require(try harness.run(["import", file]).status == 0)

        var options = Environment.Options()
        options.readOnly = true
        let environment = try Environment(path: harness.ledger, options: options)
        #expect(environment.readerProcesses().isEmpty)

        // A reader whose output nobody reads blocks inside its read transaction once the
        // pipe and its buffer are full: killed there, it leaves its slot behind.
        let reader = Process()
        reader.executableURL = CLIHarness.executable
        reader.arguments = ["log", "--json", "--ledger", harness.ledger]
        let unread = Pipe()
        reader.standardOutput = unread
        try reader.run()
        let pid = reader.processIdentifier
        var waited = 0
        while !environment.readerProcesses().contains(pid), waited < 200 {
            usleep(50_000)
            waited += 1
        }
        #expect(environment.readerProcesses() == [pid])
        usleep(200_000)
        #expect(reader.isRunning, "the reader should be blocked mid-read")

        kill(pid, SIGKILL)
        reader.waitUntilExit()
        #expect(reader.terminationReason == .uncaughtSignal)
        #expect(environment.readerProcesses() == [pid], "a killed reader's slot stays")

        let show = try harness.run(["show", "INC-7"])
        #expect(show.status == 0)
        #expect(environment.readerProcesses().isEmpty)
        try unread.fileHandleForReading.close()
    }
}
