package import SonoBiometry
package import SonoL10n

/// An INTERGROWTH-21st fetal growth chart for one measure, drawn as a self-contained SVG with the
/// 3rd/10th/50th/90th/97th centile curves over 14–40 weeks and the scan's points on it.
///
/// The curves come straight from ``Intergrowth21st`` (the same equations the checks score
/// against), sampled every half week so every whole week is a vertex of the polyline; a test
/// reads the polylines back and compares them with the published centile tables.
/// Output is deterministic: coordinates are printed with two decimals, no locale involved.
package struct GrowthChart: Sendable {
    /// One plotted observation.
    package struct Point: Sendable, Hashable {
        package var gaWeeks: Double
        package var valueMM: Double
        /// Legend text, e.g. "reported" or "automatic".
        package var label: String
        package var style: Style

        package enum Style: String, Sendable, Hashable { case reported, automatic }

        package init(gaWeeks: Double, valueMM: Double, label: String, style: Style = .reported) {
            self.gaWeeks = gaWeeks; self.valueMM = valueMM; self.label = label; self.style = style
        }
    }

    package static let centiles: [Double] = [3, 10, 50, 90, 97]
    /// Sampling step of the curves, in weeks; 14–40 at this step puts a vertex on every week.
    static let stepWeeks = 0.5

    package var measure: BiometricMeasure
    package var points: [Point]

    // Plot geometry in SVG user units.
    static let width = 520.0, height = 340.0
    static let marginLeft = 56.0, marginRight = 44.0, marginTop = 34.0, marginBottom = 46.0

    package init(measure: BiometricMeasure, points: [Point]) {
        self.measure = measure
        self.points = points
    }

    /// The centile curve as (exact weeks, mm) pairs from 14 to 40 weeks.
    package static func curve(_ measure: BiometricMeasure, centile: Double) -> [(gaWeeks: Double, valueMM: Double)] {
        if let index = centiles.firstIndex(of: centile), let cached = standardCurves[measure] {
            return cached[index]
        }
        return sampledCurve(measure, centile: centile)
    }

    /// Every chart draws the same curves: computing them once per process took a quarter of a
    /// whole `sonoqc analyze` run before (each point needs the normal quantile).
    private static let standardCurves: [BiometricMeasure: [[(gaWeeks: Double, valueMM: Double)]]] = {
        var table: [BiometricMeasure: [[(gaWeeks: Double, valueMM: Double)]]] = [:]
        for measure in BiometricMeasure.allCases {
            table[measure] = centiles.map { sampledCurve(measure, centile: $0) }
        }
        return table
    }()

    private static func sampledCurve(_ measure: BiometricMeasure, centile: Double) -> [(gaWeeks: Double, valueMM: Double)] {
        let count = Int(((Intergrowth21st.validWeeks.upperBound - Intergrowth21st.validWeeks.lowerBound) / stepWeeks)
            .rounded())
        return (0...count).compactMap { i in
            let ga = Intergrowth21st.validWeeks.lowerBound + Double(i) * stepWeeks
            guard let value = try? Intergrowth21st.value(measure, atCentile: centile, gaWeeks: ga) else { return nil }
            return (ga, value)
        }
    }

    /// The value axis range, rounded out to whole ticks so labels stay readable.
    var valueRangeMM: (lower: Double, upper: Double, tick: Double) {
        let low = Self.curve(measure, centile: Self.centiles.first!).map(\.valueMM).min() ?? 0
        let high = Self.curve(measure, centile: Self.centiles.last!).map(\.valueMM).max() ?? 1
        let plotted = points.filter { Self.isPlottable($0) }.map(\.valueMM)
        let lo = min(low, plotted.min() ?? low), hi = max(high, plotted.max() ?? high)
        let tick: Double = (hi - lo) > 250 ? 50 : (hi - lo) > 100 ? 20 : 10
        return ((lo / tick).rounded(.down) * tick, (hi / tick).rounded(.up) * tick, tick)
    }

    static func isPlottable(_ point: Point) -> Bool {
        point.gaWeeks.isFinite && point.valueMM.isFinite && point.valueMM > 0
            && point.gaWeeks >= 10 && point.gaWeeks <= 44 && point.valueMM < 1000
    }

    /// SVG x coordinate of a gestational age.
    func x(_ gaWeeks: Double) -> Double {
        let range = Intergrowth21st.validWeeks
        let clamped = min(max(gaWeeks, range.lowerBound - 0.5), range.upperBound + 0.5)
        return Self.marginLeft + (clamped - range.lowerBound) / (range.upperBound - range.lowerBound)
            * (Self.width - Self.marginLeft - Self.marginRight)
    }

    /// SVG y coordinate of a length in mm.
    func y(_ valueMM: Double) -> Double {
        let r = valueRangeMM
        return Self.height - Self.marginBottom
            - (valueMM - r.lower) / (r.upper - r.lower) * (Self.height - Self.marginTop - Self.marginBottom)
    }

    private static func n(_ v: Double) -> String { TextFormat.fixed(v, 2) }

    /// Human-readable description of the points in `L`'s language, also used as the SVG `<desc>`.
    package func description(_ L: Localizer = .en) -> String {
        let measureArg: [String: MessageArg] = ["measure": .text(measure.rawValue)]
        var parts = [L.text("chart.desc", measureArg)]
        for p in points {
            var args = measureArg
            args["label"] = .text(p.label)
            args["value_mm"] = .text(TextFormat.fixed(p.valueMM, 1))
            args["ga"] = .text(L.gestationalAge(weeks: p.gaWeeks))
            if let z = try? Intergrowth21st.zScore(measure, valueMM: p.valueMM, gaWeeks: p.gaWeeks),
               let c = try? Intergrowth21st.centile(measure, valueMM: p.valueMM, gaWeeks: p.gaWeeks) {
                args["z"] = .text(TextFormat.signed(z, 2))
                args["centile"] = .text(TextFormat.fixed(c, 1))
                parts.append(L.text("chart.desc.point", args))
            } else {
                parts.append(L.text("chart.desc.point_outside", args))
            }
        }
        return parts.joined(separator: " ")
    }

    /// The chart as an inline `<svg>` element (no XML prolog, no external references).
    /// `idPrefix` keeps `id`s unique when several charts share one page.
    package func svg(idPrefix: String = "gc", localizer L: Localizer = .en) -> String {
        let measureArg: [String: MessageArg] = ["measure": .text(measure.rawValue)]
        let w = Self.width, h = Self.height
        let left = Self.marginLeft, right = w - Self.marginRight
        let top = Self.marginTop, bottom = h - Self.marginBottom
        let r = valueRangeMM
        let titleID = "\(Markup.token(idPrefix))-title", descID = "\(Markup.token(idPrefix))-desc"
        var s = ""
        s += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(Self.n(w)) \(Self.n(h))\" "
        s += "width=\"\(Int(w))\" height=\"\(Int(h))\" role=\"img\" aria-labelledby=\"\(titleID) \(descID)\">\n"
        s += "<title id=\"\(titleID)\">\(Markup.escape(L.text("chart.title", measureArg)))</title>\n"
        s += "<desc id=\"\(descID)\">\(Markup.escape(description(L)))</desc>\n"
        s += "<rect x=\"0\" y=\"0\" width=\"\(Self.n(w))\" height=\"\(Self.n(h))\" fill=\"#ffffff\"/>\n"
        // Grid and axes.
        s += "<g class=\"grid\" stroke=\"#d9d9d9\" stroke-width=\"1\">\n"
        var week = 14
        while week <= 40 {
            let xx = Self.n(x(Double(week)))
            s += "<line x1=\"\(xx)\" y1=\"\(Self.n(top))\" x2=\"\(xx)\" y2=\"\(Self.n(bottom))\"/>\n"
            week += 2
        }
        var value = r.lower
        while value <= r.upper + 1e-9 {
            let yy = Self.n(y(value))
            s += "<line x1=\"\(Self.n(left))\" y1=\"\(yy)\" x2=\"\(Self.n(right))\" y2=\"\(yy)\"/>\n"
            value += r.tick
        }
        s += "</g>\n"
        s += "<g class=\"axes\" stroke=\"#333333\" stroke-width=\"1.2\" fill=\"none\">"
        s += "<polyline points=\"\(Self.n(left)),\(Self.n(top)) \(Self.n(left)),\(Self.n(bottom)) \(Self.n(right)),\(Self.n(bottom))\"/></g>\n"
        s += "<g class=\"ticks\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#222222\">\n"
        week = 14
        while week <= 40 {
            s += "<text x=\"\(Self.n(x(Double(week))))\" y=\"\(Self.n(bottom + 15))\" text-anchor=\"middle\">\(week)</text>\n"
            week += 2
        }
        value = r.lower
        while value <= r.upper + 1e-9 {
            s += "<text x=\"\(Self.n(left - 6))\" y=\"\(Self.n(y(value) + 4))\" text-anchor=\"end\">\(TextFormat.fixed(value, 0))</text>\n"
            value += r.tick
        }
        s += "</g>\n"
        s += "<text x=\"\(Self.n((left + right) / 2))\" y=\"\(Self.n(h - 8))\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"12\" fill=\"#222222\">\(Markup.escape(L.text("chart.axis_ga")))</text>\n"
        s += "<text transform=\"translate(14 \(Self.n((top + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"12\" fill=\"#222222\">\(Markup.escape(L.text("chart.axis_value", measureArg)))</text>\n"
        s += "<text x=\"\(Self.n(left))\" y=\"20\" font-family=\"sans-serif\" font-size=\"14\" font-weight=\"bold\" fill=\"#111111\">\(Markup.escape(L.text("chart.heading", measureArg)))</text>\n"
        // Shaded band between the 10th and 90th centile helps reading the point's position.
        let c10 = Self.curve(measure, centile: 10), c90 = Self.curve(measure, centile: 90)
        let band = (c10 + c90.reversed()).map { "\(Self.n(x($0.gaWeeks))),\(Self.n(y($0.valueMM)))" }
        s += "<polygon class=\"band\" points=\"\(band.joined(separator: " "))\" fill=\"#e8f0fa\" stroke=\"none\"/>\n"
        for centile in Self.centiles {
            let curve = Self.curve(measure, centile: centile)
            let pts = curve.map { "\(Self.n(x($0.gaWeeks))),\(Self.n(y($0.valueMM)))" }.joined(separator: " ")
            let isMedian = centile == 50
            let dash = (centile == 3 || centile == 97) ? " stroke-dasharray=\"5 3\"" : ""
            s += "<polyline class=\"centile\" data-centile=\"\(TextFormat.fixed(centile, 0))\" points=\"\(pts)\" fill=\"none\" "
            s += "stroke=\"\(isMedian ? "#1f4e8c" : "#5b7fb0")\" stroke-width=\"\(isMedian ? "2" : "1.3")\"\(dash)/>\n"
        }
        for (centile, labelY) in centileLabelPositions() {
            s += "<text x=\"\(Self.n(right + 4))\" y=\"\(Self.n(labelY + 4))\" font-family=\"sans-serif\" font-size=\"10\" fill=\"#1f3b66\">\(Markup.escape(L.text(Self.centileLabelKey(centile))))</text>\n"
        }
        // Points: reported as filled circles, automatic as hollow diamonds (shape as well as colour).
        for (index, p) in points.enumerated() where Self.isPlottable(p) {
            let px = x(p.gaWeeks), py = y(p.valueMM)
            let label = Markup.escape(L.text("chart.point", ["label": .text(p.label), "value_mm": .text(TextFormat.fixed(p.valueMM, 1)),
                                                             "ga": .text(L.gestationalAge(weeks: p.gaWeeks))]))
            switch p.style {
            case .reported:
                s += "<circle class=\"point reported\" data-index=\"\(index)\" cx=\"\(Self.n(px))\" cy=\"\(Self.n(py))\" r=\"5\" fill=\"#c0392b\" stroke=\"#ffffff\" stroke-width=\"1.5\"><title>\(label)</title></circle>\n"
            case .automatic:
                let d = 6.0
                s += "<polygon class=\"point automatic\" data-index=\"\(index)\" points=\"\(Self.n(px)),\(Self.n(py - d)) \(Self.n(px + d)),\(Self.n(py)) \(Self.n(px)),\(Self.n(py + d)) \(Self.n(px - d)),\(Self.n(py))\" fill=\"none\" stroke=\"#111111\" stroke-width=\"2\"><title>\(label)</title></polygon>\n"
            }
        }
        // Legend.
        let legendX = left + 10, legendY = top + 10
        s += "<g class=\"legend\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#222222\">\n"
        s += "<circle cx=\"\(Self.n(legendX))\" cy=\"\(Self.n(legendY))\" r=\"4\" fill=\"#c0392b\"/><text x=\"\(Self.n(legendX + 9))\" y=\"\(Self.n(legendY + 4))\">\(Markup.escape(L.text("chart.reported")))</text>\n"
        s += "<polygon points=\"\(Self.n(legendX + 74)),\(Self.n(legendY - 5)) \(Self.n(legendX + 79)),\(Self.n(legendY)) \(Self.n(legendX + 74)),\(Self.n(legendY + 5)) \(Self.n(legendX + 69)),\(Self.n(legendY))\" fill=\"none\" stroke=\"#111111\" stroke-width=\"1.6\"/><text x=\"\(Self.n(legendX + 84))\" y=\"\(Self.n(legendY + 4))\">\(Markup.escape(L.text("chart.automatic")))</text>\n"
        s += "</g>\n"
        s += "</svg>"
        return s
    }

    /// y of each centile's label at 40 weeks, pushed apart to at least 10 units so they stay legible
    /// where the curves run close together.
    func centileLabelPositions() -> [(Double, Double)] {
        var ys = Self.centiles.map { y((try? Intergrowth21st.value(measure, atCentile: $0, gaWeeks: 40)) ?? 0) }
        // Centiles ascend, so y descends; walk from the 3rd upwards keeping a 10-unit gap.
        let gap = 10.0
        for i in 1..<ys.count where ys[i] > ys[i - 1] - gap { ys[i] = ys[i - 1] - gap }
        // Re-centre the group on the median so it does not drift above the curves.
        let shift = (y((try? Intergrowth21st.value(measure, atCentile: 50, gaWeeks: 40)) ?? 0) - ys[2])
        return zip(Self.centiles, ys.map { $0 + shift }).map { ($0, $1) }
    }

    /// Catalogue key of a centile curve's label ("3rd" / "P3").
    static func centileLabelKey(_ centile: Double) -> String { "chart.centile." + TextFormat.fixed(centile, 0) }
}
