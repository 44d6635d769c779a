import Foundation
import Testing
import SonoTestSupport
@testable import SonoBiometry

@Suite("INTERGROWTH-21st fetal growth standards")
struct Intergrowth21stTests {
    @Test("mean, SD and 3rd/50th/97th centiles match every check value to 1e-9 relative")
    func matchesEveryCheckValue() throws {
        let rows = try CSVTable(contentsOf: Repository.fixture("reference/biometry-checkvalues.csv")).rows
        #expect(rows.count == 120)
        for row in rows {
            let measure = try #require(BiometricMeasure(abbreviation: row["measure"] ?? ""), "\(row)")
            let t = try #require(Double(row["ga_weeks"] ?? ""))
            let meanMM = try #require(Double(row["mean_mm"] ?? ""))
            let sdMM = try #require(Double(row["sd_mm"] ?? ""))
            let centile = try #require(Double(row["centile"] ?? ""))
            let valueMM = try #require(Double(row["value_mm"] ?? ""))
            #expect(relativeError(try Intergrowth21st.mean(measure, gaWeeks: t), meanMM) < 1e-9, "\(row)")
            #expect(relativeError(try Intergrowth21st.sd(measure, gaWeeks: t), sdMM) < 1e-9, "\(row)")
            let computed = try Intergrowth21st.value(atCentile: centile, for: measure, gaWeeks: t)
            #expect(relativeError(computed, valueMM) < 1e-9, "\(row): \(computed)")
            #expect(abs(try Intergrowth21st.centile(measure, valueMM: valueMM, gaWeeks: t) - centile) < 1e-6)
        }
    }

    @Test("every cell of the published centile tables is reproduced within 0.1 mm")
    func reproducesPublishedCentileTables() throws {
        let rows = try CSVTable(contentsOf: Repository.fixture("reference/intergrowth-published-centiles.csv")).rows
        #expect(rows.count == 945)
        var worst = 0.0
        for row in rows {
            let measure = try #require(BiometricMeasure(abbreviation: row["measure"] ?? ""), "\(row)")
            let t = try #require(Double(row["ga_weeks"] ?? ""))
            let centile = try #require(Double(row["centile"] ?? ""))
            let published = try #require(Double(row["value_mm"] ?? ""))
            let computed = try Intergrowth21st.value(atCentile: centile, for: measure, gaWeeks: t)
            worst = max(worst, abs(computed - published))
            #expect(abs(computed - published) <= 0.1, "\(row): computed \(computed)")
        }
        // The reference notes the equations reproduce the tables within 0.073 mm.
        #expect(worst < 0.075)
    }

    @Test("worked means and SDs of the reference document, including 20+3, agree to 6 decimals",
          arguments: [
            (14.0, [97.877222, 5.581747, 29.614064, 1.743335, 33.760763, 1.935503, 80.614742, 4.129546, 13.109062, 1.517007]),
            (20.0, [172.479643, 7.439922, 48.446060, 2.298448, 60.689877, 2.777261, 147.724780, 7.628171, 31.291760, 1.775847]),
            (143.0 / 7, [177.658981, 7.546259, 49.843069, 2.338300, 62.546079, 2.830475, 152.434099, 7.839616, 32.485787, 1.792228]),
            (30.0, [278.385653, 9.249345, 78.918550, 3.072394, 98.029028, 3.883317, 253.821345, 12.344769, 55.513760, 2.241235]),
            (40.0, [333.948300, 12.923860, 94.916620, 3.919416, 115.768180, 6.195406, 349.804340, 22.417150, 72.132640, 3.212644]),
          ])
    func workedMeansAndSDs(gaWeeks: Double, expected: [Double]) throws {
        for (i, measure) in [BiometricMeasure.hc, .bpd, .ofd, .ac, .fl].enumerated() {
            #expect(abs(try Intergrowth21st.mean(measure, gaWeeks: gaWeeks) - expected[2 * i]) < 1.5e-6, "\(measure)")
            #expect(abs(try Intergrowth21st.sd(measure, gaWeeks: gaWeeks) - expected[2 * i + 1]) < 1.5e-6, "\(measure)")
        }
    }

