import Foundation
import SonoBiometry
import SonoChecks
import SonoCore
import SonoTestSupport
import Testing
import SonoL10n
import SonoInput
import SonoImageAnalysis
import SonoFilters

/// Rule behaviour on constructed inputs: each measurement rule fires on exactly its defect.
@Suite("Measurement and verdict rules")
struct RuleTests {
    /// A plain synthetic frame (no head) so that only the reported-value rules have inputs.
    static func blankFrame(spacing: PixelSpacing? = nil) -> Frame {
        var rng = SplitMix64(seed: 7)
        let image = GrayImage(width: 200, height: 160, samples: (0..<(200 * 160)).map { _ in UInt8(40 + rng.next() % 40) })
        return Frame(source: "t.png", format: .png, sourceBitDepth: 8, sourceWasColour: false, image: image, fileSpacing: spacing)
    }

    static func findings(_ reported: ReportedMeasurements, gaDays: Int? = 20 * 7, plane: Plane = .abdomen) -> [RuleID: Finding] {
        let ctx = ImageContext(scanID: "S", file: "t.png", plane: plane, reported: reported, manifestSpacingMMPerPixel: 0.15, gestationalAgeDays: gaDays)
        let report = FrameQC.analyze(frame: blankFrame(), context: ctx, profile: .default)
        return Dictionary(uniqueKeysWithValues: report.findings.map { ($0.rule, $0) })
    }

    /// Median INTERGROWTH values at `weeks`, as a consistent reported set.
    static func median(_ weeks: Double) throws -> ReportedMeasurements {
        ReportedMeasurements(bpdMM: try Intergrowth21st.mean(.bpd, gaWeeks: weeks), ofdMM: try Intergrowth21st.mean(.ofd, gaWeeks: weeks),
                             hcMM: try Intergrowth21st.mean(.hc, gaWeeks: weeks), acMM: try Intergrowth21st.mean(.ac, gaWeeks: weeks),
                             flMM: try Intergrowth21st.mean(.fl, gaWeeks: weeks))
    }

    @Test func medianMeasurementsPassEveryMeasurementRule() throws {
        let f = Self.findings(try Self.median(20))
        for rule in [RuleID.hcDiameterConsistency, .cephalicIndex, .zScoreHC, .zScoreBPD, .zScoreOFD, .zScoreAC, .zScoreFL, .gestationalAgeFromHC] {
            #expect(f[rule]?.outcome == .passed, "\(rule.rawValue): \(String(describing: f[rule]))")
        }
    }

    @Test func swappedDiametersFailTheCephalicIndex() throws {
        var r = try Self.median(24)
        swap(&r.bpdMM, &r.ofdMM)
        let f = Self.findings(r, gaDays: 24 * 7)
        #expect(f[.cephalicIndex]?.outcome == .flagged)
        #expect(f[.cephalicIndex]?.severity == .fail)
        #expect(f[.hcDiameterConsistency]?.outcome == .passed)  // the perimeter does not care which is which
    }

    @Test func zScoreWarnsBeyondThe97thCentileAndFailsBeyond3Point5() throws {
        let ga = 28.0
        let mean = try Intergrowth21st.mean(.hc, gaWeeks: ga), sd = try Intergrowth21st.sd(.hc, gaWeeks: ga)
        let warn = Self.findings(ReportedMeasurements(hcMM: mean + 2.5 * sd), gaDays: 28 * 7)[.zScoreHC]
        #expect(warn?.outcome == .flagged && warn?.severity == .warning)
        let fail = Self.findings(ReportedMeasurements(hcMM: mean - 3.6 * sd), gaDays: 28 * 7)[.zScoreHC]
        #expect(fail?.outcome == .flagged && fail?.severity == .fail)
        let ok = Self.findings(ReportedMeasurements(hcMM: mean + 1.5 * sd), gaDays: 28 * 7)[.zScoreHC]
        #expect(ok?.outcome == .passed)
    }

