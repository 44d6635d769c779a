import Foundation
import Hummingbird
import SonoChecks
import SonoCore
import SonoL10n
import SonoPipeline
import SonoInput
import SonoAnalysis
import SonoReports

/// The reviewer workspace and the units' feedback pages. Server-rendered HTML that works without
/// scripts (decisions are plain forms); /assets/review.js adds zoom, overlays and keyboard keys.
/// Every text comes from the SonoL10n catalogues, in the language of ``PageLanguage``.
struct ReviewPages: Sendable {
    let routes: ReviewRoutes
    var api: ServiceAPI { routes.api }

    /// Who is looking, in which language, and from where (the language switch returns there).
    struct Viewer {
        var session: Session
        var account: Account
        var L: Localizer
        var here: String
    }

    func register(on router: RouteRegistrar) {
        router.get("/review") { req, _ in try await self.signedIn(req) { try await self.queuePage(req, $0) } }
        router.get("/review/audit") { req, _ in try await self.signedIn(req) { try await self.auditPage($0) } }
        router.get("/review/batches") { req, _ in try await self.signedIn(req) { try await self.batchesPage($0) } }
        router.get("/review/batches/:id") { req, ctx in try await self.signedIn(req) { try await self.batchPage(ctx, $0) } }
        router.get("/review/image/:id/:scan/:image") { req, ctx in try await self.signedIn(req) { try await self.viewerPage(req, ctx, $0) } }
        router.post("/review/image/:id/:scan/:image") { req, ctx in try await self.postForm(req, ctx) }
        router.get("/assets/review.js") { _, _ in WebPages.asset(ReviewAssets.script, "text/javascript; charset=utf-8") }
        router.get("/assets/review.css") { _, _ in WebPages.asset(ReviewAssets.style, "text/css; charset=utf-8") }
    }

    /// Pages need a browser session; without one they send the browser to the login page. A page
    /// the account may not see (403) or that does not exist for it (404) is an error page in the
    /// reader's language, with the same status.
    func signedIn(_ req: Request, _ page: (Viewer) async throws -> Response) async throws -> Response {
        guard let (session, account) = try await api.currentSession(req) else { return WebPages.redirect("/login") }
        let here = req.uri.path + (req.uri.query.map { "?" + $0 } ?? "")
        let viewer = Viewer(session: session, account: account, L: Localizer(PageLanguage.of(req, account: account)), here: here)
        do {
            return try await page(viewer)
        } catch let failure as APIFailure where failure.httpStatus == 403 || failure.httpStatus == 404 {
            let L = viewer.L
            let (title, text) = failure.httpStatus == 403
                ? (L.text("review.error.forbidden_title"), L.text("review.error.forbidden"))
                : (L.text("review.error.not_found_title"), L.text("review.error.not_found"))
            return shell(title, viewer, "<p id=\"error\">\(Self.esc(text))</p>", status: HTTPResponse.Status(code: failure.httpStatus))
        }
    }

    static func esc(_ s: String) -> String { WebPages.escape(s) }

    func shell(_ title: String, _ v: Viewer, _ body: String, status: HTTPResponse.Status = .ok) -> Response {
        let L = v.L
        let links = v.account.role == .reviewer
            ? [("/review", L.text("review.nav.queue")), ("/review/batches", L.text("review.nav.batches")), ("/review/audit", L.text("review.nav.audit"))]
            : [("/review/batches", L.text("review.nav.batches"))]
        let html = """
            <!doctype html>
            <html lang="\(L.language.rawValue)"><head><meta charset="utf-8"><title>SonoQC · \(Self.esc(title))</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <link rel="stylesheet" href="/assets/review.css"></head>
            <body><a class="skip" href="#main">\(L.text("review.skip"))</a>
            <header><nav aria-label="SonoQC">\(links.map { "<a href=\"\($0.0)\">\(Self.esc($0.1))</a>" }.joined(separator: " "))
            <form method="post" action="/logout"><input type="hidden" name="csrf" value="\(Self.esc(v.session.csrfToken))">
            <span>\(Self.esc(v.account.name))</span> <button type="submit">\(L.text("web.sign_out"))</button></form>
            \(WebPages.languageSwitch(L, account: v.account, csrf: v.session.csrfToken, back: v.here))</nav></header>
            <main id="main"><h1>\(Self.esc(title))</h1>
            \(body)
            </main><script src="/assets/review.js"></script></body></html>
            """
        var response = JSONResponse.bytes(Data(html.utf8), contentType: "text/html; charset=utf-8", status: status)
        response.headers[.contentSecurityPolicy] = "default-src 'self'; frame-ancestors 'none'; form-action 'self'"
        return response
    }

