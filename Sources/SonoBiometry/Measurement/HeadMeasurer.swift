import Foundation
package import SonoCore
import SonoFilters

/// Finds the fetal skull in a head-plane B-mode frame and measures HC, BPD and OFD.
///
/// A classical pipeline, chosen because it is explainable, needs no trained weights and runs in
/// a few milliseconds:
/// 1. Build a refinement copy of the frame 400 px on its larger side (halving, then resampling
///    when the frame is not 400 × 2ⁿ px) and a detection copy half that size (the detection
///    scale keeps the head 30–150 px across whatever the zoom, and averages speckle away).
/// 2. Skull-ridge map on the detection copy: the most negative Hessian eigenvalue at three scales
///    (σ² normalised) marks bright bands; its eigenvector gives the band's normal.
/// 3. Centre candidates: every ridge point votes along its normal for centres at the plausible
///    radii (a Hough transform for circles, blurred to tolerate ellipses).
/// 4. For each candidate, a closed contour by dynamic programming in polar coordinates, scoring
///    ridge strength weighted by how radial the ridge normal is (this ignores the falx and other
///    straight midline echoes), then a robust ellipse fit; a second pass searches a band around
///    that ellipse. The candidate whose ellipse lies on the strongest ring wins.
/// 5. Outer border: along rays through the ellipse on the refinement copy, the point where intensity falls
///    from the skull's peak 40 % of the way to the tissue outside it. The median distance from
///    the centre line to that border on the clearly imaged rays (half the bone's thickness) grows
///    the centre-line ellipse into the reported outer ellipse (HC18 and INTERGROWTH-21st place HC
///    on the outer border). Refitting to every ray instead follows the blurred lateral ends
///    outwards and overestimates OFD.
/// 6. Small heads (HC under ``Options/edgeRefitBelowHCMM``, with a mm spacing): the outer ellipse
///    is refitted to the strongest bright-to-dark step just outside it on every ray, the head's
///    edge against the fluid or tissue around it, because an early skull's bright band lies
///    inside that edge.
///
/// When no ring is credible the result is a ``HeadMeasurementFailure`` with the reason; the
/// measurer never returns a guess. Pure function of its inputs, safe on any thread.
package enum HeadMeasurer {
    /// Tunables, with defaults chosen on general grounds (radius range as fractions of the frame,
    /// support threshold) rather than per-image.
    package struct Options: Sendable, Hashable {
        /// Below this fraction of the perimeter with skull evidence the measurer reports failure.
        package var minimumPerimeterSupport: Double = 0.2
        /// Spacings accepted for mm values, in mm per **reference** pixel (``ReferenceFrame``): a
        /// frame of another size has the range scaled to its pixels, as CAL-001's is, so a 0.5×
        /// export of a 0.4 mm/px frame (0.8 mm/px) is measured in mm. Outside, only pixel values
        /// are reported.
        package var plausibleSpacingMMPerPixel: ClosedRange<Double> = 0.02...0.6
        /// Minimum skull-band to brain brightness ratio for a ring to count as a skull.
        package var minimumRingContrastRatio: Double = 1.2
        /// Where between the skull's peak brightness (0) and the tissue outside it (1) the
        /// outer border is placed. Tuned on hc18-dev together with ``shapeCorrection``
        /// (``HCEvaluation/fitConstants(_:indices:folds:abstainFraction:)``); `evaluate-hc --folds 5`
        /// re-chooses it per fold from ``HCEvaluation/borderLevelGrid`` by the training folds'
        /// corrected mean |HC difference|.
        package var outerBorderLevel: Double = 0.30
        /// Below this HC (mm, from the grown centre-line ellipse) the outer ellipse is refitted to
        /// the head's outer edge (``HeadMeasurementPipeline/edgeRefit(_:)``); nil never refits.
        /// Before about 18 weeks (INTERGROWTH-21st median HC 150 mm near 18 weeks) the skull is
        /// thin and poorly ossified: the bright band the ridge filter follows lies inside the head's
        /// edge on its lateral sides, and HC18's experts trace the edge where the head meets the
        /// fluid or tissue around it. On hc18-dev (`evaluate-hc --folds 5`, held-out) the refit
        /// brought heads under 90 mm from 5.4 to 3.5 % mean relative error; applied to every head
        /// it made heads over 140 mm worse (1.0 → 1.2 %), because their skull edge is the ridge's.
        /// Tried 120 / 150 / 180 mm: 2.23 / 2.21 / 2.25 mm mean |HC difference| (held out, before
        /// the error model and the support count learnt about refitted ellipses).
        package var edgeRefitBelowHCMM: Double? = 150
        /// Corrects the outer ellipse's axes for the measurer's size/shape biases (mm spacing only);
        /// nil reports the raw ellipse.
        package var shapeCorrection: HeadShapeCorrection? = .hc18Dev
        /// Predicts each measurement's expected error; nil leaves ``HeadMeasurement/uncertainty`` empty.
        package var errorModel: HeadErrorModel? = .hc18Dev
        /// Abstain (``HeadMeasurementFailure/unreliable(expectedAbsErrorHCMM:limitMM:)``) when the
        /// expected HC error exceeds the model's limit. Off only for evaluation, which re-applies
        /// models fitted on other folds.
        package var abstainWhenUnreliable = true
        package init() {}
    }

    /// Measures the head in `image`.
    /// - Parameters:
    ///   - spacingMMPerPixel: isotropic pixel size; nil gives pixel values only.
    ///   - mask: same size as `image`; non-zero pixels are ignored (burned-in text, calipers, logos).
    package static func measure(
        _ image: GrayImage, spacingMMPerPixel: Double?, mask: GrayImage? = nil, options: Options = Options()
    ) -> Result<HeadMeasurement, HeadMeasurementFailure> {
        guard image.width >= 64, image.height >= 64 else {
            return .failure(.imageTooSmall(width: image.width, height: image.height))
        }
        if let mask, mask.width != image.width || mask.height != image.height {
            return .failure(.maskSizeMismatch(imageWidth: image.width, imageHeight: image.height,
                                              maskWidth: mask.width, maskHeight: mask.height))
        }
        var spacing: Double? = nil
        var note: String? = nil
        if let s = spacingMMPerPixel {
            let toReference = ReferenceFrame.scale(toReferenceFrom: max(image.width, image.height))
            let plausible = (options.plausibleSpacingMMPerPixel.lowerBound * toReference)...(options.plausibleSpacingMMPerPixel.upperBound * toReference)
            if s.isFinite, plausible.contains(s) {
                spacing = s
            } else {
                note = "spacing \(s) mm/px is outside the plausible range \(plausible.lowerBound)-\(plausible.upperBound)"
                    + " mm/px for a frame \(max(image.width, image.height)) px on its larger side: pixel values only"
            }
        }
        let pipeline = HeadMeasurementPipeline(image: image, mask: mask, spacingMMPerPixel: spacing, options: options)
        return pipeline.run().map { found in
            HeadMeasurement(ellipse: found.ellipse, skullCentreline: found.centreline, spacingMMPerPixel: spacing,
                            calibrationNote: note, confidence: found.confidence)
        }.flatMap { m in
            finishing(m, correction: options.shapeCorrection, errorModel: options.errorModel,
                      abstain: options.abstainWhenUnreliable)
        }
    }

    /// The calibrated last step: applies `correction` to the raw ellipse, attaches `errorModel`'s
    /// uncertainty and, with `abstain`, turns a measurement whose expected HC error is above the
    /// model's limit into a failure. Shared by ``measure`` and the cross-validated evaluation
    /// (which applies constants fitted on the other folds to raw measurements).
    package static func finishing(_ m: HeadMeasurement, correction: HeadShapeCorrection?, errorModel: HeadErrorModel?,
                                 abstain: Bool) -> Result<HeadMeasurement, HeadMeasurementFailure> {
        let corrected = correction.map { $0.applied(to: m) } ?? m
        guard let model = errorModel else { return .success(corrected) }
        return applying(model, to: corrected, abstain: abstain)
    }

    /// Attaches `model`'s uncertainty to `m` and, with `abstain`, turns a measurement whose
    /// expected HC error is above the model's limit into a failure.
    package static func applying(_ model: HeadErrorModel, to m: HeadMeasurement, abstain: Bool)
        -> Result<HeadMeasurement, HeadMeasurementFailure> {
        var out = m
        out.uncertainty = model.uncertainty(of: m)
        if abstain, let u = out.uncertainty, u.expectedAbsErrorHCMM > model.abstainAboveExpectedHCErrorMM {
            return .failure(.unreliable(expectedAbsErrorHCMM: u.expectedAbsErrorHCMM, limitMM: model.abstainAboveExpectedHCErrorMM))
        }
        return .success(out)
    }
}

