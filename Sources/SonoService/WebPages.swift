import Foundation
import Hummingbird
import SonoL10n
import SonoReports

/// The browser side: a login form that trades a token for a session cookie (HttpOnly,
/// SameSite=Strict) and the sonographers' upload page. Pages load nothing from elsewhere; the CSP
/// allows only this origin, and state-changing requests carry the session's CSRF token.
struct WebPages: Sendable {
    let api: ServiceAPI

    func register(on router: RouteRegistrar) {
        router.get("/") { req, _ in
            guard let (_, account) = try await api.currentSession(req) else { return Self.redirect("/login") }
            return Self.redirect(account.role == .unit ? "/upload" : "/api/v1/batches")
        }
        router.get("/login") { req, _ in
            let L = Self.anonymousLanguage(req)
            return Self.page(L, title: L.text("web.sign_in"), body: Self.loginForm(L, error: nil))
        }
        router.post("/login") { req, _ in try await login(req) }
        router.post("/logout") { req, _ in try await logout(req) }
        router.post("/language") { req, _ in try await setLanguage(req) }
        router.get("/upload") { req, _ in try await uploadPage(req) }
        router.get("/assets/upload.js") { _, _ in Self.asset(UploadScript.source, "text/javascript; charset=utf-8") }
    }

    static func redirect(_ location: String, status: HTTPResponse.Status = .seeOther) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        return Response(status: status, headers: headers)
    }

    static func form(_ body: Data) -> [String: String] {
        var out: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if kv.count == 2 { out[kv[0]] = kv[1] }
        }
        return out
    }

    func login(_ req: Request) async throws -> Response {
        let fields = Self.form(try await api.body(req, limit: 4096, limitName: "max_request_bytes"))
        guard let token = fields["token"]?.trimmingCharacters(in: .whitespacesAndNewlines),
              let account = try await api.accounts.authenticate(token: token)
        else {
            let L = Self.anonymousLanguage(req, chosen: fields["lang"])
            return Self.page(L, title: L.text("web.sign_in"), body: Self.loginForm(L, error: L.text("web.login.invalid")), status: .unauthorized)
        }
        let cookieValue = Secrets.randomToken(bytes: 32)
        let session = Session(idHash: Secrets.sha256Hex(Data(cookieValue.utf8)), account: account.name,
                              csrfToken: Secrets.randomToken(bytes: 32),
                              expiresAt: Date().addingTimeInterval(api.config.sessionLifetime))
        try await api.store.addSession(session)
        var response = Self.redirect("/")
        response.setCookie(Cookie(name: ServiceAPI.sessionCookie, value: cookieValue, maxAge: Int(api.config.sessionLifetime),
                                  path: "/", secure: api.config.secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    func logout(_ req: Request) async throws -> Response {
        let fields = Self.form(try await api.body(req, limit: 4096, limitName: "max_request_bytes"))
        // Logging out ends a browser session, so only the session (not a bearer token) counts here,
        // and its CSRF token must come with the form.
        guard let (session, _) = try await api.currentSession(req) else { throw APIFailure.unauthorized }
        guard Secrets.constantTimeEqual(fields["csrf"] ?? "", session.csrfToken) else {
            throw APIFailure(httpStatus: 403, code: "csrf", message: "missing or wrong CSRF token")
        }
        try await api.store.deleteSession(idHash: session.idHash)
        var response = Self.redirect("/login")
        response.setCookie(Cookie(name: ServiceAPI.sessionCookie, value: "", maxAge: 0, path: "/",
                                  secure: api.config.secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    /// Stores the signed-in user's page language (`lang` = `en`, `zh-CN`, or empty to follow the
    /// browser) and returns to `back`, a path on this site.
    func setLanguage(_ req: Request) async throws -> Response {
        let fields = Self.form(try await api.body(req, limit: 4096, limitName: "max_request_bytes"))
        let account = try await api.authenticate(req, stateChanging: true, formCSRF: fields["csrf"])
        let chosen = fields["lang"] ?? ""
        guard chosen.isEmpty || Language(rawValue: chosen) != nil else {
            throw APIFailure.invalid("lang must be en, zh-CN or empty (follow the browser)")
        }
        guard try await api.store.setLanguage(chosen.isEmpty ? nil : chosen, accountName: account.name) else { throw APIFailure.notFound }
        return Self.redirect(Self.localPath(fields["back"]) ?? "/")
    }

    /// `path` when it is a path on this site (not `//host` or a full URL), so the language switch
    /// cannot be used to send a user elsewhere.
    static func localPath(_ path: String?) -> String? {
        guard let path, path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("\\"),
              !path.unicodeScalars.contains(where: { $0.value < 0x20 }) else { return nil }
        return path
    }

    /// The language switch of every signed-in page: the choice is stored with the account.
    static func languageSwitch(_ L: Localizer, account: Account, csrf: String, back: String) -> String {
        let current = account.language.flatMap(Language.init(rawValue:))
        let choices: [(String, String, Language?)] = [("", L.text("web.language.browser"), nil)]
            + Language.allCases.map { ($0.rawValue, Localizer($0).text("web.language.name"), $0) }
        let options = choices.map { value, label, language in
            "<option value=\"\(value)\"\(language.map { " lang=\"\($0.rawValue)\"" } ?? "")\(current == language ? " selected" : "")>\(escape(label))</option>"
        }.joined()
        return """
            <form method="post" action="/language" class="language"><input type="hidden" name="csrf" value="\(escape(csrf))">
            <input type="hidden" name="back" value="\(escape(back))">
            <label>\(L.text("web.language.label")) <select name="lang" id="language">\(options)</select></label>
            <button type="submit" id="language-submit">\(L.text("web.language.switch"))</button></form>
            """
    }

    /// Before sign-in there is no account to store a choice: the login page follows `?lang=`
    /// (its own links), else the browser's Accept-Language.
    static func anonymousLanguage(_ req: Request, chosen: String? = nil) -> Localizer {
        let asked = chosen ?? req.uri.queryParameters.get("lang")
        return Localizer(asked.flatMap(Language.init(rawValue:)) ?? PageLanguage.negotiate(acceptLanguage: req.headers[.acceptLanguage]))
    }

    func uploadPage(_ req: Request) async throws -> Response {
        guard let (session, account) = try await api.currentSession(req) else {
            let L = Self.anonymousLanguage(req)
            return Self.page(L, title: L.text("web.sign_in"), body: Self.loginForm(L, error: nil), status: .unauthorized)
        }
        let L = Localizer(PageLanguage.of(req, account: account))
        guard account.role == .unit else {
            return Self.page(L, title: L.text("web.upload.title"), body: "<p>\(L.text("web.upload.units_only"))</p>", status: .forbidden)
        }
        let limits = api.config.limits
        // The script's messages, in the page's language, with their {placeholders} filled in by the script.
        // Manifest issues arrive as catalogue keys (`expectation`), so their templates go in under their own keys.
        let scriptText = Dictionary(uniqueKeysWithValues: UploadScript.messageKeys.map { ($0.id, L.template($0.key)) })
            .merging(L.templates(withPrefix: UploadScript.manifestExpectationPrefix)) { id, _ in id }
        let messages = String(decoding: (try? JSONResponse.encoder.encode(scriptText)) ?? Data("{}".utf8), as: UTF8.self)
        let body = """
            <p>\(L.render(L.template("web.upload.signed_in"), [:], escape: Self.escape, raw: ["unit": "<strong>\(Self.escape(account.name))</strong>"]))</p>
            <form method="post" action="/logout"><input type="hidden" name="csrf" value="\(Self.escape(session.csrfToken))">
            <button type="submit">\(L.text("web.sign_out"))</button></form>
            \(Self.languageSwitch(L, account: account, csrf: session.csrfToken, back: "/upload"))
            <form id="upload" data-csrf="\(Self.escape(session.csrfToken))" data-max-file="\(limits.maxFileBytes)"
              data-max-files="\(limits.maxFilesPerBatch)" data-messages="\(Self.escape(messages))">
            <p><label>\(L.text("web.upload.batch_name")) <input id="name" required maxlength="200"></label></p>
            <p><label>\(L.text("web.upload.folder")) <input id="folder" type="file" webkitdirectory multiple></label>
               \(L.text("web.upload.or")) <label>\(L.text("web.upload.files")) <input id="files" type="file" multiple accept=".png,.jpg,.jpeg,.dcm,.dicom,.json,.csv"></label></p>
            <p><label>\(L.text("web.upload.manifest")) <input id="manifest" type="file" accept=".json,.csv"></label></p>
            <p><button type="button" id="check">\(L.text("web.upload.check"))</button> <button type="submit" id="send">\(L.text("web.upload.send"))</button></p>
            </form>
            <div id="issues"></div>
            <table><thead><tr><th>\(L.text("web.upload.col_file"))</th><th>\(L.text("web.upload.col_progress"))</th></tr></thead><tbody id="progress"></tbody></table>
            <p id="status" role="status"></p>
            <script src="/assets/upload.js"></script>
            """
        return Self.page(L, title: L.text("web.upload.title"), body: body)
    }

    static func loginForm(_ L: Localizer, error: String?) -> String {
        let switches = Language.allCases.filter { $0 != L.language }.map {
            "<a href=\"/login?lang=\($0.rawValue)\" lang=\"\($0.rawValue)\" hreflang=\"\($0.rawValue)\">\(escape(Localizer($0).text("web.language.name")))</a>"
        }.joined(separator: " ")
        return """
            \(error.map { "<p class=\"error\">\(escape($0))</p>" } ?? "")
            <form method="post" action="/login"><input type="hidden" name="lang" value="\(L.language.rawValue)">
            <p><label>\(L.text("web.login.token")) <input name="token" type="password" autocomplete="off" required></label></p>
            <p><button type="submit">\(L.text("web.sign_in"))</button></p>
            </form>
            <p class="language">\(switches)</p>
            """
    }

    static func page(_ L: Localizer, title: String, body: String, status: HTTPResponse.Status = .ok) -> Response {
        let html = """
            <!doctype html>
            <html lang="\(L.language.rawValue)"><head><meta charset="utf-8"><title>SonoQC · \(escape(title))</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"PingFang SC","Hiragino Sans GB","Microsoft YaHei",
            "Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
            .error{color:#a00}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}
            progress{width:12rem}</style></head>
            <body><h1>\(escape(title))</h1>
            \(body)
            </body></html>
            """
        var response = JSONResponse.bytes(Data(html.utf8), contentType: "text/html; charset=utf-8", status: status)
        response.headers[.contentSecurityPolicy] =
            "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'"
        return response
    }

    /// A script or stylesheet compiled into the binary; `no-cache` so a browser revalidates it
    /// after an upgrade instead of running the old one against new pages.
    static func asset(_ text: String, _ type: String) -> Response {
        var response = JSONResponse.bytes(Data(text.utf8), contentType: type)
        response.headers[.cacheControl] = "no-cache"
        return response
    }

    /// The reports' escaping (control characters, invalid in XML 1.0, are dropped there too).
    static func escape(_ s: String) -> String { Markup.escape(s) }
}
