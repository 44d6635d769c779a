import Foundation
import Testing
import SonoL10n
import SonoCore
import SonoChecks
import SonoInput
import SonoImageAnalysis
import SonoPipeline
@testable import SonoAnalysis
@testable import SonoReports
import SonoBiometry

/// The HTML, index and audit built from the QC engine's own `ScanReport` type.
@Suite("Binding to the QC engine's ScanReport")
struct ScanReportBindingTests {
    static func report(scanID: String, op: String, hcZ: Double, verdictFail: Bool) -> (ScanReport, GrayImage) {
        let frame = Synthetic.frame()
        let fov = FieldOfView.detect(frame)
        let metrics = ImageMetrics.compute(frame, analysisMask: fov.mask, fieldOfViewFraction: fov.fraction)
        var head = HeadAssessment(found: true)
        head.centreXPx = 400; head.centreYPx = 280; head.semiMajorPx = 210; head.semiMinorPx = 160; head.angleDeg = 0
        head.confidenceScore = 0.9
        let findings = [
            Finding(rule: .hcAutomaticVsReported, outcome: verdictFail ? .flagged : .passed, severity: verdictFail ? .fail : .info,
                    file: "\(scanID)/f1.png", measured: 12.5, unit: Message("unit.mm_auto_minus_reported"),
                    threshold: Message("threshold.abs_diff_mm_warn_fail", ["warn": .number(6), "fail": .number(12)]),
                    message: Message(verdictFail ? "finding.MS.differs" : "finding.MS.agrees",
                                     ["measure": .text("hc"), "reported_mm": .number(180), "automatic_mm": .number(192.5), "diff_mm": .number(12.5)])),
            Finding(rule: .landmarksNeedReviewer, outcome: .needsReview, severity: .warning, file: "\(scanID)/f1.png",
                    threshold: Message("threshold.reviewer"), message: Message("finding.HP-006.reviewer")),
        ]
        let image = ImageReport(
            file: "\(scanID)/f1.png", plane: .head, format: "png", widthPx: 800, heightPx: 540,
            calibration: CalibrationInfo(status: .calibrated, mmPerPixel: 0.15, offeredMMPerPixelX: 0.15, offeredMMPerPixelY: 0.15,
                                         source: "manifest", reason: nil),
            metrics: metrics,
            overlays: OverlaySummary(kinds: ["text"], maskedFraction: 0.01, maskedPixelsInFieldOfView: 0,
                                     regions: [Region(x: 10, y: 10, width: 100, height: 20)]),
            perceptualHash: "0123456789abcdef", head: head,
            measurements: [MeasurementRow(measure: "hc", reportedMM: 180, automaticMM: 176, automaticPx: 1173,
                                          reportedZ: hcZ, reportedCentile: 50, automaticZ: hcZ - 0.4)],
            findings: findings)
        let scan = ScanMetadata(scanID: scanID, unitID: "U1", operatorID: op, examDate: "2026-05-04", gestationalAge: "20+3",
                                gestationalAgeDays: 143, gestationalAgeSource: "manifest", fromManifest: true)
        return (ScanReport(scan: scan, reference: ReferenceInfo(profile: QCProfile.default), images: [image], failures: [],
                           findings: []), frame)
    }

    /// Writes the scan's page and thumbnails as `sonoqc analyze` does: each thumbnail rendered by
    /// the QC stage from the frame and its field of view, the page by the batch's scan-page writer.
    static func writePage(_ report: ScanReport, frame: GrayImage, scanKey: String, to directory: URL,
                          language: Language = .en) throws {
        let fov = FieldOfView.detect(frame)
        let thumbnails = report.images.map { (file: $0.file, jpeg: QCStage.thumbnail(frame, report: $0, fieldOfView: fov)) }
        try BatchAnalysis.writeScanPage(ScanReportView(report: report, language: language), thumbnails: thumbnails, scanKey: scanKey, directory: directory.path,
                                        language: language, writer: AtomicFileWriter())
    }

