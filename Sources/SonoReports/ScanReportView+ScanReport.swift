import Foundation
import SonoCore
import SonoBiometry
package import SonoChecks
package import SonoL10n
import SonoImageAnalysis

extension ScanReportView {
    /// The presentation of a QC engine report: verdict, reasons, findings, measurements and the
    /// head geometry are taken as the engine decided them; nothing is re-judged here. Every text
    /// is worded in `language` from the catalogue keys the engine stored.
    package init(report: ScanReport, language: Language = .en) {
        let L = Localizer(language)
        let scan = report.scan
        let gaWeeks = scan.gestationalAgeDays.map { Double($0) / 7 }
        var gaNote: String?
        switch scan.gestationalAgeSource {
        case "manifest"?: gaNote = L.text("scan.ga_source.manifest")
        case "lmp"?: gaNote = L.text("scan.ga_source.lmp")
        case let other?: gaNote = other
        case nil: gaNote = nil
        }
        let images = report.images.map { ImageView(image: $0, gestationalAgeWeeks: gaWeeks, localizer: L) }
        var provenance = [
            KeyValue(L.text("provenance.chart"), report.reference.chart),
            KeyValue(L.text("provenance.caliper_convention"), report.reference.caliperConvention),
            KeyValue(L.text("provenance.ga_from_hc"), report.reference.gaFromHCMethod),
            KeyValue(L.text("provenance.profile"), report.reference.profile),
            KeyValue(L.text("provenance.schema"), report.schema),
        ]
        if !scan.fromManifest { provenance.append(KeyValue(L.text("provenance.scan_identity"), L.text("provenance.no_manifest"))) }
        // The engine's reasons, worded from the deciding findings in the engine's own order.
        let reasons = Verdict.deciding(report.images.flatMap(\.findings) + report.findings).map { FindingView.reason($0, localizer: L) }
        self.init(scanID: scan.scanID, unitID: scan.unitID, operatorID: scan.operatorID, examDate: scan.examDate,
                  gestationalAgeWeeks: gaWeeks, gestationalAgeNote: gaNote, verdict: AuditVerdict(report.verdict.value),
                  reasons: reasons, images: images, provenance: provenance)
        scanFindings = report.findings.map { FindingView(finding: $0, localizer: L) }
        unreadableImages = report.failures.map { KeyValue($0.file, $0.error) }
        runStamp = report.provenance.map { Stylesheet.runStamp(version: $0.sonoqcVersion, date: $0.runDate, L) }
    }
}

