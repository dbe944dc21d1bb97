import Glibc
import LedgerStorage

/// The benchmark floor for `incidents import`: appends the lines of an NDJSON file,
/// unparsed and unchecked, to a bare LMDB environment in one transaction, keyed by
/// position like the ledger's records, and prints the seconds it took.
///
/// Usage: lmdb-append-floor FILE DIR
let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    let message = "usage: lmdb-append-floor FILE DIR\n"
    _ = message.withCString { write(2, $0, strlen($0)) }
    exit(64)
}

func seconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

let start = seconds()
let descriptor = open(arguments[1], O_RDONLY)
guard descriptor >= 0 else { exit(66) }
var input: [UInt8] = []
var chunk = [UInt8](repeating: 0, count: 1 << 20)
while true {
    let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
    if count <= 0 { break }
    input.append(contentsOf: chunk[0..<count])
}
close(descriptor)

mkdir(arguments[2], 0o700)
var options = Environment.Options()
options.initialMapSize = 4 << 30
let environment = try Environment(path: arguments[2], options: options)
let records = try environment.openDatabase("records", create: true)
var lines = 0
// Appended through one cursor, as the ledger appends its records: each put starts
// where the last one ended.
try environment.write { txn in
    try txn.withWriteCursor(records) { cursor in
        try input.withUnsafeBytes { all in
            var lineStart = 0
            var position: UInt64 = 0
            for index in 0..<all.count where all[index] == 0x0A {
                position += 1
                var key = position.bigEndian
                try withUnsafeBytes(of: &key) { keyBytes in
                    try cursor.put(
                        UnsafeRawBufferPointer(rebasing: all[lineStart..<index]),
                        forKey: keyBytes, flags: .append)
                }
                lineStart = index + 1
            }
            lines = Int(position)
        }
    }
}
let elapsed = seconds() - start
print("lines \(lines) seconds \(elapsed)")
