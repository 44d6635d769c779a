import Foundation
import Hummingbird
import SonoChecks
import SonoCore
import SonoPipeline

/// Every English string of the review pages, in one place so the i18n catalogue (SonoL10n) can take
/// them over at merge.
enum ReviewText {
    static let queue = "Review queue"
    static let audit = "Audit"
    static let batches = "Batches"
    static let signOut = "Sign out"
    static let skip = "Skip to content"
    static let filters = "Filters"
    static let unit = "Unit", operatorLabel = "Operator", rule = "Rule", verdict = "Automatic verdict", reviewVerdict = "Verdict", from = "Exam from", to = "Exam to"
    static let any = "any"
    static let apply = "Apply"
    static let empty = "Nothing in the queue for these filters."
    static let keysQueue = "Keys: j / k next and previous, Enter opens."
    static let keysViewer = "Keys: n / p next and previous image, a accept, r reject, + / − zoom, 0 reset, 1–6 overlays."
    static let sampled = "sampled pass"
    static let secondReading = "second reading"
    static let image = "Image"
    static let overlays = "Overlays"
    static let overlayNames: [(id: String, label: String)] = [
        ("fov", "Field of view"), ("ellipse", "Automatic skull ellipse"), ("axes", "Automatic BPD/OFD axes"),
        ("hc", "Reported HC ring"), ("masked", "Masked text and marks"), ("calipers", "Sonographer's calipers"),
    ]
    static let zoomIn = "Zoom in", zoomOut = "Zoom out", zoomReset = "Fit"
    static let findings = "Why it was flagged"
    static let noFindings = "No automatic finding on this image."
    static let measurements = "Measurements"
    static let decision = "Your decision"
    static let criteria = "Criteria (Salomon 2006 head-plane score)"
    static let criterionNames: [String: String] = [
        "symmetric-plane": "Symmetrical axial plane", "thalami-visible": "Thalami visible",
        "csp-visible": "Cavum septi pellucidi visible", "cerebellum-not-visible": "Cerebellum not visible",
        "head-fills-30pct": "Head fills more than 30 % of the image", "calipers-placed": "Calipers correctly placed",
    ]
    static let answers: [(CriterionAnswer, String)] = [(.yes, "yes"), (.no, "no"), (.na, "cannot judge")]
    static let verdicts: [(ReviewVerdict, String)] = [
        (.accept, "Accept"), (.acceptWithRemark, "Accept with remark"), (.reject, "Reject — re-scan requested"),
    ]
    static let reasonNames: [String: String] = [
        "wrong-plane": "Wrong plane", "magnification": "Magnification", "calipers": "Caliper placement",
        "gain-depth": "Gain or depth", "head-cut-off": "Head cut off", "overlay-obscures": "Overlay hides anatomy",
        "duplicate": "Duplicate image", "measurement-mismatch": "Measurement does not match", "unit-cm": "Reported in cm",
        "other": "Other",
    ]
    static let reasons = "Reason codes"
    static let comment = "Comment"
    static let save = "Save decision"
    static let history = "History"
    static let noHistory = "No decision yet."
    static let blind = "Double reading: you are the second reader; the first decision is hidden from you."
    static let doubleFirst = "This image is double-read: a second reviewer will read it blind."
    static let scanDecision = "Final decision for the scan"
    static let saveScan = "Save scan decision"
    static let previous = "Previous", next = "Next"
    static let score = "score", by = "by", was = "was", version = "version", reading = "reading"
    static let scans = "Scans"
    static let filesMissing = "Listed in the manifest but not uploaded"
    static let filesExtra = "Uploaded but not in the manifest"
    static let reviewer = "Reviewer's decision"
    static let notReviewed = "not reviewed yet"
    static let perOperator = "Per operator", perUnit = "Per unit"
    static let decided = "Images decided", rejectRate = "Rejected", meanScore = "Mean score", topFailed = "Most failed criteria"
    static let kappa = "Agreement (Cohen's κ)", pairs = "double-read pairs"
    static let kappaCriterion = "Agreement between reviewers per criterion"
    static let criterionHeader = "Criterion", na = "n/a"
    static let automaticStats = "Automatic verdicts", images = "images"
    static let state = "State", name = "Name"
    static let notReady = "Not processed yet."
    static let openScan = "open"
}

