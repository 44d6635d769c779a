import Foundation

/// Hadlock's regressions for gestational age (Radiology 1984;152:497–501) and estimated fetal
/// weight (Am J Obstet Gynecol 1985;151:333–7).
///
/// Hadlock's equations take **centimetres**; public code often feeds them millimetres. To keep
/// that trap out of SonoQC every function here takes millimetres (names end in `MM`) and converts.
/// Hadlock's BPD is outer-to-inner, unlike INTERGROWTH-21st's; the conversion is
/// ``bpdOuterToInner(fromOuterToOuterMM:)`` (Wong et al. 2018).
package enum Hadlock {
    /// The biometric inputs of a Hadlock equation.
    package struct Inputs: Sendable, Hashable, Codable {
        package var bpdMM: Double?
        package var hcMM: Double?
        package var acMM: Double?
        package var flMM: Double?

        package init(bpdMM: Double? = nil, hcMM: Double? = nil, acMM: Double? = nil, flMM: Double? = nil) {
            self.bpdMM = bpdMM; self.hcMM = hcMM; self.acMM = acMM; self.flMM = flMM
        }
    }

    /// Menstrual age in weeks (Hadlock 1984) from whichever of BPD, HC, AC and FL are given:
    /// each of the 15 non-empty combinations has its own published equation.
    /// Throws ``BiometryError/invalidMeasurement(name:value:)`` for a non-positive input or when
    /// no input is given.
    package static func gestationalAgeWeeks(_ inputs: Inputs) throws(BiometryError) -> Double {
        let bpd = try cm(inputs.bpdMM, "BPD"), hc = try cm(inputs.hcMM, "HC")
        let ac = try cm(inputs.acMM, "AC"), fl = try cm(inputs.flMM, "FL")
        switch (bpd, hc, ac, fl) {
        case let (b?, nil, nil, nil): return 9.54 + 1.482 * b + 0.1676 * b * b
        case let (nil, h?, nil, nil): return 8.96 + 0.540 * h + 0.0003 * h * h * h
        case let (nil, nil, a?, nil): return 8.14 + 0.753 * a + 0.0036 * a * a
        case let (nil, nil, nil, f?): return 10.35 + 2.460 * f + 0.170 * f * f
        case let (b?, nil, a?, nil): return 9.57 + 0.524 * a + 0.122 * b * b
        case let (b?, h?, nil, nil): return 10.32 + 0.009 * h * h + 1.32 * b + 0.00012 * h * h * h
        case let (nil, h?, a?, nil): return 10.31 + 0.012 * h * h + 0.385 * a
        case let (b?, nil, nil, f?): return 10.50 + 0.197 * b * f + 0.950 * f + 0.730 * b
        case let (nil, h?, nil, f?): return 11.19 + 0.070 * h * f + 0.263 * h
        case let (nil, nil, a?, f?): return 10.47 + 0.442 * a + 0.314 * f * f - 0.0121 * f * f * f
        case let (b?, nil, a?, f?): return 10.61 + 0.175 * b * f + 0.297 * a + 0.710 * f
        case let (b?, h?, nil, f?): return 11.38 + 0.070 * h * f + 0.980 * b
        case let (b?, h?, a?, nil): return 10.58 + 0.005 * h * h + 0.3635 * a + 0.02864 * b * a
        case let (nil, h?, a?, f?): return 10.33 + 0.031 * h * f + 0.361 * h + 0.0298 * a * f
        case let (b?, h?, a?, f?): return 10.85 + 0.060 * h * f + 0.670 * b + 0.168 * a
        case (nil, nil, nil, nil): throw .invalidMeasurement(name: "any of BPD, HC, AC, FL", value: .nan)
        }
    }

    /// The estimated-fetal-weight equations (log10 of grams, inputs in cm internally).
    package enum EFWModel: String, Sendable, Hashable, Codable, CaseIterable {
        /// 1.304 + 0.05281·AC + 0.1938·FL − 0.004·AC·FL (single source).
        case acFL = "hadlock-ac-fl"
        /// 1.335 − 0.0034·AC·FL + 0.0316·BPD + 0.0457·AC + 0.1623·FL.
        case bpdACFL = "hadlock-bpd-ac-fl"
        /// "Hadlock 3": 1.326 − 0.00326·AC·FL + 0.0107·HC + 0.0438·AC + 0.158·FL.
        case hcACFL = "hadlock-hc-ac-fl"
        /// "Hadlock 4": 1.3596 − 0.00386·AC·FL + 0.0064·HC + 0.00061·BPD·AC + 0.0424·AC + 0.174·FL.
        case bpdHCACFL = "hadlock-bpd-hc-ac-fl"
        /// 1.182 + 0.0273·HC + 0.07057·AC − 0.00063·AC² − 0.0002184·AC·HC, attributed to Hadlock 1984
        /// by one secondary source only; kept for comparison with systems that use it.
        case hcAC1984 = "hadlock-hc-ac-1984"
    }

    /// Estimated fetal weight in grams. Throws when an input the model needs is missing or invalid.
    package static func estimatedFetalWeightGrams(
        _ model: EFWModel, _ inputs: Inputs
    ) throws(BiometryError) -> Double {
        func need(_ value: Double?, _ name: String) throws(BiometryError) -> Double {
            guard let value else { throw .invalidMeasurement(name: "\(name) (required by \(model.rawValue))", value: .nan) }
            guard value.isFinite, value > 0 else { throw .invalidMeasurement(name: name, value: value) }
            return value / 10
        }
        let log10Grams: Double
        switch model {
        case .acFL:
            let a = try need(inputs.acMM, "AC"), f = try need(inputs.flMM, "FL")
            log10Grams = 1.304 + 0.05281 * a + 0.1938 * f - 0.004 * a * f
        case .bpdACFL:
            let b = try need(inputs.bpdMM, "BPD"), a = try need(inputs.acMM, "AC"), f = try need(inputs.flMM, "FL")
            log10Grams = 1.335 - 0.0034 * a * f + 0.0316 * b + 0.0457 * a + 0.1623 * f
        case .hcACFL:
            let h = try need(inputs.hcMM, "HC"), a = try need(inputs.acMM, "AC"), f = try need(inputs.flMM, "FL")
            log10Grams = 1.326 - 0.00326 * a * f + 0.0107 * h + 0.0438 * a + 0.158 * f
        case .bpdHCACFL:
            let b = try need(inputs.bpdMM, "BPD"), h = try need(inputs.hcMM, "HC")
            let a = try need(inputs.acMM, "AC"), f = try need(inputs.flMM, "FL")
            log10Grams = 1.3596 - 0.00386 * a * f + 0.0064 * h + 0.00061 * b * a + 0.0424 * a + 0.174 * f
        case .hcAC1984:
            let h = try need(inputs.hcMM, "HC"), a = try need(inputs.acMM, "AC")
            log10Grams = 1.182 + 0.0273 * h + 0.07057 * a - 0.00063 * a * a - 0.0002184 * a * h
        }
        return pow(10, log10Grams)
    }

    /// Outer-to-inner BPD from an outer-to-outer one (Wong et al., AJUM 2018;21:161–8), mm.
    package static func bpdOuterToInner(fromOuterToOuterMM bpd: Double) -> Double {
        -0.403458 + 0.9714153 * bpd
    }

    /// Outer-to-outer BPD from an outer-to-inner one (Wong et al. 2018), mm.
    package static func bpdOuterToOuter(fromOuterToInnerMM bpd: Double) -> Double {
        0.555934 + 1.027318 * bpd
    }

    private static func cm(_ mm: Double?, _ name: String) throws(BiometryError) -> Double? {
        guard let mm else { return nil }
        guard mm.isFinite, mm > 0 else { throw .invalidMeasurement(name: name, value: mm) }
        return mm / 10
    }
}
