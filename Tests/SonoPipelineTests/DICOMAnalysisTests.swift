import Foundation
import Synchronization
import Testing
import SonoCodecs
import SonoCore
@testable import SonoPipeline
@testable import SonoAnalysis

@Suite struct DICOMAnalysisTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SonoCodecsTests/Fixtures/dicom")
    /// The made-up identity scripts/make-dicom-fixtures.py writes into every fixture.
    static let identity = ["Fixture^Patricia^Q", "PID-7734-FIXTURE", "19900101", "1.2.826.0.1.3680043.8.498.1"]

    /// Every frame of a multi-frame file reads the whole file; its digest is taken from the first read only.
    @Test func aFileIsHashedOnceWhateverItsFrameCount() {
        let table = DigestTable()
        table.record("a.dcm", [1, 2, 3])
        table.record("a.dcm", [4, 5, 6])
        #expect(table.value("a.dcm") == ContentDigest.sha256Hex([1, 2, 3]))
        table.remove(["a.dcm"])
        #expect(table.value("a.dcm") == nil)
    }

    /// The service's workers on several hosts ask for one batch's key at once: all of them get the
    /// same key, none fails, and no temporary file is left beside it.
    @Test func concurrentCallersShareOneScanKey() throws {
        let batch = try TestBatch()
        let path = batch.root + "/batch.scan-key"
        let callers = 16
        let results = Mutex<[Result<[UInt8], any Error>]>([])
        DispatchQueue.concurrentPerform(iterations: callers) { _ in
            let result = Result { try DICOMScans.loadOrCreateKey(at: path) }
            results.withLock { $0.append(result) }
        }
        let keys = try results.withLock { try $0.map { try $0.get() } }
        #expect(keys.count == callers)
        #expect(Set(keys).count == 1)
        #expect(try DICOMScans.loadOrCreateKey(at: path) == keys[0])
        #expect(try FileManager.default.contentsOfDirectory(atPath: batch.root) == ["batch.scan-key"])
    }

    @Test func evenlySpacedFrames() {
        #expect(DICOMScans.frameNumbers(count: 3, limit: 16) == [1, 2, 3])
        #expect(DICOMScans.frameNumbers(count: 30, limit: 4) == [1, 11, 20, 30])
        #expect(DICOMScans.frameNumbers(count: 30, limit: 1) == [1])
    }

    /// Walked directories take extension-less files that start as DICOM (PACS exports name them
    /// `IM0001`), and only those: short files and other bytes are still skipped by name.
    @Test func extensionlessDICOMIsFoundByItsMagic() throws {
        let batch = try TestBatch()
        let dicom = try [UInt8](Data(contentsOf: Self.fixtures.appendingPathComponent("rle-monochrome2-8-3frames.dcm")))
        try batch.write("in/s/IM0001", bytes: dicom)
        try batch.write("in/s/notes", bytes: [UInt8](repeating: 0x41, count: 300))
        // The magic one byte short of complete.
        try batch.write("in/s/stub", bytes: Array(dicom[0..<131]))
        let plan = InputDiscovery().plan(inputs: [batch.root + "/in"])
        #expect(plan.scans.flatMap(\.items).map { ($0.path as NSString).lastPathComponent } == ["IM0001"])
        #expect(plan.skipped.map { ($0.file as NSString).lastPathComponent } == ["notes", "stub"])
        #expect(InputDiscovery.hasDICOMMagic(atPath: batch.root + "/in/s/IM0001"))
        #expect(!InputDiscovery.hasDICOMMagic(atPath: batch.root + "/in/s"))
        // Found by its magic, it is expanded into frames like a .dcm file.
        let expanded = DICOMScans.expand(plan, maxFramesPerFile: 16, key: Array(repeating: 7, count: 32), limits: DecodeLimits())
        #expect(expanded.scans.flatMap(\.items).map { ($0.path as NSString).lastPathComponent } == ["IM0001#1", "IM0001#2", "IM0001#3"])
    }

    /// Analyses the fixture folder (every file carries a patient name, ID, birth date and study
    /// UID) and greps every file written, and the key's file name, for them.
    @Test func noPatientDataInAnyOutputAndFramesAreNamed() throws {
        let batch = try TestBatch()
        let input = batch.root + "/in"
        try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
        for name in ["rle-monochrome2-8-3frames.dcm", "explicit-le-rgb-8-planar0.dcm", "jpeg-baseline-ybr_full_422-2frames.dcm"] {
            try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent(name).path, toPath: input + "/" + name)
        }
        let out = batch.root + "/out"
        let key = try DICOMScans.loadOrCreateKey(at: DICOMScans.keyPath(outputDirectory: out))
        #expect(try DICOMScans.loadOrCreateKey(at: DICOMScans.keyPath(outputDirectory: out)) == key)
        let plan = DICOMScans.expand(InputDiscovery().plan(inputs: [input]), maxFramesPerFile: 2, key: key, limits: DecodeLimits())
        #expect(plan.scans.count == 1)
        let paths = plan.scans[0].items.map { ($0.path as NSString).lastPathComponent }
        #expect(paths == ["explicit-le-rgb-8-planar0.dcm", "jpeg-baseline-ybr_full_422-2frames.dcm#1",
                          "jpeg-baseline-ybr_full_422-2frames.dcm#2", "rle-monochrome2-8-3frames.dcm#1",
                          "rle-monochrome2-8-3frames.dcm#3"])
        let summary = try BatchAnalysis.run(plan: plan, options: AnalysisOptions(outputDirectory: out),
                                            executor: SerialExecutor(), control: RunControl(), decoder: ImageDecoder())
        #expect(summary.failures == 0 && summary.imagesAnalysed == 5)
        let walker = FileManager.default.enumerator(atPath: out)!
        var checked = 0
        while let relative = walker.nextObject() as? String {
            let path = out + "/" + relative
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            for secret in Self.identity {
                #expect(!text.contains(secret) && !relative.contains(secret), "\(relative) contains \(secret)")
            }
            checked += 1
        }
        #expect(checked >= 5)
        // Every frame records the SHA-256 of the file it was read from (the --resume key).
        let analysisPath = try #require(FileManager.default.subpaths(atPath: out)?.first { $0.hasSuffix("analysis.json") })
        let analysis = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/" + analysisPath))) as? [String: Any])
        let digests = try #require(analysis["inputs_sha256"] as? [String])
        let fileDigests = try paths.map { path -> String in
            let file = input + "/" + (path.split(separator: "#").first.map(String.init) ?? path)
            return ContentDigest.sha256Hex([UInt8](try Data(contentsOf: URL(fileURLWithPath: file))))
        }
        #expect(digests == fileDigests)
        // So --resume keeps the scan while its files are unchanged, and redoes it when a multi-frame
        // file is replaced under the same name (its frames' digests no longer match).
        let reads = ResultBox()
        let reader: Pipeline<AnalyzeProcessor>.Reader = { path in
            reads.append([path])
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        #expect(BatchAnalysis.existingReports(for: plan.scans[0], outputDirectory: out, requiresQC: false, reader: reader) != nil)
        // Five frames from three files: each file is read (and hashed) once.
        #expect(reads.values.flatMap { $0 }.map { ($0 as NSString).lastPathComponent }.sorted()
            == ["explicit-le-rgb-8-planar0.dcm", "jpeg-baseline-ybr_full_422-2frames.dcm", "rle-monochrome2-8-3frames.dcm"])
        try FileManager.default.removeItem(atPath: input + "/rle-monochrome2-8-3frames.dcm")
        try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent("rle-rgb-8-3frames.dcm").path,
                                         toPath: input + "/rle-monochrome2-8-3frames.dcm")
        #expect(BatchAnalysis.existingReports(for: plan.scans[0], outputDirectory: out, requiresQC: false, reader: reader) == nil)
        let report = try String(contentsOfFile: out + "/images.jsonl", encoding: .utf8)
        #expect(report.contains("rle-monochrome2-8-3frames.dcm#3"))
        #expect(plan.scans[0].key == DICOMScans.scanName(studyInstanceUID: Self.identity[3], key: key))
        #expect(plan.skipped.contains { $0.file.hasSuffix("rle-monochrome2-8-3frames.dcm") && $0.reason.contains("1 of 3 frames") })
    }
}
