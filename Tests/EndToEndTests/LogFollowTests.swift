import Foundation
import Testing

/// A running `incidents log --follow`, its output collected as it arrives.
final class Follower: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var output = Data()
    private let finished = DispatchSemaphore(value: 0)

    /// Starts `incidents` with `arguments`, reading its standard output on a thread.
    init(_ arguments: [String]) throws {
        process.executableURL = CLIHarness.executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()

        let reader = pipe.fileHandleForReading
        Thread.detachNewThread { [self] in
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                lock.withLock { output.append(chunk) }
            }
            finished.signal()
        }
    }

    /// The complete lines printed so far.
    var lines: [String] {
        let text = lock.withLock { String(decoding: output, as: UTF8.self) }
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            .map(String.init)
    }

    /// Waits until at least `count` complete lines have been printed.
    /// - Returns: The lines printed by then.
    func waitForLines(_ count: Int, seconds: Double = 60) async throws -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        while lines.count < count, Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        return lines
    }

    /// Sends `signal`, waits for the process to end and its output to be read.
    ///
    /// A process still running after 30 seconds is killed, so a follower that ignores the
    /// signal fails the test (with status 137) instead of hanging it.
    /// - Returns: The exit status, or 128 plus the signal when a signal ended it.
    func stop(_ signal: Int32) -> Int32 {
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < deadline {
            usleep(10_000)
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        finished.wait()
        let status = process.terminationStatus
        return process.terminationReason == .uncaughtSignal ? 128 + status : status
    }
}

@Suite("log --follow: a live tail that a consumer can resume")
struct LogFollowTests {
    /// The position in one stored record's JSON.
    static func position(_ line: String) throws -> Int {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        return try #require(object?["position"] as? Int)
    }

