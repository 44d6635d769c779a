import Dispatch
import Foundation
import SonoChecks
import SonoCore
import SonoTestSupport
import Testing
import SonoInput
import SonoImageAnalysis
import SonoL10n

@Suite("Per-frame QC")
struct FrameQCTests {
    static func frame(_ path: String) throws -> Frame {
        try ImageDecoderShim.decode(Repository.path("samples").appendingPathComponent(path))
    }

    @Test func concurrentAnalysisEqualsSerialAnalysis() throws {
        let paths = ["defects-acquisition/D-REF_1.png", "defects-overlays-duplicates/O-ALL_1.jpg", "hospital-day/H0415-06_1.png",
                     "defects-acquisition/D-GAINLOW_1.png"]
        let frames = try paths.map(Self.frame)
        let contexts = paths.map { ImageContext(scanID: "S", file: $0, plane: .head, reported: ReportedMeasurements(hcMM: 240), gestationalAgeDays: 182) }
        let serial = zip(frames, contexts).map { FrameQC.analyze(frame: $0, context: $1, profile: .default) }
        // @unchecked: each worker writes its own slot under `lock`; read after concurrentPerform returns.
        final class Box: @unchecked Sendable { var reports: [ImageReport?]; init(_ n: Int) { reports = Array(repeating: nil, count: n) } }
        let box = Box(frames.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: frames.count) { i in
            let r = FrameQC.analyze(frame: frames[i], context: contexts[i], profile: .default)
            lock.lock(); box.reports[i] = r; lock.unlock()
        }
        #expect(box.reports.compactMap { $0 } == serial)
    }

    @Test func burnedInMarksAreMaskedAndTheHeadIsStillMeasured() throws {
        // Calipers drawn on the skull: the overlay mask must cover them, and the measurement with
        // the mask must stay within the automatic tolerance of the truth.
        let f = try Self.frame("defects-overlays-duplicates/O-CALIPERS_1.png")
        let truth = try JSONSerialization.jsonObject(with: Data(contentsOf: Repository.path("samples")
            .appendingPathComponent("defects-overlays-duplicates/O-CALIPERS_1.truth.json"))) as? [String: Any]
        let hcTruth = try #require((truth?["head"] as? [String: Any])?["hc_mm"] as? Double)
        let ctx = ImageContext(scanID: "O-CALIPERS", file: "O-CALIPERS_1.png", plane: .head, reported: ReportedMeasurements(hcMM: hcTruth),
                               manifestSpacingMMPerPixel: truth?["pixel_spacing_mm"] as? Double, gestationalAgeDays: 26 * 7)
        let r = FrameQC.analyze(frame: f, context: ctx, profile: .default)
        #expect(r.overlays.kinds.contains("marks-in-field-of-view"))
        let calipers = ((truth?["overlays"] as? [[String: Any]]) ?? []).filter { $0["kind"] as? String == "caliper" }
        #expect(calipers.count >= 2)
        for c in calipers {
            // The cross's arms may be found as separate components (its centre sits on bright bone).
            let x0 = c["x"] as? Int ?? 0, y0 = c["y"] as? Int ?? 0, w = c["width"] as? Int ?? 0, h = c["height"] as? Int ?? 0
            #expect(r.overlays.regions.contains { $0.x < x0 + w && x0 < $0.x + $0.width && $0.y < y0 + h && y0 < $0.y + $0.height },
                    "caliper at \(x0),\(y0)")
        }
        #expect(r.findings.first { $0.rule == .hcAutomaticVsReported }?.outcome == .passed)
    }

    @Test func blackFrameIsReportedAsDarkWithoutFieldOfView() {
        let black = Frame(source: "b.png", format: .png, sourceBitDepth: 8, sourceWasColour: false,
                          image: GrayImage(width: 320, height: 240, repeating: 0))
        let r = FrameQC.analyze(frame: black, context: ImageContext(scanID: "S", file: "b.png", plane: .head), profile: .default)
        let byRule = Dictionary(uniqueKeysWithValues: r.findings.map { ($0.rule, $0) })
        #expect(byRule[.fieldOfView]?.outcome == .flagged)
        #expect(byRule[.gainLow]?.outcome == .flagged)
        #expect(byRule[.headPresent]?.outcome == .needsReview)
        #expect(byRule[.calibration]?.outcome == .flagged)
        #expect(r.verdict.value == .review)
    }

    @Test func aReportedHCWithoutATrustedHeadGoesToAReviewerEvenWhenThePlaneIsNotStated() {
        // No head can be found on a black frame. On a frame of unstated plane HP-001 does not send
        // it to review, so only MS-001 tells the reviewer that the reported HC was never checked.
        let black = Frame(source: "b.png", format: .png, sourceBitDepth: 8, sourceWasColour: false,
                          image: GrayImage(width: 320, height: 240, repeating: 0))
        func findings(_ reported: ReportedMeasurements) -> [RuleID: Finding] {
            let context = ImageContext(scanID: "S", file: "b.png", plane: .unknown, reported: reported, manifestSpacingMMPerPixel: 0.15)
            return Dictionary(uniqueKeysWithValues: FrameQC.analyze(frame: black, context: context, profile: .default).findings.map { ($0.rule, $0) })
        }
        let withHC = findings(ReportedMeasurements(bpdMM: 50, hcMM: 180))
        #expect(withHC[.headPresent]?.outcome == .notCheckable)
        #expect(withHC[.hcAutomaticVsReported]?.outcome == .needsReview)
        #expect(withHC[.hcAutomaticVsReported]?.message?.key == "finding.MS-001.unverified")
        #expect(withHC[.hcAutomaticVsReported]?.measured == nil)
        #expect(withHC[.bpdAutomaticVsReported]?.outcome == .notCheckable)
        // Nothing reported: nothing to verify, so nothing for the reviewer.
        #expect(findings(ReportedMeasurements())[.hcAutomaticVsReported]?.outcome == .notCheckable)
    }
}
