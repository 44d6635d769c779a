import Foundation
import SonoCodecs
import SonoCore
import SonoInput
import SonoChecks
import SonoFilters
import Testing

/// Rules that need a real head on the frame, exercised on the committed clean phantom.
@Suite struct PhantomRuleTests {
    static let reference = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples/defects-acquisition/D-REF_1.png").path

    static func analyze(_ frame: Frame, reported: ReportedMeasurements = ReportedMeasurements(),
                        profile: QCProfile = .default) -> ImageReport {
        let context = ImageContext(scanID: "D-REF", file: "D-REF_1.png", plane: .head, reported: reported,
                                   manifestSpacingMMPerPixel: frame.fileSpacing?.mmPerPixel, gestationalAgeDays: 26 * 7)
        return FrameQC.analyze(frame: frame, context: context, profile: profile)
    }

    static func finding(_ report: ImageReport, _ rule: RuleID) -> Finding? {
        report.findings.first { $0.rule == rule }
    }

    /// The head the simulator drew (D-REF_1.truth.json): the reported values below are set from
    /// it, not from the automatic measurement, so a measurer that drifts from the truth fails the
    /// "agreeing" cases instead of agreeing with itself.
    static func truth() throws -> (hcMM: Double, bpdMM: Double, ofdMM: Double) {
        let url = URL(fileURLWithPath: reference.replacingOccurrences(of: ".png", with: ".truth.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let head = try #require(json["head"] as? [String: Any])
        return (try #require(head["hc_mm"] as? Double), try #require(head["bpd_mm"] as? Double), try #require(head["ofd_mm"] as? Double))
    }

    @Test func diameterDiscrepanciesFlagOnlyWhenReportedDiametersAreOff() throws {
        let frame = try ImageDecoder().decodeFile(atPath: Self.reference)
        let (_, bpd, ofd) = try Self.truth()

        let agreeing = Self.analyze(frame, reported: ReportedMeasurements(bpdMM: bpd + 1, ofdMM: ofd - 1))
        #expect(Self.finding(agreeing, .bpdAutomaticVsReported)?.outcome == .passed)
        #expect(Self.finding(agreeing, .ofdAutomaticVsReported)?.outcome == .passed)

        let off = Self.analyze(frame, reported: ReportedMeasurements(bpdMM: bpd - 15, ofdMM: ofd + 20))
        #expect(Self.finding(off, .bpdAutomaticVsReported)?.outcome == .flagged)
        #expect(Self.finding(off, .ofdAutomaticVsReported)?.outcome == .flagged)
    }

    /// An unusual head shape is listed for the reviewer but is not a review reason once the
    /// automatic diameters confirm the reported ones; unconfirmed, it stays a warning.
    @Test func cephalicIndexOutsideTheRangeIsAReviewReasonOnlyWhileTheDiametersAreUnconfirmed() throws {
        let frame = try ImageDecoder().decodeFile(atPath: Self.reference)
        let (_, bpd, ofd) = try Self.truth()
        // A range the phantom's true index (about 0.79) lies above, as a dolichocephalic head's lies below 0.70.
        var narrow = QCProfile.default
        narrow.measurements.cephalicIndexRange = [0.60, bpd / ofd - 0.03]
        let confirmed = Self.analyze(frame, reported: ReportedMeasurements(bpdMM: bpd, ofdMM: ofd), profile: narrow)
        let shape = try #require(Self.finding(confirmed, .cephalicIndex))
        #expect(shape.outcome == .flagged && shape.severity == .info)
        #expect(shape.explanation.contains("the head has this shape"))
        #expect(!confirmed.verdict.reasons.contains { $0.hasPrefix("MS-005") })
        // Diameters the automatic measurement does not confirm: the same index is a warning.
        let unconfirmed = Self.analyze(frame, reported: ReportedMeasurements(bpdMM: bpd + 12, ofdMM: ofd + 4), profile: narrow)
        #expect(Self.finding(unconfirmed, .bpdAutomaticVsReported)?.outcome == .flagged)
        let suspect = try #require(Self.finding(unconfirmed, .cephalicIndex))
        #expect(suspect.outcome == .flagged && suspect.severity == .warning)
    }

    /// qc-evidence's flag rate counts disagreement, not MS-001's "cannot confirm".
    @Test func evidenceTrialsCountDisagreementButNotCannotConfirm() throws {
        let frame = try ImageDecoder().decodeFile(atPath: Self.reference)
        let (hc, bpd, ofd) = try Self.truth()
        let spacing = try #require(frame.fileSpacing?.mmPerPixel)
        let trials = RuleEvidence.hcTrials(frame: frame, file: "D-REF_1.png", expertHCMM: hc, expertBPDMM: bpd, expertOFDMM: ofd,
                                           spacingMMPerPixel: spacing, profile: .default)
        let byScale = Dictionary(uniqueKeysWithValues: trials.map { ($0.scale, $0) })
        #expect(byScale[1]?.measurementRuleDisagrees == false)
        #expect(byScale[0.9]?.outcome == .flagged && byScale[0.9]?.measurementRuleDisagrees == true)
        var strict = QCProfile.default
        strict.measurements.grossHCErrorFraction = 0.01
        let unconfirmed = try #require(RuleEvidence.hcTrials(frame: frame, file: "D-REF_1.png", expertHCMM: hc, spacingMMPerPixel: spacing,
                                                             profile: strict).first { $0.scale == 1 })
        #expect(unconfirmed.outcome == .needsReview && unconfirmed.hcCaught && !unconfirmed.measurementRuleDisagrees)
        #expect(!unconfirmed.hcUnverified && unconfirmed.hcCannotConfirm)
        // The early-head policy levers: without "cannot confirm" this report is neither caught nor
        // a review case (the clean phantom has no other reason); the plane criteria alone change nothing here.
        #expect(unconfirmed.reasons == [.hcAutomaticVsReported])
        #expect(unconfirmed.notPass(withoutPlaneCriteria: false, withoutCannotConfirm: false) == (unconfirmed.verdict != .pass))
        #expect(unconfirmed.notPass(withoutPlaneCriteria: true, withoutCannotConfirm: false))
        #expect(!unconfirmed.notPass(withoutPlaneCriteria: false, withoutCannotConfirm: true))
        #expect(!unconfirmed.hcCaught(withoutCannotConfirm: true) && unconfirmed.hcCaught(withoutCannotConfirm: false))
        // A flagged HC stays caught and a review case under both levers.
        let flagged = try #require(byScale[0.9])
        #expect(flagged.hcCaught(withoutCannotConfirm: true) && flagged.notPass(withoutPlaneCriteria: true, withoutCannotConfirm: true))
        // No head to measure: every reported HC goes to a reviewer unchecked, counted apart from "cannot confirm".
        let black = Frame(source: "b.png", format: .png, sourceBitDepth: 8, sourceWasColour: false,
                          image: GrayImage(width: 320, height: 240, repeating: 0))
        let unchecked = RuleEvidence.hcTrials(frame: black, file: "b.png", expertHCMM: hc, spacingMMPerPixel: spacing, profile: .default)
        #expect(unchecked.count == RuleEvidence.hcTrialScales.count)
        #expect(unchecked.allSatisfy { $0.hcUnverified && $0.hcCaught && !$0.measurementRuleDisagrees })
        // Another measurement rule as a reason counts: BPD and OFD swapped fail MS-005.
        let swapped = try #require(RuleEvidence.hcTrials(frame: frame, file: "D-REF_1.png", expertHCMM: hc, expertBPDMM: ofd,
                                                         expertOFDMM: bpd, spacingMMPerPixel: spacing, profile: .default).first { $0.scale == 1 })
        #expect(swapped.measurementRuleDisagrees)
    }

    /// The oblique-plane phantom goes to review for its plane alone (HP-004 clearly asymmetric):
    /// with the plane criteria not applied, as qc-evidence's early-head lever asks, it would pass.
    @Test func planeCriteriaLeverDropsOnlyPlaneReasons() throws {
        let path = Self.reference.replacingOccurrences(of: "D-REF_1", with: "D-OBLIQUE_1")
        let frame = try ImageDecoder().decodeFile(atPath: path)
        let url = URL(fileURLWithPath: path.replacingOccurrences(of: ".png", with: ".truth.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let head = try #require(json["head"] as? [String: Any])
        let hc = try #require(head["hc_mm"] as? Double), spacing = try #require(frame.fileSpacing?.mmPerPixel)
        let trials = RuleEvidence.hcTrials(frame: frame, file: "D-OBLIQUE_1.png", expertHCMM: hc, expertBPDMM: head["bpd_mm"] as? Double,
                                           expertOFDMM: head["ofd_mm"] as? Double, spacingMMPerPixel: spacing, profile: .default)
        let trial = try #require(trials.first { $0.scale == 1 })
        #expect(trial.reasons.contains(.ringSymmetry) && trial.verdict != .pass, "\(trial.reasons)")
        #expect(trial.reasons.allSatisfy { $0.rawValue.hasPrefix("HP-") && $0 != .headPresent }, "\(trial.reasons)")
        #expect(trial.notPass(withoutPlaneCriteria: false, withoutCannotConfirm: true))
        #expect(!trial.notPass(withoutPlaneCriteria: true, withoutCannotConfirm: false))
    }

    @Test func agreeingHCGoesToReviewWhenTheToleranceIsTooWideToConfirmIt() throws {
        let frame = try ImageDecoder().decodeFile(atPath: Self.reference)
        let hc = try Self.truth().hcMM
        let reported = ReportedMeasurements(hcMM: hc)
        // On the clean phantom automatic HC ± tolerance excludes a 10 % error: the true HC
        // reported passes and a 10 % mis-statement of it is flagged.
        #expect(Self.finding(Self.analyze(frame, reported: reported), .hcAutomaticVsReported)?.outcome == .passed)
        #expect(Self.finding(Self.analyze(frame, reported: ReportedMeasurements(hcMM: hc * 1.1)), .hcAutomaticVsReported)?.outcome == .flagged)
        // A site that wants a 1 % error excluded cannot have it from this tolerance: review, not pass.
        var strict = QCProfile.default
        strict.measurements.grossHCErrorFraction = 0.01
        let unconfirmed = try #require(Self.finding(Self.analyze(frame, reported: reported, profile: strict), .hcAutomaticVsReported))
        #expect(unconfirmed.outcome == .needsReview && unconfirmed.severity == .warning)
        #expect(unconfirmed.explanation.contains("cannot be excluded"))
        // Off by more than the tolerance is still flagged, whatever the confirmation limit.
        let off = Self.analyze(frame, reported: ReportedMeasurements(hcMM: hc * 1.1), profile: strict)
        #expect(Self.finding(off, .hcAutomaticVsReported)?.outcome == .flagged)
    }

    @Test func anatomicalLandmarksAreLeftToTheReviewerNeverPassed() throws {
        let frame = try ImageDecoder().decodeFile(atPath: Self.reference)
        let landmarks = try #require(Self.finding(Self.analyze(frame), .landmarksNeedReviewer))
        #expect(landmarks.outcome != .passed)
        #expect(landmarks.explanation.contains("reviewer"))
    }

    @Test func speckleSNRIsInRangeOnRawSpeckleAndFlaggedWhenHeavilySmoothed() throws {
        var frame = try ImageDecoder().decodeFile(atPath: Self.reference)
        #expect(Self.finding(Self.analyze(frame), .speckleSNR)?.outcome == .passed)
        // Smoothing far beyond any scanner's (σ = 12 px) lifts the block SNR out of the
        // speckle range (≈ 17 against the profile's 1.5–10).
        frame.image = GaussianBlur.apply(frame.image, sigma: 12)
        let smoothed = try #require(Self.finding(Self.analyze(frame), .speckleSNR))
        #expect(smoothed.outcome == .flagged, "SNR \(String(describing: smoothed.measured))")
    }
}
