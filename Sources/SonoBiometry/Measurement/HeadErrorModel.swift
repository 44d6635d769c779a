import Foundation

/// Predicts how far an automatic head measurement is likely to be from an expert's, from the
/// evidence the measurer reports about its own ellipse.
///
/// Model: for each of HC, BPD and OFD, `log(|auto − expert| + 0.5 mm)` is a ridge-regularised
/// linear function of ``features(of:)``; the prediction `exp(w·x) − 0.5` is multiplied by a
/// scale that makes the mean prediction equal the mean observed absolute error on the training
/// frames (the log fit alone predicts a geometric, not an arithmetic, mean). The tolerance
/// multiple is the ``toleranceCoverage`` quantile of `|error| / expected` on frames **held out**
/// from the fit (grouped by examination), so `multiple × expected` is a per-image limit that
/// about 97.5 % of correct measurements stay within.
///
/// All coefficients are tuned constants; ``hc18Dev`` lists the values fitted on the 413 frames
/// of hc18-dev and how to reproduce them (`sonoqc evaluate-hc --fit-error-model`).
package struct HeadErrorModel: Sendable, Hashable, Codable {
    /// Names of ``features(of:)``, in order (documentation and the fit printout).
    package static let featureNames = [
        "bias", "perimeter_support", "log(residual_px / semi_minor_px)", "ridge_contrast",
        "log(ring_contrast_ratio)", "log(hc_mm)", "semi_minor / semi_major", "outer_from_edge",
        "edge_refit_perimeter_change",
    ]
    /// Added to |error| before the logarithm so near-zero errors do not dominate the fit (mm).
    package static let offsetMM = 0.5
    /// Ridge penalty on the weights (features are O(1), so a small value only guards against
    /// singular normal equations on small training sets).
    package static let ridgePenalty = 1e-3
    /// Quantile of held-out |error| / expected used for ``hc``'s ``Coefficients/toleranceMultiple``.
    package static let toleranceCoverage = 0.975
    /// The same for BPD and OFD: wider, because MS-002/003 are secondary to MS-001 (HC is the
    /// reported measurement the issue's detection targets are about) and each adds its own false flags.
    package static let diameterToleranceCoverage = 0.99
    /// Fraction of training frames the fitted abstention limit leaves without a result: with the
    /// measurer's own failures that keeps hc18-dev's held-out frames without a result under the
    /// 2 % the issue allows (1.7 %); at 0.02 it was 2.7 % once small heads were edge-refitted.
    package static let abstainFraction = 0.01

    /// One measure's coefficients.
    package struct Coefficients: Sendable, Hashable, Codable {
        package var weights: [Double]
        package var scale: Double
        package var toleranceMultiple: Double

        package init(weights: [Double], scale: Double, toleranceMultiple: Double) {
            self.weights = weights
            self.scale = scale
            self.toleranceMultiple = toleranceMultiple
        }

        /// Expected |error| in mm for a feature vector.
        package func expected(_ x: [Double]) -> Double {
            var z = 0.0
            for (w, v) in zip(weights, x) { z += w * v }
            // Clamp the exponent so a wild feature cannot overflow; 8 ≈ e^8 mm is already absurd.
            return scale * max(exp(min(z, 8)) - HeadErrorModel.offsetMM, 0.05)
        }
    }

    package var hc: Coefficients
    package var bpd: Coefficients
    package var ofd: Coefficients
    /// Above this expected HC error (mm) the measurer abstains: the ellipse is more likely wrong
    /// than useful. The quantile of held-out expected errors that leaves ``abstainFraction`` of the
    /// training frames without a result.
    package var abstainAboveExpectedHCErrorMM: Double

    package init(hc: Coefficients, bpd: Coefficients, ofd: Coefficients, abstainAboveExpectedHCErrorMM: Double) {
        self.hc = hc
        self.bpd = bpd
        self.ofd = ofd
        self.abstainAboveExpectedHCErrorMM = abstainAboveExpectedHCErrorMM
    }

    /// The model's inputs, nil without a mm spacing (the model predicts mm errors).
    package static func features(of m: HeadMeasurement) -> [Double]? {
        guard let hcMM = m.hcMM, hcMM > 0 else { return nil }
        let c = m.confidence
        let semiMinor = max(m.ellipse.semiMinor, 1e-6)
        return [
            1, c.perimeterSupport, log(max(c.residualRMSPixels, 0.05) / semiMinor), c.ridgeContrast,
            log(max(c.ringContrastRatio, 0.1)), log(hcMM), semiMinor / max(m.ellipse.semiMajor, 1e-6), c.outerFromEdge ? 1 : 0,
            c.edgeRefitPerimeterChange ?? 0,
        ]
    }

    /// Expected errors and tolerances for `m`, nil without a mm spacing.
    package func uncertainty(of m: HeadMeasurement) -> HeadMeasurementUncertainty? {
        guard let x = Self.features(of: m) else { return nil }
        let h = hc.expected(x), b = bpd.expected(x), o = ofd.expected(x)
        return HeadMeasurementUncertainty(
            expectedAbsErrorHCMM: h, expectedAbsErrorBPDMM: b, expectedAbsErrorOFDMM: o,
            toleranceHCMM: hc.toleranceMultiple * h, toleranceBPDMM: bpd.toleranceMultiple * b,
            toleranceOFDMM: ofd.toleranceMultiple * o)
    }

    // MARK: Fitting

    /// A measured frame with its expert reference errors and examination (for grouping).
    package struct Sample: Sendable, Hashable {
        package var features: [Double]
        package var hcErrorMM: Double
        package var bpdErrorMM: Double?
        package var ofdErrorMM: Double?
        package var group: String

        package init(features: [Double], hcErrorMM: Double, bpdErrorMM: Double?, ofdErrorMM: Double?, group: String) {
            self.features = features
            self.hcErrorMM = hcErrorMM
            self.bpdErrorMM = bpdErrorMM
            self.ofdErrorMM = ofdErrorMM
            self.group = group
        }
    }

    /// Least-squares weights and mean-matching scale for one target (absolute errors).
    static func fitCoefficients(_ x: [[Double]], _ errors: [Double]) -> (weights: [Double], scale: Double)? {
        guard let n = x.first?.count, x.count > n else { return nil }
        var ata = [Double](repeating: 0, count: n * n), aty = [Double](repeating: 0, count: n)
        for (row, e) in zip(x, errors) {
            let y = log(abs(e) + offsetMM)
            for i in 0..<n {
                aty[i] += row[i] * y
                for j in 0..<n { ata[i * n + j] += row[i] * row[j] }
            }
        }
        for i in 0..<n { ata[i * n + i] += ridgePenalty * Double(x.count) }
        guard let w = EllipseFitter.solve(ata, aty) else { return nil }
        let raw = Coefficients(weights: w, scale: 1, toleranceMultiple: 1)
        let predicted = x.map(raw.expected).reduce(0, +)
        let observed = errors.map(abs).reduce(0, +)
        guard predicted > 0 else { return nil }
        return (w, observed / predicted)
    }

    /// Fits the model on `samples`. Tolerance multiples come from an inner grouped `folds`-fold
    /// split (each sample's ratio is taken from a model that did not see its examination).
    /// `abstainFraction` sets ``abstainAboveExpectedHCErrorMM`` to the expected-error quantile
    /// that leaves about that fraction of the training frames without a result.
    package static func fit(_ samples: [Sample], folds: Int = 5, abstainFraction: Double = HeadErrorModel.abstainFraction) -> HeadErrorModel? {
        guard samples.count >= 20 else { return nil }
        let assignment = CrossValidation.foldAssignment(groups: samples.map(\.group), folds: folds)
        func target(_ s: Sample, _ k: Int) -> Double? { [s.hcErrorMM, s.bpdErrorMM, s.ofdErrorMM][k] }
        var coefficients: [Coefficients] = []
        var heldOutHC = [Double](repeating: 0, count: samples.count)
        for k in 0..<3 {
            let usable = samples.indices.filter { target(samples[$0], k) != nil }
            guard let all = fitCoefficients(usable.map { samples[$0].features }, usable.map { target(samples[$0], k)! })
            else { return nil }
            var ratios: [Double] = []
            for fold in 0..<folds {
                let train = usable.filter { assignment[$0] != fold }, test = usable.filter { assignment[$0] == fold }
                guard !test.isEmpty,
                      let f = fitCoefficients(train.map { samples[$0].features }, train.map { target(samples[$0], k)! })
                else { continue }
                let c = Coefficients(weights: f.weights, scale: f.scale, toleranceMultiple: 1)
                for i in test {
                    let e = c.expected(samples[i].features)
                    ratios.append(abs(target(samples[i], k)!) / e)
                    if k == 0 { heldOutHC[i] = e }
                }
            }
            guard !ratios.isEmpty else { return nil }
            coefficients.append(Coefficients(weights: all.weights, scale: all.scale,
                                             toleranceMultiple: Statistics.quantile(ratios, k == 0 ? toleranceCoverage : diameterToleranceCoverage)))
        }
        let abstain = Statistics.quantile(heldOutHC, 1 - abstainFraction)
        return HeadErrorModel(hc: coefficients[0], bpd: coefficients[1], ofd: coefficients[2],
                              abstainAboveExpectedHCErrorMM: abstain)
    }

    /// Swift source of `self` (for pasting the fitted constants into ``hc18Dev``).
    package var swiftLiteral: String {
        func c(_ x: Coefficients) -> String {
            ".init(weights: [\(x.weights.map { String(format: "%.6f", $0) }.joined(separator: ", "))], "
                + "scale: \(String(format: "%.6f", x.scale)), toleranceMultiple: \(String(format: "%.4f", x.toleranceMultiple)))"
        }
        return "HeadErrorModel(\n    hc: \(c(hc)),\n    bpd: \(c(bpd)),\n    ofd: \(c(ofd)),\n"
            + "    abstainAboveExpectedHCErrorMM: \(String(format: "%.3f", abstainAboveExpectedHCErrorMM)))"
    }
}