    @Test func hcInconsistentWithDiametersIsFlagged() throws {
        var r = try Self.median(22)
        r.hcMM = r.hcMM! * 1.08
        let f = Self.findings(r, gaDays: 22 * 7)
        #expect(f[.hcDiameterConsistency]?.outcome == .flagged)
        #expect(f[.hcDiameterConsistency]?.explanation.contains("1.62") == true)
    }

    @Test func gestationalAgeDiscrepancyIsFlaggedInsideTheDatingWindow() throws {
        let r = try Self.median(24)
        #expect(Self.findings(r, gaDays: 21 * 7)[.gestationalAgeFromHC]?.outcome == .flagged)
        #expect(Self.findings(r, gaDays: 24 * 7)[.gestationalAgeFromHC]?.outcome == .passed)
        // Third trimester: HC dating is not validated, so the rule declines.
        #expect(Self.findings(try Self.median(34), gaDays: 34 * 7)[.gestationalAgeFromHC]?.outcome == .notCheckable)
    }

    @Test func withoutGestationalAgeChartRulesAreNotCheckable() throws {
        let f = Self.findings(try Self.median(20), gaDays: nil)
        #expect(f[.zScoreHC]?.outcome == .notCheckable)
        #expect(f[.gestationalAgeFromHC]?.outcome == .notCheckable)
    }

    @Test func headPlaneWithoutHeadIsRoutedToReviewNeverPassedOrFailed() {
        let ctx = ImageContext(scanID: "S", file: "t.png", plane: .head, reported: ReportedMeasurements(hcMM: 180),
                               manifestSpacingMMPerPixel: 0.15, gestationalAgeDays: 140)
        let report = FrameQC.analyze(frame: Self.blankFrame(), context: ctx, profile: .default)
        let head = report.findings.first { $0.rule == .headPresent }
        #expect(head?.outcome == .needsReview)
        #expect(report.findings.first { $0.rule == .hcAutomaticVsReported }?.outcome == .needsReview)
        #expect(report.verdict.value == .review)
        #expect(report.verdict.reasons.contains { $0.hasPrefix("HP-001 t.png: needs review") })
    }

    @Test func verdictIsFailOverReviewOverPass() {
        let pass = Finding(rule: .gainLow, outcome: .passed, severity: .info,
                           message: Message("finding.IQ-002.ok", ["median": .number(50), "crushed_pct": .number(1)]))
        let info = Finding(rule: .overlays, outcome: .flagged, severity: .info, message: Message("finding.IQ-008.found", ["kinds": .text("black-box")]))
        let nc = Finding(rule: .zScoreHC, outcome: .notCheckable, severity: .info, message: Message("finding.not_checkable.no_stated_ga"))
        let warn = Finding(rule: .sharpness, outcome: .flagged, severity: .warning, message: Message("finding.IQ-005.blurred", ["sharpness": .number(0.0412)]))
        let fail = Finding(rule: .cephalicIndex, outcome: .flagged, severity: .fail, message: Message("finding.MS-005.swapped", ["index": .number(1.05)]))
        #expect(Verdict.derive(from: [pass, info, nc]).value == .pass)
        #expect(Verdict.derive(from: [pass, warn]).value == .review)
        let v = Verdict.derive(from: [warn, fail])
        #expect(v.value == .fail)
        #expect(v.reasons == ["MS-005: BPD larger than OFD (index 1.05): diameters swapped?",
                              "IQ-005: image blurred or out of focus (sharpness 0.041)"])
    }
}

@Suite("Calibration")
struct CalibrationTests {
    let profile = QCProfile.default.calibration

    @Test func manifestSpacingWinsOverTheFileAndIsRecorded() {
        let c = CalibrationInfo.resolve(manifestMMPerPixel: 0.2, fileSpacing: PixelSpacing(isotropicMMPerPixel: 0.1, source: .pngPHYs), frameLongSide: 800, profile: profile)
        #expect(c.status == .calibrated && c.mmPerPixel == 0.2 && c.source == "manifest")
        let f = CalibrationInfo.resolve(manifestMMPerPixel: nil, fileSpacing: PixelSpacing(isotropicMMPerPixel: 0.1, source: .jpegDensity), frameLongSide: 800, profile: profile)
        #expect(f.status == .calibrated && f.mmPerPixel == 0.1 && f.source == "jpeg-density")
    }