/// The stages of ``HeadMeasurer`` with their intermediate rasters.
struct HeadMeasurementPipeline {
    let options: HeadMeasurer.Options
    /// Full-resolution size.
    let width: Int
    let height: Int
    /// Full-resolution pixels per refinement-grid pixel (the detection grid is half the refinement grid).
    let refineScale: Double
    let refine: FloatImage
    let refineMask: IgnoreMask?
    let detect: FloatImage
    let detectMask: IgnoreMask?
    /// Plausible mm spacing of the full-resolution frame, nil without one (gates ``edgeRefit(_:)``).
    let spacingMMPerPixel: Double?

    struct Found {
        var ellipse: Ellipse
        var centreline: Ellipse
        var confidence: HeadMeasurementConfidence
    }

    /// Larger side of the refinement grid, whatever the frame's size. The measurer's pixel
    /// constants (Hessian scales, border search window, the fitted border level and shape
    /// correction) were set on the reference frames (``ReferenceFrame``), where halving once
    /// gives 400 px. Halving
    /// alone would put a 600- or 1,200-px export on a 300-px grid, and there the cross-validated
    /// evaluation abstained twice as often (16 against 8 of 413 frames) and fewer heads came
    /// within 10 mm (94.2 against 96.6 %).
    static let refineLongSide = ReferenceFrame.longSidePixels / 2

