import Foundation
import Testing
import SonoTestSupport
import SonoCodecs
import SonoCore
@testable import SonoBiometry

@Suite("HC evaluation")
struct HCEvaluationTests {
    @Test("truth CSV parses in any column order and rejects malformed rows")
    func parsesTruth() throws {
        let entries = try HCEvaluation.parseTruth("hc_mm,filename,pixel_size_mm\n44.3,000_HC.png,0.069\n\n72.87,010_2HC.png,0.0799\n")
        #expect(entries == [.init(filename: "000_HC.png", pixelSizeMM: 0.069, hcMM: 44.3),
                            .init(filename: "010_2HC.png", pixelSizeMM: 0.0799, hcMM: 72.87)])
        #expect(throws: HCEvaluation.TruthFileError(line: 1, reason: "header must contain filename, pixel_size_mm and hc_mm")) {
            try HCEvaluation.parseTruth("name,hc\n")
        }
        #expect(throws: HCEvaluation.TruthFileError(line: 3, reason: "pixel_size_mm must be a number of mm between 0 and 10, found \"x\"")) {
            try HCEvaluation.parseTruth("filename,pixel_size_mm,hc_mm\na.png,0.1,100\nb.png,x,100\n")
        }
        // Issue 16: `inf` passed `> 0` and failed only when summary.json was written.
        for bad in ["inf", "nan", "1e999", "-inf"] {
            #expect(throws: HCEvaluation.TruthFileError.self) { try HCEvaluation.parseTruth("filename,pixel_size_mm,hc_mm\na.png,0.1,\(bad)\n") }
            #expect(throws: HCEvaluation.TruthFileError.self) { try HCEvaluation.parseTruth("filename,pixel_size_mm,hc_mm\na.png,\(bad),100\n") }
        }
        // A repeated column is reported on the header line; a quoted name with a comma is one field.
        #expect(throws: HCEvaluation.TruthFileError.self) { try HCEvaluation.parseTruth("filename,hc_mm,pixel_size_mm,hc_mm\na.png,1,0.1,2\n") }
        #expect(try HCEvaluation.parseTruth("filename,pixel_size_mm,hc_mm\n\"a,b.png\",0.1,100\n")[0].filename == "a,b.png")
    }

    @Test("summary statistics: differences over results, within-fractions over all images")
    func summaryStatistics() throws {
        func result(_ hc: Double, measuredPX: Double?) -> HCEvaluation.ImageResult {
            let entry = HCEvaluation.TruthEntry(filename: "x", pixelSizeMM: 1, hcMM: hc)
            // A circle of the wanted perimeter (Ramanujan is exact for circles).
            let m = measuredPX.map {
                HeadMeasurement(ellipse: Ellipse(centerX: 0, centerY: 0, semiAxisA: $0 / (2 * Double.pi),
                                                 semiAxisB: $0 / (2 * Double.pi), angleRadians: 0),
                                spacingMMPerPixel: 1, calibrationNote: nil,
                                confidence: .init(perimeterSupport: 1, perimeterVisible: 1, residualRMSPixels: 0,
                                                  ridgeContrast: 1, ringContrastRatio: 2, score: 1))
            }
            return .init(entry: entry, measurement: m, failure: m == nil ? "none" : nil, measureSeconds: 0.01)
        }
        let results = [result(100, measuredPX: 101), result(100, measuredPX: 97), result(100, measuredPX: 106),
                       result(100, measuredPX: nil)]
        let s = HCEvaluation.summarize(results)
        #expect(s.count == 4 && s.noResult == 1)
        #expect(abs(try #require(s.meanAbsDiffMM) - 10.0 / 3) < 1e-9)
        #expect(abs(try #require(s.medianAbsDiffMM) - 3) < 1e-9)
        #expect(abs(try #require(s.meanSignedDiffMM) - 4.0 / 3) < 1e-9)
        #expect(abs(try #require(s.p95AbsDiffMM) - 5.7) < 1e-9)
        #expect(s.within2mm == 0.25 && s.within3mm == 0.5 && s.within5mm == 0.5 && s.within10mm == 0.75)
        let json = try HCEvaluation.summaryJSON(s)
        for key in ["count", "no_result", "mean_abs_diff_mm", "median_abs_diff_mm", "p95_abs_diff_mm",
                    "mean_signed_diff_mm", "within_2mm", "within_3mm", "within_5mm", "within_10mm"] {
            #expect(json.contains("\"\(key)\""), "\(key)")
        }
        let csv = HCEvaluation.perImageCSV(results).split(separator: "\n")
        #expect(csv.count == 5)
        #expect(csv[0].hasPrefix("filename,pixel_size_mm,hc_mm,measured_hc_mm,diff_mm"))
        #expect(csv[4].hasSuffix(",none"))
    }

    @Test("summary.json keeps every key, null when nothing was measured")
    func emptySummaryKeepsKeys() throws {
        let entry = HCEvaluation.TruthEntry(filename: "x", pixelSizeMM: 1, hcMM: 100)
        let s = HCEvaluation.summarize([.init(entry: entry, measurement: nil, failure: "none", measureSeconds: 0)])
        let json = try HCEvaluation.summaryJSON(s)
        #expect(json.contains("\"mean_abs_diff_mm\" : null"))
        #expect(json.contains("\"p95_abs_diff_mm\" : null"))
        let decoded = try JSONDecoder().decode(HCEvaluation.Summary.self, from: Data(json.utf8))
        #expect(decoded == s)
    }

    @Test("decode failures become per-image failures, not a crashed run")
    func decodeFailureIsRecorded() {
        struct Missing: Error {}
        let results = HCEvaluation.evaluate([.init(filename: "gone.png", pixelSizeMM: 0.1, hcMM: 100)]) { _ in
            throw Missing()
        }
        #expect(results.count == 1 && results[0].measurement == nil)
        #expect(results[0].failure?.hasPrefix("decode:") == true)
    }

    @Test("overlay marks the measured ellipse in green on a grey copy of the frame")
    func overlayDrawsEllipse() {
        let image = GrayImage(width: 50, height: 40, repeating: 10)
        let e = Ellipse(centerX: 25, centerY: 20, semiAxisA: 15, semiAxisB: 10, angleRadians: 0)
        let rgb = HCEvaluation.overlay(image, measured: e)
        #expect(rgb.count == 50 * 40 * 3)
        let i = 3 * (20 * 50 + 40)   // the point (40, 20) on the ellipse
        #expect(rgb[i] == 40 && rgb[i + 1] == 255 && rgb[i + 2] == 40)
        #expect(rgb[0] == 10 && rgb[1] == 10 && rgb[2] == 10)
    }

    /// Accuracy reached on hc18-dev when this bound was set (mean abs diff 2.59 mm, no image
    /// without result). The bound is tight on purpose: a change that makes it worse must be a
    /// deliberate decision, recorded by updating this number with the new evaluation.
    static let hc18MeanAbsDiffBoundMM = 2.65

    @Test("hc18-dev regression: every image measured and mean abs HC difference within the recorded bound",
          .enabled(if: SharedData.hasHC18, "../shared/data/hc18-dev is absent: HC18 regression skipped"))
    func hc18Regression() throws {
        let directory = SharedData.hc18Directory
        let truth = try String(contentsOf: directory.appendingPathComponent("truth.csv"), encoding: .utf8)
        let entries = try HCEvaluation.parseTruth(truth)
        #expect(entries.count == (try SharedData.hc18FrameNames()).count)
        let decoder = ImageDecoder()
        let results = HCEvaluation.evaluate(entries) { name in
            try decoder.decodeFile(atPath: directory.appendingPathComponent("images").appendingPathComponent(name).path).image
        }
        let summary = HCEvaluation.summarize(results)
        #expect(summary.noResult == 0, "\(results.filter { $0.measurement == nil }.map { "\($0.entry.filename): \($0.failure ?? "")" })")
        let mean = try #require(summary.meanAbsDiffMM)
        #expect(mean <= Self.hc18MeanAbsDiffBoundMM, "mean abs HC diff \(mean) mm")
        #expect(summary.within10mm >= 0.96)
    }

    /// The simulator's clean batch (one head per week 18–40, full ring in view). Its truth ellipse
    /// sits inside the blurred outer edge of the rendered bone, so the measurer reads about
    /// 1.5 % (4 mm) large there; the range allows for that offset and fails on real regressions.
    @Test("simulator phantoms: every clean phantom measured within 3 % and mean abs difference under 6 mm")
    func simulatorCleanBatch() throws {
        let truthURL = Repository.sample("clean-18-40").appendingPathComponent("truth.csv")
        let entries = try HCEvaluation.parseTruth(try String(contentsOf: truthURL, encoding: .utf8))
        #expect(!entries.isEmpty)
        let decoder = ImageDecoder()
        let directory = truthURL.deletingLastPathComponent()
        let results = HCEvaluation.evaluate(entries) { name in
            try decoder.decodeFile(atPath: directory.appendingPathComponent(name).path).image
        }
        let summary = HCEvaluation.summarize(results)
        #expect(summary.noResult == 0)
        #expect(try #require(summary.meanAbsDiffMM) < 6)
        for r in results {
            let diff = try #require(r.signedDiffMM, "\(r.entry.filename): \(r.failure ?? "")")
            #expect(abs(diff) / r.entry.hcMM < 0.03, "\(r.entry.filename): \(diff) mm")
        }
    }
}
