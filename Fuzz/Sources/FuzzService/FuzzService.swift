import Foundation
import Hummingbird
import SonoReports
@testable import SonoService

// The request parsing of `sonoqc serve`, without a server: every function here is what a route
// runs on client bytes before it touches the store. The first byte picks the parser, the rest is
// its input, so one corpus covers all of them and libFuzzer can move an input between them.
//
//   0  manifest upload (POST /api/v1/manifests/validate, PUT of manifest.json / manifest.csv)
//   1  batch declaration (POST /api/v1/batches: JSON body, names, digests, sizes, limits)
//   2  decision JSON body (POST /api/v1/decisions)
//   3  request target: path and query (queue filters, ?name=, route matching, result-file parts)
//   4  viewer form body (application/x-www-form-urlencoded decisions)
//   5  credentials: Authorization and Cookie header values, split at the first LF
//   6  uploaded file bytes (magic sniffing) under a name taken from the first line
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzService(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let payload = Data(UnsafeBufferPointer(start: data + 1, count: size - 1))
    // Small limits so the refusal paths are reached as often as the accepting ones.
    let limits = UploadLimits(maxFileBytes: 4096, maxFilesPerBatch: 8, maxBatchBytes: 16_384, maxManifestBytes: 8192)
    switch data[0] % 7 {
    case 0:
        _ = try? UploadRules.checkManifest(payload, name: "manifest.json", limits: limits)
        _ = try? UploadRules.checkManifest(payload, name: "manifest.csv", limits: limits)
    case 1:
        if let body = try? JSONDecoder().decode(ServiceAPI.CreateBatchBody.self, from: payload) {
            _ = try? UploadRules.checkDeclaration(name: body.name, files: body.files, limits: limits)
            _ = UploadRules.directoryName(forBatch: body.name)
        }
    case 2:
        if let body = try? JSONDecoder().decode(ReviewRoutes.DecisionBody.self, from: payload) {
            _ = ReviewCriteria.score(body.criteria ?? [:])
        }
    case 3:
        let target = String(decoding: payload, as: UTF8.self)
        let request = Request(head: HTTPRequest(method: .get, scheme: "http", authority: "fuzz", path: target),
                              body: RequestBody(buffer: ByteBuffer()))
        _ = ReviewRoutes.queueFilter(request)
        _ = request.uri.queryParameters.get("name").map(UploadRules.isManifestName)
        let parts = request.uri.path.split(separator: "/")
        _ = RouteTable.matches("api/v1/batches/:id/scans/**".split(separator: "/"), parts)
        _ = RouteTable.matches("review/image/:id/:scan/:image".split(separator: "/"), parts)
        _ = parts.map { Int($0) }
        _ = ServiceAPI.contentType(String(parts.last ?? ""))
    case 4:
        let pairs = ReviewPages.formPairs(payload)
        for (key, value) in pairs {
            _ = ReviewVerdict(rawValue: value)
            if key.hasPrefix("c.") { _ = CriterionAnswer(rawValue: value) }
        }
    case 5:
        let text = String(decoding: payload, as: UTF8.self)
        let (authorization, cookie) = text.firstIndex(of: "\n").map { (String(text[..<$0]), String(text[text.index(after: $0)...])) }
            ?? (text, "")
        var fields = HTTPFields()
        fields[.authorization] = authorization
        fields[.cookie] = cookie
        let request = Request(head: HTTPRequest(method: .get, scheme: "http", authority: "fuzz", path: "/", headerFields: fields),
                              body: RequestBody(buffer: ByteBuffer()))
        if let header = request.headers[.authorization], let token = ServiceAPI.bearerToken(header) {
            _ = Secrets.keyID(ofToken: token)
        }
        _ = ServiceAPI.sessionID(request)
    default:
        let name = String(decoding: payload.prefix { $0 != 0x0A }, as: UTF8.self)
        _ = UploadRules.checkFileName(name)
        _ = AccountManager.checkName(name)
        _ = BlobStore.isDigest(name)
        try? UploadRules.sniff(payload, name: name)
    }
    return 0
}