/// Per-image uncertainty of an automatic head measurement (from ``HeadErrorModel``).
package struct HeadMeasurementUncertainty: Sendable, Hashable, Codable {
    /// Expected |automatic − expert| HC, mm.
    package var expectedAbsErrorHCMM: Double
    /// Expected |automatic − expert| BPD, mm.
    package var expectedAbsErrorBPDMM: Double
    /// Expected |automatic − expert| OFD, mm.
    package var expectedAbsErrorOFDMM: Double
    /// |automatic − reported| HC above which the reported value is likely wrong (≈ 97.5 % of
    /// correct reports fall inside on held-out frames), mm.
    package var toleranceHCMM: Double
    /// As ``toleranceHCMM`` for BPD.
    package var toleranceBPDMM: Double
    /// As ``toleranceHCMM`` for OFD.
    package var toleranceOFDMM: Double
}

/// Grouped K-fold splits and small statistics shared by the error model and the evaluation.
package enum CrossValidation {
    /// Examination of an HC18 frame: the file name up to the first `_` (`220_2HC.png` → `220`);
    /// names without `_` are their own examination.
    package static func examination(of filename: String) -> String {
        let name = (filename as NSString).lastPathComponent
        return name.split(separator: "_", maxSplits: 1).first.map(String.init) ?? name
    }

    /// Fold (0..<folds) of each item: distinct groups in sorted order are dealt round-robin, so
    /// every frame of an examination lands in the same fold and the split is deterministic.
    package static func foldAssignment(groups: [String], folds: Int) -> [Int] {
        let k = max(1, folds)
        let distinct = Array(Set(groups)).sorted()
        var index: [String: Int] = [:]
        for (i, g) in distinct.enumerated() { index[g] = i % k }
        return groups.map { index[$0]! }
    }
}

/// Order statistics used by the evaluation and the error model.
package enum Statistics {
    /// Linear interpolation between order statistics (numpy's default); 0 for an empty input.
    package static func quantile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let s = values.sorted()
        let pos = min(max(q, 0), 1) * Double(s.count - 1)
        let lo = Int(pos.rounded(.down)), hi = min(lo + 1, s.count - 1)
        return s[lo] + (s[hi] - s[lo]) * (pos - Double(lo))
    }

    /// Wilson score 95 % interval for `successes` out of `trials` (nil for no trials).
    package static func wilson95(_ successes: Int, _ trials: Int) -> (low: Double, high: Double)? {
        guard trials > 0 else { return nil }
        let z = 1.959964, n = Double(trials), p = Double(successes) / n
        let centre = p + z * z / (2 * n), spread = z * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot()
        let d = 1 + z * z / n
        return (max(0, (centre - spread) / d), min(1, (centre + spread) / d))
    }
}
