import Foundation
import Hummingbird
import SonoChecks
import SonoCodecs
import SonoCore
import SonoImageAnalysis
import SonoReports

/// How the review queue samples passed images and how many images are read twice.
package struct ReviewSettings: Sendable, Equatable {
    package var passShare: Double
    package var doubleReadShare: Double
    package var seed: UInt64

    package init(passShare: Double = 0.10, doubleReadShare: Double = 0.10, seed: UInt64 = 12) {
        self.passShare = passShare
        self.doubleReadShare = doubleReadShare
        self.seed = seed
    }
}

/// The reviewer workspace: decisions, the queue, the image viewer's frame and overlay
/// geometry, exports, and the pages in ReviewPages.swift. Reviewers decide; a unit reads the
/// decisions on its own batches only (another unit's batch is 404, as for every batch route).
struct ReviewRoutes: Sendable {
    let api: ServiceAPI
    var store: any ServiceStore { api.store }
    var catalog: ReviewCatalog { ReviewCatalog(layout: api.layout) }
    var settings: ReviewSettings { api.config.review }

    func register(on router: RouteRegistrar) {
        router.get("/api/v1/queue") { req, _ in try await self.queueJSON(req) }
        router.post("/api/v1/decisions") { req, _ in try await self.postDecision(req) }
        router.get("/api/v1/decisions.json") { req, _ in try await self.exportJSON(req) }
        router.get("/api/v1/decisions.csv") { req, _ in try await self.exportCSV(req) }
        router.get("/api/v1/review/:id/:scan/:image/frame") { req, ctx in try await self.frame(req, ctx) }
        router.get("/api/v1/review/:id/:scan/:image/geometry.json") { req, ctx in try await self.geometry(req, ctx) }
        ReviewPages(routes: self).register(on: router)
    }

    // MARK: Lookup

    func doneBatches(for account: Account) async throws -> [Batch] {
        try await store.batches(unit: account.role == .reviewer ? nil : account.name).filter { $0.state == .done }
    }

    func allItems(for account: Account) async throws -> [ReviewItem] {
        try await doneBatches(for: account).flatMap { try catalog.items(of: $0) }
    }

    /// The image at (batch, scan index, image index), when this account may read the batch.
    func item(_ ctx: ServiceContext, for account: Account) async throws -> (ReviewScan, ReviewItem) {
        let batch = try await api.readableBatch(try ctx.parameters.require("id"), for: account)
        guard let s = Int(try ctx.parameters.require("scan")), let i = Int(try ctx.parameters.require("image")),
              let scan = try catalog.scans(of: batch).first(where: { $0.index == s })
        else { throw APIFailure.notFound }
        let items = catalog.items(scan)
        guard items.indices.contains(i) else { throw APIFailure.notFound }
        return (scan, items[i])
    }

    static func queueFilter(_ req: Request) -> QueueFilter {
        func q(_ name: String) -> String? {
            req.uri.queryParameters.get(name).flatMap { $0.isEmpty ? nil : $0 }
        }
        return QueueFilter(unit: q("unit"), operatorID: q("operator"), rule: q("rule"), verdict: q("verdict"), from: q("from"), to: q("to"))
    }

    func queue(for account: Account, filter: QueueFilter) async throws -> (all: [ReviewItem], shown: [ReviewItem]) {
        let ordered = ReviewQueue.order(try await allItems(for: account), passShare: settings.passShare, seed: settings.seed)
        return (ordered, ordered.filter(filter.matches))
    }

    // MARK: Double reading

    func isDoubleRead(_ item: ReviewItem) -> Bool {
        ReviewSampling.selected(item.batchID + "/" + item.fileName, share: settings.doubleReadShare, seed: settings.seed,
                                salt: "double-read")
    }

    /// Which reading `reviewer` records on this image, and the versions they may see. A second
    /// reader never sees the first reading (blind); the first reader keeps amending reading 1.
    func reading(of item: ReviewItem, by reviewer: String, decisions: [Decision]) -> (reading: Int, visible: [Decision]) {
        let mine = decisions.filter { $0.scan == item.scanID && $0.image == item.fileName }
        let first = mine.filter { $0.reading == 1 }
        guard isDoubleRead(item), let firstReader = first.first?.reviewer, firstReader != reviewer else {
            return (1, first)
        }
        return (2, mine.filter { $0.reading == 2 })
    }

    // MARK: Decisions

    struct DecisionBody: Decodable {
        var batchID: String
        var scanIndex: Int
        /// Absent for the scan's final decision.
        var imageIndex: Int?
        var criteria: [String: CriterionAnswer]?
        var verdict: ReviewVerdict
        var reasons: [String]?
        var comment: String?
        enum CodingKeys: String, CodingKey {
            case batchID = "batch_id", scanIndex = "scan_index", imageIndex = "image_index", criteria, verdict, reasons, comment
        }
    }

