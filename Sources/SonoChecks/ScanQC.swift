import Foundation
package import SonoCore
import SonoBiometry
import SonoL10n
package import SonoInput
import SonoImageAnalysis

/// Per-scan assembly: image reports plus scan-level rules (manifest rows without images,
/// undecodable images, duplicates within the scan) into a ``ScanReport``. Pure.
package enum ScanQC {
    /// - Parameters:
    ///   - images: reports in manifest order (directory scans: sorted by path).
    ///   - failures: images that produced no frame, with their error summary.
    ///   - missingFiles: manifest rows of this scan whose file does not exist.
    package static func assess(scan: ScanMetadata, images: [ImageReport], failures: [ImageFailure], missingFiles: [String] = [],
                              profile: QCProfile) -> ScanReport {
        var findings: [Finding] = []
        for file in missingFiles {
            findings.append(Finding(rule: .manifestImageMissing, outcome: .flagged, severity: .warning, file: file,
                                    threshold: Message("threshold.manifest_row_has_image"), message: Message("finding.MAN-001.missing")))
        }
        for failure in failures {
            findings.append(Finding(rule: .imageUndecodable, outcome: .flagged, severity: .warning, file: failure.file,
                                    threshold: Message("threshold.image_decodes"),
                                    message: Message("finding.MAN-003.unreadable", ["error": .text(failure.error)])))
        }
        findings += Duplicates.findings(images.map { ($0.file, $0.perceptualHash) }, rule: .duplicateWithinScan,
                                        maxDistance: profile.duplicates.maxNearDuplicateHammingDistance)
        return ScanReport(scan: scan, reference: ReferenceInfo(profile: profile), images: images, failures: failures, findings: findings)
    }
}

extension ScanMetadata {
    /// Metadata of a manifest scan; the stated GA comes from `gestational_age`, else LMP + exam date.
    package init(entry: ScanEntry) {
        var days: Int? = nil
        var source: String? = nil
        if let text = entry.gestationalAge, let ga = try? GestationalAge(parsing: text) {
            days = ga.totalDays
            source = "manifest"
        } else if let lmp = entry.lmpDate, let exam = entry.examDate,
                  let ga = try? GestationalAge(lastMenstrualPeriod: lmp, examDate: exam) {
            days = ga.totalDays
            source = "lmp"
        }
        self.init(scanID: entry.scanID, unitID: entry.unitID, operatorID: entry.operatorID, examDate: entry.examDate,
                  gestationalAge: days.map { "\($0 / 7)+\($0 % 7)" }, gestationalAgeDays: days, gestationalAgeSource: source,
                  fromManifest: true)
    }
}

extension ImageContext {
    /// Contexts for every image of a manifest scan, in manifest order.
    package static func contexts(for scan: ScanEntry) -> [ImageContext] {
        let days = ScanMetadata(entry: scan).gestationalAgeDays
        return scan.images.map { image in
            ImageContext(scanID: scan.scanID, file: image.file, plane: image.plane, reported: image.reported,
                         manifestSpacingMMPerPixel: image.pixelSpacingMM ?? scan.pixelSpacingMM, gestationalAgeDays: days)
        }
    }
}

