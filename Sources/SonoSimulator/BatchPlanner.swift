import Foundation
import SonoBiometry
import SonoCore

/// Turns a spec into frame plans: resolves defaults, draws every random choice, places the head
/// and the sector. Runs serially so the plan depends only on the spec.
struct BatchPlanner {
    let spec: SimulationSpec

    func plan() throws(SimulatorError) -> [FramePlan] {
        try validate()
        let scans = try expandedScans()
        var ids = Set<String>()
        for scan in scans {
            // The rule `analyze` applies to manifests, so a simulated batch always analyses.
            if let problem = ScanEntry.scanIDProblem(scan.scanID) {
                throw .invalidSpec(batch: spec.batch, reason: "scan_id '\(scan.scanID)' has \(problem)")
            }
            guard ids.insert(scan.scanID).inserted else {
                throw .invalidSpec(batch: spec.batch, reason: "scan_id '\(scan.scanID)' appears twice")
            }
            if let exam = scan.examDate, !(CivilDate(parsing: exam)?.isPlausible ?? false) {
                throw .invalidSpec(batch: spec.batch, reason: "scan \(scan.scanID): exam_date '\(exam)' is not a YYYY-MM-DD date in \(CivilDate.plausibleYears)")
            }
        }
        var plans: [FramePlan] = []
        for (scanIndex, scan) in scans.enumerated() {
            guard let gaWeeks = parseGestationalAge(scan.gestationalAge),
                  Intergrowth21st.validWeeks.contains(gaWeeks) else {
                throw .invalidGestationalAge(batch: spec.batch, scanID: scan.scanID, text: scan.gestationalAge)
            }
            let op: OperatorSpec
            if let id = scan.operatorID {
                guard let found = spec.operators.first(where: { $0.id == id }) else {
                    throw .unknownOperator(batch: spec.batch, scanID: scan.scanID, operatorID: id)
                }
                op = found
            } else {
                op = OperatorSpec(id: "unknown", biasPercent: 0, noiseSDPercent: 1.5)
            }
            let scanSeed = SplitMix64.derive(spec.seed, UInt64(scanIndex) &+ 1)
            for (frameIndex, frame) in scan.frames.enumerated() {
                var rng = Xoshiro256StarStar(seed: SplitMix64.derive(scanSeed, UInt64(frameIndex) &+ 1))
                let stem = "\(scan.scanID)_\(frameIndex + 1)"
                let kinds = Set(frame.defects.map(\.kind))
                if kinds.contains(.exactDuplicate) || kinds.contains(.nearDuplicate) {
                    guard frameIndex > 0, let source = plans.last else {
                        throw .duplicateWithoutSource(batch: spec.batch, scanID: scan.scanID, frameNumber: frameIndex + 1)
                    }
                    plans.append(duplicate(of: source, frame: frame, stem: stem, index: plans.count,
                                           frameNumber: frameIndex + 1, op: op, rng: &rng))
                    continue
                }
                plans.append(try planFrame(scan: scan, frame: frame, gaWeeks: gaWeeks, op: op, stem: stem,
                                           index: plans.count, frameNumber: frameIndex + 1, rng: &rng))
            }
        }
        return plans
    }

    private func validate() throws(SimulatorError) {
        guard spec.schema == SimulationSpec.currentSchema else {
            throw .invalidSpec(batch: spec.batch, reason: "schema \(spec.schema), expected \(SimulationSpec.currentSchema)")
        }
        guard !spec.batch.isEmpty, !spec.batch.contains("/"), spec.batch != ".", spec.batch != ".." else {
            throw .invalidSpec(batch: spec.batch, reason: "batch name must be a plain directory name")
        }
        guard (64...4096).contains(spec.image.width), (64...4096).contains(spec.image.height) else {
            throw .invalidSpec(batch: spec.batch, reason: "image size \(spec.image.width)x\(spec.image.height) outside 64…4096")
        }
        guard (1...100).contains(spec.image.jpegQuality) else {
            throw .invalidSpec(batch: spec.batch, reason: "jpeg_quality must be 1…100")
        }
        let p = spec.probe
        guard p.radiusMM > 5, p.sectorAngleDeg > 10, p.sectorAngleDeg < 150, p.frequencyMHz >= 1,
              p.frequencyMHz <= 15, p.dynamicRangeDB >= 20, p.dynamicRangeDB <= 120, p.focusDepthMM > 0 else {
            throw .invalidSpec(batch: spec.batch, reason: "probe settings out of range")
        }
        for scan in spec.scans {
            if let problem = ScanEntry.scanIDProblem(scan.scanID) {
                throw .invalidSpec(batch: spec.batch, reason: "scan_id '\(scan.scanID)' must be a plain name (found \(problem))")
            }
        }
        var seen = Set<String>()
        for scan in spec.scans {
            guard seen.insert(scan.scanID).inserted else {
                throw .invalidSpec(batch: spec.batch, reason: "scan_id \(scan.scanID) appears twice")
            }
            for frame in scan.frames {
                try validate(frame, scanID: scan.scanID)
            }
        }
    }