    @Test func missingAnisotropicOrImplausibleSpacingIsUncalibrated() {
        #expect(CalibrationInfo.resolve(manifestMMPerPixel: nil, fileSpacing: nil, frameLongSide: 800, profile: profile).status == .uncalibrated)
        let aniso = CalibrationInfo.resolve(manifestMMPerPixel: nil,
                                            fileSpacing: PixelSpacing(mmPerPixelX: 0.1, mmPerPixelY: 0.12, source: .pngPHYs), frameLongSide: 800, profile: profile)
        #expect(aniso.status == .uncalibrated && aniso.reason?.contains("square") == true && aniso.mmPerPixel == nil)
        let big = CalibrationInfo.resolve(manifestMMPerPixel: 0.5, fileSpacing: nil, frameLongSide: 800, profile: profile)
        #expect(big.status == .uncalibrated && big.reason?.contains("0.05-0.35") == true)
        let tiny = CalibrationInfo.resolve(manifestMMPerPixel: 0.01, fileSpacing: nil, frameLongSide: 800, profile: profile)
        #expect(tiny.status == .uncalibrated)
    }

    @Test func thePlausibleRangeIsTheImagedExtentSoItScalesWithTheExportSize() {
        // 0.04 mm/px over 1,200 px spans 48 mm, as 0.06 mm/px over 800 px: plausible.
        let zoomedLargeExport = CalibrationInfo.resolve(manifestMMPerPixel: 0.04, fileSpacing: nil, frameLongSide: 1200, profile: profile)
        #expect(zoomedLargeExport.status == .calibrated && zoomedLargeExport.mmPerPixel == 0.04)
        #expect(CalibrationInfo.resolve(manifestMMPerPixel: 0.04, fileSpacing: nil, frameLongSide: 800, profile: profile).status == .uncalibrated)
        // 0.45 mm/px over 600 px spans 270 mm (plausible); over 800 px, 360 mm (not), and the
        // message states the range applied to this frame.
        #expect(CalibrationInfo.resolve(manifestMMPerPixel: 0.45, fileSpacing: nil, frameLongSide: 600, profile: profile).status == .calibrated)
        let wide = CalibrationInfo.resolve(manifestMMPerPixel: 0.5, fileSpacing: nil, frameLongSide: 600, profile: profile)
        #expect(wide.status == .uncalibrated && wide.reason?.contains("0.0667-0.4667") == true, "\(wide.reason ?? "")")
    }

    @Test func aDensityWithoutUnitIsNamedWithTheFixNotCalledMissing() {
        let none = CalibrationInfo.resolve(manifestMMPerPixel: nil, fileSpacing: nil, frameLongSide: 800, profile: profile)
        #expect(none.reason == "no pixel spacing in the manifest or the file")
        let png = CalibrationInfo.resolve(manifestMMPerPixel: nil, fileSpacing: nil,
                                          unitlessDensity: UnitlessDensity(x: 2835, y: 2835, source: .pngPHYs), frameLongSide: 800, profile: profile)
        #expect(png.status == .uncalibrated && png.source == "png-phys")
        #expect(png.reason?.contains("2835 x 2835 pixels per unit with unit \"unknown\"") == true, "\(png.reason ?? "")")
        #expect(png.reason?.contains("pixel_spacing_mm") == true)
        let jpeg = CalibrationInfo.resolve(manifestMMPerPixel: nil, fileSpacing: nil,
                                           unitlessDensity: UnitlessDensity(x: 1, y: 2, source: .jpegDensity), frameLongSide: 800, profile: profile)
        #expect(jpeg.reason?.contains("JFIF") == true && jpeg.reason?.contains("1 x 2") == true)
        // A manifest spacing still wins and makes the density irrelevant.
        let manifest = CalibrationInfo.resolve(manifestMMPerPixel: 0.2, fileSpacing: nil,
                                               unitlessDensity: UnitlessDensity(x: 1, y: 1, source: .pngPHYs), frameLongSide: 800, profile: profile)
        #expect(manifest.status == .calibrated && manifest.source == "manifest")
    }

