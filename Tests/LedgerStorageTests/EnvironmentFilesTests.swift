import Foundation
import Glibc
import Testing

@testable import LedgerStorage

/// The permission bits (with set-id and sticky bits) of `path` itself.
func modeBits(_ path: String) throws -> mode_t {
    try EnvironmentFiles.status(of: path).st_mode & 0o7777
}

@Suite("Environment files: sharing, links, staged copies")
struct EnvironmentFilesTests {
    @Test("each sharing gives the directory, data and lock files their exact modes and group")
    func sharingModes() throws {
        let folder = try TemporaryEnvironment()
        let group = getegid()
        let cases: [(Sharing, [mode_t])] = [
            (.ownerOnly, [0o700, 0o600, 0o600]),
            (Sharing(group: group, groupWrites: false), [0o2750, 0o640, 0o660]),
            (Sharing(group: group, groupWrites: true), [0o3770, 0o660, 0o660]),
        ]
        for (index, (sharing, modes)) in cases.enumerated() {
            let path = folder.path + "/env\(index)"
            try EnvironmentFiles.create(directory: path, sharing: sharing)
            let paths = [path, path + "/data.mdb", path + "/lock.mdb"]
            #expect(try paths.map(modeBits) == modes)
            #expect(try Sharing.of(directory: path) == sharing)
            // LMDB fills the empty files it was given.
            let environment = try Environment(path: path)
            let database = try environment.openDatabase("d", create: true)
            try environment.write { try $0.put([1], forKey: [1], in: database) }
            #expect(try paths.map(modeBits) == modes)
        }
    }

    @Test("a link in the place of the data file, the lock file or the directory is refused")
    func linksAreRefused() throws {
        let folder = try TemporaryEnvironment()
        let victim = folder.path + "/victim"
        let secret = Data("not a database\n".utf8)
        for name in ["data.mdb", "lock.mdb", ""] {
            try secret.write(to: URL(fileURLWithPath: victim))
            let real = folder.path + "/real-\(name)"
            try EnvironmentFiles.create(directory: real, sharing: .ownerOnly)
            var path = real
            if name.isEmpty {
                path = folder.path + "/link"
                #expect(symlink(real, path) == 0)
            } else {
                #expect(unlink(real + "/" + name) == 0)
                #expect(symlink(victim, real + "/" + name) == 0)
            }
            let expected = name.isEmpty ? path : real + "/" + name
            #expect(
                throws: StorageError(code: ELOOP, operation: "open \(expected)", file: expected)
            ) {
                _ = try Environment(path: path)
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: victim)) == secret)
        }
    }

    @Test("a dangling link where the data file would be is not created through")
    func danglingLinkIsNotFollowed() throws {
        let folder = try TemporaryEnvironment()
        let path = folder.path + "/env"
        #expect(mkdir(path, 0o700) == 0)
        #expect(symlink(folder.path + "/elsewhere", path + "/data.mdb") == 0)
        #expect(throws: StorageError.self) {
            try EnvironmentFiles.create(directory: path, sharing: .ownerOnly)
        }
        #expect(throws: StorageError.self) { _ = try Environment(path: path) }
        #expect(!EnvironmentFiles.isPresent(folder.path + "/elsewhere"))
    }

    @Test("a staged copy is published whole, or swapped with what was there")
    func stagedCopyPublishAndExchange() throws {
        let folder = try TemporaryEnvironment()
        let source = try folder.open()
        let database = try source.openDatabase("d", create: true)
        try source.write { try $0.put(Array("first".utf8), forKey: [1], in: database) }

        let destination = folder.path + "/copy/"
        let stage = try StagedDirectory(beside: destination, purpose: "test")
        #expect(stage.path.hasPrefix(folder.path + "/.copy.test-"))
        try source.copy(to: stage.path, compact: true)
        try stage.publish()
        #expect(!EnvironmentFiles.isPresent(stage.path))

        try source.write { try $0.put(Array("second".utf8), forKey: [1], in: database) }
        let second = try StagedDirectory(beside: destination, purpose: "test")
        try source.copy(to: second.path, compact: true)
        try second.exchange()
        let copy = try Environment(path: folder.path + "/copy")
        let copied = try copy.openDatabase("d", create: false)
        #expect(try copy.read { try $0.value(in: copied, forKey: [1]) } == Array("second".utf8))
        let old = try Environment(path: second.path)
        let kept = try old.openDatabase("d", create: false)
        #expect(try old.read { try $0.value(in: kept, forKey: [1]) } == Array("first".utf8))
        try second.discard()
        #expect(!EnvironmentFiles.isPresent(second.path))
    }

    @Test("publishing onto a link or a directory that holds files is refused")
    func publishRefusesOccupiedPlaces() throws {
        let folder = try TemporaryEnvironment()
        let full = folder.path + "/full"
        try EnvironmentFiles.create(directory: full, sharing: .ownerOnly)
        let stage = try StagedDirectory(beside: full, purpose: "test")
        #expect(throws: StorageError.self) { try stage.publish() }

        let link = folder.path + "/link"
        #expect(symlink(folder.path + "/empty", link) == 0)
        #expect(mkdir(folder.path + "/empty", 0o700) == 0)
        let linked = try StagedDirectory(beside: link, purpose: "test")
        #expect(throws: StorageError(code: ELOOP, operation: "replace \(link)", file: link)) {
            try linked.publish()
        }
        #expect(try EnvironmentFiles.status(of: link).st_mode & S_IFMT == S_IFLNK)
        try stage.discard()
        try linked.discard()
    }
}