    @Test("a QC engine report becomes a valid page with the engine's verdict, reasons, findings and geometry")
    func reportBecomesPage() throws {
        let (report, frame) = Self.report(scanID: "B1", op: "op-x", hcZ: 0.2, verdictFail: true)
        let view = ScanReportView(report: report)
        #expect(view.verdict == .fail)
        #expect(view.reasons == report.verdict.reasons)
        #expect(view.images[0].findings.map(\.severity) == [.fail, .needsReviewer])
        #expect(view.images[0].findings[0].value == "12.50 mm (automatic - reported)")
        #expect(view.images[0].overlay.skullEllipse?.semiAxisAPixels == 210)
        let reported = try #require(view.images[0].overlay.reportedHCEllipse)
        #expect(abs(reported.perimeterPixels * 0.15 - 180) < 1e-6)
        #expect(view.images[0].metrics.contains { $0.name == "Mean grey" })
        #expect(view.images[0].metrics.contains { $0.name == "Field of view fraction" })
        #expect(view.images[0].metrics.contains { $0.name == "Skull brain GCNR" })
        // The same report worded in Chinese: reasons, findings and metric names from the zh-CN catalogue.
        let zh = ScanReportView(report: report, language: .zhCN)
        #expect(zh.reasons == ["MS-001 B1/f1.png：报告的头围 180 mm 与自动测量 192.5 mm 相差 12.5 mm",
                               "HP-006 B1/f1.png：需复核：质控审核医师核查项：丘脑横切面上丘脑、透明隔腔是否可见，小脑是否不在切面内（不根据像素判断；本身不作为复核理由）"])
        #expect(zh.images[0].findings[0].value == "12.50 mm（自动 - 报告）")
        #expect(zh.images[0].findings[0].ruleTitle == "报告头围与自动头围对比")
        #expect(zh.images[0].metrics.contains { $0.name == "平均灰度" })
        #expect(zh.gestationalAgeNote == "已注明")
        #expect(view.gestationalAgeNote == "stated")

        let out = Synthetic.temporaryDirectory("binding")
        // Pipeline scan keys nest ("<batch>/<scan>"); links must still resolve both ways.
        let key = "batch x/B1"
        // "batch x" is not a plain name: sanitised with a digest suffix so it cannot meet "batch_x".
        #expect(ReportLayout.scanFolder(scanKey: key) == "scans/" + FileName.safeComponent("batch x") + "/B1")
        #expect(ReportLayout.scanFolder(scanKey: key).hasPrefix("scans/batch_x-"))
        #expect(ReportLayout.indexHref(scanKey: key) == "../../../index.html")
        let dir = out.appendingPathComponent(ReportLayout.scanFolder(scanKey: key))
        try Self.writePage(report, frame: frame, scanKey: key, to: dir)
        try BatchIndexWriter.write(reports: [(report, key)], to: out)
        for page in [dir.appendingPathComponent("report.html"), out.appendingPathComponent("index.html")] {
            let html = try String(contentsOf: page, encoding: .utf8)
            let check = HTMLStructure(html, baseDirectory: page.deletingLastPathComponent())
            #expect(check.problems.isEmpty, "\(page.lastPathComponent): \(check.problems)")
        }
        let html = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("<code>MS-001</code> reported HC vs automatic HC"))
        #expect(html.contains("Reference chart"))
    }

    @Test("the audit reads report.json files written by the engine's Codable model")
    func auditReadsReportJSON() throws {
        let out = Synthetic.temporaryDirectory("audit-input")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        for (i, z) in [0.1, -0.2, 0.3].enumerated() {
            let (report, _) = Self.report(scanID: "S\(i)", op: i == 2 ? "op-b" : "op-a", hcZ: z, verdictFail: i == 0)
            let dir = out.appendingPathComponent("scans/S\(i)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try encoder.encode(report).write(to: dir.appendingPathComponent("report.json"))
        }
        let records = try AuditInput.records(fromReportsIn: [out])
        #expect(records.map(\.scanID) == ["S0", "S1", "S2"])
        #expect(records[0].verdict == .fail && records[1].verdict == .review)
        #expect(records[0].firedRuleIDs == ["MS-001", "HP-006"])
        #expect(records[1].firedRuleIDs == ["HP-006"])
        #expect(records[2].reportedZScores[.hc] == 0.3)
        #expect(throws: ReportError.noReports(directory: out.appendingPathComponent("nothing").path)) {
            try AuditInput.records(fromReportsIn: [out.appendingPathComponent("nothing")])
        }
    }
}
