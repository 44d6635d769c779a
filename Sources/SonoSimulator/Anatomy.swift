import Foundation
import SonoCore

/// What the tissue at one point does to the ultrasound beam.
///
/// `powerDiffuse` is the mean backscattered power of the random scatterers (1 = typical soft
/// tissue); it becomes speckle. `coherentAmplitude` is the in-phase echo of a specular interface
/// (bone, fascia, falx) in the same amplitude units; it becomes a smooth bright line.
/// `attenuationDBPerMM` is the two-way loss per millimetre of travel through the point.
struct EchoSample {
    var powerDiffuse: Double
    var coherentAmplitude: Double
    var attenuationDBPerMM: Double
}

/// A thin bright curve inside the brain (ventricle wall, choroid plexus, insula, sulcus), in
/// head-local millimetres: u along the OFD axis, v along the BPD axis. Stored as a short polyline
/// sampled from a quadratic Bézier curve; the echo fades towards its ends.
struct BrainEcho: Sendable {
    var us: [Double]
    var vs: [Double]
    var halfThicknessMM: Double
    var amplitude: Double

    init(u0: Double, v0: Double, u1: Double, v1: Double, bulgeMM: Double = 0, halfThicknessMM: Double,
         amplitude: Double) {
        // Control point: the chord's midpoint pushed sideways by twice the bulge.
        let mu = 0.5 * (u0 + u1), mv = 0.5 * (v0 + v1)
        let du = u1 - u0, dv = v1 - v0
        let length = max((du * du + dv * dv).squareRoot(), 1e-9)
        let cu = mu - 2 * bulgeMM * dv / length, cv = mv + 2 * bulgeMM * du / length
        var us: [Double] = [], vs: [Double] = []
        for k in 0...6 {
            let t = Double(k) / 6
            let w0 = (1 - t) * (1 - t), w1 = 2 * t * (1 - t), w2 = t * t
            us.append(w0 * u0 + w1 * cu + w2 * u1)
            vs.append(w0 * v0 + w1 * cv + w2 * v1)
        }
        self.us = us
        self.vs = vs
        self.halfThicknessMM = halfThicknessMM
        self.amplitude = amplitude
    }

    /// Distance from (u, v) to the curve, and the position along it (0…1).
    @inline(__always)
    func distance(u: Double, v: Double) -> (distance: Double, along: Double) {
        var best = Double.infinity, along = 0.0
        for k in 0..<(us.count - 1) {
            let du = us[k + 1] - us[k], dv = vs[k + 1] - vs[k]
            let len2 = du * du + dv * dv
            var t = len2 > 0 ? ((u - us[k]) * du + (v - vs[k]) * dv) / len2 : 0
            t = min(1, max(0, t))
            let pu = us[k] + t * du - u, pv = vs[k] + t * dv - v
            let d2 = pu * pu + pv * pv
            if d2 < best { best = d2; along = (Double(k) + t) / Double(us.count - 1) }
        }
        return (best.squareRoot(), along)
    }

    /// Bounding box test margin: cheap rejection before the polyline distance.
    @inline(__always)
    func isNear(u: Double, v: Double) -> Bool {
        let m = halfThicknessMM
        return u >= (us.min() ?? 0) - m && u <= (us.max() ?? 0) + m && v >= (vs.min() ?? 0) - m && v <= (vs.max() ?? 0) + m
    }
}

/// The fetal head: skull ring, scalp and the transthalamic-plane landmarks.
///
/// Geometry is in the sector frame: millimetres, origin at the sector apex, x to the right,
/// y down (away from the probe). The ellipse (`semiMajorMM`, `semiMinorMM`) is the **outer**
/// border of the skull, the line on which HC is measured; the bone lies inside it.
struct FetalHeadModel: Sendable {
    var centreXMM: Double
    var centreYMM: Double
    /// OFD / 2.
    var semiMajorMM: Double
    /// BPD / 2.
    var semiMinorMM: Double
    /// Angle of the OFD axis from +x, turning towards +y (clockwise on screen).
    var orientationRad: Double
    var skullThicknessMM: Double
    var scalpThicknessMM: Double
    /// How far inside the outer ellipse the bone's outer surface lies. The ellipse is the border
    /// as an expert traces it on the displayed image: the echo of a bright surface spreads outwards
    /// by the PSF, and on HC18 the experts' ellipses sit where the displayed echo has fallen about
    /// 45 % of the way from its peak to the tissue outside, roughly one blurred pulse length beyond
    /// the reflecting surface.
    var boneInsetMM: Double
    /// +1 when the frontal pole (where the cavum septi pellucidi lies) is at +u.
    var frontSign: Double
    /// Peak specular amplitude of the bone (grows with ossification).
    var boneAmplitude: Double
    /// Arcs of the ring that the (oblique) plane misses: centre and half-width of the
    /// parametric angle t of the point (a·cos t, b·sin t), radians.
    var missingArcs: [(centre: Double, halfWidth: Double)]
    var showsCavum: Bool
    var echoes: [BrainEcho]
    var texture: ValueNoise

