import Foundation
import SonoCore

/// Anything that can say how tissue echoes at a point of the sector frame (mm, apex at origin).
protocol EchoField: Sendable {
    func sample(xMM: Double, yMM: Double, rMM: Double) -> EchoSample
}

extension SceneModel: EchoField {}

/// Where the sector lies in the image: apex position, pixel size, probe radius, opening angle and
/// imaging depth. Pixel centres are at integer coordinates (pixel (0, 0) is centred on (0, 0)).
package struct SectorGeometry: Sendable, Hashable, Codable {
    package var apexXPixel: Double
    package var apexYPixel: Double
    package var spacingMMPerPixel: Double
    /// Radius of the probe face: the sector starts this far from the apex.
    package var probeRadiusMM: Double
    package var halfAngleDeg: Double
    /// Imaging depth below the probe face.
    package var depthMM: Double

    enum CodingKeys: String, CodingKey {
        case apexXPixel = "apex_x_px", apexYPixel = "apex_y_px", spacingMMPerPixel = "spacing_mm_per_px"
        case probeRadiusMM = "probe_radius_mm", halfAngleDeg = "half_angle_deg", depthMM = "depth_mm"
    }

    /// Sector-frame millimetres of a pixel position.
    @inline(__always)
    func millimetres(x: Double, y: Double) -> (x: Double, y: Double) {
        ((x - apexXPixel) * spacingMMPerPixel, (y - apexYPixel) * spacingMMPerPixel)
    }

    /// Pixel position of sector-frame millimetres.
    @inline(__always)
    func pixels(xMM: Double, yMM: Double) -> (x: Double, y: Double) {
        (xMM / spacingMMPerPixel + apexXPixel, yMM / spacingMMPerPixel + apexYPixel)
    }

    /// True when the pixel position lies in the field of view.
    func contains(x: Double, y: Double) -> Bool {
        let p = millimetres(x: x, y: y)
        let r = (p.x * p.x + p.y * p.y).squareRoot()
        guard r >= probeRadiusMM, r <= probeRadiusMM + depthMM, p.y > 0 else { return false }
        return abs(atan2(p.x, p.y)) <= halfAngleDeg * .pi / 180
    }
}

/// The transducer's point-spread function: a Gaussian pulse envelope axially and a Gaussian beam
/// laterally whose width grows away from the transmit focus (a Gaussian-beam waist).
struct PointSpread: Sendable {
    var axialSigmaMM: Double
    var lateralSigmaAtFocusMM: Double
    var focusRadiusMM: Double
    var rayleighRangeMM: Double

    /// Physical PSF of a curvilinear abdominal probe: two-cycle pulse, f-number from a 22 mm
    /// aperture, and `blurFactor` for a defocused beam (the out-of-focus defect).
    init(frequencyMHz f: Double, focusRadiusMM: Double, focusDepthMM: Double, blurFactor: Double = 1) {
        let wavelengthMM = 1.54 / f
        let fNumber = max(2.0, focusDepthMM / 22)
        axialSigmaMM = wavelengthMM / 2.355 * blurFactor.squareRoot()
        lateralSigmaAtFocusMM = wavelengthMM * fNumber / 2.355 * blurFactor
        self.focusRadiusMM = focusRadiusMM
        rayleighRangeMM = 7 * wavelengthMM * fNumber * fNumber
    }

    init(axialSigmaMM: Double, lateralSigmaMM: Double) {
        self.axialSigmaMM = axialSigmaMM
        lateralSigmaAtFocusMM = lateralSigmaMM
        focusRadiusMM = 0
        rayleighRangeMM = .infinity
    }

    func lateralSigmaMM(atRadius r: Double) -> Double {
        let z = (r - focusRadiusMM) / rayleighRangeMM
        return lateralSigmaAtFocusMM * (1 + z * z).squareRoot()
    }
}

/// A polar sampling grid: rows are depths (radius from the apex), columns are beam lines.
struct PolarGrid: Sendable {
    var r0MM: Double
    var drMM: Double
    var rows: Int
    var theta0Rad: Double
    var dThetaRad: Double
    var columns: Int
}

/// Normalised Gaussian taps with unit energy (Σh² = 1), so fully developed speckle keeps its
/// mean power whatever the PSF width; also returns Σh, the gain for a coherent (in-phase) echo.
func gaussianTaps(sigmaSamples: Double) -> (taps: [Float], sum: Double) {
    let sigma = max(sigmaSamples, 0.3)
    let half = Int((3 * sigma).rounded(.up))
    var taps = [Double](repeating: 0, count: 2 * half + 1)
    for k in -half...half { taps[k + half] = exp(-0.5 * Double(k * k) / (sigma * sigma)) }
    let energy = taps.reduce(0) { $0 + $1 * $1 }.squareRoot()
    let normalised = taps.map { $0 / energy }
    return (normalised.map { Float($0) }, normalised.reduce(0, +))
}

