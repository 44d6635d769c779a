extension HeadErrorModel {
    /// The model fitted on all 413 frames of hc18-dev (HC from `truth.csv`, BPD and OFD from
    /// `ellipse-truth.csv`) with ``HeadMeasurer`` as committed (outer-border level 0.25,
    /// ``HeadShapeCorrection/hc18Dev`` applied). Reproduce with
    /// `sonoqc evaluate-hc ../shared/data/hc18-dev/images --truth ../shared/data/hc18-dev/truth.csv
    /// --ellipse-truth ../shared/data/hc18-dev/ellipse-truth.csv --out /tmp/hc --fit-error-model`,
    /// which prints this literal. Refit whenever the measurer changes (its features move).
    /// Its cross-validated calibration is in docs/qc-rules.md (reliability table).
    package static let hc18Dev = HeadErrorModel(
        hc: .init(weights: [1.506512, -0.415526, 0.472401, -1.119389, -0.237441, 0.578038, -0.710037, 0.200387, 0.945075],
                  scale: 1.407836, toleranceMultiple: 3.3837),
        bpd: .init(weights: [0.205006, -0.160129, 0.203822, -0.656476, -0.174887, 0.287456, -0.031207, 0.034883, 0.340229],
                   scale: 1.190626, toleranceMultiple: 3.7698),
        ofd: .init(weights: [0.647414, -0.494007, 0.293262, -0.748624, -0.171523, 0.505149, -0.839824, 0.073707, 0.351713],
                   scale: 1.328733, toleranceMultiple: 3.9084),
        abstainAboveExpectedHCErrorMM: 4.832)
}

extension HeadShapeCorrection {
    /// Fitted on all 413 hc18-dev frames (raw measurements at the chosen outer-border level, 0.25,
    /// against `ellipse-truth.csv`); printed by `sonoqc evaluate-hc … --fit-error-model`.
    package static let hc18Dev = HeadShapeCorrection(
        majorWeights: [0.018488, -0.031069, 0.295181, -0.050384], minorWeights: [0.006346, -0.005655, -0.056389, 0.000212])
}