    /// Distance inside the outer border (negative outside), first-order approximation that is
    /// exact on the border and good within a few skull thicknesses of it; also the local outward
    /// normal in the sector frame and the head-local coordinates.
    @inline(__always)
    func locate(xMM: Double, yMM: Double) -> (inside: Double, nx: Double, ny: Double, u: Double, v: Double) {
        let c = cos(orientationRad), s = sin(orientationRad)
        let dx = xMM - centreXMM, dy = yMM - centreYMM
        let u = c * dx + s * dy
        let v = -s * dx + c * dy
        let a = semiMajorMM, b = semiMinorMM
        let rho = ((u / a) * (u / a) + (v / b) * (v / b)).squareRoot()
        if rho < 1e-9 { return (b, 0, 1, u, v) }
        let gu = u / (a * a) / rho, gv = v / (b * b) / rho
        let g = (gu * gu + gv * gv).squareRoot()
        let nu = gu / g, nv = gv / g
        return ((1 - rho) / g, c * nu - s * nv, s * nu + c * nv, u, v)
    }

    /// 1 where the ring is present, falling smoothly to 0.04 inside a missing arc.
    @inline(__always)
    func ringPresence(u: Double, v: Double) -> Double {
        if missingArcs.isEmpty { return 1 }
        let t = atan2(v / semiMinorMM, u / semiMajorMM)
        var presence = 1.0
        for arc in missingArcs {
            var d = abs(t - arc.centre).truncatingRemainder(dividingBy: 2 * .pi)
            if d > .pi { d = 2 * .pi - d }
            let edge = 0.12
            if d < arc.halfWidth - edge {
                presence = min(presence, 0.04)
            } else if d < arc.halfWidth + edge {
                let f = (d - (arc.halfWidth - edge)) / (2 * edge)
                presence = min(presence, 0.04 + 0.96 * f)
            }
        }
        return presence
    }