    private func validate(_ frame: FrameSpec, scanID: String) throws(SimulatorError) {
        func fail(_ reason: String) -> SimulatorError { .invalidSpec(batch: spec.batch, reason: "scan \(scanID): \(reason)") }
        if let s = frame.spacingMMPerPixel, !(0.02...1).contains(s) { throw fail("spacing_mm_per_px \(s) outside 0.02…1") }
        if let c = frame.centre, c.count != 2 || !c.allSatisfy({ (0...1).contains($0) }) {
            throw fail("centre needs two fractions within 0…1")
        }
        if let z = frame.hcZ, !(-6...6).contains(z) { throw fail("hc_z \(z) outside −6…6") }
        if let ci = frame.cephalicIndex, !(0.6...0.95).contains(ci) { throw fail("cephalic_index \(ci) outside 0.6…0.95") }
        if let f = frame.headFill, !(0.1...1.2).contains(f) { throw fail("head_fill \(f) outside 0.1…1.2") }
        if let f = frame.fluidMM, !(0...60).contains(f) { throw fail("fluid_mm \(f) outside 0…60") }
        if let w = frame.maternalWallMM, !(0...80).contains(w) { throw fail("maternal_wall_mm \(w) outside 0…80") }
        if let o = frame.orientationDeg, !o.isFinite { throw fail("orientation_deg must be finite") }
        if let g = frame.gainDB, !(-60...60).contains(g) { throw fail("gain_db \(g) outside −60…60") }
        if let d = frame.dynamicRangeDB, !(20...120).contains(d) { throw fail("dynamic_range_db \(d) outside 20…120") }
        for defect in frame.defects {
            guard let amount = defect.amount else { continue }
            let range: ClosedRange<Double>
            switch defect.kind {
            case .gainLow, .gainHigh: range = 0...60
            case .wrongDepth: range = 0.05...1
            case .blur: range = 1...20
            case .headOutsideSector: range = 0.05...0.95
            case .obliquePlane: range = 5...90
            case .nearDuplicate: range = 0...20
            default: range = -Double.infinity...Double.infinity
            }
            guard range.contains(amount) else { throw fail("\(defect.kind.rawValue) amount \(amount) outside \(range)") }
        }
    }