/// Physics-flavoured B-mode formation on a polar grid.
///
/// Per beam line, from the probe face down: complex Gaussian scatterers whose power is the local
/// echogenicity, attenuated by everything above them (two-way), plus receiver noise; convolution
/// with the depth-dependent PSF (axial pulse, lateral beam); envelope detection; time-gain
/// compensation of the nominal soft-tissue loss; log compression to the display range. The polar
/// image is then scan-converted to the Cartesian frame. All work for one image runs serially on
/// the calling thread, which is what keeps the output independent of the thread count.
struct BModeImager {
    var geometry: SectorGeometry
    var width: Int
    var height: Int
    var psf: PointSpread
    var frequencyMHz: Double
    var gainDB: Double
    var dynamicRangeDB: Double
    /// Fraction of the nominal 0.5 dB/cm/MHz loss the TGC curve restores.
    var tgcCompensation: Double = 0.93
    /// Receiver noise power referred to the probe face (1 = power of typical tissue at the skin).
    var noisePower: Double = 2e-7
    /// Display level of 0 dB (echogenicity-1 tissue, fully compensated), fraction of full scale.
    var tissueLevel: Double = 0.38
    /// Width of the scanner's speckle-reduction smoothing of the log image, in speckle cells
    /// (1.6 axial and 0.6 lateral PSF sigmas per unit, which evens out the lateral streaks of
    /// scan conversion); 0 disables it. Clinical exports are smoothed: HC18 frames have a block
    /// mean/std of about 8 in homogeneous tissue, raw log-compressed speckle about 3.
    var speckleReduction: Double = 1.0

    /// The polar grid covering the image's part of the sector, sampled finely enough to resolve
    /// the PSF axially and laterally.
    func grid() -> PolarGrid {
        let g = geometry
        let corners = [(0.0, 0.0), (Double(width - 1), 0.0), (0.0, Double(height - 1)),
                       (Double(width - 1), Double(height - 1))].map { g.millimetres(x: $0.0, y: $0.1) }
        let rFar = corners.map { ($0.x * $0.x + $0.y * $0.y).squareRoot() }.max() ?? 0
        let topY = corners[0].y
        let nearestX = min(max(0, corners[0].x), corners[1].x)
        let rNear = topY > 0 ? (nearestX * nearestX + topY * topY).squareRoot() : 0
        let r0 = max(g.probeRadiusMM, rNear - 1)
        let r1 = min(g.probeRadiusMM + g.depthMM, rFar + 1)
        let half = g.halfAngleDeg * .pi / 180
        var thetaMin = -half, thetaMax = half
        if topY > 0 {
            // Only the lines that cross the image matter.
            let angles = corners.map { atan2($0.x, $0.y) }
            thetaMin = max(-half, (angles.min() ?? -half) - 0.01)
            thetaMax = min(half, (angles.max() ?? half) + 0.01)
        }
        let dr = min(0.8 * g.spacingMMPerPixel, psf.axialSigmaMM)
        let rMid = 0.5 * (r0 + r1)
        let lateralStep = min(psf.lateralSigmaAtFocusMM / 1.6, 1.2 * g.spacingMMPerPixel)
        let dTheta = lateralStep / max(rMid, 1)
        let rows = max(2, Int(((r1 - r0) / dr).rounded(.up)) + 1)
        let columns = max(2, Int(((thetaMax - thetaMin) / dTheta).rounded(.up)) + 1)
        return PolarGrid(r0MM: r0, drMM: dr, rows: rows, theta0Rad: thetaMin, dThetaRad: dTheta, columns: columns)
    }

