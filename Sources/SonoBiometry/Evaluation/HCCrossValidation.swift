import Foundation
package import SonoCore

/// Cross-validated evaluation of ``HeadMeasurer`` and its tuned constants, and the reliability
/// of its expected errors.
///
/// Tuned constants: ``HeadMeasurer/Options/outerBorderLevel`` (chosen per fold from
/// ``borderLevelGrid`` by the training folds' mean |HC difference| after correction), the
/// ``HeadShapeCorrection`` weights and every coefficient of ``HeadErrorModel`` (both fitted per
/// fold on the training folds). Each image's result therefore
/// comes from constants that never saw its examination, so the summary estimates accuracy on
/// unseen frames rather than on the tuning set.
extension HCEvaluation {
    /// Outer-border levels tried (the committed default is one of them).
    package static let borderLevelGrid = [0.2, 0.25, 0.3, 0.35, 0.4, 0.5]

    /// Raw measurements of every entry at each level of ``borderLevelGrid`` (no shape correction,
    /// no error model, so no abstention), with `ellipses` attached: the input of
    /// ``crossValidate(_:folds:abstainFraction:)`` and ``fitConstants(_:indices:folds:abstainFraction:)``.
    /// `decode` is as in ``evaluate(_:options:decode:)``; decode each frame once before calling it,
    /// since every level measures every frame again.
    package static func rawResultsByBorderLevel(_ entries: [TruthEntry], ellipses: [EllipseTruthEntry],
                                                decode: (String) throws -> GrayImage) -> [Double: [ImageResult]] {
        var raw = HeadMeasurer.Options()
        raw.shapeCorrection = nil
        raw.errorModel = nil
        var byLevel: [Double: [ImageResult]] = [:]
        for level in borderLevelGrid {
            var options = raw
            options.outerBorderLevel = level
            byLevel[level] = attach(ellipses, to: evaluate(entries, options: options, decode: decode))
        }
        return byLevel
    }

    /// Shape-correction samples from raw results (no correction, no abstention) with ellipse truth.
    package static func shapeSamples(_ results: [ImageResult]) -> [HeadShapeCorrection.Sample] {
        results.compactMap { r in
            guard let m = r.measurement, let t = r.ellipseTruth, let x = HeadShapeCorrection.features(of: m) else { return nil }
            return HeadShapeCorrection.Sample(features: x, logMajorRatio: log(t.semiMajorPx / m.ellipse.semiMajor),
                                              logMinorRatio: log(t.semiMinorPx / m.ellipse.semiMinor))
        }
    }

    /// `results` with `correction` applied to every measurement (no error model, no abstention).
    package static func corrected(_ results: [ImageResult], _ correction: HeadShapeCorrection) -> [ImageResult] {
        results.map { r in
            var out = r
            out.measurement = r.measurement.map { correction.applied(to: $0) }
            return out
        }
    }

    /// The training step, used per fold by ``crossValidate(_:folds:abstainFraction:)`` and on all
    /// frames for the committed constants: for each outer-border level fit the shape correction
    /// on `indices`, keep the level with the smallest corrected mean |HC difference|, then fit the
    /// error model on those corrected results.
    package static func fitConstants(_ resultsByLevel: [Double: [ImageResult]], indices: [Int]? = nil, folds: Int = 5,
                                    abstainFraction: Double = HeadErrorModel.abstainFraction)
        -> (level: Double, correction: HeadShapeCorrection, model: HeadErrorModel)? {
        var best: (level: Double, correction: HeadShapeCorrection, mae: Double)?
        for level in resultsByLevel.keys.sorted() {
            let all = resultsByLevel[level]!
            let chosen = indices.map { $0.map { all[$0] } } ?? all
            guard let correction = HeadShapeCorrection.fit(shapeSamples(chosen)) else { continue }
            let diffs = corrected(chosen, correction).compactMap(\.signedDiffMM).map(abs)
            guard !diffs.isEmpty else { continue }
            let mae = diffs.reduce(0, +) / Double(diffs.count)
            if mae < (best?.mae ?? .infinity) { best = (level, correction, mae) }
        }
        guard let best else { return nil }
        let all = resultsByLevel[best.level]!
        let chosen = indices.map { $0.map { all[$0] } } ?? all
        guard let model = HeadErrorModel.fit(errorSamples(corrected(chosen, best.correction)), folds: folds,
                                             abstainFraction: abstainFraction)
        else { return nil }
        return (best.level, best.correction, model)
    }