    init(image: GrayImage, mask: GrayImage?, spacingMMPerPixel: Double? = nil, options: HeadMeasurer.Options) {
        self.options = options
        self.spacingMMPerPixel = spacingMMPerPixel
        width = image.width
        height = image.height
        // Halve (exact 2×2 means) while that keeps the refinement size, then resample to it.
        let target = Self.refineLongSide
        func halves(_ width: Int, _ height: Int) -> Bool { max(width, height) >= 2 * target && min(width, height) >= 128 }
        // The first halving straight from the 8-bit frame (no full-size float copy).
        let halvedOnce = halves(image.width, image.height)
        var level = halvedOnce ? Downsample.halfAsFloat(image) : ImageConversion.float(image)
        var levelMask = mask.map { halvedOnce ? IgnoreMask($0).halved() : IgnoreMask($0) }
        var scale = halvedOnce ? 2.0 : 1.0
        while halves(level.width, level.height) {
            level = Downsample.half(level)
            levelMask = levelMask.map { $0.halved() }
            scale *= 2
        }
        let longSide = max(level.width, level.height), shortSide = min(level.width, level.height)
        if longSide != target {
            // A very elongated frame keeps at least 64 px across, as the ridge filters need.
            let factor = max(Double(target) / Double(longSide), min(1, 64 / Double(shortSide)))
            level = Resample.scaled(level, by: factor)
            levelMask = levelMask.map { $0.resampled(by: factor) }
            scale /= factor
        }
        refineScale = scale
        detect = Downsample.half(level)
        detectMask = levelMask.map { $0.halved().dilated(radius: 2) }
        refine = GaussianBlur.apply(level, sigma: 1.0)
        refineMask = levelMask.map { $0.dilated(radius: 1) }
    }

    // MARK: - Ridge map

    struct RidgeMap {
        let width: Int
        let height: Int
        /// Ridge strength normalised so the image's strong ridges are near 1.
        var strength: [Float]
        /// Unit normal of the ridge (across the band).
        var normalX: [Float]
        var normalY: [Float]

        @inline(__always)
        func at(_ x: Double, _ y: Double) -> (s: Float, nx: Float, ny: Float)? {
            let xi = nearestInteger(x), yi = nearestInteger(y)
            guard xi >= 0, yi >= 0, xi < width, yi < height else { return nil }
            let i = yi * width + xi
            return (strength[i], normalX[i], normalY[i])
        }

        /// Ridge strength times the squared cosine between its normal and direction (ux, uy).
        @inline(__always)
        func oriented(_ x: Double, _ y: Double, ux: Double, uy: Double) -> Float {
            guard let r = at(x, y) else { return 0 }
            let c = r.nx * Float(ux) + r.ny * Float(uy)
            return r.s * c * c
        }

        /// `out[j] = oriented(centreX + r·ux, centreY + r·uy)` with `r = lower + j·step`, for
        /// `j < count`: the same positions and values, the pixel of four radii at a time
        /// (`nearestIntegers`), so the scalar work left per sample is the lookup itself.
        func orientedRay(centreX: Double, centreY: Double, ux: Double, uy: Double, lower: Double, step: Double,
                         count: Int, into out: UnsafeMutablePointer<Float>) {
            let fx = Float(ux), fy = Float(uy)
            strength.withUnsafeBufferPointer { s in
                normalX.withUnsafeBufferPointer { nx in
                    normalY.withUnsafeBufferPointer { ny in
                        var j = 0
                        while j < count {
                            let js = SIMD4<Double>(Double(j), Double(j + 1), Double(j + 2), Double(j + 3))
                            let r = lower + js * step
                            let xi = nearestIntegers(centreX + r * ux), yi = nearestIntegers(centreY + r * uy)
                            for lane in 0..<min(4, count - j) {
                                let x = Int(xi[lane]), y = Int(yi[lane])
                                guard x >= 0, y >= 0, x < width, y < height else { out[j + lane] = 0; continue }
                                let i = y * width + x
                                let c = nx[i] * fx + ny[i] * fy
                                out[j + lane] = s[i] * c * c
                            }
                            j += 4
                        }
                    }
                }
            }
        }
    }

    func ridgeMap() -> RidgeMap {
        let w = detect.width, h = detect.height
        let bands = HessianRidge.brightBands(detect, sigmas: [1.0, 1.6, 2.5])
        var strength = bands.strength.samples
        if let m = detectMask {
            for i in 0..<(w * h) where m.isIgnored(index: i) { strength[i] = 0 }
        }
        // Normalise by a high percentile of the positive responses so thresholds are gain-free.
        let scale = max(ImageStatistics.quantileOfPositive(strength, 0.99) ?? 1, 1e-6)
        for i in 0..<(w * h) { strength[i] = min(strength[i] / scale, 1.5) }
        return RidgeMap(width: w, height: h, strength: strength, normalX: bands.normalX.samples, normalY: bands.normalY.samples)
    }

    // MARK: - Centre candidates

    var minimumRadius: Double { 0.1 * Double(min(detect.width, detect.height)) }
    var maximumRadius: Double { 0.5 * Double(max(detect.width, detect.height)) }

