package import SonoCore
import SonoFilters
import SonoPipeline

/// Basic intensity statistics of an 8-bit frame, from one histogram pass.
///
/// Percentiles use the nearest-rank definition: `pN` is the smallest value v such that at least
/// N % of the pixels are ≤ v. `std` is the population standard deviation. Values are rounded to
/// 1e-6 so the JSON stays readable; they are exact functions of the histogram, hence deterministic.
package struct IntensityStatistics: Sendable, Codable, Equatable {
    package var mean: Double
    package var std: Double
    package var p1: Int
    package var p50: Int
    package var p99: Int
    /// Fraction of pixels at 255.
    package var saturatedFraction: Double
    /// Fraction of pixels at 0.
    package var zeroFraction: Double

    enum CodingKeys: String, CodingKey {
        case mean, std, p1, p50, p99
        case saturatedFraction = "saturated_fraction", zeroFraction = "zero_fraction"
    }

    package init(mean: Double, std: Double, p1: Int, p50: Int, p99: Int, saturatedFraction: Double, zeroFraction: Double) {
        self.mean = mean
        self.std = std
        self.p1 = p1
        self.p50 = p50
        self.p99 = p99
        self.saturatedFraction = saturatedFraction
        self.zeroFraction = zeroFraction
    }

    /// Statistics of `image`; nil for an empty image.
    package init?(_ image: GrayImage) {
        guard !image.isEmpty else { return nil }
        self.init(histogram: ImageStatistics.histogram(image))
    }

    /// Statistics from a 256-bin histogram with at least one count.
    package init(histogram: [Int]) {
        precondition(histogram.count == 256, "an 8-bit histogram has 256 bins")
        var n = 0, sum = 0, sumSquares = 0
        for (v, c) in histogram.enumerated() {
            n += c
            sum += v * c
            sumSquares += v * v * c
        }
        let count = Double(n)
        let mean = Double(sum) / count
        // Integer sums keep the variance exact before the single division.
        let variance = max(0, (Double(sumSquares) - Double(sum) * Double(sum) / count) / count)
        func percentile(_ p: Double) -> Int {
            Int(ImageStatistics.percentile(histogram: histogram, p, rule: .nearestRank) ?? 0)
        }
        func rounded(_ x: Double) -> Double { (x * 1e6).rounded() / 1e6 }
        self.init(mean: rounded(mean), std: rounded(variance.squareRoot()),
                  p1: percentile(1), p50: percentile(50), p99: percentile(99),
                  saturatedFraction: rounded(Double(histogram[255]) / count),
                  zeroFraction: rounded(Double(histogram[0]) / count))
    }
}
