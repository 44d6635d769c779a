package import Foundation
import SonoCore
package import SonoL10n
import SonoBiometry

/// Renders an ``AuditAnalysis`` as `audit.html` (tables and CUSUM charts) and `audit.csv`.
package enum AuditReport {
    /// The HTML page in `language`. `sources` names the report folders read, for the header.
    /// With `review`, a section of reviewers' decisions follows the automatic statistics; `scanLinks`
    /// (scan pages per operator, relative to the page) adds the list of each operator's scans.
    /// `run` (version and day of the audit run) is shown at the top of the page.
    package static func html(_ audit: AuditAnalysis, sources: [String], language: Language = .en,
                            review: ReviewSection? = nil, scanLinks: [String: [ScanLink]] = [:],
                            run: (version: String, date: String)? = nil) -> String {
        let L = Localizer(language)
        let t = audit.thresholds
        func text(_ key: String, _ args: [String: MessageArg] = [:]) -> String { Markup.escape(L.text(key, args)) }
        var s = Stylesheet.head(title: L.text("audit.page_title"), language: language)
        s += "<body>\n<a class=\"skip\" href=\"#summary\">\(text("audit.skip_to_summary"))</a>\n<header class=\"page\">\n"
        s += Stylesheet.runStampParagraph(run.map { Stylesheet.runStamp(version: $0.version, date: $0.date, L) })
        s += "<h1>\(text("audit.heading"))</h1>\n"
        let sourceList = sources.map { "<code>\(Markup.escape($0))</code>" }.joined(separator: Markup.escape(L.text("list.comma")))
        s += "<p>" + L.render(L.template("audit.sources"), ["scans": .text(L.plural("count.scans", count: audit.scanCount))],
                               escape: Markup.escape, raw: ["sources": sourceList]) + "</p>\n"
        s += "</header>\n<main id=\"main\">\n"

        let concerns = audit.groups.filter(\.hasConcern)
        s += "<section id=\"summary\" tabindex=\"-1\" class=\"verdict \(concerns.isEmpty ? "pass" : "fail")\" aria-labelledby=\"summary-h\">\n"
        s += "<h2 id=\"summary-h\">\(text("audit.summary"))</h2>\n"
        if concerns.isEmpty {
            s += "<p>\(text("audit.none_flagged"))</p>\n"
        } else {
            s += "<ul class=\"reasons\">\n"
            for g in concerns {
                for m in g.measures {
                    for f in m.flags where f.isConcern {
                        let group = L.text("audit.group." + g.kind.rawValue, ["id": .text(BatchIndexPage.displayID(g.id, L))])
                        s += "<li>" + L.render(L.template("audit.concern"), ["measure": .text(m.measure.rawValue), "text": .text(f.explanation(t, L)),
                                                                          "n": .number(Double(m.count))],
                                                escape: Markup.escape, raw: ["group": "<strong>\(Markup.escape(group))</strong>"]) + "</li>\n"
                    }
                }
            }
            s += "</ul>\n"
        }
        let few = audit.groups.filter { g in g.measures.contains { $0.flags.contains { !$0.isConcern } } }
        if !few.isEmpty {
            let names = few.map { L.text("audit.group." + $0.kind.rawValue, ["id": .text(BatchIndexPage.displayID($0.id, L))]) }
            let note = L.text("audit.too_few", ["minimum": .number(Double(t.minimumScans)), "groups": .text(names.joined(separator: L.text("list.comma")))])
            s += "<p class=\"muted\">\(Markup.escape(note))</p>\n"
        }
        s += "</section>\n"

        let method = L.text("audit.method", ["bias": .text(TextFormat.fixed(t.biasMeanZ, 2)), "narrow": .text(TextFormat.fixed(t.narrowSD, 2)),
                                             "wide": .text(TextFormat.fixed(t.wideSD, 2)), "minimum": .number(Double(t.minimumScans)),
                                             "k": .text(TextFormat.fixed(t.cusumK, 2)), "h": .text(TextFormat.fixed(t.cusumH, 1))])
        s += "<section aria-labelledby=\"method-h\"><h2 id=\"method-h\">\(text("audit.method_heading"))</h2>\n"
        s += "<p>\(Markup.escape(method))</p>\n</section>\n"
        // Operators first: bias is a person's calipers before it is a unit's average.
        for kind in [AuditGroup.Kind.operator, .unit] {
            let groups = audit.groups.filter { $0.kind == kind }
            guard !groups.isEmpty else { continue }
            s += "<section aria-labelledby=\"\(kind.rawValue)-h\"><h2 id=\"\(kind.rawValue)-h\">\(text("audit.section." + kind.rawValue))</h2>\n"
            s += groupTable(groups, kind: kind, thresholds: t, localizer: L)
            s += ruleTable(groups, rules: audit.ruleIDs, kind: kind, localizer: L)
            s += "<h3>\(text("audit.cusum_heading"))</h3>\n<div class=\"charts\">\n"
            for g in groups where !g.measures.isEmpty {
                let title = L.text("audit.group." + kind.rawValue, ["id": .text(BatchIndexPage.displayID(g.id, L))])
                let chart = CUSUMChart(title: title, measures: g.measures, thresholds: t)
                s += chart.svg(idPrefix: "cusum-\(kind.rawValue)-\(g.id)", localizer: L) + "\n"
            }
            s += "</div>\n</section>\n"
        }
        if let review { s += reviewSection(review, scanLinks: scanLinks, localizer: L) }
        if !scanLinks.isEmpty { s += scanLinksSection(scanLinks, localizer: L) }
        s += "</main>\n<footer class=\"page\"><p>\(text("audit.footer"))</p></footer>\n"
        s += "</body>\n</html>\n"
        return s
    }

    static func groupTable(_ groups: [AuditGroup], kind: AuditGroup.Kind, thresholds t: AuditThresholds, localizer L: Localizer) -> String {
        func th(_ key: String, num: Bool = true) -> String {
            "<th scope=\"col\"\(num ? " class=\"num\"" : "")>\(Markup.escape(L.text(key)))</th>"
        }
        var s = "<table>\n<caption>\(Markup.escape(L.text("audit.group_caption." + kind.rawValue)))</caption>\n"
        s += "<thead><tr>" + th("audit.col." + kind.rawValue, num: false) + th("audit.col.scans")
        s += AuditVerdict.allCases.map { th("verdict." + $0.rawValue) }.joined()
        s += th("audit.col.measure", num: false) + th("audit.col.n") + th("audit.col.mean_z")
        s += th("audit.col.sd_z") + th("audit.col.assessment", num: false) + "</tr></thead>\n<tbody>\n"
        for g in groups {
            let rows = max(1, g.measures.count)
            for r in 0..<rows {
                s += "<tr>"
                if r == 0 {
                    let span = rows > 1 ? " rowspan=\"\(rows)\"" : ""
                    s += "<th scope=\"rowgroup\"\(span)>\(Markup.escape(BatchIndexPage.displayID(g.id, L)))</th><td class=\"num\"\(span)>\(g.scanCount)</td>"
                    for v in AuditVerdict.allCases {
                        s += "<td class=\"num\"\(span)>\(TextFormat.percent(g.verdictCounts[v, default: 0], of: g.scanCount))</td>"
                    }
                }
                if r < g.measures.count {
                    let m = g.measures[r]
                    let assessment: String
                    if m.flags.isEmpty {
                        assessment = "<span>\(Markup.escape(L.text("audit.within_limits")))</span>"
                    } else {
                        assessment = m.flags.map { f in
                            f.isConcern ? "<span class=\"flagtext\">\(Markup.escape(f.explanation(t, L)))</span>"
                                : "<span class=\"muted\">\(Markup.escape(f.explanation(t, L)))</span>"
                        }.joined(separator: "<br/>")
                    }
                    s += "<td>\(Markup.escape(L.text("term." + m.measure.rawValue)))</td><td class=\"num\">\(m.count)</td><td class=\"num\">\(TextFormat.signed(m.meanZ, 2))</td>"
                    s += "<td class=\"num\">\(TextFormat.fixed(m.sdZ, 2))</td><td>\(assessment)</td>"
                } else {
                    s += "<td colspan=\"5\" class=\"muted\">\(Markup.escape(L.text("audit.no_measurements")))</td>"
                }
                s += "</tr>\n"
            }
        }
        return s + "</tbody>\n</table>\n"
    }

    static func ruleTable(_ groups: [AuditGroup], rules: [String], kind: AuditGroup.Kind, localizer L: Localizer) -> String {
        guard !rules.isEmpty else { return "<p>\(Markup.escape(L.text("audit.no_rules")))</p>\n" }
        var s = "<table>\n<caption>\(Markup.escape(L.text("audit.rule_caption." + kind.rawValue)))</caption>\n"
        s += "<thead><tr><th scope=\"col\">\(Markup.escape(L.text("findings.rule")))</th>"
        for g in groups { s += "<th scope=\"col\" class=\"num\">\(Markup.escape(BatchIndexPage.displayID(g.id, L)))</th>" }
        s += "</tr></thead>\n<tbody>\n"
        for rule in rules {
            s += "<tr><th scope=\"row\"><code>\(Markup.escape(rule))</code></th>"
            for g in groups { s += "<td class=\"num\">\(TextFormat.percent(g.ruleHits[rule, default: 0], of: g.scanCount))</td>" }
            s += "</tr>\n"
        }
        return s + "</tbody>\n</table>\n"
    }

    /// Long-format CSV: one row per group × measure (item_kind "measure") and per group × rule
    /// (item_kind "rule"). Rates are fractions with four decimals; fields are quoted as RFC 4180 says (``CSV``).
    package static func csv(_ audit: AuditAnalysis) -> String {
        var out = CSV.record(["group_kind", "group_id", "scans", "pass_rate", "review_rate", "fail_rate", "item_kind", "item",
                              "count", "rate", "mean_z", "sd_z", "flags"])
        for g in audit.groups {
            let head = [g.kind.rawValue, g.id, String(g.scanCount)]
                + AuditVerdict.allCases.map { TextFormat.fixed(g.verdictRate($0), 4) }
            for m in g.measures {
                let flags = m.flags.map(\.code).joined(separator: ";")
                out += CSV.record(head + ["measure", m.measure.abbreviation, String(m.count), "",
                                          TextFormat.fixed(m.meanZ, 4), m.sdZ.map { TextFormat.fixed($0, 4) } ?? "", flags])
            }
            for rule in audit.ruleIDs {
                let hits = g.ruleHits[rule, default: 0]
                let rate = g.scanCount == 0 ? "" : TextFormat.fixed(Double(hits) / Double(g.scanCount), 4)
                out += CSV.record(head + ["rule", rule, String(hits), rate, "", "", ""])
            }
        }
        return out
    }

    /// Writes `audit.html` (in `language`) and `audit.csv` (language-neutral) into `directory`;
    /// returns the HTML file's URL. `records` with a report page give each operator's scan links,
    /// relative to `directory` so the page and the report folders can move together.
    @discardableResult
    package static func write(_ audit: AuditAnalysis, sources: [String], to directory: URL,
                             language: Language = .en, review: ReviewSection? = nil,
                             records: [AuditRecord] = [], run: (version: String, date: String)? = nil) throws(ReportError) -> URL {
        try HTMLReportWriter.createDirectory(directory)
        let html = directory.appendingPathComponent("audit.html")
        var links: [String: [ScanLink]] = [:]
        for r in records.sorted(by: { ($0.operatorID ?? "", $0.scanID) < ($1.operatorID ?? "", $1.scanID) }) {
            guard let page = r.reportPage else { continue }
            links[r.operatorID ?? AuditAnalysis.unknownID, default: []].append(
                ScanLink(scanID: r.scanID, verdict: r.verdict, href: relativePath(of: page, from: directory)))
        }
        let page = self.html(audit, sources: sources, language: language, review: review, scanLinks: links, run: run)
        try HTMLReportWriter.writeFile(Data(page.utf8), to: html)
        try HTMLReportWriter.writeFile(Data(csv(audit).utf8), to: directory.appendingPathComponent("audit.csv"))
        return html
    }

    /// `file` as a relative URL path from `directory` (both made absolute first).
    static func relativePath(of file: URL, from directory: URL) -> String {
        let to = file.standardizedFileURL.pathComponents, from = directory.standardizedFileURL.pathComponents
        var common = 0
        while common < min(to.count, from.count), to[common] == from[common] { common += 1 }
        let parts = Array(repeating: "..", count: from.count - common) + to[common...]
        return parts.map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? $0 }.joined(separator: "/")
    }
}