    /// Error-model samples from results measured **without** abstention.
    package static func errorSamples(_ results: [ImageResult]) -> [HeadErrorModel.Sample] {
        results.compactMap { r in
            guard let m = r.measurement, let d = r.signedDiffMM, let x = HeadErrorModel.features(of: m) else { return nil }
            return HeadErrorModel.Sample(features: x, hcErrorMM: d, bpdErrorMM: r.bpdDiffMM, ofdErrorMM: r.ofdDiffMM,
                                         group: CrossValidation.examination(of: r.entry.filename))
        }
    }

    /// What cross-validation chose in each fold.
    package struct FoldChoice: Sendable, Hashable {
        package var fold: Int
        package var outerBorderLevel: Double
        package var correction: HeadShapeCorrection
        package var model: HeadErrorModel
    }

    /// Cross-validates. `resultsByLevel[level]` holds every truth entry (same order for each
    /// level) measured with that outer-border level, ellipse truth attached, without shape
    /// correction, error model or abstention.
    /// Returns the held-out results (each with its fold, uncertainty and abstention decided by
    /// its fold's model) and the per-fold choices; nil when a fold cannot be fitted.
    package static func crossValidate(_ resultsByLevel: [Double: [ImageResult]], folds: Int,
                                     abstainFraction: Double = HeadErrorModel.abstainFraction) -> (results: [ImageResult], choices: [FoldChoice])? {
        guard let any = resultsByLevel.values.first, folds >= 2 else { return nil }
        let assignment = CrossValidation.foldAssignment(groups: any.map { CrossValidation.examination(of: $0.entry.filename) },
                                                        folds: folds)
        var out = any
        var choices: [FoldChoice] = []
        for k in 0..<folds {
            let train = any.indices.filter { assignment[$0] != k }
            guard let fitted = fitConstants(resultsByLevel, indices: train, folds: folds, abstainFraction: abstainFraction),
                  let chosen = resultsByLevel[fitted.level]
            else { return nil }
            choices.append(FoldChoice(fold: k, outerBorderLevel: fitted.level, correction: fitted.correction, model: fitted.model))
            for i in any.indices where assignment[i] == k {
                var r = chosen[i]
                r.fold = k
                if let m = r.measurement {
                    switch HeadMeasurer.finishing(m, correction: fitted.correction, errorModel: fitted.model, abstain: true) {
                    case .success(let withUncertainty): r.measurement = withUncertainty
                    case .failure(let f): r.measurement = nil; r.failure = f.summary
                    }
                }
                out[i] = r
            }
        }
        return (out, choices)
    }

    /// One row of the reliability table: frames whose expected HC error fell in a bin.
    package struct ReliabilityBin: Sendable, Hashable {
        package var lowerMM: Double
        package var upperMM: Double
        package var count: Int
        package var meanExpectedMM: Double
        package var meanObservedMM: Double
        /// Observed fraction with |HC difference| ≤ 5 mm.
        package var within5mm: Double
        /// Observed fraction within the image's own tolerance (the MS-001 limit).
        package var withinTolerance: Double
    }

    /// Predicted vs observed HC error in `bins` bins of equal frame count (by expected error).
    package static func reliability(_ results: [ImageResult], bins: Int = 5) -> [ReliabilityBin] {
        let rows = results.compactMap { r -> (e: Double, d: Double, t: Double)? in
            guard let u = r.measurement?.uncertainty, let d = r.signedDiffMM else { return nil }
            return (u.expectedAbsErrorHCMM, abs(d), u.toleranceHCMM)
        }.sorted { $0.e < $1.e }
        guard !rows.isEmpty else { return [] }
        let k = max(1, min(bins, rows.count))
        return (0..<k).map { b in
            let slice = rows[(b * rows.count / k)..<((b + 1) * rows.count / k)]
            let n = Double(slice.count)
            return ReliabilityBin(lowerMM: slice.first!.e, upperMM: slice.last!.e, count: slice.count,
                                  meanExpectedMM: slice.map(\.e).reduce(0, +) / n, meanObservedMM: slice.map(\.d).reduce(0, +) / n,
                                  within5mm: Double(slice.filter { $0.d <= 5 }.count) / n,
                                  withinTolerance: Double(slice.filter { $0.d <= $0.t }.count) / n)
        }
    }

    /// The reliability table as aligned text.
    package static func reliabilityText(_ bins: [ReliabilityBin]) -> String {
        var out = "reliability (expected vs observed |HC difference|):\n"
        out += "  expected range mm   frames  mean expected  mean observed  within 5 mm  within own tolerance\n"
        for b in bins {
            out += String(format: "  %6.2f - %6.2f   %6d   %10.2f   %12.2f   %9.1f %%   %9.1f %%\n", b.lowerMM, b.upperMM, b.count,
                          b.meanExpectedMM, b.meanObservedMM, 100 * b.within5mm, 100 * b.withinTolerance)
        }
        return out
    }
}