    /// Catalogue keys of the review vocabulary (criterion ids, reason codes, verdicts), written out
    /// so the catalogue tests see every key a page can look up.
    static let criterionKeys: [String: String] = [
        "symmetric-plane": "review.criterion.symmetric-plane", "thalami-visible": "review.criterion.thalami-visible",
        "csp-visible": "review.criterion.csp-visible", "cerebellum-not-visible": "review.criterion.cerebellum-not-visible",
        "head-fills-30pct": "review.criterion.head-fills-30pct", "calipers-placed": "review.criterion.calipers-placed",
    ]
    static let reasonKeys: [String: String] = [
        "wrong-plane": "review.reason.wrong-plane", "magnification": "review.reason.magnification", "calipers": "review.reason.calipers",
        "gain-depth": "review.reason.gain-depth", "head-cut-off": "review.reason.head-cut-off",
        "overlay-obscures": "review.reason.overlay-obscures", "duplicate": "review.reason.duplicate",
        "measurement-mismatch": "review.reason.measurement-mismatch", "unit-cm": "review.reason.unit-cm", "other": "review.reason.other",
    ]
    /// The viewer's overlays in key order (1–6), as review.js names their layers.
    static let overlays: [(id: String, key: String)] = [
        ("fov", "review.overlay.fov"), ("ellipse", "review.overlay.ellipse"), ("axes", "review.overlay.axes"),
        ("hc", "review.overlay.hc"), ("masked", "review.overlay.masked"), ("calipers", "review.overlay.calipers"),
    ]

    static func criterion(_ c: String, _ L: Localizer) -> String { criterionKeys[c].map { L.text($0) } ?? c }
    static func reason(_ r: String, _ L: Localizer) -> String { reasonKeys[r].map { L.text($0) } ?? r }

    static func answerKey(_ a: CriterionAnswer) -> String {
        switch a {
        case .yes: "review.answer.yes"
        case .no: "review.answer.no"
        case .na: "review.answer.na"
        }
    }

    /// The verdict as a form choice (long) and as a history entry (short).
    static func verdictKey(_ v: ReviewVerdict) -> String {
        switch v {
        case .accept: "review.verdict.accept"
        case .acceptWithRemark: "review.verdict.accept-remark"
        case .reject: "review.verdict.reject"
        }
    }

    static func decidedKey(_ v: ReviewVerdict) -> String {
        switch v {
        case .accept: "review.decided.accept"
        case .acceptWithRemark: "review.decided.accept-remark"
        case .reject: "review.decided.reject"
        }
    }

    /// The automatic verdict's badge, worded as on the static pages.
    static func status(_ s: Verdict.Value, _ L: Localizer) -> String {
        switch s {
        case .pass: L.text("verdict.pass")
        case .review: L.text("verdict.review")
        case .fail: L.text("verdict.fail")
        }
    }

    static func stateKey(_ s: BatchState) -> String {
        switch s {
        case .uploading: "review.state.uploading"
        case .queued: "review.state.queued"
        case .running: "review.state.running"
        case .done: "review.state.done"
        case .failed: "review.state.failed"
        }
    }

    /// A stored time as `YYYY-MM-DD HH:MM` UTC, the same in both languages.
    static func timestamp(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        let minute = (seconds - days * 86_400) / 60
        let hh = minute / 60, mm = minute % 60
        return "\(CivilDate(dayNumber: days)) \(hh < 10 ? "0" : "")\(hh):\(mm < 10 ? "0" : "")\(mm) UTC"
    }

    // MARK: Queue

    static func query(_ f: QueueFilter) -> String {
        let pairs: [(String, String?)] = [("unit", f.unit), ("operator", f.operatorID), ("rule", f.rule), ("verdict", f.verdict),
                                          ("from", f.from), ("to", f.to)]
        var c = URLComponents()
        c.queryItems = pairs.compactMap { k, v in v.map { URLQueryItem(name: k, value: $0) } }
        return c.queryItems?.isEmpty == false ? "?" + (c.percentEncodedQuery ?? "") : ""
    }

