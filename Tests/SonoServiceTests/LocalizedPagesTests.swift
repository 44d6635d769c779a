import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import SonoInput
import SonoL10n
@testable import SonoService
import Testing

/// The workspace in zh-CN and en: which language a page takes (stored choice, else
/// Accept-Language), the switch, and that a Chinese page carries no English catalogue text.
@Suite("Workspace languages")
struct LocalizedPagesTests {
    @Test("Accept-Language: q-values rank, zh / zh-CN / zh-Hans mean zh-CN, anything else English")
    func negotiation() {
        let cases: [(String?, Language)] = [
            (nil, .en), ("", .en), ("*", .en), ("zh", .zhCN), ("zh-CN", .zhCN), ("ZH-cn", .zhCN), ("zh-Hans", .zhCN),
            ("zh-Hans-CN,en;q=0.5", .zhCN), ("en-US,en;q=0.9,zh-CN;q=0.8", .en), ("fr-FR, zh;q=0.7, en;q=0.5", .zhCN),
            ("en;q=0.2, zh-CN;q=0.9", .zhCN), ("zh-CN;q=0, en", .en), ("zh-CN;q=0", .en), ("zh-TW,en;q=0.8", .en),
            ("zh-Hant", .en), ("de, fr", .en), ("zh;q=abc, en;q=0.1", .en), ("en-GB;q=0.8, zh-CN;q=0.8", .en),
        ]
        for (header, expected) in cases {
            #expect(PageLanguage.negotiate(acceptLanguage: header) == expected, "\(header ?? "nil")")
        }
    }

    @Test("the language switch only returns to paths on this site")
    func backIsLocal() {
        #expect(WebPages.localPath("/review?verdict=fail") == "/review?verdict=fail")
        #expect(WebPages.localPath("//evil.example/") == nil)
        #expect(WebPages.localPath("https://evil.example/") == nil)
        #expect(WebPages.localPath("/\\evil") == nil)
        #expect(WebPages.localPath(nil) == nil)
    }

    @Test("the store keeps an account's language, nil again follows the browser, unknown accounts are refused")
    func storedLanguage() async throws {
        let store = try ReviewService.openStore(dataDirectory: Fixtures.temporaryDirectory("lang-store"))
        let manager = AccountManager(store: store)
        _ = try await manager.add(name: "rev", role: .reviewer)
        _ = try await manager.add(name: "gone", role: .unit)
        #expect(try await store.activeAccount(name: "rev")?.language == nil)
        #expect(try await store.setLanguage("zh-CN", accountName: "rev"))
        #expect(try await store.activeAccount(name: "rev")?.language == "zh-CN")
        #expect(try await store.accounts().first { $0.name == "rev" }?.language == "zh-CN")
        #expect(try await store.setLanguage(nil, accountName: "rev"))
        #expect(try await store.activeAccount(name: "rev")?.language == nil)
        #expect(try await !store.setLanguage("en", accountName: "nobody"))
        _ = try await manager.revoke(name: "gone")
        #expect(try await !store.setLanguage("en", accountName: "gone"))
    }

