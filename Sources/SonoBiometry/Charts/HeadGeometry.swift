import Foundation

/// Perimeter formulas for head and abdominal circumferences (biometry.md §3c).
///
/// What a machine reports as HC is the perimeter of the fitted ellipse; SonoQC uses Ramanujan's
/// second approximation everywhere (exact to < 1e-6 relative for head-like ellipses), and keeps
/// the two-diameter shortcuts only to check reported triples.
package enum HeadGeometry {
    /// Ramanujan's second approximation: π(a+b)(1 + 3h/(10 + √(4 − 3h))), h = ((a−b)/(a+b))².
    /// `a` and `b` are semi-axes in any one unit (order does not matter); the result is in that unit.
    package static func ellipsePerimeter(semiAxisA a: Double, semiAxisB b: Double) -> Double {
        let s = a + b
        guard s > 0 else { return 0 }
        let h = ((a - b) / s) * ((a - b) / s)
        return Double.pi * s * (1 + 3 * h / (10 + (4 - 3 * h).squareRoot()))
    }

    /// Ramanujan's first approximation: π[3(a+b) − √((3a+b)(a+3b))].
    package static func ellipsePerimeterRamanujanI(semiAxisA a: Double, semiAxisB b: Double) -> Double {
        Double.pi * (3 * (a + b) - ((3 * a + b) * (a + 3 * b)).squareRoot())
    }

    /// HC from two full diameters as π(D1 + D2)/2 (the Oxford 2012 challenge definition).
    package static func circumferenceFromDiameters(_ d1: Double, _ d2: Double) -> Double {
        Double.pi * (d1 + d2) / 2
    }

    /// HC from BPD and OFD as the ellipse with those full diameters (Ramanujan II); the right
    /// formula for INTERGROWTH (outer-to-outer) diameters.
    package static func headCircumference(bpdMM: Double, ofdMM: Double) -> Double {
        ellipsePerimeter(semiAxisA: ofdMM / 2, semiAxisB: bpdMM / 2)
    }

    /// The classical 1.62·(BPD + OFD), which belongs with Hadlock's outer-to-inner BPD and
    /// over-predicts INTERGROWTH-convention HC by 2–3.5 %.
    package static func headCircumferenceHadlock(bpdMM: Double, ofdMM: Double) -> Double {
        1.62 * (bpdMM + ofdMM)
    }
}