    func centreCandidates(_ ridge: RidgeMap, count: Int) -> [(x: Double, y: Double)] {
        let w = ridge.width, h = ridge.height
        var votes = [Float](repeating: 0, count: w * h)
        let rMin = Int(minimumRadius), rMax = Int(maximumRadius)
        ridge.strength.withUnsafeBufferPointer { strength in
            ridge.normalX.withUnsafeBufferPointer { normalX in
                ridge.normalY.withUnsafeBufferPointer { normalY in
                    votes.withUnsafeMutableBufferPointer { votes in
                        Self.castVotes(strength: strength, normalX: normalX, normalY: normalY, width: w, height: h,
                                       radii: stride(from: rMin, through: rMax, by: 1), into: votes)
                    }
                }
            }
        }
        let smooth = GaussianBlur.apply(FloatImage(width: w, height: h, samples: votes), sigma: 2.5)
        var candidates: [(x: Double, y: Double)] = []
        var values = smooth.samples
        let suppress = max(4, Int(minimumRadius * 0.6))
        for _ in 0..<count {
            guard let best = values.indices.max(by: { values[$0] < values[$1] }), values[best] > 0 else { break }
            let bx = best % w, by = best / w
            candidates.append((Double(bx), Double(by)))
            for yy in max(0, by - suppress)...min(h - 1, by + suppress) {
                for xx in max(0, bx - suppress)...min(w - 1, bx + suppress) { values[yy * w + xx] = 0 }
            }
        }
        return candidates
    }

    /// Each ridge centre-line pixel (stronger than 0.2 and than its two neighbours across the band)
    /// votes with its strength for the centres at `radii` along its normal, both ways. Unchecked
    /// buffers: the neighbours of an inner pixel along a unit normal are inside the grid and every
    /// vote passes the bounds test first; the voting is one of the measurer's largest scalar loops.
    private static func castVotes(strength: UnsafeBufferPointer<Float>, normalX: UnsafeBufferPointer<Float>,
                                  normalY: UnsafeBufferPointer<Float>, width w: Int, height h: Int, radii: StrideThrough<Int>,
                                  into votes: UnsafeMutableBufferPointer<Float>) {
        // The radii in vectors of 8, the last padded with zeros that are never voted with.
        let radiusList = radii.map(Float.init)
        let radiusVectors = stride(from: 0, to: radiusList.count, by: 8).map { k in
            SIMD8<Float>((k..<(k + 8)).map { $0 < radiusList.count ? radiusList[$0] : 0 })
        }
        let w32 = Int32(w), h32 = Int32(h)
        for y in 1..<(h - 1) {
            for x in 1..<(w - 1) {
                let i = y * w + x
                let s = strength[i]
                guard s > 0.2 else { continue }
                let nxv = normalX[i], nyv = normalY[i]
                // Keep ridge centre lines only (non-maximum suppression across the band).
                let ax = nearestInteger(Float(x) + nxv), ay = nearestInteger(Float(y) + nyv)
                let bx = nearestInteger(Float(x) - nxv), by = nearestInteger(Float(y) - nyv)
                if strength[ay * w + ax] > s || strength[by * w + bx] > s { continue }
                // Centres at Float(x) + sign·n·r as before, 8 radii at a time; the votes are still
                // added one by one in the same order, up to the first centre off the grid.
                let fx = SIMD8<Float>(repeating: Float(x)), fy = SIMD8<Float>(repeating: Float(y))
                for sign: Float in [-1, 1] {
                    let tx = sign * nxv, ty = sign * nyv
                    along: for (chunk, r) in radiusVectors.enumerated() {
                        let cx = nearestIntegers(fx + tx * r), cy = nearestIntegers(fy + ty * r)
                        for lane in 0..<min(8, radiusList.count - 8 * chunk) {
                            let vx = cx[lane], vy = cy[lane]
                            guard vx >= 0, vy >= 0, vx < w32, vy < h32 else { break along }
                            votes[Int(vy) * w + Int(vx)] += s
                        }
                    }
                }
            }
        }
    }

    // MARK: - Closed contour by dynamic programming

