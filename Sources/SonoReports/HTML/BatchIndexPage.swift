/// The batch `index.html`: counts, a filter form, the scan table (flagged first) and a thumbnail
/// grid of every image.
///
/// Filtering is a small inline script over `data-*` attributes; without scripts the form stays
/// hidden and every scan and image is listed, so the page still works (and prints) in full.
enum BatchIndexPage {
    struct Entry {
        var view: ScanReportView
        /// Folder of the scan relative to the index ("scans/S001").
        var folder: String
        /// Thumbnail file names inside `folder`, per image (nil when there is none).
        var thumbnails: [String?]
    }

    /// Flagged first (fail, then review), then by scan id.
    static func sorted(_ entries: [Entry]) -> [Entry] {
        entries.sorted { a, b in
            if a.view.verdict != b.view.verdict { return a.view.verdict > b.view.verdict }
            if a.view.scanID != b.view.scanID { return a.view.scanID < b.view.scanID }
            return a.folder < b.folder
        }
    }

    static func html(_ entries: [Entry], title: String) -> String {
        let entries = sorted(entries)
        let scanCount = entries.count
        let imageCount = entries.reduce(0) { $0 + $1.view.images.count }
        var verdictCounts: [AuditVerdict: Int] = [:]
        var ruleScans: [String: Int] = [:], ruleImages: [String: Int] = [:]
        var ruleTitles: [String: String] = [:]
        for e in entries {
            for f in e.view.images.flatMap(\.findings) + e.view.scanFindings where !f.ruleTitle.isEmpty {
                ruleTitles[f.ruleID] = f.ruleTitle
            }
        }
        for e in entries {
            verdictCounts[e.view.verdict, default: 0] += 1
            for rule in e.view.firedRuleIDs { ruleScans[rule, default: 0] += 1 }
            for image in e.view.images {
                for rule in image.firedRuleIDs {
                    ruleImages[rule, default: 0] += 1
                }
            }
        }
        let units = Set(entries.map { $0.view.unitID ?? AuditAnalysis.unknownID }).sorted()
        let operators = Set(entries.map { $0.view.operatorID ?? AuditAnalysis.unknownID }).sorted()
        let rules = ruleScans.keys.sorted()

        var s = Stylesheet.head(title: title)
        s += "<body>\n<a class=\"skip\" href=\"#scans\">Skip to scans</a>\n<header class=\"page\">\n"
        s += "<h1>\(Markup.escape(title))</h1>\n"
        s += "<p>\(scanCount) scan\(scanCount == 1 ? "" : "s"), \(imageCount) image\(imageCount == 1 ? "" : "s"): "
        s += AuditVerdict.allCases.reversed().map { "\(Stylesheet.badge($0)) \(verdictCounts[$0, default: 0])" }.joined(separator: " ")
        s += "</p>\n</header>\n<main id=\"main\">\n"

        // Filters (revealed by the script).
        s += "<form class=\"filters\" id=\"filters\" hidden=\"hidden\" aria-label=\"Filter scans and images\">\n"
        s += select("verdict", "Verdict", AuditVerdict.allCases.reversed().map { ($0.rawValue, $0.rawValue) })
        s += select("unit", "Unit", units.map { (Markup.token($0), $0) })
        s += select("operator", "Operator", operators.map { (Markup.token($0), $0) })
        s += select("rule", "Rule", rules.map { rule in (rule, ruleTitles[rule].map { "\(rule) \($0)" } ?? rule) })
        s += "<button type=\"reset\" id=\"filter-reset\">Show all</button>\n"
        s += "<p id=\"filter-count\" class=\"muted\" aria-live=\"polite\"></p>\n"
        s += "</form>\n"

        s += "<section aria-labelledby=\"grid-h\"><h2 id=\"grid-h\">All images</h2>\n"
        s += "<p class=\"muted\">Flagged images have a red (fail) or amber (review) border and say so in their caption.</p>\n<ul class=\"grid\">\n"
        for e in entries {
            for (i, image) in e.view.images.enumerated() {
                let rules = image.firedRuleIDs
                let cls = image.isFlagged ? " class=\"flagged \(image.verdict.rawValue)\"" : ""
                s += "<li\(cls)\(dataAttributes(e.view, rules: rules, verdict: image.verdict))>"
                s += "<a href=\"\(Markup.escape(e.folder))/\(ReportLayout.reportFileName)#image-\(i + 1)\">"
                if let thumb = i < e.thumbnails.count ? e.thumbnails[i] : nil {
                    s += "<img loading=\"lazy\" src=\"\(Markup.escape(e.folder))/\(Markup.escape(thumb))\" alt=\"\(Markup.escape("Scan \(e.view.scanID), \(image.file): \(image.verdict.rawValue)"))\"/>"
                } else {
                    s += "<span class=\"muted\">no thumbnail</span>"
                }
                let shortName = image.file.split(separator: "/").last.map(String.init) ?? image.file
                s += "<span class=\"cap\"><span>\(Markup.escape(e.view.scanID)) · \(Markup.escape(shortName))</span>"
                s += image.isFlagged ? "<span class=\"flagtext\">\(image.verdict.rawValue)</span>" : "<span>pass</span>"
                s += "</span></a></li>\n"
            }
        }
        s += "</ul>\n</section>\n"
        s += "<section aria-labelledby=\"scans-h\" id=\"scans\" tabindex=\"-1\"><h2 id=\"scans-h\">Scans (flagged first)</h2>\n"
        s += "<table id=\"scan-table\">\n<thead><tr><th scope=\"col\">Scan</th><th scope=\"col\">Verdict</th><th scope=\"col\">Unit</th>"
        s += "<th scope=\"col\">Operator</th><th scope=\"col\">Exam date</th><th scope=\"col\">GA</th><th scope=\"col\" class=\"num\">Images</th><th scope=\"col\">Reasons</th></tr></thead>\n<tbody>\n"
        for e in entries {
            let v = e.view
            s += "<tr class=\"scan\"\(dataAttributes(v, rules: v.firedRuleIDs))>"
            s += "<th scope=\"row\"><a href=\"\(Markup.escape(e.folder))/\(ReportLayout.reportFileName)\">\(Markup.escape(v.scanID))</a></th>"
            s += "<td>\(Stylesheet.badge(v.verdict))</td><td>\(Markup.escape(v.unitID ?? "–"))</td><td>\(Markup.escape(v.operatorID ?? "–"))</td>"
            s += "<td>\(Markup.escape(v.examDate ?? "–"))</td><td>\(TextFormat.gestationalAge(weeks: v.gestationalAgeWeeks))</td>"
            s += "<td class=\"num\">\(v.images.count)</td><td>"
            let shown = v.reasons.prefix(3)
            s += shown.map { Markup.escape($0) }.joined(separator: "<br/>")
            if v.reasons.count > shown.count { s += "<br/><span class=\"muted\">and \(v.reasons.count - shown.count) more</span>" }
            s += "</td></tr>\n"
        }
        s += "</tbody>\n</table>\n</section>\n"

        s += "<section aria-labelledby=\"rules-h\"><h2 id=\"rules-h\">Findings per rule</h2>\n"
        if rules.isEmpty {
            s += "<p>No rule flagged anything or asked for a reviewer.</p>\n"
        } else {
            s += "<table>\n<caption>Scans and images on which each rule flagged, asked for a reviewer or could not check</caption>\n"
            s += "<thead><tr><th scope=\"col\">Rule</th><th scope=\"col\">Checks</th><th scope=\"col\" class=\"num\">Scans</th><th scope=\"col\" class=\"num\">Images</th></tr></thead>\n<tbody>\n"
            for rule in rules.sorted(by: { (ruleScans[$0]!, $1) > (ruleScans[$1]!, $0) }) {
                s += "<tr><th scope=\"row\"><code>\(Markup.escape(rule))</code></th><td>\(Markup.escape(ruleTitles[rule] ?? ""))</td><td class=\"num\">\(ruleScans[rule]!)</td><td class=\"num\">\(ruleImages[rule, default: 0])</td></tr>\n"
            }
            s += "</tbody>\n</table>\n"
        }
        s += "</section>\n"

        s += "</main>\n"
        s += "<footer class=\"page\"><p>Generated by SonoQC. Each scan's folder holds its report.json, report.html and overlay thumbnails.</p></footer>\n"
        s += "<script>\n\(script)\n</script>\n</body>\n</html>\n"
        return s
    }