    /// Complex echo signal after PSF convolution (before TGC), row-major on `grid`.
    static func echoSignal<F: EchoField>(field: F, grid: PolarGrid, psf: PointSpread, probeRadiusMM: Double,
                                         noisePower: Double, seed: UInt64) -> (re: [Float], im: [Float]) {
        let rows = grid.rows, cols = grid.columns
        var rng = Xoshiro256StarStar(seed: seed)
        var re = [Float](repeating: 0, count: rows * cols)
        var im = [Float](repeating: 0, count: rows * cols)
        let (axialTaps, axialSum) = gaussianTaps(sigmaSamples: psf.axialSigmaMM / grid.drMM)
        var lateralTaps: [[Float]] = []
        var coherentScale = [Double](repeating: 1, count: rows)
        lateralTaps.reserveCapacity(rows)
        for ir in 0..<rows {
            let r = grid.r0MM + Double(ir) * grid.drMM
            let sigma = psf.lateralSigmaMM(atRadius: r) / (max(r, 1) * grid.dThetaRad)
            let (taps, sum) = gaussianTaps(sigmaSamples: sigma)
            lateralTaps.append(taps)
            // A uniform in-phase reflector then comes out with its own amplitude.
            coherentScale[ir] = 1 / (axialSum * sum)
        }
        // Two-way loss accumulated from the probe face to the top of the grid, per beam line.
        var lossDB = [Double](repeating: 0, count: cols)
        let sines = (0..<cols).map { sin(grid.theta0Rad + Double($0) * grid.dThetaRad) }
        let cosines = (0..<cols).map { cos(grid.theta0Rad + Double($0) * grid.dThetaRad) }
        if grid.r0MM > probeRadiusMM {
            let step = 0.5
            var r = probeRadiusMM + step / 2
            while r < grid.r0MM {
                for c in 0..<cols {
                    lossDB[c] += field.sample(xMM: r * sines[c], yMM: r * cosines[c], rMM: r).attenuationDBPerMM * step
                }
                r += step
            }
        }
        let dbToNeper = log(10.0) / 20
        for ir in 0..<rows {
            let r = grid.r0MM + Double(ir) * grid.drMM
            let base = ir * cols
            for c in 0..<cols {
                let e = field.sample(xMM: r * sines[c], yMM: r * cosines[c], rMM: r)
                let transmitted = exp(-lossDB[c] * dbToNeper)
                lossDB[c] += e.attenuationDBPerMM * grid.drMM
                let sd = (0.5 * (e.powerDiffuse * transmitted * transmitted + noisePower)).squareRoot()
                let g1 = rng.gaussian(), g2 = rng.gaussian()
                re[base + c] = Float(sd * g1 + e.coherentAmplitude * transmitted * coherentScale[ir])
                im[base + c] = Float(sd * g2)
            }
        }
        convolveAxially(&re, rows: rows, cols: cols, taps: axialTaps)
        convolveAxially(&im, rows: rows, cols: cols, taps: axialTaps)
        convolveLaterally(&re, rows: rows, cols: cols, taps: lateralTaps)
        convolveLaterally(&im, rows: rows, cols: cols, taps: lateralTaps)
        return (re, im)
    }

