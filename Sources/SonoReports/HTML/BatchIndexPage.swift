import Foundation
package import SonoL10n

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

    /// Where a scan goes on the page: flagged first (fail, then review), then by scan id.
    struct Position: Comparable, Sendable {
        var verdict: AuditVerdict
        var scanID: String
        var folder: String

        init(_ view: ScanReportView, folder: String) {
            verdict = view.verdict
            scanID = view.scanID
            self.folder = folder
        }

        static func < (a: Position, b: Position) -> Bool {
            if a.verdict != b.verdict { return a.verdict > b.verdict }
            if a.scanID != b.scanID { return a.scanID < b.scanID }
            return a.folder < b.folder
        }
    }

    /// What the page's header, filters and rule table need from every scan, gathered one scan at
    /// a time so a batch's page can be written without holding its reports: each scan contributes
    /// its own tally (``init(_:)``), and the page's is their sum in the order scans are added.
    struct Tally: Sendable {
        var scanCount = 0
        var imageCount = 0
        var verdictCounts: [AuditVerdict: Int] = [:]
        var ruleScans: [String: Int] = [:]
        var ruleImages: [String: Int] = [:]
        var ruleTitles: [String: String] = [:]
        var units: Set<String> = []
        var operators: Set<String> = []

        init() {}

        /// One scan's contribution.
        init(_ view: ScanReportView) {
            scanCount = 1
            imageCount = view.images.count
            for f in view.images.flatMap(\.findings) + view.scanFindings where !f.ruleTitle.isEmpty {
                ruleTitles[f.ruleID] = f.ruleTitle
            }
            verdictCounts[view.verdict] = 1
            for rule in view.firedRuleIDs { ruleScans[rule, default: 0] += 1 }
            for image in view.images {
                for rule in image.firedRuleIDs { ruleImages[rule, default: 0] += 1 }
            }
            units.insert(view.unitID ?? AuditAnalysis.unknownID)
            operators.insert(view.operatorID ?? AuditAnalysis.unknownID)
        }

        /// Adds the tally of scans added after this one's: counts add up, and a rule's title is
        /// the one its latest scan gave, as if every finding had been visited in order.
        mutating func add(_ later: Tally) {
            scanCount += later.scanCount
            imageCount += later.imageCount
            verdictCounts.merge(later.verdictCounts, uniquingKeysWith: +)
            ruleScans.merge(later.ruleScans, uniquingKeysWith: +)
            ruleImages.merge(later.ruleImages, uniquingKeysWith: +)
            ruleTitles.merge(later.ruleTitles) { _, latest in latest }
            units.formUnion(later.units)
            operators.formUnion(later.operators)
        }
    }

    /// The page of `entries`, composed in memory.
    static func html(_ entries: [Entry], title: String?, runStamp: String? = nil, localizer L: Localizer) -> String {
        var builder = BatchIndexBuilder(title: title, runStamp: runStamp, localizer: L)
        let parts = entries.map { builder.add($0) }
        var s = ""
        builder.compose(gridItems: { parts[$0].gridItems }, tableRow: { parts[$0].tableRow }, write: { s += $0 })
        return s
    }

    /// Writes the page through `write`: the parts that need the whole batch come from `tally`, and
    /// the i-th scan in page order (see ``Position``) from `gridItems(i)` and `tableRow(i)`.
    static func compose(tally: Tally, scans scanCount: Int, title: String?, runStamp: String?, localizer L: Localizer,
                                gridItems: (Int) throws -> String, tableRow: (Int) throws -> String,
                                write: (String) throws -> Void) rethrows {
        let title = title ?? L.text("index.title")
        let units = tally.units.sorted()
        let operators = tally.operators.sorted()
        let rules = tally.ruleScans.keys.sorted()
        func text(_ key: String, _ args: [String: MessageArg] = [:]) -> String { Markup.escape(L.text(key, args)) }
        func th(_ key: String, num: Bool = false) -> String { "<th scope=\"col\"\(num ? " class=\"num\"" : "")>\(text(key))</th>" }

        var s = Stylesheet.head(title: title, language: L.language)
        s += "<body>\n<a class=\"skip\" href=\"#scans\">\(text("index.skip_to_scans"))</a>\n<header class=\"page\">\n"
            + Stylesheet.runStampParagraph(runStamp)
        s += "<h1>\(Markup.escape(title))</h1>\n"
        s += "<p>\(text("index.counts", ["scans": .text(L.plural("count.scans", count: tally.scanCount)), "images": .text(L.plural("count.images", count: tally.imageCount))])) "
        s += AuditVerdict.allCases.reversed().map { v in
            filterLink("verdict", v.rawValue, title: L.text("index.filter_by_verdict", ["verdict": .text(L.text("verdict." + v.rawValue))]),
                       "\(Stylesheet.badge(v, L)) \(tally.verdictCounts[v, default: 0])")
        }.joined(separator: " ")
        s += "</p>\n</header>\n<main id=\"main\">\n"

        // Filters (revealed by the script).
        s += "<form class=\"filters\" id=\"filters\" hidden=\"hidden\" aria-label=\"\(text("index.filter_label"))\">\n"
        s += select("verdict", L.text("index.filter.verdict"), AuditVerdict.allCases.reversed().map { ($0.rawValue, L.text("verdict." + $0.rawValue)) }, L)
        s += select("unit", L.text("field.unit"), units.map { (Markup.token($0), displayID($0, L)) }, L)
        s += select("operator", L.text("field.operator"), operators.map { (Markup.token($0), displayID($0, L)) }, L)
        s += select("rule", L.text("index.filter.rule"), rules.map { rule in (rule, tally.ruleTitles[rule].map { "\(rule) \($0)" } ?? rule) }, L)
        s += "<button type=\"reset\" id=\"filter-reset\">\(text("index.show_all"))</button>\n"
        s += "<p id=\"filter-count\" class=\"muted\" aria-live=\"polite\" data-one=\"\(text("index.shown.one", ["count": .text("{count}")]))\" data-other=\"\(text("index.shown.other", ["count": .text("{count}")]))\"></p>\n"
        s += "</form>\n"

        s += "<section aria-labelledby=\"grid-h\"><h2 id=\"grid-h\">\(text("index.all_images"))</h2>\n"
        s += "<p class=\"muted\">\(text("index.grid_note"))</p>\n<ul class=\"grid\">\n"
        try write(s)
        for i in 0..<scanCount { try write(gridItems(i)) }
        s = "</ul>\n</section>\n"
        s += "<section aria-labelledby=\"scans-h\" id=\"scans\" tabindex=\"-1\"><h2 id=\"scans-h\">\(text("index.scans_heading"))</h2>\n"
        s += "<table id=\"scan-table\">\n<thead><tr>" + th("index.col.scan") + th("index.col.verdict") + th("field.unit")
        s += th("field.operator") + th("field.exam_date") + th("index.col.ga") + th("index.col.images", num: true) + th("index.col.reasons")
        s += "</tr></thead>\n<tbody>\n"
        try write(s)
        for i in 0..<scanCount { try write(tableRow(i)) }
        s = "</tbody>\n</table>\n</section>\n"

        s += "<section aria-labelledby=\"rules-h\"><h2 id=\"rules-h\">\(text("index.rules_heading"))</h2>\n"
        if rules.isEmpty {
            s += "<p>\(text("index.no_rules"))</p>\n"
        } else {
            s += "<table>\n<caption>\(text("index.rules_caption"))</caption>\n"
            s += "<thead><tr>" + th("findings.rule") + th("index.col.checks") + th("index.col.scans", num: true) + th("index.col.images", num: true) + "</tr></thead>\n<tbody>\n"
            for rule in rules.sorted(by: { (tally.ruleScans[$0]!, $1) > (tally.ruleScans[$1]!, $0) }) {
                let link = filterLink("rule", rule, title: L.text("index.filter_by_rule", ["rule": .text(rule)]), "<code>\(Markup.escape(rule))</code>")
                s += "<tr><th scope=\"row\">\(link)</th><td>\(Markup.escape(tally.ruleTitles[rule] ?? ""))</td><td class=\"num\">\(tally.ruleScans[rule]!)</td><td class=\"num\">\(tally.ruleImages[rule, default: 0])</td></tr>\n"
            }
            s += "</tbody>\n</table>\n"
        }
        s += "</section>\n"

        s += "</main>\n"
        s += "<footer class=\"page\"><p>\(text("index.footer"))</p></footer>\n"
        s += "<script>\n\(script)\n</script>\n</body>\n</html>\n"
        try write(s)
    }

    /// The scan's cells in the image grid, one per image.
    static func gridItems(_ e: Entry, localizer L: Localizer) -> String {
        var s = ""
        for (i, image) in e.view.images.enumerated() {
            let rules = image.firedRuleIDs
            let cls = image.isFlagged ? " class=\"flagged \(image.verdict.rawValue)\"" : ""
            let verdictText = L.text("verdict." + image.verdict.rawValue)
            s += "<li\(cls)\(dataAttributes(e.view, rules: rules, verdict: image.verdict))>"
            s += "<a href=\"\(Markup.escape(e.folder))/\(ReportLayout.reportFileName)#image-\(i + 1)\">"
            if let thumb = i < e.thumbnails.count ? e.thumbnails[i] : nil {
                let alt = L.text("index.thumbnail_alt", ["scan": .text(e.view.scanID), "file": .text(image.file), "verdict": .text(verdictText)])
                s += "<img loading=\"lazy\" src=\"\(Markup.escape(e.folder))/\(Markup.escape(thumb))\" alt=\"\(Markup.escape(alt))\"/>"
            } else {
                s += "<span class=\"muted\">\(Markup.escape(L.text("index.no_thumbnail")))</span>"
            }
            let shortName = image.file.split(separator: "/").last.map(String.init) ?? image.file
            s += "<span class=\"cap\"><span>\(Markup.escape(e.view.scanID)) · \(Markup.escape(shortName))</span>"
            s += image.isFlagged ? "<span class=\"flagtext\">\(Markup.escape(verdictText))</span>" : "<span>\(Markup.escape(verdictText))</span>"
            s += "</span></a></li>\n"
        }
        return s
    }

    /// The scan's row in the scan table.
    static func tableRow(_ e: Entry, localizer L: Localizer) -> String {
        let v = e.view
        var s = "<tr class=\"scan\"\(dataAttributes(v, rules: v.firedRuleIDs))>"
        s += "<th scope=\"row\"><a href=\"\(Markup.escape(e.folder))/\(ReportLayout.reportFileName)\">\(Markup.escape(v.scanID))</a></th>"
        let verdictTitle = L.text("index.filter_by_verdict", ["verdict": .text(L.text("verdict." + v.verdict.rawValue))])
        s += "<td>\(filterLink("verdict", v.verdict.rawValue, title: verdictTitle, Stylesheet.badge(v.verdict, L)))</td><td>\(Markup.escape(v.unitID ?? "–"))</td><td>\(Markup.escape(v.operatorID ?? "–"))</td>"
        s += "<td>\(Markup.escape(v.examDate ?? "–"))</td><td>\(Markup.escape(v.gestationalAgeWeeks.map { L.gestationalAge(weeks: $0) } ?? "–"))</td>"
        s += "<td class=\"num\">\(v.images.count)</td><td>"
        let shown = v.reasons.prefix(3)
        s += shown.map { Markup.escape($0) }.joined(separator: "<br/>")
        if v.reasons.count > shown.count {
            s += "<br/><span class=\"muted\">\(Markup.escape(L.text("index.more_reasons", ["count": .number(Double(v.reasons.count - shown.count))])))</span>"
        }
        s += "</td></tr>\n"
        return s
    }

    /// A unit or operator id as shown; the audit's placeholder for a missing id is worded in the page's language.
    static func displayID(_ id: String, _ L: Localizer) -> String {
        id == AuditAnalysis.unknownID ? L.text("value.not_stated") : id
    }

    static func dataAttributes(_ v: ScanReportView, rules: [String], verdict: AuditVerdict? = nil) -> String {
        " data-verdict=\"\((verdict ?? v.verdict).rawValue)\" data-unit=\"\(Markup.token(v.unitID ?? AuditAnalysis.unknownID))\""
            + " data-operator=\"\(Markup.token(v.operatorID ?? AuditAnalysis.unknownID))\" data-rules=\" \(rules.map(Markup.escape).joined(separator: " ")) \""
    }

    /// A link that sets one filter: `?name=value` is the filter state the script reads from the
    /// URL, so the state survives back navigation and can be shared; the script applies it in
    /// place (one history entry per click), without a script the link just reloads the full list.
    static func filterLink(_ name: String, _ value: String, title: String, _ content: String) -> String {
        let query = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_."))) ?? value
        return "<a class=\"filter-link\" href=\"?\(name)=\(query)\" title=\"\(Markup.escape(title))\">\(content)</a>"
    }

    static func select(_ name: String, _ label: String, _ options: [(value: String, text: String)], _ L: Localizer) -> String {
        var s = "<label for=\"f-\(name)\">\(Markup.escape(label))<select id=\"f-\(name)\" name=\"\(name)\">"
        s += "<option value=\"\">\(Markup.escape(L.text("index.filter.all")))</option>"
        for o in options { s += "<option value=\"\(Markup.escape(o.value))\">\(Markup.escape(o.text))</option>" }
        return s + "</select></label>\n"
    }

    /// Hides rows and grid cells whose data attributes do not match every chosen filter. The
    /// filters live in the URL's query (`?verdict=fail&rule=IQ-001`): a change of a menu replaces
    /// it, a filter link adds a history entry, and loading, back and forward read it again.
    static let script = """
    (function () {
      var form = document.getElementById('filters');
      if (!form) { return; }
      form.hidden = false;
      var names = ['verdict', 'unit', 'operator', 'rule'];
      var items = document.querySelectorAll('tr.scan, ul.grid > li');
      function fromURL() {
        var query = new URLSearchParams(location.search);
        names.forEach(function (n) {
          var value = query.get(n) || '', select = form.elements[n], known = false;
          for (var i = 0; i < select.options.length; i++) { if (select.options[i].value === value) { known = true; } }
          select.value = known ? value : '';
        });
      }
      function toURL(push) {
        var query = new URLSearchParams();
        names.forEach(function (n) { if (form.elements[n].value) { query.set(n, form.elements[n].value); } });
        var text = query.toString(), url = location.pathname + (text ? '?' + text : '');
        if (push) { history.pushState(null, '', url); } else { history.replaceState(null, '', url); }
      }
      function apply() {
        var v = form.elements.verdict.value, u = form.elements.unit.value, o = form.elements.operator.value, r = form.elements.rule.value;
        var shown = 0;
        for (var i = 0; i < items.length; i++) {
          var d = items[i].dataset;
          var ok = (!v || d.verdict === v) && (!u || d.unit === u) && (!o || d.operator === o)
            && (!r || d.rules.indexOf(' ' + r + ' ') >= 0);
          items[i].hidden = !ok;
          if (ok && items[i].tagName === 'TR') { shown++; }
        }
        var count = document.getElementById('filter-count');
        count.textContent = count.dataset[shown === 1 ? 'one' : 'other'].replace('{count}', shown);
      }
      form.addEventListener('change', function () { toURL(false); apply(); });
      form.addEventListener('reset', function () { setTimeout(function () { toURL(false); apply(); }, 0); });
      document.addEventListener('click', function (event) {
        var link = event.target.closest ? event.target.closest('a.filter-link') : null;
        if (!link) { return; }
        event.preventDefault();
        var query = new URLSearchParams(link.getAttribute('href').slice(1));
        names.forEach(function (n) { form.elements[n].value = query.get(n) || ''; });
        toURL(true);
        apply();
        form.scrollIntoView();
      });
      window.addEventListener('popstate', function () { fromURL(); apply(); });
      window.addEventListener('pageshow', function () { fromURL(); apply(); });
      fromURL();
      apply();
    })();
    """
}

