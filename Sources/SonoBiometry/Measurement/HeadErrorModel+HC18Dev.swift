extension HeadErrorModel {
    /// The model fitted on all 413 frames of hc18-dev (HC from `truth.csv`, BPD and OFD from
    /// `ellipse-truth.csv`) with ``HeadMeasurer`` as committed (outer-border level 0.25,
    /// ``HeadShapeCorrection/hc18Dev`` applied). Reproduce with
    /// `sonoqc evaluate-hc ../shared/data/hc18-dev/images --truth ../shared/data/hc18-dev/truth.csv
    /// --ellipse-truth ../shared/data/hc18-dev/ellipse-truth.csv --out /tmp/hc --fit-error-model`,
    /// which prints this literal. Refit whenever the measurer changes (its features move).
    /// Its cross-validated calibration is in docs/qc-rules.md (reliability table).
    package static let hc18Dev = HeadErrorModel(
        hc: .init(weights: [1.519593, -0.398798, 0.491818, -1.071045, -0.228139, 0.580551, -0.711765, 0.210269, 0.964004],
                  scale: 1.410857, toleranceMultiple: 3.4098),
        bpd: .init(weights: [0.226934, -0.138684, 0.214874, -0.674114, -0.171685, 0.277454, 0.058650, 0.023797, 0.339527],
                   scale: 1.190728, toleranceMultiple: 3.8135),
        ofd: .init(weights: [0.641652, -0.524788, 0.313778, -0.718404, -0.160497, 0.520827, -0.839952, 0.081386, 0.385707],
                   scale: 1.321730, toleranceMultiple: 3.9209),
        abstainAboveExpectedHCErrorMM: 4.730)
}

extension HeadShapeCorrection {
    /// Fitted on all 413 hc18-dev frames (raw measurements at the chosen outer-border level, 0.25,
    /// against `ellipse-truth.csv`); printed by `sonoqc evaluate-hc … --fit-error-model`.
    package static let hc18Dev = HeadShapeCorrection(
        majorWeights: [0.018472, -0.030888, 0.295686, -0.050257], minorWeights: [0.006284, -0.005598, -0.056184, 0.000213])
}