    /// Explicit scans followed by the randomly drawn ones.
    private func expandedScans() throws(SimulatorError) -> [ScanSpec] {
        var scans = spec.scans
        guard let random = spec.randomScans else { return scans }
        guard !spec.operators.isEmpty, random.scansPerOperator > 0, random.framesPerScan > 0,
              random.gaWeeksRange.count == 2, random.gaWeeksRange[0] >= 14, random.gaWeeksRange[1] <= 40,
              random.gaWeeksRange[0] <= random.gaWeeksRange[1], random.scansPerDay > 0,
              let start = CivilDate(parsing: random.startDate)?.dayNumber else {
            throw .invalidSpec(batch: spec.batch, reason: "random_scans needs operators, counts > 0, a GA range within 14…40 and an ISO start_date")
        }
        var rng = Xoshiro256StarStar(seed: SplitMix64.derive(spec.seed, 0x5CA7))
        let total = random.scansPerOperator * spec.operators.count
        let loDays = Int((random.gaWeeksRange[0] * 7).rounded(.up)), hiDays = Int((random.gaWeeksRange[1] * 7).rounded(.down))
        for k in 0..<total {
            let op = spec.operators[k % spec.operators.count]
            let unit = random.units.isEmpty ? nil : random.units[rng.index(random.units.count)]
            let gaDays = loDays + rng.index(max(1, hiDays - loDays + 1))
            var frames: [FrameSpec] = []
            for f in 0..<random.framesPerScan {
                var frame = FrameSpec()
                if !random.defectPool.isEmpty, rng.uniform() < random.defectRate {
                    let kind = random.defectPool[rng.index(random.defectPool.count)]
                    let isDuplicate = kind == .exactDuplicate || kind == .nearDuplicate
                    if !isDuplicate || f > 0 { frame.defects = [DefectSpec(kind: kind)] }
                }
                if rng.uniform() < random.reportedErrorRate {
                    frame.reportedError = ReportingError.allCases[rng.index(ReportingError.allCases.count)]
                }
                frames.append(frame)
            }
            let id = "\(random.scanIDPrefix)\(String(format: "%03d", k + 1))"
            scans.append(ScanSpec(scanID: id, operatorID: op.id, unitID: unit,
                                  examDate: CivilDate(dayNumber: start + k / random.scansPerDay).description,
                                  gestationalAge: formatGestationalAge(days: gaDays), frames: frames))
        }
        return scans
    }

