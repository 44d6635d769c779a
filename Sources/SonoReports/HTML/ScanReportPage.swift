import SonoBiometry
import SonoL10n

/// The per-scan HTML page: header, verdict and reasons first, then one section per image.
///
/// Pure function of the view, the thumbnail file names and the language, so it is
/// byte-deterministic and tested without touching the file system. Every text comes from the
/// catalogue of `L`'s language.
enum ScanReportPage {
    /// `thumbnails[i]` is the file name (relative to the report) of image i's overlay PNG, or nil.
    /// `indexHref` links back to the batch index when there is one.
    static func html(_ view: ScanReportView, thumbnails: [String?], indexHref: String?, localizer L: Localizer) -> String {
        let notStated = L.text("value.not_stated")
        var s = Stylesheet.head(title: L.text("scan.page_title", ["scan": .text(view.scanID)]), language: L.language)
        s += "<body>\n<a class=\"skip\" href=\"#verdict\">\(Markup.escape(L.text("scan.skip_to_verdict")))</a>\n"
        s += "<header class=\"page\">\n" + Stylesheet.runStampParagraph(view.runStamp)
        if let indexHref {
            s += "<nav aria-label=\"\(Markup.escape(L.text("scan.nav_batch")))\"><a href=\"\(Markup.escape(indexHref))\">← \(Markup.escape(L.text("scan.batch_index")))</a></nav>\n"
        }
        s += "<h1>\(Markup.escape(L.text("scan.heading", ["scan": .text(view.scanID)]))) \(Stylesheet.badge(view.verdict, L))</h1>\n"
        s += "<dl class=\"meta\">\n"
        s += "<dt>\(Markup.escape(L.text("field.unit")))</dt><dd>\(Markup.escape(view.unitID ?? notStated))</dd>"
        s += "<dt>\(Markup.escape(L.text("field.operator")))</dt><dd>\(Markup.escape(view.operatorID ?? notStated))</dd>\n"
        s += "<dt>\(Markup.escape(L.text("field.exam_date")))</dt><dd>\(Markup.escape(view.examDate ?? notStated))</dd>"
        var ga = view.gestationalAgeWeeks.map { L.gestationalAge(weeks: $0) } ?? notStated
        if let note = view.gestationalAgeNote { ga = L.text("scan.ga_with_note", ["ga": .text(ga), "note": .text(note)]) }
        s += "<dt>\(Markup.escape(L.text("field.gestational_age")))</dt><dd>\(Markup.escape(ga))</dd>\n"
        s += "</dl>\n</header>\n<main id=\"main\">\n"

        // Verdict and reasons first: the reviewer's first question is "what do I need to look at?".
        s += "<section id=\"verdict\" class=\"verdict \(view.verdict.rawValue)\" tabindex=\"-1\" aria-labelledby=\"verdict-h\">\n"
        s += "<h2 id=\"verdict-h\">\(Markup.escape(L.text("scan.verdict"))) \(Stylesheet.badge(view.verdict, L))</h2>\n"
        if view.reasons.isEmpty {
            s += "<p>\(Markup.escape(L.text("scan.all_passed")))</p>\n"
        } else {
            s += "<ul class=\"reasons\">\n"
            for reason in view.reasons { s += "<li>\(Markup.escape(reason))</li>\n" }
            s += "</ul>\n"
        }
        s += "</section>\n"

        if !view.scanFindings.isEmpty {
            s += "<section aria-labelledby=\"scan-findings-h\"><h2 id=\"scan-findings-h\">\(Markup.escape(L.text("scan.scan_findings")))</h2>\n"
            s += findingsTable(view.scanFindings, id: "scan", heading: false, localizer: L)
            s += "</section>\n"
        }

        if !view.unreadableImages.isEmpty {
            s += "<section aria-labelledby=\"unread-h\"><h2 id=\"unread-h\">\(Markup.escape(L.text("scan.unreadable_images")))</h2>\n<ul>\n"
            for kv in view.unreadableImages {
                s += "<li><strong>\(Markup.escape(kv.key))</strong>: \(Markup.escape(kv.value))</li>\n"
            }
            s += "</ul>\n</section>\n"
        }

        if view.images.count > 1 {
            s += "<nav class=\"toc\" aria-label=\"\(Markup.escape(L.text("scan.images")))\"><h2>\(Markup.escape(L.text("scan.images")))</h2><ol>\n"
            for (i, image) in view.images.enumerated() {
                s += "<li><a href=\"#image-\(i + 1)\">\(Markup.escape(image.file))</a> \(Stylesheet.badge(image.verdict, L))</li>\n"
            }
            s += "</ol></nav>\n"
        }

        for (i, image) in view.images.enumerated() {
            s += imageSection(image, index: i, thumbnail: i < thumbnails.count ? thumbnails[i] : nil,
                              gaWeeks: view.gestationalAgeWeeks, localizer: L)
        }

        if !view.provenance.isEmpty {
            s += "<section aria-labelledby=\"prov-h\"><h2 id=\"prov-h\">\(Markup.escape(L.text("scan.provenance")))</h2>\n<table>\n"
            s += "<caption>\(Markup.escape(L.text("scan.provenance_caption")))</caption>\n<tbody>\n"
            for kv in view.provenance {
                s += "<tr><th scope=\"row\">\(Markup.escape(kv.key))</th><td>\(Markup.escape(kv.value))</td></tr>\n"
            }
            s += "</tbody>\n</table>\n</section>\n"
        }
        s += "</main>\n<footer class=\"page\"><p>\(Markup.escape(L.text("scan.footer")))</p></footer>\n"
        s += Stylesheet.printScript
        s += "</body>\n</html>\n"
        return s
    }