    func queuePage(_ req: Request, _ v: Viewer) async throws -> Response {
        let account = v.account, L = v.L
        guard account.role == .reviewer else { return WebPages.redirect("/review/batches") }
        let filter = ReviewRoutes.queueFilter(req)
        let (all, shown) = try await routes.queue(for: account, filter: filter)
        // Grouped once: each row looks at its own batch's decisions only.
        let decisions = Dictionary(grouping: try await api.store.decisions(batchID: nil), by: \.batchID)
        func select(_ name: String, _ label: String, _ current: String?, _ value: (ReviewItem) -> [String],
                    _ drop: (inout QueueFilter) -> Void, display: (String) -> String = { $0 }) -> String {
            var others = filter
            drop(&others)
            var counts: [String: Int] = [:]
            for item in all where others.matches(item) { for v in value(item) { counts[v, default: 0] += 1 } }
            let options = counts.keys.sorted().map { v -> String in
                let text = L.text("review.filter.option", ["value": .text(display(v)), "count": .number(Double(counts[v] ?? 0))])
                return "<option value=\"\(Self.esc(v))\"\(v == current ? " selected" : "")>\(Self.esc(text))</option>"
            }
            return "<label>\(Self.esc(label)) <select name=\"\(name)\"><option value=\"\">\(L.text("review.filter.any"))</option>\(options.joined())</select></label>"
        }
        let form = """
            <form class="filters" method="get" action="/review" aria-label="\(Self.esc(L.text("review.filter.label")))">
            \(select("unit", L.text("review.filter.unit"), filter.unit, { [$0.unitID ?? ""] }, { $0.unit = nil }))
            \(select("operator", L.text("review.filter.operator"), filter.operatorID, { [$0.operatorID ?? ""] }, { $0.operatorID = nil }))
            \(select("rule", L.text("review.filter.rule"), filter.rule, { $0.rules }, { $0.rule = nil }))
            \(select("verdict", L.text("review.filter.verdict"), filter.verdict, { [$0.status.rawValue] }, { $0.verdict = nil },
                     display: { Verdict.Value(rawValue: $0).map { Self.status($0, L) } ?? $0 }))
            <label>\(L.text("review.filter.from")) <input type="date" name="from" value="\(Self.esc(filter.from ?? ""))"></label>
            <label>\(L.text("review.filter.to")) <input type="date" name="to" value="\(Self.esc(filter.to ?? ""))"></label>
            <button type="submit">\(L.text("review.filter.apply"))</button></form>
            <p class="hint">\(L.text("review.keys.queue"))</p>
            """
        let q = Self.query(filter)
        let rows = shown.map { item -> String in
            let (reading, visible) = routes.reading(of: item, by: account.name, decisions: decisions[item.batchID] ?? [])
            let latest = visible.latest().first
            let chips = item.rules.map { "<span class=\"chip\">\(Self.esc($0))</span>" }
                + (item.status == .pass ? ["<span class=\"chip pass\">\(L.text("review.chip.sampled"))</span>"] : [])
                + (reading == 2 && latest == nil ? ["<span class=\"chip second\">\(L.text("review.chip.second_reading"))</span>"] : [])
            let alt = L.text(item.rules.isEmpty ? "review.queue.alt" : "review.queue.alt_rules",
                             ["scan": .text(item.scanID), "file": .text(item.fileName), "verdict": .text(Self.status(item.status, L)),
                              "rules": .text(item.rules.joined(separator: ", "))])
            return """
                <li><a class="item" href="/review/image/\(item.key)\(q)"><img src="\(Self.esc(item.thumbnail))" alt="\(Self.esc(alt))" width="200" loading="lazy">
                <span class="badge \(item.status.rawValue)">\(Self.status(item.status, L))</span> <strong>\(Self.esc(item.scanID))</strong> \(Self.esc(item.fileName))
                <span class="meta">\(Self.esc(item.unitID ?? "")) · \(Self.esc(item.operatorID ?? "")) · \(Self.esc(item.examDate ?? ""))</span>
                \(latest.map { "<span class=\"badge decided\">\(L.text(Self.decidedKey($0.verdict)))</span>" } ?? "")
                <span class="chips">\(chips.joined(separator: " "))</span></a></li>
                """
        }
        let count = L.text("review.queue.count", ["shown": .number(Double(shown.count)), "total": .number(Double(all.count))])
        let list = rows.isEmpty ? "<p>\(L.text("review.queue.empty"))</p>" : "<p>\(count)</p><ol id=\"queue\" class=\"queue\">\(rows.joined())</ol>"
        return shell(L.text("review.nav.queue"), v, form + list)
    }