    @Test("worked z-scores: HC 180 at 20+3, AC 230 and FL 50 at 30+0")
    func workedZScores() throws {
        let ga203 = try GestationalAge(parsing: "20+3").exactWeeks
        #expect(abs(try Intergrowth21st.zScore(.hc, valueMM: 180, gaWeeks: ga203) - 0.3102) < 5e-5)
        #expect(abs(try Intergrowth21st.centile(.hc, valueMM: 180, gaWeeks: ga203) - 62.2) < 0.05)
        #expect(abs(try Intergrowth21st.zScore(.ac, valueMM: 230, gaWeeks: 30) - -1.9297) < 5e-5)
        #expect(abs(try Intergrowth21st.centile(.ac, valueMM: 230, gaWeeks: 30) - 2.7) < 0.05)
        #expect(abs(try Intergrowth21st.zScore(.fl, valueMM: 50, gaWeeks: 30) - -2.4601) < 5e-5)
        #expect(abs(try Intergrowth21st.centile(.fl, valueMM: 50, gaWeeks: 30) - 0.7) < 0.05)
    }

    @Test("gestational ages outside 14+0 to 40+0 throw instead of extrapolating silently",
          arguments: [13.99, 40.01, 8.0, 45.0, 0.0, -3.0, Double.nan, Double.infinity])
    func outOfRangeAgesThrow(gaWeeks: Double) {
        #expect(throws: BiometryError.self) { try Intergrowth21st.mean(.hc, gaWeeks: gaWeeks) }
        #expect(throws: BiometryError.self) { try Intergrowth21st.zScore(.fl, valueMM: 30, gaWeeks: gaWeeks) }
        #expect(throws: BiometryError.self) { try Intergrowth21st.value(atCentile: 50, for: .bpd, gaWeeks: gaWeeks) }
    }

    @Test("the range boundaries 14+0 and 40+0 are inside the chart")
    func boundariesAreValid() throws {
        #expect(try Intergrowth21st.point(.hc, gaWeeks: 14).isExtrapolated == false)
        #expect(try Intergrowth21st.point(.hc, gaWeeks: 40).isExtrapolated == false)
    }

    @Test("the out-of-range error names the age and the valid range")
    func outOfRangeErrorIsReadable() {
        do {
            _ = try Intergrowth21st.mean(.hc, gaWeeks: 41)
            Issue.record("expected a throw")
        } catch {
            #expect(error == .gestationalAgeOutOfRange(gaWeeks: 41, validWeeks: 14...40))
            #expect(error.summary == "gestational age 41.0 weeks is outside the chart range 14.0–40.0 weeks")
        }
    }

    @Test("explicit extrapolation returns a point marked as extrapolated")
    func explicitExtrapolationIsMarked() throws {
        let point = try Intergrowth21st.point(.hc, gaWeeks: 41, allowExtrapolation: true)
        #expect(point.isExtrapolated)
        #expect(point.meanMM > (try Intergrowth21st.mean(.hc, gaWeeks: 40)) - 10)
        #expect(try Intergrowth21st.point(.hc, gaWeeks: 20, allowExtrapolation: true).isExtrapolated == false)
        #expect(throws: BiometryError.self) { try Intergrowth21st.point(.hc, gaWeeks: .nan, allowExtrapolation: true) }
    }

    @Test("invalid centiles and lengths throw typed errors")
    func invalidInputsThrow() {
        #expect(throws: BiometryError.invalidCentile(0)) { try Intergrowth21st.value(atCentile: 0, for: .hc, gaWeeks: 20) }
        #expect(throws: BiometryError.invalidCentile(100)) { try Intergrowth21st.value(.hc, atCentile: 100, gaWeeks: 20) }
        #expect(throws: BiometryError.invalidMeasurement(name: "HC", value: -1)) {
            try Intergrowth21st.zScore(.hc, valueMM: -1, gaWeeks: 20)
        }
    }

    @Test("centile and value(atCentile:) are inverses across the chart")
    func centileRoundTrips() throws {
        for measure in BiometricMeasure.allCases {
            for t in stride(from: 14.0, through: 40.0, by: 1.3) {
                for p in [0.5, 3, 10, 50, 90, 97, 99.5] {
                    let v = try Intergrowth21st.value(atCentile: p, for: measure, gaWeeks: t)
                    #expect(abs(try Intergrowth21st.centile(measure, valueMM: v, gaWeeks: t) - p) < 1e-9)
                }
            }
        }
    }

    @Test("standard normal quantile is exact at the 3rd and 97th centiles and inverts the CDF")
    func normalQuantile() {
        #expect(abs(StandardNormal.quantile(0.03) - -1.880793608151251) < 1e-12)
        #expect(abs(StandardNormal.quantile(0.97) - 1.880793608151251) < 1e-12)
        #expect(StandardNormal.quantile(0.5) == 0)
        for p in stride(from: 1e-6, to: 1, by: 0.0137) {
            #expect(abs(StandardNormal.cdf(StandardNormal.quantile(p)) - p) < 1e-14)
        }
    }

    private func relativeError(_ a: Double, _ b: Double) -> Double { abs(a - b) / abs(b) }
}
