/// A fetal biometric length covered by the INTERGROWTH-21st fetal growth standards.
///
/// All five are lengths in millimetres. BPD and OFD follow the outer-to-outer caliper convention
/// (see ``Intergrowth21st`` for the evidence); HC and AC are ellipse perimeters on the outer border.
package enum BiometricMeasure: String, Sendable, Codable, CaseIterable {
    /// Head circumference.
    case hc
    /// Biparietal diameter (outer-to-outer).
    case bpd
    /// Occipito-frontal diameter (outer-to-outer).
    case ofd
    /// Abdominal circumference.
    case ac
    /// Femur length.
    case fl

    /// The abbreviation as it appears in reports and in the reference CSVs ("HC", "BPD", …).
    package var abbreviation: String { rawValue.uppercased() }

    /// Parses "HC", "hc", "BPD", … as used in the reference tables.
    package init?(abbreviation: String) {
        self.init(rawValue: abbreviation.lowercased())
    }
}