    // MARK: Viewer

    func viewerPage(_ req: Request, _ ctx: ServiceContext, _ v: Viewer) async throws -> Response {
        let account = v.account, L = v.L
        let (_, item) = try await routes.item(ctx, for: account)
        let decisions = try await api.store.decisions(batchID: item.batchID)
        let filter = ReviewRoutes.queueFilter(req)
        let q = Self.query(filter)
        var nav = ""
        if account.role == .reviewer {
            let shown = try await routes.queue(for: account, filter: filter).shown
            if let at = shown.firstIndex(where: { $0.key == item.key }) {
                let prev = at > 0 ? "<a id=\"prev\" rel=\"prev\" href=\"/review/image/\(shown[at - 1].key)\(q)\">← \(L.text("review.viewer.previous"))</a>" : ""
                let next = at + 1 < shown.count ? "<a id=\"next\" rel=\"next\" href=\"/review/image/\(shown[at + 1].key)\(q)\">\(L.text("review.viewer.next")) →</a>" : ""
                nav = "<p class=\"pager\">\(prev) <a href=\"/review\(q)\">\(L.text("review.nav.queue"))</a> \(next)</p>"
            }
        }
        let overlayToggles = Self.overlays.enumerated().map { n, o -> String in
            "<label><input type=\"checkbox\" data-overlay=\"\(o.id)\" data-key=\"\(n + 1)\" checked> \(L.text(o.key))</label>"
        }.joined(separator: " ")
        let label = L.text("review.viewer.frame_label", ["scan": .text(item.scanID), "file": .text(item.fileName),
                                                         "width": .number(Double(item.image.widthPx)), "height": .number(Double(item.image.heightPx))])
        let viewer = """
            \(nav)
            \(Self.scanFacts(item, L))
            <section aria-label="\(Self.esc(L.text("review.viewer.image")))"><p class="hint">\(L.text("review.keys.viewer"))</p>
            <fieldset class="overlays"><legend>\(L.text("review.viewer.overlays"))</legend>\(overlayToggles)</fieldset>
            <p><button type="button" id="zoom-in">\(L.text("review.viewer.zoom_in"))</button> <button type="button" id="zoom-out">\(L.text("review.viewer.zoom_out"))</button>
            <button type="button" id="zoom-reset">\(L.text("review.viewer.zoom_reset"))</button></p>
            <div id="viewport" class="viewport" tabindex="0" role="img" aria-label="\(Self.esc(label))"
              data-frame="/api/v1/review/\(item.key)/frame" data-geometry="/api/v1/review/\(item.key)/geometry.json"
              data-width="\(item.image.widthPx)" data-height="\(item.image.heightPx)">
            <div id="stage" class="stage"><img id="frame" src="/api/v1/review/\(item.key)/frame" alt="" width="\(item.image.widthPx)" height="\(item.image.heightPx)">
            <svg id="overlay" viewBox="0 0 \(item.image.widthPx) \(item.image.heightPx)" aria-hidden="true"></svg></div></div>
            </section>
            """
        // Findings render from their catalogue messages, as on the static pages.
        let findings = item.findings.isEmpty ? "<p>\(L.text("review.viewer.no_findings"))</p>" : "<ul>" + item.findings.map {
            let view = FindingView(finding: $0, namingFile: false, localizer: L)
            return "<li><span class=\"chip\">\(Self.esc($0.rule.rawValue))</span> \(Self.esc(view.severity.label(L))): \(Self.esc(view.explanation))</li>"
        }.joined() + "</ul>"
        let sentences = Self.measurementSentences(item.image, L)
        var body = viewer + "<section><h2>\(L.text("review.viewer.findings"))</h2>\(findings)</section>"
        if !sentences.isEmpty {
            body += "<section><h2>\(L.text("review.viewer.measurements"))</h2><ul>\(sentences.map { "<li>\(Self.esc($0))</li>" }.joined())</ul></section>"
        }
        if account.role == .reviewer {
            let (reading, visible) = routes.reading(of: item, by: account.name, decisions: decisions)
            let notice = reading == 2 ? "<p class=\"notice\" id=\"blind\">\(L.text("review.viewer.blind"))</p>"
                : routes.isDoubleRead(item) ? "<p class=\"notice\">\(L.text("review.viewer.double_first"))</p>" : ""
            body += "<section><h2>\(L.text("review.decision.heading"))</h2>\(notice)\(decisionForm(item: item, v: v, current: visible.latest().first, q: q))"
            body += "<h3>\(L.text("review.history.heading"))</h3>\(Self.history(visible, L))</section>"
            let scanDecisions = decisions.filter { $0.scan == item.scanID && $0.isScanDecision }
            body += "<section><h2>\(L.text("review.scan_decision.heading"))</h2>\(scanForm(item: item, v: v, current: scanDecisions.latest().first, q: q))"
            body += "\(Self.history(scanDecisions, L))</section>"
        } else {
            let mine = decisions.filter { $0.scan == item.scanID && ($0.image == item.fileName || $0.isScanDecision) && $0.reading == 1 }
            body += "<section><h2>\(L.text("review.reviewer_decision"))</h2>\(Self.history(mine, L))</section>"
        }
        return shell("\(item.scanID) · \(item.fileName)", v, body)
    }

