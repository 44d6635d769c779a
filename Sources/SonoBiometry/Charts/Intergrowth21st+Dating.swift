import Foundation

/// A gestational age estimated from measurements, with whether the inputs were inside the
/// range the regression was validated for.
///
/// Regression dating pulls late values toward the mean (the 40-week median HC dates to 37+6),
/// so an estimate outside its validated window is returned but flagged, never silently.
package struct GestationalAgeEstimate: Sendable, Hashable, Codable {
    /// Estimated age in (fractional) days since the LMP.
    package var days: Double
    /// Which equation produced it (for report provenance).
    package var method: String
    /// False when the estimate falls outside the window the equation is validated for.
    package var isWithinValidatedRange: Bool

    package var exactWeeks: Double { days / 7 }

    /// Rounded down to completed days, as clinicians date.
    package var gestationalAge: GestationalAge {
        GestationalAge(nonNegativeDays: max(0, Int(days.rounded(.down))))
    }
}

extension Intergrowth21st {
    /// Scan window (days) in which HC-based dating is validated: 14+0 to 25+6 (as enforced by the
    /// gigs package; biometry.md §2a).
    package static let hcDatingValidDays: ClosedRange<Double> = 98...181

    /// Gestational age from HC (mm): ln(GA days) = 0.05970·(ln HC)² + 0.000000006409·HC³ + 3.3258
    /// (Papageorghiou et al., Ultrasound Obstet Gynecol 2016;48:719–26).
    package static func gestationalAge(hcMM: Double) throws(BiometryError) -> GestationalAgeEstimate {
        try checkLength(hcMM, name: "HC")
        let lnHC = log(hcMM)
        let days = exp(0.05970 * lnHC * lnHC + 0.000000006409 * hcMM * hcMM * hcMM + 3.3258)
        return GestationalAgeEstimate(days: days, method: "INTERGROWTH-21st HC (Papageorghiou 2016)",
                                      isWithinValidatedRange: hcDatingValidDays.contains(days))
    }

    /// Gestational age from HC and FL (mm): ln(GA days) = 0.03243·(ln HC)² + 0.001644·FL·ln HC + 3.813.
    package static func gestationalAge(hcMM: Double, flMM: Double) throws(BiometryError) -> GestationalAgeEstimate {
        try checkLength(hcMM, name: "HC")
        try checkLength(flMM, name: "FL")
        let lnHC = log(hcMM)
        let days = exp(0.03243 * lnHC * lnHC + 0.001644 * flMM * lnHC + 3.813)
        return GestationalAgeEstimate(days: days, method: "INTERGROWTH-21st HC+FL (Papageorghiou 2016)",
                                      isWithinValidatedRange: hcDatingValidDays.contains(days))
    }

    /// CRL range (mm) over which first-trimester dating is validated (gigs: 15–95 mm).
    package static let crlDatingValidMM: ClosedRange<Double> = 15...95

    /// Gestational age from crown–rump length (mm): GA days = 40.9041 + 3.21585·√CRL + 0.348956·CRL
    /// (Papageorghiou et al., Ultrasound Obstet Gynecol 2014;44:641–8).
    package static func gestationalAge(crlMM: Double) throws(BiometryError) -> GestationalAgeEstimate {
        try checkLength(crlMM, name: "CRL")
        let days = 40.9041 + 3.21585 * crlMM.squareRoot() + 0.348956 * crlMM
        return GestationalAgeEstimate(days: days, method: "INTERGROWTH-21st CRL (Papageorghiou 2014)",
                                      isWithinValidatedRange: crlDatingValidMM.contains(crlMM))
    }

    /// SD (days) of the CRL dating equation: 2.39102 + 0.0193474·CRL (single source: gigs).
    package static func gestationalAgeSDDays(crlMM: Double) throws(BiometryError) -> Double {
        try checkLength(crlMM, name: "CRL")
        return 2.39102 + 0.0193474 * crlMM
    }
}
