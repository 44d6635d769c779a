import Testing
@testable import SonoBiometry

@Suite("Hadlock equations, ellipse perimeter and ratios")
struct HadlockAndGeometryTests {
    @Test("Hadlock 1984 GA reproduces the worked values (inputs in mm, converted to cm inside)")
    func hadlockGA() throws {
        #expect(abs(try Hadlock.gestationalAgeWeeks(.init(hcMM: 172.5)) - 19.81) < 0.005)
        #expect(abs(try Hadlock.gestationalAgeWeeks(.init(flMM: 31.3)) - 19.72) < 0.005)
        #expect(abs(try Hadlock.gestationalAgeWeeks(.init(acMM: 147.7)) - 20.05) < 0.005)
        #expect(abs(try Hadlock.gestationalAgeWeeks(.init(bpdMM: 90, hcMM: 320, acMM: 320, flMM: 70)) - 35.70) < 0.005)
        #expect(throws: BiometryError.self) { try Hadlock.gestationalAgeWeeks(.init()) }
        #expect(throws: BiometryError.self) { try Hadlock.gestationalAgeWeeks(.init(hcMM: -5)) }
    }

    @Test("each of the 15 Hadlock GA combinations gives a plausible age at a 30-week fetus")
    func allCombinations() throws {
        let full = (bpd: 78.9, hc: 278.4, ac: 253.8, fl: 55.5)
        for mask in 1..<16 {
            let inputs = Hadlock.Inputs(bpdMM: mask & 1 != 0 ? full.bpd : nil, hcMM: mask & 2 != 0 ? full.hc : nil,
                                        acMM: mask & 4 != 0 ? full.ac : nil, flMM: mask & 8 != 0 ? full.fl : nil)
            let weeks = try Hadlock.gestationalAgeWeeks(inputs)
            #expect((27.5...32.5).contains(weeks), "combination \(mask): \(weeks)")
        }
    }

    @Test("Hadlock EFW reproduces the worked weights")
    func hadlockEFW() throws {
        let late = Hadlock.Inputs(bpdMM: 90, hcMM: 320, acMM: 320, flMM: 70)
        let early = Hadlock.Inputs(bpdMM: 48, hcMM: 173, acMM: 148, flMM: 31)
        let expected: [(Hadlock.EFWModel, Double, Double)] = [
            (.acFL, 2848, 318), (.bpdACFL, 2860, 324), (.hcACFL, 2791, 316), (.bpdHCACFL, 2820, 319),
        ]
        for (model, lateGrams, earlyGrams) in expected {
            #expect(abs(try Hadlock.estimatedFetalWeightGrams(model, late) - lateGrams) < 0.5, "\(model)")
            #expect(abs(try Hadlock.estimatedFetalWeightGrams(model, early) - earlyGrams) < 0.5, "\(model)")
        }
        #expect(throws: BiometryError.self) { try Hadlock.estimatedFetalWeightGrams(.hcACFL, .init(acMM: 300, flMM: 60)) }
    }

    @Test("Ramanujan II perimeter reproduces the worked values and the circle")
    func perimeter() {
        #expect(abs(HeadGeometry.ellipsePerimeter(semiAxisA: 60, semiAxisB: 50) - 346.2896) < 5e-5)
        #expect(abs(HeadGeometry.ellipsePerimeter(semiAxisA: 50, semiAxisB: 60) - 346.2896) < 5e-5)
        #expect(abs(HeadGeometry.ellipsePerimeter(semiAxisA: 30, semiAxisB: 20) - 158.6544) < 5e-5)
        #expect(abs(HeadGeometry.circumferenceFromDiameters(120, 100) - 345.5752) < 5e-5)
        #expect(abs(HeadGeometry.ellipsePerimeter(semiAxisA: 10, semiAxisB: 10) - 20 * Double.pi) < 1e-12)
        let r1 = HeadGeometry.ellipsePerimeterRamanujanI(semiAxisA: 60, semiAxisB: 40)
        let r2 = HeadGeometry.ellipsePerimeter(semiAxisA: 60, semiAxisB: 40)
        #expect(abs(r1 - r2) / r2 < 1e-6)
    }

    @Test("the ellipse through median BPD and OFD reproduces median HC within 1 % from 16 to 40 weeks")
    func diametersMatchCircumference() throws {
        for t in stride(from: 16.0, through: 40.0, by: 4) {
            let hc = HeadGeometry.headCircumference(bpdMM: try Intergrowth21st.mean(.bpd, gaWeeks: t),
                                                    ofdMM: try Intergrowth21st.mean(.ofd, gaWeeks: t))
            #expect(abs(hc / (try Intergrowth21st.mean(.hc, gaWeeks: t)) - 1) < 0.01, "week \(t)")
        }
    }

    @Test("ratio references and INTERGROWTH median ratios agree with the reference tables")
    func ratios() throws {
        #expect(abs(try BiometricRatio.hcToAC.intergrowthMedianRatio(gaWeeks: 20) - 1.168) < 0.0005)
        #expect(abs(try BiometricRatio.cephalicIndex.intergrowthMedianRatio(gaWeeks: 32) - 0.810) < 0.0005)
        #expect(abs(try BiometricRatio.flToAC.intergrowthMedianRatio(gaWeeks: 28) - 0.220) < 0.0005)
        #expect(abs(try BiometricRatio.flToBPD.intergrowthMedianRatio(gaWeeks: 40) - 0.760) < 0.0005)
        #expect(BiometricRatio.cephalicIndex.reference.isWithinNormalRange(0.78) == true)
        #expect(BiometricRatio.cephalicIndex.reference.isWithinNormalRange(0.70) == false)
        #expect(BiometricRatio.hcToAC.reference.isWithinNormalRange(1.0) == nil)
        #expect(abs(BiometricRatio.hcToACLinearFit(gaWeeks: 32) - 1.0526) < 0.001)
    }

    @Test("Wong conversion between BPD conventions round-trips within 0.1 mm")
    func bpdConventions() {
        for bpd in stride(from: 30.0, through: 100, by: 10) {
            let oi = Hadlock.bpdOuterToInner(fromOuterToOuterMM: bpd)
            #expect(oi < bpd)
            #expect(abs(Hadlock.bpdOuterToOuter(fromOuterToInnerMM: oi) - bpd) < 0.1)
        }
    }
}