    /// Best closed path r(θ) through `cost[angle][radiusIndex]` with |Δindex| ≤ maxStep per angle.
    /// The path is run twice around and the second lap kept, which makes it (nearly) closed
    /// without fixing a starting radius. Eight radii at a time with `SIMD8`: this DP runs 15 times
    /// per frame and was the measurer's largest single cost. ``referenceClosedPath(cost:angles:radii:maxStep:stepPenalty:)``
    /// is its scalar specification; both keep the first maximum over ascending predecessors, so
    /// they agree exactly, ties included.
    static func closedPath(cost: [Float], angles: Int, radii: Int, maxStep: Int, stepPenalty: Float) -> [Int] {
        let laps = 2 * angles
        var score = Array(cost.prefix(radii))
        var next = [Float](repeating: 0, count: radii)
        let penalty = (0...maxStep).map { stepPenalty * Float($0) }
        // Radii whose whole predecessor window lies inside 0..<radii, in blocks of eight.
        let vectorStart = maxStep, vectorEnd = radii - maxStep
        let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
        // Every step t ≥ 1 writes its whole row of back-pointers, so only row 0, which the trace
        // never reads, is zero-filled (the table, twice the cost table's size, was a memset of
        // up to a few hundred kB per ring fit).
        let back = [Int32](unsafeUninitializedCapacity: laps * radii) { back, initialized in
            back.baseAddress!.initialize(repeating: 0, count: radii)
            cost.withUnsafeBufferPointer { cost in
                for t in 1..<laps {
                    let row = (t % angles) * radii
                    score.withUnsafeBufferPointer { score in
                        next.withUnsafeMutableBufferPointer { next in
                            func scalarStep(_ j: Int) {
                                var best = -Float.infinity, arg = j
                                for k in max(0, j - maxStep)...min(radii - 1, j + maxStep) {
                                    let v = score[k] - penalty[abs(k - j)]
                                    if v > best { best = v; arg = k }
                                }
                                next[j] = best + cost[row + j]
                                back[t * radii + j] = Int32(arg)
                            }
                            var j = 0
                            while j < min(vectorStart, radii) { scalarStep(j); j += 1 }
                            let s = UnsafeRawPointer(score.baseAddress!)
                            while j + 8 <= vectorEnd {
                                var best = SIMD8<Float>(repeating: -.infinity)
                                var arg = SIMD8<Int32>(repeating: Int32(j)) &+ lanes
                                for d in -maxStep...maxStep {
                                    let v = s.loadUnaligned(fromByteOffset: (j + d) * 4, as: SIMD8<Float>.self)
                                        - SIMD8(repeating: penalty[abs(d)])
                                    let better = v .> best
                                    best.replace(with: v, where: better)
                                    arg.replace(with: SIMD8<Int32>(repeating: Int32(j + d)) &+ lanes, where: better)
                                }
                                let c = UnsafeRawPointer(cost.baseAddress! + row + j).loadUnaligned(as: SIMD8<Float>.self)
                                UnsafeMutableRawPointer(next.baseAddress! + j).storeBytes(of: best + c, as: SIMD8<Float>.self)
                                UnsafeMutableRawPointer(back.baseAddress! + t * radii + j).storeBytes(of: arg, as: SIMD8<Int32>.self)
                                j += 8
                            }
                            while j < radii { scalarStep(j); j += 1 }
                        }
                    }
                    swap(&score, &next)
                }
            }
            initialized = laps * radii
        }
        return Self.tracedBack(score: score, back: back, angles: angles, radii: radii)
    }

    /// Scalar specification of ``closedPath(cost:angles:radii:maxStep:stepPenalty:)``.
    static func referenceClosedPath(cost: [Float], angles: Int, radii: Int, maxStep: Int, stepPenalty: Float) -> [Int] {
        let laps = 2 * angles
        var score = Array(cost.prefix(radii))
        var next = [Float](repeating: 0, count: radii)
        var back = [Int32](repeating: 0, count: laps * radii)
        for t in 1..<laps {
            let row = (t % angles) * radii
            for j in 0..<radii {
                var best = -Float.infinity, arg = j
                for d in -maxStep...maxStep {
                    let k = j + d
                    guard k >= 0, k < radii else { continue }
                    let v = score[k] - stepPenalty * Float(abs(d))
                    if v > best { best = v; arg = k }
                }
                next[j] = best + cost[row + j]
                back[t * radii + j] = Int32(arg)
            }
            swap(&score, &next)
        }
        return tracedBack(score: score, back: back, angles: angles, radii: radii)
    }

    /// The second lap of the best path, from the best final score back through `back`.
    private static func tracedBack(score: [Float], back: [Int32], angles: Int, radii: Int) -> [Int] {
        var j = score.indices.max(by: { score[$0] < score[$1] }) ?? 0
        var path = [Int](repeating: 0, count: angles)
        for t in stride(from: 2 * angles - 1, through: 1, by: -1) {
            if t >= angles { path[t - angles] = j }
            j = Int(back[t * radii + j])
        }
        return path
    }

    /// One candidate ring: its ellipse (detection-grid pixels) and mean oriented ridge strength on it.
    struct Ring {
        var ellipse: Ellipse
        var score: Double
    }

    func ringScore(_ ellipse: Ellipse, _ ridge: RidgeMap) -> Double {
        var total = 0.0
        let circle = UnitCircle.ringDirections
        for k in circle.angle.indices {
            let phi = circle.angle[k]
            let r = ellipse.radius(atPolarAngle: phi)
            let ux = circle.cosine[k], uy = circle.sine[k]
            var best: Float = 0
            for dr in [-1.0, 0, 1] {
                best = max(best, ridge.oriented(ellipse.centerX + (r + dr) * ux, ellipse.centerY + (r + dr) * uy,
                                                ux: ux, uy: uy))
            }
            total += Double(min(best, 1))
        }
        return total / Double(circle.angle.count)
    }