    private func planFrame(scan: ScanSpec, frame: FrameSpec, gaWeeks: Double, op: OperatorSpec, stem: String,
                           index: Int, frameNumber: Int, rng: inout Xoshiro256StarStar) throws(SimulatorError) -> FramePlan {
        let W = spec.image.width, H = spec.image.height
        let format = frame.format ?? spec.image.format
        var defects: [DefectRecord] = []
        let kinds = Dictionary(frame.defects.map { ($0.kind, $0.amount) }, uniquingKeysWith: { first, _ in first })

        // Draw every default, in a fixed order, whether used or not: changing one field of a
        // frame then leaves the others as they were.
        let zDraw = max(-2.5, min(2.5, 0.9 * rng.gaussian()))
        let ciNoise = 0.022 * rng.gaussian()
        let orientationDraw = rng.uniform(-22...22)
        let fillDraw = rng.uniform(0.6...0.72)
        let centreDraw = [rng.uniform(0.44...0.56), rng.uniform(0.52...0.6)]
        let fluidDraw = rng.uniform(0.3...4.5)
        let wallDraw = rng.uniform(10...20)
        let frontDraw: Double = rng.uniform() < 0.5 ? 1 : -1
        let arcDraw = [rng.uniform(-0.5...0.5), rng.uniform(-0.5...0.5), rng.uniform(0.6...0.9)]
        let sideDraw: Double = rng.uniform() < 0.5 ? 1 : -1
        let speckleSeed = rng.next()
        let sceneSeed = rng.next()

        let chart: (BiometricMeasure) -> (Double, Double) = { m in
            let p = try? Intergrowth21st.point(m, gaWeeks: gaWeeks)
            return (p?.meanMM ?? 0, p?.sdMM ?? 1)
        }
        let (hcMean, hcSD) = chart(.hc)
        let hcZ = frame.hcZ ?? zDraw
        let hcMM = hcMean + hcZ * hcSD
        var ci = frame.cephalicIndex ?? (chart(.bpd).0 / chart(.ofd).0 + ciNoise)
        if kinds[.obliquePlane] != nil {
            // An oblique cut through an ovoid is longer and narrower than the true axial section.
            ci -= 0.05
            defects.append(DefectRecord(kind: .obliquePlane, amount: nil, note: "cephalic index lowered by 0.05; arcs of the ring missing; no CSP"))
        }
        ci = min(0.95, max(0.6, ci))
        let a = hcMM / HeadGeometry.ellipsePerimeter(semiAxisA: 1, semiAxisB: ci)
        let b = ci * a

        var fill = frame.headFill ?? fillDraw
        if let amount = kinds[.wrongDepth] {
            fill = amount ?? 0.3
            defects.append(DefectRecord(kind: .wrongDepth, amount: fill, note: "depth too large: OFD spans \(fill) of the image width"))
        }
        let centre = frame.centre ?? centreDraw
        var cx = centre[0] * Double(W - 1)
        let cy = centre[1] * Double(H - 1)
        let orientation = frame.orientationDeg ?? orientationDraw
        let fluid = frame.fluidMM ?? fluidDraw
        let wall = frame.maternalWallMM ?? wallDraw
        let probe = spec.probe
        let r0 = probe.radiusMM
        let scalp = 1.0 + 0.07 * (gaWeeks - 16)
        // Skin to head centre: maternal wall, some fluid, then the head's vertical half-extent.
        let sinO = sin(orientation * .pi / 180), cosO = cos(orientation * .pi / 180)
        let verticalHalfExtent = (a * a * sinO * sinO + b * b * cosO * cosO).squareRoot()
        let headDepth = wall + 0.6 * fluid + verticalHalfExtent + scalp
        let half = probe.sectorAngleDeg / 2 * .pi / 180
        let outsideFraction = kinds[.headOutsideSector].map { $0 ?? 0.35 }
        if outsideFraction != nil, frame.centre == nil { cx = (0.5 + 0.1 * sideDraw) * Double(W - 1) }

        // Place probe and head; unless the head is meant to be cut off, zoom out a little at a
        // time until the whole outline lies inside the sector and the image (a clean frame must
        // show the entire skull).
        var spacing = 0.0
        var geometry = SectorGeometry(apexXPixel: 0, apexYPixel: 0, spacingMMPerPixel: 1, probeRadiusMM: r0,
                                      halfAngleDeg: probe.sectorAngleDeg / 2, depthMM: 1)
        for _ in 0..<16 {
            spacing = frame.spacingMMPerPixel ?? (2 * a / (fill * Double(W)))
            // Store spacings the file header can hold exactly: whole pixels per metre (PNG pHYs) or
            // whole dots per centimetre (JFIF), so truth, manifest and file agree to the last digit.
            spacing = format == .png ? 1000 / (1000 / spacing).rounded() : 10 / (10 / spacing).rounded()
            func apexY(forApexX ax: Double) -> Double {
                let dx = cx - ax
                let rPixels = (r0 + headDepth) / spacing
                return cy - (max(rPixels * rPixels - dx * dx, 1)).squareRoot()
            }
            // The sonographer centres the head under the probe.
            var ax = cx
            if let outside = outsideFraction {
                // Move the probe sideways until the sector edge cuts through the head: `outside`
                // is the fraction of the head's lateral extent left outside.
                let c = cos(orientation * .pi / 180), s = sin(orientation * .pi / 180)
                let lateralHalfWidth = (a * a * c * c + b * b * s * s).squareRoot() / spacing
                let edgeX = cx + sideDraw * (1 - 2 * outside) * lateralHalfWidth
                for _ in 0..<8 {
                    let ay = apexY(forApexX: ax)
                    ax = edgeX - sideDraw * (cy - ay) * tan(half)
                }
            }
            let ay = apexY(forApexX: ax)
            // Image the whole frame: the sector ends just below the image's lowest corner.
            let bottom = Double(H - 1) - ay
            let farX = max(abs(ax), abs(Double(W - 1) - ax))
            let depthMM = (farX * farX + bottom * bottom).squareRoot() * spacing - r0 + 2
            geometry = SectorGeometry(apexXPixel: ax, apexYPixel: ay, spacingMMPerPixel: spacing, probeRadiusMM: r0,
                                      halfAngleDeg: probe.sectorAngleDeg / 2, depthMM: depthMM)
            if outsideFraction != nil || frame.spacingMMPerPixel != nil { break }
            if Self.outlineFitsInView(geometry: geometry, width: W, height: H, centreX: cx, centreY: cy,
                                      semiAxesMM: (a, b), orientationDeg: orientation) { break }
            fill *= 0.95
        }
        if let outside = outsideFraction {
            defects.append(DefectRecord(kind: .headOutsideSector, amount: outside,
                                        note: "sector edge on the \(sideDraw > 0 ? "right" : "left") cuts the head"))
        }

        var gain = frame.gainDB ?? probe.gainDB
        if let amount = kinds[.gainLow] {
            let drop = amount ?? 24
            gain -= drop
            defects.append(DefectRecord(kind: .gainLow, amount: drop, note: "receive gain lowered by \(drop) dB"))
        }
        if let amount = kinds[.gainHigh] {
            let rise = amount ?? 34
            gain += rise
            defects.append(DefectRecord(kind: .gainHigh, amount: rise, note: "receive gain raised by \(rise) dB"))
        }
        var blur = 1.0
        if let amount = kinds[.blur] {
            blur = amount ?? 3.5
            defects.append(DefectRecord(kind: .blur, amount: blur, note: "point-spread function \(blur)x wider laterally, \(blur.squareRoot())x axially"))
        }
        var arcs: [(centre: Double, halfWidth: Double)] = []
        if let amount = kinds[.obliquePlane] {
            let halfWidth = (amount ?? 40) * .pi / 180
            arcs = [(.pi / 2 + arcDraw[0], halfWidth), (-.pi / 2 + arcDraw[1], halfWidth * arcDraw[2])]
        }
        let overlays = DefectKind.allCases.filter { $0.isOverlay && kinds[$0] != nil }
        for kind in overlays { defects.append(DefectRecord(kind: kind, amount: nil, note: "burned-in overlay; see overlays")) }

        var echoRNG = Xoshiro256StarStar(seed: SplitMix64.derive(sceneSeed, 7))
        let echoes = FetalHeadModel.brainEchoes(semiMajorMM: a, semiMinorMM: b, rng: &echoRNG)
        let (reported, reportedTruth) = report(bpd: 2 * b, ofd: 2 * a, hc: hcMM, frame: frame, op: op, rng: &rng)

        return FramePlan(
            globalIndex: index, fileName: "\(stem).\(format == .png ? "png" : "jpg")", scanID: scan.scanID,
            frameNumber: frameNumber, operatorID: scan.operatorID, unitID: scan.unitID, examDate: scan.examDate,
            gestationalAge: formatGestationalAge(days: Int((gaWeeks * 7).rounded())), gaWeeks: gaWeeks,
            width: W, height: H, format: format, jpegQuality: spec.image.jpegQuality, spacingMMPerPixel: spacing,
            geometry: geometry, frequencyMHz: probe.frequencyMHz, focusDepthMM: probe.focusDepthMM, gainDB: gain,
            dynamicRangeDB: frame.dynamicRangeDB ?? probe.dynamicRangeDB, blurFactor: blur,
            speckleReduction: probe.speckleReduction,
            speckleSeed: speckleSeed, sceneSeed: sceneSeed, fluidMM: fluid, maternalWallMM: wall,
            hcMM: hcMM, bpdMM: 2 * b, ofdMM: 2 * a, hcZ: hcZ, cephalicIndex: ci,
            centreXPixel: cx, centreYPixel: cy, orientationDeg: orientation,
            skullThicknessMM: 1.2 + 0.08 * (gaWeeks - 16), scalpThicknessMM: scalp,
            boneInsetMM: Self.boneInsetMM(frequencyMHz: probe.frequencyMHz, speckleReduction: probe.speckleReduction),
            boneAmplitude: 24 + 0.6 * (gaWeeks - 20), frontSign: frontDraw, missingArcs: arcs,
            showsCavum: kinds[.obliquePlane] == nil, echoes: echoes, overlays: overlays, defects: defects,
            exactCopyOf: nil, duplicateOfFile: nil, reported: reported, reportedTruth: reportedTruth)
    }

