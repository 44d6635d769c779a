import Foundation
package import SonoCore
package import SonoBiometry
package import SonoInput

/// Sensitivity and false-flag rate of each rule over images whose defects are known (simulator
/// truth), and the HC discrepancy rule's behaviour on expert-annotated frames. Used by
/// `sonoqc schema qc-evidence` (hidden) and by the tests.
package enum RuleEvidence {
    /// Which rule is expected to fire for each simulator defect kind or reporting error.
    package static let expectedRules: [String: Set<RuleID>] = [
        "blur": [.sharpness],
        "gain_low": [.gainLow],
        "gain_high": [.gainHigh],
        "wrong_depth": [.headMagnification],
        "head_outside_sector": [.headComplete],
        "oblique_plane": [.ringSymmetry],
        "overlay_text": [.overlays], "overlay_calipers": [.overlays], "overlay_dotted_ellipse": [.overlays],
        "overlay_grey_bar": [.overlays], "overlay_black_boxes": [.overlays],
        "exact_duplicate": [.duplicateWithinScan, .duplicateAcrossScans], "near_duplicate": [.duplicateWithinScan, .duplicateAcrossScans],
        "swapped_bpd_ofd": [.cephalicIndex],
        "units_cm": [.zScoreHC],
    ]

    /// The rules evaluated for sensitivity (those some defect is expected to trigger).
    package static var rulesUnderTest: [RuleID] { Set(expectedRules.values.flatMap { $0 }).sorted() }

    package struct Case: Sendable {
        package var file: String
        /// Defect kinds and gross reporting errors from the truth file.
        package var defects: Set<String>
        /// Rules flagged on the image (image findings plus scan findings naming it).
        package var flagged: Set<RuleID>

        package init(file: String, defects: Set<String>, flagged: Set<RuleID>) {
            self.file = file
            self.defects = defects
            self.flagged = flagged
        }
    }

    package struct RuleRates: Sendable, Codable, Hashable {
        package var rule: String
        package var defective: Int
        package var detected: Int
        package var clean: Int
        package var falseFlags: Int
        package var sensitivity: Double? { defective > 0 ? Double(detected) / Double(defective) : nil }
        package var falseFlagRate: Double? { clean > 0 ? Double(falseFlags) / Double(clean) : nil }
    }

    /// Flagged rules of one image: flagged findings of any severity, needs-review findings, and
    /// scan-level findings naming the image.
    package static func flaggedRules(_ image: ImageReport, scanFindings: [Finding]) -> Set<RuleID> {
        Set((image.findings + scanFindings.filter { $0.file == image.file })
            .filter { $0.outcome == .flagged || $0.outcome == .needsReview }.map(\.rule))
    }

    /// Per rule: among images with a defect that should trigger it, how many did (sensitivity);
    /// among images with no defect that should trigger it, how many were flagged anyway.
    /// Duplicates count as "clean" only for images with no duplicate defect.
    package static func rates(_ cases: [Case]) -> [RuleRates] {
        rulesUnderTest.map { rule in
            var r = RuleRates(rule: rule.rawValue, defective: 0, detected: 0, clean: 0, falseFlags: 0)
            let triggering = Set(expectedRules.filter { $0.value.contains(rule) }.keys)
            let dupRules: Set<RuleID> = [.duplicateWithinScan, .duplicateAcrossScans]
            for c in cases {
                if !c.defects.isDisjoint(with: triggering) {
                    r.defective += 1
                    let hit = dupRules.contains(rule) ? !c.flagged.isDisjoint(with: dupRules) : c.flagged.contains(rule)
                    if hit { r.detected += 1 }
                } else {
                    r.clean += 1
                    if c.flagged.contains(rule) { r.falseFlags += 1 }
                }
            }
            return r
        }
    }

    /// One expert-annotated frame checked with the expert's values (HC scaled by `scale`, BPD and
    /// OFD as the expert's when known) given as the reported ones.
    package struct HCTrial: Sendable, Hashable {
        package var file: String
        package var scale: Double
        /// MS-001's outcome and severity.
        package var outcome: Outcome
        package var severity: Severity
        package var differenceMM: Double?
        /// Every rule flagged (any severity) or routed to review on the frame in this trial.
        package var flagged: [RuleID]
        /// Rules that are review or fail reasons (flagged warning/fail, or needs-review).
        package var reasons: [RuleID]
        /// The image's verdict.
        package var verdict: Verdict.Value
        /// The whole image report (metrics and head assessment for per-frame analysis).
        package var report: ImageReport

        /// MS-001 caught the reported HC: flagged it, or sent it to a reviewer (needs review)
        /// because it could not confirm it or had no trusted automatic HC to check it against.
        /// Not caught: passed, or not checkable (no spacing).
        package var hcCaught: Bool { outcome == .flagged || outcome == .needsReview }

        /// MS-001 sent the reported HC to a reviewer because the measurer found no trusted head
        /// (no difference to compare), as opposed to a tolerance too wide to confirm it.
        package var hcUnverified: Bool { outcome == .needsReview && differenceMM == nil }

        /// MS-001 sent the reported HC to a reviewer because it could not confirm it: there was an
        /// automatic HC, but its tolerance leaves room for a gross error.
        package var hcCannotConfirm: Bool { outcome == .needsReview && differenceMM != nil }

        /// Whether the frame would still be a review or fail case with the plane criteria not
        /// applied (`withoutPlaneCriteria`) and MS-001's "cannot confirm" not applied
        /// (`withoutCannotConfirm`): the two policy levers for early heads that docs/qc-rules.md
        /// weighs, a decision for the screening centre's QC lead. With neither it is `verdict != .pass`.
        package func notPass(withoutPlaneCriteria: Bool, withoutCannotConfirm: Bool) -> Bool {
            reasons.contains { rule in
                !(withoutPlaneCriteria && RuleID.planeCriteria.contains(rule))
                    && !(withoutCannotConfirm && rule == .hcAutomaticVsReported && hcCannotConfirm)
            }
        }

        /// ``hcCaught``, with MS-001's "cannot confirm" not counted when `withoutCannotConfirm`.
        package func hcCaught(withoutCannotConfirm: Bool) -> Bool { hcCaught && !(withoutCannotConfirm && hcCannotConfirm) }

        /// A measurement rule says the report disagrees (issue 14's flag rate): MS-001 flagged the
        /// HC, or another MS rule is a review or fail reason. MS-001's "cannot confirm" (agreement
        /// that does not exclude a gross error) is not a disagreement.
        package var measurementRuleDisagrees: Bool {
            outcome == .flagged || reasons.contains { $0 != .hcAutomaticVsReported && $0.rawValue.hasPrefix("MS-") }
        }
    }

    /// HC scales tried: expert as reported, and mis-stated by ±5 % and ±10 %.
    package static let hcTrialScales = [1.0, 0.95, 1.05, 0.9, 1.1]

    /// Runs FrameQC on a frame once per ``hcTrialScales`` entry.
    package static func hcTrials(frame: Frame, file: String, expertHCMM: Double, expertBPDMM: Double? = nil, expertOFDMM: Double? = nil,
                                spacingMMPerPixel: Double, profile: QCProfile,
                                measurer: HeadMeasurer.Options = HeadMeasurer.Options()) -> [HCTrial] {
        hcTrialScales.map { scale in
            let reported = ReportedMeasurements(bpdMM: expertBPDMM, ofdMM: expertOFDMM, hcMM: expertHCMM * scale)
            let context = ImageContext(scanID: file, file: file, plane: .head, reported: reported,
                                       manifestSpacingMMPerPixel: spacingMMPerPixel)
            let report = FrameQC.analyze(frame: frame, context: context, profile: profile, measurer: measurer)
            let finding = report.findings.first { $0.rule == .hcAutomaticVsReported }
            let reasons = report.findings.filter {
                $0.outcome == .needsReview || ($0.outcome == .flagged && $0.severity != .info)
            }.map(\.rule)
            return HCTrial(file: file, scale: scale, outcome: finding?.outcome ?? .notCheckable, severity: finding?.severity ?? .info,
                           differenceMM: finding?.measured,
                           flagged: report.findings.filter { $0.outcome == .flagged || $0.outcome == .needsReview }.map(\.rule),
                           reasons: reasons, verdict: report.verdict.value, report: report)
        }
    }
}