    /// Unit, operator, exam date and gestational age of the image's scan, in the page's language.
    static func scanFacts(_ item: ReviewItem, _ L: Localizer) -> String {
        var facts: [String] = []
        if let unit = item.unitID { facts.append(L.text("review.fact.unit", ["id": .text(unit)])) }
        if let op = item.operatorID { facts.append(L.text("review.fact.operator", ["id": .text(op)])) }
        if let date = item.examDate { facts.append(L.text("review.fact.exam_date", ["date": .text(date)])) }
        if let days = item.gestationalAgeDays { facts.append(L.text("review.fact.ga", ["days": .number(Double(days))])) }
        return facts.isEmpty ? "" : "<p class=\"meta\" id=\"facts\">\(facts.map(esc).joined(separator: " · "))</p>"
    }

    static func measurementSentences(_ image: ImageReport, _ L: Localizer) -> [String] {
        image.measurements.compactMap { m in
            guard let r = m.reportedMM, let a = m.automaticMM else { return nil }
            return L.text(MeasurementFeedback.message(measure: m.measure, reportedMM: r, automaticMM: a))
        }
    }

    func decisionForm(item: ReviewItem, v: Viewer, current: Decision?, q: String) -> String {
        let L = v.L
        let criteria = ReviewCriteria.head.map { c -> String in
            let radios = CriterionAnswer.allCases.map { a -> String in
                "<label><input type=\"radio\" name=\"c.\(c)\" value=\"\(a.rawValue)\"\(current?.criteria[c] == a ? " checked" : "")> \(L.text(Self.answerKey(a)))</label>"
            }.joined(separator: " ")
            return "<fieldset class=\"criterion\"><legend>\(Self.esc(Self.criterion(c, L)))</legend>\(radios)</fieldset>"
        }.joined()
        return """
            <form method="post" id="decision" action="/review/image/\(item.key)\(q)">
            <input type="hidden" name="csrf" value="\(Self.esc(v.session.csrfToken))">
            <fieldset><legend>\(L.text("review.decision.criteria"))</legend>\(criteria)</fieldset>
            \(verdictFields(current, L))
            <p><button type="submit" id="save">\(L.text("review.decision.save"))</button></p></form>
            """
    }

    func verdictFields(_ current: Decision?, _ L: Localizer) -> String {
        let verdicts = ReviewVerdict.allCases.map { v -> String in
            "<label><input type=\"radio\" name=\"verdict\" value=\"\(v.rawValue)\" required\(current?.verdict == v ? " checked" : "")> \(L.text(Self.verdictKey(v)))</label>"
        }.joined(separator: " ")
        let reasons = ReviewCriteria.reasons.map { r -> String in
            "<label><input type=\"checkbox\" name=\"reason\" value=\"\(r)\"\(current?.reasons.contains(r) == true ? " checked" : "")> \(Self.esc(Self.reason(r, L)))</label>"
        }.joined(separator: " ")
        return """
            <fieldset><legend>\(L.text("review.decision.verdict"))</legend>\(verdicts)</fieldset>
            <fieldset><legend>\(L.text("review.decision.reasons"))</legend>\(reasons)</fieldset>
            <p><label>\(L.text("review.decision.comment"))<br><textarea name="comment" rows="3" maxlength="2000">\(Self.esc(current?.comment ?? ""))</textarea></label></p>
            """
    }

