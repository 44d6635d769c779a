public import SonoCore

/// Bright-band (ridge) detector from the Hessian of a smoothed float image, over several scales.
///
/// Per pixel of the image smoothed at scale σ, the 3×3 finite-difference Hessian
/// `Ixx = I(x+1) − 2I + I(x−1)`, `Iyy` likewise, `Ixy = (I(+1,+1) − I(−1,+1) − I(+1,−1) + I(−1,−1)) / 4`
/// gives its most negative eigenvalue λ; `−λ·σ²` (scale-normalised) is large on a bright band of
/// width ~σ. Its eigenvector is the band's normal (of the two algebraic forms of the eigenvector
/// the longer one, since the other vanishes on axis-aligned bands). The bright side of a step
/// edge also has a negative λ, so the response is multiplied by how symmetric the drop is at
/// ±2σ along the normal: `max(0, min(da, db)) / max(da, db, 10⁻³)` with `da`, `db` the
/// differences between the pixel and the two samples there (nearest pixel, clamped into the image).
///
/// The map keeps, per pixel, the largest response over the scales and the normal at that scale.
///
/// Borders, explicitly: the outermost rows and columns have no response (strength 0, normal
/// (0, 1)). A 3×3 Hessian there would need samples outside the image, and any padding rule makes
/// the edge look like a band or a trough that is not in the data (reflect-101 turns every edge
/// pixel brighter than its inner neighbour into a ridge). Pixels whose response is not positive,
/// or whose eigenvector is degenerate (flat image) or overflows (inputs near `Float.greatestFiniteMagnitude`),
/// likewise keep strength 0 and normal (0, 1).
///
/// The vector path (`Kernels.ridgeScale`, compiled per ``CPULevel``) evaluates the same
/// expressions in the same order and is bit-identical to ``referenceAccumulate(_:normalization:reach:into:)``.
/// Pure functions; safe to call from any thread.
public enum HessianRidge {
    /// Strength and unit normal per pixel; all three images have the input's size.
    public struct Map: Sendable, Equatable {
        public var strength: FloatImage
        public var normalX: FloatImage
        public var normalY: FloatImage

        /// No response anywhere: strength 0, normal (0, 1).
        package init(width: Int, height: Int) {
            strength = FloatImage(width: width, height: height, repeating: 0)
            normalX = FloatImage(width: width, height: height, repeating: 0)
            normalY = FloatImage(width: width, height: height, repeating: 1)
        }
    }

    /// Bright bands of `image` at every σ in `sigmas`: Gaussian blur at σ (``GaussianBlur``),
    /// then ``accumulate(_:normalization:reach:into:backend:)`` with normalisation σ² and reach 2σ.
    public static func brightBands(_ image: FloatImage, sigmas: [Double], backend: FilterBackend = .default) -> Map {
        var map = Map(width: image.width, height: image.height)
        for sigma in sigmas {
            let smoothed = GaussianBlur.apply(image, sigma: sigma, backend: backend)
            accumulate(smoothed, normalization: Float(sigma * sigma), reach: Float(2 * sigma), into: &map, backend: backend)
        }
        return map
    }

    /// One scale: where `smoothed`'s response (`−λ · normalization` times the symmetry at
    /// ±`reach` pixels) exceeds `map`'s strength, replaces strength and normal.
    /// `map` must have `smoothed`'s size.
    package static func accumulate(_ smoothed: FloatImage, normalization: Float, reach: Float, into map: inout Map,
                                  backend: FilterBackend = .default) {
        precondition(reach.isFinite, "ridge reach \(reach) is not finite")
        precondition(map.strength.width == smoothed.width && map.strength.height == smoothed.height,
                     "ridge map \(map.strength.width)x\(map.strength.height) does not match image \(smoothed.width)x\(smoothed.height)")
        switch backend {
        case .scalar: referenceAccumulate(smoothed, normalization: normalization, reach: reach, into: &map)
        case .vector: vectorizedAccumulate(smoothed, normalization: normalization, reach: reach, into: &map)
        }
    }

    /// The pixel nearest to coordinate `p`, clamped into `0..<count` (clamped as a float first,
    /// so a far-off coordinate cannot overflow `Int`).
    @inline(__always)
    static func nearestPixel(_ p: Float, _ count: Int) -> Int {
        min(max(Int(min(max(p, -1), Float(count)).rounded()), 0), count - 1)
    }

    /// Scalar specification of one scale.
    package static func referenceAccumulate(_ image: FloatImage, normalization norm: Float, reach: Float, into map: inout Map) {
        let w = image.width, h = image.height
        guard w >= 3, h >= 3 else { return }
        let v = image.samples
        for y in 1..<(h - 1) {
            for x in 1..<(w - 1) {
                let i = y * w + x
                let ixx = v[i + 1] - 2 * v[i] + v[i - 1]
                let iyy = v[i + w] - 2 * v[i] + v[i - w]
                let ixy = (v[i + w + 1] - v[i + w - 1] - v[i - w + 1] + v[i - w - 1]) * 0.25
                let half = (ixx - iyy) * 0.5
                let root = (half * half + ixy * ixy).squareRoot()
                let lambdaMin = (ixx + iyy) * 0.5 - root
                var s = -lambdaMin * norm
                // Symmetry is at most 1, so a response already below the map's cannot win.
                guard s > map.strength.samples[i] else { continue }
                let ex1 = ixy, ey1 = lambdaMin - ixx
                let ex2 = lambdaMin - iyy, ey2 = ixy
                let n1 = ex1 * ex1 + ey1 * ey1, n2 = ex2 * ex2 + ey2 * ey2
                let (ex, ey, nn) = n1 >= n2 ? (ex1, ey1, n1) : (ex2, ey2, n2)
                guard nn > 1e-12, nn < .infinity else { continue }
                let inv = 1 / nn.squareRoot()
                let cx = ex * inv, cy = ey * inv
                let ax = nearestPixel(Float(x) + reach * cx, w), ay = nearestPixel(Float(y) + reach * cy, h)
                let bx = nearestPixel(Float(x) - reach * cx, w), by = nearestPixel(Float(y) - reach * cy, h)
                let da = v[i] - v[ay * w + ax], db = v[i] - v[by * w + bx]
                let symmetry = max(0, min(da, db)) / max(da, db, 1e-3)
                // + 0 turns a -0 response into +0: lowerings of min/max may differ in the sign of a zero,
                // which would otherwise show where a caller seeds the map with negative strengths.
                s = s * symmetry + 0
                if s > map.strength.samples[i] {
                    map.strength[x, y] = s
                    map.normalX[x, y] = cx
                    map.normalY[x, y] = cy
                }
            }
        }
    }
}
