import Foundation
import Testing
import SonoTestSupport
import SonoCodecs
import SonoCore
import SonoFilters
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
        #expect(csv[4].contains(",10.00,none,"))
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

    @Test("ellipse truth parses, and BPD, OFD, centre and angle errors are computed against it")
    func ellipseTruthErrors() throws {
        let text = "filename,pixel_size_mm,hc_mm,center_x_px,center_y_px,semi_major_px,semi_minor_px,major_axis_angle_deg,bpd_mm,ofd_mm\n"
            + "a.png,0.5,100,100,80,40,30,170,30,40\n"
        let truth = try HCEvaluation.parseEllipseTruth(text)
        #expect(truth == [.init(filename: "a.png", centerXPx: 100, centerYPx: 80, semiMajorPx: 40, semiMinorPx: 30,
                                majorAxisAngleDeg: 170, bpdMM: 30, ofdMM: 40)])
        #expect(throws: HCEvaluation.TruthFileError.self) { try HCEvaluation.parseEllipseTruth("filename,bpd_mm\na,1\n") }
        #expect(throws: HCEvaluation.TruthFileError.self) {
            try HCEvaluation.parseEllipseTruth("filename,center_x_px,center_y_px,semi_major_px,semi_minor_px,major_axis_angle_deg,bpd_mm,ofd_mm\na,1,1,0,1,0,1,1\n")
        }
        // Measured: centre 3-4-5 px away, axes 42/31 px at 0.5 mm/px, major axis at -5 deg (= 175).
        let m = HeadMeasurement(ellipse: Ellipse(centerX: 103, centerY: 84, semiAxisA: 42, semiAxisB: 31, angleRadians: -5 * Double.pi / 180),
                                spacingMMPerPixel: 0.5, calibrationNote: nil,
                                confidence: .init(perimeterSupport: 1, perimeterVisible: 1, residualRMSPixels: 1,
                                                  ridgeContrast: 1, ringContrastRatio: 2, score: 1))
        let r = HCEvaluation.attach(truth, to: [.init(entry: .init(filename: "a.png", pixelSizeMM: 0.5, hcMM: 100), measurement: m,
                                                       failure: nil, measureSeconds: 0)])[0]
        #expect(abs(try #require(r.bpdDiffMM) - 1) < 1e-9)
        #expect(abs(try #require(r.ofdDiffMM) - 2) < 1e-9)
        #expect(abs(try #require(r.centreDistanceMM) - 2.5) < 1e-9)
        #expect(abs(try #require(r.angleDiffDeg) - 5) < 1e-6)
        let s = HCEvaluation.summarize([r])
        #expect(s.bpdMeanAbsDiffMM == r.bpdDiffMM && s.evaluation == "in-sample")
        #expect(try HCEvaluation.summaryJSON(s).contains("\"bpd_mean_abs_diff_mm\""))
        let header = HCEvaluation.perImageCSV([r]).split(separator: "\n")[0]
        #expect(header.hasPrefix("filename,pixel_size_mm,hc_mm,measured_hc_mm,diff_mm,abs_diff_mm,bpd_mm,ofd_mm,"))
        #expect(header.hasSuffix("expected_abs_error_mm,hc_tolerance_mm,fold"))
    }

    @Test("folds group frames by examination and are deterministic")
    func groupedFolds() {
        #expect(CrossValidation.examination(of: "images/220_2HC.png") == "220")
        #expect(CrossValidation.examination(of: "220_HC.png") == "220")
        let groups = ["1", "2", "1", "3", "4", "2", "5"]
        let a = CrossValidation.foldAssignment(groups: groups, folds: 3)
        #expect(a == CrossValidation.foldAssignment(groups: groups, folds: 3))
        #expect(a[0] == a[2] && a[1] == a[5])
        #expect(Set(a) == [0, 1, 2])
    }

    @Test("error model: fit recovers a planted error scale and held-out tolerances cover about 97.5 %")
    func errorModelFit() throws {
        // Errors proportional to exp(-2 * support): the fitted model must rank them and match the mean.
        var generator = SeededGenerator(seed: 7)
        var samples: [HeadErrorModel.Sample] = []
        for i in 0..<400 {
            let support = Double.random(in: 0.2...1, using: &generator)
            let scale = 8 * exp(-2 * support)
            let e = scale * Double.random(in: -1.5...1.5, using: &generator)
            samples.append(.init(features: [1, support, 0, 0, 0, 0, 0], hcErrorMM: e, bpdErrorMM: e / 3, ofdErrorMM: e / 2,
                                 group: "\(i / 2)"))
        }
        let model = try #require(HeadErrorModel.fit(samples))
        let low = model.hc.expected([1, 0.3, 0, 0, 0, 0, 0]), high = model.hc.expected([1, 0.9, 0, 0, 0, 0, 0])
        #expect(low > 2 * high)
        let meanExpected = samples.map { model.hc.expected($0.features) }.reduce(0, +) / 400
        let meanObserved = samples.map { abs($0.hcErrorMM) }.reduce(0, +) / 400
        #expect(abs(meanExpected - meanObserved) / meanObserved < 0.01)
        let covered = samples.filter { abs($0.hcErrorMM) <= model.hc.toleranceMultiple * model.hc.expected($0.features) }.count
        #expect((0.95...0.995).contains(Double(covered) / 400))
        // Abstention limit leaves about 2 % of frames out.
        let abstained = samples.filter { model.hc.expected($0.features) > model.abstainAboveExpectedHCErrorMM }.count
        #expect((2...16).contains(abstained))
        #expect(HeadErrorModel.fit(Array(samples.prefix(5))) == nil)
    }

    @Test("abstention: a measurement above the model's limit becomes a failure that says why")
    func abstains() throws {
        let m = HeadMeasurement(ellipse: Ellipse(centerX: 100, centerY: 100, semiAxisA: 60, semiAxisB: 45, angleRadians: 0),
                                spacingMMPerPixel: 0.2, calibrationNote: nil,
                                confidence: .init(perimeterSupport: 0.3, perimeterVisible: 1, residualRMSPixels: 3,
                                                  ridgeContrast: 0.2, ringContrastRatio: 1.3, score: 0.2))
        var model = HeadErrorModel.hc18Dev
        let e = try #require(model.uncertainty(of: m)).expectedAbsErrorHCMM
        model.abstainAboveExpectedHCErrorMM = e + 0.1
        #expect((try? HeadMeasurer.applying(model, to: m, abstain: true).get())?.uncertainty != nil)
        model.abstainAboveExpectedHCErrorMM = e - 0.1
        guard case .failure(let f) = HeadMeasurer.applying(model, to: m, abstain: true) else {
            Issue.record("expected abstention"); return
        }
        #expect(f.summary.hasPrefix("abstained: expected HC error"))
        // The two figures are printed precisely enough to show which is larger (0.1 mm apart here).
        let printed = try #require(f.summary.firstMatch(of: /error ([0-9.]+) mm is above the ([0-9.]+) mm limit/))
        #expect(try #require(Double(printed.1)) > (try #require(Double(printed.2))))
        #expect((try? HeadMeasurer.applying(model, to: m, abstain: false).get()) != nil)
        // Without a mm spacing there is no expected error and no abstention.
        var px = m
        px.spacingMMPerPixel = nil
        #expect((try? HeadMeasurer.applying(model, to: px, abstain: true).get())?.uncertainty == nil)
    }

    @Test("shape correction: a Huber fit recovers planted axis biases despite gross outliers, and only rescales the axes")
    func shapeCorrection() throws {
        var generator = SeededGenerator(seed: 3)
        var samples: [HeadShapeCorrection.Sample] = []
        for i in 0..<300 {
            let size = Double.random(in: -0.8...0.6, using: &generator), shape = Double.random(in: -0.2...0.1, using: &generator)
            let x = [1, size, shape]
            // Major axis biased by -1 % - 5 % x shape, minor by +0.5 %; every 20th frame a wrong ring (+40 %).
            let noise = Double.random(in: -0.005...0.005, using: &generator)
            let outlier = i % 20 == 0 ? 0.4 : 0
            samples.append(.init(features: x, logMajorRatio: -0.01 - 0.05 * shape + noise + outlier, logMinorRatio: 0.005 + noise + outlier))
        }
        let c = try #require(HeadShapeCorrection.fit(samples))
        #expect(abs(c.majorWeights[0] + 0.01) < 0.002 && abs(c.majorWeights[2] + 0.05) < 0.01 && abs(c.majorWeights[1]) < 0.005)
        #expect(abs(c.minorWeights[0] - 0.005) < 0.002)
        let m = HeadMeasurement(ellipse: Ellipse(centerX: 50, centerY: 60, semiAxisA: 30, semiAxisB: 40, angleRadians: 0.3),
                                spacingMMPerPixel: 0.8, calibrationNote: nil,
                                confidence: .init(perimeterSupport: 1, perimeterVisible: 1, residualRMSPixels: 1,
                                                  ridgeContrast: 1, ringContrastRatio: 2, score: 1))
        let out = HeadShapeCorrection(majorWeights: [0.02, 0, 0], minorWeights: [-0.01, 0, 0]).applied(to: m)
        #expect(abs(out.ellipse.semiMajor - 40 * exp(0.02)) < 1e-9 && abs(out.ellipse.semiMinor - 30 * exp(-0.01)) < 1e-9)
        #expect(out.ellipse.centerX == 50 && out.ellipse.centerY == 60)
        #expect(abs(out.ellipse.majorAxisAngleRadians - m.ellipse.majorAxisAngleRadians) < 1e-12)
        var px = m
        px.spacingMMPerPixel = nil
        #expect(HeadShapeCorrection(majorWeights: [0.02, 0, 0], minorWeights: [0, 0, 0]).applied(to: px) == px)
    }

    @Test("cross-validation: each fold's constants come from the other folds and every frame gets its fold")
    func crossValidationFolds() throws {
        // Synthetic raw results: measured ellipse 2 % too large in both axes, ellipse truth exact.
        var generator = SeededGenerator(seed: 11)
        var results: [HCEvaluation.ImageResult] = []
        for i in 0..<120 {
            let a = Double.random(in: 60...120, using: &generator), b = a * Double.random(in: 0.7...0.9, using: &generator)
            let truth = Ellipse(centerX: 200, centerY: 150, semiAxisA: a, semiAxisB: b, angleRadians: 0)
            let measured = Ellipse(centerX: 200, centerY: 150, semiAxisA: a * 1.02, semiAxisB: b * 1.02, angleRadians: 0)
            let m = HeadMeasurement(ellipse: measured, spacingMMPerPixel: 0.2, calibrationNote: nil,
                                    confidence: .init(perimeterSupport: Double.random(in: 0.3...0.9, using: &generator), perimeterVisible: 1,
                                                      residualRMSPixels: Double.random(in: 1...3, using: &generator), ridgeContrast: 0.5,
                                                      ringContrastRatio: 2, score: 0.5))
            let name = String(format: "%03d_HC.png", i / 2)
            results.append(.init(entry: .init(filename: name, pixelSizeMM: 0.2, hcMM: truth.perimeter * 0.2), measurement: m,
                                 failure: nil, measureSeconds: 0,
                                 ellipseTruth: .init(filename: name, centerXPx: 200, centerYPx: 150, semiMajorPx: a, semiMinorPx: b,
                                                     majorAxisAngleDeg: 0, bpdMM: 2 * b * 0.2, ofdMM: 2 * a * 0.2)))
        }
        let cv = try #require(HCEvaluation.crossValidate([0.4: results], folds: 4))
        #expect(cv.choices.map(\.fold) == [0, 1, 2, 3])
        #expect(cv.results.allSatisfy { $0.fold != nil })
        for r in cv.results where r.measurement != nil {
            #expect(abs(r.signedDiffMM!) < 0.05, "\(r.entry.filename): corrected HC off by \(r.signedDiffMM!)")
        }
        // Both frames of an examination share a fold.
        for pair in stride(from: 0, to: 120, by: 2) { #expect(cv.results[pair].fold == cv.results[pair + 1].fold) }
        #expect(HCEvaluation.summarize(cv.results).evaluation == "cross-validated (4 folds grouped by examination)")
    }

    @Test("reliability table bins frames by expected error")
    func reliabilityBins() {
        func result(_ diff: Double, expected: Double) -> HCEvaluation.ImageResult {
            var m = HeadMeasurement(ellipse: Ellipse(centerX: 0, centerY: 0, semiAxisA: (100 + diff) / (2 * Double.pi),
                                                     semiAxisB: (100 + diff) / (2 * Double.pi), angleRadians: 0),
                                    spacingMMPerPixel: 1, calibrationNote: nil,
                                    confidence: .init(perimeterSupport: 1, perimeterVisible: 1, residualRMSPixels: 0,
                                                      ridgeContrast: 1, ringContrastRatio: 2, score: 1))
            m.uncertainty = .init(expectedAbsErrorHCMM: expected, expectedAbsErrorBPDMM: 1, expectedAbsErrorOFDMM: 1,
                                  toleranceHCMM: 3 * expected, toleranceBPDMM: 3, toleranceOFDMM: 3)
            return .init(entry: .init(filename: "x", pixelSizeMM: 1, hcMM: 100), measurement: m, failure: nil, measureSeconds: 0)
        }
        let bins = HCEvaluation.reliability([result(1, expected: 1), result(-7, expected: 2), result(2, expected: 5), result(20, expected: 6)],
                                            bins: 2)
        #expect(bins.count == 2)
        #expect(bins[0].count == 2 && abs(bins[0].meanExpectedMM - 1.5) < 1e-9 && abs(bins[0].meanObservedMM - 4) < 1e-6)
        #expect(bins[0].within5mm == 0.5 && bins[0].withinTolerance == 0.5)
        #expect(bins[1].withinTolerance == 0.5)
        #expect(HCEvaluation.reliabilityText(bins).contains("within own tolerance"))
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

    /// Fixed CI subset: the 101 hc18-dev frames whose examination number ends in 0. Under
    /// 5-fold cross-validation grouped by examination (`sonoqc evaluate-hc … --folds 5`) these
    /// frames had mean |HC difference| 1.92 mm, BPD 0.62 mm, 2 without a result (2.42 mm, 0.78 mm
    /// and 3 before small heads were refitted to their edge); the bounds add about 10 % so that
    /// only a real regression fails (this test runs the committed in-sample constants, which are
    /// at least as good on their own tuning frames), and a measurer without the refit fails them.
    static let subsetMeanAbsDiffBoundMM = 2.1
    static let subsetBPDMeanAbsDiffBoundMM = 0.7
    static let subsetMaximumNoResult = 3

    @Test("hc18-dev regression on a fixed subset: HC and BPD error within bounds derived from the cross-validated figures",
          .enabled(if: SharedData.hasHC18, "../shared/data/hc18-dev is absent: HC18 regression skipped"))
    func hc18Regression() throws {
        let directory = SharedData.hc18Directory
        let truth = try String(contentsOf: directory.appendingPathComponent("truth.csv"), encoding: .utf8)
        let entries = try HCEvaluation.parseTruth(truth).filter { CrossValidation.examination(of: $0.filename).hasSuffix("0") }
        #expect(entries.count == 101)
        let ellipses = try HCEvaluation.parseEllipseTruth(
            String(contentsOf: directory.appendingPathComponent("ellipse-truth.csv"), encoding: .utf8))
        let decoder = ImageDecoder()
        let results = HCEvaluation.attach(ellipses, to: HCEvaluation.evaluate(entries) { name in
            try decoder.decodeFile(atPath: directory.appendingPathComponent("images").appendingPathComponent(name).path).image
        })
        let summary = HCEvaluation.summarize(results)
        #expect(summary.noResult <= Self.subsetMaximumNoResult,
                "\(results.filter { $0.measurement == nil }.map { "\($0.entry.filename): \($0.failure ?? "")" })")
        let mean = try #require(summary.meanAbsDiffMM)
        #expect(mean <= Self.subsetMeanAbsDiffBoundMM, "mean abs HC diff \(mean) mm")
        let bpd = try #require(summary.bpdMeanAbsDiffMM)
        #expect(bpd <= Self.subsetBPDMeanAbsDiffBoundMM, "mean abs BPD diff \(bpd) mm")
        // Every measurement carries its expected error, and most land within their own tolerance.
        let measured = results.filter { $0.measurement != nil }
        #expect(measured.allSatisfy { $0.measurement?.uncertainty != nil })
        let inside = measured.filter { abs($0.signedDiffMM!) <= $0.measurement!.uncertainty!.toleranceHCMM }.count
        #expect(Double(inside) / Double(measured.count) >= 0.93)
    }

    /// `HeadShapeCorrection.hc18Dev` and `HeadErrorModel.hc18Dev` are the literals `evaluate-hc
    /// --fit-error-model` prints. A change to the measurer moves the features and errors they were
    /// fitted to; without a refit the expected errors, MS-001's tolerances and the abstention limit
    /// would describe another measurer. Compared to the printed precision (6 decimals for weights
    /// and scales, 4 for tolerance multiples, 3 for the abstention limit).
    @Test("the committed shape correction and error model are what the committed measurer fits on hc18-dev",
          .enabled(if: SharedData.hasHC18, "../shared/data/hc18-dev is absent: refit check skipped"))
    func committedConstantsAreTheFitOnHC18Dev() throws {
        let entries = try HCEvaluation.parseTruth(String(contentsOf: SharedData.hc18Truth, encoding: .utf8))
        let ellipses = try HCEvaluation.parseEllipseTruth(String(contentsOf: SharedData.hc18EllipseTruth, encoding: .utf8))
        let decoder = ImageDecoder()
        var frames: [String: GrayImage] = [:]
        for entry in entries {
            frames[entry.filename] = try decoder.decodeFile(
                atPath: SharedData.hc18Images.appendingPathComponent(entry.filename).path).image
        }
        let byLevel = HCEvaluation.rawResultsByBorderLevel(entries, ellipses: ellipses) { frames[$0]! }
        let fitted = try #require(HCEvaluation.fitConstants(byLevel))
        #expect(fitted.level == HeadMeasurer.Options().outerBorderLevel)
        func agree(_ a: [Double], _ b: [Double], decimals: Int) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 0.6 * pow(10, -Double(decimals)) }
        }
        let correction = HeadShapeCorrection.hc18Dev
        #expect(agree(fitted.correction.majorWeights + fitted.correction.minorWeights,
                      correction.majorWeights + correction.minorWeights, decimals: 6),
                "refit: \(fitted.correction.swiftLiteral)")
        let model = HeadErrorModel.hc18Dev
        for (refit, committed) in [(fitted.model.hc, model.hc), (fitted.model.bpd, model.bpd), (fitted.model.ofd, model.ofd)] {
            #expect(agree(refit.weights + [refit.scale], committed.weights + [committed.scale], decimals: 6)
                        && agree([refit.toleranceMultiple], [committed.toleranceMultiple], decimals: 4),
                    "refit: \(fitted.model.swiftLiteral)")
        }
        #expect(agree([fitted.model.abstainAboveExpectedHCErrorMM], [model.abstainAboveExpectedHCErrorMM], decimals: 3),
                "refit: \(fitted.model.swiftLiteral)")
    }

    /// Frames exported at another size must measure as at full size: the measurer works on a
    /// 400-px grid whatever the frame size. With halving alone (detection grids of 150 instead of
    /// 200 px at these sizes) this test measured a mean |ΔHC| of 0.56 mm (0.75×) and 0.58 mm
    /// (1.5×), and two frames measured at one size only; on the 400-px grid, 0.14 mm and none.
    @Test("hc18-dev subset exported at 0.75x and 1.5x measures as at full size",
          .enabled(if: SharedData.hasHC18, "../shared/data/hc18-dev is absent: HC18 export check skipped"),
          arguments: [0.75, 1.5])
    func exportSizeDoesNotChangeMeasurement(factor: Double) throws {
        let directory = SharedData.hc18Directory
        let truth = try String(contentsOf: directory.appendingPathComponent("truth.csv"), encoding: .utf8)
        let entries = try HCEvaluation.parseTruth(truth).filter { CrossValidation.examination(of: $0.filename).hasSuffix("0") }
        let decoder = ImageDecoder()
        var differences: [Double] = [], measuredAtOneSizeOnly: [String] = []
        for entry in entries {
            let image = try decoder.decodeFile(
                atPath: directory.appendingPathComponent("images").appendingPathComponent(entry.filename).path).image
            let exported = ImageConversion.gray(Resample.scaled(ImageConversion.float(image), by: factor))
            let full = try? HeadMeasurer.measure(image, spacingMMPerPixel: entry.pixelSizeMM).get().hcMM
            let resized = try? HeadMeasurer.measure(exported, spacingMMPerPixel: entry.pixelSizeMM / factor).get().hcMM
            switch (full, resized) {
            case let (a?, b?): differences.append(abs(a - b))
            case (nil, nil): break
            default: measuredAtOneSizeOnly.append(entry.filename)
            }
        }
        #expect(measuredAtOneSizeOnly.count <= 1, "\(measuredAtOneSizeOnly)")
        let mean = differences.reduce(0, +) / Double(max(differences.count, 1))
        #expect(differences.count >= 95 && mean <= 0.35, "mean |ΔHC| \(mean) mm over \(differences.count) frames")
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
