import Foundation
import SonoChecks
import SonoCodecs
import SonoCore
import SonoReports
import Testing
@testable import SonoPipeline
@testable import SonoAnalysis

/// The batch files are assembled from each written scan's share: made as the scan is written for
/// scans of this run, from its reports read back for resumed scans. Both must give the same bytes.
@Suite("Batch shares of fresh and resumed scans")
struct BatchShareTests {
    static let batchFiles = ["images.jsonl", "summary.csv", "summary.json", "index.html"]

    /// Three scans: b holds a truncated PNG (a failed image), c a copy of one of a's frames (a
    /// cross-scan duplicate, whose index fragments are rendered again with the batch finding).
    static func populate(_ batch: TestBatch) throws {
        try batch.populateMixed()
        try batch.write("in/c/copy.png", bytes: Array(try batch.read("in/a/img2.png")))
        try batch.writePNG("in/c/own.png", width: 29, height: 31, seed: 300)
    }

    static func run(_ input: String, out: String, resume: Bool, html: Bool) throws -> AnalysisSummary {
        let plan = InputDiscovery().plan(inputs: [input])
        var options = AnalysisOptions(outputDirectory: out, resume: resume)
        options.qc = QCSettings(writesHTML: html)
        return try BatchAnalysis.run(plan: plan, options: options, executor: DispatchExecutor(workers: 3), control: RunControl(),
                                     decoder: ImageDecoder())
    }

    @Test(arguments: [true, false])
    func aRunWhereEveryScanIsResumedWritesTheFreshRunsBatchFiles(html: Bool) throws {
        let batch = try TestBatch(name: "resumeEqualsFresh\(html)")
        try Self.populate(batch)
        let input = batch.root + "/in"
        let fresh = try Self.run(input, out: batch.root + "/fresh", resume: false, html: html)
        _ = try Self.run(input, out: batch.root + "/resumed", resume: false, html: html)
        let resumed = try Self.run(input, out: batch.root + "/resumed", resume: true, html: html)
        #expect(resumed.scansResumed == resumed.scansTotal && resumed.scansTotal == 3)
        #expect(fresh.failures == 1 && resumed.failures == 1)
        #expect(fresh.imagesAnalysed == resumed.imagesAnalysed && fresh.verdicts == resumed.verdicts)

        let summary = try decodedJSON(try batch.read("fresh/summary.json"))
        let duplicates = try #require(summary["cross_scan_duplicates"] as? [[String: Any]])
        #expect(duplicates.contains { $0["scan"] as? String == "in/c" && ($0["file"] as? String)?.hasSuffix("in/c/copy.png") == true })
        for file in Self.batchFiles where html || file != "index.html" {
            let freshBytes = try batch.read("fresh/" + file)
            #expect(!freshBytes.isEmpty)
            #expect(freshBytes == (try batch.read("resumed/" + file)), "\(file) differs between a fresh and a resumed run")
        }
        if html {
            // The duplicate's scan is listed with the batch-level finding, which its own report lacks.
            let index = String(decoding: try batch.read("fresh/index.html"), as: UTF8.self)
            #expect(index.contains(RuleID.duplicateAcrossScans.rawValue))
            let report = String(decoding: try batch.read("fresh/scans/in/c/report.json"), as: UTF8.self)
            #expect(!report.contains(RuleID.duplicateAcrossScans.rawValue))
        } else {
            #expect(!FileManager.default.fileExists(atPath: batch.root + "/fresh/index.html"))
        }
    }

    /// A scan whose analysis.json cannot be written (a directory stands in its place) leaves no
    /// share: it is listed as write-failed and contributes nothing else to the batch files.
    @Test func aScanWhoseWriteFailsContributesOnlyItsFailure() throws {
        let batch = try TestBatch()
        try Self.populate(batch)
        let out = batch.root + "/out"
        try FileManager.default.createDirectory(atPath: out + "/scans/in/b/analysis.json/occupied", withIntermediateDirectories: true)
        let summary = try Self.run(batch.root + "/in", out: out, resume: false, html: true)
        #expect(summary.scansReported == 2)
        let json = try decodedJSON(try batch.read("out/summary.json"))
        let scans = try #require(json["scans"] as? [[String: Any]])
        #expect(scans.map { $0["status"] as? String } == ["reported", "write-failed", "reported"])
        let failures = try #require(json["failures"] as? [[String: Any]])
        #expect(failures.map { $0["stage"] as? String } == ["write"])
        let lines = String(decoding: try batch.read("out/images.jsonl"), as: UTF8.self)
        #expect(lines.split(separator: "\n").count == 5 + 2)
        #expect(!lines.contains("/in/b/"))
        let csv = String(decoding: try batch.read("out/summary.csv"), as: UTF8.self)
        #expect(csv.split(separator: "\n").map { $0.split(separator: ",").first } == ["scan", "in/a", "in/c"])
        let index = String(decoding: try batch.read("out/index.html"), as: UTF8.self)
        #expect(!index.contains(ReportLayout.scanFolder(scanKey: "in/b") + "/"))
        #expect(index.contains(ReportLayout.scanFolder(scanKey: "in/a") + "/"))
    }
}
