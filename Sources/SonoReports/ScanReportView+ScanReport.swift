import Foundation
import SonoCore
import SonoBiometry
import SonoChecks

extension ScanReportView {
    /// The presentation of a QC engine report: verdict, reasons, findings, measurements and the
    /// head geometry are taken as the engine decided them; nothing is re-judged here.
    public init(report: ScanReport) {
        let scan = report.scan
        let gaWeeks = scan.gestationalAgeDays.map { Double($0) / 7 }
        var gaNote: String?
        switch scan.gestationalAgeSource {
        case "manifest"?: gaNote = "stated"
        case "lmp"?: gaNote = "from LMP"
        case let other?: gaNote = other
        case nil: gaNote = nil
        }
        let images = report.images.map { ImageView(image: $0, gestationalAgeWeeks: gaWeeks) }
        var provenance = [
            KeyValue("Reference chart", report.reference.chart),
            KeyValue("Caliper convention", report.reference.caliperConvention),
            KeyValue("GA from HC", report.reference.gaFromHCMethod),
            KeyValue("QC profile", report.reference.profile),
            KeyValue("Report schema", report.schema),
        ]
        if !scan.fromManifest { provenance.append(KeyValue("Scan identity", "directory without a manifest")) }
        self.init(scanID: scan.scanID, unitID: scan.unitID, operatorID: scan.operatorID, examDate: scan.examDate,
                  gestationalAgeWeeks: gaWeeks, gestationalAgeNote: gaNote, verdict: AuditVerdict(report.verdict.value),
                  reasons: report.verdict.reasons, images: images, provenance: provenance)
        scanFindings = report.findings.map { FindingView(finding: $0) }
        unreadableImages = report.failures.map { KeyValue($0.file, $0.error) }
    }
}

extension AuditVerdict {
    public init(_ value: Verdict.Value) {
        switch value {
        case .pass: self = .pass
        case .review: self = .review
        case .fail: self = .fail
        }
    }
}

extension FindingView {
    /// `namingFile` prefixes the explanation with the finding's file (for scan-level findings; an
    /// image's own findings already sit under its heading).
    public init(finding f: Finding, namingFile: Bool = true) {
        let severity: FindingSeverity
        switch f.outcome {
        case .passed: severity = .passed
        case .needsReview: severity = .needsReviewer
        case .notCheckable: severity = .notCheckable
        case .flagged:
            switch f.severity {
            case .info: severity = .info
            case .warning: severity = .warning
            case .fail: severity = .fail
            }
        }
        let value = f.measured.map { v in [Self.compact(v), f.unit].compactMap { $0 }.joined(separator: " ") }
        let explanation = namingFile ? (f.file.map { "\($0): \(f.explanation)" } ?? f.explanation) : f.explanation
        self.init(ruleID: f.rule.rawValue, ruleTitle: f.rule.title, severity: severity, value: value,
                  threshold: f.threshold, explanation: explanation)
    }

    /// Three significant figures or two decimals, whichever is shorter to read.
    static func compact(_ v: Double) -> String {
        let magnitude = abs(v)
        if magnitude >= 100 { return TextFormat.fixed(v, 1) }
        if magnitude >= 1 || magnitude == 0 { return TextFormat.fixed(v, 2) }
        return TextFormat.fixed(v, 3)
    }
}