/// A scan page the audit links from its operator.
package struct ScanLink: Sendable, Hashable {
    package var scanID: String
    package var verdict: AuditVerdict
    package var href: String
}

/// The reviewers' decisions the audit page shows, and the file they came from.
package struct ReviewSection: Sendable {
    package var audit: ReviewAudit
    /// The decisions file as given on the command line.
    package var source: String
    /// Image decisions read (latest version of each reading).
    package var decisionCount: Int

    package init(audit: ReviewAudit, source: String, decisionCount: Int) {
        self.audit = audit
        self.source = source
        self.decisionCount = decisionCount
    }
}

extension AuditReport {
    static func reviewSection(_ review: ReviewSection, scanLinks: [String: [ScanLink]], localizer L: Localizer) -> String {
        func text(_ key: String, _ args: [String: MessageArg] = [:]) -> String { Markup.escape(L.text(key, args)) }
        let r = review.audit
        var s = "<section aria-labelledby=\"review-h\"><h2 id=\"review-h\">\(text("audit.review.heading"))</h2>\n"
        s += "<p>" + L.render(L.template("audit.review.source"), ["decisions": .number(Double(review.decisionCount)),
                                                                  "pairs": .number(Double(r.pairCount))],
                               escape: Markup.escape, raw: ["file": "<code>\(Markup.escape(review.source))</code>"]) + "</p>\n"
        if r.unmatched > 0 { s += "<p class=\"flagtext\">\(text("audit.review.unmatched", ["count": .number(Double(r.unmatched))]))</p>\n" }
        s += "<p>\(text("audit.review.method"))</p>\n"
        for (kind, groups) in [(AuditGroup.Kind.operator, r.byOperator), (.unit, r.byUnit)] {
            let caption = L.text(kind == .operator ? "audit.review.caption_operator" : "audit.review.caption_unit")
            s += "<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"\(Markup.escape(caption))\">"
            s += "<table>\n<caption>\(Markup.escape(caption))</caption>\n<thead><tr>"
            s += "<th scope=\"col\">\(text("audit.col." + kind.rawValue))</th>"
            for key in ["audit.review.col.images", "audit.review.col.flagged", "audit.review.col.decided", "audit.review.col.reject_rate",
                        "audit.review.col.mean_score"] {
                s += "<th scope=\"col\" class=\"num\">\(text(key))</th>"
            }
            s += "<th scope=\"col\">\(text("audit.review.col.top_failed"))</th><th scope=\"col\" class=\"num\">\(text("audit.review.col.kappa"))</th>"
            s += "<th scope=\"col\" class=\"num\">\(text("audit.review.col.pairs"))</th></tr></thead>\n<tbody>\n"
            for g in groups {
                let name = Markup.escape(BatchIndexPage.displayID(g.name, L))
                let cell = kind == .operator && scanLinks[g.name] != nil ? "<a href=\"#\(scanAnchor(g.name))\">\(name)</a>" : name
                s += "<tr><th scope=\"row\">\(cell)</th><td class=\"num\">\(g.images)</td><td class=\"num\">\(g.automaticFlagged)</td>"
                s += "<td class=\"num\">\(g.decided)</td><td class=\"num\">\(TextFormat.percent(g.rejected, of: g.decided))</td>"
                s += "<td class=\"num\">\(TextFormat.fixed(g.meanScore, 1))</td>"
                s += "<td>\(g.topFailed.map { Markup.escape(L.text("audit.criterion." + $0)) }.joined(separator: Markup.escape(L.text("list.comma"))))</td>"
                s += "<td class=\"num\">\(TextFormat.fixed(g.kappa, 2))</td><td class=\"num\">\(g.pairs)</td></tr>\n"
            }
            s += "</tbody>\n</table></div>\n"
        }
        let kappaCaption = L.text("audit.review.kappa_caption")
        s += "<table>\n<caption>\(Markup.escape(kappaCaption))</caption>\n<thead><tr><th scope=\"col\">\(text("audit.review.col.criterion"))</th>"
        s += "<th scope=\"col\" class=\"num\">κ</th></tr></thead>\n<tbody>\n"
        let rows = [(L.text("audit.review.verdict"), r.verdictKappa)]
            + ReviewCriteria.head.map { (L.text("audit.criterion." + $0), r.criterionKappa[$0] ?? nil) }
        for (name, kappa) in rows {
            s += "<tr><th scope=\"row\">\(Markup.escape(name))</th><td class=\"num\">\(TextFormat.fixed(kappa, 2))</td></tr>\n"
        }
        return s + "</tbody>\n</table>\n</section>\n"
    }

    static func scanAnchor(_ operatorID: String) -> String { "scans-" + Markup.token(operatorID) }

    static func scanLinksSection(_ links: [String: [ScanLink]], localizer L: Localizer) -> String {
        var s = "<section aria-labelledby=\"scans-h\"><h2 id=\"scans-h\">\(Markup.escape(L.text("audit.scans_heading")))</h2>\n"
        for (op, scans) in links.sorted(by: { $0.key < $1.key }) {
            let title = L.text("audit.group.operator", ["id": .text(BatchIndexPage.displayID(op, L))])
            s += "<details id=\"\(scanAnchor(op))\"><summary>\(Markup.escape(title)) — \(Markup.escape(L.plural("count.scans", count: scans.count)))</summary>\n<ul>\n"
            for scan in scans {
                s += "<li><a href=\"\(Markup.escape(scan.href))\">\(Markup.escape(scan.scanID))</a> "
                s += Stylesheet.badge(scan.verdict, L) + "</li>\n"
            }
            s += "</ul></details>\n"
        }
        return s + "</section>\n"
    }
}
