import Foundation
import SonoCore
import SonoBiometry

/// The rule implementations: small pure functions from measured values and a profile to findings.
/// docs/qc-rules.md is their catalogue.
enum Rules {
    // MARK: Calibration

    static func calibration(_ c: CalibrationInfo, file: String) -> Finding {
        switch c.status {
        case .calibrated:
            return Finding(rule: .calibration, outcome: .passed, severity: .info, file: file, measured: c.mmPerPixel, unit: "mm/px",
                           threshold: "isotropic, within the profile's plausible range",
                           explanation: "pixel spacing \(fmt(c.mmPerPixel ?? 0, decimals: 5)) mm/px from \(c.source ?? "?")")
        case .uncalibrated:
            return Finding(rule: .calibration, outcome: .flagged, severity: .warning, file: file, measured: c.offeredMMPerPixelX, unit: "mm/px",
                           threshold: "isotropic, within the profile's plausible range",
                           explanation: "not checkable: uncalibrated (\(c.reason ?? "no spacing")); lengths are given in pixels")
        }
    }

    // MARK: Image quality

    static func imageQuality(_ m: ImageMetrics, overlays: OverlaySummary, fieldOfViewFound: Bool,
                             profile p: QCProfile.ImageQuality, file: String) -> [Finding] {
        var out: [Finding] = []
        out.append(Finding(rule: .fieldOfView, outcome: fieldOfViewFound ? .passed : .flagged, severity: fieldOfViewFound ? .info : .warning,
                           file: file, measured: m.fieldOfViewFraction, unit: "fraction of frame", threshold: ">= \(fmt(p.minFieldOfViewFraction))",
                           explanation: fieldOfViewFound ? "ultrasound field of view found"
                               : "no ultrasound field of view found (blank, black or non-ultrasound frame)"))
        guard fieldOfViewFound, m.analysedPixels > 0 else {
            // The whole frame stands in for the field of view: a black frame is still called dark.
            let dark = m.analysedPixels > 0 && (m.medianGrey < p.gainLowMedianBelow || m.crushedFraction > p.gainLowCrushedFractionAbove)
            out.append(Finding(rule: .gainLow, outcome: dark ? .flagged : .notCheckable, severity: dark ? .warning : .info, file: file,
                               measured: m.medianGrey, unit: "grey level (median of the whole frame)",
                               threshold: ">= \(fmt(p.gainLowMedianBelow))",
                               explanation: dark ? "frame almost black (median \(fmt(m.medianGrey)), \(pct(m.crushedFraction)) crushed): gain far too low or no signal"
                                   : "not checkable: no field of view"))
            for rule in [RuleID.gainHigh, .contrast, .sharpness, .speckleSNR] {
                out.append(Finding(rule: rule, outcome: .notCheckable, severity: .info, file: file,
                                   explanation: "not checkable: no field of view"))
            }
            return out + [overlayFinding(overlays, file: file)]
        }
        let low = m.medianGrey < p.gainLowMedianBelow || m.crushedFraction > p.gainLowCrushedFractionAbove
        out.append(Finding(rule: .gainLow, outcome: low ? .flagged : .passed, severity: low ? .warning : .info, file: file,
                           measured: m.medianGrey, unit: "grey level (median in field of view)",
                           threshold: ">= \(fmt(p.gainLowMedianBelow)) and crushed (<= 2) fraction <= \(fmt(p.gainLowCrushedFractionAbove))",
                           explanation: low ? "image too dark: median \(fmt(m.medianGrey)), \(pct(m.crushedFraction)) of the field of view crushed to black; raise gain"
                               : "gain not too low (median \(fmt(m.medianGrey)), crushed \(pct(m.crushedFraction)))"))
        let high = m.medianGrey > p.gainHighMedianAbove || m.saturatedFraction > p.gainHighSaturatedFractionAbove
        out.append(Finding(rule: .gainHigh, outcome: high ? .flagged : .passed, severity: high ? .warning : .info, file: file,
                           measured: m.saturatedFraction, unit: "fraction saturated (>= 250)",
                           threshold: "<= \(fmt(p.gainHighSaturatedFractionAbove)) and median <= \(fmt(p.gainHighMedianAbove))",
                           explanation: high ? "image too bright: median \(fmt(m.medianGrey)), \(pct(m.saturatedFraction)) saturated; lower gain"
                               : "gain not too high (median \(fmt(m.medianGrey)), saturated \(pct(m.saturatedFraction)))"))
        let flat = m.dynamicRange < p.minDynamicRangeGreyLevels
        out.append(Finding(rule: .contrast, outcome: flat ? .flagged : .passed, severity: flat ? .warning : .info, file: file,
                           measured: m.dynamicRange, unit: "grey levels (p95 - p5)", threshold: ">= \(fmt(p.minDynamicRangeGreyLevels))",
                           explanation: flat ? "low contrast: only \(fmt(m.dynamicRange)) grey levels between the 5th and 95th percentile"
                               : "dynamic range \(fmt(m.dynamicRange)) grey levels"))
        let blurred = m.sharpness < p.minSharpness
        out.append(Finding(rule: .sharpness, outcome: blurred ? .flagged : .passed, severity: blurred ? .warning : .info, file: file,
                           measured: m.sharpness, unit: "mean gradient / SD (1/px)", threshold: ">= \(fmt(p.minSharpness))",
                           explanation: blurred ? "image blurred or out of focus (sharpness \(fmt(m.sharpness, decimals: 3)))"
                               : "sharpness \(fmt(m.sharpness, decimals: 3))"))
        if let snr = m.speckleSNR {
            let lo = p.speckleSNRInfoRange[0], hi = p.speckleSNRInfoRange[1]
            let odd = snr < lo || snr > hi
            out.append(Finding(rule: .speckleSNR, outcome: odd ? .flagged : .passed, severity: .info, file: file, measured: snr, unit: "mean/SD",
                               threshold: "\(fmt(lo))-\(fmt(hi)) (information only)",
                               explanation: odd ? "unusual speckle statistics (SNR \(fmt(snr, decimals: 2))): heavy smoothing or noise"
                                   : "speckle SNR \(fmt(snr, decimals: 2)) in homogeneous regions"))
        } else {
            out.append(Finding(rule: .speckleSNR, outcome: .notCheckable, severity: .info, file: file,
                               explanation: "not checkable: too few homogeneous 16x16 blocks in the field of view"))
        }
        out.append(overlayFinding(overlays, file: file))
        return out
    }

