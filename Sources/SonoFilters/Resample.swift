public import SonoCore

/// Resizes a float image by an arbitrary factor, the same factor on both axes.
///
/// Output pixel `i` covers the source interval `[i/f, (i+1)/f)` (pixel corners at integers), the
/// convention of ``Downsample/half(_:backend:)``, so a point at pixel-centre coordinate `x` in the
/// source sits at `(x + 0.5)·f − 0.5` in the output whatever the factor, and results can be mapped
/// back exactly. The output is `max(1, round(w·f)) × max(1, round(h·f))`.
///
/// - Shrinking (`f < 1`) is area averaging with fractional coverage at the interval's ends, so
///   speckle averages out instead of aliasing; `f = 1/2` equals ``Downsample/half(_:backend:)``
///   on even sizes.
/// - Enlarging (`f > 1`) is cubic convolution (Catmull–Rom) between source pixel centres, so values
///   may overshoot the source range slightly at sharp edges.
/// - Borders replicate: samples past the last row or column repeat it.
///
/// Separable (rows, then columns) with precomputed taps per output index. It runs once per frame
/// at most, on frames whose size differs from the head measurer's working size, so it has no
/// vector variant. Pure function; safe to call from any thread.
public enum Resample {
    /// One output index's source taps along an axis.
    struct Taps {
        var indices: [Int]
        var weights: [Float]
    }

    /// Output length along an axis of `source` samples scaled by `factor`.
    package static func length(_ source: Int, factor: Double) -> Int {
        max(1, Int((Double(source) * factor).rounded()))
    }

    /// Keys' cubic convolution kernel with a = −0.5 (Catmull–Rom): interpolates, reproduces
    /// linear ramps exactly and keeps more of the speckle's fine texture than bilinear. Upsampled
    /// with it, hc18-dev frames exported at 0.5× (JPEG) and 0.75× read 0.975 and 0.993 times as
    /// sharp as at full size (the frame-level sharpness IQ-005 used at commit 5a1bcbc, median over
    /// 413 frames, `sonoqc schema qc-evidence --per-frame` on `scripts/export-variants.py`
    /// exports); bilinear gave 0.912 and 0.960 (commit 66c8be2).
    static func cubic(_ x: Double) -> Double {
        let x = abs(x), a = -0.5
        if x <= 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
        if x < 2 { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
        return 0
    }

    /// Taps for every output index along an axis of `source` samples scaled by `factor`.
    static func taps(source: Int, factor: Double) -> [Taps] {
        let target = length(source, factor: factor)
        let last = source - 1
        return (0..<target).map { i in
            if factor >= 1 {
                let c = (Double(i) + 0.5) / factor - 0.5
                let j0 = Int(c.rounded(.down)), t = c - Double(j0)
                return Taps(indices: (-1...2).map { min(max(j0 + $0, 0), last) },
                            weights: [cubic(t + 1), cubic(t), cubic(1 - t), cubic(2 - t)].map(Float.init))
            }
            let lo = Double(i) / factor, hi = Double(i + 1) / factor
            var indices: [Int] = [], weights: [Float] = []
            var j = Int(lo.rounded(.down))
            while Double(j) < hi {
                let overlap = min(hi, Double(j + 1)) - max(lo, Double(j))
                if overlap > 0 {
                    indices.append(min(j, last))
                    weights.append(Float(overlap * factor))
                }
                j += 1
            }
            return Taps(indices: indices, weights: weights)
        }
    }

    /// `image` scaled by `factor`; an empty image, or a factor that is not finite and positive,
    /// returns `image` unchanged.
    public static func scaled(_ image: FloatImage, by factor: Double) -> FloatImage {
        let w = image.width, h = image.height
        guard w > 0, h > 0, factor.isFinite, factor > 0 else { return image }
        let xs = taps(source: w, factor: factor), ys = taps(source: h, factor: factor)
        let ow = xs.count, oh = ys.count
        var rows = [Float](repeating: 0, count: ow * h)
        image.withUnsafeSamples { src in
            for y in 0..<h {
                for (x, t) in xs.enumerated() {
                    var sum: Float = 0
                    for k in t.indices.indices { sum += t.weights[k] * src[y * w + t.indices[k]] }
                    rows[y * ow + x] = sum
                }
            }
        }
        var out = [Float](repeating: 0, count: ow * oh)
        for (y, t) in ys.enumerated() {
            for k in t.indices.indices {
                let weight = t.weights[k], row = t.indices[k] * ow
                for x in 0..<ow { out[y * ow + x] += weight * rows[row + x] }
            }
        }
        return FloatImage(width: ow, height: oh, samples: out)
    }
}
