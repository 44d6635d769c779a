#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SonoChecks
import SonoCodecs
import SonoCore
import SonoReports
import Testing
@testable import SonoPipeline
@testable import SonoAnalysis
import SonoInput

/// Inputs and output directories a site can hand `analyze` by accident or on purpose (FIFOs, clashing
/// scan ids, over-long or non-UTF-8 names, replaced images, a locked or nested output): each test feeds
/// one and checks what must happen.
@Suite("Hostile inputs and output directories", .serialized)
struct HostileInputTests {
    static func summary(_ batch: TestBatch, _ out: String = "out") throws -> [String: Any] {
        try decodedJSON(batch.read(out + "/summary.json"))
    }

    static func manifest(_ scans: [(id: String, files: [String])]) -> [UInt8] {
        let text = scans.map { scan in
            "{\"scan_id\":\(jsonString(scan.id)),\"images\":[" + scan.files.map { "{\"file\":\(jsonString($0)),\"plane\":\"head\",\"reported\":{}}" }.joined(separator: ",") + "]}"
        }.joined(separator: ",")
        return Array("{\"schema\":\"sonoqc-manifest/1\",\"scans\":[\(text)]}".utf8)
    }

    static func jsonString(_ s: String) -> String {
        String(decoding: try! JSONEncoder().encode(s), as: UTF8.self)
    }

    @Test func aFIFOInTheBatchFailsAloneInsteadOfHangingTheRun() throws {
        let batch = try TestBatch()
        try batch.writePNG("in/good.png", seed: 1)
        #expect(mkfifo(batch.root + "/in/pipe.png", 0o644) == 0)
        try batch.write("in/manifest.json", bytes: Self.manifest([("S1", ["pipe.png", "good.png"])]))
        let start = Date()
        let summary = try analyze([batch.root + "/in", batch.root + "/in/pipe.png"], out: batch.root + "/out",
                                  executor: DispatchExecutor(workers: 2))
        #expect(Date().timeIntervalSince(start) < 30)
        #expect(summary.imagesAnalysed == 1)
        let failures = try #require(Self.summary(batch)["failures"] as? [[String: Any]])
        #expect(failures.filter { ($0["reason"] as? String)?.contains("FIFO") == true }.count == 2)
    }

    @Test func scanIDsThatSanitiseAlikeGetTheirOwnFoldersWhateverTheJobs() throws {
        let ids = ["a+b", "a_b", "a b", "a_b_2", "..."]
        var outputs: [[String: Data]] = []
        let batch = try TestBatch()
        for (i, _) in ids.enumerated() { try batch.writePNG("in/f\(i).png", seed: UInt64(i)) }
        try batch.write("in/manifest.json", bytes: Self.manifest(ids.enumerated().map { ($1, ["f\($0).png"]) }))
        for jobs in [1, 3] {
            let out = "out\(jobs)"
            _ = try analyze([batch.root + "/in"], out: batch.root + "/" + out, executor: DispatchExecutor(workers: jobs))
            let plan = InputDiscovery().plan(inputs: [batch.root + "/in"])
            let folders = plan.scans.map { ReportLayout.scanFolder(scanKey: $0.key) }
            #expect(Set(folders).count == ids.count)
            var files: [String: Data] = [:]
            for (scan, folder) in zip(plan.scans, folders) {
                #expect(!folder.split(separator: "/").contains { $0.hasPrefix(".") })
                let report = String(decoding: try batch.read(out + "/" + folder + "/report.json"), as: UTF8.self)
                #expect(report.contains(Self.jsonString(scan.manifestEntry!.scanID)))
                let page = String(decoding: try batch.read(out + "/" + folder + "/report.html"), as: UTF8.self)
                #expect(page.contains(scan.manifestEntry!.scanID))
                files[folder] = try batch.read(out + "/" + folder + "/report.html")
            }
            outputs.append(files)
        }
        #expect(outputs[0] == outputs[1])
    }