    static func overlayFinding(_ o: OverlaySummary, file: String) -> Finding {
        let found = !o.kinds.isEmpty
        return Finding(rule: .overlays, outcome: found ? .flagged : .passed, severity: .info, file: file, measured: o.maskedFraction,
                       unit: "fraction of frame masked", threshold: "none (reported and masked)",
                       explanation: found ? "burned-in overlays (\(o.kinds.joined(separator: ", "))) masked out of metrics and measurement"
                           : "no burned-in overlays found")
    }

    static func gcnr(_ value: Double?, headTrusted: Bool, profile p: QCProfile.ImageQuality, file: String) -> Finding {
        guard headTrusted, let g = value else {
            return Finding(rule: .skullBrainGCNR, outcome: .notCheckable, severity: .info, file: file,
                           explanation: "not checkable: no trusted head ellipse")
        }
        let poor = g < p.minSkullBrainGCNR
        return Finding(rule: .skullBrainGCNR, outcome: poor ? .flagged : .passed, severity: poor ? .warning : .info, file: file,
                       measured: g, unit: "gCNR (0-1)", threshold: ">= \(fmt(p.minSkullBrainGCNR))",
                       explanation: poor ? "skull poorly separated from brain (gCNR \(fmt(g, decimals: 3)))"
                           : "skull separated from brain (gCNR \(fmt(g, decimals: 3)))")
    }

    // MARK: Head plane

    /// A head ellipse is trusted when the measurer returned one: with a mm spacing it has already
    /// abstained on frames whose expected error is too large; without one (no expected error) the
    /// confidence score must reach the profile's minimum.
    static func headTrusted(_ head: HeadAssessment?, _ p: QCProfile.HeadPlane) -> Bool {
        guard let head, head.found else { return false }
        if head.expectedHCErrorMM != nil { return true }
        guard let score = head.confidenceScore else { return false }
        return score >= p.minConfidenceScore
    }

    /// Points and maximum of the plane score (HP-007).
    struct PlaneScore: Equatable {
        var points: Int
        var maximum: Int
    }

