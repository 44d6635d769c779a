import Foundation
import Hummingbird
import NIOCore
import SonoCore

/// The routes of `sonoqc serve` (every one is described in openapi.yaml).
///
/// Access: a unit uploads and reads its own batches; a reviewer reads every batch; an admin manages
/// accounts and sees no batch data. No or a bad credential → 401; another unit's batch → 404 (its
/// existence is not revealed); a role that may not do the action → 403.
struct ServiceAPI: Sendable {
    let store: any ServiceStore
    let layout: DataLayout
    let config: ServiceConfiguration
    var accounts: AccountManager { AccountManager(store: store) }
    var blobs: BlobStore { BlobStore(directory: layout.blobs) }
    static let sessionCookie = "sonoqc_session"

    func register(on router: Router<ServiceContext>, table: RouteTable) {
        let r = RouteRegistrar(router: router, table: table)
        r.get("/healthz") { _, _ in JSONResponse.make(["status": "ok"]) }
        r.get("/readyz") { _, _ in try await self.ready() }
        r.get("/openapi.yaml") { _, _ in try self.openAPI() }

        r.get("/api/v1/whoami") { req, _ in
            let account = try await self.authenticate(req, stateChanging: false)
            return JSONResponse.make(["name": account.name, "role": account.role.rawValue])
        }
        r.get("/api/v1/accounts") { req, _ in try await self.listAccounts(req) }
        r.post("/api/v1/accounts") { req, ctx in try await self.addAccount(req, ctx) }
        r.delete("/api/v1/accounts/:name") { req, ctx in try await self.revokeAccount(req, ctx) }

        r.post("/api/v1/manifests/validate") { req, _ in try await self.validateManifest(req) }
        r.get("/api/v1/batches") { req, _ in try await self.listBatches(req) }
        r.post("/api/v1/batches") { req, _ in try await self.createBatch(req) }
        r.get("/api/v1/batches/:id") { req, ctx in try await self.showBatch(req, ctx) }
        r.put("/api/v1/batches/:id/files/:sha256") { req, ctx in try await self.putFile(req, ctx) }
        r.post("/api/v1/batches/:id/commit") { req, ctx in try await self.commit(req, ctx) }
        for name in ["summary.json", "summary.csv", "index.html"] {
            r.get("/api/v1/batches/:id/\(name)") { req, ctx in try await self.resultFile(req, ctx, relative: [name]) }
        }
        r.get("/api/v1/batches/:id/scans/**") { req, ctx in
            try await self.resultFile(req, ctx, relative: ["scans"] + ctx.parameters.getCatchAll().map(String.init))
        }

        WebPages(api: self).register(on: r)
        ReviewRoutes(api: self).register(on: r)
    }

    // MARK: Authentication

    /// The caller's account from `Authorization: Bearer` or, for browsers, the session cookie; a
    /// state-changing request on a session must also carry the session's CSRF token
    /// (`X-CSRF-Token` header or `csrf` form field, passed as `formCSRF`).
    func authenticate(_ request: Request, stateChanging: Bool, formCSRF: String? = nil) async throws -> Account {
        if let header = request.headers[.authorization] {
            guard header.hasPrefix("Bearer "), let account = try await accounts.authenticate(token: String(header.dropFirst(7))) else {
                throw APIFailure.unauthorized
            }
            return account
        }
        guard let (session, account) = try await currentSession(request) else { throw APIFailure.unauthorized }
        if stateChanging {
            let header = request.headers.first { $0.name.canonicalName == "x-csrf-token" }?.value
            let presented = header ?? formCSRF ?? ""
            guard Secrets.constantTimeEqual(presented, session.csrfToken) else {
                throw APIFailure(httpStatus: 403, code: "csrf", message: "missing or wrong CSRF token")
            }
        }
        return account
    }

    func currentSession(_ request: Request) async throws -> (Session, Account)? {
        guard let cookie = request.cookies[Self.sessionCookie]?.value, !cookie.isEmpty,
              let session = try await store.session(idHash: Secrets.sha256Hex(Data(cookie.utf8)), now: Date()),
              let account = try await store.activeAccount(name: session.account)
        else { return nil }
        return (session, account)
    }

