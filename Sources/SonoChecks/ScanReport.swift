import SonoCore

/// What the pipeline knows about an image before looking at its pixels.
public struct ImageContext: Sendable, Hashable {
    public var scanID: String
    /// Path relative to the batch directory; it names the image in every report.
    public var file: String
    public var plane: Plane
    public var reported: ReportedMeasurements
    /// Image-level spacing from the manifest, else the scan's; nil when the manifest gives none.
    public var manifestSpacingMMPerPixel: Double?
    /// Stated gestational age (from `gestational_age`, else LMP + exam date); nil when unknown.
    public var gestationalAgeDays: Int?

    public init(scanID: String, file: String, plane: Plane = .unknown, reported: ReportedMeasurements = ReportedMeasurements(),
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
public struct Verdict: Sendable, Codable, Hashable {
    /// The findings behind `reasons`, in their order: the actionable ones, fail first, then by rule
    /// and file. Pages use it to word the reasons in their own language.
    public static func deciding(_ findings: [Finding]) -> [Finding] {
        findings.filter(\.isActionable).sorted { a, b in
            if a.severity != b.severity { return a.severity > b.severity }
            if a.rule != b.rule { return a.rule < b.rule }
            return (a.file ?? "") < (b.file ?? "")
        }
    }

    public enum Value: String, Sendable, Codable, Hashable, CaseIterable {
        case pass, review, fail
    }

    public var value: Value
    /// One line per deciding finding: `"<rule> <file>: <explanation>"`, fail first, in catalogue order.
    public var reasons: [String]

    public init(value: Value, reasons: [String]) {
        self.value = value
        self.reasons = reasons
    }

    /// fail when any finding is flagged with severity fail; review when any is flagged as a warning
    /// or needs review; pass otherwise. Info and not-checkable findings never change the verdict.
    public static func derive(from findings: [Finding]) -> Verdict {
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
public struct MeasurementRow: Sendable, Codable, Hashable {
    /// `hc`, `bpd`, `ofd`, `ac`, `fl`.
    public var measure: String
    public var reportedMM: Double?
    /// Automatic value in mm; nil when there is none or the image is uncalibrated.
    public var automaticMM: Double?
    /// Automatic value in pixels (always given when there is an automatic value).
    public var automaticPx: Double?
    /// z-score and centile of the reported value at the stated gestational age.
    public var reportedZ: Double?
    public var reportedCentile: Double?
    /// z-score of the automatic value (mm) at the stated gestational age.
    public var automaticZ: Double?

    public init(measure: String, reportedMM: Double? = nil, automaticMM: Double? = nil, automaticPx: Double? = nil,
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
public struct HeadAssessment: Sendable, Codable, Hashable {
    /// False when the measurer found no credible skull; `failure` says why.
    public var found: Bool
    public var failure: String?
    public var centreXPx: Double?
    public var centreYPx: Double?
    public var semiMajorPx: Double?
    public var semiMinorPx: Double?
    /// Major-axis angle from +x towards +y, degrees in (−90, 90].
    public var angleDeg: Double?
    public var confidenceScore: Double?
    public var perimeterSupport: Double?
    public var ringContrastRatio: Double?
    /// Ellipse area / image area (ISUOG magnification criterion).
    public var areaFractionOfImage: Double?
    /// Ellipse area / field-of-view area.
    public var areaFractionOfFieldOfView: Double?
    /// Fraction of the outline inside the detected field of view and the image.
    public var outlineInFieldOfView: Double?
    /// How much dimmer the weaker of the near and far skull walls is than the ring's bright echoes
    /// (0 = both walls fully bright, 1 = one wall no brighter than brain); oblique sections lose arcs.
    public var ringEchoDeficit: Double?
    public var midlineContrast: Double?
    /// Expected |automatic − expert| HC in mm (``HeadErrorModel``); nil when uncalibrated.
    public var expectedHCErrorMM: Double?
    /// Plane score: points of the automatically judged plane criteria (HP-002…HP-005) that passed,
    /// in the spirit of Salomon et al. 2006; see docs/qc-rules.md.
    public var planeScore: Int?
    /// Points available to ``planeScore``.
    public var planeScoreMax: Int?

    public init(found: Bool, failure: String? = nil) {
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
public struct ImageReport: Sendable, Codable, Hashable {
    public var file: String
    public var plane: Plane
    public var format: String
    public var widthPx: Int
    public var heightPx: Int
    /// Colour-management chunks the file carried (`gAMA`, `cHRM`, `sRGB`, `iCCP`), which SonoQC
    /// does not apply: every metric is of the stored samples. Absent when the file had none.
    public var colourChunks: [String]?
    public var calibration: CalibrationInfo
    public var metrics: ImageMetrics
    public var overlays: OverlaySummary
    /// 64-bit DCT perceptual hash, 16 lower-case hex digits.
    public var perceptualHash: String
    public var head: HeadAssessment?
    public var measurements: [MeasurementRow]
    public var findings: [Finding]
    public var verdict: Verdict

    public init(file: String, plane: Plane, format: String, widthPx: Int, heightPx: Int, colourChunks: [String] = [],
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
public struct ImageFailure: Sendable, Codable, Hashable {
    public var file: String
    public var error: String

    public init(file: String, error: String) {
        self.file = file
        self.error = error
    }
}

/// Identifying data of a scan, copied from the manifest (or derived from the directory).
public struct ScanMetadata: Sendable, Codable, Hashable {
    public var scanID: String
    public var unitID: String?
    public var operatorID: String?
    public var examDate: String?
    /// Stated gestational age as `weeks+days`, whichever way it was given.
    public var gestationalAge: String?
    public var gestationalAgeDays: Int?
    /// `manifest` (gestational_age), `lmp` (LMP + exam date) or nil when unknown.
    public var gestationalAgeSource: String?
    /// True when the scan comes from a manifest; false for a directory analysed without one.
    public var fromManifest: Bool

    public init(scanID: String, unitID: String? = nil, operatorID: String? = nil, examDate: String? = nil,
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
public struct ReferenceInfo: Sendable, Codable, Hashable {
    public var chart: String
    public var caliperConvention: String
    public var gaFromHCMethod: String
    public var profile: String

    public init(profile: QCProfile) {
        chart = profile.measurements.chart
        caliperConvention = profile.measurements.caliperConvention
        gaFromHCMethod = "INTERGROWTH-21st HC (Papageorghiou 2016), validated 14+0 to 25+6"
        self.profile = profile.name
    }
}

/// Finding counts by kind, for summaries.
public struct FindingCounts: Sendable, Codable, Hashable {
    public var fail: Int
    public var warning: Int
    public var needsReview: Int
    public var notCheckable: Int

    public init(_ findings: [Finding]) {
        fail = findings.filter { $0.outcome == .flagged && $0.severity == .fail }.count
        warning = findings.filter { $0.outcome == .flagged && $0.severity == .warning }.count
        needsReview = findings.filter { $0.outcome == .needsReview }.count
        notCheckable = findings.filter { $0.outcome == .notCheckable }.count
    }
}

/// The per-scan QC report, `<out>/scans/<scan-id>/report.json` (schema ``currentSchema``).
public struct ScanReport: Sendable, Codable, Hashable {
    public static let currentSchema = "sonoqc-scan-report/1"

    public var schema: String
    public var scan: ScanMetadata
    public var reference: ReferenceInfo
    /// Images in manifest order (directory scans: sorted by path).
    public var images: [ImageReport]
    public var failures: [ImageFailure]
    /// Scan-level findings: manifest reconciliation, duplicates, undecodable images.
    public var findings: [Finding]
    public var counts: FindingCounts
    /// Verdict over every image finding and every scan finding.
    public var verdict: Verdict

    public init(scan: ScanMetadata, reference: ReferenceInfo, images: [ImageReport], failures: [ImageFailure], findings: [Finding]) {
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
    public func adding(findings extra: [Finding]) -> ScanReport {
        ScanReport(scan: scan, reference: reference, images: images, failures: failures, findings: findings + extra)
    }
}
