import Foundation

/// A small robust correction of the measured ellipse's axes towards the expert's.
///
/// The measurer's outer ellipse has size- and shape-dependent biases on real frames: elongated
/// ellipses overshoot OFD where the lateral skull ends are blurred (the beam runs along the bone
/// there), and small first-trimester heads come out about 1 % small. For each semi-axis,
/// `log(expert / measured)` is modelled as `w · [1, log(HC / 175 mm), minor/major − 0.8, edge]` (edge
/// is 1 when the outer ellipse was refitted to the head's edge, which has its own bias) and the
/// measured axis multiplied by `exp(w · x)`. The weights are fitted with a Huber loss (scale
/// ``huberScale`` in log units, i.e. about 1 %) so the few frames where the measurer picked the
/// wrong ring do not drag the fit. Applied only with a mm spacing (the size feature is in mm).
///
/// The weights are tuned constants: ``hc18Dev`` is fitted on all 413 hc18-dev frames and
/// `evaluate-hc --folds` refits them per fold.
package struct HeadShapeCorrection: Sendable, Hashable, Codable {
    package static let featureNames = ["bias", "log(hc_mm / 175)", "semi_minor / semi_major - 0.8", "outer_from_edge"]
    /// Huber loss scale in log(axis ratio) units.
    package static let huberScale = 0.01
    /// Ridge penalty per sample on the weights (features are O(1); far below any real signal).
    static let ridgePenalty = 1e-6

    /// Weights for log(expert / measured) of the semi-major axis.
    package var majorWeights: [Double]
    /// Weights for log(expert / measured) of the semi-minor axis.
    package var minorWeights: [Double]

    package init(majorWeights: [Double], minorWeights: [Double]) {
        self.majorWeights = majorWeights
        self.minorWeights = minorWeights
    }

    /// The correction's inputs, nil without a mm spacing.
    package static func features(of m: HeadMeasurement) -> [Double]? {
        guard let hc = m.hcMM, hc > 0, m.ellipse.semiMajor > 0 else { return nil }
        return [1, log(hc / 175), m.ellipse.semiMinor / m.ellipse.semiMajor - 0.8, m.confidence.outerFromEdge ? 1 : 0]
    }

    /// `m` with its outer ellipse corrected (centre and angle kept); unchanged without a spacing.
    package func applied(to m: HeadMeasurement) -> HeadMeasurement {
        guard let x = Self.features(of: m) else { return m }
        func factor(_ w: [Double]) -> Double {
            var z = 0.0
            for (a, b) in zip(w, x) { z += a * b }
            // A correction is a few per cent; clamp so a wild extrapolation cannot reshape the head.
            return exp(min(max(z, -0.1), 0.1))
        }
        var out = m
        let e = m.ellipse
        out.ellipse = Ellipse(centerX: e.centerX, centerY: e.centerY, semiAxisA: e.semiMajor * factor(majorWeights),
                              semiAxisB: e.semiMinor * factor(minorWeights), angleRadians: e.majorAxisAngleRadians)
        return out
    }

    /// A measured frame with the expert's semi-axes in the same pixel grid.
    package struct Sample: Sendable, Hashable {
        package var features: [Double]
        package var logMajorRatio: Double
        package var logMinorRatio: Double

        package init(features: [Double], logMajorRatio: Double, logMinorRatio: Double) {
            self.features = features
            self.logMajorRatio = logMajorRatio
            self.logMinorRatio = logMinorRatio
        }
    }

    /// Huber-loss weights by iteratively reweighted least squares (30 rounds).
    static func huberFit(_ x: [[Double]], _ y: [Double]) -> [Double]? {
        guard let n = x.first?.count, x.count > 2 * n else { return nil }
        var weights = [Double](repeating: 1, count: y.count)
        var beta = [Double](repeating: 0, count: n)
        for _ in 0..<30 {
            var ata = [Double](repeating: 0, count: n * n), aty = [Double](repeating: 0, count: n)
            for (k, row) in x.enumerated() {
                for i in 0..<n {
                    aty[i] += weights[k] * row[i] * y[k]
                    for j in 0..<n { ata[i * n + j] += weights[k] * row[i] * row[j] }
                }
            }
            // A tiny ridge keeps a feature that never varies in the sample (no edge-refitted heads
            // in a training set of large ones) from making the system singular; its weight stays 0.
            for i in 0..<n { ata[i * n + i] += ridgePenalty * Double(y.count) }
            guard let next = EllipseFitter.solve(ata, aty) else { return nil }
            beta = next
            for (k, row) in x.enumerated() {
                var r = y[k]
                for i in 0..<n { r -= beta[i] * row[i] }
                weights[k] = abs(r) <= huberScale ? 1 : huberScale / abs(r)
            }
        }
        return beta
    }

    /// Fits both axes; nil with too few samples.
    package static func fit(_ samples: [Sample]) -> HeadShapeCorrection? {
        let x = samples.map(\.features)
        guard let major = huberFit(x, samples.map(\.logMajorRatio)), let minor = huberFit(x, samples.map(\.logMinorRatio))
        else { return nil }
        return HeadShapeCorrection(majorWeights: major, minorWeights: minor)
    }

    /// Swift source of `self` (for pasting the fitted constants into ``hc18Dev``).
    package var swiftLiteral: String {
        func list(_ w: [Double]) -> String { "[" + w.map { String(format: "%.6f", $0) }.joined(separator: ", ") + "]" }
        return "HeadShapeCorrection(majorWeights: \(list(majorWeights)), minorWeights: \(list(minorWeights)))"
    }
}
