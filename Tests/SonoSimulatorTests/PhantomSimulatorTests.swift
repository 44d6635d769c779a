import Foundation
import SonoBiometry
import SonoCodecs
import SonoCore
import Testing
@testable import SonoSimulator

/// A small spec (quick to render) exercising every defect and reporting error.
func smallSpec(seed: UInt64 = 11, format: ImageSpec.Format = .png) -> SimulationSpec {
    func frame(_ kinds: [DefectKind], hcZ: Double? = 0.5, error: ReportingError? = nil) -> FrameSpec {
        FrameSpec(hcZ: hcZ, defects: kinds.map { DefectSpec(kind: $0) }, reportedError: error)
    }
    return SimulationSpec(
        batch: "small", seed: seed, image: ImageSpec(width: 240, height: 162, format: format),
        operators: [OperatorSpec(id: "op-b", biasPercent: -4, noiseSDPercent: 0),
                    OperatorSpec(id: "op-a", biasPercent: 0, noiseSDPercent: 1)],
        scans: [
            ScanSpec(scanID: "S1", operatorID: "op-b", unitID: "u1", examDate: "2026-01-02", gestationalAge: "22+3",
                     frames: [frame([]), frame([.exactDuplicate]), frame([.nearDuplicate])]),
            ScanSpec(scanID: "S2", operatorID: "op-a", gestationalAge: "30+0",
                     frames: [frame([.gainLow]), frame([.gainHigh]), frame([.wrongDepth]), frame([.blur])]),
            ScanSpec(scanID: "S3", operatorID: "op-a", gestationalAge: "34+1",
                     frames: [frame([.headOutsideSector]), frame([.obliquePlane], error: .swappedBPDOFD),
                              frame([.overlayText, .overlayCalipers, .overlayDottedEllipse, .overlayGreyBar,
                                     .overlayBlackBoxes], error: .unitsCentimetres)]),
        ])
}

@Suite("Phantom simulator")
struct PhantomSimulatorTests {
    @Test func outputIsByteIdenticalWhateverTheThreadCount() throws {
        let serial = try PhantomSimulator(threads: 1).generate(smallSpec())
        let parallel = try PhantomSimulator(threads: 4).generate(smallSpec())
        #expect(serial.files.map(\.path) == parallel.files.map(\.path))
        for (a, b) in zip(serial.files, parallel.files) {
            #expect(a.bytes == b.bytes, "\(a.path) differs between 1 and 4 threads")
        }
    }

    @Test func differentSeedsGiveDifferentSpeckle() throws {
        let one = try PhantomSimulator(threads: 2).render(smallSpec(seed: 1))
        let two = try PhantomSimulator(threads: 2).render(smallSpec(seed: 2))
        let differing = zip(one[0].image.samples, two[0].image.samples).filter { $0 != $1 }.count
        #expect(Double(differing) > 0.3 * Double(one[0].image.pixelCount))
    }

    @Test func headSizeFollowsIntergrowthAndTheSpecZScore() throws {
        let frames = try PhantomSimulator(threads: 2).render(smallSpec())
        for frame in frames {
            let t = frame.truth
            let mean = try Intergrowth21st.mean(.hc, gaWeeks: t.gaWeeks)
            let sd = try Intergrowth21st.sd(.hc, gaWeeks: t.gaWeeks)
            #expect(abs(t.head.hcMM - (mean + 0.5 * sd)) < 1e-3, "\(t.file)")
            // The truth ellipse, in pixels, reproduces HC, BPD and OFD (outer-to-outer).
            let perimeterMM = HeadGeometry.ellipsePerimeter(semiAxisA: t.head.semiAxisAPixel, semiAxisB: t.head.semiAxisBPixel)
                * t.pixelSpacingMM
            #expect(abs(perimeterMM - t.head.hcMM) < 0.05, "\(t.file): \(perimeterMM) vs \(t.head.hcMM)")
            #expect(abs(2 * t.head.semiAxisBPixel * t.pixelSpacingMM - t.head.bpdMM) < 0.01)
            #expect(abs(2 * t.head.semiAxisAPixel * t.pixelSpacingMM - t.head.ofdMM) < 0.01)
            #expect(t.head.cephalicIndex > 0.65 && t.head.cephalicIndex < 0.9)
        }
    }

