package import Foundation
import SonoBiometry
package import SonoChecks

/// Finds and reads the per-scan `report.json` files the audit aggregates.
package enum AuditInput {
    /// Every `report.json` below `<directory>/scans/`, sorted by path (scan ids containing '/'
    /// give nested folders, so the search is recursive).
    /// - Throws: ``ReportError/noReports(directory:)`` when a directory holds none.
    package static func reportFiles(in directory: URL) throws(ReportError) -> [URL] {
        let scans = directory.appendingPathComponent(ReportLayout.scansDirectory)
        guard let walker = FileManager.default.enumerator(at: scans, includingPropertiesForKeys: nil) else {
            throw .noReports(directory: directory.path)
        }
        var files: [URL] = []
        for case let url as URL in walker where url.lastPathComponent == "report.json" {
            files.append(url)
        }
        guard !files.isEmpty else { throw .noReports(directory: directory.path) }
        return files.sorted { $0.path < $1.path }
    }

    /// Audit records of every scan report under each of `directories`, in path order.
    /// - Throws: ``ReportError/noReports(directory:)``, ``ReportError/unreadableReport(path:reason:)``.
    package static func records(fromReportsIn directories: [URL]) throws(ReportError) -> [AuditRecord] {
        var records: [AuditRecord] = []
        for directory in directories {
            for file in try reportFiles(in: directory) {
                records.append(try record(fromReportAt: file))
            }
        }
        return records
    }
}

extension AuditInput {
    /// Decodes one `report.json` and reduces it to an ``AuditRecord``.
    package static func record(fromReportAt url: URL) throws(ReportError) -> AuditRecord {
        let report: ScanReport
        do {
            report = try JSONDecoder().decode(ScanReport.self, from: Data(contentsOf: url))
        } catch {
            throw .unreadableReport(path: url.path, reason: String(describing: error))
        }
        var record = AuditRecord(report: report)
        record.reportPage = url.deletingLastPathComponent().appendingPathComponent("report.html")
        return record
    }
}

extension AuditRecord {
    /// The audit's view of a scan report: verdict, rules with an actionable finding, and the
    /// engine's z-scores of the *reported* values (mean per measure over the scan's images).
    package init(report: ScanReport) {
        var sums: [BiometricMeasure: (Double, Int)] = [:]
        for image in report.images {
            for row in image.measurements {
                guard let measure = BiometricMeasure(rawValue: row.measure.lowercased()), let z = row.reportedZ,
                      z.isFinite else { continue }
                let s = sums[measure, default: (0, 0)]
                sums[measure] = (s.0 + z, s.1 + 1)
            }
        }
        let findings = report.images.flatMap(\.findings) + report.findings
        // An image counts as flagged when its own verdict is not a pass or a scan-level finding
        // names it (a duplicate), as the review queue counts it.
        let images = report.images.map { image in
            ReviewedImage(key: ReviewedImage.scanKey(scan: report.scan.scanID, file: image.file), unitID: report.scan.unitID,
                          operatorID: report.scan.operatorID,
                          flagged: image.verdict.value != .pass || report.findings.contains { $0.file == image.file && $0.isActionable })
        }
        self.init(scanID: report.scan.scanID, unitID: report.scan.unitID, operatorID: report.scan.operatorID,
                  examDate: report.scan.examDate, verdict: AuditVerdict(report.verdict.value),
                  firedRuleIDs: Set(findings.filter(\.isActionable).map(\.rule.rawValue)),
                  reportedZScores: sums.mapValues { $0.0 / Double($0.1) }, images: images)
    }
}