    func scanForm(item: ReviewItem, v: Viewer, current: Decision?, q: String) -> String {
        let L = v.L
        return """
            <form method="post" id="scan-decision" action="/review/image/\(item.key)\(q)">
            <input type="hidden" name="csrf" value="\(Self.esc(v.session.csrfToken))"><input type="hidden" name="scope" value="scan">
            \(verdictFields(current, L).replacingOccurrences(of: "name=\"comment\"", with: "name=\"comment\" aria-describedby=\"scan-note\""))
            <p id="scan-note" class="hint">\(L.text("review.scan_decision.heading"))</p>
            <p><button type="submit">\(L.text("review.scan_decision.save"))</button></p></form>
            """
    }

    static func history(_ decisions: [Decision], _ L: Localizer) -> String {
        guard !decisions.isEmpty else { return "<p>\(L.text("review.history.none"))</p>" }
        let iso = ISO8601DateFormatter()
        return "<ol class=\"history\">" + decisions.sorted { $0.version > $1.version }.map { d -> String in
            var parts = [L.text(d.previousVerdict == nil ? "review.history.verdict" : "review.history.verdict_was",
                                ["verdict": .text(L.text(decidedKey(d.verdict))),
                                 "previous": .text(d.previousVerdict.map { L.text(decidedKey($0)) } ?? "")])]
            if let score = d.score {
                parts.append(L.text("review.history.score", ["score": .number(Double(score)), "max": .number(Double(ReviewCriteria.head.count))]))
            }
            if !d.reasons.isEmpty { parts.append(d.reasons.map { reason($0, L) }.joined(separator: L.text("review.list_separator"))) }
            parts.append(L.text("review.history.by", ["reviewer": .text(d.reviewer)]))
            let time = "<time datetime=\"\(iso.string(from: d.decidedAt))\">\(timestamp(d.decidedAt))</time>"
            parts.append(L.text("review.history.version", ["version": .number(Double(d.version))]))
            // The verdict leads in bold; the time is markup, so it is joined after escaping.
            let head = "<strong>\(esc(parts[0]))</strong>"
            let rest = parts.dropFirst().map(esc)
            return "<li>" + ([head] + rest.dropLast() + [time, rest.last ?? ""]).joined(separator: " · ")
                + (d.comment.isEmpty ? "" : "<br><q>\(esc(d.comment))</q>") + "</li>"
        }.joined() + "</ol>"
    }

    /// The viewer's forms: the image decision, or with `scope=scan` the scan's final decision.
    func postForm(_ req: Request, _ ctx: ServiceContext) async throws -> Response {
        let raw = try await api.body(req, limit: 16_384, limitName: "max_request_bytes")
        let pairs = Self.formPairs(raw)
        let account = try await api.authenticate(req, stateChanging: true, formCSRF: pairs.first { $0.0 == "csrf" }?.1)
        try api.require(account, .reviewer)
        guard let s = Int(try ctx.parameters.require("scan")), let i = Int(try ctx.parameters.require("image")),
              let verdict = pairs.first(where: { $0.0 == "verdict" }).flatMap({ ReviewVerdict(rawValue: $0.1) })
        else { throw APIFailure.invalid("a verdict is required") }
        var criteria: [String: CriterionAnswer] = [:]
        for (k, v) in pairs where k.hasPrefix("c.") { criteria[String(k.dropFirst(2))] = CriterionAnswer(rawValue: v) }
        let scanScope = pairs.contains { $0 == ("scope", "scan") }
        let body = ReviewRoutes.DecisionBody(batchID: try ctx.parameters.require("id"), scanIndex: s, imageIndex: scanScope ? nil : i,
                                             criteria: scanScope ? nil : criteria, verdict: verdict,
                                             reasons: pairs.filter { $0.0 == "reason" }.map(\.1),
                                             comment: pairs.first { $0.0 == "comment" }?.1)
        _ = try await routes.record(body, by: account)
        return WebPages.redirect(req.uri.path + (req.uri.query.map { "?" + $0 } ?? ""))
    }

    /// URL-encoded form fields in order, repeated names kept (checkboxes).
    static func formPairs(_ body: Data) -> [(String, String)] {
        String(decoding: body, as: UTF8.self).split(separator: "&").compactMap { pair in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            return kv.count == 2 ? (kv[0], kv[1]) : nil
        }
    }