    /// Distance from the traced outer border in to the bone surface: 1.5 in-focus axial PSF
    /// sigmas, widened by the display smoothing (the factor was set on the edge level below). With it the displayed echo falls about 45 % of the
    /// way from peak to surroundings at the truth ellipse, as it does at the HC18 experts' ellipses
    /// (`scripts/simulator-realism.py`, "ring edge level").
    static func boneInsetMM(frequencyMHz: Double, speckleReduction: Double) -> Double {
        let axialSigmaMM = PointSpread(frequencyMHz: frequencyMHz, focusRadiusMM: 0, focusDepthMM: 70).axialSigmaMM
        let smoothing = 1.6 * speckleReduction
        return 1.5 * axialSigmaMM * (1 + smoothing * smoothing).squareRoot()
    }

    /// True when the head outline (plus the scalp) lies inside the sector and 2 px inside the image.
    static func outlineFitsInView(geometry: SectorGeometry, width: Int, height: Int, centreX: Double, centreY: Double,
                                  semiAxesMM: (Double, Double), orientationDeg: Double) -> Bool {
        let margin = 2.0
        let a = semiAxesMM.0 / geometry.spacingMMPerPixel + margin, b = semiAxesMM.1 / geometry.spacingMMPerPixel + margin
        let c = cos(orientationDeg * .pi / 180), s = sin(orientationDeg * .pi / 180)
        for k in 0..<360 {
            let t = 2 * Double.pi * Double(k) / 360
            let u = a * cos(t), v = b * sin(t)
            let x = centreX + c * u - s * v, y = centreY + s * u + c * v
            guard x >= margin, y >= margin, x <= Double(width - 1) - margin, y <= Double(height - 1) - margin,
                  geometry.contains(x: x, y: y) else { return false }
        }
        return true
    }

