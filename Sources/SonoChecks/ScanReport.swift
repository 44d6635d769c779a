package import SonoCore
package import SonoInput
package import SonoImageAnalysis

/// What the pipeline knows about an image before looking at its pixels.
package struct ImageContext: Sendable, Hashable {
    package var scanID: String
    /// Path relative to the batch directory; it names the image in every report.
    package var file: String
    package var plane: Plane
    package var reported: ReportedMeasurements
    /// Image-level spacing from the manifest, else the scan's; nil when the manifest gives none.
    package var manifestSpacingMMPerPixel: Double?
    /// Stated gestational age (from `gestational_age`, else LMP + exam date); nil when unknown.
    package var gestationalAgeDays: Int?

    package init(scanID: String, file: String, plane: Plane = .unknown, reported: ReportedMeasurements = ReportedMeasurements(),
                manifestSpacingMMPerPixel: Double? = nil, gestationalAgeDays: Int? = nil) {
        self.scanID = scanID
        self.file = file
        self.plane = plane
        self.reported = reported
        self.manifestSpacingMMPerPixel = manifestSpacingMMPerPixel
        self.gestationalAgeDays = gestationalAgeDays
    }
}

/// pass / review / fail, with the findings that decided it.
package struct Verdict: Sendable, Codable, Hashable {
    /// The findings behind `reasons`, in their order: the actionable ones, fail first, then by rule
    /// and file. Pages use it to word the reasons in their own language.
    package static func deciding(_ findings: [Finding]) -> [Finding] {
        findings.filter(\.isActionable).sorted { a, b in
            if a.severity != b.severity { return a.severity > b.severity }
            if a.rule != b.rule { return a.rule < b.rule }
            return (a.file ?? "") < (b.file ?? "")
        }
    }

    package enum Value: String, Sendable, Codable, Hashable, CaseIterable {
        case pass, review, fail
    }

    package var value: Value
    /// One line per deciding finding: `"<rule> <file>: <explanation>"`, fail first, in catalogue order.
    package var reasons: [String]

    package init(value: Value, reasons: [String]) {
        self.value = value
        self.reasons = reasons
    }

    /// fail when any finding is flagged with severity fail; review when any is flagged as a warning
    /// or needs review; pass otherwise. Info and not-checkable findings never change the verdict.
    package static func derive(from findings: [Finding]) -> Verdict {
        let ordered = deciding(findings)
        let value: Value = ordered.contains { $0.outcome == .flagged && $0.severity == .fail } ? .fail
            : ordered.isEmpty ? .pass : .review
        return Verdict(value: value, reasons: ordered.map { f in
            let where_ = f.file.map { " \($0)" } ?? ""
            let what = f.outcome == .needsReview ? "needs review: " : ""
            return "\(f.rule.rawValue)\(where_): \(what)\(f.explanation)"
        })
    }
}

/// One biometric length as reported and as measured, with its chart position.
package struct MeasurementRow: Sendable, Codable, Hashable {
    /// `hc`, `bpd`, `ofd`, `ac`, `fl`.
    package var measure: String
    package var reportedMM: Double?
    /// Automatic value in mm; nil when there is none or the image is uncalibrated.
    package var automaticMM: Double?
    /// Automatic value in pixels (always given when there is an automatic value).
    package var automaticPx: Double?
    /// z-score and centile of the reported value at the stated gestational age.
    package var reportedZ: Double?
    package var reportedCentile: Double?
    /// z-score of the automatic value (mm) at the stated gestational age.
    package var automaticZ: Double?

    package init(measure: String, reportedMM: Double? = nil, automaticMM: Double? = nil, automaticPx: Double? = nil,
                reportedZ: Double? = nil, reportedCentile: Double? = nil, automaticZ: Double? = nil) {
        self.measure = measure
        self.reportedMM = JSONNumber.rounded(reportedMM)
        self.automaticMM = JSONNumber.rounded(automaticMM)
        self.automaticPx = JSONNumber.rounded(automaticPx)
        self.reportedZ = JSONNumber.rounded(reportedZ)
        self.reportedCentile = JSONNumber.rounded(reportedCentile)
        self.automaticZ = JSONNumber.rounded(automaticZ)
    }
}

