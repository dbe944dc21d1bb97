import Glibc
import IncidentLedger
import Interchange
import LedgerCrypto

/// Times the stages of an import on an NDJSON file, one stage added at a time, so
/// that the cost of each can be read off: split lines, parse JSON, decode and check
/// events, encode canonical records, hash them. Prints nanoseconds per event.
///
/// Times are CPU time of the process, so that other work on the machine disturbs
/// them less than it would wall-clock time.
///
/// Usage: ledger-microbench FILE [STAGE]  (STAGE: run only the stage so named)
func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

guard (2...3).contains(CommandLine.arguments.count) else { exit(64) }
let onlyStage = CommandLine.arguments.count == 3 ? CommandLine.arguments[2] : nil
let descriptor = open(CommandLine.arguments[1], O_RDONLY)
guard descriptor >= 0 else { exit(66) }
var input: [UInt8] = []
var chunk = [UInt8](repeating: 0, count: 1 << 20)
while true {
    let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
    if count <= 0 { break }
    input.append(contentsOf: chunk[0..<count])
}

func stage(_ name: String, _ body: () throws -> Int) rethrows {
    if let onlyStage, onlyStage != name { return }
    let start = now()
    let count = try body()
    let elapsed = now() - start
    print("\(name): \(Int(elapsed * 1e9 / Double(max(count, 1)))) ns/event (\(elapsed) s)")
}

let lines = NDJSONLines(input)
stage("split") { NDJSONLines(input).count }
try stage("parse") {
    for index in 0..<lines.count { _ = try JSONDocument(parsing: input[lines[index].range]) }
    return lines.count
}
try stage("decode") {
    for index in 0..<lines.count { _ = try EventDecoder.decodeEvent(input[lines[index].range]) }
    return lines.count
}
let hasher = try SHA256Hasher()
try stage("decode+encode+hash") {
    var encoder = RecordEncoder()
    var prev = SHA256Digest.zero
    let at = Timestamp(utcNanoseconds: 1_700_000_000_000_000_000, fractionDigits: 6)
    for index in 0..<lines.count {
        let event = try EventDecoder.decodeEvent(input[lines[index].range])
        let record = Record(
            position: UInt64(index + 1), prev: prev, recordedAt: at, recordedBy: "bench",
            event: event)
        prev = hasher.digest(encoder.encode(record))
    }
    return lines.count
}
