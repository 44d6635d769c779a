extension HeadErrorModel {
    /// The model fitted on all 413 frames of hc18-dev (HC from `truth.csv`, BPD and OFD from
    /// `ellipse-truth.csv`) with ``HeadMeasurer`` as committed. Reproduce with
    /// `sonoqc evaluate-hc ../shared/data/hc18-dev/images --truth ../shared/data/hc18-dev/truth.csv
    /// --ellipse-truth ../shared/data/hc18-dev/ellipse-truth.csv --out /tmp/hc --fit-error-model`,
    /// which prints this literal. Refit whenever the measurer changes (its features move).
    /// Its cross-validated calibration is in docs/qc-rules.md (reliability table).
    public static let hc18Dev = HeadErrorModel(
        hc: .init(weights: [3.091526, -0.790632, 0.636621, -1.479561, -0.368802, 0.348900, 0.651382],
                  scale: 1.479333, toleranceMultiple: 2.9803),
        bpd: .init(weights: [1.550074, -0.328200, 0.325452, -0.941599, -0.290333, 0.134503, 0.520806],
                   scale: 1.259967, toleranceMultiple: 2.8979),
        ofd: .init(weights: [1.393437, -0.853372, 0.402267, -0.872418, -0.293424, 0.385819, 0.343278],
                   scale: 1.338318, toleranceMultiple: 3.2543),
        abstainAboveExpectedHCErrorMM: 6.395)
}