extension ImageView {
    init(image: ImageReport, gestationalAgeWeeks: Double?) {
        let overlay = ImageOverlay(image: image)
        var metrics: [MetricView] = []
        switch image.calibration.status {
        case .calibrated:
            metrics.append(MetricView(name: "Pixel spacing", value: "\(TextFormat.fixed(image.calibration.mmPerPixel, 4)) mm/px",
                                      note: image.calibration.source.map { "from \($0)" }))
        case .uncalibrated:
            metrics.append(MetricView(name: "Pixel spacing", value: "uncalibrated",
                                      note: image.calibration.reason ?? "no usable spacing; lengths are not checked in mm"))
        }
        metrics.append(MetricView(name: "Size", value: "\(image.widthPx) × \(image.heightPx) px", note: image.format))
        if let chunks = image.colourChunks {
            metrics.append(MetricView(name: "Colour chunks", value: chunks.joined(separator: ", "),
                                      note: "not applied: grey levels are the stored samples"))
        }
        metrics += Self.flattenedMetrics(image)
        if let head = image.head {
            if head.found {
                metrics.append(MetricView(name: "Head confidence", value: TextFormat.fixed(head.confidenceScore, 3)))
                if let f = head.areaFractionOfImage {
                    metrics.append(MetricView(name: "Head area / image", value: TextFormat.fixed(100 * f, 1) + " %"))
                }
                if let f = head.outlineInFieldOfView {
                    metrics.append(MetricView(name: "Skull outline inside the sector", value: TextFormat.fixed(100 * f, 1) + " %"))
                }
            } else {
                metrics.append(MetricView(name: "Head", value: "not found", note: head.failure))
            }
        }
        let measurements = image.measurements.compactMap { row -> MeasurementView? in
            guard let measure = BiometricMeasure(rawValue: row.measure.lowercased()) else { return nil }
            var note: String?
            if row.automaticMM == nil, let px = row.automaticPx {
                note = "automatic \(TextFormat.fixed(px, 1)) px; not checkable in mm: uncalibrated"
            } else if row.reportedMM != nil, row.reportedZ == nil {
                note = gestationalAgeWeeks == nil ? "no gestational age: no z-score" : "outside the chart's 14–40 weeks"
            }
            return MeasurementView(measure: measure, reportedMM: row.reportedMM, automaticMM: row.automaticMM,
                                   reportedZ: row.reportedZ, reportedCentile: row.reportedCentile,
                                   automaticZ: row.automaticZ, note: note)
        }
        self.init(file: image.file, plane: image.plane.rawValue, verdict: AuditVerdict(image.verdict.value),
                  overlay: overlay, metrics: metrics, findings: image.findings.map { FindingView(finding: $0, namingFile: false) },
                  measurements: measurements)
    }

    /// Every stored property of the engine's ``ImageMetrics`` as a name/value row, in
    /// declaration order, so the page shows each metric the engine records without restating
    /// its list here (a new metric appears on the page by itself).
    static func flattenedMetrics(_ image: ImageReport) -> [MetricView] {
        Mirror(reflecting: image.metrics).children.compactMap { child -> MetricView? in
            guard let label = child.label else { return nil }
            let text: String
            switch child.value {
            case let v as Int: text = String(v)
            case let v as Double: text = FindingView.compact(v)
            case let v as Double?: text = v.map(FindingView.compact) ?? "–"
            case let v as Bool: text = v ? "yes" : "no"
            case let v as String: text = v
            default: return nil
            }
            return MetricView(name: humanize([label]), value: text)
        }
    }

    /// "gainMeanInFOV" → "gain mean in FOV"; nested keys joined with " · ".
    static func humanize(_ path: [String]) -> String {
        path.map { key -> String in
            var out = ""
            let chars = Array(key)
            for (i, c) in chars.enumerated() {
                let prevLower = i > 0 && (chars[i - 1].isLowercase || chars[i - 1].isNumber)
                let nextLower = i + 1 < chars.count && chars[i + 1].isLowercase
                let prevUpper = i > 0 && chars[i - 1].isUppercase
                if c.isUppercase && i > 0 && (prevLower || (prevUpper && nextLower)) { out.append(" ") }
                out.append(c == "_" ? " " : c)
            }
            // Lower-case ordinary words, keep acronyms ("FOV", "SNR").
            return out.split(separator: " ").map { word in
                word.count > 1 && word.allSatisfy({ $0.isUppercase || $0.isNumber }) ? String(word) : word.lowercased()
            }.joined(separator: " ")
        }.joined(separator: " · ").capitalizedFirst
    }
}

extension String {
    fileprivate var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}

extension ImageOverlay {
    /// Geometry from a report: the fitted ellipse, masked overlay regions, and (when the
    /// reported HC and a calibrated scale are known) the ellipse of the reported size.
    /// The field-of-view mask is not in the JSON; ``HTMLReportWriter`` adds it from the frame.
    public init(image: ImageReport) {
        self.init(maskedRegions: image.overlays.regions)
        if let head = image.head, head.found, let cx = head.centreXPx, let cy = head.centreYPx,
           let a = head.semiMajorPx, let b = head.semiMinorPx {
            let ellipse = PixelEllipse(center: PixelPoint(x: cx, y: cy), semiAxisAPixels: a, semiAxisBPixels: b,
                                       angleRadians: (head.angleDeg ?? 0) * .pi / 180)
            skullEllipse = ellipse
            if let reported = image.measurements.first(where: { $0.measure.lowercased() == "hc" })?.reportedMM,
               let mmPerPixel = image.calibration.mmPerPixel, ellipse.perimeterPixels > 0 {
                let k = reported / mmPerPixel / ellipse.perimeterPixels
                reportedHCEllipse = PixelEllipse(center: ellipse.center, semiAxisAPixels: a * k, semiAxisBPixels: b * k,
                                                 angleRadians: ellipse.angleRadians)
            }
        }
    }
}