/// The automatic head measurement and the plane criteria computed from it.
package struct HeadAssessment: Sendable, Codable, Hashable {
    /// False when the measurer found no credible skull; `failure` says why.
    package var found: Bool
    package var failure: String?
    package var centreXPx: Double?
    package var centreYPx: Double?
    package var semiMajorPx: Double?
    package var semiMinorPx: Double?
    /// Major-axis angle from +x towards +y, degrees in (−90, 90].
    package var angleDeg: Double?
    package var confidenceScore: Double?
    package var perimeterSupport: Double?
    package var ringContrastRatio: Double?
    /// Ellipse area / image area (ISUOG magnification criterion).
    package var areaFractionOfImage: Double?
    /// Ellipse area / field-of-view area.
    package var areaFractionOfFieldOfView: Double?
    /// Fraction of the outline inside the detected field of view and the image.
    package var outlineInFieldOfView: Double?
    /// How much dimmer the weaker of the near and far skull walls is than the ring's bright echoes
    /// (0 = both walls fully bright, 1 = one wall no brighter than brain); oblique sections lose arcs.
    package var ringEchoDeficit: Double?
    package var midlineContrast: Double?
    /// Expected |automatic − expert| HC in mm (``HeadErrorModel``); nil when uncalibrated.
    package var expectedHCErrorMM: Double?
    /// Plane score: points of the automatically judged plane criteria (HP-002…HP-005) that passed,
    /// in the spirit of Salomon et al. 2006; see docs/qc-rules.md.
    package var planeScore: Int?
    /// Points available to ``planeScore``.
    package var planeScoreMax: Int?

    package init(found: Bool, failure: String? = nil) {
        self.found = found
        self.failure = failure
    }

    mutating func roundNumbers() {
        for kp in [\HeadAssessment.centreXPx, \.centreYPx, \.semiMajorPx, \.semiMinorPx, \.angleDeg, \.confidenceScore, \.perimeterSupport,
                   \.ringContrastRatio, \.areaFractionOfImage, \.areaFractionOfFieldOfView, \.outlineInFieldOfView, \.ringEchoDeficit,
                   \.midlineContrast, \.expectedHCErrorMM] {
            self[keyPath: kp] = JSONNumber.rounded(self[keyPath: kp])
        }
    }
}

/// Everything the QC engine concluded about one image.
package struct ImageReport: Sendable, Codable, Hashable {
    package var file: String
    package var plane: Plane
    package var format: String
    package var widthPx: Int
    package var heightPx: Int
    /// Colour-management chunks the file carried (`gAMA`, `cHRM`, `sRGB`, `iCCP`), which SonoQC
    /// does not apply: every metric is of the stored samples. Absent when the file had none.
    package var colourChunks: [String]?
    package var calibration: CalibrationInfo
    package var metrics: ImageMetrics
    package var overlays: OverlaySummary
    /// 64-bit DCT perceptual hash, 16 lower-case hex digits.
    package var perceptualHash: String
    package var head: HeadAssessment?
    package var measurements: [MeasurementRow]
    package var findings: [Finding]
    package var verdict: Verdict

    package init(file: String, plane: Plane, format: String, widthPx: Int, heightPx: Int, colourChunks: [String] = [],
                calibration: CalibrationInfo, metrics: ImageMetrics, overlays: OverlaySummary, perceptualHash: String,
                head: HeadAssessment?, measurements: [MeasurementRow], findings: [Finding]) {
        self.file = file
        self.plane = plane
        self.format = format
        self.widthPx = widthPx
        self.heightPx = heightPx
        self.colourChunks = colourChunks.isEmpty ? nil : colourChunks
        self.calibration = calibration
        self.metrics = metrics
        self.overlays = overlays
        self.perceptualHash = perceptualHash
        self.head = head
        self.measurements = measurements
        self.findings = findings
        self.verdict = Verdict.derive(from: findings)
    }
}

