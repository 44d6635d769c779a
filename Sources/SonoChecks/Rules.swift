import Foundation
import SonoCore
import SonoBiometry
import SonoL10n
import SonoInput
import SonoImageAnalysis

/// The rule implementations: small pure functions from measured values and a profile to findings.
/// docs/qc-rules.md is their catalogue. Explanations, units and thresholds are catalogue messages
/// (Sources/SonoL10n/Resources/*.json) with the numbers as named arguments.
enum Rules {
    // MARK: Calibration

    static func calibration(_ c: CalibrationInfo, file: String) -> Finding {
        switch c.status {
        case .calibrated:
            return Finding(rule: .calibration, outcome: .passed, severity: .info, file: file, measured: c.mmPerPixel, unit: Message("unit.mm_per_px"),
                           threshold: Message("threshold.calibration"),
                           message: Message("finding.CAL-001.calibrated", ["mm_per_px": .number(c.mmPerPixel ?? 0), "source": .text(c.source ?? "?")]))
        case .uncalibrated:
            return Finding(rule: .calibration, outcome: .flagged, severity: .warning, file: file, measured: c.offeredMMPerPixelX, unit: Message("unit.mm_per_px"),
                           threshold: Message("threshold.calibration"),
                           message: Message("finding.CAL-001.uncalibrated",
                                            (c.reasonMessage?.args ?? [:]).merging(["reason": .text(c.reasonMessage?.key ?? "spacing.no_spacing")]) { $1 }))
        }
    }

    // MARK: Image quality

