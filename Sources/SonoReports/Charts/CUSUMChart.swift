import SonoBiometry
package import SonoL10n

/// An SVG chart of the two-sided tabular CUSUM of reported z-scores for one group, one line pair
/// per measure: S⁺ drawn upwards, S⁻ drawn downwards, with the decision interval ±h dashed.
///
/// Reading it: a line that climbs steadily past +h means the operator's values have run high
/// since the point where the climb began; a flat line near zero means no drift.
package struct CUSUMChart: Sendable {
    package var title: String
    package var measures: [MeasureAudit]
    package var thresholds: AuditThresholds

    static let width = 560.0, height = 260.0
    static let marginLeft = 48.0, marginRight = 70.0, marginTop = 30.0, marginBottom = 38.0

    /// Colour and dash per measure, so lines differ in more than hue.
    static func style(_ m: BiometricMeasure) -> (colour: String, dash: String) {
        switch m {
        case .hc: return ("#1f4e8c", "")
        case .bpd: return ("#b03a2e", "6 3")
        case .ofd: return ("#1e8449", "2 3")
        case .ac: return ("#7d3c98", "8 3 2 3")
        case .fl: return ("#9a6700", "10 4")
        }
    }

    package init(title: String, measures: [MeasureAudit], thresholds: AuditThresholds) {
        self.title = title
        self.measures = measures
        self.thresholds = thresholds
    }

    private static func n(_ v: Double) -> String { TextFormat.fixed(v, 2) }

    package func svg(idPrefix: String, localizer L: Localizer = .en) -> String {
        let w = Self.width, h = Self.height
        let left = Self.marginLeft, right = w - Self.marginRight
        let top = Self.marginTop, bottom = h - Self.marginBottom
        let maxCount = max(2, measures.map(\.cusum.count).max() ?? 2)
        let peak = measures.flatMap(\.cusum).map { max($0.upper, $0.lower) }.max() ?? 0
        // Whole multiples of 5 (at least 2h) keep the tick labels round.
        var limit = max((thresholds.cusumH * 2 / 5).rounded(.up) * 5, (peak / 5).rounded(.up) * 5)
        let step = limit <= 20 ? 5.0 : 10.0
        limit = (limit / step).rounded(.up) * step
        func x(_ i: Int) -> Double { left + Double(i) / Double(maxCount - 1) * (right - left) }
        func y(_ v: Double) -> Double { (top + bottom) / 2 - v / limit * (bottom - top) / 2 }
        let token = Markup.token(idPrefix)
        var desc = L.text("cusum.desc", ["k": .text(TextFormat.fixed(thresholds.cusumK, 2)), "h": .text(TextFormat.fixed(thresholds.cusumH, 1))])
        for m in measures {
            var args: [String: MessageArg] = [
                "measure": .text(m.measure.rawValue), "scans": .text(L.plural("count.scans", count: m.count)),
                "upper": .text(TextFormat.fixed(m.cusum.last?.upper, 2)), "lower": .text(TextFormat.fixed(m.cusum.last?.lower, 2)),
            ]
            if let i = m.cusumSignalIndex {
                args["n"] = .number(Double(i + 1))
                args["scan"] = .text(m.cusum[i].scanID)
                desc += " " + L.text("cusum.desc.measure_signal", args)
            } else {
                desc += " " + L.text("cusum.desc.measure", args)
            }
        }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(Self.n(w)) \(Self.n(h))\" width=\"\(Int(w))\" height=\"\(Int(h))\" role=\"img\" aria-labelledby=\"\(token)-title \(token)-desc\">\n"
        s += "<title id=\"\(token)-title\">\(Markup.escape(title))</title>\n"
        s += "<desc id=\"\(token)-desc\">\(Markup.escape(desc))</desc>\n"
        s += "<rect x=\"0\" y=\"0\" width=\"\(Self.n(w))\" height=\"\(Self.n(h))\" fill=\"#ffffff\"/>\n"
        s += "<text x=\"\(Self.n(left))\" y=\"18\" font-family=\"sans-serif\" font-size=\"13\" font-weight=\"bold\" fill=\"#111111\">\(Markup.escape(title))</text>\n"
        // Axes, zero line and ±h.
        s += "<g font-family=\"sans-serif\" font-size=\"10\" fill=\"#222222\">\n"
        var tick = -limit
        while tick <= limit + 1e-9 {
            s += "<line x1=\"\(Self.n(left))\" y1=\"\(Self.n(y(tick)))\" x2=\"\(Self.n(right))\" y2=\"\(Self.n(y(tick)))\" stroke=\"#e0e0e0\"/>"
            s += "<text x=\"\(Self.n(left - 5))\" y=\"\(Self.n(y(tick) + 3))\" text-anchor=\"end\">\(TextFormat.fixed(abs(tick), 0))</text>\n"
            tick += step
        }
        s += "<text x=\"\(Self.n(left - 36))\" y=\"\(Self.n(y(limit * 0.5)))\" transform=\"rotate(-90 \(Self.n(left - 36)) \(Self.n(y(limit * 0.5))))\" text-anchor=\"middle\">\(Markup.escape(L.text("cusum.axis_high")))</text>\n"
        s += "<text x=\"\(Self.n(left - 36))\" y=\"\(Self.n(y(-limit * 0.5)))\" transform=\"rotate(-90 \(Self.n(left - 36)) \(Self.n(y(-limit * 0.5))))\" text-anchor=\"middle\">\(Markup.escape(L.text("cusum.axis_low")))</text>\n"
        s += "<text x=\"\(Self.n((left + right) / 2))\" y=\"\(Self.n(h - 6))\" text-anchor=\"middle\" font-size=\"11\">\(Markup.escape(L.text("cusum.axis_scans", ["count": .number(Double(maxCount))])))</text>\n"
        s += "</g>\n"
        s += "<line x1=\"\(Self.n(left))\" y1=\"\(Self.n(y(0)))\" x2=\"\(Self.n(right))\" y2=\"\(Self.n(y(0)))\" stroke=\"#333333\" stroke-width=\"1.2\"/>\n"
        for sign in [1.0, -1.0] {
            let yy = Self.n(y(sign * thresholds.cusumH))
            s += "<line class=\"decision\" x1=\"\(Self.n(left))\" y1=\"\(yy)\" x2=\"\(Self.n(right))\" y2=\"\(yy)\" stroke=\"#555555\" stroke-width=\"1\" stroke-dasharray=\"2 3\"/>\n"
        }
        s += "<text x=\"\(Self.n(right + 4))\" y=\"\(Self.n(y(thresholds.cusumH) + 3))\" font-family=\"sans-serif\" font-size=\"10\" fill=\"#333333\">+h</text>\n"
        s += "<text x=\"\(Self.n(right + 4))\" y=\"\(Self.n(y(-thresholds.cusumH) + 3))\" font-family=\"sans-serif\" font-size=\"10\" fill=\"#333333\">\u{2212}h</text>\n"
        s += "<line x1=\"\(Self.n(left))\" y1=\"\(Self.n(top))\" x2=\"\(Self.n(left))\" y2=\"\(Self.n(bottom))\" stroke=\"#333333\"/>\n"
        for (row, m) in measures.enumerated() {
            let style = Self.style(m.measure)
            let dash = style.dash.isEmpty ? "" : " stroke-dasharray=\"\(style.dash)\""
            let up = m.cusum.enumerated().map { "\(Self.n(x($0.offset))),\(Self.n(y(min(limit, $0.element.upper))))" }
            let down = m.cusum.enumerated().map { "\(Self.n(x($0.offset))),\(Self.n(y(-min(limit, $0.element.lower))))" }
            for (side, pts) in [("upper", up), ("lower", down)] where pts.count > 0 {
                s += "<polyline class=\"cusum \(side)\" data-measure=\"\(m.measure.abbreviation)\" points=\"\(pts.joined(separator: " "))\" fill=\"none\" stroke=\"\(style.colour)\" stroke-width=\"1.8\"\(dash)/>\n"
            }
            if let i = m.cusumSignalIndex {
                let p = m.cusum[i]
                let v = p.upper > thresholds.cusumH ? min(limit, p.upper) : -min(limit, p.lower)
                s += "<circle cx=\"\(Self.n(x(i)))\" cy=\"\(Self.n(y(v)))\" r=\"4\" fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\"><title>\(Markup.escape(L.text("cusum.crossing", ["measure": .text(m.measure.rawValue), "scan": .text(p.scanID)])))</title></circle>\n"
            }
            let ly = top + 4 + Double(row) * 14
            s += "<line x1=\"\(Self.n(right + 26))\" y1=\"\(Self.n(ly))\" x2=\"\(Self.n(right + 44))\" y2=\"\(Self.n(ly))\" stroke=\"\(style.colour)\" stroke-width=\"2\"\(dash)/>"
            s += "<text x=\"\(Self.n(right + 47))\" y=\"\(Self.n(ly + 3))\" font-family=\"sans-serif\" font-size=\"10\" fill=\"#222222\">\(Markup.escape(L.text("term." + m.measure.rawValue)))</text>\n"
        }
        s += "</svg>"
        return s
    }
}
