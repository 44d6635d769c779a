import Foundation
import SonoService
import Testing

/// One server with units A and B, a reviewer and an admin; unit A has one processed batch.
// @unchecked: every stored property is a `let` set once in `init` (ServerProcess is itself
// justified); nothing is mutated after the suite shares it.
final class World: @unchecked Sendable {
    let server: ServerProcess
    let tokens: [String: String]
    let batchID: String
    let digest: String
    let reportPath: String
    let root: String

    init() async throws {
        root = Fixtures.temporaryDirectory("world")
        let data = root + "/data"
        var tokens: [String: String] = [:]
        for (name, role) in [("unit-a", Role.unit), ("unit-b", .unit), ("rev", .reviewer), ("adm", .admin)] {
            tokens[name] = try await Fixtures.account(data, name, role)
        }
        self.tokens = tokens
        server = try ServerProcess(data: data)
        let dir = try Fixtures.batch("world-batch", images: 2, in: root)
        let tokenFile = root + "/token-a"
        try tokens["unit-a"]!.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let (status, out, err) = try Fixtures.sonoqc(["upload", dir, "--server", server.base.absoluteString, "--token-file", tokenFile, "--wait"])
        guard status == 0 else { throw HarnessError("upload failed \(status): \(err)") }
        batchID = String(out.split(separator: "\n")[0])
        digest = try UploadClient.declare(directory: dir).files[0].sha256
        let summary = try await http("GET", server.base.appendingPathComponent("api/v1/batches/\(batchID)/summary.json"),
                                     token: tokens["unit-a"])
        let scans = try #require(summary.object["scans"] as? [[String: Any]])
        reportPath = try #require(scans.first?["report"] as? String)
    }
}

@Suite(.serialized) struct ServiceHTTPTests {
    static let world = Task { try await World() }
    func world() async throws -> World { try await Self.world.value }

    enum Caller: String, CaseIterable { case none, unitA = "unit-a", unitB = "unit-b", reviewer = "rev", admin = "adm" }

    struct Route {
        var method: String
        var path: String
        var body: Data? = nil
        var headers: [String: String] = [:]
        /// Expected status for none, unit A, unit B, reviewer, admin.
        var expected: [Int]
    }

    func routes(_ w: World) throws -> [Route] {
        let id = w.batchID
        let scan = w.reportPath.replacingOccurrences(of: "/report.json", with: "")
        let decl = try Fixtures.declaration(Fixtures.batch("matrix-\(UUID().uuidString.prefix(8))", images: 1, in: w.root, offset: 5))
        return [
            Route(method: "GET", path: "healthz", expected: [200, 200, 200, 200, 200]),
            Route(method: "GET", path: "readyz", expected: [200, 200, 200, 200, 200]),
            Route(method: "GET", path: "openapi.yaml", expected: [200, 200, 200, 200, 200]),
            Route(method: "GET", path: "api/v1/whoami", expected: [401, 200, 200, 200, 200]),
            Route(method: "GET", path: "api/v1/accounts", expected: [401, 403, 403, 403, 200]),
            Route(method: "POST", path: "api/v1/accounts", body: jsonBody(["name": "new-\(UUID().uuidString.prefix(8))", "role": "unit"]),
                  expected: [401, 403, 403, 403, 201]),
            Route(method: "DELETE", path: "api/v1/accounts/nobody", expected: [401, 403, 403, 403, 404]),
            Route(method: "POST", path: "api/v1/manifests/validate?name=manifest.json",
                  body: try Data(contentsOf: URL(fileURLWithPath: Fixtures.samples + "/clean-18-40/manifest.json")),
                  expected: [401, 200, 200, 200, 200]),
            Route(method: "GET", path: "api/v1/batches", expected: [401, 200, 200, 200, 403]),
            Route(method: "POST", path: "api/v1/batches", body: jsonBody(decl), expected: [401, 201, 201, 403, 403]),
            Route(method: "GET", path: "api/v1/batches/\(id)", expected: [401, 200, 404, 200, 403]),
            Route(method: "PUT", path: "api/v1/batches/\(id)/files/\(w.digest)", body: Data([1, 2, 3]), expected: [401, 204, 404, 403, 403]),
            Route(method: "POST", path: "api/v1/batches/\(id)/commit", expected: [401, 202, 404, 403, 403]),
            Route(method: "GET", path: "api/v1/batches/\(id)/summary.json", expected: [401, 200, 404, 200, 403]),
            Route(method: "GET", path: "api/v1/batches/\(id)/summary.csv", expected: [401, 200, 404, 200, 403]),
            Route(method: "GET", path: "api/v1/batches/\(id)/index.html", expected: [401, 200, 404, 200, 403]),
            Route(method: "GET", path: "api/v1/batches/\(id)/\(w.reportPath)", expected: [401, 200, 404, 200, 403]),
            Route(method: "GET", path: "api/v1/batches/\(id)/\(scan)/report.html", expected: [401, 200, 404, 200, 403]),
            Route(method: "GET", path: "api/v1/batches/\(id)/\(scan)/analysis.json", expected: [401, 200, 404, 200, 403]),
            Route(method: "GET", path: "api/v1/batches/does-not-exist", expected: [401, 404, 404, 404, 403]),
        ]
    }

