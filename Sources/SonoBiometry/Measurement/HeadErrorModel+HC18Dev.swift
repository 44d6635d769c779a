extension HeadErrorModel {
    /// The model fitted on all 413 frames of hc18-dev (HC from `truth.csv`, BPD and OFD from
    /// `ellipse-truth.csv`) with ``HeadMeasurer`` as committed (outer-border level 0.25,
    /// ``HeadShapeCorrection/hc18Dev`` applied). Reproduce with
    /// `sonoqc evaluate-hc ../shared/data/hc18-dev/images --truth ../shared/data/hc18-dev/truth.csv
    /// --ellipse-truth ../shared/data/hc18-dev/ellipse-truth.csv --out /tmp/hc --fit-error-model`,
    /// which prints this literal. Refit whenever the measurer changes (its features move).
    /// Its cross-validated calibration is in docs/qc-rules.md (reliability table).
    package static let hc18Dev = HeadErrorModel(
        hc: .init(weights: [3.030409, -0.472212, 0.470301, -1.944189, -0.232842, 0.226223, 0.436711],
                  scale: 1.443308, toleranceMultiple: 2.9299),
        bpd: .init(weights: [1.374879, -0.447955, 0.274952, -0.817854, -0.320459, 0.182755, 0.223245],
                   scale: 1.250682, toleranceMultiple: 3.8745),
        ofd: .init(weights: [1.276632, -0.366998, 0.278921, -1.247240, -0.159723, 0.329151, -0.228706],
                   scale: 1.342491, toleranceMultiple: 4.0990),
        abstainAboveExpectedHCErrorMM: 5.277)
}

extension HeadShapeCorrection {
    /// Fitted on all 413 hc18-dev frames (raw measurements at the chosen outer-border level, 0.25,
    /// against `ellipse-truth.csv`); printed by `sonoqc evaluate-hc … --fit-error-model`.
    package static let hc18Dev = HeadShapeCorrection(
        majorWeights: [0.016156, -0.022965, 0.275103], minorWeights: [0.008762, -0.021273, -0.074778])
}
