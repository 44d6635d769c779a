public import SonoCore

/// Lee's local-statistics speckle filter (J.-S. Lee, "Digital image enhancement and noise
/// filtering by use of local statistics", IEEE PAMI 2(2), 1980), multiplicative-noise form.
///
/// For each pixel, with local mean `m` and variance `v` over the (2r+1)² window (reflect-101
/// borders): `Ci² = v / m²`, `k = clamp(1 − Cu² / Ci², 0, 1)` and `out = m + k (I − m)`.
/// `Cu²`, the squared coefficient of variation of pure speckle, is estimated once from the
/// input exactly like SRAD's `q0²` (``SRAD/speckleScaleSquared(_:)``), unless the caller passes
/// it. Where `m ≤ 0` or `Ci² = 0` the output is the local mean. If no estimate is possible
/// (no tile with a positive mean) the image is returned unchanged; so is a radius ≤ 0. Radii
/// above ``BoxFilter/maximumRadius`` are clamped to it.
public enum LeeFilter {
    public static func apply(_ image: FloatImage, radius: Int, speckleScaleSquared: Double? = nil,
                             backend: FilterBackend = .default) -> FloatImage {
        let radius = min(radius, BoxFilter.maximumRadius)
        switch backend {
        case .scalar: return reference(image, radius: radius, speckleScaleSquared: speckleScaleSquared)
        case .vector: return vectorized(image, radius: radius, speckleScaleSquared: speckleScaleSquared)
        }
    }

    @inline(__always)
    static func blend(value: Float, mean: Float, variance: Float, cu2: Float) -> Float {
        let m2 = mean * mean
        let ci2 = variance / m2
        var k = 1 - cu2 / ci2
        // `!(k > 0)` also catches NaN (m = 0 or v = 0).
        k = !(k > 0) ? 0 : min(k, 1)
        return mean + k * (value - mean)
    }

    /// Scalar specification: window sums in double precision for every pixel.
    package static func reference(_ image: FloatImage, radius r: Int, speckleScaleSquared: Double? = nil) -> FloatImage {
        guard r > 0, !image.isEmpty,
              let cu2 = speckleScaleSquared ?? SRAD.speckleScaleSquared(image) else { return image }
        let w = image.width, h = image.height, s = image.samples
        let n = Double((2 * r + 1) * (2 * r + 1))
        var out = [Float](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                var sum = 0.0, sumSquares = 0.0
                for dy in -r...r {
                    let row = Border.reflect101(y + dy, h) * w
                    for dx in -r...r {
                        let v = Double(s[row + Border.reflect101(x + dx, w)])
                        sum += v
                        sumSquares += v * v
                    }
                }
                let mean = sum / n
                let variance = max(sumSquares / n - mean * mean, 0)
                out[y * w + x] = blend(value: s[y * w + x], mean: Float(mean), variance: Float(variance), cu2: Float(cu2))
            }
        }
        return FloatImage(width: w, height: h, samples: out)
    }
}