    /// Polar DP around `centre` over radii `band(θ)`, then a robust ellipse fit.
    func fitRing(centreX: Double, centreY: Double, ridge: RidgeMap,
                 band: (Double) -> ClosedRange<Double>, radialStep: Double) -> Ellipse? {
        let circle = UnitCircle.ringDirections, angles = circle.angle.count
        let ranges = circle.angle.map(band)
        let radii = max(3, Int(((ranges.map { $0.upperBound - $0.lowerBound }.max() ?? 0) / radialStep).rounded(.up)) + 1)
        // Every ray writes all its radii, so the table is not zero-filled first.
        let cost = [Float](unsafeUninitializedCapacity: angles * radii) { cost, initialized in
            for a in 0..<angles {
                let range = ranges[a]
                ridge.orientedRay(centreX: centreX, centreY: centreY, ux: circle.cosine[a], uy: circle.sine[a],
                                  lower: range.lowerBound, step: (range.upperBound - range.lowerBound) / Double(radii - 1),
                                  count: radii, into: cost.baseAddress! + a * radii)
            }
            initialized = angles * radii
        }
        let path = Self.closedPath(cost: cost, angles: angles, radii: radii, maxStep: 2, stepPenalty: 0.03)
        var points: [EllipseFitter.WeightedPoint] = []
        points.reserveCapacity(angles)
        for a in 0..<angles {
            let range = ranges[a]
            let r = range.lowerBound + Double(path[a]) * (range.upperBound - range.lowerBound) / Double(radii - 1)
            let c = Double(cost[a * radii + path[a]])
            points.append(.init(x: centreX + r * circle.cosine[a], y: centreY + r * circle.sine[a], weight: c))
        }
        guard let start = EllipseFitter.momentEstimate(points) ?? EllipseFitter.momentEstimate(points.map {
            var p = $0; p.weight = 1; return p
        }) else { return nil }
        return EllipseFitter.robustFit(points, start: start, minimumScale: 1.0)?.ellipse
    }

    func plausible(_ e: Ellipse) -> Bool {
        let ratio = e.semiMinor / e.semiMajor
        return ratio >= 0.55 && e.semiMinor >= minimumRadius * 0.8 && e.semiMajor <= maximumRadius * 1.25
            && e.centerX >= 0 && e.centerY >= 0 && e.centerX < Double(detect.width) && e.centerY < Double(detect.height)
    }

    func bestRing(_ ridge: RidgeMap) -> Ring? {
        var best: Ring?
        var refined: [Ellipse] = []
        for centre in centreCandidates(ridge, count: 5) {
            guard var ellipse = fitRing(centreX: centre.x, centreY: centre.y, ridge: ridge,
                                        band: { _ in self.minimumRadius...self.maximumRadius }, radialStep: 1)
            else { continue }
            // Most candidates' first fits land on the same ring, and the two refinements are two
            // thirds of a candidate's cost: a ring already refined (within `sameRingGap`) is not
            // refined again.
            if refined.contains(where: { Self.ringGap($0, ellipse) < Self.sameRingGap }) { continue }
            refined.append(ellipse)
            for _ in 0..<2 {
                let current = ellipse
                guard let next = fitRing(centreX: current.centerX, centreY: current.centerY, ridge: ridge,
                                         band: { phi in
                                             let r = current.radius(atPolarAngle: phi)
                                             return (0.8 * r)...(1.2 * r)
                                         }, radialStep: 0.5)
                else { break }
                ellipse = next
            }
            guard plausible(ellipse) else { continue }
            let score = ringScore(ellipse, ridge)
            if score > (best?.score ?? -1) { best = Ring(ellipse: ellipse, score: score) }
        }
        return best
    }

    /// Largest ``ringGap(_:_:)`` (detection-grid pixels) at which a candidate's first fit counts
    /// as a ring already refined in ``bestRing(_:)``. Chosen for cost and then checked held out
    /// (docs/qc-rules.md, "Tuned constants"): on the 413 hc18-dev frames 1,113 of the 2,070
    /// candidates are refined (all before; counted with a temporary log), and the cross-validated HC figures stay within their
    /// spread across 0–1 px; at 2 px ±5 % HC mis-statements were caught less often.
    static let sameRingGap = 1.0

    /// The distance between the two centres plus the largest difference of the two radii over
    /// 36 directions (every 10°): how far apart two rings run, to within a sampling step.
    static func ringGap(_ a: Ellipse, _ b: Ellipse) -> Double {
        var widest = 0.0
        for k in 0..<36 {
            let phi = Double(k) * Double.pi / 18
            widest = max(widest, abs(a.radius(atPolarAngle: phi) - b.radius(atPolarAngle: phi)))
        }
        let dx = a.centerX - b.centerX, dy = a.centerY - b.centerY
        return (dx * dx + dy * dy).squareRoot() + widest
    }

    // MARK: - Outer border

    struct BorderPoint {
        var x: Double
        var y: Double
        var contrast: Double
    }

    /// Outer skull border along rays through the ridge ellipse (refinement-grid pixels).
    func outerBorderPoints(_ ridgeEllipse: Ellipse) -> (points: [BorderPoint], visible: Int) {
        var points: [BorderPoint] = []
        var visible = 0
        let grid = refine
        let level = Float(options.outerBorderLevel)
        let circle = UnitCircle.borderRays
        for k in circle.angle.indices {
            let phi = circle.angle[k]
            let ux = circle.cosine[k], uy = circle.sine[k]
            let rho = ridgeEllipse.radius(atPolarAngle: phi)
            let halfWidth = max(6, 0.15 * rho)
            let step = 0.5
            let n = Int((2 * halfWidth / step).rounded()) + 1
            var profile = [Float](repeating: 0, count: n)
            var ok = true
            for j in 0..<n {
                let r = rho - halfWidth + Double(j) * step
                let x = ridgeEllipse.centerX + r * ux, y = ridgeEllipse.centerY + r * uy
                guard let v = grid.bilinear(x, y), !(refineMask?.isIgnored(x, y) ?? false) else { ok = false; break }
                profile[j] = v
            }
            guard ok else { continue }
            visible += 1
            // Skull peak: brightest sample in the central half of the window.
            let lo = n / 4, hi = 3 * n / 4
            var peak = lo
            for j in lo...hi where profile[j] > profile[peak] { peak = j }
            var outside = profile[peak]
            for j in peak..<n { outside = min(outside, profile[j]) }
            var inside = profile[peak]
            for j in 0...peak { inside = min(inside, profile[j]) }
            let contrast = profile[peak] - outside
            guard contrast > 8, profile[peak] - inside > 4 else { continue }
            let threshold = profile[peak] - level * contrast
            var j = peak
            while j + 1 < n, profile[j + 1] > threshold { j += 1 }
            guard j + 1 < n else { continue }
            let f = Double((profile[j] - threshold) / max(profile[j] - profile[j + 1], 1e-6))
            let r = rho - halfWidth + (Double(j) + f) * step
            points.append(BorderPoint(x: ridgeEllipse.centerX + r * ux, y: ridgeEllipse.centerY + r * uy,
                                      contrast: Double(contrast)))
        }
        return (points, visible)
    }