    func require(_ account: Account, _ roles: Role...) throws {
        guard roles.contains(account.role) else { throw APIFailure.forbidden }
    }

    /// The batch when this account may read it: its own unit's, or any for a reviewer.
    func readableBatch(_ id: String, for account: Account) async throws -> Batch {
        try require(account, .unit, .reviewer)
        guard let batch = try await store.batch(id: id), account.role == .reviewer || batch.unit == account.name else {
            throw APIFailure.notFound
        }
        return batch
    }

    /// Reads a request body, refusing more than `limit` bytes with 413 naming the limit.
    func body(_ request: Request, limit: Int64, limitName: String) async throws -> Data {
        if let length = request.headers[.contentLength].flatMap(Int64.init), length > limit {
            throw APIFailure.tooLarge(limitName, limit, "request body has \(length) bytes; at most \(limit)")
        }
        var buffer = ByteBuffer()
        for try await chunk in request.body {
            if Int64(buffer.readableBytes + chunk.readableBytes) > limit {
                throw APIFailure.tooLarge(limitName, limit, "request body exceeds \(limit) bytes")
            }
            buffer.writeImmutableBuffer(chunk)
        }
        return Data(buffer.readableBytesView)
    }

    func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw APIFailure(httpStatus: 400, code: "bad-request", message: "request body is not the expected JSON: \(error)")
        }
    }

    // MARK: Operations

    func ready() async throws -> Response {
        do {
            try await store.ping()
            return JSONResponse.make(ReadyBody(status: "ready", queued: try await store.queueDepth()))
        } catch {
            return JSONResponse.make(ReadyBody(status: "store unavailable", queued: nil), status: .serviceUnavailable)
        }
    }

    struct ReadyBody: Encodable {
        var status: String
        var queued: Int?
    }

    func openAPI() throws -> Response {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"), let data = try? Data(contentsOf: url) else {
            throw APIFailure(httpStatus: 500, code: "internal", message: "openapi.yaml is missing from the installation")
        }
        return JSONResponse.bytes(data, contentType: "application/yaml")
    }

    // MARK: Accounts (admin)

    struct AccountBody: Codable {
        var name: String
        var role: String
        var createdAt: Date?
        var revokedAt: Date?
        var token: String?
        enum CodingKeys: String, CodingKey { case name, role, createdAt = "created_at", revokedAt = "revoked_at", token }
    }

    func listAccounts(_ req: Request) async throws -> Response {
        try require(try await authenticate(req, stateChanging: false), .admin)
        let list = try await accounts.list().map {
            AccountBody(name: $0.name, role: $0.role.rawValue, createdAt: $0.createdAt, revokedAt: $0.revokedAt)
        }
        return JSONResponse.make(list)
    }

    func addAccount(_ req: Request, _ ctx: ServiceContext) async throws -> Response {
        try require(try await authenticate(req, stateChanging: true), .admin)
        let body = try decode(AccountBody.self, try await body(req, limit: 4096, limitName: "max_request_bytes"))
        guard let role = Role(rawValue: body.role) else { throw APIFailure.invalid("role must be unit, reviewer or admin") }
        if let problem = AccountManager.checkName(body.name) { throw APIFailure.invalid(problem) }
        do {
            let token = try await accounts.add(name: body.name, role: role)
            return JSONResponse.make(AccountBody(name: body.name, role: role.rawValue, token: token), status: .created)
        } catch StoreError.conflict {
            throw APIFailure(httpStatus: 409, code: "conflict", message: "an account with this name exists")
        }
    }

    func revokeAccount(_ req: Request, _ ctx: ServiceContext) async throws -> Response {
        try require(try await authenticate(req, stateChanging: true), .admin)
        guard try await accounts.revoke(name: try ctx.parameters.require("name")) else { throw APIFailure.notFound }
        return Response(status: .noContent)
    }

    // MARK: Upload

    struct CreateBatchBody: Decodable {
        var name: String
        var files: [BatchFile]
    }

    struct UploadBody: Encodable {
        var batch: BatchBody
        var missing: [String]
        var created: Bool
    }

    func validateManifest(_ req: Request) async throws -> Response {
        _ = try await authenticate(req, stateChanging: true)
        let name = req.uri.queryParameters.get("name") ?? "manifest.json"
        guard UploadRules.isManifestName(name) else { throw APIFailure.invalid("name must be manifest.json or manifest.csv") }
        let data = try await body(req, limit: config.limits.maxManifestBytes, limitName: UploadRules.limitNames.manifest)
        if data.isEmpty { throw APIFailure(httpStatus: 400, code: "bad-request", message: "send the manifest's bytes as the body") }
        // The check itself succeeded either way: 200, with `valid` and the problems by line and field.
        struct Verdict: Encodable { var valid: Bool; var scans: Int; var images: Int; var files: [String]; var issues: [ManifestIssueBody] }
        switch Result(catching: { () throws(APIFailure) -> BatchManifest in try UploadRules.checkManifest(data, name: name, limits: config.limits) }) {
        case .success(let manifest):
            let files = manifest.scans.flatMap { $0.images.map(\.file) }
            return JSONResponse.make(Verdict(valid: true, scans: manifest.scans.count, images: files.count, files: files, issues: []))
        case .failure(let failure) where failure.code == "invalid-manifest":
            return JSONResponse.make(Verdict(valid: false, scans: 0, images: 0, files: [], issues: (failure.issues ?? []).map(ManifestIssueBody.init)))
        case .failure(let failure):
            throw failure
        }
    }

    func createBatch(_ req: Request) async throws -> Response {
        let account = try await authenticate(req, stateChanging: true)
        try require(account, .unit)
        // ~150 bytes per declared file; the files-per-batch limit bounds the declaration.
        let declarationLimit = Int64(config.limits.maxFilesPerBatch) * 1024 + 4096
        let body = try decode(CreateBatchBody.self, try await body(req, limit: declarationLimit, limitName: UploadRules.limitNames.files))
        let key = try UploadRules.checkDeclaration(name: body.name, files: body.files, limits: config.limits)
        let fresh = Batch(id: UUID().uuidString.lowercased(), unit: account.name, name: body.name, contentKey: key,
                          state: .uploading, createdAt: Date())
        let (batch, created) = try await store.findOrCreateBatch(fresh, files: body.files)
        let missing = batch.state == .uploading ? missingDigests(try await store.files(batchID: batch.id)) : []
        return JSONResponse.make(UploadBody(batch: BatchBody(batch), missing: missing, created: created),
                                 status: created ? .created : .ok)
    }

    func missingDigests(_ files: [BatchFile]) -> [String] {
        var seen = Set<String>()
        return files.map(\.sha256).filter { seen.insert($0).inserted && !blobs.contains($0) }
    }

    func ownBatchForUpload(_ req: Request, _ ctx: ServiceContext) async throws -> Batch {
        let account = try await authenticate(req, stateChanging: true)
        try require(account, .unit)
        guard let batch = try await store.batch(id: try ctx.parameters.require("id")), batch.unit == account.name else {
            throw APIFailure.notFound
        }
        return batch
    }

    func putFile(_ req: Request, _ ctx: ServiceContext) async throws -> Response {
        let batch = try await ownBatchForUpload(req, ctx)
        let digest = try ctx.parameters.require("sha256")
        let named = try await store.files(batchID: batch.id).filter { $0.sha256 == digest }
        guard let declared = named.first else { throw APIFailure.notFound }
        if blobs.contains(digest) { return Response(status: .noContent) }
        guard batch.state == .uploading else {
            throw APIFailure(httpStatus: 409, code: "committed", message: "the batch is already committed")
        }
        let data = try await body(req, limit: config.limits.maxFileBytes, limitName: UploadRules.limitNames.file)
        guard Int64(data.count) == declared.size else {
            throw APIFailure(httpStatus: 400, code: "size-mismatch", message: "\(data.count) bytes received, \(declared.size) declared",
                             file: declared.name)
        }
        for file in named {
            try UploadRules.sniff(data, name: file.name)
            if UploadRules.isManifestName(file.name) { _ = try UploadRules.checkManifest(data, name: file.name, limits: config.limits) }
        }
        let blobs = self.blobs
        do {
            try await offload { try blobs.put(data, sha256: digest) }
        } catch let error as ServiceError {
            if case .digestMismatch = error {
                throw APIFailure(httpStatus: 400, code: "digest-mismatch", message: error.description, file: declared.name)
            }
            throw error
        }
        return Response(status: .noContent)
    }

    func commit(_ req: Request, _ ctx: ServiceContext) async throws -> Response {
        let batch = try await ownBatchForUpload(req, ctx)
        if batch.state != .uploading { return JSONResponse.make(BatchBody(batch), status: .accepted) }
        let files = try await store.files(batchID: batch.id)
        let missing = missingDigests(files)
        guard missing.isEmpty else {
            throw APIFailure(httpStatus: 409, code: "files-missing", message: "\(missing.count) file(s) not uploaded yet", missing: missing)
        }
        if let manifest = files.first(where: { UploadRules.isManifestName($0.name) }) {
            _ = try UploadRules.checkManifest(try blobs.read(manifest.sha256), name: manifest.name, limits: config.limits)
        }
        let committed = try await store.commitBatch(id: batch.id, at: Date())
        return JSONResponse.make(BatchBody(committed), status: .accepted)
    }

    // MARK: Reading

    func listBatches(_ req: Request) async throws -> Response {
        let account = try await authenticate(req, stateChanging: false)
        try require(account, .unit, .reviewer)
        let list = try await store.batches(unit: account.role == .reviewer ? nil : account.name)
        return JSONResponse.make(list.map(BatchBody.init))
    }

    func showBatch(_ req: Request, _ ctx: ServiceContext) async throws -> Response {
        let account = try await authenticate(req, stateChanging: false)
        var body = BatchBody(try await readableBatch(try ctx.parameters.require("id"), for: account))
        body.files = try await store.files(batchID: body.id).map(\.name)
        return JSONResponse.make(body)
    }

    /// A file of the published analysis output. Path components come from the URL, so each must
    /// be a plain name (no dot files, no separators) before it touches the file system.
    func resultFile(_ req: Request, _ ctx: ServiceContext, relative: [String]) async throws -> Response {
        let account = try await authenticate(req, stateChanging: false)
        let batch = try await readableBatch(try ctx.parameters.require("id"), for: account)
        guard batch.state == .done else {
            throw APIFailure(httpStatus: 409, code: "not-ready", message: "batch is \(batch.state.rawValue); outputs exist once it is done")
        }
        let safe = relative.allSatisfy { part in
            !part.isEmpty && !part.hasPrefix(".") && !part.contains("/") && !part.contains("\\") && !part.contains("\0")
        }
        let path = layout.result(batch.id) + "/" + relative.joined(separator: "/")
        var isDirectory: ObjCBool = false
        guard safe, FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: path)
        else { throw APIFailure.notFound }
        return JSONResponse.bytes(data, contentType: Self.contentType(relative.last ?? ""))
    }

    static func contentType(_ name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "json": "application/json"
        case "html": "text/html; charset=utf-8"
        case "csv": "text/csv; charset=utf-8"
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "svg": "image/svg+xml"
        case "jsonl": "application/jsonl"
        default: "application/octet-stream"
        }
    }
}

/// A batch as the API shows it.
struct BatchBody: Encodable {
    var id: String
    var unit: String
    var name: String
    var state: String
    var reason: String?
    var createdAt: Date
    var committedAt: Date?
    var finishedAt: Date?
    var imagesTotal: Int?
    var imagesAnalysed: Int?
    var failures: Int?
    var attempts: Int
    var files: [String]?

    init(_ b: Batch) {
        id = b.id
        unit = b.unit
        name = b.name
        state = b.state.rawValue
        reason = b.reason
        createdAt = b.createdAt
        committedAt = b.committedAt
        finishedAt = b.finishedAt
        imagesTotal = b.imagesTotal
        imagesAnalysed = b.imagesAnalysed
        failures = b.failures
        attempts = b.attempts
    }

    enum CodingKeys: String, CodingKey {
        case id, unit, name, state, reason, createdAt = "created_at", committedAt = "committed_at", finishedAt = "finished_at",
             imagesTotal = "images_total", imagesAnalysed = "images_analysed", failures, attempts, files
    }
}