    func postDecision(_ req: Request) async throws -> Response {
        let account = try await api.authenticate(req, stateChanging: true)
        try api.require(account, .reviewer)
        let body = try api.decode(DecisionBody.self, try await api.body(req, limit: 16_384, limitName: "max_request_bytes"))
        let stored = try await record(body, by: account)
        return JSONResponse.make(stored, status: .created)
    }

    /// Validates and appends one decision; shared by the JSON API and the viewer's form.
    func record(_ body: DecisionBody, by account: Account) async throws -> Decision {
        let batch = try await api.readableBatch(body.batchID, for: account)
        guard let scan = try catalog.scans(of: batch).first(where: { $0.index == body.scanIndex }) else { throw APIFailure.notFound }
        if let unknown = body.criteria?.keys.first(where: { !ReviewCriteria.head.contains($0) }) {
            throw APIFailure.invalid("unknown criterion \(unknown)")
        }
        let reasons = body.reasons ?? []
        if let unknown = reasons.first(where: { !ReviewCriteria.reasons.contains($0) }) {
            throw APIFailure.invalid("unknown reason code \(unknown)")
        }
        let comment = (body.comment ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard comment.count <= 2000 else { throw APIFailure.invalid("comment longer than 2000 characters") }
        if body.verdict == .reject, reasons.isEmpty { throw APIFailure.invalid("a reject needs at least one reason code") }
        if body.verdict == .acceptWithRemark, reasons.isEmpty, comment.isEmpty {
            throw APIFailure.invalid("an accept with remark needs a reason code or a comment")
        }
        var decision = Decision(batchID: batch.id, scan: scan.report.scan.scanID, image: "", reviewer: account.name,
                                decidedAt: Date(), criteria: body.criteria ?? [:], verdict: body.verdict, reasons: reasons,
                                comment: comment)
        if let i = body.imageIndex {
            let items = catalog.items(scan)
            guard items.indices.contains(i) else { throw APIFailure.notFound }
            decision.image = items[i].fileName
            decision.reading = reading(of: items[i], by: account.name, decisions: try await store.decisions(batchID: batch.id)).reading
        }
        return try await store.appendDecision(decision)
    }

    // MARK: Export (reviewers)

    func exportJSON(_ req: Request) async throws -> Response {
        try api.require(try await api.authenticate(req, stateChanging: false), .reviewer)
        return JSONResponse.make(try await store.decisions(batchID: nil))
    }

    func exportCSV(_ req: Request) async throws -> Response {
        try api.require(try await api.authenticate(req, stateChanging: false), .reviewer)
        var csv = CSV.record(DecisionsFile.csvColumns)
        let iso = ISO8601DateFormatter()
        for d in try await store.decisions(batchID: nil) {
            let fields: [String] = [d.batchID, d.scan, d.image, String(d.reading), String(d.version), d.reviewer, iso.string(from: d.decidedAt),
                                    d.verdict.rawValue, d.score.map(String.init) ?? "", d.reasons.joined(separator: " "), d.comment,
                                    d.previousVerdict?.rawValue ?? "", d.previousScore.map(String.init) ?? ""]
                + ReviewCriteria.head.map { d.criteria[$0]?.rawValue ?? "" }
            csv += CSV.record(fields.map(Self.formulaProtected))
        }
        return JSONResponse.bytes(Data(csv.utf8), contentType: "text/csv; charset=utf-8")
    }

    /// A leading = + - @ is prefixed with ' so a spreadsheet does not run the field as a formula
    /// (`DecisionsFile.unprotect` strips it again); the quoting is SonoCore's ``CSV``.
    static func formulaProtected(_ s: String) -> String {
        guard let c = s.first, "=+-@".contains(c), Double(s) == nil else { return s }
        return "'" + s
    }

    // MARK: Viewer data

    func queueJSON(_ req: Request) async throws -> Response {
        let account = try await api.authenticate(req, stateChanging: false)
        try api.require(account, .reviewer)
        struct Row: Encodable {
            var key: String, batch: String, scan: String, image: String, status: String, rules: [String]
            var unit: String?, `operator`: String?, examDate: String?
            enum CodingKeys: String, CodingKey { case key, batch, scan, image, status, rules, unit, `operator`, examDate = "exam_date" }
        }
        let filter = Self.queueFilter(req)
        // The JSON API refuses a verdict outside its enum (the pages drop it instead).
        if let verdict = filter.verdict, !["pass", "review", "fail"].contains(verdict) {
            throw APIFailure(httpStatus: 400, code: "bad-request", message: "verdict must be pass, review or fail")
        }
        let shown = try await queue(for: account, filter: filter).shown
        return JSONResponse.make(shown.map {
            Row(key: $0.key, batch: $0.batchID, scan: $0.scanID, image: $0.fileName, status: $0.status.rawValue, rules: $0.rules,
                unit: $0.unitID, operator: $0.operatorID, examDate: $0.examDate)
        })
    }

    /// The uploaded original: PNG and JPEG are served as they came (browsers draw them at full
    /// resolution); the format was sniffed at upload.
    func frame(_ req: Request, _ ctx: ServiceContext) async throws -> Response {
        let account = try await api.authenticate(req, stateChanging: false)
        let (scan, item) = try await item(ctx, for: account)
        let data = try await uploadedBytes(of: item, in: scan)
        switch ImageDecoder.detectFormat([UInt8](data.prefix(16))) {
        case .supported(.png): return JSONResponse.bytes(data, contentType: "image/png")
        case .supported(.jpeg): return JSONResponse.bytes(data, contentType: "image/jpeg")
        default: throw APIFailure(httpStatus: 415, code: "unsupported", message: "the viewer shows PNG and JPEG frames")
        }
    }

    func geometry(_ req: Request, _ ctx: ServiceContext) async throws -> Response {
        let account = try await api.authenticate(req, stateChanging: false)
        let (scan, item) = try await item(ctx, for: account)
        let data = try await uploadedBytes(of: item, in: scan)
        let frame = try await offload { try ImageDecoder().decode([UInt8](data), source: item.fileName) }
        let calipers = try await manifestCalipers(batch: scan.batch, fileName: item.fileName)
        return JSONResponse.make(OverlayGeometry(item: item, fieldOfView: FieldOfView.detect(frame.image), calipers: calipers))
    }

    /// The bytes the unit uploaded for this image; 404 when the batch holds no file of that name.
    func uploadedBytes(of item: ReviewItem, in scan: ReviewScan) async throws -> Data {
        guard let file = try await store.files(batchID: scan.batch.id).first(where: { $0.name == item.fileName }) else {
            throw APIFailure.notFound
        }
        return try api.blobs.read(file.sha256)
    }

    /// The sonographer's caliper end points for this image from the batch's manifest, when given.
    func manifestCalipers(batch: Batch, fileName: String) async throws -> [String: [CaliperPoint]] {
        guard let manifestFile = try await store.files(batchID: batch.id).first(where: { UploadRules.isManifestName($0.name) }),
              let manifest = try? UploadRules.checkManifest(try api.blobs.read(manifestFile.sha256), name: manifestFile.name, limits: api.config.limits)
        else { return [:] }
        let entry = manifest.scans.flatMap(\.images).first { ($0.file as NSString).lastPathComponent == fileName }
        return entry?.calipers ?? [:]
    }
}

/// What the viewer draws over the frame, in frame pixels (the SVG's viewBox is the frame).
struct OverlayGeometry: Encodable {
    struct Ellipse: Encodable { var cx, cy, rx, ry, angle: Double }
    struct Segment: Encodable { var x1, y1, x2, y2: Double }
    struct Box: Encodable { var x, y, width, height: Int }
    var width: Int
    var height: Int
    /// Outline of the field of view: left edges top to bottom, then right edges bottom to top.
    var fieldOfView: [[Int]]
    var ellipse: Ellipse?
    var bpd: Segment?
    var ofd: Segment?
    /// The automatic ellipse scaled so its perimeter is the reported HC.
    var reportedHC: Ellipse?
    var masked: [Box]
    var calipers: [String: [CaliperPoint]]