    /// Mean brightness on the centre-line ellipse over the darker of the mean brightness at
    /// 0.6–0.85 and at 1.15–1.3 of its radius (refinement grid, ignoring masked and outside samples).
    func ringContrastRatio(_ centreline: Ellipse) -> Double {
        var ring = 0.0, ringCount = 0, interior = 0.0, interiorCount = 0, exterior = 0.0, exteriorCount = 0
        let circle = UnitCircle.borderRays
        for k in circle.angle.indices {
            let phi = circle.angle[k]
            let ux = circle.cosine[k], uy = circle.sine[k]
            let rho = centreline.radius(atPolarAngle: phi)
            func value(_ r: Double) -> Double? {
                let x = centreline.centerX + r * ux, y = centreline.centerY + r * uy
                guard let v = refine.bilinear(x, y), !(refineMask?.isIgnored(x, y) ?? false) else { return nil }
                return Double(v)
            }
            if let v = value(rho) { ring += v; ringCount += 1 }
            for f in [0.6, 0.7, 0.8, 0.85] {
                if let v = value(f * rho) { interior += v; interiorCount += 1 }
            }
            for f in [1.15, 1.2, 1.25, 1.3] {
                if let v = value(f * rho) { exterior += v; exteriorCount += 1 }
            }
        }
        guard ringCount > 0, interiorCount > 0 || exteriorCount > 0 else { return 0 }
        let inside = interiorCount > 0 ? interior / Double(interiorCount) : .infinity
        let outside = exteriorCount > 0 ? exterior / Double(exteriorCount) : .infinity
        return (ring / Double(ringCount)) / max(min(inside, outside), 1)
    }

    /// Radial search band of ``edgeRefit(_:)`` as multiples of the grown ellipse's radius: the
    /// lateral under-sizing it corrects is up to about a fifth of the radius on hc18-dev's
    /// smallest heads. Tried 0.9–0.97 × 1.2–1.3: within 0.05 mm mean |HC difference| except the
    /// narrowest (0.97–1.2, 2.39 mm).
    static let edgeBand = 0.95...1.25
    /// Half the distance (refinement px) over which a step is measured: `I(r − h) − I(r + h)`.
    static let edgeStepHalfWidth = 1.5
    /// Steps below this many grey levels are speckle, not an edge.
    static let minimumEdgeStep: Float = 4

    /// The outer ellipse refitted to the head's outer edge: along each of 180 rays, the strongest
    /// bright-to-dark step within ``edgeBand`` of `outer`, then a robust ellipse fit weighted by
    /// step size. Returns the edge points as the new ellipse's support; nil when fewer than 30
    /// rays show an edge or the fit is not head-shaped or moves the perimeter by more than 25 %.
    func edgeRefit(_ outer: Ellipse) -> (ellipse: Ellipse, points: [BorderPoint])? {
        var points: [EllipseFitter.WeightedPoint] = []
        let step = 0.5, half = Self.edgeStepHalfWidth
        let offset = Int((half / step).rounded())
        let circle = UnitCircle.borderRays
        for k in circle.angle.indices {
            let phi = circle.angle[k]
            let ux = circle.cosine[k], uy = circle.sine[k]
            let rho = outer.radius(atPolarAngle: phi)
            let r0 = Self.edgeBand.lowerBound * rho - half, r1 = Self.edgeBand.upperBound * rho + half
            let n = Int(((r1 - r0) / step).rounded()) + 1
            var profile = [Float](repeating: 0, count: n)
            var inside = true
            for j in 0..<n {
                let r = r0 + Double(j) * step
                let x = outer.centerX + r * ux, y = outer.centerY + r * uy
                guard let v = refine.bilinear(x, y), !(refineMask?.isIgnored(x, y) ?? false) else { inside = false; break }
                profile[j] = v
            }
            guard inside, n > 2 * offset else { continue }
            var best = Self.minimumEdgeStep, arg = -1
            for j in offset..<(n - offset) {
                let drop = profile[j - offset] - profile[j + offset]
                if drop > best { best = drop; arg = j }
            }
            guard arg >= 0 else { continue }
            let r = r0 + Double(arg) * step
            points.append(.init(x: outer.centerX + r * ux, y: outer.centerY + r * uy, weight: Double(best)))
        }
        guard points.count >= 30, let fit = EllipseFitter.robustFit(points, start: outer, minimumScale: 1.0)?.ellipse,
              fit.semiMinor / fit.semiMajor >= 0.55, abs(log(fit.perimeter / outer.perimeter)) < 0.25
        else { return nil }
        return (fit, points.map { BorderPoint(x: $0.x, y: $0.y, contrast: $0.weight) })
    }

