import Foundation

/// The INTERGROWTH-21st fetal growth standards for HC, BPD, OFD, AC and FL (Papageorghiou et al.,
/// Lancet 2014;384:869–79), as fractional-polynomial equations for the mean and SD in mm.
///
/// Why equations rather than the printed tables: they give a value at any exact gestational age
/// (20+3 is 20.428571 weeks) and reproduce every published centile cell within 0.073 mm.
/// All five measures are normal on the mm scale (no Box-Cox), so z = (x − μ)/σ and
/// centile = 100·Φ(z). The chart assumes HC on the outer skull border and BPD/OFD measured
/// outer-to-outer (the evidence in `reference/biometry.md` §1 points that way; it is not
/// confirmed from the FGLS methods paper).
///
/// Validity is 14+0 to 40+0 exact weeks. The plain functions throw
/// ``BiometryError/gestationalAgeOutOfRange(gaWeeks:validWeeks:)`` outside it; callers that
/// really want an extrapolation ask ``point(_:gaWeeks:allowExtrapolation:)`` for one, and the
/// returned ``ChartPoint`` says that it is extrapolated.
package enum Intergrowth21st {
    /// Gestational ages (exact weeks) over which the standards were fitted.
    package static let validWeeks: ClosedRange<Double> = 14.0...40.0

    /// Short name recorded in report provenance.
    package static let chartName = "INTERGROWTH-21st"

    /// Mean and SD of one measure at one gestational age, with a flag for extrapolation.
    package struct ChartPoint: Sendable, Hashable, Codable {
        package var measure: BiometricMeasure
        package var gaWeeks: Double
        package var meanMM: Double
        package var sdMM: Double
        /// True when `gaWeeks` lies outside ``Intergrowth21st/validWeeks``: the numbers come from
        /// the equations beyond the data they were fitted to and must be reported as such.
        package var isExtrapolated: Bool

        /// z = (value − mean) / SD.
        package func zScore(valueMM: Double) -> Double { (valueMM - meanMM) / sdMM }

        /// 100·Φ(z), in (0, 100).
        package func centile(valueMM: Double) -> Double { 100 * StandardNormal.cdf(zScore(valueMM: valueMM)) }

        /// The length at `centile` (0 < centile < 100): μ + Φ⁻¹(centile/100)·σ.
        package func value(atCentile centile: Double) throws(BiometryError) -> Double {
            guard centile > 0, centile < 100 else { throw .invalidCentile(centile) }
            return meanMM + StandardNormal.quantile(centile / 100) * sdMM
        }
    }

    /// Mean and SD at `gaWeeks`; throws outside 14–40 weeks unless `allowExtrapolation` is set,
    /// in which case the point is marked ``ChartPoint/isExtrapolated``.
    package static func point(
        _ measure: BiometricMeasure, gaWeeks: Double, allowExtrapolation: Bool = false
    ) throws(BiometryError) -> ChartPoint {
        guard gaWeeks.isFinite, gaWeeks > 0 else {
            throw .gestationalAgeOutOfRange(gaWeeks: gaWeeks, validWeeks: validWeeks)
        }
        let inRange = validWeeks.contains(gaWeeks)
        if !inRange && !allowExtrapolation {
            throw .gestationalAgeOutOfRange(gaWeeks: gaWeeks, validWeeks: validWeeks)
        }
        return ChartPoint(measure: measure, gaWeeks: gaWeeks,
                          meanMM: unsafeMean(measure, t: gaWeeks), sdMM: unsafeSD(measure, t: gaWeeks),
                          isExtrapolated: !inRange)
    }

    /// Mean length in mm at `gaWeeks` (exact weeks, 14...40).
    package static func mean(_ measure: BiometricMeasure, gaWeeks: Double) throws(BiometryError) -> Double {
        try point(measure, gaWeeks: gaWeeks).meanMM
    }

    /// Standard deviation in mm at `gaWeeks` (exact weeks, 14...40).
    package static func sd(_ measure: BiometricMeasure, gaWeeks: Double) throws(BiometryError) -> Double {
        try point(measure, gaWeeks: gaWeeks).sdMM
    }

    /// z-score of a measured length.
    package static func zScore(
        _ measure: BiometricMeasure, valueMM: Double, gaWeeks: Double
    ) throws(BiometryError) -> Double {
        try checkLength(valueMM, name: measure.abbreviation)
        return try point(measure, gaWeeks: gaWeeks).zScore(valueMM: valueMM)
    }

    /// Centile (0–100) of a measured length.
    package static func centile(
        _ measure: BiometricMeasure, valueMM: Double, gaWeeks: Double
    ) throws(BiometryError) -> Double {
        try checkLength(valueMM, name: measure.abbreviation)
        return try point(measure, gaWeeks: gaWeeks).centile(valueMM: valueMM)
    }

    /// The length in mm at `centile` (strictly between 0 and 100).
    package static func value(
        atCentile centile: Double, for measure: BiometricMeasure, gaWeeks: Double
    ) throws(BiometryError) -> Double {
        try point(measure, gaWeeks: gaWeeks).value(atCentile: centile)
    }

    /// Same as ``value(atCentile:for:gaWeeks:)`` with the measure first.
    package static func value(
        _ measure: BiometricMeasure, atCentile centile: Double, gaWeeks: Double
    ) throws(BiometryError) -> Double {
        try value(atCentile: centile, for: measure, gaWeeks: gaWeeks)
    }

    static func checkLength(_ value: Double, name: String) throws(BiometryError) {
        guard value.isFinite, value > 0 else { throw .invalidMeasurement(name: name, value: value) }
    }

    // MARK: - Equations (biometry.md §1), t in exact weeks, results in mm

    static func unsafeMean(_ measure: BiometricMeasure, t: Double) -> Double {
        let lt = log(t), t2 = t * t, t3 = t2 * t
        switch measure {
        case .hc: return -28.2849 + 1.69267 * t2 - 0.397485 * t2 * lt
        case .bpd: return 5.60878 + 0.158369 * t2 - 0.00256379 * t3
        case .ofd: return -12.4097 + 0.626342 * t2 - 0.148075 * t2 * lt
        case .ac: return -81.3243 + 11.6772 * t - 0.000561865 * t3
        case .fl: return -39.9616 + 4.32298 * t - 0.0380156 * t2
        }
    }

    static func unsafeSD(_ measure: BiometricMeasure, t: Double) -> Double {
        let lt = log(t), t2 = t * t, t3 = t2 * t
        switch measure {
        case .hc:
            return 1.98735 + 0.0136772 * t3 - 0.00726264 * t3 * lt + 0.000976253 * t3 * lt * lt
        case .bpd:
            return exp(0.101242 + 0.00150557 * t3 - 0.000771535 * t3 * lt + 0.0000999638 * t3 * lt * lt)
        case .ofd:
            return exp(-0.880034 + 0.0631165 * t2 - 0.0317136 * t2 * lt + 0.00408302 * t2 * lt * lt)
        case .ac:
            return -4.36302 + 0.121445 * t2 - 0.0130256 * t3 + 0.00282143 * t3 * lt
        case .fl:
            return exp(0.605843 - 42.0014 / t2 + 0.00000917972 * t3)
        }
    }
}