    static func imageQuality(_ m: ImageMetrics, overlays: OverlaySummary, fieldOfViewFound: Bool,
                             profile p: QCProfile.ImageQuality, file: String) -> [Finding] {
        var out: [Finding] = []
        out.append(Finding(rule: .fieldOfView, outcome: fieldOfViewFound ? .passed : .flagged, severity: fieldOfViewFound ? .info : .warning,
                           file: file, measured: m.fieldOfViewFraction, unit: Message("unit.fraction_of_frame"),
                           threshold: Message("threshold.at_least", ["min": .number(p.minFieldOfViewFraction)]),
                           message: Message(fieldOfViewFound ? "finding.IQ-001.found" : "finding.IQ-001.missing")))
        guard fieldOfViewFound, m.analysedPixels > 0 else {
            // The whole frame stands in for the field of view: a black frame is still called dark.
            let dark = m.analysedPixels > 0 && (m.medianGrey < p.gainLowMedianBelow || m.crushedFraction > p.gainLowCrushedFractionAbove)
            out.append(Finding(rule: .gainLow, outcome: dark ? .flagged : .notCheckable, severity: dark ? .warning : .info, file: file,
                               measured: m.medianGrey, unit: Message("unit.grey_median_frame"),
                               threshold: Message("threshold.at_least", ["min": .number(p.gainLowMedianBelow)]),
                               message: dark ? Message("finding.IQ-002.black_frame", ["median": .number(m.medianGrey), "crushed_pct": .number(100 * m.crushedFraction)])
                                   : Message("finding.not_checkable.no_field_of_view")))
            for rule in [RuleID.gainHigh, .contrast, .sharpness, .speckleSNR] {
                out.append(Finding(rule: rule, outcome: .notCheckable, severity: .info, file: file,
                                   message: Message("finding.not_checkable.no_field_of_view")))
            }
            return out + [overlayFinding(overlays, file: file)]
        }
        let low = m.medianGrey < p.gainLowMedianBelow || m.crushedFraction > p.gainLowCrushedFractionAbove
        let greyArgs: [String: MessageArg] = ["median": .number(m.medianGrey), "crushed_pct": .number(100 * m.crushedFraction),
                                              "saturated_pct": .number(100 * m.saturatedFraction)]
        out.append(Finding(rule: .gainLow, outcome: low ? .flagged : .passed, severity: low ? .warning : .info, file: file,
                           measured: m.medianGrey, unit: Message("unit.grey_median_fov"),
                           threshold: Message("threshold.gain_low", ["median": .number(p.gainLowMedianBelow), "crushed": .number(p.gainLowCrushedFractionAbove)]),
                           message: Message(low ? "finding.IQ-002.dark" : "finding.IQ-002.ok", greyArgs)))
        let high = m.medianGrey > p.gainHighMedianAbove || m.saturatedFraction > p.gainHighSaturatedFractionAbove
        out.append(Finding(rule: .gainHigh, outcome: high ? .flagged : .passed, severity: high ? .warning : .info, file: file,
                           measured: m.saturatedFraction, unit: Message("unit.fraction_saturated"),
                           threshold: Message("threshold.gain_high", ["saturated": .number(p.gainHighSaturatedFractionAbove), "median": .number(p.gainHighMedianAbove)]),
                           message: Message(high ? "finding.IQ-003.bright" : "finding.IQ-003.ok", greyArgs)))
        let flat = m.dynamicRange < p.minDynamicRangeGreyLevels
        out.append(Finding(rule: .contrast, outcome: flat ? .flagged : .passed, severity: flat ? .warning : .info, file: file,
                           measured: m.dynamicRange, unit: Message("unit.grey_levels_p95_p5"),
                           threshold: Message("threshold.at_least", ["min": .number(p.minDynamicRangeGreyLevels)]),
                           message: Message(flat ? "finding.IQ-004.flat" : "finding.IQ-004.ok", ["range": .number(m.dynamicRange)])))
        let blurred = m.sharpness < p.minSharpness
        out.append(Finding(rule: .sharpness, outcome: blurred ? .flagged : .passed, severity: blurred ? .warning : .info, file: file,
                           measured: m.sharpness, unit: Message("unit.sharpness"),
                           threshold: Message("threshold.at_least", ["min": .number(p.minSharpness)]),
                           message: Message(blurred ? "finding.IQ-005.blurred" : "finding.IQ-005.ok", ["sharpness": .number(m.sharpness)])))
        if let snr = m.speckleSNR {
            let lo = p.speckleSNRInfoRange[0], hi = p.speckleSNRInfoRange[1]
            let odd = snr < lo || snr > hi
            out.append(Finding(rule: .speckleSNR, outcome: odd ? .flagged : .passed, severity: .info, file: file, measured: snr,
                               unit: Message("unit.mean_over_sd"),
                               threshold: Message("threshold.range_info", ["min": .number(lo), "max": .number(hi)]),
                               message: Message(odd ? "finding.IQ-006.unusual" : "finding.IQ-006.ok", ["snr": .number(snr)])))
        } else {
            out.append(Finding(rule: .speckleSNR, outcome: .notCheckable, severity: .info, file: file,
                               message: Message("finding.IQ-006.too_few_blocks")))
        }
        out.append(overlayFinding(overlays, file: file))
        return out
    }

    /// `declaredBurnedIn` is a DICOM file's BurnedInAnnotation (0028,0301): YES flags the frame
    /// even when the detector saw nothing (the mask covers only what it saw), and both answers are
    /// recorded beside the detector's.
    static func overlayFinding(_ o: OverlaySummary, declaredBurnedIn: Bool? = nil, file: String) -> Finding {
        let detected = !o.kinds.isEmpty
        let key: String
        switch (declaredBurnedIn, detected) {
        case (true?, true): key = "finding.IQ-008.found_declared"
        case (true?, false): key = "finding.IQ-008.none_but_declared"
        case (false?, true): key = "finding.IQ-008.found_not_declared"
        case (false?, false), (nil, _): key = detected ? "finding.IQ-008.found" : "finding.IQ-008.none"
        }
        let arguments: [String: MessageArg] = detected ? ["kinds": .text(o.kinds.joined(separator: ", "))] : [:]
        return Finding(rule: .overlays, outcome: detected || declaredBurnedIn == true ? .flagged : .passed, severity: .info, file: file,
                       measured: o.maskedFraction, unit: Message("unit.fraction_masked"), threshold: Message("threshold.overlays"),
                       message: Message(key, arguments))
    }

