package import SonoBiometry
import SonoCore
package import SonoL10n

/// Presentation model of one scan's report: exactly what the HTML shows, already decided.
///
/// The QC engine's `ScanReport` is mapped onto this once (see `ScanReportView+ScanReport.swift`),
/// so the page code never re-derives a verdict or a threshold, and tests can build pages from
/// synthetic values without running the engine.
package struct ScanReportView: Sendable, Hashable {
    package var scanID: String
    package var unitID: String?
    package var operatorID: String?
    package var examDate: String?
    /// Gestational age used for the charts, in exact weeks, and how it was given ("20+3 stated").
    package var gestationalAgeWeeks: Double?
    package var gestationalAgeNote: String?
    package var verdict: AuditVerdict
    /// Why the verdict is what it is, most serious first.
    package var reasons: [String]
    package var images: [ImageView]
    /// Name/value pairs for the provenance block (chart, caliper convention, versions, profile).
    package var provenance: [KeyValue]

    package init(scanID: String, unitID: String? = nil, operatorID: String? = nil, examDate: String? = nil,
                gestationalAgeWeeks: Double? = nil, gestationalAgeNote: String? = nil, verdict: AuditVerdict,
                reasons: [String], images: [ImageView], provenance: [KeyValue] = []) {
        self.scanID = scanID; self.unitID = unitID; self.operatorID = operatorID; self.examDate = examDate
        self.gestationalAgeWeeks = gestationalAgeWeeks; self.gestationalAgeNote = gestationalAgeNote
        self.verdict = verdict; self.reasons = reasons; self.images = images; self.provenance = provenance
    }

    /// Scan-level findings (not tied to one image), e.g. duplicates across scans or a missing file.
    package var scanFindings: [FindingView] = []
    /// What made the page and when ("SonoQC 0.5.0, run on 2026-11-30"), shown at its top; nil when
    /// the report carries no provenance.
    package var runStamp: String?
    /// Images that produced no report: file and error.
    package var unreadableImages: [KeyValue] = []

    /// Rules with an actionable finding anywhere in the scan, sorted.
    package var firedRuleIDs: [String] {
        Set((images.flatMap(\.findings) + scanFindings).filter(\.severity.isActionable).map(\.ruleID)).sorted()
    }
}

package struct KeyValue: Sendable, Hashable {
    package var key: String
    package var value: String
    package init(_ key: String, _ value: String) { self.key = key; self.value = value }
}

/// A finding's state as shown, least to most serious. `notCheckable` and `needsReviewer` are
/// routed to a person: they count as actionable, like warnings and fails.
package enum FindingSeverity: String, Sendable, Hashable, Comparable, CaseIterable {
    case passed, info, notCheckable = "not-checkable", needsReviewer = "needs-reviewer", warning, fail

    package static func < (l: FindingSeverity, r: FindingSeverity) -> Bool {
        allCases.firstIndex(of: l)! < allCases.firstIndex(of: r)!
    }

    /// True when the finding moves the verdict away from pass.
    package var isActionable: Bool { self >= .notCheckable }

    /// The state as shown, in the page's language (catalogue `severity.<raw value>`).
    package func label(_ L: Localizer) -> String { L.text("severity." + rawValue) }
}

package struct FindingView: Sendable, Hashable {
    package var ruleID: String
    /// Short rule name shown beside the id ("reported HC vs automatic HC"); may be empty.
    package var ruleTitle: String
    package var severity: FindingSeverity
    /// Measured value with unit, already formatted ("0.42 mm/px"), or nil.
    package var value: String?
    /// Threshold with comparison, already formatted ("> 3.0 %"), or nil.
    package var threshold: String?
    package var explanation: String

    package init(ruleID: String, ruleTitle: String = "", severity: FindingSeverity, value: String?, threshold: String?,
                explanation: String) {
        self.ruleID = ruleID; self.ruleTitle = ruleTitle; self.severity = severity; self.value = value; self.threshold = threshold
        self.explanation = explanation
    }
}