    @Test("a follower stopped and resumed with --from misses nothing and repeats nothing")
    func resumeAfterKill() async throws {
        let harness = try CLIHarness()
        #expect(try harness.run(["init"]).status == 0)
        let detect = ["--title", "Export failed", "--process", "p", "--severity", "SEV3"]
        #expect(try harness.run(["detect", "INC-1"] + detect).status == 0)
        #expect(try harness.run(["ack", "INC-1"]).status == 0)
        #expect(try harness.run(["note", "INC-1", "--text", "looking"]).status == 0)

        let first = try Follower([
            "log", "--follow", "--json", "--after", "3", "--ledger", harness.ledger,
        ])
        let note = eventLine("INC-1", "note", "2026-03-02T09:20:00Z", data: #"{"text":"a"}"#)
        #expect(try harness.run(["record", note]).status == 0)
        let batch = [
            eventLine("INC-2", "detected", "2026-03-02T09:14:00Z", data: detectedData()),
            eventLine("INC-2", "acknowledged", "2026-03-02T09:15:00Z"),
            eventLine("INC-3", "detected", "2026-03-02T09:16:00Z", data: detectedData()),
        ]
        let batchFile = try harness.file("batch.ndjson", batch.joined(separator: "\n"))
        #expect(try harness.run(["import", batchFile]).status == 0)
        #expect(try harness.run(["resolve", "INC-2", "--summary", "fixed"]).status == 0)

        let seenFirst = try await first.waitForLines(5)
        #expect(first.stop(SIGTERM) == 0)
        #expect(try seenFirst.map(Self.position) == [4, 5, 6, 7, 8])
        #expect(first.lines == seenFirst)

        // Written while nobody follows.
        let more = [
            eventLine("INC-4", "detected", "2026-03-02T10:00:00Z", data: detectedData()),
            eventLine("INC-4", "acknowledged", "2026-03-02T10:01:00Z"),
        ]
        let moreFile = try harness.file("more.ndjson", more.joined(separator: "\n"))
        #expect(try harness.run(["import", moreFile]).status == 0)

        let last = try Self.position(try #require(seenFirst.last))
        // Resumed as issue 7 says: --from and the last position seen.
        let second = try Follower([
            "log", "--follow", "--json", "--from", "\(last)", "--ledger", harness.ledger,
        ])
        _ = try await second.waitForLines(2)
        #expect(try harness.run(["ack", "INC-3"]).status == 0)
        let seenSecond = try await second.waitForLines(3)
        #expect(second.stop(SIGINT) == 0)
        #expect(try seenSecond.map(Self.position) == [9, 10, 11])

        let whole = try harness.run(["log", "--json"]).stdout
        let wholeLines = whole.split(separator: "\n").map(String.init)
        #expect(Array(wholeLines.prefix(3)) + seenFirst + seenSecond == wholeLines)
    }

    @Test("by default a follower starts after the head, in the table view, with filters")
    func followsFromTheHead() async throws {
        let harness = try CLIHarness()
        let detect = ["--title", "Export failed", "--process", "p", "--severity", "SEV3"]
        #expect(try harness.run(["detect", "INC-1"] + detect).status == 0)
        #expect(try harness.run(["note", "INC-1", "--text", "old"]).status == 0)

        let follower = try Follower([
            "log", "--follow", "--type", "note", "--ledger", harness.ledger,
        ])
        // The header is printed once the starting position is fixed.
        let header = try await follower.waitForLines(1)
        #expect(header.first?.hasPrefix("POS") == true)
        #expect(try harness.run(["ack", "INC-1"]).status == 0)
        #expect(try harness.run(["note", "INC-1", "--text", "new"]).status == 0)
        let seen = try await follower.waitForLines(2)
        #expect(follower.stop(SIGTERM) == 0)

        #expect(seen.count == 2)
        let row = seen.count == 2 ? seen[1] : ""
        #expect(row.hasPrefix("4 "))
        #expect(row.contains(" note "))
        #expect(row.hasSuffix("text=new"))
    }

    @Test("with --follow, --from resumes after that position, then prints what is appended")
    func followFromAPosition() async throws {
        let harness = try CLIHarness()
        let detect = ["--title", "Export failed", "--process", "p", "--severity", "SEV3"]
        #expect(try harness.run(["detect", "INC-1"] + detect).status == 0)
        #expect(try harness.run(["ack", "INC-1"]).status == 0)
        #expect(try harness.run(["note", "INC-1", "--text", "x"]).status == 0)

        let follower = try Follower([
            "log", "--follow", "--json", "--from", "1", "--ledger", harness.ledger,
        ])
        _ = try await follower.waitForLines(2)
        #expect(try harness.run(["note", "INC-1", "--text", "y"]).status == 0)
        let seen = try await follower.waitForLines(3)
        #expect(follower.stop(SIGINT) == 0)
        #expect(try seen.map(Self.position) == [2, 3, 4])

        // Without --follow, --from is where the listing starts.
        let listed = try harness.run(["log", "--json", "--from", "2"])
        #expect(
            try listed.stdout.split(separator: "\n").map { try Self.position(String($0)) }
                == [2, 3, 4])
    }

    @Test("--after without --follow prints what comes after the position, then ends")
    func afterWithoutFollow() throws {
        let harness = try CLIHarness()
        let detect = ["--title", "Export failed", "--process", "p", "--severity", "SEV3"]
        #expect(try harness.run(["detect", "INC-1"] + detect).status == 0)
        #expect(try harness.run(["ack", "INC-1"]).status == 0)
        #expect(try harness.run(["note", "INC-1", "--text", "x"]).status == 0)

        let after = try harness.run(["log", "--json", "--after", "1"])
        #expect(after.status == 0)
        let lines = after.stdout.split(separator: "\n").map(String.init)
        #expect(try lines.map(Self.position) == [2, 3])
        let whole = try harness.run(["log", "--json"]).stdout.split(separator: "\n")
        #expect(lines == whole.dropFirst().map(String.init))

        let pastTheEnd = try harness.run(["log", "--json", "--after", "\(UInt64.max)"])
        #expect(pastTheEnd.status == 0)
        #expect(pastTheEnd.stdout.isEmpty)
    }

    @Test("--from and --after together are a usage error")
    func fromAndAfterConflict() throws {
        let harness = try CLIHarness()
        #expect(try harness.run(["init"]).status == 0)
        let outcome = try harness.run(["log", "--follow", "--from", "1", "--after", "1"])
        #expect(outcome.status == 64)
        #expect(outcome.stderr.hasPrefix("incidents log: give '--from' or '--after', not both"))
    }
}
