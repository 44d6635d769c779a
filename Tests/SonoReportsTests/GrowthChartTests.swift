import Foundation
import Testing
import SonoBiometry
import SonoTestSupport
@testable import SonoReports

@Suite("Growth chart SVG")
struct GrowthChartTests {
    /// The chart's scales as a reader of the SVG sees them: the linear maps through its printed axis
    /// tick labels (x: week labels under the axis, y: value labels left of it). Independent of the
    /// chart's own `x(_:)`/`y(_:)` and their inverses, so a wrong scale or a mislabelled axis fails.
    struct PrintedAxes {
        var weekAtX: (Double) -> Double
        var valueAtY: (Double) -> Double

        init(svg: String) throws {
            let ticksStart = try #require(svg.range(of: "<g class=\"ticks\""))
            let ticks = svg[ticksStart.upperBound...]
            let body = String(ticks[..<(ticks.range(of: "</g>")?.lowerBound ?? ticks.endIndex)])
            var xTicks: [(position: Double, label: Double)] = []
            var yTicks: [(position: Double, label: Double)] = []
            for element in body.components(separatedBy: "<text ").dropFirst() {
                func attribute(_ name: String) -> Double? {
                    guard let r = element.range(of: name + "=\"") else { return nil }
                    return Double(element[r.upperBound...].prefix { $0 != "\"" })
                }
                guard let label = Double(element.drop { $0 != ">" }.dropFirst().prefix { $0 != "<" }),
                      let x = attribute("x"), let y = attribute("y") else { continue }
                if element.contains("text-anchor=\"middle\"") { xTicks.append((x, label)) }
                if element.contains("text-anchor=\"end\"") { yTicks.append((y - 4, label)) }  // baseline offset
            }
            try #require(xTicks.count >= 2 && yTicks.count >= 2, "axis labels not found")
            func line(_ ticks: [(position: Double, label: Double)]) -> (Double) -> Double {
                let a = ticks.min { $0.label < $1.label }!, b = ticks.max { $0.label < $1.label }!
                return { p in a.label + (p - a.position) * (b.label - a.label) / (b.position - a.position) }
            }
            weekAtX = line(xTicks)
            valueAtY = line(yTicks)
        }
    }

    /// Reads the polyline of one centile back into (weeks, mm) pairs through the printed axes.
    static func curve(in svg: String, centile: Int) throws -> [(Double, Double)] {
        let axes = try PrintedAxes(svg: svg)
        let marker = "data-centile=\"\(centile)\" points=\""
        guard let start = svg.range(of: marker) else { return [] }
        let rest = svg[start.upperBound...]
        let body = rest[..<rest.firstIndex(of: "\"")!]
        return body.split(separator: " ").map { pair in
            let xy = pair.split(separator: ",").map { Double($0)! }
            return (axes.weekAtX(xy[0]), axes.valueAtY(xy[1]))
        }
    }

    static func publishedCentiles() throws -> [(measure: BiometricMeasure, week: Int, centile: Int, valueMM: Double)] {
        let path = Repository.fixture("reference/intergrowth-published-centiles.csv").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).dropFirst().compactMap { line in
            let f = line.split(separator: ",").map(String.init)
            guard f.count == 5, f[0] == "INTERGROWTH-21st", let m = BiometricMeasure(abbreviation: f[1]),
                  let w = Int(f[2]), let c = Int(f[3]), let v = Double(f[4]) else { return nil }
            return (m, w, c, v)
        }
    }

    @Test("centile curves pass through the published INTERGROWTH-21st centile values",
          arguments: BiometricMeasure.allCases)
    func curvesMatchPublishedTables(measure: BiometricMeasure) throws {
        let chart = GrowthChart(measure: measure, points: [])
        let svg = chart.svg()
        let published = try Self.publishedCentiles().filter { $0.measure == measure && GrowthChart.centiles.contains(Double($0.centile)) }
        #expect(published.count >= 5 * 20, "expected the published table for \(measure.abbreviation)")
        for centile in [3, 10, 50, 90, 97] {
            let points = try Self.curve(in: svg, centile: centile)
            #expect(points.count == 53)
            for row in published where row.centile == centile {
                let vertex = try #require(points.first { abs($0.0 - Double(row.week)) < 0.01 },
                                          "no vertex at week \(row.week)")
                // Published cells are rounded to 0.1 mm, the equations match them within 0.073 mm,
                // and SVG coordinates are printed to 0.01 user units (< 0.03 mm here).
                #expect(abs(vertex.1 - row.valueMM) < 0.16,
                        "\(measure.abbreviation) c\(centile) week \(row.week): chart \(vertex.1) vs published \(row.valueMM)")
            }
        }
    }

    @Test("a scan's point is placed at its gestational age and value")
    func pointIsPlacedAtItsCoordinates() throws {
        let chart = GrowthChart(measure: .hc, points: [.init(gaWeeks: 22.5, valueMM: 201.3, label: "reported")])
        let svg = chart.svg()
        let circle = try #require(svg.range(of: "class=\"point reported\""))
        let tail = String(svg[circle.upperBound...].prefix(80))
        let cx = try #require(Double(tail.components(separatedBy: "cx=\"")[1].prefix { $0 != "\"" }))
        let cy = try #require(Double(tail.components(separatedBy: "cy=\"")[1].prefix { $0 != "\"" }))
        let axes = try PrintedAxes(svg: svg)
        #expect(abs(axes.weekAtX(cx) - 22.5) < 0.01)
        #expect(abs(axes.valueAtY(cy) - 201.3) < 0.05)
    }

    @Test("the chart is accessible, self-contained and deterministic")
    func chartIsAccessibleAndDeterministic() {
        let chart = GrowthChart(measure: .bpd, points: [.init(gaWeeks: 30, valueMM: 70, label: "reported"),
                                                        .init(gaWeeks: 30, valueMM: 76, label: "automatic", style: .automatic)])
        let svg = chart.svg(idPrefix: "x")
        #expect(svg == chart.svg(idPrefix: "x"))
        #expect(svg.contains("<title id=\"x-title\">BPD growth chart"))
        #expect(svg.contains("<desc id=\"x-desc\">"))
        #expect(svg.contains("aria-labelledby=\"x-title x-desc\""))
        #expect(svg.contains("Gestational age (weeks)"))
        #expect(svg.contains("BPD (mm)"))
        #expect(svg.contains("reported: 70.0 mm at 30+0 weeks (z "))
        let check = HTMLStructure("<!DOCTYPE html><html><body>\(svg)</body></html>", baseDirectory: nil)
        #expect(check.problems.isEmpty, "\(check.problems)")
    }

    @Test("a value off the scale widens the axis instead of disappearing")
    func outlierWidensAxis() {
        let plain = GrowthChart(measure: .fl, points: [])
        let outlier = GrowthChart(measure: .fl, points: [.init(gaWeeks: 39, valueMM: 110, label: "reported")])
        #expect(outlier.valueRangeMM.upper >= 110)
        #expect(plain.valueRangeMM.upper < 110)
    }
}