    @Test func authMatrixEveryRouteEveryCaller() async throws {
        let w = try await world()
        var failures: [String] = []
        for route in try routes(w) {
            for (caller, expected) in zip(Caller.allCases, route.expected) {
                let token = caller == .none ? nil : w.tokens[caller.rawValue]
                let url = URL(string: w.server.base.absoluteString + "/" + route.path)!
                let r = try await http(route.method, url, token: token, body: route.body, headers: route.headers)
                if r.status != expected { failures.append("\(route.method) /\(route.path) as \(caller): \(r.status), expected \(expected): \(r.text.prefix(200))") }
                if r.status == 401 && r.header("WWW-Authenticate") == nil { failures.append("\(route.path): 401 without WWW-Authenticate") }
            }
            // A bad token is refused like none on every authenticated route.
            if route.expected[0] == 401 {
                let url = URL(string: w.server.base.absoluteString + "/" + route.path)!
                let bad = try await http(route.method, url, token: w.tokens["unit-a"]! + "x", body: route.body)
                if bad.status != 401 { failures.append("\(route.path) with a bad token: \(bad.status)") }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test func listingsShowOnlyWhatTheCallerMaySee() async throws {
        let w = try await world()
        func ids(_ who: String) async throws -> [String] {
            let r = try await http("GET", w.server.base.appendingPathComponent("api/v1/batches"), token: w.tokens[who])
            return (r.json as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        #expect(try await ids("unit-a").contains(w.batchID))
        #expect(try await !ids("unit-b").contains(w.batchID))
        #expect(try await ids("rev").contains(w.batchID))
    }

    @Test func servedOutputsAreWhatAnalyzeWrote() async throws {
        let w = try await world()
        let batch = try await http("GET", w.server.base.appendingPathComponent("api/v1/batches/\(w.batchID)"), token: w.tokens["rev"])
        #expect(batch.object["state"] as? String == "done")
        #expect(batch.object["unit"] as? String == "unit-a")
        #expect(batch.object["attempts"] as? Int == 1)
        let summary = try await http("GET", w.server.base.appendingPathComponent("api/v1/batches/\(w.batchID)/summary.json"), token: w.tokens["rev"])
        let onDisk = try Data(contentsOf: URL(fileURLWithPath: w.server.data + "/results/\(w.batchID)/summary.json"))
        #expect(summary.body == onDisk)
        #expect(summary.object["schema"] as? String == "sonoqc-analyze-summary/1")
        #expect((summary.object["counts"] as? [String: Any])?["analysed"] as? Int == 2)
        let spec = try await http("GET", w.server.base.appendingPathComponent("openapi.yaml"))
        #expect(spec.body == (try Data(contentsOf: Fixtures.repo.appendingPathComponent("openapi.yaml"))))
        // Escapes out of the results directory are refused.
        let escape = try await http("GET", URL(string: w.server.base.absoluteString + "/api/v1/batches/\(w.batchID)/scans/..%2F..%2Fsonoqc.sqlite")!,
                                    token: w.tokens["rev"])
        #expect(escape.status == 404)
    }

    @Test func accessLogHasNoTokensAndNoScanPaths() async throws {
        let w = try await world()
        _ = try await http("GET", URL(string: w.server.base.absoluteString + "/api/v1/batches/\(w.batchID)/\(w.reportPath)")!,
                           token: w.tokens["rev"])
        try await Task.sleep(for: .milliseconds(300))
        let log = w.server.log
        #expect(log.contains("route=/api/v1/batches/{id}/scans/**") || log.contains("route=/api/v1/batches/:id/scans/**"))
        for token in w.tokens.values {
            #expect(!log.contains(token))
            #expect(!log.contains(String(token.split(separator: ".")[1])))
        }
        #expect(!log.contains("C18_1"))
    }

    @Test func browserLoginSetsAStrictHttpOnlyCookieAndRequiresCSRF() async throws {
        let w = try await world()
        let base = w.server.base
        let bad = try await http("POST", base.appendingPathComponent("login"), body: Data("token=nope".utf8),
                                 headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(bad.status == 401)
        let token = w.tokens["unit-a"]!.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let login = try await http("POST", base.appendingPathComponent("login"), body: Data("token=\(token)".utf8),
                                   headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(login.status == 303)
        let setCookie = try #require(login.header("Set-Cookie"))
        #expect(setCookie.contains("HttpOnly"))
        #expect(setCookie.contains("SameSite=Strict"))
        let cookie = String(setCookie.split(separator: ";")[0])
        let page = try await http("GET", base.appendingPathComponent("upload"), headers: ["Cookie": cookie])
        #expect(page.status == 200)
        #expect(!page.text.contains("http://") && !page.text.contains("https://"), "the page loads nothing from elsewhere")
        let csrf = try #require(page.text.range(of: "data-csrf=\"").map { page.text[$0.upperBound...].prefix { $0 != "\"" } })
        // Reading with the cookie works; state-changing needs the CSRF token.
        let list = try await http("GET", base.appendingPathComponent("api/v1/batches"), headers: ["Cookie": cookie])
        #expect(list.status == 200)
        let decl = jsonBody(try Fixtures.declaration(Fixtures.batch("cookie-\(UUID().uuidString.prefix(6))", images: 1, in: w.root, offset: 7)))
        let noCSRF = try await http("POST", base.appendingPathComponent("api/v1/batches"), body: decl, headers: ["Cookie": cookie])
        #expect(noCSRF.status == 403)
        let wrongCSRF = try await http("POST", base.appendingPathComponent("api/v1/batches"), body: decl,
                                       headers: ["Cookie": cookie, "X-CSRF-Token": "x" + csrf])
        #expect(wrongCSRF.status == 403)
        let withCSRF = try await http("POST", base.appendingPathComponent("api/v1/batches"), body: decl,
                                      headers: ["Cookie": cookie, "X-CSRF-Token": String(csrf)])
        #expect(withCSRF.status == 201)
        let logout = try await http("POST", base.appendingPathComponent("logout"), body: Data("csrf=\(csrf)".utf8),
                                    headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"])
        #expect(logout.status == 303)
        let after = try await http("GET", base.appendingPathComponent("api/v1/batches"), headers: ["Cookie": cookie])
        #expect(after.status == 401)
    }

    @Test func accountsCLIPrintsTheTokenLastAndOnce() async throws {
        let w = try await world()
        let (status, out, _) = try Fixtures.sonoqc(["accounts", "add", "--data", w.server.data, "--role", "reviewer", "cli-rev"])
        #expect(status == 0)
        let token = try #require(out.split(separator: "\n").last.map(String.init))
        let who = try await http("GET", w.server.base.appendingPathComponent("api/v1/whoami"), token: token)
        #expect(who.object["name"] as? String == "cli-rev")
        let list = try Fixtures.sonoqc(["accounts", "list", "--data", w.server.data])
        #expect(list.1.contains("cli-rev\treviewer"))
        #expect(!list.1.contains(token))
        let db = try Data(contentsOf: URL(fileURLWithPath: w.server.data + "/sonoqc.sqlite"))
        #expect(db.range(of: Data(token.utf8)) == nil, "the token itself is never stored")
        #expect(try Fixtures.sonoqc(["accounts", "revoke", "--data", w.server.data, "cli-rev"]).0 == 0)
        let revoked = try await http("GET", w.server.base.appendingPathComponent("api/v1/whoami"), token: token)
        #expect(revoked.status == 401)
    }
}
