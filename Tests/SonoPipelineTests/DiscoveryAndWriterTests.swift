import Foundation
import SonoCodecs
import SonoCore
import Testing
@testable import SonoPipeline

@Suite struct InputDiscoveryTests {
    /// Directories group images into scans in sorted order; other files are skipped, not failed.
    @Test func walkIsSortedGroupsByDirectoryAndSkipsNonImages() throws {
        let batch = try TestBatch()
        try batch.populateMixed()
        try batch.write("in/b/c.JPEG", bytes: [0xFF, 0xD8, 0xFF])
        let plan = InputDiscovery().plan(inputs: [batch.root + "/in/"])
        #expect(plan.scans.map(\.key) == ["in/a", "in/b"])
        #expect(plan.scans[0].items.map { ($0.path as NSString).lastPathComponent }
            == ["img0.png", "img1.png", "img2.png", "img3.png", "img4.png"])
        #expect(plan.scans[1].items.map { ($0.path as NSString).lastPathComponent }
            == ["IMG0.PNG", "IMG1.PNG", "IMG2.PNG", "IMG3.PNG", "broken.png", "c.JPEG"])
        #expect(plan.skipped.map { ($0.file as NSString).lastPathComponent } == ["notes.txt"])
        #expect(plan.scans.flatMap(\.items).map(\.index) == Array(0..<11))
        #expect(plan.discoveryFailures.isEmpty)
    }

    /// A symbolic link back up the tree must not make the walk loop.
    @Test func symlinkLoopIsVisitedOnce() throws {
        let batch = try TestBatch()
        try batch.writePNG("in/x/a.png", seed: 1)
        try FileManager.default.createSymbolicLink(atPath: batch.root + "/in/x/loop", withDestinationPath: batch.root + "/in")
        let plan = InputDiscovery().plan(inputs: [batch.root + "/in"])
        #expect(plan.imageCount == 1)
        #expect(plan.skipped.contains { $0.file.hasSuffix("/in/x/loop") })
    }

    /// Files named on the command line are tried whatever their extension; missing inputs fail discovery.
    @Test func explicitFilesAreAlwaysTriedAndMissingInputsFail() throws {
        let batch = try TestBatch()
        let odd = try batch.write("f/data.bin", bytes: Array("hello".utf8))
        let plan = InputDiscovery().plan(inputs: [odd, batch.root + "/nope"])
        #expect(plan.scans.flatMap(\.items).map(\.path) == [odd])
        #expect(plan.scans.first?.key == "f")
        #expect(plan.discoveryFailures.map(\.failure.kind) == ["not-found"])
    }

    /// A manifest directory contributes the manifest's scans and spacing; unlisted images are skipped.
    @Test func manifestDefinesScansAndSpacing() throws {
        let batch = try TestBatch()
        try batch.writePNG("m/one.png", seed: 1)
        try batch.writePNG("m/two.png", seed: 2)
        try batch.writePNG("m/extra.png", seed: 3)
        try batch.write("m/manifest.json", bytes: Array("""
            {"schema":"sonoqc-manifest/1","scans":[
             {"scan_id":"B 2","pixel_spacing_mm":0.2,"images":[{"file":"two.png","plane":"head","reported":{}}]},
             {"scan_id":"A1","images":[{"file":"one.png","plane":"head","pixel_spacing_mm":0.15,"reported":{}}]}]}
            """.utf8))
        let plan = InputDiscovery().plan(inputs: [batch.root + "/m"])
        // "B 2" is not a safe folder name: its key is sanitised and suffixed with a digest of the id,
        // so it cannot collide with a scan really called "B_2".
        #expect(plan.scans.map(\.key) == ["m/" + FileName.safeComponent("B 2"), "m/A1"])
        #expect(plan.scans[0].key.hasPrefix("m/B_2-"))
        #expect(plan.scans.map { $0.manifestEntry?.scanID } == ["B 2", "A1"])
        #expect(plan.scans.map { $0.items.first?.manifestEntry?.pixelSpacingMM } == [0.2, 0.15])
        #expect(plan.skipped.map(\.reason) == ["image not listed in manifest.json"])
    }
}

@Suite struct AtomicFileWriterTests {
    /// A failure while writing leaves neither the final file nor a temporary one.
    @Test func failedWriteLeavesNoPartialFile() throws {
        let batch = try TestBatch()
        struct Interrupted: Error {}
        let target = batch.root + "/out/report.json"
        #expect(throws: Interrupted.self) {
            try AtomicFileWriter().write(to: target) { sink in
                try sink.append(String(repeating: "x", count: 200_000))
                throw Interrupted()
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: batch.root + "/out").isEmpty)
    }

    /// Replacing a file publishes the new content whole; the old one stays until the rename.
    @Test func successfulWriteReplacesWholeFile() throws {
        let batch = try TestBatch()
        let target = batch.root + "/r.json"
        try AtomicFileWriter().write(Data("old".utf8), to: target)
        try AtomicFileWriter(durable: true).write(to: target) { sink in
            try sink.append("new ")
            #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: target)), as: UTF8.self) == "old")
            try sink.append("content")
        }
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: target)), as: UTF8.self) == "new content")
        #expect(try FileManager.default.contentsOfDirectory(atPath: batch.root) == ["r.json"])
    }
}

@Suite struct IntensityStatisticsTests {
    /// Histogram statistics equal a sort-based reference on seeded images.
    @Test(arguments: [UInt64(1), 2, 3])
    func statisticsMatchSortedReference(seed: UInt64) throws {
        var rng = TestRNG(seed: seed)
        let n = 1000 + Int(seed) * 77
        let samples = (0..<n).map { i -> UInt8 in
            i % 13 == 0 ? 255 : (i % 17 == 0 ? 0 : UInt8(truncatingIfNeeded: rng.next() >> 57))
        }
        let stats = try #require(IntensityStatistics(GrayImage(width: n, height: 1, samples: samples)))
        let sorted = samples.map(Int.init).sorted()
        func rank(_ p: Int) -> Int { sorted[Int((Double(p) / 100 * Double(n)).rounded(.up)) - 1] }
        let mean = Double(sorted.reduce(0, +)) / Double(n)
        let std = (sorted.map { (Double($0) - mean) * (Double($0) - mean) }.reduce(0, +) / Double(n)).squareRoot()
        #expect(abs(stats.mean - mean) < 1e-6)
        #expect(abs(stats.std - std) < 1e-6)
        let percentiles: [Int] = [stats.p1, stats.p50, stats.p99]
        let expected: [Int] = [rank(1), rank(50), rank(99)]
        #expect(percentiles == expected)
        #expect(abs(stats.saturatedFraction - Double(samples.filter { $0 == 255 }.count) / Double(n)) < 1e-6)
        #expect(abs(stats.zeroFraction - Double(samples.filter { $0 == 0 }.count) / Double(n)) < 1e-6)
    }
}