    /// Echo of the head at a point with `inside` ≥ −scalp, for a beam travelling along (bx, by).
    func sample(xMM: Double, yMM: Double, beamX bx: Double, beamY by: Double,
                located l: (inside: Double, nx: Double, ny: Double, u: Double, v: Double),
                frequencyMHz f: Double) -> EchoSample {
        let inside = l.inside - boneInsetMM
        let tex = texture.fractal(xMM: xMM, yMM: yMM, scaleMM: 5.0)
        if inside < 0 {
            // Scalp: ordinary soft tissue with a skin line on its outer face.
            let skin = l.inside < -scalpThicknessMM + 0.4 ? 1.6 : 0.0
            let cosI = abs(l.nx * bx + l.ny * by)
            return EchoSample(powerDiffuse: 0.8 * exp(0.4 * tex) + skin, coherentAmplitude: skin * cosI * cosI,
                              attenuationDBPerMM: 0.1 * f)
        }
        if inside <= skullThicknessMM {
            let presence = ringPresence(u: l.u, v: l.v)
            // Specular reflection: strong when the beam meets the bone face-on, weak on the
            // lateral walls where it grazes the surface.
            let cosI = abs(l.nx * bx + l.ny * by)
            let specular = 0.06 + 0.94 * pow(cosI, 3)
            // The outer table reflects most; the echo fades towards the inner surface.
            let depthFraction = inside / skullThicknessMM
            let profile = 1.0 - 0.3 * depthFraction
            return EchoSample(
                powerDiffuse: (0.3 + 3.0 * presence * specular) * exp(0.3 * tex),
                coherentAmplitude: boneAmplitude * presence * specular * profile,
                attenuationDBPerMM: 0.1 * f + 2.0 * presence)
        }
        // Brain: hypoechoic parenchyma, darker just inside the bone (subarachnoid space).
        let depthIn = inside - skullThicknessMM
        var power = 0.14 * exp(1.1 * tex)
        if depthIn < 1.8 { power *= 0.45 }
        var coherent = 0.0
        let u = l.u * frontSign, v = l.v
        let a = semiMajorMM, b = semiMinorMM
        let un = u / a, vn = v / b
        // Thalami: two hypoechoic ovals either side of the midline.
        let th1 = pow((un + 0.06) / 0.17, 2) + pow((vn - 0.13) / 0.105, 2)
        let th2 = pow((un + 0.06) / 0.17, 2) + pow((vn + 0.13) / 0.105, 2)
        if th1 < 1 || th2 < 1 { power = 0.035 * exp(0.4 * tex) }
        // Cavum septi pellucidi: a small fluid box on the midline, frontal third, with bright walls.
        let inCavumSpan = un > 0.22 && un < 0.37
        let cavumHalfWidthMM = max(0.9, 0.045 * b)
        if showsCavum && inCavumSpan && abs(v) < cavumHalfWidthMM + 0.5 {
            if abs(v) < cavumHalfWidthMM {
                power = 0.03
            } else {
                power = 0.9
                coherent = 0.9 * abs(cos(orientationRad) * by - sin(orientationRad) * bx)
            }
        } else if abs(v) < 0.4 && abs(un) < 0.9 && !(un > -0.24 && un < 0.12) {
            // Midline echo (falx, interhemispheric fissure), interrupted by the thalami.
            let cosI = abs(-sin(orientationRad) * bx + cos(orientationRad) * by)
            power = max(power, 0.8)
            coherent = max(coherent, 2.2 * (0.25 + 0.75 * cosI * cosI))
        }
        for echo in echoes where echo.isNear(u: u, v: v) {
            let (d, along) = echo.distance(u: u, v: v)
            if d < echo.halfThicknessMM {
                let fade = (1 - d / echo.halfThicknessMM) * (0.35 + 0.65 * sin(Double.pi * along))
                power = max(power, 1.2 * fade)
                coherent = max(coherent, echo.amplitude * fade)
            }
        }
        return EchoSample(powerDiffuse: power, coherentAmplitude: coherent, attenuationDBPerMM: 0.08 * f)
    }

    /// The standard transthalamic-plane echoes in head-local millimetres (frontal pole at +u),
    /// with a little seeded jitter so no two heads are identical.
    static func brainEchoes(semiMajorMM a: Double, semiMinorMM b: Double,
                            rng: inout Xoshiro256StarStar) -> [BrainEcho] {
        var out: [BrainEcho] = []
        func jitter() -> Double { rng.uniform(-0.04...0.04) }
        for side in [-1.0, 1.0] {
            // Choroid plexus / posterior horn of the lateral ventricle.
            out.append(BrainEcho(u0: (-0.28 + jitter()) * a, v0: side * (0.30 + jitter()) * b,
                                 u1: (-0.66 + jitter()) * a, v1: side * (0.40 + jitter()) * b,
                                 bulgeMM: side * 0.06 * b, halfThicknessMM: 0.7, amplitude: 1.8))
            // Insula / Sylvian fissure.
            out.append(BrainEcho(u0: (0.02 + jitter()) * a, v0: side * (0.56 + jitter()) * b,
                                 u1: (0.30 + jitter()) * a, v1: side * (0.50 + jitter()) * b,
                                 bulgeMM: -side * 0.05 * b, halfThicknessMM: 0.55, amplitude: 1.4))
            // Frontal horn wall.
            out.append(BrainEcho(u0: (0.42 + jitter()) * a, v0: side * (0.12 + jitter()) * b,
                                 u1: (0.62 + jitter()) * a, v1: side * (0.22 + jitter()) * b,
                                 bulgeMM: side * 0.03 * b, halfThicknessMM: 0.4, amplitude: 0.8))
        }
        // A few short incidental echoes (vessels, sulci).
        for _ in 0..<2 {
            let u0 = rng.uniform(-0.6...0.6) * a, v0 = rng.uniform(-0.6...0.6) * b
            let length = rng.uniform(0.06...0.14) * a
            let angle = rng.uniform(-0.3...0.3)
            out.append(BrainEcho(u0: u0, v0: v0, u1: u0 + length * cos(angle), v1: v0 + length * sin(angle),
                                 bulgeMM: rng.uniform(-0.1...0.1) * length, halfThicknessMM: 0.3, amplitude: rng.uniform(0.3...0.6)))
        }
        return out
    }
}

