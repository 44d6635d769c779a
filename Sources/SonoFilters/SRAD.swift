public import SonoCore

/// Speckle-reducing anisotropic diffusion (Yu & Acton, "Speckle reducing anisotropic
/// diffusion", IEEE Trans. Image Processing 11(11), 2002) on float images.
///
/// Each iteration, with `I` the current image, `h = 1` and the four one-sided differences
/// `dN, dS, dW, dE` (neighbour minus centre):
///
///     G² = (dN² + dS² + dW² + dE²) / I²          L = (dN + dS + dW + dE) / I
///     q² = (½G² − L²/16) / (1 + L/4)²                                   (eq. 40, discrete)
///     c  = 1 / (1 + (q² − q0²) / (q0² (1 + q0²)))   clamped to [0, 1]   (eq. 33)
///     I ← I + (Δt/4) · (c(i+1,j)·dS + c(i,j)·dN + c(i,j+1)·dE + c(i,j)·dW)   (eq. 58)
///
/// **q0 estimate.** The paper takes the speckle scale `q0(t)` from the coefficient of
/// variation of a homogeneous region. SonoQC has no operator to pick that region, so each
/// iteration estimates it automatically (``speckleScaleSquared(_:)``): the image is cut into
/// 16×16 tiles (the whole image if it is smaller), the squared coefficient of variation
/// `var/mean²` of every tile with a positive mean is computed, and `q0²` is the lower median
/// of those values, floored at 10⁻⁶. The median picks a typical tissue tile: tiles on edges
/// (high CV) and near-black background tiles sit in the tails. If no tile has a positive mean
/// the iteration has nothing to diffuse and the remaining iterations are skipped.
///
/// **Guards.** Intensities are assumed non-negative; in `G²` and `L` the centre is taken as
/// `max(I, 10⁻⁶)` so black pixels give a large `q²` (no diffusion into them) instead of NaN.
/// **Border:** zero flux (differences across the image border are 0), the Neumann condition
/// of the diffusion equation, not reflect-101. **Stability:** the explicit scheme is stable
/// for `timeStep ≤ 1` (the four coefficients are ≤ 1 and weighted by Δt/4); typical values
/// are 0.05–0.25. Non-positive `iterations` return the image unchanged.
public enum SRAD {
    static let tileSize = 16
    static let minimumIntensity: Float = 1e-6
    static let minimumScaleSquared: Double = 1e-6

    public static func apply(_ image: FloatImage, iterations: Int, timeStep: Float,
                             backend: FilterBackend = .default) -> FloatImage {
        switch backend {
        case .scalar: return reference(image, iterations: iterations, timeStep: timeStep)
        case .vector: return vectorized(image, iterations: iterations, timeStep: timeStep)
        }
    }

    /// The `q0²` estimate described in the type documentation, or nil when no tile has a
    /// positive mean.
    public static func speckleScaleSquared(_ image: FloatImage) -> Double? {
        guard !image.isEmpty else { return nil }
        let w = image.width, h = image.height
        let tw = min(tileSize, w), th = min(tileSize, h)
        var values: [Double] = []
        values.reserveCapacity((w / tw) * (h / th))
        image.withUnsafeSamples { s in
            var ty = 0
            while ty + th <= h {
                var tx = 0
                while tx + tw <= w {
                    var sum = 0.0, sumSquares = 0.0
                    for y in ty..<(ty + th) {
                        for x in tx..<(tx + tw) {
                            let v = Double(s[y * w + x])
                            sum += v
                            sumSquares += v * v
                        }
                    }
                    let n = Double(tw * th)
                    let mean = sum / n
                    if mean > 0 {
                        let variance = max(sumSquares / n - mean * mean, 0)
                        values.append(variance / (mean * mean))
                    }
                    tx += tw
                }
                ty += th
            }
        }
        guard !values.isEmpty else { return nil }
        values.sort()
        return max(values[(values.count - 1) / 2], minimumScaleSquared)
    }

    /// The diffusion coefficient for one pixel (shared by both implementations' documentation;
    /// the vector path inlines the same arithmetic).
    @inline(__always)
    static func coefficient(center: Float, dN: Float, dS: Float, dW: Float, dE: Float,
                            q0Squared: Float) -> Float {
        let j = max(center, minimumIntensity)
        let inverse = 1 / j
        let g2 = (dN * dN + dS * dS + dW * dW + dE * dE) * (inverse * inverse)
        let l = (dN + dS + dW + dE) * inverse
        let numerator = 0.5 * g2 - 0.0625 * (l * l)
        let denominator = 1 + 0.25 * l
        let qSquared = numerator / (denominator * denominator)
        let c = 1 / (1 + (qSquared - q0Squared) / (q0Squared * (1 + q0Squared)))
        // `!(c > 0)` also maps NaN (from L = −4) to 0: no diffusion at a degenerate pixel.
        return !(c > 0) ? 0 : min(c, 1)
    }

    /// Scalar specification: two full passes per iteration (coefficients, then update).
    package static func reference(_ image: FloatImage, iterations: Int, timeStep: Float) -> FloatImage {
        guard iterations > 0, !image.isEmpty else { return image }
        let w = image.width, h = image.height
        var current = image
        var c = [Float](repeating: 0, count: w * h)
        for _ in 0..<iterations {
            guard let q0Squared = speckleScaleSquared(current) else { break }
            let q0 = Float(q0Squared)
            let j = current.samples
            func at(_ x: Int, _ y: Int) -> Float { j[Border.replicate(y, h) * w + Border.replicate(x, w)] }
            for y in 0..<h {
                for x in 0..<w {
                    let v = j[y * w + x]
                    c[y * w + x] = coefficient(
                        center: v, dN: at(x, y - 1) - v, dS: at(x, y + 1) - v,
                        dW: at(x - 1, y) - v, dE: at(x + 1, y) - v, q0Squared: q0)
                }
            }
            var next = [Float](repeating: 0, count: w * h)
            for y in 0..<h {
                for x in 0..<w {
                    let v = j[y * w + x]
                    let cHere = c[y * w + x]
                    let cSouth = c[Border.replicate(y + 1, h) * w + x]
                    let cEast = c[y * w + Border.replicate(x + 1, w)]
                    let divergence = cSouth * (at(x, y + 1) - v) + cHere * (at(x, y - 1) - v)
                        + cEast * (at(x + 1, y) - v) + cHere * (at(x - 1, y) - v)
                    next[y * w + x] = v + 0.25 * timeStep * divergence
                }
            }
            current = FloatImage(width: w, height: h, samples: next)
        }
        return current
    }
}
