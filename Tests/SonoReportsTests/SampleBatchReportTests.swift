import Foundation
import Logging
import Testing
import SonoAnalysis
import SonoCore
import SonoPipeline
import SonoTestSupport
@testable import SonoReports
import SonoBiometry

/// End to end over the committed simulator batches, through `sonoqc analyze`'s own code path
/// (`BatchAnalysis.analyze`): the pages it writes for `samples/` pass the structural check, and
/// the audit of the operator-audit batch flags exactly the operator the simulator biased.
///
/// Set `SONOQC_REPORTS_PREVIEW=<dir>` to keep the output (scripts/screenshots.sh renders it).
@Suite("Reports for the simulated sample batches", .serialized)
struct SampleBatchReportTests {
    static let samples = Repository.path("samples")

    static var outputRoot: URL {
        if let dir = ProcessInfo.processInfo.environment["SONOQC_REPORTS_PREVIEW"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        return Synthetic.temporaryDirectory("samples")
    }

    /// Analyses one sample batch into `out` as `sonoqc analyze` does; returns the report folders
    /// (`scans/…`) that summary.json lists.
    static func analyze(batch: String, into out: URL) throws -> [String] {
        var logger = Logger(label: "sonoqc.tests")
        logger.logLevel = .warning
        let summary = try BatchAnalysis.analyze(inputs: [samples.appendingPathComponent(batch).path], outputDirectory: out.path,
                                                workers: 2, qc: QCSettings(), control: RunControl(), logger: logger)
        #expect(summary.complete && summary.failures == 0)
        let written = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as? [String: Any]
        let scans = (written?["scans"] as? [[String: Any]]) ?? []
        return scans.compactMap { ($0["report"] as? String).map { ($0 as NSString).deletingLastPathComponent } }
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
        let folders = try Self.analyze(batch: batch, into: out)
        #expect(!folders.isEmpty)
        let problems = try Self.checkPages(in: out)
        #expect(problems.isEmpty, "\(problems.prefix(10))")
        let index = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        for folder in folders {
            #expect(index.contains("href=\"\(folder)/report.html\""), "\(folder)")
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