    @Test func uncalibratedFrameReportsLengthsInPixelsNeverMillimetres() throws {
        let url = Repository.path("samples").appendingPathComponent("defects-acquisition/D-REF_1.png")
        var frame = try ImageDecoderShim.decode(url)
        frame.fileSpacing = nil
        let ctx = ImageContext(scanID: "D-REF", file: "D-REF_1.png", plane: .head, reported: ReportedMeasurements(hcMM: 241.4),
                               manifestSpacingMMPerPixel: 0.9, gestationalAgeDays: 182)
        let report = FrameQC.analyze(frame: frame, context: ctx, profile: .default)
        let cal = try #require(report.findings.first { $0.rule == .calibration })
        #expect(cal.outcome == .flagged && cal.explanation.hasPrefix("not checkable: uncalibrated"))
        let hc = try #require(report.findings.first { $0.rule == .hcAutomaticVsReported })
        #expect(hc.outcome == .notCheckable && hc.unit == "px" && (hc.measured ?? 0) > 500)
        #expect(report.measurements.first { $0.measure == "hc" }?.automaticMM == nil)
        #expect(report.measurements.first { $0.measure == "hc" }?.automaticPx != nil)
        #expect(report.verdict.value == .review)
    }
}

@Suite("Perceptual hash")
struct PerceptualHashTests {
    @Test func identicalFramesHashEquallyAndNoiseMovesFewBits() throws {
        let url = Repository.path("samples").appendingPathComponent("defects-acquisition/D-REF_1.png")
        let image = try ImageDecoderShim.decode(url).image
        var rng = SplitMix64(seed: 3)
        let noisy = image.map { v -> UInt8 in UInt8(clamping: Int(v) + Int(rng.next() % 9) - 4) }
        let other = try ImageDecoderShim.decode(Repository.path("samples").appendingPathComponent("defects-acquisition/D-DEPTH_1.png")).image
        let h = PerceptualHash.hash(image)
        #expect(PerceptualHash.hash(image) == h)
        #expect(PerceptualHash.distance(h, PerceptualHash.hash(noisy)) <= 3)
        #expect(PerceptualHash.distance(h, PerceptualHash.hash(other)) > QCProfile.default.duplicates.maxNearDuplicateHammingDistance)
        #expect(PerceptualHash.parse(hex: PerceptualHash.hex(h)) == h)
    }

    /// The block means equal the pixel-by-pixel loop they replaced, on random images larger and
    /// smaller than the 32 × 32 grid (where blocks repeat pixels), edges and odd sizes included.
    @Test func blockMeansEqualThePixelByPixelReference() {
        var rng = SplitMix64(seed: 14)
        for (w, h) in [(1, 1), (5, 40), (31, 33), (32, 32), (33, 31), (100, 7), (257, 190), (800, 540)] {
            let image = GrayImage(width: w, height: h) { out in
                for i in 0..<out.count { out[i] = UInt8(truncatingIfNeeded: rng.next()) }
            }
            var reference = [Double](repeating: 0, count: 32 * 32)
            for j in 0..<32 {
                let y0 = j * h / 32, y1 = max(y0 + 1, (j + 1) * h / 32)
                for i in 0..<32 {
                    let x0 = i * w / 32, x1 = max(x0 + 1, (i + 1) * w / 32)
                    var s = 0
                    for y in y0..<min(y1, h) { for x in x0..<min(x1, w) { s += Int(image[x, y]) } }
                    reference[j * 32 + i] = Double(s) / Double((min(y1, h) - y0) * (min(x1, w) - x0))
                }
            }
            #expect(PerceptualHash.blockMeans(image, blocks: 32) == reference, "\(w)x\(h)")
        }
        let white = GrayImage(width: 64, height: 48, repeating: 255)
        #expect(PerceptualHash.blockMeans(white, blocks: 32).allSatisfy { $0 == 255 })
    }
}

