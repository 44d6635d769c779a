import SonoCore

/// Histograms, percentiles, mean and standard deviation, optionally restricted to a mask.
///
/// A mask selects pixel `(x, y)` when `mask[x, y] != 0`. A mask of a different size than the
/// image applies to their common top-left overlap: pixels outside the mask are not selected.
/// Pure functions; safe to call from any thread.
public enum ImageStatistics {
    /// 256-bin histogram of the selected pixels.
    public static func histogram(_ image: GrayImage, mask: GrayImage? = nil,
                                 backend: FilterBackend = .default) -> [Int] {
        switch backend {
        case .scalar: return referenceHistogram(image, mask: mask)
        case .vector: return vectorizedHistogram(image, mask: mask)
        }
    }

    public static func referenceHistogram(_ image: GrayImage, mask: GrayImage?) -> [Int] {
        var bins = [Int](repeating: 0, count: 256)
        for y in 0..<image.height {
            for x in 0..<image.width where isSelected(x, y, mask) {
                bins[Int(image[x, y])] += 1
            }
        }
        return bins
    }

    @inline(__always)
    static func isSelected(_ x: Int, _ y: Int, _ mask: GrayImage?) -> Bool {
        guard let mask else { return true }
        return x < mask.width && y < mask.height && mask[x, y] != 0
    }

    /// The `percent`-th percentile (0…100, clamped) of the selected pixels, interpolated
    /// linearly between ranks like NumPy's default: rank `p/100 · (n − 1)`. Nil when nothing
    /// is selected or `percent` is NaN.
    public static func percentile(_ image: GrayImage, _ percent: Double, mask: GrayImage? = nil) -> Double? {
        percentile(histogram: histogram(image, mask: mask), percent)
    }

    /// Percentile from a histogram whose bin `i` counts samples of value `i`.
    public static func percentile(histogram: [Int], _ percent: Double) -> Double? {
        guard !percent.isNaN else { return nil }
        let n = histogram.reduce(0, +)
        guard n > 0 else { return nil }
        let rank = min(max(percent, 0), 100) / 100 * Double(n - 1)
        let lowerRank = Int(rank.rounded(.down))
        let fraction = rank - Double(lowerRank)
        func value(atRank k: Int) -> Int {
            var seen = 0
            for (v, count) in histogram.enumerated() {
                seen += count
                if seen > k { return v }
            }
            return histogram.count - 1
        }
        let lower = value(atRank: lowerRank)
        guard fraction > 0 else { return Double(lower) }
        let upper = value(atRank: min(lowerRank + 1, n - 1))
        return Double(lower) + fraction * Double(upper - lower)
    }

    /// Mean and population standard deviation of the selected pixels; nil when none is selected.
    public static func meanStd(_ image: GrayImage, mask: GrayImage? = nil) -> (mean: Double, std: Double)? {
        let bins = histogram(image, mask: mask)
        let n = bins.reduce(0, +)
        guard n > 0 else { return nil }
        var sum = 0.0, sumSquares = 0.0
        for (v, count) in bins.enumerated() where count > 0 {
            sum += Double(v * count)
            sumSquares += Double(v * v * count)
        }
        let mean = sum / Double(n)
        return (mean, max(sumSquares / Double(n) - mean * mean, 0).squareRoot())
    }

    /// Mean and population standard deviation of the selected float pixels (accumulated in
    /// double precision, two-pass); nil when none is selected.
    public static func meanStd(_ image: FloatImage, mask: GrayImage? = nil) -> (mean: Double, std: Double)? {
        var n = 0, sum = 0.0
        for y in 0..<image.height {
            for x in 0..<image.width where isSelected(x, y, mask) {
                n += 1
                sum += Double(image[x, y])
            }
        }
        guard n > 0 else { return nil }
        let mean = sum / Double(n)
        var squares = 0.0
        for y in 0..<image.height {
            for x in 0..<image.width where isSelected(x, y, mask) {
                let d = Double(image[x, y]) - mean
                squares += d * d
            }
        }
        return (mean, (squares / Double(n)).squareRoot())
    }
}