    // MARK: Batches (units and reviewers)

    func batchesPage(_ v: Viewer) async throws -> Response {
        let account = v.account, L = v.L
        guard account.role != .admin else { throw APIFailure.forbidden }
        let list = try await api.store.batches(unit: account.role == .reviewer ? nil : account.name)
        let rows = list.map { b -> String in
            "<tr><td><a href=\"/review/batches/\(b.id)\">\(Self.esc(b.name))</a></td><td>\(Self.esc(b.unit))</td><td>\(L.text(Self.stateKey(b.state)))</td>"
                + "<td>\(b.imagesTotal.map(String.init) ?? "")</td></tr>"
        }.joined()
        return shell(L.text("review.nav.batches"), v, """
            <table><thead><tr><th scope="col">\(L.text("review.batches.name"))</th><th scope="col">\(L.text("review.batches.unit"))</th>
            <th scope="col">\(L.text("review.batches.state"))</th><th scope="col">\(L.text("review.batches.images"))</th></tr></thead><tbody>\(rows)</tbody></table>
            """)
    }

    func batchPage(_ ctx: ServiceContext, _ v: Viewer) async throws -> Response {
        let account = v.account, L = v.L
        let batch = try await api.readableBatch(try ctx.parameters.require("id"), for: account)
        guard batch.state == .done else {
            return shell(batch.name, v, "<p>\(L.text("review.batch.not_ready", ["state": .text(L.text(Self.stateKey(batch.state)))]))</p>")
        }
        let decisions = try await api.store.decisions(batchID: batch.id).filter { $0.reading == 1 }.latest()
        var body = ""
        let files = try await api.store.files(batchID: batch.id)
        if let manifestFile = files.first(where: { UploadRules.isManifestName($0.name) }),
           let manifest = try? UploadRules.checkManifest(try api.blobs.read(manifestFile.sha256), name: manifestFile.name,
                                                         limits: api.config.limits) {
            let images = files.map(\.name).filter { !UploadRules.isManifestName($0) && InputDiscovery.hasImageExtension($0) }
            let r = ManifestReconciliation.reconcile(manifest, imageFiles: images)
            if !r.missingImages.isEmpty {
                body += "<section><h2>\(L.text("review.batch.files_missing"))</h2><ul>\(r.missingImages.map { "<li>\(Self.esc($0.scanID)): \(Self.esc($0.file))</li>" }.joined())</ul></section>"
            }
            if !r.unlistedImages.isEmpty {
                body += "<section><h2>\(L.text("review.batch.files_extra"))</h2><ul>\(r.unlistedImages.map { "<li>\(Self.esc($0))</li>" }.joined())</ul></section>"
            }
        }
        var scansHTML = ""
        for scan in try routes.catalog.scans(of: batch) {
            let final = decisions.first { $0.scan == scan.report.scan.scanID && $0.isScanDecision }
            let verdict = scan.report.verdict.value
            scansHTML += "<li><h3>\(Self.esc(scan.report.scan.scanID)) <span class=\"badge \(verdict.rawValue)\">\(Self.status(verdict, L))</span></h3>"
            scansHTML += "<p>\(L.text("review.scan_decision.heading"))\(L.text("review.label_separator"))"
                + (final.map { Self.decisionLine($0, L) } ?? L.text("review.not_reviewed")) + "</p><ul>"
            for item in routes.catalog.items(scan) {
                let d = decisions.first { $0.scan == item.scanID && $0.image == item.fileName }
                scansHTML += "<li><a href=\"/review/image/\(item.key)\">\(Self.esc(item.fileName))</a> "
                    + "<span class=\"badge \(item.status.rawValue)\">\(Self.status(item.status, L))</span> "
                    + item.rules.map { "<span class=\"chip\">\(Self.esc($0))</span>" }.joined(separator: " ")
                    + "<br>\(L.text("review.reviewer_decision"))\(L.text("review.label_separator"))"
                    + (d.map { Self.decisionLine($0, L) } ?? L.text("review.not_reviewed"))
                    + Self.measurementSentences(item.image, L).map { "<br>\(Self.esc($0))" }.joined() + "</li>"
            }
            scansHTML += "</ul></li>"
        }
        body += "<section><h2>\(L.text("review.batch.scans"))</h2><ul class=\"scans\">\(scansHTML)</ul></section>"
        return shell(batch.name, v, body)
    }