import SonoCodecs

enum ImageDecoderShim {
    static func decode(_ url: URL) throws -> Frame { try ImageDecoder().decodeFile(atPath: url.path) }
}

@Suite("Duplicates across scans")
struct CrossScanDuplicateTests {
    /// A scan whose frames (file, 16-hex-digit hash) are stand-ins with only what DUP-002 reads.
    static func scan(_ id: String, _ frames: [(String, UInt64)]) throws -> ScanReport {
        let data = try Data(contentsOf: Repository.path("Tests/SonoReportsTests/Fixtures/golden/sample-scan.report.json"))
        let sample = try JSONDecoder().decode(ScanReport.self, from: data)
        let images = frames.map { file, hash in
            var image = sample.images[0]
            image.file = file
            image.perceptualHash = PerceptualHash.hex(hash)
            return image
        }
        return ScanReport(scan: ScanMetadata(scanID: id, fromManifest: true), reference: sample.reference, images: images,
                          failures: [], findings: [])
    }

    /// Each frame is matched to the closest frame of an earlier scan (ties: smaller scan id, then
    /// file); frames of the same scan are left to DUP-001; a scan without earlier matches gets none.
    @Test func closestEarlierFrameWithStableTies() throws {
        var finder = BatchQC.CrossScanDuplicates(profile: .default)
        let maxD = QCProfile.default.duplicates.maxNearDuplicateHammingDistance
        #expect(maxD >= 2)
        let base: UInt64 = 0x0123_4567_89ab_cdef
        #expect(finder.findings(for: try Self.scan("S2", [("b.png", base), ("b2.png", base)])).isEmpty)
        let first = finder.findings(for: try Self.scan("S1", [("a.png", base ^ 0b011)]))
        #expect(first.count == 1 && first[0].message?.args["other"] == .text("b.png") && first[0].measured == 2)
        let third = finder.findings(for: try Self.scan("S3", [("c.png", base ^ 0b001), ("far.png", ~base), ("d.png", base ^ 0b100)]))
        #expect(third.map(\.file) == ["c.png", "d.png"])
        #expect(third.allSatisfy { $0.rule == .duplicateAcrossScans })
        // c.png is 1 from S1/a.png and 1 from S2/b.png: the smaller scan id wins the tie.
        #expect(third[0].message?.args["other"] == .text("a.png") && third[0].message?.args["other_scan"] == .text("S1"))
        #expect(third[0].measured == 1)
        // d.png is 1 from S2/b.png and 3 from S1/a.png: the nearest frame wins over the scan id.
        #expect(third[1].message?.args["other"] == .text("b.png") && third[1].measured == 1)
    }
}

@Suite("Image metrics across export sizes")
struct ExportSizeMetricsTests {
    /// Sharpness as `FrameQC` computes it: over its analysis mask (field of view without overlays).
    static func sharpness(_ image: GrayImage) -> Double {
        let fov = FieldOfView.detect(image)
        let mask = FrameQC.analysisMask(fieldOfView: fov, overlays: OverlayDetector.detect(image, fieldOfView: fov).mask,
                                        minFieldOfViewFraction: QCProfile.default.imageQuality.minFieldOfViewFraction)
        return ImageMetrics.compute(image, analysisMask: mask, fieldOfViewFraction: fov.fraction).sharpness
    }

