import Foundation
import Hummingbird

/// Every registered (method, path pattern), so a known path asked with another method answers 405
/// with `Allow` instead of 404 (and openapi.yaml can be checked against it).
// @unchecked: `routes` is read and written only under `lock`.
final class RouteTable: @unchecked Sendable {
    private let lock = NSLock()
    private var routes: [(method: HTTPRequest.Method, segments: [Substring])] = []

    func add(_ method: HTTPRequest.Method, _ path: String) {
        lock.withLock { routes.append((method, path.split(separator: "/"))) }
    }

    /// Every route as "METHOD /path" with OpenAPI-style parameters (`{name}`; a trailing `**` is `{path}`).
    var openAPIStyle: Set<String> {
        lock.withLock {
            Set(routes.map { route in
                let path = route.segments.map { s -> String in
                    if s == "**" { return "{path}" }
                    return s.hasPrefix(":") ? "{\(s.dropFirst())}" : String(s)
                }.joined(separator: "/")
                return "\(route.method.rawValue) /\(path)"
            })
        }
    }

    /// Methods registered for a concrete request path.
    func methods(for path: String) -> [HTTPRequest.Method] {
        let parts = path.split(separator: "/")
        return lock.withLock { routes.filter { Self.matches($0.segments, parts) }.map(\.method) }
    }

    static func matches(_ pattern: [Substring], _ parts: [Substring]) -> Bool {
        for (i, segment) in pattern.enumerated() {
            if segment == "**" { return parts.count > i }
            guard i < parts.count else { return false }
            if !segment.hasPrefix(":") && segment != parts[i] { return false }
        }
        return pattern.count == parts.count
    }
}

/// Registers routes on the router and records them in the table.
struct RouteRegistrar {
    let router: Router<ServiceContext>
    let table: RouteTable
    typealias Handler = @Sendable (Request, ServiceContext) async throws -> Response

    func on(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
        table.add(method, path)
        router.on(RouterPath(path), method: method, use: handler)
    }
    func get(_ path: String, _ handler: @escaping Handler) { on(.get, path, handler) }
    func post(_ path: String, _ handler: @escaping Handler) { on(.post, path, handler) }
    func put(_ path: String, _ handler: @escaping Handler) { on(.put, path, handler) }
    func delete(_ path: String, _ handler: @escaping Handler) { on(.delete, path, handler) }
}

/// Turns the router's 404 for a known path with an unregistered method into 405 + `Allow`.
struct MethodNotAllowed: RouterMiddleware {
    typealias Context = ServiceContext
    let table: RouteTable

    func handle(_ request: Request, context: ServiceContext, next: (Request, ServiceContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = table.methods(for: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method) else { throw APIFailure.notFound }
            var response = JSONResponse.make(ErrorBody(APIFailure(httpStatus: 405, code: "method-not-allowed",
                                                                  message: "\(request.method.rawValue) is not allowed here")),
                                             status: .methodNotAllowed)
            response.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
            return response
        }
    }
}