    /// HP-001…HP-007. The automatically judged plane criteria (HP-002…HP-005) add up to a plane
    /// score; a missed criterion lowers the score and is listed (severity info), and only a low
    /// score (HP-007) or a clearly inadequate image (head far too small, outline clearly cut)
    /// sends the image to review.
    static func headPlane(_ head: HeadAssessment, plane: Plane, fieldOfViewFound: Bool, profile p: QCProfile.HeadPlane,
                          file: String) -> ([Finding], PlaneScore?) {
        var out: [Finding] = []
        let criteria: [RuleID] = [.headMagnification, .headComplete, .ringSymmetry, .midline, .planeScore]
        let checklist = Finding(rule: .landmarksNeedReviewer, outcome: .notCheckable, severity: .info, file: file,
                                threshold: "reviewer checklist",
                                explanation: "reviewer checklist: thalami and cavum septi pellucidi visible, cerebellum not in plane "
                                    + "(not judged from pixels; never a review reason by itself)")
        guard head.found else {
            if plane == .head {
                out.append(Finding(rule: .headPresent, outcome: .needsReview, severity: .warning, file: file,
                                   threshold: "credible skull ellipse", explanation: "no credible head found (\(head.failure ?? "?")); route to a reviewer"))
            } else {
                out.append(Finding(rule: .headPresent, outcome: .notCheckable, severity: .info, file: file,
                                   explanation: "plane not stated and no head found (\(head.failure ?? "?"))"))
            }
            return (out + criteria.map { Finding(rule: $0, outcome: .notCheckable, severity: .info, file: file, explanation: "not checkable: no head ellipse") }
                + [checklist], nil)
        }
        let score = head.confidenceScore ?? 0
        guard headTrusted(head, p) else {
            out.append(Finding(rule: .headPresent, outcome: .needsReview, severity: .warning, file: file, measured: score, unit: "confidence (0-1)",
                               threshold: ">= \(fmt(p.minConfidenceScore)) (uncalibrated frames)",
                               explanation: "automatic head ellipse has low confidence (\(fmt(score, decimals: 2))); route to a reviewer"))
            return (out + criteria.map { Finding(rule: $0, outcome: .notCheckable, severity: .info, file: file,
                                                 explanation: "not checkable: automatic head ellipse not trusted") } + [checklist], nil)
        }
        if let e = head.expectedHCErrorMM {
            out.append(Finding(rule: .headPresent, outcome: .passed, severity: .info, file: file, measured: e, unit: "expected |HC error| mm",
                               threshold: "measurer did not abstain", explanation: "credible skull ellipse found (expected HC error \(fmt(e, decimals: 1)) mm)"))
        } else {
            out.append(Finding(rule: .headPresent, outcome: .passed, severity: .info, file: file, measured: score, unit: "confidence (0-1)",
                               threshold: ">= \(fmt(p.minConfidenceScore))", explanation: "credible skull ellipse found"))
        }
        guard fieldOfViewFound else {
            return (out + criteria.map { Finding(rule: $0, outcome: .notCheckable, severity: .info, file: file,
                                                 explanation: "not checkable: no field of view") } + [checklist], nil)
        }
        func points(_ rule: RuleID) -> Int { p.planeCriterionPoints[rule.rawValue] ?? 0 }
        var earned = 0, available = 0
        /// A missed criterion costs its points; it is a warning by itself only when `clearly` holds.
        func criterion(_ rule: RuleID, missed: Bool, clearly: Bool, measured: Double, unit: String, threshold: String,
                       missedText: String, passedText: String) {
            available += points(rule)
            if !missed { earned += points(rule) }
            let severity: Severity = missed && clearly ? .warning : .info
            let cost = missed ? " (costs \(points(rule)) plane-score point\(points(rule) == 1 ? "" : "s")\(clearly ? "; clearly inadequate" : ""))" : ""
            out.append(Finding(rule: rule, outcome: missed ? .flagged : .passed, severity: severity, file: file,
                               measured: measured, unit: unit, threshold: threshold, explanation: (missed ? missedText : passedText) + cost))
        }
        let area = head.areaFractionOfImage ?? 0
        criterion(.headMagnification, missed: area < p.minHeadAreaFractionOfImage, clearly: area < p.clearlyTooSmallHeadAreaFraction,
                  measured: area, unit: "ellipse area / image area",
                  threshold: ">= \(fmt(p.minHeadAreaFractionOfImage)); < \(fmt(p.clearlyTooSmallHeadAreaFraction)) warning",
                  missedText: "head fills only \(pct(area)) of the image; magnify (ISUOG: more than 30 %)",
                  passedText: "head fills \(pct(area)) of the image")
        let inView = head.outlineInFieldOfView ?? 0
        criterion(.headComplete, missed: inView < p.minOutlineInFieldOfView, clearly: inView < p.clearlyCutOutlineInFieldOfView,
                  measured: inView, unit: "fraction of outline in field of view",
                  threshold: ">= \(fmt(p.minOutlineInFieldOfView)); < \(fmt(p.clearlyCutOutlineInFieldOfView)) warning",
                  missedText: "skull outline cut by the sector or frame edge (\(pct(1 - inView)) outside)",
                  passedText: "skull outline inside the field of view")
        let deficit = head.ringEchoDeficit ?? 0
        criterion(.ringSymmetry, missed: deficit > p.maxRingEchoDeficit, clearly: deficit > p.clearlyAsymmetricRingEchoDeficit,
                  measured: deficit, unit: "ring echo deficit (0-1)",
                  threshold: "<= \(fmt(p.maxRingEchoDeficit)); > \(fmt(p.clearlyAsymmetricRingEchoDeficit)) warning",
                  missedText: "skull ring faint or missing on one wall (deficit \(fmt(deficit, decimals: 2))): oblique or asymmetric section?",
                  passedText: "skull ring bright on both walls (deficit \(fmt(deficit, decimals: 2)))")
        let mid = head.midlineContrast ?? 0
        criterion(.midline, missed: mid < p.minMidlineContrast, clearly: false,
                  measured: mid, unit: "midline / parallel-line brightness", threshold: ">= \(fmt(p.minMidlineContrast))",
                  missedText: "midline echo not seen along the head's long axis", passedText: "midline echo present")
        let low = earned < p.minPlaneScore
        out.append(Finding(rule: .planeScore, outcome: low ? .flagged : .passed, severity: low ? .warning : .info, file: file,
                           measured: Double(earned), unit: "points of \(available)", threshold: ">= \(p.minPlaneScore)",
                           explanation: low ? "plane score \(earned)/\(available): several plane criteria missed; review the section"
                               : "plane score \(earned)/\(available)"))
        out.append(checklist)
        return (out, PlaneScore(points: earned, maximum: available))
    }