    /// IQ-006's blocks are 16 reference pixels: in 16-px blocks a 1.5× export's smoother pixels
    /// read as a higher speckle SNR (IQ-006 on 4.8 % of hc18-dev frames at 1.5×, 0.7 % at full size);
    /// on D-REF they read 26 % low at 0.5× and 25 % high at 1.5×, now within 3 %.
    @Test("speckle SNR does not depend on the export size", arguments: [0.5, 0.75, 1.5])
    func speckleSNRIsPerReferenceBlock(factor: Double) throws {
        let frame = try ImageDecoderShim.decode(Repository.path("samples").appendingPathComponent("defects-acquisition/D-REF_1.png")).image
        func snr(_ image: GrayImage) throws -> Double {
            let fov = FieldOfView.detect(image)
            return try #require(ImageMetrics.compute(image, analysisMask: fov.inner, fieldOfViewFraction: fov.fraction).speckleSNR)
        }
        let full = try snr(frame)
        let exported = try snr(ImageConversion.gray(Resample.scaled(ImageConversion.float(frame), by: factor)))
        #expect(abs(exported / full - 1) < 0.06, "at \(factor)x: \(exported) against \(full)")
    }

    /// IQ-005 reads sharpness per pixel of an 800-px frame. Taken per pixel of the frame itself,
    /// hc18-dev frames read 0.69× as sharp exported at 1.5× and 1.29× at 0.75×, so exports at
    /// another size were flagged as blurred, or blur passed.
    ///
    /// A sharp frame reads within 10 % of its full-size value at every size and is never flagged.
    /// The 4× defocused phantom is flagged at full size and enlarged; shrunk (area averaging, as
    /// here) its speckle detail reads 0.314–0.319 against 0.245 at full size, above the limit, so only
    /// its clear separation from the sharp phantom is asserted there (docs/qc-rules.md, IQ-005).
    /// The five hc18-dev frames the frame-level statistic (gradient over the frame's SD) read as
    /// least sharp, 0.057–0.063 against a 0.0705 limit: sharp, high-contrast heads (dark brain,
    /// bright skull). On the speckle detail layer they read like any accepted frame.
    @Test("sharp, high-contrast hc18-dev heads are not read as blurred",
          .enabled(if: SharedData.hasHC18, "../shared/data/hc18-dev is absent: skipped"),
          arguments: ["031_HC.png", "403_HC.png", "671_2HC.png", "513_HC.png", "292_HC.png"])
    func highContrastFramesAreNotBlurred(name: String) throws {
        let image = try ImageDecoder().decodeFile(
            atPath: SharedData.hc18Directory.appendingPathComponent("images").appendingPathComponent(name).path).image
        let sharpness = Self.sharpness(image)
        #expect(sharpness >= QCProfile.default.imageQuality.minSharpness, "\(name): \(sharpness)")
    }

    @Test("a sharp frame reads as sharp at any export size; blur is caught at full size and enlarged", arguments: [0.5, 0.75, 1.5])
    func sharpnessIsPerReferencePixel(factor: Double) throws {
        let minimum = QCProfile.default.imageQuality.minSharpness
        func readings(_ name: String) throws -> (full: Double, exported: Double) {
            let frame = try ImageDecoderShim.decode(Repository.path("samples").appendingPathComponent("defects-acquisition/\(name)")).image
            let exportedFrame = ImageConversion.gray(Resample.scaled(ImageConversion.float(frame), by: factor))
            return (Self.sharpness(frame), Self.sharpness(exportedFrame))
        }
        let sharp = try readings("D-REF_1.png"), blurred = try readings("D-BLUR_1.png")
        #expect(abs(sharp.exported / sharp.full - 1) < 0.1, "D-REF at \(factor)x: \(sharp.exported) against \(sharp.full)")
        #expect(sharp.exported >= minimum && sharp.full >= minimum, "D-REF at \(factor)x: \(sharp.exported), \(sharp.full)")
        #expect(blurred.full < minimum, "D-BLUR at full size: \(blurred.full)")
        if factor > 1 {
            #expect(blurred.exported < minimum, "D-BLUR at \(factor)x: \(blurred.exported)")
        }
        #expect(blurred.exported < 0.75 * sharp.exported, "D-BLUR at \(factor)x: \(blurred.exported) against D-REF \(sharp.exported)")
    }
}
