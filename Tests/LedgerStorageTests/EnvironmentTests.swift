import Foundation
import Testing

@testable import LedgerStorage

/// A fresh environment in its own temporary folder, removed afterwards.
final class TemporaryEnvironment {
    let path: String

    init() throws {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("storage-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func open(mapSize: Int = 1 << 20, maximum: Int = 1 << 30) throws -> Environment {
        var options = Environment.Options()
        options.initialMapSize = mapSize
        options.maximumMapSize = maximum
        return try Environment(path: path, options: options)
    }
}

@Suite("LMDB environment")
struct EnvironmentTests {
    @Test("a committed write is read back, in key order through a cursor")
    func writeThenRead() throws {
        let folder = try TemporaryEnvironment()
        let environment = try folder.open()
        let database = try environment.openDatabase("d", create: true)
        try environment.write { txn in
            for key in [3, 1, 2] {
                try txn.put(Array("v\(key)".utf8), forKey: [UInt8(key)], in: database)
            }
        }
        let values = try environment.read { txn in
            try txn.withCursor(database) { cursor in
                var found: [String] = []
                var entry = try cursor.first()
                while let current = entry {
                    found.append(String(decoding: current.value, as: UTF8.self))
                    entry = try cursor.next()
                }
                return found
            }
        }
        #expect(values == ["v1", "v2", "v3"])
        #expect(try environment.read { try $0.count(database) } == 3)
    }

    @Test("an environment is durable unless opened without syncing")
    func durability() throws {
        let folder = try TemporaryEnvironment()
        #expect(try folder.open().isDurable)

        var options = Environment.Options()
        options.durable = false
        let unsynced = try Environment(path: folder.path, options: options)
        #expect(!unsynced.isDurable)
    }

    @Test("a write that throws leaves nothing behind")
    func thrownWriteRollsBack() throws {
        struct Refused: Error {}
        let folder = try TemporaryEnvironment()
        let environment = try folder.open()
        let database = try environment.openDatabase("d", create: true)
        #expect(throws: Refused.self) {
            try environment.write { txn in
                try txn.put([1], forKey: [1], in: database)
                throw Refused()
            }
        }
        #expect(try environment.read { try $0.count(database) } == 0)
    }

    @Test("a write larger than the map grows the map and commits")
    func mapGrowsByItself() throws {
        let folder = try TemporaryEnvironment()
        let environment = try folder.open(mapSize: 1 << 20)
        let database = try environment.openDatabase("d", create: true)
        let value = [UInt8](repeating: 7, count: 4000)
        try environment.write { txn in
            for index in 0..<2000 {
                var key = UInt32(index).bigEndian
                try withUnsafeBytes(of: &key) { keyBytes in
                    try value.withUnsafeBytes { try txn.put($0, forKey: keyBytes, in: database) }
                }
            }
        }
        #expect(try environment.read { try $0.count(database) } == 2000)
        #expect(environment.mapSize > 1 << 20)
    }

    @Test("a write past the maximum map size fails as map full and writes nothing")
    func mapFullFailsCleanly() throws {
        let folder = try TemporaryEnvironment()
        let environment = try folder.open(mapSize: 1 << 20, maximum: 2 << 20)
        let database = try environment.openDatabase("d", create: true)
        try environment.write { txn in try txn.put([1], forKey: [0], in: database) }
        let value = [UInt8](repeating: 7, count: 4000)
        var failure: StorageError?
        do {
            try environment.write { txn in
                for index in 1..<4000 {
                    var key = UInt32(index).bigEndian
                    try withUnsafeBytes(of: &key) { keyBytes in
                        try value.withUnsafeBytes {
                            try txn.put($0, forKey: keyBytes, in: database)
                        }
                    }
                }
            }
        } catch let error as StorageError {
            failure = error
        }
        #expect(failure?.code == StorageError.mapFull)
        #expect(failure?.isOutOfSpace == true)
        #expect(try environment.read { try $0.count(database) } == 1)
    }

    @Test("opening a missing directory names the path")
    func missingDirectory() {
        #expect(throws: StorageError.self) {
            _ = try Environment(path: "/nonexistent/storage-test")
        }
    }
}