    static func dataAttributes(_ v: ScanReportView, rules: [String], verdict: AuditVerdict? = nil) -> String {
        " data-verdict=\"\((verdict ?? v.verdict).rawValue)\" data-unit=\"\(Markup.token(v.unitID ?? AuditAnalysis.unknownID))\""
            + " data-operator=\"\(Markup.token(v.operatorID ?? AuditAnalysis.unknownID))\" data-rules=\" \(rules.map(Markup.escape).joined(separator: " ")) \""
    }

    static func select(_ name: String, _ label: String, _ options: [(value: String, text: String)]) -> String {
        var s = "<label for=\"f-\(name)\">\(label)<select id=\"f-\(name)\" name=\"\(name)\">"
        s += "<option value=\"\">all</option>"
        for o in options { s += "<option value=\"\(Markup.escape(o.value))\">\(Markup.escape(o.text))</option>" }
        return s + "</select></label>\n"
    }

    /// Hides rows and grid cells whose data attributes do not match every chosen filter.
    static let script = """
    (function () {
      var form = document.getElementById('filters');
      if (!form) { return; }
      form.hidden = false;
      var items = document.querySelectorAll('tr.scan, ul.grid > li');
      function apply() {
        var v = form.verdict.value, u = form.unit.value, o = form.operator.value, r = form.rule.value;
        var shown = 0;
        for (var i = 0; i < items.length; i++) {
          var d = items[i].dataset;
          var ok = (!v || d.verdict === v) && (!u || d.unit === u) && (!o || d.operator === o)
            && (!r || d.rules.indexOf(' ' + r + ' ') >= 0);
          items[i].hidden = !ok;
          if (ok && items[i].tagName === 'TR') { shown++; }
        }
        document.getElementById('filter-count').textContent = shown + ' scan(s) shown';
      }
      form.addEventListener('change', apply);
      form.addEventListener('reset', function () { setTimeout(apply, 0); });
      apply();
    })();
    """
}