    static func decisionLine(_ d: Decision, _ L: Localizer) -> String {
        "<strong class=\"decision\">\(esc(L.text(decidedKey(d.verdict))))</strong>"
            + (d.reasons.isEmpty ? "" : " (" + d.reasons.map { esc(reason($0, L)) }.joined(separator: esc(L.text("review.list_separator"))) + ")")
            + (d.comment.isEmpty ? "" : " — <q>\(esc(d.comment))</q>") + " · " + esc(L.text("review.history.by", ["reviewer": .text(d.reviewer)]))
    }

    // MARK: Audit

    func auditPage(_ v: Viewer) async throws -> Response {
        let account = v.account, L = v.L
        try api.require(account, .reviewer)
        let items = try await routes.allItems(for: account)
        let audit = ReviewAudit(items: items, decisions: try await api.store.decisions(batchID: nil))
        let na = L.text("review.audit.na")
        func decimals(_ value: Double?, _ key: String) -> String { value.map { L.text(key, ["value": .number($0)]) } ?? na }
        func table(_ caption: String, _ column: String, _ rows: [ReviewAudit.Group], link: Bool) -> String {
            let body = rows.map { g -> String in
                let shownName = g.name == AuditAnalysis.unknownID ? L.text("review.audit.none") : g.name
                let name = link && g.name != AuditAnalysis.unknownID
                    ? "<a href=\"/review?operator=\(g.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")\">\(Self.esc(shownName))</a>"
                    : Self.esc(shownName)
                let pairs = L.plural("review.audit.pairs", count: g.pairs)
                return "<tr><th scope=\"row\">\(name)</th><td>\(g.images)</td><td>\(g.automaticFlagged)</td><td>\(g.decided)</td>"
                    + "<td>\(decimals(g.rejectRate.map { $0 * 100 }, "review.audit.percent"))</td>"
                    + "<td>\(decimals(g.meanScore, "review.audit.mean_score_value"))</td>"
                    + "<td>\(g.topFailed.map { Self.esc(Self.criterion($0, L)) }.joined(separator: Self.esc(L.text("review.list_separator"))))</td>"
                    + "<td>\(decimals(g.kappa, "review.audit.kappa_value")) (\(Self.esc(pairs)))</td></tr>"
            }.joined()
            return """
                <section><h2>\(Self.esc(caption))</h2><div class="scroll" tabindex="0" role="region" aria-label="\(Self.esc(caption))"><table><thead><tr><th scope="col">\(Self.esc(column))</th><th scope="col">\(L.text("review.audit.images"))</th>
                <th scope="col">\(L.text("review.audit.automatic"))</th><th scope="col">\(L.text("review.audit.decided"))</th><th scope="col">\(L.text("review.audit.rejected"))</th>
                <th scope="col">\(L.text("review.audit.mean_score"))</th><th scope="col">\(L.text("review.audit.top_failed"))</th><th scope="col">\(L.text("review.audit.kappa"))</th></tr></thead>
                <tbody>\(body)</tbody></table></div></section>
                """
        }
        // The verdict's agreement first (no criterion), then each criterion's.
        let agreement: [(criterion: String?, kappa: Double?)] = [(nil, audit.verdictKappa)]
            + ReviewCriteria.head.map { ($0, audit.criterionKappa[$0] ?? nil) }
        let criteria = agreement.map { c, k -> String in
            let name = c.map { Self.criterion($0, L) } ?? L.text("review.decision.verdict")
            return "<tr><th scope=\"row\">\(Self.esc(name))</th><td>\(decimals(k, "review.audit.kappa_value"))</td></tr>"
        }.joined()
        // The first column is named by what it lists, not by the table's caption again.
        let body = table(L.text("review.audit.per_operator"), L.text("review.filter.operator"), audit.byOperator, link: true)
            + table(L.text("review.audit.per_unit"), L.text("review.filter.unit"), audit.byUnit, link: false)
            + """
            <section><h2>\(L.text("review.audit.kappa_heading"))</h2><p>\(Self.esc(L.plural("review.audit.pairs", count: audit.pairCount)))</p><table><thead><tr><th scope="col">\(L.text("review.audit.criterion"))</th>
            <th scope="col">κ</th></tr></thead><tbody>\(criteria)</tbody></table></section>
            """
        return shell(L.text("review.nav.audit"), v, body)
    }
}