    @Test func skullRingIsBrighterThanTheBrainInside() throws {
        let spec = SimulationSpec(batch: "ring", seed: 5, image: ImageSpec(width: 400, height: 270),
                                  scans: [ScanSpec(scanID: "R", gestationalAge: "28+0")])
        let frame = try PhantomSimulator(threads: 1).render(spec)[0]
        let h = frame.truth.head
        var ring: [Double] = [], inside: [Double] = []
        let thicknessPixels = h.skullThicknessMM / frame.truth.pixelSpacingMM
        for y in 0..<frame.image.height {
            for x in 0..<frame.image.width {
                let c = cos(h.angleDeg * .pi / 180), s = sin(h.angleDeg * .pi / 180)
                let dx = Double(x) - h.centreXPixel, dy = Double(y) - h.centreYPixel
                let u = c * dx + s * dy, v = -s * dx + c * dy
                let rho = ((u / h.semiAxisAPixel) * (u / h.semiAxisAPixel) + (v / h.semiAxisBPixel) * (v / h.semiAxisBPixel)).squareRoot()
                let depthPixels = (1 - rho) * h.semiAxisBPixel
                let value = Double(frame.image[x, y])
                if depthPixels >= 0 && depthPixels <= thicknessPixels { ring.append(value) }
                if rho < 0.7 { inside.append(value) }
            }
        }
        let ringMean = ring.reduce(0, +) / Double(ring.count)
        let insideMean = inside.reduce(0, +) / Double(inside.count)
        #expect(ringMean > 1.8 * insideMean, "ring \(ringMean), brain \(insideMean)")
    }

    @Test func everyDefectIsRecordedInTheTruth() throws {
        let frames = try PhantomSimulator(threads: 2).render(smallSpec())
        let recorded = Set(frames.flatMap { $0.truth.defects.map(\.kind) })
        #expect(recorded == Set(DefectKind.allCases))
        func truth(_ kind: DefectKind) -> GroundTruth { frames.first { $0.truth.defects.contains { $0.kind == kind } }!.truth }
        #expect(truth(.gainLow).imageStats.meanInFOV < 0.5 * frames[0].truth.imageStats.meanInFOV)
        #expect(truth(.gainHigh).imageStats.saturatedFractionInFOV > 0.05)
        #expect(truth(.wrongDepth).head.areaFraction < 0.12)
        #expect(truth(.blur).acquisition.blurFactor > 2)
        #expect(truth(.headOutsideSector).head.ringFractionInView < 0.95)
        #expect(truth(.obliquePlane).head.ringFractionVisible < 0.85)
        #expect(truth(.obliquePlane).head.missingRingArcsDeg.count == 2)
        #expect(!truth(.obliquePlane).head.showsCavumSeptiPellucidi)
        let overlayKinds = Set(truth(.overlayText).overlays.map(\.kind))
        #expect(overlayKinds == [.text, .caliper, .dottedEllipse, .greyBar, .blackBox])
        #expect(truth(.overlayCalipers).overlays.filter { $0.kind == .caliper }.count == 4)
        #expect(truth(.exactDuplicate).duplicateOf == "S1_1.png")
        #expect(truth(.nearDuplicate).duplicateOf == "S1_2.png")
    }