    static func imageSection(_ image: ImageView, index: Int, thumbnail: String?, gaWeeks: Double?, localizer L: Localizer) -> String {
        let id = "image-\(index + 1)"
        var s = "<article class=\"image\" id=\"\(id)\" aria-labelledby=\"\(id)-h\">\n"
        s += "<h2 id=\"\(id)-h\">\(Markup.escape(L.text("image.heading", ["n": .number(Double(index + 1)), "file": .text(image.file)]))) \(Stylesheet.badge(image.verdict, L))</h2>\n"
        s += "<p class=\"muted\">\(Markup.escape(L.text("image.plane", ["plane": .text(image.plane)])))</p>\n"
        s += "<div class=\"image-body\">\n<div class=\"visual\">\n"
        if let thumbnail {
            let alt = L.text("image.alt", ["file": .text(image.file), "overlays": .text(image.overlay.altText(L))])
            s += "<figure>\n<img src=\"\(Markup.escape(thumbnail))\" alt=\"\(Markup.escape(alt))\"/>\n"
            s += "<figcaption class=\"legend\">"
            // Only the layers drawn on this thumbnail, so the legend and the alt text agree with it.
            let drawn = Set(image.overlay.legendKeys)
            for (colour, key) in [("#2ecc71", "legend.field_of_view"), ("#f1c40f", "legend.skull_ellipse"), ("#00d8ff", "legend.bpd"),
                                  ("#ff4fd8", "legend.ofd"), ("#ffffff", "legend.reported_hc"), ("#e74c3c", "legend.masked_text")]
            where drawn.contains(key) {
                s += "<span><i class=\"swatch\" style=\"background:\(colour)\"></i>\(Markup.escape(L.text(key)))</span>"
            }
            s += "</figcaption>\n</figure>\n"
        } else {
            s += "<p class=\"muted\">\(Markup.escape(L.text("image.no_thumbnail")))</p>\n"
        }
        // Charts sit under the thumbnail: together they are what a reviewer looks at first.
        let charted = image.measurements.filter { $0.reportedMM != nil || $0.automaticMM != nil }
        if let gaWeeks, !charted.isEmpty {
            s += "<h3>\(Markup.escape(L.text("image.growth_charts")))</h3>\n<div class=\"charts\">\n"
            for m in charted {
                var points: [GrowthChart.Point] = []
                if let r = m.reportedMM { points.append(.init(gaWeeks: gaWeeks, valueMM: r, label: L.text("chart.reported"), style: .reported)) }
                if let a = m.automaticMM { points.append(.init(gaWeeks: gaWeeks, valueMM: a, label: L.text("chart.automatic"), style: .automatic)) }
                s += GrowthChart(measure: m.measure, points: points).svg(idPrefix: "\(id)-\(m.measure.rawValue)", localizer: L) + "\n"
            }
            s += "</div>\n"
        } else if !charted.isEmpty {
            s += "<p class=\"muted\">\(Markup.escape(L.text("image.no_growth_charts")))</p>\n"
        }
        // Image-quality metrics describe the picture, so they sit under it; the findings and
        // measurements fill the wider column (on paper the two columns keep a scan to two pages).
        s += metricsTable(image.metrics, id: id, localizer: L)
        s += "</div>\n<div class=\"tables\">\n"
        s += findingsTable(image.findings, id: id, localizer: L)
        s += measurementsTable(image.measurements, id: id, localizer: L)
        s += "</div>\n</div>\n"
        s += "</article>\n"
        return s
    }

    static func findingsTable(_ findings: [FindingView], id: String, heading: Bool = true, localizer L: Localizer) -> String {
        var s = heading ? "<h3 id=\"\(id)-findings\">\(Markup.escape(L.text("findings.heading")))</h3>\n" : ""
        guard !findings.isEmpty else { return s + "<p>\(Markup.escape(L.text("findings.none")))</p>\n" }
        // Most serious first, then by rule id, so the order is stable. Passed checks go into a
        // collapsed list: the reviewer sees what needs attention without scrolling past them.
        let sorted = findings.sorted { ($0.severity, $1.ruleID) > ($1.severity, $0.ruleID) }
        let open = sorted.filter { $0.severity != .passed }, passed = sorted.filter { $0.severity == .passed }
        if open.isEmpty {
            s += "<p>\(Markup.escape(L.text("findings.none_open")))</p>\n"
        } else {
            s += rows(open, id: id, heading: heading, localizer: L)
        }
        if !passed.isEmpty {
            s += "<details><summary>\(Markup.escape(L.plural("findings.passed_count", count: passed.count)))</summary>\n"
            s += rows(passed, id: id + "-passed", heading: false, passed: true, localizer: L)
            s += "</details>\n"
        }
        return s
    }