/// Builds the batch `index.html` one scan at a time, so a batch of any size gets its page without
/// its reports being held: a scan is rendered (``render(_:localizer:)``) as soon as its report is
/// at hand, the builder keeps only its ``Placement`` (its share of the counts and its place on the
/// page), and the caller keeps the fragments (in memory, or spooled to disc for a large batch) and
/// hands them back to ``compose``.
package struct BatchIndexBuilder {
    let title: String?
    let runStamp: String?
    package let localizer: Localizer
    private var tally = BatchIndexPage.Tally()
    private var positions: [BatchIndexPage.Position] = []

    init(title: String?, runStamp: String?, localizer: Localizer) {
        self.title = title
        self.runStamp = runStamp
        self.localizer = localizer
    }

    /// What the builder keeps of a scan: a few counts, rule ids and its sort key, not its report.
    package struct Placement: Sendable {
        let tally: BatchIndexPage.Tally
        let position: BatchIndexPage.Position
    }

    /// A scan rendered for the page: its fragments and what the builder keeps of it.
    package struct RenderedScan: Sendable {
        package let placement: Placement
        package let gridItems: String
        package let tableRow: String
    }

    /// Renders a scan's cells in the image grid and its row in the scan table. Needs nothing the
    /// builder accumulates, so several scans can be rendered at once and then added in order.
    static func render(_ entry: BatchIndexPage.Entry, localizer: Localizer) -> RenderedScan {
        RenderedScan(placement: Placement(tally: BatchIndexPage.Tally(entry.view),
                                          position: BatchIndexPage.Position(entry.view, folder: entry.folder)),
                     gridItems: BatchIndexPage.gridItems(entry, localizer: localizer),
                     tableRow: BatchIndexPage.tableRow(entry, localizer: localizer))
    }

    /// Adds a rendered scan; ``compose`` numbers the scans from 0 in the order they were added.
    package mutating func add(_ scan: Placement) {
        tally.add(scan.tally)
        positions.append(scan.position)
    }

    /// Renders and adds a scan; returns its fragments.
    mutating func add(_ entry: BatchIndexPage.Entry) -> (gridItems: String, tableRow: String) {
        let scan = Self.render(entry, localizer: localizer)
        add(scan.placement)
        return (scan.gridItems, scan.tableRow)
    }

    /// Writes the page through `write`, asking for each scan's fragments (by the order it was
    /// added) in page order: flagged first, then by scan id.
    package func compose(gridItems: (Int) throws -> String, tableRow: (Int) throws -> String,
                         write: (String) throws -> Void) rethrows {
        let order = positions.indices.sorted { positions[$0] < positions[$1] }
        try BatchIndexPage.compose(tally: tally, scans: order.count, title: title, runStamp: runStamp, localizer: localizer,
                                   gridItems: { try gridItems(order[$0]) }, tableRow: { try tableRow(order[$0]) }, write: write)
    }
}
