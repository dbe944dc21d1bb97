import Foundation
import Testing

@testable import IncidentsCLI

@Suite("A staged file written a piece at a time")
struct StagedWriterTests {
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("staged-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func entries(_ directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    @Test("pieces on either side of the buffer's edge, and one larger than it, come out whole")
    func piecesComeOutWhole() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("out.ndjson").path
        // 1 MiB is the buffer: the second piece fills it to one byte short, the third
        // goes past its edge, the fourth is larger than the buffer itself.
        let sizes = [1, (1 << 20) - 2, 3, 3 << 20, 5_000, 0, 77]
        var expected: [UInt8] = []
        let writer = try StagedWriter(path: path)
        for (index, size) in sizes.enumerated() {
            let piece = (0..<size).map { UInt8(truncatingIfNeeded: $0 * 31 + index) }
            try writer.write(piece)
            expected += piece
        }
        let staged = try writer.finish()
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try Self.entries(directory).count == 1)
        try staged.commit()
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: path))) == expected)
        #expect(try Self.entries(directory) == ["out.ndjson"])
    }

    @Test("a writer discarded, or let go unfinished, leaves no file behind")
    func unfinishedWritersLeaveNothing() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("out.csv").path
        let discarded = try StagedWriter(path: path)
        try discarded.write([UInt8](repeating: 65, count: 3 << 20))
        #expect(try Self.entries(directory).count == 1)
        discarded.discard()
        #expect(try Self.entries(directory).isEmpty)
        do {
            let abandoned = try StagedWriter(path: path)
            try abandoned.write([1, 2, 3])
            #expect(try Self.entries(directory).count == 1)
        }
        #expect(try Self.entries(directory).isEmpty)
    }

    @Test("a file that cannot be created is an error naming it")
    func uncreatableFile() throws {
        let path = "/nonexistent-\(UUID().uuidString)/out.json"
        let error = #expect(throws: CLIError.self) { try StagedWriter(path: path) }
        #expect(error?.status == .ioError)
        #expect(error?.message.contains(path) == true)
    }
}