    static func rows(_ sorted: [FindingView], id: String, heading: Bool, passed: Bool = false, localizer L: Localizer) -> String {
        func th(_ key: String) -> String { "<th scope=\"col\">\(Markup.escape(L.text(key)))</th>" }
        var s = "<table class=\"findings\(passed ? " passed" : "")\"" + (heading ? " aria-labelledby=\"\(id)-findings\"" : "") + ">\n<thead><tr>"
        s += th("findings.outcome") + th("findings.rule") + th("findings.value") + th("findings.threshold") + th("findings.explanation")
        s += "</tr></thead>\n<tbody>\n"
        for f in sorted {
            s += "<tr><td class=\"sev \(f.severity.rawValue)\">\(Markup.escape(f.severity.label(L)))</td><td><code>\(Markup.escape(f.ruleID))</code>\(f.ruleTitle.isEmpty ? "" : " " + Markup.escape(f.ruleTitle))</td>"
            s += "<td class=\"val\">\(Markup.escape(f.value ?? "–"))</td><td class=\"val\">\(Markup.escape(f.threshold ?? "–"))</td>"
            s += "<td>\(Markup.escape(f.explanation))</td></tr>\n"
        }
        return s + "</tbody>\n</table>\n"
    }

    static func measurementsTable(_ measurements: [MeasurementView], id: String, localizer L: Localizer) -> String {
        guard !measurements.isEmpty else { return "" }
        func th(_ key: String, num: Bool = true) -> String {
            "<th scope=\"col\"\(num ? " class=\"num\"" : "")>\(Markup.escape(L.text(key)))</th>"
        }
        var s = "<h3 id=\"\(id)-meas\">\(Markup.escape(L.text("measure_table.heading")))</h3>\n"
        s += "<table aria-labelledby=\"\(id)-meas\">\n<thead><tr>" + th("measure_table.measure", num: false) + th("measure_table.reported")
        s += th("measure_table.automatic") + th("measure_table.difference")
        s += th("measure_table.z_reported") + th("measure_table.centile_reported") + th("measure_table.note", num: false) + "</tr></thead>\n<tbody>\n"
        for m in measurements {
            var diff = "–"
            if let d = m.differenceMM, let r = m.reportedMM, r > 0 {
                diff = L.text("measure_table.difference_value", ["mm": .text(TextFormat.signed(d, 1)), "percent": .text(TextFormat.signed(100 * d / r, 1))])
            }
            s += "<tr><th scope=\"row\">\(Markup.escape(L.text("term." + m.measure.rawValue)))</th><td class=\"num\">\(TextFormat.fixed(m.reportedMM, 1))</td>"
            s += "<td class=\"num\">\(TextFormat.fixed(m.automaticMM, 1))</td><td class=\"num\">\(Markup.escape(diff))</td>"
            s += "<td class=\"num\">\(TextFormat.signed(m.reportedZ, 2))</td><td class=\"num\">\(centileText(m.reportedCentile))</td>"
            s += "<td>\(Markup.escape(m.note ?? ""))</td></tr>\n"
        }
        return s + "</tbody>\n</table>\n"
    }

    /// Centiles print with one decimal; the extremes say "< 0.1" / "> 99.9" rather than a
    /// rounded 0.0 or 100.0 that no fetus can have.
    static func centileText(_ c: Double?) -> String {
        guard let c, c.isFinite else { return "–" }
        if c < 0.05 { return "&lt;\u{00A0}0.1" }
        if c > 99.95 { return "&gt;\u{00A0}99.9" }
        return TextFormat.fixed(c, 1)
    }

    static func metricsTable(_ metrics: [MetricView], id: String, localizer L: Localizer) -> String {
        guard !metrics.isEmpty else { return "" }
        var s = "<h3 class=\"metrics\" id=\"\(id)-metrics\">\(Markup.escape(L.text("metrics.heading")))</h3>\n"
        s += "<table class=\"metrics\" aria-labelledby=\"\(id)-metrics\">\n<thead><tr><th scope=\"col\">\(Markup.escape(L.text("metrics.metric")))</th>"
        s += "<th scope=\"col\" class=\"num\">\(Markup.escape(L.text("metrics.value")))</th><th scope=\"col\">\(Markup.escape(L.text("metrics.reading")))</th></tr></thead>\n<tbody>\n"
        for m in metrics {
            s += "<tr><th scope=\"row\">\(Markup.escape(m.name))</th><td class=\"num\">\(Markup.escape(m.value))</td><td>\(Markup.escape(m.note ?? ""))</td></tr>\n"
        }
        return s + "</tbody>\n</table>\n"
    }
}
