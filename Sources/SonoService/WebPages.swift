import Foundation
import Hummingbird

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
        router.get("/login") { _, _ in Self.page(title: "Sign in", body: Self.loginForm(error: nil)) }
        router.post("/login") { req, _ in try await login(req) }
        router.post("/logout") { req, _ in try await logout(req) }
        router.get("/upload") { req, _ in try await uploadPage(req) }
        router.get("/assets/upload.js") { _, _ in
            var response = JSONResponse.bytes(Data(UploadScript.source.utf8), contentType: "text/javascript; charset=utf-8")
            response.headers[.cacheControl] = "no-cache"
            return response
        }
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
            return Self.page(title: "Sign in", body: Self.loginForm(error: "That token is not valid."), status: .unauthorized)
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

    func uploadPage(_ req: Request) async throws -> Response {
        guard let (session, account) = try await api.currentSession(req) else {
            return Self.page(title: "Sign in", body: Self.loginForm(error: nil), status: .unauthorized)
        }
        guard account.role == .unit else {
            return Self.page(title: "Upload", body: "<p>Only unit accounts upload batches.</p>", status: .forbidden)
        }
        let limits = api.config.limits
        let body = """
            <p>Signed in as unit <strong>\(Self.escape(account.name))</strong>.</p>
            <form method="post" action="/logout"><input type="hidden" name="csrf" value="\(Self.escape(session.csrfToken))">
            <button type="submit">Sign out</button></form>
            <form id="upload" data-csrf="\(Self.escape(session.csrfToken))" data-max-file="\(limits.maxFileBytes)"
              data-max-files="\(limits.maxFilesPerBatch)">
            <p><label>Batch name <input id="name" required maxlength="200"></label></p>
            <p><label>Folder <input id="folder" type="file" webkitdirectory multiple></label>
               or <label>files <input id="files" type="file" multiple accept=".png,.jpg,.jpeg,.json,.csv"></label></p>
            <p><label>Manifest (manifest.json or manifest.csv) <input id="manifest" type="file" accept=".json,.csv"></label></p>
            <p><button type="button" id="check">Check manifest</button> <button type="submit" id="send">Upload</button></p>
            </form>
            <div id="issues"></div>
            <table><thead><tr><th>File</th><th>Progress</th></tr></thead><tbody id="progress"></tbody></table>
            <p id="status" role="status"></p>
            <script src="/assets/upload.js"></script>
            """
        return Self.page(title: "Upload a batch", body: body)
    }

    static func loginForm(error: String?) -> String {
        """
        \(error.map { "<p class=\"error\">\(escape($0))</p>" } ?? "")
        <form method="post" action="/login">
        <p><label>Access token <input name="token" type="password" autocomplete="off" required></label></p>
        <p><button type="submit">Sign in</button></p>
        </form>
        """
    }

    static func page(title: String, body: String, status: HTTPResponse.Status = .ok) -> Response {
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>SonoQC · \(escape(title))</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
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

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }
}