    static func convolveAxially(_ data: inout [Float], rows: Int, cols: Int, taps: [Float]) {
        let half = taps.count / 2
        var out = [Float](repeating: 0, count: data.count)
        data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for ir in 0..<rows {
                    let kLo = max(0, half - ir), kHi = min(taps.count - 1, half + rows - 1 - ir)
                    if kLo > kHi { continue }
                    let o = dst.baseAddress! + ir * cols
                    for k in kLo...kHi {
                        let w = taps[k]
                        let s = src.baseAddress! + (ir + k - half) * cols
                        for c in 0..<cols { o[c] += w * s[c] }
                    }
                }
            }
        }
        data = out
    }

    static func convolveLaterally(_ data: inout [Float], rows: Int, cols: Int, taps: [[Float]]) {
        var row = [Float](repeating: 0, count: cols)
        data.withUnsafeMutableBufferPointer { buf in
            row.withUnsafeMutableBufferPointer { tmp in
                for ir in 0..<rows {
                    let line = buf.baseAddress! + ir * cols
                    let t = taps[ir]
                    let half = t.count / 2
                    for c in 0..<cols { tmp[c] = 0 }
                    for k in 0..<t.count {
                        let w = t[k]
                        let shift = k - half
                        let cLo = max(0, -shift), cHi = min(cols, cols - shift)
                        if cLo >= cHi { continue }
                        for c in cLo..<cHi { tmp[c] += w * line[c + shift] }
                    }
                    for c in 0..<cols { line[c] = tmp[c] }
                }
            }
        }
    }

    /// Renders `field` to an 8-bit image; pixels outside the sector are 0.
    func render<F: EchoField>(field: F, seed: UInt64) -> GrayImageResult {
        let grid = grid()
        let (re, im) = Self.echoSignal(field: field, grid: grid, psf: psf, probeRadiusMM: geometry.probeRadiusMM,
                                       noisePower: noisePower, seed: seed)
        // Envelope, TGC and log compression on the polar grid.
        var display = [Float](repeating: 0, count: grid.rows * grid.columns)
        let nominalLossDBPerMM = 0.1 * frequencyMHz * tgcCompensation
        for ir in 0..<grid.rows {
            let r = grid.r0MM + Double(ir) * grid.drMM
            let tgcDB = nominalLossDBPerMM * (r - geometry.probeRadiusMM)
            let offset = Float(tgcDB + gainDB)
            let scale = Float(255 / dynamicRangeDB)
            let level = Float(255 * tissueLevel)
            let base = ir * grid.columns
            for c in 0..<grid.columns {
                let p = re[base + c] * re[base + c] + im[base + c] * im[base + c]
                let db = 10 * log10(max(p, 1e-20)) + offset
                display[base + c] = db * scale + level
            }
        }
        if speckleReduction > 0 {
            smoothDisplay(&display, grid: grid)
        }
        return scanConvert(display, grid: grid)
    }

    /// Post-detection smoothing over about one speckle cell (axial and lateral), the way a
    /// scanner's speckle-reduction filter evens out the grain without moving edges much.
    func smoothDisplay(_ display: inout [Float], grid: PolarGrid) {
        func smoothingTaps(_ sigma: Double) -> [Float] {
            let sigma = max(sigma, 0.3)
            let half = Int((2.5 * sigma).rounded(.up))
            let raw = (-half...half).map { exp(-0.5 * Double($0 * $0) / (sigma * sigma)) }
            let total = raw.reduce(0, +)
            return raw.map { Float($0 / total) }
        }
        let axial = smoothingTaps(1.6 * speckleReduction * psf.axialSigmaMM / grid.drMM)
        var lateral: [[Float]] = []
        lateral.reserveCapacity(grid.rows)
        for ir in 0..<grid.rows {
            let r = grid.r0MM + Double(ir) * grid.drMM
            lateral.append(smoothingTaps(0.6 * speckleReduction * psf.lateralSigmaMM(atRadius: r) / (max(r, 1) * grid.dThetaRad)))
        }
        // Edge rows and columns lose weight at the border; renormalise by smoothing a field of ones.
        var ones = [Float](repeating: 1, count: display.count)
        Self.convolveAxially(&display, rows: grid.rows, cols: grid.columns, taps: axial)
        Self.convolveLaterally(&display, rows: grid.rows, cols: grid.columns, taps: lateral)
        Self.convolveAxially(&ones, rows: grid.rows, cols: grid.columns, taps: axial)
        Self.convolveLaterally(&ones, rows: grid.rows, cols: grid.columns, taps: lateral)
        for i in display.indices { display[i] /= max(ones[i], 1e-3) }
    }

    /// Bilinear scan conversion of the polar display image onto the pixel grid.
    func scanConvert(_ display: [Float], grid: PolarGrid) -> GrayImageResult {
        let g = geometry
        let half = g.halfAngleDeg * .pi / 180
        let rMin = g.probeRadiusMM, rMax = g.probeRadiusMM + g.depthMM
        var fovPixels = 0
        var pixels = [UInt8](repeating: 0, count: width * height)
        var inside = [Bool](repeating: false, count: width * height)
        for y in 0..<height {
            let yMM = (Double(y) - g.apexYPixel) * g.spacingMMPerPixel
            if yMM <= 0 { continue }
            for x in 0..<width {
                let xMM = (Double(x) - g.apexXPixel) * g.spacingMMPerPixel
                let r = (xMM * xMM + yMM * yMM).squareRoot()
                if r < rMin || r > rMax { continue }
                let theta = atan2(xMM, yMM)
                if abs(theta) > half { continue }
                let fr = (r - grid.r0MM) / grid.drMM
                let ft = (theta - grid.theta0Rad) / grid.dThetaRad
                let ir = min(max(Int(fr.rounded(.down)), 0), grid.rows - 2)
                let it = min(max(Int(ft.rounded(.down)), 0), grid.columns - 2)
                let wr = Float(min(max(fr - Double(ir), 0), 1)), wt = Float(min(max(ft - Double(it), 0), 1))
                let i00 = ir * grid.columns + it
                let v0 = display[i00] + (display[i00 + 1] - display[i00]) * wt
                let v1 = display[i00 + grid.columns] + (display[i00 + grid.columns + 1] - display[i00 + grid.columns]) * wt
                let v = v0 + (v1 - v0) * wr
                pixels[y * width + x] = UInt8(min(max(v.rounded(), 0), 255))
                inside[y * width + x] = true
                fovPixels += 1
            }
        }
        return GrayImageResult(image: GrayImage(width: width, height: height, samples: pixels), fieldOfView: inside,
                               fieldOfViewPixels: fovPixels)
    }
}

/// A rendered frame and its field-of-view mask (true inside the sector).
struct GrayImageResult: Sendable {
    var image: GrayImage
    var fieldOfView: [Bool]
    var fieldOfViewPixels: Int
}
