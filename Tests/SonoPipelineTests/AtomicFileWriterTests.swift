import Foundation
import Testing
@testable import SonoPipeline

@Suite("Atomic file writer: failures and long names")
struct AtomicFileWriterFailureTests {
    static func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    /// A failed rename closes the descriptor once (a second close could close a file another worker
    /// has just opened), removes the temporary file and names the operation in the error.
    @Test func aFailedRenameLeavesNoDescriptorAndNoTemporaryFile() throws {
        let batch = try TestBatch()
        let target = batch.root + "/target"
        try FileManager.default.createDirectory(atPath: target + "/occupied", withIntermediateDirectories: true)
        let before = Self.openDescriptors()
        let error = try #require(throws: WriteError.self) { try AtomicFileWriter().write(Data("x".utf8), to: target) }
        #expect(error.operation == "rename")
        #expect(Self.openDescriptors() == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: batch.root).filter { $0.hasPrefix(".tmp-") }.isEmpty)
    }

    /// A 250-byte final name must not overflow the temporary name (prefix + name > 255).
    @Test func aFinalNameNearTheComponentLimitIsWritten() throws {
        let batch = try TestBatch()
        let path = batch.root + "/" + String(repeating: "n", count: 250)
        try AtomicFileWriter().write(Data("x".utf8), to: path)
        #expect(FileManager.default.contents(atPath: path) == Data("x".utf8))
    }
}

@Suite("Scratch file")
struct ScratchFileTests {
    /// Text comes back from its range in any order (multi-byte characters included), and the file
    /// leaves no name in the directory, not even while it is open.
    @Test func textComesBackInAnyOrderAndLeavesNoFile() throws {
        let batch = try TestBatch()
        let scratch = try ScratchFile(directory: batch.root)
        let parts = ["<li>扫描 S1</li>\n", "", "<tr>Ω</tr>\n", String(repeating: "x", count: 100_000)]
        let ranges = try parts.map { try scratch.append($0) }
        for i in parts.indices.reversed() { #expect(try scratch.read(ranges[i]) == parts[i]) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: batch.root).isEmpty)
    }
}