    /// A copy of `source` as the next frame: byte-identical, or after a sub-millimetre probe
    /// movement (same speckle realisation, head shifted by `amount` pixels).
    private func duplicate(of source: FramePlan, frame: FrameSpec, stem: String, index: Int, frameNumber: Int,
                           op: OperatorSpec, rng: inout Xoshiro256StarStar) -> FramePlan {
        var plan = source
        plan.globalIndex = index
        plan.frameNumber = frameNumber
        plan.fileName = "\(stem).\(source.format == .png ? "png" : "jpg")"
        plan.duplicateOfFile = source.fileName
        let exact = frame.defects.contains { $0.kind == .exactDuplicate }
        let direction = rng.uniform(0...(2 * .pi))
        let (reported, reportedTruth) = report(bpd: source.bpdMM, ofd: source.ofdMM, hc: source.hcMM, frame: frame,
                                               op: op, rng: &rng)
        plan.reported = reported
        plan.reportedTruth = reportedTruth
        if exact {
            plan.exactCopyOf = source.exactCopyOf ?? source.globalIndex
            plan.defects.append(DefectRecord(kind: .exactDuplicate, amount: nil, note: "byte-identical to \(source.fileName)"))
        } else {
            let shift = frame.defects.first { $0.kind == .nearDuplicate }?.amount ?? 0.8
            plan.exactCopyOf = nil
            plan.centreXPixel += shift * cos(direction)
            plan.centreYPixel += shift * sin(direction)
            plan.defects.append(DefectRecord(kind: .nearDuplicate, amount: shift,
                                             note: "same speckle as \(source.fileName), head moved \(shift) px"))
        }
        return plan
    }

    /// The operator's reported BPD/OFD/HC: truth × (1 + bias) × (1 + noise), rounded to 0.1 mm,
    /// then the requested gross error.
    private func report(bpd: Double, ofd: Double, hc: Double, frame: FrameSpec, op: OperatorSpec,
                        rng: inout Xoshiro256StarStar) -> (ReportedMeasurements?, ReportedTruth?) {
        let noise = [rng.gaussian(), rng.gaussian(), rng.gaussian()]
        guard frame.report else { return (nil, nil) }
        func reading(_ value: Double, _ n: Double) -> Double {
            let v = value * (1 + op.biasPercent / 100) * (1 + op.noiseSDPercent / 100 * n)
            return (v * 10).rounded() / 10
        }
        var values = (bpd: reading(bpd, noise[0]), ofd: reading(ofd, noise[1]), hc: reading(hc, noise[2]))
        switch frame.reportedError {
        case .swappedBPDOFD?: values = (values.ofd, values.bpd, values.hc)
        case .unitsCentimetres?: values = (values.bpd / 10, values.ofd / 10, values.hc / 10)
        case nil: break
        }
        let reported = ReportedMeasurements(bpdMM: values.bpd, ofdMM: values.ofd, hcMM: values.hc)
        let truth = ReportedTruth(bpdMM: values.bpd, ofdMM: values.ofd, hcMM: values.hc,
                                  operatorBiasPercent: op.biasPercent, operatorNoiseSDPercent: op.noiseSDPercent,
                                  grossError: frame.reportedError)
        return (reported, truth)
    }
}