/// The reviewer workspace and the units' feedback pages. Server-rendered HTML that works without
/// scripts (decisions are plain forms); /assets/review.js adds zoom, overlays and keyboard keys.
struct ReviewPages: Sendable {
    let routes: ReviewRoutes
    var api: ServiceAPI { routes.api }
    typealias T = ReviewText

    func register(on router: RouteRegistrar) {
        router.get("/review") { req, _ in try await self.signedIn(req) { try await self.queuePage(req, $0, $1) } }
        router.get("/review/audit") { req, _ in try await self.signedIn(req) { try await self.auditPage($0, $1) } }
        router.get("/review/batches") { req, _ in try await self.signedIn(req) { try await self.batchesPage($0, $1) } }
        router.get("/review/batches/:id") { req, ctx in try await self.signedIn(req) { try await self.batchPage(ctx, $0, $1) } }
        router.get("/review/image/:id/:scan/:image") { req, ctx in try await self.signedIn(req) { try await self.viewerPage(req, ctx, $0, $1) } }
        router.post("/review/image/:id/:scan/:image") { req, ctx in try await self.postForm(req, ctx) }
        router.get("/assets/review.js") { _, _ in Self.asset(ReviewAssets.script, "text/javascript; charset=utf-8") }
        router.get("/assets/review.css") { _, _ in Self.asset(ReviewAssets.style, "text/css; charset=utf-8") }
    }

    static func asset(_ text: String, _ type: String) -> Response {
        var response = JSONResponse.bytes(Data(text.utf8), contentType: type)
        response.headers[.cacheControl] = "no-cache"
        return response
    }

    /// Pages need a browser session; without one they send the browser to the login page.
    func signedIn(_ req: Request, _ page: (Session, Account) async throws -> Response) async throws -> Response {
        guard let (session, account) = try await api.currentSession(req) else { return WebPages.redirect("/login") }
        return try await page(session, account)
    }

    static func esc(_ s: String) -> String { WebPages.escape(s) }

