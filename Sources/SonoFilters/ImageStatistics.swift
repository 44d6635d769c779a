public import SonoCore

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

    package static func referenceHistogram(_ image: GrayImage, mask: GrayImage?) -> [Int] {
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

    /// How a percentile picks its value from the sorted samples.
    public enum PercentileRule: Sendable, Hashable {
        /// Linear interpolation between ranks, NumPy's default: rank `p/100 · (n − 1)` (0-based).
        case linear
        /// The smallest value `v` with at least `p %` of the samples `≤ v` (rank `⌈p/100 · n⌉`,
        /// at least 1): always a sample value, so 8-bit percentiles stay whole grey levels.
        case nearestRank
    }

    /// The `percent`-th percentile (0…100, clamped) of the selected pixels (see
    /// ``PercentileRule``; linear by default). Nil when nothing is selected or `percent` is NaN.
    public static func percentile(_ image: GrayImage, _ percent: Double, mask: GrayImage? = nil,
                                  rule: PercentileRule = .linear) -> Double? {
        percentile(histogram: histogram(image, mask: mask), percent, rule: rule)
    }

    /// Percentile from a histogram of any length whose bin `i` counts samples of value `i`: the
    /// package's one percentile implementation (image statistics, QC metrics, head-plane
    /// histograms all call it).
    public static func percentile(histogram: [Int], _ percent: Double, rule: PercentileRule = .linear) -> Double? {
        guard !percent.isNaN else { return nil }
        let n = histogram.reduce(0, +)
        guard n > 0 else { return nil }
        let p = min(max(percent, 0), 100)
        func value(atRank k: Int) -> Int {
            var seen = 0
            for (v, count) in histogram.enumerated() {
                seen += count
                if seen > k { return v }
            }
            return histogram.count - 1
        }
        switch rule {
        case .nearestRank:
            // `p · n` is exact for whole percents and any realistic n, and `/ 100` then lands on
            // an integer exactly when the true quotient is one, so the ceiling is exact.
            let rank = max(1, Int((p * Double(n) / 100).rounded(.up)))
            return Double(value(atRank: min(rank, n) - 1))
        case .linear:
            let rank = p / 100 * Double(n - 1)
            let lowerRank = Int(rank.rounded(.down))
            let fraction = rank - Double(lowerRank)
            let lower = value(atRank: lowerRank)
            guard fraction > 0 else { return Double(lower) }
            let upper = value(atRank: min(lowerRank + 1, n - 1))
            return Double(lower) + fraction * Double(upper - lower)
        }
    }

    /// The `q` quantile (0…1) of the positive values, from a 2048-bin histogram over `0…max`:
    /// the upper edge of the bin holding the sample of 0-based rank `⌊q · count⌋`, so the result
    /// is within `max/2048` above the exact value. Nil when no value is positive. For float maps
    /// (ridge strengths) whose scale is unknown, where a full sort cost more than computing the map.
    public static func quantileOfPositive(_ values: [Float], _ q: Double) -> Float? {
        let bins = 2048
        // Both passes branch-free over raw buffers (which values are positive is data-dependent
        // and the filtered loops mispredicted). The maximum is taken on bit patterns: those of
        // the positive floats (`x > 0`: +∞ in, +0 and NaN out) are 1…0x7F80_0000 and order as
        // the values do, an integer maximum vectorises where `Float`'s NaN-aware one did not.
        // A value that is not positive is counted in an extra bin past the last, read by nobody.
        return values.withUnsafeBufferPointer { v -> Float? in
            var top: UInt32 = 0
            var count = 0
            for x in v {
                let bits = x.bitPattern, positive = bits &- 1 < 0x7F80_0000
                top = max(top, positive ? bits : 0)
                count &+= positive ? 1 : 0
            }
            guard count > 0 else { return nil }
            let maximum = Float(bitPattern: top)
            var histogram = [Int](repeating: 0, count: bins + 1)
            let scale = Float(bins) / maximum
            histogram.withUnsafeMutableBufferPointer { histogram in
                for x in v {
                    let positive = x > 0
                    let bin = min(bins - 1, Int(positive ? x * scale : 0))
                    histogram[positive ? bin : bins] &+= 1
                }
            }
            let target = Int(Double(count) * q)
            var seen = 0
            for i in 0..<bins {
                seen += histogram[i]
                if seen > target { return Float(i + 1) / scale }
            }
            return maximum
        }
    }

    /// The upper median of a short list: the element of 0-based rank `count / 2` after sorting
    /// (nearest rank, no interpolation, so the result is always one of the values). Nil when empty.
    /// For per-ray offsets, echo levels and the head measurer's robust fit (three medians of a
    /// few hundred residuals per fit, fifteen fits per frame, where a full sort was 1 % of
    /// `analyze`'s perf samples), so it selects the element (Hoare) instead of sorting.
    package static func upperMedian(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        var values = values
        let k = values.count / 2
        return values.withUnsafeMutableBufferPointer { v in
            var lo = 0, hi = v.count - 1
            while lo < hi {
                let pivot = v[lo + (hi - lo) / 2]
                var i = lo, j = hi
                while i <= j {
                    while v[i] < pivot { i += 1 }
                    while pivot < v[j] { j -= 1 }
                    if i <= j { v.swapAt(i, j); i += 1; j -= 1 }
                }
                // Now v[lo...j] <= pivot <= v[i...hi], and v[j+1..<i] == pivot.
                if k <= j { hi = j } else if k >= i { lo = i } else { return v[k] }
            }
            return v[k]
        }
    }

    /// Mean and population standard deviation of the selected pixels; nil when none is selected.
    public static func meanStd(_ image: GrayImage, mask: GrayImage? = nil) -> (mean: Double, std: Double)? {
        meanStd(histogram: histogram(image, mask: mask))
    }

    /// Mean and population standard deviation of the samples a histogram counts (bin `i` counts
    /// value `i`); nil when it counts nothing.
    public static func meanStd(histogram bins: [Int]) -> (mean: Double, std: Double)? {
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
