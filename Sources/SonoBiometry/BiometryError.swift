import SonoCore

/// Why a biometric calculation refused to produce a number.
///
/// Charts and equations are only valid over the range they were fitted on; outside it a
/// number would look authoritative while being an extrapolation, so the library throws instead.
package enum BiometryError: SonoError, Equatable {
    /// The gestational age lies outside the chart's validity range (INTERGROWTH-21st: 14+0 to 40+0).
    case gestationalAgeOutOfRange(gaWeeks: Double, validWeeks: ClosedRange<Double>)
    /// A measurement that must be a positive, finite length was not.
    case invalidMeasurement(name: String, value: Double)
    /// A centile outside the open interval (0, 100).
    case invalidCentile(Double)
    /// Text that does not read as a gestational age such as "20+3".
    case unparsableGestationalAge(String)
    /// Exam date before the last menstrual period, or a date string that is not yyyy-MM-dd.
    case invalidDate(String)

    package var summary: String {
        switch self {
        case let .gestationalAgeOutOfRange(ga, range):
            return "gestational age \(Self.format(ga)) weeks is outside the chart range "
                + "\(Self.format(range.lowerBound))–\(Self.format(range.upperBound)) weeks"
        case let .invalidMeasurement(name, value):
            return "\(name) must be a positive finite length, got \(value)"
        case let .invalidCentile(p):
            return "centile must lie strictly between 0 and 100, got \(p)"
        case let .unparsableGestationalAge(text):
            return "cannot read gestational age from \"\(text)\" (expected weeks+days such as 20+3)"
        case let .invalidDate(text):
            return "invalid date: \(text)"
        }
    }

    private static func format(_ x: Double) -> String {
        let rounded = (x * 1000).rounded() / 1000
        return "\(rounded)"
    }
}