/// Batch-level rules: duplicates across scans, images on disk missing from the manifest.
package enum BatchQC {
    /// Finds frames identical or near-identical to a frame of an earlier scan (DUP-002). Scans are
    /// fed one at a time in batch order and only each frame's (scan, file, hash) is kept, so a
    /// batch is checked without holding its reports in memory.
    package struct CrossScanDuplicates {
        let maxDistance: Int
        private var seen = SeenFrames()

        package init(profile: QCProfile) {
            maxDistance = profile.duplicates.maxNearDuplicateHammingDistance
        }

        /// The DUP-002 findings of `report`'s frames against the frames of every earlier scan; see
        /// ``findings(scanID:frames:)``.
        package mutating func findings(for report: ScanReport) -> [Finding] {
            findings(scanID: report.scan.scanID, frames: report.images.map { ($0.file, $0.perceptualHash) })
        }

        /// The DUP-002 findings of a scan's frames (file and perceptual hash, in report order)
        /// against the frames of every earlier scan (the closest match; ties go to the smaller scan
        /// id, then file), then remembers its frames. Frames of the same scan are not compared
        /// here: DUP-001 covers them. Takes only what it keeps, so a batch run need not hold or
        /// re-read a scan's report to check it.
        package mutating func findings(scanID: String, frames: [(file: String, hash: String)]) -> [Finding] {
            var findings: [Finding] = []
            let earlier = seen.count
            for frame in frames {
                guard let hash = PerceptualHash.parse(hex: frame.hash) else { continue }
                if let match = seen.nearest(to: hash, amongFirst: earlier, maxDistance: maxDistance) {
                    findings.append(duplicateFinding(rule: .duplicateAcrossScans, file: frame.file, other: match.file,
                                                     otherScan: match.scanID, distance: match.distance, maxDistance: maxDistance))
                }
                seen.append(scanID: scanID, file: frame.file, hash: hash)
            }
            return findings
        }
    }

    /// MAN-002 findings for images found under the batch directory that no manifest row lists.
    package static func unlistedImageFindings(_ reconciliation: ManifestReconciliation) -> [Finding] {
        reconciliation.unlistedImages.map {
            Finding(rule: .manifestImageUnlisted, outcome: .flagged, severity: .warning, file: $0,
                    threshold: Message("threshold.image_in_manifest"), message: Message("finding.MAN-002.unlisted"))
        }
    }

    /// `otherScan` names the other frame's scan when it is not this one.
    static func duplicateFinding(rule: RuleID, file: String, other: String, otherScan: String? = nil, distance: Int, maxDistance: Int) -> Finding {
        var args: [String: MessageArg] = ["other": .text(other), "distance": .number(Double(distance))]
        if let otherScan { args["other_scan"] = .text(otherScan) }
        let message = switch (distance == 0, otherScan == nil) {
        case (true, true): Message("finding.DUP.identical", args)
        case (false, true): Message("finding.DUP.near", args)
        case (true, false): Message("finding.DUP.identical_other_scan", args)
        case (false, false): Message("finding.DUP.near_other_scan", args)
        }
        return Finding(rule: rule, outcome: .flagged, severity: .warning, file: file, measured: Double(distance), unit: Message("unit.hamming"),
                       threshold: Message("threshold.duplicate", ["max": .number(Double(maxDistance))]), message: message)
    }
}

enum Duplicates {
    /// Each frame is compared with the frames before it; the later frame carries the finding.
    static func findings(_ frames: [(file: String, hash: String)], rule: RuleID, maxDistance: Int) -> [Finding] {
        var out: [Finding] = []
        var earlier = SeenFrames()
        for frame in frames {
            guard let h = PerceptualHash.parse(hex: frame.hash) else { continue }
            if let match = earlier.nearest(to: h, amongFirst: earlier.count, maxDistance: maxDistance) {
                out.append(BatchQC.duplicateFinding(rule: rule, file: frame.file, other: match.file, distance: match.distance,
                                                    maxDistance: maxDistance))
            }
            earlier.append(scanID: "", file: frame.file, hash: h)
        }
        return out
    }
}

/// Frames seen so far, as (scan, file, perceptual hash) in parallel arrays so that the search for
/// the nearest earlier frame is a tight loop over the hashes.
struct SeenFrames {
    private var hashes: [UInt64] = []
    private var scanIDs: [String] = []
    private var files: [String] = []

    var count: Int { hashes.count }

    mutating func append(scanID: String, file: String, hash: UInt64) {
        hashes.append(hash)
        scanIDs.append(scanID)
        files.append(file)
    }

    /// The closest of the first `limit` frames within `maxDistance` of `hash`; ties go to the
    /// smaller scan id, then the smaller file name.
    func nearest(to hash: UInt64, amongFirst limit: Int, maxDistance: Int) -> (scanID: String, file: String, distance: Int)? {
        var best: (index: Int, distance: Int)? = nil
        for i in 0..<limit {
            let distance = PerceptualHash.distance(hashes[i], hash)
            guard distance <= maxDistance else { continue }
            if let b = best, (b.distance, scanIDs[b.index], files[b.index]) <= (distance, scanIDs[i], files[i]) { continue }
            best = (i, distance)
        }
        return best.map { (scanIDs[$0.index], files[$0.index], $0.distance) }
    }
}