    // MARK: - Run

    func run() -> Result<Found, HeadMeasurementFailure> {
        let ridge = ridgeMap()
        guard ridge.strength.contains(where: { $0 > 0.2 }) else { return .failure(.noSkullEvidence) }
        guard let ring = bestRing(ridge) else {
            return .failure(.noPlausibleEllipse(reason: "no candidate ring had a plausible size and shape"))
        }
        // The detection grid is the refinement grid halved.
        let ridgeEllipse = ring.ellipse.scaled(by: 2)
        let ringRatio = ringContrastRatio(ridgeEllipse)
        guard ringRatio >= options.minimumRingContrastRatio else {
            return .failure(.noPlausibleEllipse(reason: String(
                format: "best ring is only %.2f times as bright as its surroundings", ringRatio)))
        }
        let border = outerBorderPoints(ridgeEllipse)
        let rays = UnitCircle.borderRays.angle.count
        guard border.points.count >= 12 else {
            return .failure(.insufficientSupport(perimeterSupport: Double(border.points.count) / Double(rays)))
        }
        // The outer border is the centre line moved out by the bone's half-thickness, measured
        // on the rays where the skull is clearly imaged (the top and bottom of the head, where the
        // beam meets the bone square on). Refitting all five parameters to every ray instead
        // follows the blurred lateral ends outwards and overestimates OFD.
        let contrasts = border.points.map(\.contrast).sorted()
        let strongLevel = 0.5 * contrasts[min(contrasts.count - 1, Int(Double(contrasts.count) * 0.9))]
        let strong = border.points.filter { $0.contrast >= strongLevel }
        let ridgeRotation = ridgeEllipse.rotation
        let offset = ImageStatistics.upperMedian(strong.map { ridgeEllipse.radialResidual(x: $0.x, y: $0.y, rotation: ridgeRotation) }) ?? 0
        var outer = ridgeEllipse.grown(by: offset)
        // Support is counted on the points the reported ellipse was fitted to.
        var supportPoints = border.points
        var edgeChange: Double?
        if let limit = options.edgeRefitBelowHCMM, let spacing = spacingMMPerPixel,
           outer.perimeter * refineScale * spacing < limit, let refit = edgeRefit(outer) {
            edgeChange = abs(log(refit.ellipse.perimeter / outer.perimeter))
            outer = refit.ellipse
            supportPoints = refit.points
        }
        guard outer.semiMinor / outer.semiMajor >= 0.5 else {
            return .failure(.noPlausibleEllipse(reason: "outer border is not head-shaped"))
        }
        // Support: rays whose outer edge lies within a few pixels of the reported ellipse.
        let tolerance = max(2.0, 0.03 * outer.semiMinor)
        var sumSquares = 0.0, inliers = 0
        let outerRotation = outer.rotation
        for p in supportPoints {
            let r = outer.radialResidual(x: p.x, y: p.y, rotation: outerRotation)
            if abs(r) <= tolerance { sumSquares += r * r; inliers += 1 }
        }
        let support = Double(inliers) / Double(rays)
        let residual = inliers > 0 ? (sumSquares / Double(inliers)).squareRoot() * refineScale : .infinity
        guard support >= options.minimumPerimeterSupport else { return .failure(.insufficientSupport(perimeterSupport: support)) }
        let full = outer.scaled(by: refineScale)
        let residualPenalty = 1 / (1 + residual / max(2, 0.02 * full.semiMajor))
        let confidence = HeadMeasurementConfidence(
            perimeterSupport: support, perimeterVisible: Double(border.visible) / Double(rays),
            residualRMSPixels: residual, ridgeContrast: ring.score,
            ringContrastRatio: ringRatio, score: support * residualPenalty,
            edgeRefitPerimeterChange: edgeChange)
        return .success(Found(ellipse: full, centreline: ridgeEllipse.scaled(by: refineScale),
                              confidence: confidence))
    }
}

/// The directions 2πk/n, k = 0…n−1, with their cosines and sines. The measurer walks the same
/// ``ringDirections`` around every candidate ring and the same ``borderRays`` around the chosen one;
/// reading them from a table gives the values libm gave on each call (3,000–6,000 calls per frame
/// otherwise).
struct UnitCircle {
    let angle: [Double]
    let cosine: [Double]
    let sine: [Double]

    private init(directions n: Int) {
        angle = (0..<n).map { 2 * Double.pi * Double($0) / Double(n) }
        cosine = angle.map { cos($0) }
        sine = angle.map { sin($0) }
    }

    /// The contour search's and ring score's samples around a candidate centre.
    static let ringDirections = UnitCircle(directions: 128)
    /// The rays of the outer border, the ring contrast, the edge refit and the support count.
    static let borderRays = UnitCircle(directions: 180)
}