    @Test func overlaysAreBurnedWhereTheTruthSays() throws {
        let frames = try PhantomSimulator(threads: 1).render(smallSpec())
        let frame = frames.first { !$0.truth.overlays.isEmpty }!
        for box in frame.truth.overlays where box.kind == .blackBox {
            for y in box.y..<(box.y + box.height) {
                for x in box.x..<(box.x + box.width) { #expect(frame.image[x, y] == 0) }
            }
        }
        let bar = frame.truth.overlays.first { $0.kind == .greyBar }!
        #expect(frame.image[bar.x, bar.y] == 255)
    }

    @Test func duplicatesAreExactOrNearlyExact() throws {
        let batch = try PhantomSimulator(threads: 2).generate(smallSpec())
        func bytes(_ name: String) -> [UInt8] { batch.files.first { $0.path == name }!.bytes }
        #expect(bytes("S1_1.png") == bytes("S1_2.png"))
        let decoder = ImageDecoder()
        let a = try decoder.decode(bytes("S1_1.png"), source: "a").image
        let c = try decoder.decode(bytes("S1_3.png"), source: "c").image
        let differing = zip(a.samples, c.samples).filter { abs(Int($0) - Int($1)) > 2 }.count
        #expect(differing > 0)
        #expect(Double(differing) < 0.5 * Double(a.pixelCount), "near duplicate differs in \(differing) pixels")
    }

    @Test func reportedMeasurementsCarryOperatorBiasAndRequestedErrors() throws {
        let frames = try PhantomSimulator(threads: 2).render(smallSpec())
        let biased = frames[0].truth
        // op-b: -4 % bias, no noise, rounded to 0.1 mm.
        #expect(abs(biased.reported!.hcMM! - (biased.head.hcMM * 0.96 * 10).rounded() / 10) < 1e-9)
        #expect(abs(biased.reported!.bpdMM! - (biased.head.bpdMM * 0.96 * 10).rounded() / 10) < 1e-9)
        let swapped = frames.first { $0.truth.reported?.grossError == .swappedBPDOFD }!.truth
        #expect(swapped.reported!.bpdMM! > swapped.reported!.ofdMM!)
        let centimetres = frames.first { $0.truth.reported?.grossError == .unitsCentimetres }!.truth
        #expect(centimetres.reported!.hcMM! < 40)
    }

    @Test func manifestAndTruthTableDescribeEveryImage() throws {
        let batch = try PhantomSimulator(threads: 2).generate(smallSpec())
        let manifestBytes = batch.files.first { $0.path == "manifest.json" }!.bytes
        let manifest = try JSONDecoder().decode(BatchManifest.self, from: Data(manifestBytes))
        #expect(manifest.schema == "sonoqc-manifest/1")
        #expect(manifest.batch == "small")
        #expect(manifest.scans.map(\.scanID) == ["S1", "S2", "S3"])
        #expect(manifest.scans[0].operatorID == "op-b" && manifest.scans[0].gestationalAge == "22+3")
        let images = manifest.scans.flatMap(\.images)
        #expect(images.count == 10)
        #expect(images.allSatisfy { $0.plane == .head && $0.pixelSpacingMM != nil })
        let csv = String(decoding: batch.files.first { $0.path == "truth.csv" }!.bytes, as: UTF8.self)
        let lines = csv.split(separator: "\n")
        #expect(lines.first == "filename,pixel_size_mm,hc_mm")
        #expect(lines.count == 11)
        for image in images { #expect(batch.files.contains { $0.path == image.file }) }
    }

    @Test func pngCarriesTheTruthSpacing() throws {
        let batch = try PhantomSimulator(threads: 2).generate(smallSpec())
        let truth = batch.truths[0]
        let frame = try ImageDecoder().decode(batch.files.first { $0.path == truth.file }!.bytes, source: truth.file)
        let spacing = try #require(frame.fileSpacing)
        #expect(abs(spacing.mmPerPixel - truth.pixelSpacingMM) < 1e-9)
        #expect(frame.width == 240 && frame.height == 162)
    }

    @Test func jpegExportsDecode() throws {
        let batch = try PhantomSimulator(threads: 2).generate(smallSpec(format: .jpeg))
        let file = batch.files.first { $0.path.hasSuffix(".jpg") }!
        let frame = try ImageDecoder().decode(file.bytes, source: file.path)
        #expect(frame.format == .jpeg && frame.width == 240)
    }

    @Test func badSpecsThrowTypedErrors() {
        var unknownOperator = smallSpec()
        unknownOperator.scans[0].operatorID = "nobody"
        #expect(throws: SimulatorError.unknownOperator(batch: "small", scanID: "S1", operatorID: "nobody")) {
            try BatchPlanner(spec: unknownOperator).plan()
        }
        var tooEarly = smallSpec()
        tooEarly.scans[1].gestationalAge = "12+0"
        #expect(throws: SimulatorError.invalidGestationalAge(batch: "small", scanID: "S2", text: "12+0")) {
            try BatchPlanner(spec: tooEarly).plan()
        }
        var offImage = smallSpec()
        offImage.scans[2].frames[0].centre = [1.4, 0.5]
        #expect(throws: SimulatorError.invalidSpec(batch: "small", reason: "scan S3: centre needs two fractions within 0…1")) {
            try BatchPlanner(spec: offImage).plan()
        }
        var noBlur = smallSpec()
        noBlur.scans[1].frames[3].defects = [DefectSpec(kind: .blur, amount: 0)]
        #expect(throws: SimulatorError.self) { try BatchPlanner(spec: noBlur).plan() }
        var twice = smallSpec()
        twice.scans[1].scanID = "S1"
        #expect(throws: SimulatorError.self) { try BatchPlanner(spec: twice).plan() }
        var orphan = smallSpec()
        orphan.scans[1].frames[0].defects = [DefectSpec(kind: .exactDuplicate)]
        #expect(throws: SimulatorError.duplicateWithoutSource(batch: "small", scanID: "S2", frameNumber: 1)) {
            try BatchPlanner(spec: orphan).plan()
        }
    }

    @Test func specsDecodeWithDefaultsAndShorthandDefects() throws {
        let json = """
            {"batch": "b", "seed": 3, "scans": [{"scan_id": "X", "ga": "20+1",
             "frames": [{"defects": ["blur", {"kind": "gain_low", "amount": 10}]}]}]}
            """
        let spec = try JSONDecoder().decode(SimulationSpec.self, from: Data(json.utf8))
        #expect(spec.schema == SimulationSpec.currentSchema)
        #expect(spec.image.width == 800 && spec.probe.dynamicRangeDB == 60)
        #expect(spec.scans[0].frames[0].defects == [DefectSpec(kind: .blur), DefectSpec(kind: .gainLow, amount: 10)])
    }

    @Test func civilDatesRoundTrip() {
        #expect(CivilDate(parsing: "1970-01-01")?.dayNumber == 0)
        #expect(CivilDate(dayNumber: CivilDate(parsing: "2026-02-28")!.dayNumber + 1).description == "2026-03-01")
        #expect(CivilDate(dayNumber: CivilDate(parsing: "2028-02-28")!.dayNumber + 1).description == "2028-02-29")
    }

    /// Issue 16: `simulate` wrote batches whose scan ids `analyze` then refused, and a huge GA trapped.
    @Test func specsThatAnalyzeWouldRefuseAreRefusedHere() {
        for id in ["..", ".", "a\\b", "S\r\n1", " "] {
            var spec = smallSpec()
            spec.scans[0].scanID = id
            #expect(throws: SimulatorError.self, "\(id)") { try BatchPlanner(spec: spec).plan() }
        }
        var huge = smallSpec()
        huge.scans[0].gestationalAge = "9223372036854775807"
        #expect(throws: SimulatorError.invalidGestationalAge(batch: "small", scanID: "S1", text: "9223372036854775807")) {
            try BatchPlanner(spec: huge).plan()
        }
        var badDate = smallSpec()
        badDate.scans[0].examDate = "+123-01-01"
        #expect(throws: SimulatorError.self) { try BatchPlanner(spec: badDate).plan() }
    }
}