    @Test func longFileNamesAndAHugeScanIDDoNotLoseTheScan() throws {
        let batch = try TestBatch()
        let long = String(repeating: "n", count: 235) + ".png"
        try batch.writePNG("in/" + long, seed: 1)
        try batch.writePNG("in/short.png", seed: 2)
        let hugeID = String(repeating: "S", count: 100_000)
        try batch.write("in/manifest.json", bytes: Self.manifest([(hugeID, [long, "short.png"])]))
        let summary = try analyze([batch.root + "/in"], out: batch.root + "/out", executor: SerialExecutor())
        #expect(summary.failures == 0 && summary.imagesAnalysed == 2)
        let scans = try #require(Self.summary(batch)["scans"] as? [[String: Any]])
        #expect(scans.first?["status"] as? String == "reported")
    }

    @Test func aFileNameThatIsNotUTF8IsAnalysedAndPrintedLosslessly() throws {
        let batch = try TestBatch()
        try batch.writePNG("in/tmp.png", seed: 3)
        let raw = Array((batch.root + "/in/caf").utf8) + [0xE9] + Array(".png".utf8) + [0]
        #expect(raw.withUnsafeBufferPointer { buffer in
            rename(batch.root + "/in/tmp.png", UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self))
        } == 0)
        let summary = try analyze([batch.root + "/in"], out: batch.root + "/out", executor: SerialExecutor())
        #expect(summary.imagesAnalysed == 1 && summary.failures == 0 && summary.skipped == 0)
        let line = String(decoding: try batch.read("out/images.jsonl"), as: UTF8.self)
        #expect(line.contains("caf\\\\xe9.png"))
    }

    @Test func resumeRecomputesWhenAnImageOrASettingChanges() throws {
        let batch = try TestBatch()
        try batch.writePNG("in/a/x.png", seed: 1)
        try batch.writePNG("in/b/y.png", seed: 2)
        let out = batch.root + "/out"
        _ = try analyze([batch.root + "/in"], out: out, executor: SerialExecutor())
        // Same name, new content: scan b must be analysed again, scan a reused.
        try batch.writePNG("in/b/y.png", width: 50, seed: 9)
        let again = try analyze([batch.root + "/in"], out: out, executor: SerialExecutor(), resume: true)
        #expect(again.scansResumed == 1)
        let records = String(decoding: try batch.read("out/images.jsonl"), as: UTF8.self)
        #expect(records.contains("\"width\":50"))
        // Without HTML: nothing resumed, and no page of the HTML run is left to be linked.
        let plan = InputDiscovery().plan(inputs: [batch.root + "/in"])
        var options = AnalysisOptions(outputDirectory: out, resume: true)
        options.qc = QCSettings(writesHTML: false)
        let noHTML = try BatchAnalysis.run(plan: plan, options: options, executor: SerialExecutor(), control: RunControl(),
                                           decoder: ImageDecoder())
        #expect(noHTML.scansResumed == 0)
        #expect(!FileManager.default.fileExists(atPath: out + "/index.html"))
        for scan in plan.scans {
            #expect(!FileManager.default.fileExists(atPath: out + "/" + ReportLayout.scanFolder(scanKey: scan.key) + "/report.html"))
        }
    }

    @Test func aSecondRunOnALockedOutputFailsAtOnce() throws {
        let batch = try TestBatch()
        try batch.writePNG("in/x.png", seed: 1)
        let out = batch.root + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let held = try OutputLock(directory: out)
        // flock locks belong to the open file description: a second open in this process conflicts too.
        let error = try #require(throws: OutputLock.LockError.self) {
            try analyze([batch.root + "/in"], out: out, executor: SerialExecutor())
        }
        #expect(error.description.contains("another sonoqc run"))
        withExtendedLifetime(held) {}
    }

    @Test func outputInsideTheInputIsNotAnalysedAndLeftoversAreCleaned() throws {
        let batch = try TestBatch()
        try batch.writePNG("in/x.png", seed: 1)
        let out = batch.root + "/in/out"
        _ = try analyze([batch.root + "/in"], out: out, executor: SerialExecutor())
        try batch.write("in/out/scans/.tmp-999-1", bytes: [1, 2, 3])
        let plan = InputDiscovery(excludedDirectories: [out]).plan(inputs: [batch.root + "/in"])
        #expect(plan.imageCount == 1)
        _ = try BatchAnalysis.run(plan: plan, options: AnalysisOptions(outputDirectory: out), executor: SerialExecutor(),
                                  control: RunControl(), decoder: ImageDecoder())
        #expect(!FileManager.default.fileExists(atPath: out + "/scans/.tmp-999-1"))
        // Another run's output directory inside the input is not walked either.
        let other = InputDiscovery().plan(inputs: [batch.root + "/in"])
        #expect(other.imageCount == 1)
        #expect(other.skipped.contains { $0.reason.contains("SonoQC output directory") })
    }

    @Test func aNewRunKilledEarlyLeavesNoCompleteSummaryOfThePreviousRun() throws {
        let batch = try TestBatch()
        try batch.writePNG("in/x.png", seed: 1)
        let out = batch.root + "/out"
        _ = try analyze([batch.root + "/in"], out: out, executor: SerialExecutor())
        #expect(try Self.summary(batch)["complete"] as? Bool == true)
        // A run that dies before writing its own batch files (here: images.jsonl cannot be written,
        // a directory stands in its place) must not leave the old ones: they are removed before
        // any work starts.
        try FileManager.default.removeItem(atPath: out + "/images.jsonl")
        try FileManager.default.createDirectory(atPath: out + "/images.jsonl/occupied", withIntermediateDirectories: true)
        #expect(throws: WriteError.self) { try analyze([batch.root + "/in"], out: out, executor: SerialExecutor()) }
        for name in ["summary.json", "summary.csv", "index.html"] {
            #expect(!FileManager.default.fileExists(atPath: out + "/" + name), "\(name) of the previous run left behind")
        }
    }

    /// SIGINT waited up to 15 s for a frame in flight; now the run returns about a second after it.
    @Test func cancellationDoesNotWaitForASlowFrameInFlight() throws {
        let batch = try TestBatch()
        try batch.writePNG("in/slow.png", seed: 1)
        try batch.writePNG("in/z.png", seed: 2)
        let control = RunControl()
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(300)) { control.cancel(signal: SIGINT) }
        let start = Date()
        let summary = try analyze([batch.root + "/in"], out: batch.root + "/out", executor: DispatchExecutor(workers: 1),
                                  control: control, reader: { path in
                                      if path.hasSuffix("slow.png") { sleep(8) }
                                      return try FileBytes.contents(of: path)
                                  })
        #expect(Date().timeIntervalSince(start) < 2.5)
        #expect(!summary.complete)
        #expect(try Self.summary(batch)["complete"] as? Bool == false)
    }

    @Test func aSymlinkedSubdirectoryCannotLeadAManifestOutsideItsBatch() throws {
        let batch = try TestBatch()
        try batch.writePNG("secret/s.png", seed: 1)
        try batch.writePNG("in/ok.png", seed: 2)
        try FileManager.default.createSymbolicLink(atPath: batch.root + "/in/link", withDestinationPath: batch.root + "/secret")
        try batch.write("in/manifest.json", bytes: Self.manifest([("S1", ["ok.png", "link/s.png"])]))
        let plan = InputDiscovery().plan(inputs: [batch.root + "/in"])
        #expect(plan.imageCount == 1)
        #expect(plan.discoveryFailures.contains { $0.failure.kind == "outside-batch" })
    }

    @Test func summaryCSVQuotesCRLFAndNeutralisesNUL() throws {
        let report = ScanReport(scan: ScanMetadata(scanID: "S1\r\nX", unitID: "u\0v", operatorID: "o,\"p\"", fromManifest: true),
                                reference: ReferenceInfo(profile: .default), images: [], failures: [], findings: [])
        let csv = BatchAnalysis.summaryCSVHeader + BatchAnalysis.summaryCSVRow(report, scanKey: "k")
        let rows = CSV.parse(csv)
        #expect(rows.count == 2)
        #expect(rows[1].fields[1] == "S1\r\nX" && rows[1].fields[3] == "o,\"p\"")
        #expect(!csv.contains("\0"))
    }
}