    /// A real server with one sample batch; a reviewer and a unit browse it with cookies.
    @Test(.timeLimit(.minutes(10))) func pagesFollowTheChoice() async throws {
        let data = Fixtures.temporaryDirectory("lang-http")
        let store = try ReviewService.openStore(dataDirectory: data)
        let manager = AccountManager(store: store)
        let unit = try await manager.add(name: "unit-a", role: .unit)
        let reviewer = try await manager.add(name: "rev1", role: .reviewer)
        var config = ServiceConfiguration(dataDirectory: data, port: 0, workers: 1, threadsPerJob: 2)
        config.review = ReviewSettings(passShare: 1, doubleReadShare: 0, seed: 1)
        let port = ReviewDecisionTests.PortBox()
        let server = Task { try await ReviewService.run(config, store: store, logger: Logger(label: "test")) { port.set($0) } }
        defer { server.cancel() }
        let base = try await port.wait()
        let client = UploadClient(server: base, token: unit)
        let (id, _) = try await client.upload(directory: Fixtures.samples + "/defects-acquisition") { _ in }
        #expect(try await client.wait(for: id, every: .milliseconds(200)).state == "done")

        let zh = ["Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"]
        let en = ["Accept-Language": "en-US,en;q=0.9"]
        let Z = Localizer(.zhCN), E = Localizer(.en)

        // Before sign-in: Accept-Language, or the login page's own links.
        let login = try await http("GET", base.appendingPathComponent("login"), headers: zh)
        #expect(login.text.contains("<html lang=\"zh-CN\">") && login.text.contains(Z.text("web.login.token")))
        let loginEN = try await http("GET", URL(string: "login?lang=en", relativeTo: base)!, headers: zh)
        #expect(loginEN.text.contains("<html lang=\"en\">") && loginEN.text.contains(E.text("web.login.token")))

        let cookie = try await Self.signIn(base, reviewer)
        func page(_ path: String, _ headers: [String: String]) async throws -> String {
            let r = try await http("GET", URL(string: path, relativeTo: base)!, headers: headers.merging(["Cookie": cookie]) { $1 })
            #expect(r.status == 200, "\(path)")
            return r.text
        }

        // No stored choice: each request follows its Accept-Language.
        let queueEN = try await page("review", en)
        #expect(queueEN.contains("<html lang=\"en\">") && queueEN.contains(E.text("review.filter.apply")))
        let viewerPath = "review/image/\(id)/0/0"
        // Record a decision so the history (date, version, score) renders too.
        let csrf = try #require(Self.csrf(queueEN))
        let form = "csrf=\(csrf)&verdict=reject&reason=wrong-plane&c.thalami-visible=no&c.calipers-placed=yes&comment=ok"
        let posted = try await http("POST", base.appendingPathComponent(viewerPath), body: Data(form.utf8),
                                    headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"])
        #expect(posted.status == 303)

        var pagesZH: [String: String] = [:]
        for path in ["review", viewerPath, "review/batches/\(id)", "review/batches", "review/audit"] {
            pagesZH[path] = try await page(path, zh)
        }
        for (path, html) in pagesZH {
            #expect(html.contains("<html lang=\"zh-CN\">"), "\(path)")
            #expect(html.contains(Z.text("review.nav.queue")) && html.contains(Z.text("web.language.label")), "\(path)")
            let leftovers = Self.englishCatalogueText(in: html)
            #expect(leftovers.isEmpty, "\(path) shows English catalogue text: \(leftovers)")
        }
        let queue = try #require(pagesZH["review"]), viewer = try #require(pagesZH[viewerPath])
        let batch = try #require(pagesZH["review/batches/\(id)"]), audit = try #require(pagesZH["review/audit"])
        #expect(queue.contains(Z.text("review.filter.apply")) && queue.contains(Z.text("review.keys.queue")))
        // The decided image carries its latest verdict in the queue, found among its batch's decisions.
        #expect(queue.contains("<span class=\"badge decided\">\(Z.text("review.decided.reject"))</span>"))
        for key in ["review.overlay.ellipse", "review.criterion.csp-visible", "review.decision.save", "review.viewer.findings",
                    "review.reason.wrong-plane", "review.verdict.accept-remark"] {
            #expect(viewer.contains(Z.text(key)), "viewer lacks \(key)")
        }
        // GA, date and numbers as the static pages write them.
        #expect(viewer.contains(Z.text("review.fact.ga", ["days": .number(182)])) && viewer.contains("孕周 26周+0天"))
        #expect(viewer.contains(Z.text("review.history.version", ["version": .number(1)])))
        #expect(viewer.contains(Z.text("review.history.score", ["score": .number(1), "max": .number(6)])))
        #expect(viewer.firstMatch(of: try Regex(#"<time datetime="[^"]+">\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC</time>"#)) != nil)
        #expect(viewer.contains("您测量的"), "measurement feedback in Chinese")
        #expect(batch.contains(Z.text("review.decided.reject")) && batch.contains(Z.text("review.batch.scans")))
        for key in ["review.audit.per_operator", "review.audit.per_unit", "review.audit.kappa_heading", "review.audit.top_failed"] {
            #expect(audit.contains(Z.text(key)), "audit lacks \(key)")
        }
        #expect(audit.contains(Z.text("review.criterion.thalami-visible")), "the failed criterion is named in Chinese")
        // Each table's first column is named by what it lists, not by the table's caption again.
        #expect(audit.contains("<th scope=\"col\">\(Z.text("review.filter.operator"))</th>"))
        #expect(audit.contains("<th scope=\"col\">\(Z.text("review.filter.unit"))</th>"))
        #expect(!audit.contains("<th scope=\"col\">\(Z.text("review.audit.per_operator"))</th>"))

        // The stored choice overrides Accept-Language; the switch is a CSRF-protected POST.
        func switchTo(_ lang: String, back: String, csrf token: String?) async throws -> HTTPResult {
            var fields = ["lang=\(lang)", "back=\(back.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"]
            if let token { fields.append("csrf=\(token)") }
            return try await http("POST", base.appendingPathComponent("language"), body: Data(fields.joined(separator: "&").utf8),
                                  headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"])
        }
        #expect(try await switchTo("en", back: "/review/audit", csrf: nil).status == 403)
        #expect(try await store.activeAccount(name: "rev1")?.language == nil)
        #expect(try await switchTo("fr", back: "/review", csrf: csrf).status == 422)
        let switched = try await switchTo("en", back: "/review?verdict=fail", csrf: csrf)
        #expect(switched.status == 303 && switched.header("Location") == "/review?verdict=fail")
        #expect(try await store.activeAccount(name: "rev1")?.language == "en")
        let overridden = try await page("review/audit", zh)
        #expect(overridden.contains("<html lang=\"en\">") && overridden.contains(E.text("review.audit.per_operator")))
        #expect(overridden.contains("<option value=\"en\" lang=\"en\" selected>"))
        #expect(try await switchTo("zh-CN", back: "//evil.example/", csrf: csrf).header("Location") == "/")
        #expect(try await page("review", en).contains("<html lang=\"zh-CN\">"))
        #expect(try await switchTo("", back: "/review", csrf: csrf).status == 303)
        #expect(try await store.activeAccount(name: "rev1")?.language == nil)
        #expect(try await page("review", en).contains("<html lang=\"en\">"))

        // The unit's pages: upload page and its script's messages in the page's language.
        let unitCookie = try await Self.signIn(base, unit)
        let upload = try await http("GET", base.appendingPathComponent("upload"), headers: zh.merging(["Cookie": unitCookie]) { $1 })
        #expect(upload.text.contains("<html lang=\"zh-CN\">") && upload.text.contains(Z.text("web.upload.check")))
        #expect(upload.text.contains(WebPages.escape(Z.template("web.upload.manifest_valid"))))
        #expect(Self.englishCatalogueText(in: upload.text).isEmpty, "\(Self.englishCatalogueText(in: upload.text))")
        try await Self.manifestIssuesFollowThePage(base, unit: unit, cookie: unitCookie)
        // Error pages keep their status and speak the reader's language.
        let forbidden = try await http("GET", base.appendingPathComponent("review/audit"), headers: zh.merging(["Cookie": unitCookie]) { $1 })
        #expect(forbidden.status == 403 && forbidden.text.contains("<html lang=\"zh-CN\">") && forbidden.text.contains(Z.text("review.error.forbidden")))
        let missing = try await http("GET", base.appendingPathComponent("review/image/\(id)/0/99"), headers: en.merging(["Cookie": cookie]) { $1 })
        #expect(missing.status == 404 && missing.text.contains(E.text("review.error.not_found")))
    }

    /// A bad manifest checked from the upload page: the API answers with each expectation as a
    /// key and arguments (and its English text); the zh-CN page gives its script the zh-CN template
    /// of that key and the en page the English one, so the table shows the expectation in the page's
    /// language while `found` stays the file's own value.
    static func manifestIssuesFollowThePage(_ base: URL, unit: String, cookie: String) async throws {
        let csv = ManifestLoader.csvHeader.joined(separator: ",") + "\nS1,unit-a,op,2026-03-02,20+0,,20,a.png,sideways,,,,,\n"
        let check = try await http("POST", URL(string: base.absoluteString + "/api/v1/manifests/validate?name=manifest.csv")!,
                                   token: unit, body: Data(csv.utf8))
        #expect(check.status == 200 && check.object["valid"] as? Bool == false)
        let issues = try #require(check.object["issues"] as? [[String: Any]])
        let plane = try #require(issues.first { $0["field"] as? String == "plane" })
        let spacing = try #require(issues.first { $0["field"] as? String == "pixel_spacing_mm" })
        #expect(plane["found"] as? String == "\"sideways\"" && spacing["found"] as? String == "20.0")
        for (issue, key) in [(plane, "manifest.expected.one_of"), (spacing, "manifest.expected.spacing_range")] {
            let expectation = try JSONDecoder().decode(Message.self, from: JSONSerialization.data(withJSONObject: try #require(issue["expectation"])))
            #expect(expectation.key == key)
            #expect(issue["expected"] as? String == Localizer.en.text(expectation))
            for (language, accept) in [(Language.zhCN, "zh-CN,zh;q=0.9"), (.en, "en-US,en;q=0.9")] {
                let L = Localizer(language)
                let page = try await http("GET", base.appendingPathComponent("upload"), headers: ["Accept-Language": accept, "Cookie": cookie])
                let messages = try #require(Self.scriptMessages(page.text))
                let template = try #require(messages[key])
                #expect(template == L.template(key))
                // The script fills {name} placeholders with the arguments as they are: no formats to apply.
                #expect(!template.contains(":"), "a format the script would not apply: \(template)")
                let shown = L.render(template, expectation.args, escape: { $0 }, raw: [:])
                #expect(!shown.contains("{") && shown == L.text(expectation))
            }
        }
        #expect(Localizer(.zhCN).text(Message("manifest.expected.spacing_range", ["min": .number(0), "max": .number(10)]))
            == "0 至 10 之间的每像素毫米数")
        #expect(Localizer(.zhCN).text(Message("manifest.expected.one_of", ["choices": .text("head, abdomen")])) == "以下之一：head, abdomen")
    }

    /// The upload script's messages (`data-messages` on the form), id or key → template.
    static func scriptMessages(_ html: String) -> [String: String]? {
        guard let match = html.firstMatch(of: try! Regex(#"data-messages="([^"]*)""#)), let raw = match.output[1].substring else { return nil }
        let json = String(raw).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
        return try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))
    }

    /// English templates of the workspace's keys (long enough not to match by accident) that a
    /// page's visible text still contains.
    static func englishCatalogueText(in html: String) -> [String] {
        let E = Localizer(.en), Z = Localizer(.zhCN)
        let visible = html.replacing(try! Regex("<[^>]*>"), with: " ")
        let english = Catalogue.builtIn[.en]?.entries ?? [:]
        return english.keys.sorted().filter { key in
            // A language's own name is shown in that language on purpose.
            guard ["review.", "web.", "feedback."].contains(where: key.hasPrefix), key != "web.language.name" else { return false }
            let text = E.template(key)
            guard text != Z.template(key), !text.contains("{"), text.count >= 6 else { return false }
            return visible.contains(WebPages.escape(text))
        }
    }

    static func csrf(_ html: String) -> String? {
        html.firstMatch(of: try! Regex(#"name="csrf" value="([^"]+)""#)).flatMap { $0.output[1].substring.map(String.init) }
    }

    /// Signs in with a token; returns the session cookie ("name=value").
    static func signIn(_ base: URL, _ token: String) async throws -> String {
        let body = "token=\(token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token)"
        let r = try await http("POST", base.appendingPathComponent("login"), body: Data(body.utf8),
                               headers: ["Content-Type": "application/x-www-form-urlencoded"])
        let setCookie = try #require(r.header("Set-Cookie"))
        return String(setCookie.prefix { $0 != ";" })
    }
}