    static func gcnr(_ value: Double?, headTrusted: Bool, profile p: QCProfile.ImageQuality, file: String) -> Finding {
        guard headTrusted, let g = value else {
            return Finding(rule: .skullBrainGCNR, outcome: .notCheckable, severity: .info, file: file,
                           message: Message("finding.not_checkable.no_trusted_head"))
        }
        let poor = g < p.minSkullBrainGCNR
        return Finding(rule: .skullBrainGCNR, outcome: poor ? .flagged : .passed, severity: poor ? .warning : .info, file: file,
                       measured: g, unit: Message("unit.gcnr"), threshold: Message("threshold.at_least", ["min": .number(p.minSkullBrainGCNR)]),
                       message: Message(poor ? "finding.IQ-007.poor" : "finding.IQ-007.ok", ["gcnr": .number(g)]))
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
        let criteria = RuleID.planeCriteria
        let checklist = Finding(rule: .landmarksNeedReviewer, outcome: .notCheckable, severity: .info, file: file,
                                threshold: Message("threshold.reviewer"), message: Message("finding.HP-006.reviewer"))
        guard head.found else {
            let why: [String: MessageArg] = ["failure": .text(head.failure ?? "?")]
            if plane == .head {
                out.append(Finding(rule: .headPresent, outcome: .needsReview, severity: .warning, file: file,
                                   threshold: Message("threshold.credible_ellipse"), message: Message("finding.HP-001.not_found", why)))
            } else {
                out.append(Finding(rule: .headPresent, outcome: .notCheckable, severity: .info, file: file,
                                   message: Message("finding.HP-001.not_found_plane_unknown", why)))
            }
            return (out + criteria.map { Finding(rule: $0, outcome: .notCheckable, severity: .info, file: file,
                                                 message: Message("finding.not_checkable.no_head")) } + [checklist], nil)
        }
        let score = head.confidenceScore ?? 0
        guard headTrusted(head, p) else {
            out.append(Finding(rule: .headPresent, outcome: .needsReview, severity: .warning, file: file, measured: score, unit: Message("unit.confidence"),
                               threshold: Message("threshold.at_least", ["min": .number(p.minConfidenceScore)]),
                               message: Message("finding.HP-001.low_confidence", ["score": .number(score)])))
            return (out + criteria.map { Finding(rule: $0, outcome: .notCheckable, severity: .info, file: file,
                                                 message: Message("finding.not_checkable.head_not_trusted")) } + [checklist], nil)
        }
        if let e = head.expectedHCErrorMM {
            out.append(Finding(rule: .headPresent, outcome: .passed, severity: .info, file: file, measured: e, unit: Message("unit.expected_hc_error_mm"),
                               threshold: Message("threshold.not_abstained"),
                               message: Message("finding.HP-001.found_expected_error", ["error_mm": .number(e)])))
        } else {
            out.append(Finding(rule: .headPresent, outcome: .passed, severity: .info, file: file, measured: score, unit: Message("unit.confidence"),
                               threshold: Message("threshold.at_least", ["min": .number(p.minConfidenceScore)]), message: Message("finding.HP-001.found")))
        }
        guard fieldOfViewFound else {
            return (out + criteria.map { Finding(rule: $0, outcome: .notCheckable, severity: .info, file: file,
                                                 message: Message("finding.not_checkable.no_field_of_view")) } + [checklist], nil)
        }
        func points(_ rule: RuleID) -> Int { p.planeCriterionPoints[rule.rawValue] ?? 0 }
        var earned = 0, available = 0
        /// A missed criterion costs its points; it is a warning by itself only when `clearly` holds.
        func criterion(_ rule: RuleID, missed: Bool, clearly: Bool, measured: Double, unit: Message, threshold: Message, message: Message) {
            available += points(rule)
            if !missed { earned += points(rule) }
            let severity: Severity = missed && clearly ? .warning : .info
            out.append(Finding(rule: rule, outcome: missed ? .flagged : .passed, severity: severity, file: file,
                               measured: measured, unit: unit, threshold: threshold, message: message))
        }
        let area = head.areaFractionOfImage ?? 0
        let small = area < p.minHeadAreaFractionOfImage
        criterion(.headMagnification, missed: small, clearly: area < p.clearlyTooSmallHeadAreaFraction,
                  measured: area, unit: Message("unit.area_ratio"),
                  threshold: Message("threshold.at_least_warn_below", ["min": .number(p.minHeadAreaFractionOfImage), "warn": .number(p.clearlyTooSmallHeadAreaFraction)]),
                  message: Message(small ? "finding.HP-002.small" : "finding.HP-002.ok", ["area_pct": .number(100 * area)]))
        let inView = head.outlineInFieldOfView ?? 0
        let cut = inView < p.minOutlineInFieldOfView
        criterion(.headComplete, missed: cut, clearly: inView < p.clearlyCutOutlineInFieldOfView,
                  measured: inView, unit: Message("unit.outline_fraction"),
                  threshold: Message("threshold.at_least_warn_below", ["min": .number(p.minOutlineInFieldOfView), "warn": .number(p.clearlyCutOutlineInFieldOfView)]),
                  message: cut ? Message("finding.HP-003.cut", ["outside_pct": .number(100 * (1 - inView))]) : Message("finding.HP-003.ok"))
        let deficit = head.ringEchoDeficit ?? 0
        let skew = deficit > p.maxRingEchoDeficit
        criterion(.ringSymmetry, missed: skew, clearly: deficit > p.clearlyAsymmetricRingEchoDeficit,
                  measured: deficit, unit: Message("unit.ring_deficit"),
                  threshold: Message("threshold.at_most_warn_above", ["max": .number(p.maxRingEchoDeficit), "warn": .number(p.clearlyAsymmetricRingEchoDeficit)]),
                  message: Message(skew ? "finding.HP-004.asymmetric" : "finding.HP-004.ok", ["deficit": .number(deficit)]))
        let mid = head.midlineContrast ?? 0
        let noMid = mid < p.minMidlineContrast
        criterion(.midline, missed: noMid, clearly: false, measured: mid, unit: Message("unit.midline_ratio"),
                  threshold: Message("threshold.at_least", ["min": .number(p.minMidlineContrast)]),
                  message: Message(noMid ? "finding.HP-005.missing" : "finding.HP-005.ok"))
        let low = earned < p.minPlaneScore
        out.append(Finding(rule: .planeScore, outcome: low ? .flagged : .passed, severity: low ? .warning : .info, file: file,
                           measured: Double(earned), unit: Message("unit.points_of", ["available": .number(Double(available))]),
                           threshold: Message("threshold.at_least", ["min": .number(Double(p.minPlaneScore))]),
                           message: Message(low ? "finding.HP-007.low" : "finding.HP-007.ok",
                                            ["earned": .number(Double(earned)), "available": .number(Double(available))])))
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
        // Per-image tolerance from the measurement's expected error when it has one (HeadErrorModel),
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
                let name = MessageArg.text(measure.rawValue)
                guard let rep else {
                    out.append(Finding(rule: rule, outcome: .notCheckable, severity: .info, file: file,
                                       message: Message("finding.MS.no_reported", ["measure": name])))
                    continue
                }
                guard let px = auto[measure] else {
                    // A reported HC the measurer could not check (no head found, or it abstained) is
                    // as unconfirmed as one it cannot confirm below: a reviewer measures it by eye.
                    // (HP-001 routes head planes to review already; this names the measurement and
                    // covers frames whose plane is not stated.)
                    if rule == .hcAutomaticVsReported {
                        out.append(Finding(rule: rule, outcome: .needsReview, severity: .warning, file: file,
                                           threshold: Message("threshold.reviewer"),
                                           message: Message("finding.MS-001.unverified", ["reported_mm": .number(rep)])))
                    } else {
                        out.append(Finding(rule: rule, outcome: .notCheckable, severity: .info, file: file,
                                           message: Message("finding.MS.no_automatic", ["measure": name])))
                    }
                    continue
                }
                guard let s = spacing else {
                    out.append(Finding(rule: rule, outcome: .notCheckable, severity: .info, file: file, measured: px, unit: Message("unit.px"),
                                       message: Message("finding.MS.uncalibrated", ["measure": name, "automatic_px": .number(px)])))
                    continue
                }
                let diff = px * s - rep
                let tol = tolerance(rep)
                let fail = rule == .hcAutomaticVsReported && abs(diff) > 2 * tol
                let flagged = abs(diff) > tol
                // An agreeing HC confirms the report only when the true HC, which lies within the
                // tolerance of the automatic one, cannot be a gross error away from it.
                let gross = p.grossHCErrorFraction * rep
                if rule == .hcAutomaticVsReported, !flagged, gross > 0, abs(diff) + tol >= gross {
                    out.append(Finding(rule: rule, outcome: .needsReview, severity: .warning, file: file, measured: diff,
                                       unit: Message("unit.mm_auto_minus_reported"),
                                       threshold: Message("threshold.gross_error_excluded",
                                                          ["tolerance_mm": .number(tol), "gross_pct": .number(100 * p.grossHCErrorFraction)]),
                                       message: Message("finding.MS-001.cannot_confirm",
                                                        ["reported_mm": .number(rep), "automatic_mm": .number(px * s), "diff_mm": .number(diff),
                                                         "tolerance_mm": .number(tol), "gross_pct": .number(100 * p.grossHCErrorFraction)])))
                    continue
                }
                out.append(Finding(rule: rule, outcome: flagged ? .flagged : .passed, severity: fail ? .fail : flagged ? .warning : .info,
                                   file: file, measured: diff, unit: Message("unit.mm_auto_minus_reported"),
                                   threshold: rule == .hcAutomaticVsReported
                                       ? Message(u != nil ? "threshold.abs_diff_mm_warn_fail.own" : "threshold.abs_diff_mm_warn_fail",
                                                 ["warn": .number(tol), "fail": .number(2 * tol)])
                                       : Message(u != nil ? "threshold.abs_diff_mm.own" : "threshold.abs_diff_mm", ["max": .number(tol)]),
                                   message: Message(flagged ? "finding.MS.differs" : "finding.MS.agrees",
                                                    ["measure": name, "reported_mm": .number(rep), "automatic_mm": .number(px * s), "diff_mm": .number(diff)])))
            }
        }

        // HC vs the ellipse with the reported diameters.
        if let hc = r.hcMM, let bpd = r.bpdMM, let ofd = r.ofdMM {
            let perimeter = HeadGeometry.ellipsePerimeter(semiAxisA: ofd / 2, semiAxisB: bpd / 2)
            let rel = hc / perimeter - 1
            let hadlock = p.hcDiameterFactor * (bpd + ofd)
            let bad = abs(rel) > p.hcEllipseConsistencyFraction
            out.append(Finding(rule: .hcDiameterConsistency, outcome: bad ? .flagged : .passed, severity: bad ? .warning : .info, file: file,
                               measured: rel, unit: Message("unit.hc_perimeter_ratio"),
                               threshold: Message("threshold.abs_ratio", ["max": .number(p.hcEllipseConsistencyFraction)]),
                               message: Message(bad ? "finding.MS-004.inconsistent" : "finding.MS-004.consistent",
                                                ["hc_mm": .number(hc), "perimeter_mm": .number(perimeter), "factor": .number(p.hcDiameterFactor),
                                                 "hadlock_mm": .number(hadlock)])))
        } else if r.hcMM != nil || r.bpdMM != nil || r.ofdMM != nil {
            out.append(Finding(rule: .hcDiameterConsistency, outcome: .notCheckable, severity: .info, file: file,
                               message: Message("finding.MS-004.needs_all")))
        }

        // Cephalic index. Outside the usual range it is a review reason only while the diameters
        // are unconfirmed: when the automatic BPD and OFD agree with the reported ones (MS-002 and
        // MS-003 passed), the head has that shape (dolicho- or brachycephaly). The reviewer should
        // still see it (BPD is then a poor dating measure), but it is not a measurement error.
        if let bpd = r.bpdMM, let ofd = r.ofdMM {
            let ci = bpd / ofd
            let lo = p.cephalicIndexRange[0], hi = p.cephalicIndexRange[1]
            let swapped = ci > 1
            let outside = ci < lo || ci > hi
            let confirmed = [RuleID.bpdAutomaticVsReported, .ofdAutomaticVsReported].allSatisfy { rule in
                out.contains { $0.rule == rule && $0.outcome == .passed }
            }
            let severity: Severity = swapped ? .fail : outside && !confirmed ? .warning : .info
            let key = swapped ? "finding.MS-005.swapped" : !outside ? "finding.MS-005.ok"
                : confirmed ? "finding.MS-005.outside_confirmed" : "finding.MS-005.outside"
            out.append(Finding(rule: .cephalicIndex, outcome: outside ? .flagged : .passed, severity: severity,
                               file: file, measured: ci, unit: Message("unit.bpd_over_ofd"),
                               threshold: Message("threshold.cephalic", ["min": .number(lo), "max": .number(hi)]),
                               message: Message(key, ["index": .number(ci), "min": .number(lo), "max": .number(hi)])))
        }

        // z-scores of the reported values.
        let zRules: [(RuleID, BiometricMeasure, Double?)] = [
            (.zScoreHC, .hc, r.hcMM), (.zScoreBPD, .bpd, r.bpdMM), (.zScoreOFD, .ofd, r.ofdMM), (.zScoreAC, .ac, r.acMM), (.zScoreFL, .fl, r.flMM),
        ]
        for (rule, measure, value) in zRules {
            guard let value else { continue }
            let name = MessageArg.text(measure.rawValue)
            guard let ga = gaWeeks, let days = gestationalAgeDays else {
                out.append(Finding(rule: rule, outcome: .notCheckable, severity: .info, file: file,
                                   message: Message("finding.not_checkable.no_stated_ga")))
                continue
            }
            guard let z = try? Intergrowth21st.zScore(measure, valueMM: value, gaWeeks: ga) else {
                out.append(Finding(rule: rule, outcome: .notCheckable, severity: .info, file: file,
                                   message: Message("finding.MS-z.outside_chart", ["ga_weeks": .number(ga)])))
                continue
            }
            let centile = 100 * StandardNormal.cdf(z)
            let fail = abs(z) > p.zFailAbove, warn = abs(z) > p.zWarningAbove
            out.append(Finding(rule: rule, outcome: warn ? .flagged : .passed, severity: fail ? .fail : warn ? .warning : .info, file: file,
                               measured: z, unit: Message("unit.z_chart", ["chart": .text(p.chart)]),
                               threshold: Message("threshold.z", ["warn": .number(p.zWarningAbove), "fail": .number(p.zFailAbove)]),
                               message: Message(fail ? "finding.MS-z.extreme" : warn ? "finding.MS-z.unusual" : "finding.MS-z.ok",
                                                ["measure": name, "value_mm": .number(value), "z": .number(z), "centile": .number(centile),
                                                 "ga": .number(Double(days))])))
        }

        // Gestational age from HC vs stated.
        if let hc = r.hcMM {
            if let days = gestationalAgeDays, let estimate = try? Intergrowth21st.gestationalAge(hcMM: hc) {
                let diff = estimate.days - Double(days)
                if !estimate.isWithinValidatedRange || !Intergrowth21st.hcDatingValidDays.contains(Double(days)) {
                    out.append(Finding(rule: .gestationalAgeFromHC, outcome: .notCheckable, severity: .info, file: file, measured: diff,
                                       unit: Message("unit.days"),
                                       message: Message("finding.MS-011.outside_validated", ["estimate_weeks": .number(estimate.exactWeeks)])))
                } else {
                    let bad = abs(diff) > p.gaDiscrepancyDays
                    out.append(Finding(rule: .gestationalAgeFromHC, outcome: bad ? .flagged : .passed, severity: bad ? .warning : .info, file: file,
                                       measured: diff, unit: Message("unit.days_ga_difference"),
                                       threshold: Message("threshold.abs_diff_days", ["max": .number(p.gaDiscrepancyDays)]),
                                       message: bad ? Message("finding.MS-011.discrepant", ["diff_days": .number(diff), "ga": .number(Double(days))])
                                           : Message("finding.MS-011.ok", ["diff_days": .number(abs(diff))])))
                }
            } else if gestationalAgeDays == nil {
                out.append(Finding(rule: .gestationalAgeFromHC, outcome: .notCheckable, severity: .info, file: file,
                                   message: Message("finding.not_checkable.no_stated_ga")))
            }
        }
        return (rows, out)
    }
}
