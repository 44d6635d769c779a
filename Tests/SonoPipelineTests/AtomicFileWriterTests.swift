import Foundation
import Testing
@testable import SonoPipeline

@Suite("Atomic file writer: failures and long names")
struct AtomicFileWriterFailureTests {
    /// Paths this process holds open under `directory` (a removed file shows as "… (deleted)").
    /// Looking at where the descriptors point, not at how many there are, keeps the test exact
    /// while other suites open and close files in parallel (a count once read 62 against 63).
    static func openPaths(under directory: String) -> [String] {
        let prefix = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path + "/"
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0) }
            .filter { $0.hasPrefix(prefix) }
    }

    /// A failed rename closes the descriptor once (a second close could close a file another worker
    /// has just opened), removes the temporary file and names the operation in the error.
    @Test func aFailedRenameLeavesNoDescriptorAndNoTemporaryFile() throws {
        let batch = try TestBatch()
        let target = batch.root + "/target"
        try FileManager.default.createDirectory(atPath: target + "/occupied", withIntermediateDirectories: true)
        #expect(FileManager.default.fileExists(atPath: "/proc/self/fd"), "needs /proc to see open descriptors")
        let error = try #require(throws: WriteError.self) { try AtomicFileWriter().write(Data("x".utf8), to: target) }
        #expect(error.operation == "rename")
        #expect(Self.openPaths(under: batch.root).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: batch.root).filter { $0.hasPrefix(".tmp-") }.isEmpty)
    }

    /// The folder is created with its missing parents; a second file goes into the existing
    /// folder; a folder that is a regular file fails with an error naming it, and leaves it alone.
    @Test func foldersAreCreatedAndAFileInTheWayIsNamed() throws {
        let batch = try TestBatch()
        let nested = batch.root + "/a/b/c"
        try AtomicFileWriter().write(Data("1".utf8), to: nested + "/one.json")
        try AtomicFileWriter().write(Data("2".utf8), to: nested + "/two.json")
        #expect(FileManager.default.contents(atPath: nested + "/one.json") == Data("1".utf8))
        #expect(FileManager.default.contents(atPath: nested + "/two.json") == Data("2".utf8))
        let blocker = batch.root + "/blocker"
        try Data("keep".utf8).write(to: URL(fileURLWithPath: blocker))
        let error = try #require(throws: WriteError.self) { try AtomicFileWriter().write(Data("x".utf8), to: blocker + "/report.json") }
        #expect(error.path.hasPrefix(blocker + "/"), "\(error)")
        #expect(error.reason.lowercased().contains("not a directory"), "\(error)")
        #expect(FileManager.default.contents(atPath: blocker) == Data("keep".utf8))
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
    /// Text and bytes come back from their ranges in any order (multi-byte characters included), and the file
    /// leaves no name in the directory, not even while it is open.
    @Test func textComesBackInAnyOrderAndLeavesNoFile() throws {
        let batch = try TestBatch()
        let scratch = try ScratchFile(directory: batch.root)
        let parts = ["<li>扫描 S1</li>\n", "", "<tr>Ω</tr>\n", String(repeating: "x", count: 100_000)]
        let ranges = try parts.map { try scratch.append($0) }
        let bytes = [Data([0, 0xFF, 0x0A]), Data(), Data(repeating: 7, count: 70_000)]
        let byteRanges = try bytes.map { try scratch.append($0) }
        for i in parts.indices.reversed() { #expect(try scratch.read(ranges[i]) == parts[i]) }
        for i in bytes.indices.reversed() { #expect(try scratch.readData(byteRanges[i]) == bytes[i]) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: batch.root).isEmpty)
    }
}