    enum CodingKeys: String, CodingKey {
        case width, height, fieldOfView = "field_of_view", ellipse, bpd, ofd, reportedHC = "reported_hc", masked, calipers
    }

    init(item: ReviewItem, fieldOfView fov: FieldOfView, calipers: [String: [CaliperPoint]]) {
        let image = item.image
        width = image.widthPx
        height = image.heightPx
        var left: [[Int]] = []
        var right: [[Int]] = []
        let step = FieldOfView.blockSize
        for y in stride(from: 0, to: fov.height, by: step) {
            let row = fov.mask[(y * fov.width)..<((y + 1) * fov.width)]
            guard let first = row.firstIndex(of: 1), let last = row.lastIndex(of: 1) else { continue }
            left.append([first - y * fov.width, y])
            right.append([last - y * fov.width + 1, y])
        }
        fieldOfView = left + right.reversed()
        masked = image.overlays.regions.map { Box(x: $0.x, y: $0.y, width: $0.width, height: $0.height) }
        self.calipers = calipers
        if let h = image.head, h.found, let cx = h.centreXPx, let cy = h.centreYPx, let a = h.semiMajorPx, let b = h.semiMinorPx {
            let angle = h.angleDeg ?? 0
            let e = Ellipse(cx: cx, cy: cy, rx: a, ry: b, angle: angle)
            ellipse = e
            let t = angle * .pi / 180
            ofd = Segment(x1: cx - a * cos(t), y1: cy - a * sin(t), x2: cx + a * cos(t), y2: cy + a * sin(t))
            bpd = Segment(x1: cx + b * sin(t), y1: cy - b * cos(t), x2: cx - b * sin(t), y2: cy + b * cos(t))
            if let hc = image.measurements.first(where: { $0.measure == "hc" }), let reported = hc.reportedMM,
               let automatic = hc.automaticMM, automatic > 0 {
                let k = reported / automatic
                reportedHC = Ellipse(cx: cx, cy: cy, rx: a * k, ry: b * k, angle: angle)
            }
        }
    }
}