    // MARK: Measurements

    static func measurements(reported r: ReportedMeasurements, automatic: HeadMeasurement?, headAttempted: Bool,
                             calibration: CalibrationInfo, gestationalAgeDays: Int?, profile p: QCProfile.Measurements,
                             file: String) -> ([MeasurementRow], [Finding]) {
        var rows: [MeasurementRow] = []
        var out: [Finding] = []
        let gaWeeks = gestationalAgeDays.map { Double($0) / 7 }
        let spacing = calibration.mmPerPixel
        let auto: [BiometricMeasure: Double] = automatic.map { m in [.hc: m.hcPixels, .bpd: m.bpdPixels, .ofd: m.ofdPixels] } ?? [:]
        let reported: [BiometricMeasure: Double?] = [.hc: r.hcMM, .bpd: r.bpdMM, .ofd: r.ofdMM, .ac: r.acMM, .fl: r.flMM]
        for measure in [BiometricMeasure.hc, .bpd, .ofd, .ac, .fl] {
            let rep = reported[measure] ?? nil
            let px = auto[measure]
            let mm = px.flatMap { p in spacing.map { p * $0 } }
            guard rep != nil || px != nil else { continue }
            func z(_ v: Double?) -> Double? {
                guard let v, let ga = gaWeeks else { return nil }
                return try? Intergrowth21st.zScore(measure, valueMM: v, gaWeeks: ga)
            }
            let repZ = z(rep)
            let repCentile = repZ.map { 100 * StandardNormal.cdf($0) }
            rows.append(MeasurementRow(measure: measure.rawValue, reportedMM: rep, automaticMM: mm, automaticPx: px, reportedZ: repZ,
                                       reportedCentile: repCentile, automaticZ: z(mm)))
        }

        // Automatic vs reported.
        // Per-image tolerance from the measurement's expected error when it has one (issue 14),
        // else the profile's fixed batch-wide tolerance.
        let u = p.useExpectedErrorTolerance ? automatic?.uncertainty : nil
        let pairs: [(RuleID, BiometricMeasure, Double?, (Double) -> Double)] = [
            (.hcAutomaticVsReported, .hc, r.hcMM, { rep in
                u.map { max($0.toleranceHCMM, p.minToleranceHCMM) } ?? max(p.hcToleranceMM, p.hcToleranceFraction * rep) }),
            (.bpdAutomaticVsReported, .bpd, r.bpdMM, { _ in u.map { max($0.toleranceBPDMM, p.minToleranceBPDMM) } ?? p.bpdToleranceMM }),
            (.ofdAutomaticVsReported, .ofd, r.ofdMM, { _ in u.map { max($0.toleranceOFDMM, p.minToleranceOFDMM) } ?? p.ofdToleranceMM }),
        ]
        if headAttempted {
            for (rule, measure, rep, tolerance) in pairs {
                let name = measure.abbreviation
                guard let rep else {
                    out.append(Finding(rule: rule, outcome: .notCheckable, severity: .info, file: file,
                                       explanation: "not checkable: no reported \(name)"))
                    continue
                }
                guard let px = auto[measure] else {
                    out.append(Finding(rule: rule, outcome: .notCheckable, severity: .info, file: file,
                                       explanation: "not checkable: no trusted automatic \(name)"))
                    continue
                }
                guard let s = spacing else {
                    out.append(Finding(rule: rule, outcome: .notCheckable, severity: .info, file: file, measured: px, unit: "px",
                                       explanation: "not checkable: uncalibrated; automatic \(name) is \(fmt(px, decimals: 1)) px"))
                    continue
                }
                let diff = px * s - rep
                let tol = tolerance(rep)
                let fail = rule == .hcAutomaticVsReported && abs(diff) > 2 * tol
                let flagged = abs(diff) > tol
                out.append(Finding(rule: rule, outcome: flagged ? .flagged : .passed, severity: fail ? .fail : flagged ? .warning : .info,
                                   file: file, measured: diff, unit: "mm (automatic - reported)",
                                   threshold: (rule == .hcAutomaticVsReported ? "|d| <= \(fmt(tol, decimals: 1)) warning, > \(fmt(2 * tol, decimals: 1)) fail"
                                       : "|d| <= \(fmt(tol, decimals: 1))") + (u != nil ? " (this image's expected-error tolerance)" : " (fixed tolerance)"),
                                   explanation: flagged ? "reported \(name) \(fmt(rep, decimals: 1)) mm differs from the automatic \(fmt(px * s, decimals: 1)) mm by \(fmt(diff, decimals: 1)) mm"
                                       : "reported \(name) agrees with the automatic measurement (\(fmt(diff, decimals: 1)) mm)"))
            }
        }

        // HC vs the ellipse with the reported diameters.
        if let hc = r.hcMM, let bpd = r.bpdMM, let ofd = r.ofdMM {
            let perimeter = HeadGeometry.ellipsePerimeter(semiAxisA: ofd / 2, semiAxisB: bpd / 2)
            let rel = hc / perimeter - 1
            let hadlock = p.hcDiameterFactor * (bpd + ofd)
            let bad = abs(rel) > p.hcEllipseConsistencyFraction
            out.append(Finding(rule: .hcDiameterConsistency, outcome: bad ? .flagged : .passed, severity: bad ? .warning : .info, file: file,
                               measured: rel, unit: "HC / ellipse perimeter(BPD, OFD) - 1", threshold: "|r| <= \(fmt(p.hcEllipseConsistencyFraction))",
                               explanation: (bad ? "reported HC \(fmt(hc, decimals: 1)) mm is inconsistent with BPD and OFD"
                                   : "reported HC consistent with BPD and OFD")
                                   + " (ellipse perimeter \(fmt(perimeter, decimals: 1)) mm, \(fmt(p.hcDiameterFactor))(BPD+OFD) = \(fmt(hadlock, decimals: 1)) mm)"))
        } else if r.hcMM != nil || r.bpdMM != nil || r.ofdMM != nil {
            out.append(Finding(rule: .hcDiameterConsistency, outcome: .notCheckable, severity: .info, file: file,
                               explanation: "not checkable: needs reported HC, BPD and OFD"))
        }

        // Cephalic index.
        if let bpd = r.bpdMM, let ofd = r.ofdMM {
            let ci = bpd / ofd
            let lo = p.cephalicIndexRange[0], hi = p.cephalicIndexRange[1]
            let swapped = ci > 1
            let out_ = ci < lo || ci > hi
            out.append(Finding(rule: .cephalicIndex, outcome: out_ ? .flagged : .passed, severity: swapped ? .fail : out_ ? .warning : .info,
                               file: file, measured: ci, unit: "BPD/OFD", threshold: "\(fmt(lo))-\(fmt(hi)); > 1 fail",
                               explanation: swapped ? "BPD larger than OFD (index \(fmt(ci, decimals: 3))): diameters swapped?"
                                   : out_ ? "cephalic index \(fmt(ci, decimals: 3)) outside \(fmt(lo))-\(fmt(hi)) (dolicho-/brachycephaly or caliper error); date by HC"
                                   : "cephalic index \(fmt(ci, decimals: 3))"))
        }

        // z-scores of the reported values.
        let zRules: [(RuleID, BiometricMeasure, Double?)] = [
            (.zScoreHC, .hc, r.hcMM), (.zScoreBPD, .bpd, r.bpdMM), (.zScoreOFD, .ofd, r.ofdMM), (.zScoreAC, .ac, r.acMM), (.zScoreFL, .fl, r.flMM),
        ]
        for (rule, measure, value) in zRules {
            guard let value else { continue }
            let name = measure.abbreviation
            guard let ga = gaWeeks else {
                out.append(Finding(rule: rule, outcome: .notCheckable, severity: .info, file: file,
                                   explanation: "not checkable: no stated gestational age"))
                continue
            }
            guard let z = try? Intergrowth21st.zScore(measure, valueMM: value, gaWeeks: ga) else {
                out.append(Finding(rule: rule, outcome: .notCheckable, severity: .info, file: file,
                                   explanation: "not checkable: gestational age \(fmt(ga, decimals: 2)) weeks outside the chart's 14-40 weeks"))
                continue
            }
            let centile = 100 * StandardNormal.cdf(z)
            let fail = abs(z) > p.zFailAbove, warn = abs(z) > p.zWarningAbove
            out.append(Finding(rule: rule, outcome: warn ? .flagged : .passed, severity: fail ? .fail : warn ? .warning : .info, file: file,
                               measured: z, unit: "z (\(p.chart))",
                               threshold: "|z| <= \(fmt(p.zWarningAbove, decimals: 3)) (3rd-97th centile); > \(fmt(p.zFailAbove)) fail",
                               explanation: fail ? "\(name) \(fmt(value, decimals: 1)) mm is z = \(fmt(z, decimals: 2)) at \(gaText(gestationalAgeDays)): likely measurement or dating error"
                                   : warn ? "\(name) \(fmt(value, decimals: 1)) mm is at centile \(fmt(centile, decimals: 1)) at \(gaText(gestationalAgeDays))"
                                   : "\(name) at centile \(fmt(centile, decimals: 1)) at \(gaText(gestationalAgeDays))"))
        }

        // Gestational age from HC vs stated.
        if let hc = r.hcMM {
            if let days = gestationalAgeDays, let estimate = try? Intergrowth21st.gestationalAge(hcMM: hc) {
                let diff = estimate.days - Double(days)
                if !estimate.isWithinValidatedRange || !Intergrowth21st.hcDatingValidDays.contains(Double(days)) {
                    out.append(Finding(rule: .gestationalAgeFromHC, outcome: .notCheckable, severity: .info, file: file, measured: diff, unit: "days",
                                       explanation: "not checkable: HC dating is validated for 14+0 to 25+6 weeks only (estimate \(fmt(estimate.exactWeeks, decimals: 1)) weeks)"))
                } else {
                    let bad = abs(diff) > p.gaDiscrepancyDays
                    out.append(Finding(rule: .gestationalAgeFromHC, outcome: bad ? .flagged : .passed, severity: bad ? .warning : .info, file: file,
                                       measured: diff, unit: "days (GA from HC - stated GA)", threshold: "|d| <= \(fmt(p.gaDiscrepancyDays))",
                                       explanation: bad ? "HC dates the pregnancy \(fmt(diff, decimals: 0)) days from the stated \(gaText(days)): dating or measurement error?"
                                           : "GA from HC within \(fmt(abs(diff), decimals: 0)) days of the stated GA"))
                }
            } else if gestationalAgeDays == nil {
                out.append(Finding(rule: .gestationalAgeFromHC, outcome: .notCheckable, severity: .info, file: file,
                                   explanation: "not checkable: no stated gestational age"))
            }
        }
        return (rows, out)
    }

    static func gaText(_ days: Int?) -> String {
        guard let days else { return "unknown GA" }
        return "\(days / 7)+\(days % 7) weeks"
    }
}

func pct(_ fraction: Double) -> String { "\(fmt(100 * fraction, decimals: 1)) %" }
