extension HeadErrorModel {
    /// The model fitted on all 413 frames of hc18-dev (HC from `truth.csv`, BPD and OFD from
    /// `ellipse-truth.csv`) with ``HeadMeasurer`` as committed (outer-border level 0.30,
    /// ``HeadShapeCorrection/hc18Dev`` applied). Reproduce with
    /// `sonoqc evaluate-hc ../shared/data/hc18-dev/images --truth ../shared/data/hc18-dev/truth.csv
    /// --ellipse-truth ../shared/data/hc18-dev/ellipse-truth.csv --out /tmp/hc --fit-error-model`,
    /// which prints this literal. Refit whenever the measurer changes (its features move).
    /// Its cross-validated calibration is in docs/qc-rules.md (reliability table).
    package static let hc18Dev = HeadErrorModel(
        hc: .init(weights: [1.507595, -0.297771, 0.408583, -1.053155, -0.260396, 0.533492, -0.877845, 0.204113, 0.952753],
                  scale: 1.422256, toleranceMultiple: 3.5826),
        bpd: .init(weights: [0.200110, -0.198774, 0.199254, -0.646068, -0.163995, 0.270029, 0.072845, 0.019097, 0.296520],
                   scale: 1.191597, toleranceMultiple: 3.8272),
        ofd: .init(weights: [0.532017, -0.508999, 0.258162, -0.701304, -0.159003, 0.497031, -0.882140, 0.088178, 0.375942],
                   scale: 1.332609, toleranceMultiple: 3.8996),
        abstainAboveExpectedHCErrorMM: 4.660)
}

extension HeadShapeCorrection {
    /// Fitted on all 413 hc18-dev frames (raw measurements at the chosen outer-border level, 0.30,
    /// against `ellipse-truth.csv`); printed by `sonoqc evaluate-hc … --fit-error-model`.
    package static let hc18Dev = HeadShapeCorrection(
        majorWeights: [0.015587, -0.030408, 0.293400, -0.047078], minorWeights: [0.003059, -0.005364, -0.055040, 0.003504])
}
