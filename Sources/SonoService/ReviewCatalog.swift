import Foundation
package import SonoChecks
import SonoCore
import SonoReports

/// One image as the review workspace lists it, read from a done batch's published reports.
package struct ReviewItem: Sendable {
    package var batchID: String
    package var batchName: String
    /// The uploading account (the unit that may read it).
    package var owner: String
    package var scanIndex: Int
    package var imageIndex: Int
    package var scanID: String
    package var unitID: String?
    package var operatorID: String?
    package var examDate: String?
    /// Stated gestational age of the scan in days, when known.
    package var gestationalAgeDays: Int?
    /// Path of the image in the report (analysis input relative); `fileName` is its last component,
    /// the name it was uploaded under and the key decisions use.
    package var file: String
    package var fileName: String
    /// Worst of the image's verdict and the scan-level findings about this file (duplicates).
    package var status: Verdict.Value
    /// Actionable findings about this image, most severe first.
    package var findings: [Finding]
    package var image: ImageReport
    /// The scan directory under the batch's results, e.g. `scans/x/H0415-01`.
    package var scanDirectory: String

    package var key: String { "\(batchID)/\(scanIndex)/\(imageIndex)" }
    package var rules: [String] { Array(Set(findings.map(\.rule.rawValue))).sorted() }
    package var thumbnail: String {
        "/api/v1/batches/\(batchID)/\(scanDirectory)/\(ReportLayout.thumbnailFileName(index: imageIndex, file: file))"
    }
    var severityRank: Int { findings.map { $0.severity == .fail ? 2 : $0.severity == .warning ? 1 : 0 }.max() ?? -1 }
    var statusRank: Int { status == .fail ? 0 : status == .review ? 1 : 2 }
}

/// A scan of a done batch: its report and where it lives.
package struct ReviewScan: Sendable {
    package var batch: Batch
    package var index: Int
    package var directory: String
    package var report: ScanReport
}

/// Reads what the workers published (`summary.json` and each scan's `report.json`) for the batches
/// a caller may see. Outputs never change once published, so nothing here needs locking.
struct ReviewCatalog: Sendable {
    let layout: DataLayout

    private struct Summary: Decodable {
        struct Scan: Decodable { var report: String? }
        var scans: [Scan]
    }

    func scans(of batch: Batch) throws -> [ReviewScan] {
        guard batch.state == .done else { return [] }
        let root = layout.result(batch.id)
        guard let data = FileManager.default.contents(atPath: root + "/summary.json") else { return [] }
        let summary: Summary
        do {
            summary = try JSONDecoder().decode(Summary.self, from: data)
        } catch {
            throw ServiceError.storage("summary.json of batch \(batch.id) is unreadable: \(error)")
        }
        var out: [ReviewScan] = []
        for (index, scan) in summary.scans.enumerated() {
            guard let report = scan.report, let bytes = FileManager.default.contents(atPath: root + "/" + report) else { continue }
            do {
                let decoded = try JSONDecoder().decode(ScanReport.self, from: bytes)
                out.append(ReviewScan(batch: batch, index: index, directory: (report as NSString).deletingLastPathComponent,
                                      report: decoded))
            } catch {
                throw ServiceError.storage("\(report) of batch \(batch.id) is unreadable: \(error)")
            }
        }
        return out
    }

    func items(of batch: Batch) throws -> [ReviewItem] {
        try scans(of: batch).flatMap(items)
    }

    func items(_ scan: ReviewScan) -> [ReviewItem] {
        scan.report.images.enumerated().map { n, image in
            let scanLevel = scan.report.findings.filter { $0.file == image.file && $0.isActionable }
            let findings = (image.findings.filter(\.isActionable) + scanLevel).sorted {
                ($0.severity, $1.rule) > ($1.severity, $0.rule)
            }
            var status = image.verdict.value
            for f in scanLevel where status != .fail {
                status = f.severity == .fail && f.outcome == .flagged ? .fail : .review
            }
            return ReviewItem(batchID: scan.batch.id, batchName: scan.batch.name, owner: scan.batch.unit, scanIndex: scan.index,
                              imageIndex: n, scanID: scan.report.scan.scanID, unitID: scan.report.scan.unitID,
                              operatorID: scan.report.scan.operatorID, examDate: scan.report.scan.examDate,
                              gestationalAgeDays: scan.report.scan.gestationalAgeDays, file: image.file,
                              fileName: image.file.split(separator: "/").last.map(String.init) ?? image.file, status: status,
                              findings: findings, image: image, scanDirectory: scan.directory)
        }
    }
}

/// The queue's order and filters (all of them live in the page URL).
package struct QueueFilter: Sendable, Equatable {
    package var unit: String?
    package var operatorID: String?
    package var rule: String?
    package var verdict: String?
    /// Exam date from / to, ISO `YYYY-MM-DD`, inclusive.
    package var from: String?
    package var to: String?

    package init(unit: String? = nil, operatorID: String? = nil, rule: String? = nil, verdict: String? = nil,
                from: String? = nil, to: String? = nil) {
        self.unit = unit
        self.operatorID = operatorID
        self.rule = rule
        self.verdict = verdict
        self.from = from
        self.to = to
    }

    func matches(_ item: ReviewItem) -> Bool {
        if let unit, item.unitID != unit { return false }
        if let operatorID, item.operatorID != operatorID { return false }
        if let rule, !item.rules.contains(rule) { return false }
        if let verdict, item.status.rawValue != verdict { return false }
        if let from, (item.examDate ?? "") < from { return false }
        if let to, (item.examDate ?? "9999") > to { return false }
        return true
    }
}

package enum ReviewQueue {
    /// Flagged images first (fail, then review by severity and number of findings), then the
    /// seeded sample of passed images (`passShare` of them), each group in a stable order.
    package static func order(_ items: [ReviewItem], passShare: Double, seed: UInt64) -> [ReviewItem] {
        let kept = items.filter {
            $0.status != .pass || ReviewSampling.selected($0.batchID + "/" + $0.fileName, share: passShare, seed: seed, salt: "pass-sample")
        }
        return kept.sorted {
            ($0.statusRank, -$0.severityRank, -$0.findings.count, $0.batchID, $0.scanIndex, $0.imageIndex)
                < ($1.statusRank, -$1.severityRank, -$1.findings.count, $1.batchID, $1.scanIndex, $1.imageIndex)
        }
    }
}