package struct MetricView: Sendable, Hashable {
    package var name: String
    package var value: String
    /// Short hint on reading it ("higher is sharper").
    package var note: String?
    package init(name: String, value: String, note: String? = nil) {
        self.name = name; self.value = value; self.note = note
    }
}

package struct MeasurementView: Sendable, Hashable {
    package var measure: BiometricMeasure
    package var reportedMM: Double?
    package var automaticMM: Double?
    package var reportedZ: Double?
    package var reportedCentile: Double?
    package var automaticZ: Double?
    /// Why a value could not be computed ("not checkable: uncalibrated"), shown instead of it.
    package var note: String?

    package init(measure: BiometricMeasure, reportedMM: Double? = nil, automaticMM: Double? = nil,
                reportedZ: Double? = nil, reportedCentile: Double? = nil, automaticZ: Double? = nil,
                note: String? = nil) {
        self.measure = measure; self.reportedMM = reportedMM; self.automaticMM = automaticMM
        self.reportedZ = reportedZ; self.reportedCentile = reportedCentile; self.automaticZ = automaticZ
        self.note = note
    }

    /// Automatic − reported, in mm.
    package var differenceMM: Double? {
        guard let r = reportedMM, let a = automaticMM else { return nil }
        return a - r
    }
}

package struct ImageView: Sendable, Hashable {
    package var file: String
    package var plane: String
    package var verdict: AuditVerdict
    package var overlay: ImageOverlay
    package var metrics: [MetricView]
    package var findings: [FindingView]
    package var measurements: [MeasurementView]

    package init(file: String, plane: String, verdict: AuditVerdict, overlay: ImageOverlay = ImageOverlay(),
                metrics: [MetricView] = [], findings: [FindingView] = [], measurements: [MeasurementView] = []) {
        self.file = file; self.plane = plane; self.verdict = verdict; self.overlay = overlay
        self.metrics = metrics; self.findings = findings; self.measurements = measurements
    }

    package var isFlagged: Bool { verdict != .pass }

    /// Rules with an actionable finding on this image, sorted.
    package var firedRuleIDs: [String] { Set(findings.filter(\.severity.isActionable).map(\.ruleID)).sorted() }
}

/// File names inside the report folder, shared by the scan report and the batch index.
package enum ReportLayout {
    package static let scansDirectory = "scans"
    package static let reportFileName = "report.html"
    package static let indexFileName = "index.html"

    /// A file-system-safe folder name for a scan id: ``FileName/safeComponent(_:)``, the one
    /// sanitiser every output name goes through (distinct ids give distinct folders).
    package static func scanDirectoryName(_ scanID: String) -> String {
        FileName.safeComponent(scanID)
    }

    /// The scan's folder relative to the batch output, for a pipeline scan key such as
    /// "operator-audit/A001". The one place that maps a scan to its folder: `report.json`,
    /// `analysis.json`, `report.html` and the thumbnails all live here. Each component goes through
    /// ``FileName/safeComponent(_:)``, which leaves keys built by discovery unchanged.
    package static func scanFolder(scanKey: String) -> String {
        ([scansDirectory] + scanKey.split(separator: "/").map { FileName.safeComponent(String($0)) }).joined(separator: "/")
    }

    /// Link from a scan's report back to the batch index, for the same scan key.
    package static func indexHref(scanKey: String) -> String {
        String(repeating: "../", count: 1 + scanKey.split(separator: "/").count) + indexFileName
    }

    /// Thumbnail file name for the image at `index` in its scan.
    package static func thumbnailFileName(index: Int, file: String) -> String {
        let base = file.split(separator: "/").last.map(String.init) ?? file
        let stem = base.split(separator: ".").dropLast().joined(separator: ".")
        // safeComponent caps the stem, so a 239-byte image name still gives a valid file name.
        return "overlay-\(index + 1)-\(FileName.safeComponent(stem.isEmpty ? base : stem)).jpg"
    }
}
