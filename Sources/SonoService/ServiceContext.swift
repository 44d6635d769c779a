import Foundation
package import Hummingbird
import Logging
import NIOCore
import SonoChecks
import SonoInput
import SonoL10n

/// Per-request state: who the caller is, once ``Auth`` has looked.
package struct ServiceContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    package var account: Account?

    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

extension APIFailure: HTTPResponseError {
    package var status: HTTPResponse.Status { HTTPResponse.Status(code: httpStatus) }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(ErrorBody(self), status: status)
        if httpStatus == 401 { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }
}

/// The JSON body of every error: `error` (a stable code), `message`, and where they apply the
/// exceeded `limit` with its `limit_value`, manifest `issues` (line, field, found, expected), the
/// `file` concerned and the `missing` digests.
struct ErrorBody: Encodable {
    var error: String
    var message: String
    var limit: String?
    var limitValue: Int64?
    var issues: [ManifestIssueBody]?
    var file: String?
    var missing: [String]?

    init(_ f: APIFailure) {
        error = f.code
        message = f.message
        limit = f.limit
        limitValue = f.limitValue
        issues = f.issues?.map(ManifestIssueBody.init)
        file = f.file
        missing = f.missing
    }

    enum CodingKeys: String, CodingKey {
        case error, message, limit, limitValue = "limit_value", issues, file, missing
    }
}

/// `expected` is English (for API clients and logs); `expectation` is its catalogue key and
/// arguments, which the upload page shows in the uploader's language.
struct ManifestIssueBody: Encodable {
    var line: Int?
    var field: String
    var found: String
    var expected: String
    var expectation: Message

    init(_ issue: ManifestIssue) {
        line = issue.line
        field = issue.field
        found = issue.found
        expected = issue.expected
        expectation = issue.expectation
    }
}

enum JSONResponse {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        return e
    }()

    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        var data = (try? encoder.encode(value)) ?? Data("{\"error\":\"internal\",\"message\":\"response encoding failed\"}".utf8)
        data.append(0x0A)
        return bytes(data, contentType: "application/json", status: status)
    }

    static func bytes(_ data: Data, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-store"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