/// An image of the scan that produced no report (unreadable, undecodable, cancelled).
package struct ImageFailure: Sendable, Codable, Hashable {
    package var file: String
    package var error: String

    package init(file: String, error: String) {
        self.file = file
        self.error = error
    }
}

/// Identifying data of a scan, copied from the manifest (or derived from the directory).
package struct ScanMetadata: Sendable, Codable, Hashable {
    package var scanID: String
    package var unitID: String?
    package var operatorID: String?
    package var examDate: String?
    /// Stated gestational age as `weeks+days`, whichever way it was given.
    package var gestationalAge: String?
    package var gestationalAgeDays: Int?
    /// `manifest` (gestational_age), `lmp` (LMP + exam date) or nil when unknown.
    package var gestationalAgeSource: String?
    /// True when the scan comes from a manifest; false for a directory analysed without one.
    package var fromManifest: Bool

    package init(scanID: String, unitID: String? = nil, operatorID: String? = nil, examDate: String? = nil,
                gestationalAge: String? = nil, gestationalAgeDays: Int? = nil, gestationalAgeSource: String? = nil,
                fromManifest: Bool) {
        self.scanID = scanID
        self.unitID = unitID
        self.operatorID = operatorID
        self.examDate = examDate
        self.gestationalAge = gestationalAge
        self.gestationalAgeDays = gestationalAgeDays
        self.gestationalAgeSource = gestationalAgeSource
        self.fromManifest = fromManifest
    }
}

/// Which reference the numbers are read against; charts disagree enough to matter.
package struct ReferenceInfo: Sendable, Codable, Hashable {
    package var chart: String
    package var caliperConvention: String
    package var gaFromHCMethod: String
    package var profile: String

    package init(profile: QCProfile) {
        chart = profile.measurements.chart
        caliperConvention = profile.measurements.caliperConvention
        gaFromHCMethod = "INTERGROWTH-21st HC (Papageorghiou 2016), validated 14+0 to 25+6"
        self.profile = profile.name
    }
}

/// Finding counts by kind, for summaries.
package struct FindingCounts: Sendable, Codable, Hashable {
    package var fail: Int
    package var warning: Int
    package var needsReview: Int
    package var notCheckable: Int

    package init(_ findings: [Finding]) {
        fail = findings.filter { $0.outcome == .flagged && $0.severity == .fail }.count
        warning = findings.filter { $0.outcome == .flagged && $0.severity == .warning }.count
        needsReview = findings.filter { $0.outcome == .needsReview }.count
        notCheckable = findings.filter { $0.outcome == .notCheckable }.count
    }
}

/// The per-scan QC report, `<out>/scans/<scan-id>/report.json` (schema ``currentSchema``).
package struct ScanReport: Sendable, Codable, Hashable {
    package static let currentSchema = "sonoqc-scan-report/1"

    package var schema: String
    package var scan: ScanMetadata
    package var reference: ReferenceInfo
    /// Images in manifest order (directory scans: sorted by path).
    package var images: [ImageReport]
    package var failures: [ImageFailure]
    /// Scan-level findings: manifest reconciliation, duplicates, undecodable images.
    package var findings: [Finding]
    package var counts: FindingCounts
    /// Verdict over every image finding and every scan finding.
    package var verdict: Verdict
    /// Set by the batch run when it writes the report; every written report.json has it.
    package var provenance: RunProvenance?

    package init(scan: ScanMetadata, reference: ReferenceInfo, images: [ImageReport], failures: [ImageFailure], findings: [Finding]) {
        schema = ScanReport.currentSchema
        self.scan = scan
        self.reference = reference
        self.images = images
        self.failures = failures
        self.findings = findings
        let all = images.flatMap(\.findings) + findings
        counts = FindingCounts(all)
        verdict = Verdict.derive(from: all)
    }

    /// Recomputes counts and verdict after scan-level findings were added (e.g. cross-scan duplicates).
    package func adding(findings extra: [Finding]) -> ScanReport {
        var report = ScanReport(scan: scan, reference: reference, images: images, failures: failures, findings: findings + extra)
        report.provenance = provenance
        return report
    }
}
