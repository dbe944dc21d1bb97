import Testing

@testable import LedgerStorage

@Suite("Write cursors")
struct WriteCursorTests {
    /// Every key and value of `database`, in order, as numbers.
    private func entries(
        of database: Database, in environment: Environment
    ) throws -> [(key: UInt64, value: UInt64)] {
        try environment.read { txn in
            try txn.withCursor(database) { cursor in
                var found: [(key: UInt64, value: UInt64)] = []
                var entry = try cursor.first()
                while let current = entry {
                    found.append((number(current.key), number(current.value)))
                    entry = try cursor.next()
                }
                return found
            }
        }
    }

    private func number(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    @Test("appends through one cursor land in key order, and an out-of-order key is refused")
    func appends() throws {
        let folder = try TemporaryEnvironment()
        let environment = try folder.open(mapSize: 1 << 22)
        let database = try environment.openDatabase("d", create: true)
        try environment.write { txn in
            try txn.withWriteCursor(database) { cursor in
                // Enough values of 300 bytes to fill many pages.
                for key in UInt64(1)...2_000 {
                    try withUnsafeBytes(of: key.bigEndian) { k in
                        try Array(repeating: UInt8(key & 0xFF), count: 300).withUnsafeBytes { v in
                            try cursor.put(v, forKey: k, flags: .append)
                        }
                    }
                }
                #expect(throws: StorageError(code: StorageError.keyExists, operation: "put")) {
                    try withUnsafeBytes(of: UInt64(7).bigEndian) { k in
                        try [1].withUnsafeBytes { try cursor.put($0, forKey: k, flags: .append) }
                    }
                }
            }
        }
        let stored = try environment.read { txn in
            try txn.withCursor(database) { cursor in
                var keys: [UInt64] = []
                var entry = try cursor.first()
                while let current = entry {
                    #expect(current.value.count == 300)
                    #expect(current.value.allSatisfy { $0 == UInt8((keys.count + 1) & 0xFF) })
                    keys.append(number(current.key))
                    entry = try cursor.next()
                }
                return keys
            }
        }
        #expect(stored == Array(1...2_000))
    }

    @Test("values put as one run of duplicates are each kept, beside earlier ones, in order")
    func duplicateRuns() throws {
        let folder = try TemporaryEnvironment()
        let environment = try folder.open(mapSize: 1 << 22)
        let database = try environment.openDatabase(
            "d", flags: [.duplicateKeys, .fixedSizeDuplicates], create: true)
        // Key 1 gets one value, key 2 more than a page of them (a sub-database), and
        // key 3 two runs, the second interleaving with the first.
        let runs: [(key: UInt64, values: [UInt64])] = [
            (1, [42]), (2, Array(1...1_500)), (3, [10, 30, 50]), (3, [20, 40, 60]),
        ]
        try environment.write { txn in
            try txn.withWriteCursor(database) { cursor in
                for run in runs {
                    try withUnsafeBytes(of: run.key.bigEndian) { key in
                        try run.values.map(\.bigEndian).withUnsafeBytes { values in
                            try cursor.putDuplicates(values, size: 8, forKey: key)
                        }
                    }
                }
            }
        }
        let expected: [(key: UInt64, value: UInt64)] =
            [(1, 42)] + (1...1_500).map { (2, UInt64($0)) }
            + [10, 20, 30, 40, 50, 60].map { (3, $0) }
        let found = try entries(of: database, in: environment)
        #expect(found.map(\.key) == expected.map(\.key))
        #expect(found.map(\.value) == expected.map(\.value))
    }

    @Test("a run of duplicates into a database without fixed-size duplicates is refused")
    func duplicateRunNeedsFixedSizes() throws {
        let folder = try TemporaryEnvironment()
        let environment = try folder.open()
        let database = try environment.openDatabase("d", flags: [.duplicateKeys], create: true)
        #expect(throws: StorageError.self) {
            try environment.write { txn in
                try txn.withWriteCursor(database) { cursor in
                    try withUnsafeBytes(of: UInt64(1).bigEndian) { key in
                        try [UInt64(1), 2].withUnsafeBytes { values in
                            try cursor.putDuplicates(values, size: 8, forKey: key)
                        }
                    }
                }
            }
        }
        #expect(try environment.read { try $0.count(database) } == 0)
    }
}