    func shell(_ title: String, _ account: Account, _ session: Session, _ body: String, status: HTTPResponse.Status = .ok) -> Response {
        let links = account.role == .reviewer
            ? [("/review", T.queue), ("/review/batches", T.batches), ("/review/audit", T.audit)]
            : [("/review/batches", T.batches)]
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>SonoQC · \(Self.esc(title))</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <link rel="stylesheet" href="/assets/review.css"></head>
            <body><a class="skip" href="#main">\(T.skip)</a>
            <header><nav aria-label="SonoQC">\(links.map { "<a href=\"\($0.0)\">\($0.1)</a>" }.joined(separator: " "))
            <form method="post" action="/logout"><input type="hidden" name="csrf" value="\(Self.esc(session.csrfToken))">
            <span>\(Self.esc(account.name))</span> <button type="submit">\(T.signOut)</button></form></nav></header>
            <main id="main"><h1>\(Self.esc(title))</h1>
            \(body)
            </main><script src="/assets/review.js"></script></body></html>
            """
        var response = JSONResponse.bytes(Data(html.utf8), contentType: "text/html; charset=utf-8", status: status)
        response.headers[.contentSecurityPolicy] = "default-src 'self'; frame-ancestors 'none'; form-action 'self'"
        return response
    }

    // MARK: Queue

    static func query(_ f: QueueFilter) -> String {
        let pairs: [(String, String?)] = [("unit", f.unit), ("operator", f.operatorID), ("rule", f.rule), ("verdict", f.verdict),
                                          ("from", f.from), ("to", f.to)]
        var c = URLComponents()
        c.queryItems = pairs.compactMap { k, v in v.map { URLQueryItem(name: k, value: $0) } }
        return c.queryItems?.isEmpty == false ? "?" + (c.percentEncodedQuery ?? "") : ""
    }

    func queuePage(_ req: Request, _ session: Session, _ account: Account) async throws -> Response {
        guard account.role == .reviewer else { return WebPages.redirect("/review/batches") }
        let filter = ReviewRoutes.queueFilter(req)
        let (all, shown) = try await routes.queue(for: account, filter: filter)
        let decisions = try await api.store.decisions(batchID: nil)
        func select(_ name: String, _ label: String, _ current: String?, _ value: (ReviewItem) -> [String], _ drop: (inout QueueFilter) -> Void) -> String {
            var others = filter
            drop(&others)
            var counts: [String: Int] = [:]
            for item in all where others.matches(item) { for v in value(item) { counts[v, default: 0] += 1 } }
            let options = counts.keys.sorted().map { v -> String in
                "<option value=\"\(Self.esc(v))\"\(v == current ? " selected" : "")>\(Self.esc(v)) (\(counts[v] ?? 0))</option>"
            }
            return "<label>\(label) <select name=\"\(name)\"><option value=\"\">\(T.any)</option>\(options.joined())</select></label>"
        }
        let form = """
            <form class="filters" method="get" action="/review" aria-label="\(T.filters)">
            \(select("unit", T.unit, filter.unit, { [$0.unitID ?? ""] }, { $0.unit = nil }))
            \(select("operator", T.operatorLabel, filter.operatorID, { [$0.operatorID ?? ""] }, { $0.operatorID = nil }))
            \(select("rule", T.rule, filter.rule, { $0.rules }, { $0.rule = nil }))
            \(select("verdict", T.verdict, filter.verdict, { [$0.status.rawValue] }, { $0.verdict = nil }))
            <label>\(T.from) <input type="date" name="from" value="\(Self.esc(filter.from ?? ""))"></label>
            <label>\(T.to) <input type="date" name="to" value="\(Self.esc(filter.to ?? ""))"></label>
            <button type="submit">\(T.apply)</button></form>
            <p class="hint">\(T.keysQueue)</p>
            """
        let q = Self.query(filter)
        let rows = shown.map { item -> String in
            let (reading, visible) = routes.reading(of: item, by: account.name, decisions: decisions.filter { $0.batchID == item.batchID })
            let latest = visible.latest().first
            let chips = item.rules.map { "<span class=\"chip\">\(Self.esc($0))</span>" }
                + (item.status == .pass ? ["<span class=\"chip pass\">\(T.sampled)</span>"] : [])
                + (reading == 2 && latest == nil ? ["<span class=\"chip second\">\(T.secondReading)</span>"] : [])
            let alt = "\(item.scanID) \(item.fileName): \(item.status.rawValue)" + (item.rules.isEmpty ? "" : ", " + item.rules.joined(separator: ", "))
            return """
                <li><a class="item" href="/review/image/\(item.key)\(q)"><img src="\(Self.esc(item.thumbnail))" alt="\(Self.esc(alt))" width="200" loading="lazy">
                <span class="badge \(item.status.rawValue)">\(item.status.rawValue)</span> <strong>\(Self.esc(item.scanID))</strong> \(Self.esc(item.fileName))
                <span class="meta">\(Self.esc(item.unitID ?? "")) · \(Self.esc(item.operatorID ?? "")) · \(Self.esc(item.examDate ?? ""))</span>
                \(latest.map { "<span class=\"badge decided\">\(Self.esc($0.verdict.rawValue))</span>" } ?? "")
                <span class="chips">\(chips.joined(separator: " "))</span></a></li>
                """
        }
        let list = rows.isEmpty ? "<p>\(T.empty)</p>" : "<p>\(shown.count) / \(all.count) \(T.images)</p><ol id=\"queue\" class=\"queue\">\(rows.joined())</ol>"
        return shell(T.queue, account, session, form + list)
    }

    // MARK: Viewer

    func viewerPage(_ req: Request, _ ctx: ServiceContext, _ session: Session, _ account: Account) async throws -> Response {
        let (_, item) = try await routes.item(ctx, for: account)
        let decisions = try await api.store.decisions(batchID: item.batchID)
        let filter = ReviewRoutes.queueFilter(req)
        let q = Self.query(filter)
        var nav = ""
        if account.role == .reviewer {
            let shown = try await routes.queue(for: account, filter: filter).shown
            if let at = shown.firstIndex(where: { $0.key == item.key }) {
                let prev = at > 0 ? "<a id=\"prev\" rel=\"prev\" href=\"/review/image/\(shown[at - 1].key)\(q)\">← \(T.previous)</a>" : ""
                let next = at + 1 < shown.count ? "<a id=\"next\" rel=\"next\" href=\"/review/image/\(shown[at + 1].key)\(q)\">\(T.next) →</a>" : ""
                nav = "<p class=\"pager\">\(prev) <a href=\"/review\(q)\">\(T.queue)</a> \(next)</p>"
            }
        }
        let overlayToggles = T.overlayNames.enumerated().map { n, o -> String in
            "<label><input type=\"checkbox\" data-overlay=\"\(o.id)\" data-key=\"\(n + 1)\" checked> \(o.label)</label>"
        }.joined(separator: " ")
        let viewer = """
            \(nav)
            <section aria-label="\(T.image)"><p class="hint">\(T.keysViewer)</p>
            <fieldset class="overlays"><legend>\(T.overlays)</legend>\(overlayToggles)</fieldset>
            <p><button type="button" id="zoom-in">\(T.zoomIn)</button> <button type="button" id="zoom-out">\(T.zoomOut)</button>
            <button type="button" id="zoom-reset">\(T.zoomReset)</button></p>
            <div id="viewport" class="viewport" tabindex="0" role="img" aria-label="\(Self.esc("\(item.scanID) \(item.fileName), \(item.image.widthPx) × \(item.image.heightPx) px"))"
              data-frame="/api/v1/review/\(item.key)/frame" data-geometry="/api/v1/review/\(item.key)/geometry.json"
              data-width="\(item.image.widthPx)" data-height="\(item.image.heightPx)">
            <div id="stage" class="stage"><img id="frame" src="/api/v1/review/\(item.key)/frame" alt="" width="\(item.image.widthPx)" height="\(item.image.heightPx)">
            <svg id="overlay" viewBox="0 0 \(item.image.widthPx) \(item.image.heightPx)" aria-hidden="true"></svg></div></div>
            </section>
            """
        let findings = item.findings.isEmpty ? "<p>\(T.noFindings)</p>" : "<ul>" + item.findings.map {
            "<li><span class=\"chip\">\(Self.esc($0.rule.rawValue))</span> \(Self.esc($0.severity.rawValue)): \(Self.esc($0.explanation))</li>"
        }.joined() + "</ul>"
        let sentences = Self.measurementSentences(item.image)
        var body = viewer + "<section><h2>\(T.findings)</h2>\(findings)</section>"
        if !sentences.isEmpty {
            body += "<section><h2>\(T.measurements)</h2><ul>\(sentences.map { "<li>\(Self.esc($0))</li>" }.joined())</ul></section>"
        }
        if account.role == .reviewer {
            let (reading, visible) = routes.reading(of: item, by: account.name, decisions: decisions)
            let notice = reading == 2 ? "<p class=\"notice\" id=\"blind\">\(T.blind)</p>"
                : routes.isDoubleRead(item) ? "<p class=\"notice\">\(T.doubleFirst)</p>" : ""
            body += "<section><h2>\(T.decision)</h2>\(notice)\(decisionForm(item: item, session: session, current: visible.latest().first, q: q))"
            body += "<h3>\(T.history)</h3>\(Self.history(visible))</section>"
            let scanDecisions = decisions.filter { $0.scan == item.scanID && $0.isScanDecision }
            body += "<section><h2>\(T.scanDecision)</h2>\(scanForm(item: item, session: session, current: scanDecisions.latest().first, q: q))"
            body += "\(Self.history(scanDecisions))</section>"
        } else {
            let mine = decisions.filter { $0.scan == item.scanID && ($0.image == item.fileName || $0.isScanDecision) && $0.reading == 1 }
            body += "<section><h2>\(T.reviewer)</h2>\(Self.history(mine))</section>"
        }
        return shell("\(item.scanID) · \(item.fileName)", account, session, body)
    }

    static func measurementSentences(_ image: ImageReport) -> [String] {
        image.measurements.compactMap { m in
            guard let r = m.reportedMM, let a = m.automaticMM else { return nil }
            return MeasurementFeedback.sentence(measure: m.measure, reportedMM: r, automaticMM: a)
        }
    }

    func decisionForm(item: ReviewItem, session: Session, current: Decision?, q: String) -> String {
        let criteria = ReviewCriteria.head.map { c -> String in
            let radios = T.answers.map { a, label -> String in
                "<label><input type=\"radio\" name=\"c.\(c)\" value=\"\(a.rawValue)\"\(current?.criteria[c] == a ? " checked" : "")> \(label)</label>"
            }.joined(separator: " ")
            return "<fieldset class=\"criterion\"><legend>\(T.criterionNames[c] ?? c)</legend>\(radios)</fieldset>"
        }.joined()
        return """
            <form method="post" id="decision" action="/review/image/\(item.key)\(q)">
            <input type="hidden" name="csrf" value="\(Self.esc(session.csrfToken))">
            <fieldset><legend>\(T.criteria)</legend>\(criteria)</fieldset>
            \(verdictFields(current))
            <p><button type="submit" id="save">\(T.save)</button></p></form>
            """
    }

    func verdictFields(_ current: Decision?) -> String {
        let verdicts = T.verdicts.map { v, label -> String in
            "<label><input type=\"radio\" name=\"verdict\" value=\"\(v.rawValue)\" required\(current?.verdict == v ? " checked" : "")> \(label)</label>"
        }.joined(separator: " ")
        let reasons = ReviewCriteria.reasons.map { r -> String in
            "<label><input type=\"checkbox\" name=\"reason\" value=\"\(r)\"\(current?.reasons.contains(r) == true ? " checked" : "")> \(T.reasonNames[r] ?? r)</label>"
        }.joined(separator: " ")
        return """
            <fieldset><legend>\(T.reviewVerdict)</legend>\(verdicts)</fieldset>
            <fieldset><legend>\(T.reasons)</legend>\(reasons)</fieldset>
            <p><label>\(T.comment)<br><textarea name="comment" rows="3" maxlength="2000">\(Self.esc(current?.comment ?? ""))</textarea></label></p>
            """
    }

    func scanForm(item: ReviewItem, session: Session, current: Decision?, q: String) -> String {
        """
        <form method="post" id="scan-decision" action="/review/image/\(item.key)\(q)">
        <input type="hidden" name="csrf" value="\(Self.esc(session.csrfToken))"><input type="hidden" name="scope" value="scan">
        \(verdictFields(current).replacingOccurrences(of: "name=\"comment\"", with: "name=\"comment\" aria-describedby=\"scan-note\""))
        <p id="scan-note" class="hint">\(T.scanDecision)</p>
        <p><button type="submit">\(T.saveScan)</button></p></form>
        """
    }

    static func history(_ decisions: [Decision]) -> String {
        guard !decisions.isEmpty else { return "<p>\(T.noHistory)</p>" }
        let iso = ISO8601DateFormatter()
        return "<ol class=\"history\">" + decisions.sorted { $0.version > $1.version }.map { d -> String in
            let score = d.score.map { " · \(T.score) \($0)/\(ReviewCriteria.head.count)" } ?? ""
            let was = d.previousVerdict.map { " (\(T.was) \($0.rawValue))" } ?? ""
            let reasons = d.reasons.isEmpty ? "" : " · " + d.reasons.map { esc(T.reasonNames[$0] ?? $0) }.joined(separator: ", ")
            return "<li><strong>\(esc(d.verdict.rawValue))</strong>\(was)\(score)\(reasons) · \(T.by) \(esc(d.reviewer)) · "
                + "<time>\(iso.string(from: d.decidedAt))</time> · \(T.version) \(d.version)"
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

    func batchesPage(_ session: Session, _ account: Account) async throws -> Response {
        guard account.role != .admin else { throw APIFailure.forbidden }
        let list = try await api.store.batches(unit: account.role == .reviewer ? nil : account.name)
        let rows = list.map { b -> String in
            "<tr><td><a href=\"/review/batches/\(b.id)\">\(Self.esc(b.name))</a></td><td>\(Self.esc(b.unit))</td><td>\(b.state.rawValue)</td>"
                + "<td>\(b.imagesTotal.map(String.init) ?? "")</td></tr>"
        }.joined()
        return shell(T.batches, account, session, """
            <table><thead><tr><th scope="col">\(T.name)</th><th scope="col">\(T.unit)</th><th scope="col">\(T.state)</th>
            <th scope="col">\(T.images)</th></tr></thead><tbody>\(rows)</tbody></table>
            """)
    }

    func batchPage(_ ctx: ServiceContext, _ session: Session, _ account: Account) async throws -> Response {
        let batch = try await api.readableBatch(try ctx.parameters.require("id"), for: account)
        guard batch.state == .done else { return shell(batch.name, account, session, "<p>\(T.notReady) (\(batch.state.rawValue))</p>") }
        let decisions = try await api.store.decisions(batchID: batch.id).filter { $0.reading == 1 }.latest()
        var body = ""
        let files = try await api.store.files(batchID: batch.id)
        if let manifestFile = files.first(where: { UploadRules.isManifestName($0.name) }),
           let manifest = try? UploadRules.checkManifest(try api.blobs.read(manifestFile.sha256), name: manifestFile.name,
                                                         limits: api.config.limits) {
            let images = files.map(\.name).filter { !UploadRules.isManifestName($0) && InputDiscovery.hasImageExtension($0) }
            let r = ManifestReconciliation.reconcile(manifest, imageFiles: images)
            if !r.missingImages.isEmpty {
                body += "<section><h2>\(T.filesMissing)</h2><ul>\(r.missingImages.map { "<li>\(Self.esc($0.scanID)): \(Self.esc($0.file))</li>" }.joined())</ul></section>"
            }
            if !r.unlistedImages.isEmpty {
                body += "<section><h2>\(T.filesExtra)</h2><ul>\(r.unlistedImages.map { "<li>\(Self.esc($0))</li>" }.joined())</ul></section>"
            }
        }
        var scansHTML = ""
        for scan in try routes.catalog.scans(of: batch) {
            let final = decisions.first { $0.scan == scan.report.scan.scanID && $0.isScanDecision }
            scansHTML += "<li><h3>\(Self.esc(scan.report.scan.scanID)) <span class=\"badge \(scan.report.verdict.value.rawValue)\">\(scan.report.verdict.value.rawValue)</span></h3>"
            scansHTML += "<p>\(T.scanDecision): " + (final.map(Self.decisionLine) ?? T.notReviewed) + "</p><ul>"
            for item in routes.catalog.items(scan) {
                let d = decisions.first { $0.scan == item.scanID && $0.image == item.fileName }
                scansHTML += "<li><a href=\"/review/image/\(item.key)\">\(Self.esc(item.fileName))</a> "
                    + "<span class=\"badge \(item.status.rawValue)\">\(item.status.rawValue)</span> "
                    + item.rules.map { "<span class=\"chip\">\(Self.esc($0))</span>" }.joined(separator: " ")
                    + "<br>\(T.reviewer): " + (d.map(Self.decisionLine) ?? T.notReviewed)
                    + Self.measurementSentences(item.image).map { "<br>\(Self.esc($0))" }.joined() + "</li>"
            }
            scansHTML += "</ul></li>"
        }
        body += "<section><h2>\(T.scans)</h2><ul class=\"scans\">\(scansHTML)</ul></section>"
        return shell(batch.name, account, session, body)
    }

    static func decisionLine(_ d: Decision) -> String {
        "<strong class=\"decision\">\(esc(d.verdict.rawValue))</strong>"
            + (d.reasons.isEmpty ? "" : " (" + d.reasons.map { esc(T.reasonNames[$0] ?? $0) }.joined(separator: ", ") + ")")
            + (d.comment.isEmpty ? "" : " — <q>\(esc(d.comment))</q>") + " · \(T.by) \(esc(d.reviewer))"
    }

    // MARK: Audit

    func auditPage(_ session: Session, _ account: Account) async throws -> Response {
        try api.require(account, .reviewer)
        let items = try await routes.allItems(for: account)
        let audit = ReviewAudit(items: items, decisions: try await api.store.decisions(batchID: nil))
        func table(_ caption: String, _ rows: [ReviewAudit.Group], link: Bool) -> String {
            let body = rows.map { g -> String in
                let name = link ? "<a href=\"/review?operator=\(g.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")\">\(Self.esc(g.name))</a>" : Self.esc(g.name)
                return "<tr><th scope=\"row\">\(name)</th><td>\(g.images)</td><td>\(g.automaticFlagged)</td><td>\(g.decided)</td>"
                    + "<td>\(g.rejectRate.map { String(format: "%.0f %%", $0 * 100) } ?? T.na)</td>"
                    + "<td>\(g.meanScore.map { String(format: "%.1f", $0) } ?? T.na)</td>"
                    + "<td>\(g.topFailed.map { Self.esc(T.criterionNames[$0] ?? $0) }.joined(separator: ", "))</td>"
                    + "<td>\(g.kappa.map { String(format: "%.2f", $0) } ?? T.na) (\(g.pairs) \(T.pairs))</td></tr>"
            }.joined()
            return """
                <section><h2>\(caption)</h2><div class="scroll" tabindex="0" role="region" aria-label="\(caption)"><table><thead><tr><th scope="col">\(caption)</th><th scope="col">\(T.images)</th>
                <th scope="col">\(T.automaticStats)</th><th scope="col">\(T.decided)</th><th scope="col">\(T.rejectRate)</th>
                <th scope="col">\(T.meanScore)</th><th scope="col">\(T.topFailed)</th><th scope="col">\(T.kappa)</th></tr></thead>
                <tbody>\(body)</tbody></table></div></section>
                """
        }
        let criteria = ([("verdict", audit.verdictKappa)] + ReviewCriteria.head.map { ($0, audit.criterionKappa[$0] ?? nil) }).map { c, k -> String in
            "<tr><th scope=\"row\">\(Self.esc(T.criterionNames[c] ?? T.reviewVerdict))</th><td>\(k.map { String(format: "%.2f", $0) } ?? T.na)</td></tr>"
        }.joined()
        let body = table(T.perOperator, audit.byOperator, link: true) + table(T.perUnit, audit.byUnit, link: false)
            + """
            <section><h2>\(T.kappaCriterion)</h2><p>\(audit.pairCount) \(T.pairs)</p><table><thead><tr><th scope="col">\(T.criterionHeader)</th>
            <th scope="col">κ</th></tr></thead><tbody>\(criteria)</tbody></table></section>
            """
        return shell(T.audit, account, session, body)
    }
}