/// The whole insonified scene: maternal abdominal wall, uterus, amniotic fluid, fetal body and head.
struct SceneModel: Sendable {
    var probeRadiusMM: Double
    var frequencyMHz: Double
    /// Skin to the inner surface of the uterine wall.
    var maternalWallMM: Double
    /// Typical width of the fluid around the head.
    var fluidMM: Double
    var head: FetalHeadModel
    var texture: ValueNoise
    var layerNoise: ValueNoise

    /// Echo at a point of the sector frame (r = distance from the apex, > 0).
    func sample(xMM x: Double, yMM y: Double, rMM r: Double) -> EchoSample {
        let f = frequencyMHz
        let bx = x / r, by = y / r
        let undulation = 5 * layerNoise.value(x / 35, 0.5) + 2 * layerNoise.value(x / 12, 7.5)
        let depth = r - probeRadiusMM + undulation
        let tex = texture.fractal(xMM: x, yMM: y, scaleMM: 4.0)
        let wall = maternalWallMM
        if depth < wall {
            if depth < 1.2 {
                return EchoSample(powerDiffuse: 2.2, coherentAmplitude: 1.5, attenuationDBPerMM: 0.1 * f)
            }
            let fatEnd = 0.32 * wall, muscleEnd = 0.68 * wall
            if abs(depth - fatEnd) < 0.6 || abs(depth - muscleEnd) < 0.5 || abs(depth - wall) < 0.7 {
                // Fascia and serosa: specular interfaces roughly parallel to the skin.
                return EchoSample(powerDiffuse: 1.1, coherentAmplitude: 0.6 * (0.4 + 0.6 * by * by),
                                  attenuationDBPerMM: 0.1 * f)
            }
            if depth < fatEnd {
                let septum = texture.fractal(xMM: x, yMM: depth, scaleMM: 1.6, stretchX: 5)
                let p = septum > 0.45 ? 1.6 : 0.22 * exp(0.5 * tex)
                return EchoSample(powerDiffuse: p, coherentAmplitude: 0, attenuationDBPerMM: 0.09 * f)
            }
            if depth < muscleEnd {
                let fibre = texture.fractal(xMM: x, yMM: depth, scaleMM: 0.9, stretchX: 8)
                return EchoSample(powerDiffuse: 0.7 * exp(1.1 * fibre + 0.5 * tex), coherentAmplitude: 0,
                                  attenuationDBPerMM: 0.11 * f)
            }
            return EchoSample(powerDiffuse: 0.55 * exp(0.5 * tex), coherentAmplitude: 0,
                              attenuationDBPerMM: 0.1 * f)
        }
        let l = head.locate(xMM: x, yMM: y)
        if l.inside > -head.scalpThicknessMM {
            return head.sample(xMM: x, yMM: y, beamX: bx, beamY: by, located: l, frequencyMHz: f)
        }
        // Amniotic fluid: a halo of varying width around the head and a layer under the uterine
        // wall; everything else is fetal body, limbs or placenta.
        let outside = -l.inside - head.scalpThicknessMM
        let blob = texture.fractal(xMM: x + 311, yMM: y - 173, scaleMM: 18)
        let halo = fluidMM * (1 + 0.9 * blob)
        let subWall = fluidMM * 0.35 * (1 + blob) - (depth - wall)
        if outside < halo || subWall > 0 {
            return EchoSample(powerDiffuse: 0.0015, coherentAmplitude: 0, attenuationDBPerMM: 0.0015 * f)
        }
        let body = texture.fractal(xMM: x - 97, yMM: y + 53, scaleMM: 7)
        let bright = body > 0.5 ? 2.5 : 0
        return EchoSample(powerDiffuse: 0.45 * exp(1.4 * body + 0.5 * tex) + bright, coherentAmplitude: 0,
                          attenuationDBPerMM: 0.1 * f)
    }
}
