import Foundation
import Testing
import SonoCore
import SonoCodecs
import SonoChecks
import SonoInput
@testable import SonoReports

/// End to end over the committed simulator batches: the QC engine's reports for `samples/`
/// become pages that pass the structural check, and the audit of the operator-audit batch
/// flags exactly the operator the simulator biased.
///
/// Set `SONOQC_REPORTS_PREVIEW=<dir>` to keep the output (scripts/screenshots.sh renders it).
@Suite("Reports for the simulated sample batches", .serialized)
struct SampleBatchReportTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples")

    static var outputRoot: URL {
        if let dir = ProcessInfo.processInfo.environment["SONOQC_REPORTS_PREVIEW"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        return Synthetic.temporaryDirectory("samples")
    }

    /// Runs the engine over one manifest batch and writes report.json + report.html per scan and
    /// the batch index, as `sonoqc analyze` does. Returns the reports with their scan keys.
    static func analyze(batch: String, into out: URL) throws -> [(report: ScanReport, scanKey: String)] {
        let dir = samples.appendingPathComponent(batch)
        let manifest = try JSONDecoder().decode(BatchManifest.self, from: Data(contentsOf: dir.appendingPathComponent("manifest.json")))
        let profile = QCProfile.default
        let decoder = ImageDecoder()
        var results: [(ScanReport, String, [GrayImage?])] = []
        for scan in manifest.scans {
            var images: [ImageReport] = [], frames: [GrayImage?] = [], failures: [ImageFailure] = []
            for context in ImageContext.contexts(for: scan) {
                do {
                    let frame = try decoder.decodeFile(atPath: dir.appendingPathComponent(context.file).path)
                    images.append(FrameQC.analyze(frame: frame, context: context, profile: profile))
                    frames.append(frame.image)
                } catch {
                    failures.append(ImageFailure(file: context.file, error: String(describing: error)))
                }
            }
            let report = ScanQC.assess(scan: ScanMetadata(entry: scan), images: images, failures: failures, profile: profile)
            results.append((report, "\(batch)/\(scan.scanID)", frames))
        }
        let reports = BatchQC.crossScanDuplicates(results.map(\.0), profile: profile)
        var keyed: [(report: ScanReport, scanKey: String)] = []
        for (report, (_, key, frames)) in zip(reports, results) {
            let folder = out.appendingPathComponent(ReportLayout.scanFolder(scanKey: key))
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try ReportJSON.encode(report).write(to: folder.appendingPathComponent("report.json"))
            try HTMLReportWriter.write(report: report, frames: frames, to: folder, indexHref: ReportLayout.indexHref(scanKey: key))
            keyed.append((report, key))
        }
        try BatchIndexWriter.write(reports: keyed, to: out, title: "SonoQC batch report — \(batch)")
        return keyed
    }

    static func checkPages(in out: URL) throws -> [String] {
        var problems: [String] = []
        let walker = FileManager.default.enumerator(at: out, includingPropertiesForKeys: nil)
        while let url = walker?.nextObject() as? URL {
            guard url.pathExtension == "html" else { continue }
            let html = try String(contentsOf: url, encoding: .utf8)
            problems += HTMLStructure(html, baseDirectory: url.deletingLastPathComponent()).problems.map { "\(url.path): \($0)" }
        }
        return problems
    }

    @Test("reports for every image-defect batch are structurally valid and link every scan",
          .enabled(if: FileManager.default.fileExists(atPath: samples.appendingPathComponent("hospital-day/manifest.json").path)),
          arguments: ["hospital-day", "defects-overlays-duplicates", "defects-acquisition", "clean-18-40"])
    func batchPagesAreValid(batch: String) throws {
        let out = Self.outputRoot.appendingPathComponent(batch)
        let reports = try Self.analyze(batch: batch, into: out)
        #expect(!reports.isEmpty)
        let problems = try Self.checkPages(in: out)
        #expect(problems.isEmpty, "\(problems.prefix(10))")
        let index = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        for (_, key) in reports {
            #expect(index.contains("href=\"\(ReportLayout.scanFolder(scanKey: key))/report.html\""))
        }
    }

    @Test("the audit of the operator-audit batch flags the operator biased 4 % short and no one else",
          .enabled(if: FileManager.default.fileExists(atPath: samples.appendingPathComponent("operator-audit/manifest.json").path)))
    func auditFlagsTheBiasedOperator() throws {
        let out = Self.outputRoot.appendingPathComponent("operator-audit")
        _ = try Self.analyze(batch: "operator-audit", into: out)
        let records = try AuditInput.records(fromReportsIn: [out])
        #expect(records.count == 105)
        let audit = AuditAnalysis(records: records)
        let flagged = audit.groups.filter { $0.kind == .operator && $0.hasConcern }.map(\.id)
        #expect(flagged == ["op-b"], "\(audit.groups.map { ($0.id, $0.measures.map { ($0.measure, $0.meanZ ?? .nan, $0.sdZ ?? .nan) }) })")
        let opB = try #require(audit.groups.first { $0.kind == .operator && $0.id == "op-b" })
        #expect(opB.measures.first { $0.measure == .hc }?.flags.contains { if case .biasLow = $0 { true } else { false } } == true)
        let page = try AuditReport.write(audit, sources: [out.path], to: out.appendingPathComponent("audit"))
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(HTMLStructure(html, baseDirectory: page.deletingLastPathComponent()).problems.isEmpty)
    }
}
