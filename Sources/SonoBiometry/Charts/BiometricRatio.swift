/// Ratios between biometric measures used as consistency hints (biometry.md §4).
///
/// These are reviewer hints, not hard rules: each range belongs to a caliper convention and a
/// part of pregnancy, which ``RatioReference/caveat`` states. Ranges are on the ×1 scale
/// (cephalic index 0.74–0.83, not 74–83).
package enum BiometricRatio: String, Sendable, Codable, CaseIterable {
    /// BPD / OFD.
    case cephalicIndex = "bpd/ofd"
    /// FL / AC.
    case flToAC = "fl/ac"
    /// FL / BPD.
    case flToBPD = "fl/bpd"
    /// HC / AC.
    case hcToAC = "hc/ac"

    /// Numerator and denominator of the ratio.
    package var measures: (numerator: BiometricMeasure, denominator: BiometricMeasure) {
        switch self {
        case .cephalicIndex: return (.bpd, .ofd)
        case .flToAC: return (.fl, .ac)
        case .flToBPD: return (.fl, .bpd)
        case .hcToAC: return (.hc, .ac)
        }
    }

    /// The published normal range and its provenance.
    package var reference: RatioReference {
        switch self {
        case .cephalicIndex:
            return RatioReference(
                ratio: self, mean: 0.783, normalRange: 0.74...0.83,
                source: "Hadlock FP et al. AJR 1981;137:83-5 (±1 SD)",
                caveat: "Hadlock-era (outer-to-inner) BPD; with INTERGROWTH outer-to-outer diameters the median "
                    + "is 0.79-0.82 after 18 weeks and higher before (0.88 at 14 weeks). Below 0.74 suggests "
                    + "dolichocephaly, above 0.83 brachycephaly: date by HC, not BPD.")
        case .flToAC:
            return RatioReference(
                ratio: self, mean: 0.22, normalRange: 0.20...0.24,
                source: "Hadlock FP et al. AJR 1983;141:979-84 (mean ± 2 SD)",
                caveat: "GA-independent after 21 weeks; > 0.235 (90th centile) flags possible growth restriction, "
                    + "< 0.20 suggests macrosomia.")
        case .flToBPD:
            return RatioReference(
                ratio: self, mean: 0.79, normalRange: 0.71...0.87,
                source: "Hohler CW, Quetel TA. Am J Obstet Gynecol 1981;141:759-62",
                caveat: "Late pregnancy and outer-to-inner BPD only; the INTERGROWTH median is below 0.71 "
                    + "until about 32 weeks, so do not apply before the third trimester.")
        case .hcToAC:
            return RatioReference(
                ratio: self, mean: nil, normalRange: nil,
                source: "Campbell S, Thoms A. Br J Obstet Gynaecol 1977;84:165-74",
                caveat: "Falls through pregnancy (about 1.12 at 24, 1.05 at 32, 0.98 at 40 weeks); no "
                    + "GA-independent range. Compare with the INTERGROWTH median ratio at the scan's age.")
        }
    }

    /// The ratio of INTERGROWTH-21st medians at `gaWeeks`: what a median fetus shows, not a range.
    package func intergrowthMedianRatio(gaWeeks: Double) throws(BiometryError) -> Double {
        let (n, d) = measures
        return try Intergrowth21st.mean(n, gaWeeks: gaWeeks) / Intergrowth21st.mean(d, gaWeeks: gaWeeks)
    }

    /// The HC/AC linear fit quoted with Campbell & Thoms' ratio (1.32293 − 0.0084471·GA weeks; low R²).
    package static func hcToACLinearFit(gaWeeks: Double) -> Double {
        1.32293 - 0.0084471 * gaWeeks
    }
}

/// A ratio's published normal range, with the source and the conditions under which it applies.
package struct RatioReference: Sendable, Hashable, Codable {
    package var ratio: BiometricRatio
    /// Published mean, when there is one.
    package var mean: Double?
    /// Published normal range on the ×1 scale, nil when the ratio depends on GA.
    package var normalRange: ClosedRange<Double>?
    package var source: String
    package var caveat: String

    /// Whether `value` lies in the normal range; nil when there is no GA-independent range.
    package func isWithinNormalRange(_ value: Double) -> Bool? {
        normalRange.map { $0.contains(value) }
    }
}