extension AuditVerdict {
    package init(_ value: Verdict.Value) {
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
    package init(finding f: Finding, namingFile: Bool = true, localizer L: Localizer = .en) {
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
        let unit = f.unitMessage.map(L.text) ?? f.unit
        let value = f.measured.map { v in [Self.compact(v), unit].compactMap { $0 }.joined(separator: " ") }
        let text = Self.explanation(f, localizer: L)
        let explanation = namingFile ? (f.file.map { L.text("finding.in_file", ["file": .text($0), "text": .text(text)]) } ?? text) : text
        self.init(ruleID: f.rule.rawValue, ruleTitle: L.text(f.rule.titleKey), severity: severity, value: value,
                  threshold: f.thresholdMessage.map(L.text) ?? f.threshold, explanation: explanation)
    }

    /// The explanation in the page's language; reports written before findings carried catalogue
    /// keys only have the English text.
    static func explanation(_ f: Finding, localizer L: Localizer) -> String {
        f.message.map(L.text) ?? f.explanation
    }

    /// One verdict reason: rule, file and explanation, as the engine's English `reasons` say it.
    static func reason(_ f: Finding, localizer L: Localizer) -> String {
        var text = explanation(f, localizer: L)
        if f.outcome == .needsReview { text = L.text("reason.needs_review", ["text": .text(text)]) }
        if let file = f.file {
            return L.text("reason.in_file", ["rule": .text(f.rule.rawValue), "file": .text(file), "text": .text(text)])
        }
        return L.text("reason.scan", ["rule": .text(f.rule.rawValue), "text": .text(text)])
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
    init(image: ImageReport, gestationalAgeWeeks: Double?, localizer L: Localizer) {
        let overlay = ImageOverlay(image: image)
        var metrics: [MetricView] = []
        switch image.calibration.status {
        case .calibrated:
            metrics.append(MetricView(name: L.text("metric.pixel_spacing"),
                                      value: L.text("metric.mm_per_px", ["value": .text(TextFormat.fixed(image.calibration.mmPerPixel, 4))]),
                                      note: image.calibration.source.map { L.text("metric.spacing_source", ["source": .text($0)]) }))
        case .uncalibrated:
            metrics.append(MetricView(name: L.text("metric.pixel_spacing"), value: L.text("metric.uncalibrated"),
                                      note: image.calibration.reasonMessage.map(L.text) ?? image.calibration.reason
                                        ?? L.text("metric.uncalibrated_note")))
        }
        metrics.append(MetricView(name: L.text("metric.size"),
                                  value: L.text("metric.size_px", ["width": .number(Double(image.widthPx)), "height": .number(Double(image.heightPx))]),
                                  note: image.format))
        if let chunks = image.colourChunks {
            metrics.append(MetricView(name: L.text("metric.colour_chunks"), value: chunks.joined(separator: L.text("list.comma")),
                                      note: L.text("metric.colour_chunks_note")))
        }
        metrics += Self.flattenedMetrics(image, localizer: L)
        if let head = image.head {
            if head.found {
                metrics.append(MetricView(name: L.text("metric.head_confidence"), value: TextFormat.fixed(head.confidenceScore, 3)))
                if let f = head.areaFractionOfImage {
                    metrics.append(MetricView(name: L.text("metric.head_area"), value: TextFormat.fixed(100 * f, 1) + " %"))
                }
                if let f = head.outlineInFieldOfView {
                    metrics.append(MetricView(name: L.text("metric.outline_in_sector"), value: TextFormat.fixed(100 * f, 1) + " %"))
                }
            } else {
                metrics.append(MetricView(name: L.text("metric.head"), value: L.text("metric.head_not_found"), note: head.failure))
            }
        }
        let measurements = image.measurements.compactMap { row -> MeasurementView? in
            guard let measure = BiometricMeasure(rawValue: row.measure.lowercased()) else { return nil }
            var note: String?
            if row.automaticMM == nil, let px = row.automaticPx {
                note = L.text("measurement.note.uncalibrated", ["automatic_px": .text(TextFormat.fixed(px, 1))])
            } else if row.reportedMM != nil, row.reportedZ == nil {
                note = L.text(gestationalAgeWeeks == nil ? "measurement.note.no_ga" : "measurement.note.outside_chart")
            }
            return MeasurementView(measure: measure, reportedMM: row.reportedMM, automaticMM: row.automaticMM,
                                   reportedZ: row.reportedZ, reportedCentile: row.reportedCentile,
                                   automaticZ: row.automaticZ, note: note)
        }
        self.init(file: image.file, plane: L.text("plane." + image.plane.rawValue), verdict: AuditVerdict(image.verdict.value),
                  overlay: overlay, metrics: metrics,
                  findings: image.findings.map { FindingView(finding: $0, namingFile: false, localizer: L) },
                  measurements: measurements)
    }

    /// Every stored property of the engine's ``ImageMetrics`` as a name/value row, in
    /// declaration order, so the page shows each metric the engine records without restating
    /// its list here; its name is the catalogue entry `metric.<property>` (the catalogue test
    /// fails when a new metric has none).
    static func flattenedMetrics(_ image: ImageReport, localizer L: Localizer) -> [MetricView] {
        Mirror(reflecting: image.metrics).children.compactMap { child -> MetricView? in
            guard let label = child.label else { return nil }
            let text: String
            switch child.value {
            case let v as Int: text = String(v)
            case let v as Double: text = FindingView.compact(v)
            case let v as Double?: text = v.map(FindingView.compact) ?? "–"
            case let v as Bool: text = L.text(v ? "value.yes" : "value.no")
            case let v as String: text = v
            default: return nil
            }
            return MetricView(name: L.text(metricKey(label)), value: text)
        }
    }

    /// Catalogue key naming an ``ImageMetrics`` property.
    static func metricKey(_ property: String) -> String { "metric." + property }
}

extension ImageOverlay {
    /// Geometry from a report: the fitted ellipse, masked overlay regions, and (when the
    /// reported HC and a calibrated scale are known) the ellipse of the reported size.
    /// The field-of-view mask is not in the JSON; ``HTMLReportWriter`` adds it from the frame.
    package init(image: ImageReport) {
        self.init(maskedRegions: image.overlays.regions, fieldOfViewFraction: image.metrics.fieldOfViewFraction)
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
