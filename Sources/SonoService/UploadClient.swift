package import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `sonoqc upload`: sends a batch directory to a running service. Resumable: it declares every
/// file's SHA-256, sends only the ones the server lacks, then commits; the server maps the same
/// declaration to the same batch, so a rerun after an interruption completes that batch.
package struct UploadClient: Sendable {
    package let server: URL
    package let token: String

    /// Exit statuses, following sysexits where one fits; 0 and 1 as `sonoqc analyze`.
    package enum Exit: Int32, Sendable {
        case allAnalysed = 0
        case someFailed = 1
        case usage = 64
        case refused = 65
        case unavailable = 69
        case batchFailed = 70
        case notPermitted = 77
    }

    package struct Failure: Error, CustomStringConvertible {
        package var exit: Exit
        package var message: String
        package var description: String { message }
    }

    package init(server: URL, token: String) {
        self.server = server
        self.token = token
    }

    package struct Declared: Sendable {
        package var files: [BatchFile]
        package var skipped: [String]
    }

    /// The directory's images and manifest (top level, names the server accepts), hashed.
    package static func declare(directory: String) throws -> Declared {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted() } catch {
            throw Failure(exit: .usage, message: "cannot read \(directory): \(error.localizedDescription)")
        }
        var files: [BatchFile] = []
        var skipped: [String] = []
        for name in names {
            let path = directory + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  UploadRules.checkFileName(name) == nil else {
                skipped.append(name)
                continue
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Failure(exit: .usage, message: "cannot read \(path)")
            }
            files.append(BatchFile(name: name, sha256: Secrets.sha256Hex(data), size: Int64(data.count)))
        }
        return Declared(files: files, skipped: skipped)
    }

    struct Created: Decodable {
        struct BatchRef: Decodable { var id: String; var state: String }
        var batch: BatchRef
        var missing: [String]
    }

    package struct State: Decodable, Sendable {
        package var id: String
        package var state: String
        package var reason: String?
        package var failures: Int?
        package var imagesTotal: Int?
        package var imagesAnalysed: Int?
        enum CodingKeys: String, CodingKey {
            case id, state, reason, failures, imagesTotal = "images_total", imagesAnalysed = "images_analysed"
        }
    }

    /// Declares, sends what is missing and commits; `onBatchID` runs as soon as the id is known.
    /// Returns the number of files sent.
    package func upload(directory: String, onBatchID: (String) -> Void) async throws -> (id: String, sent: Int) {
        let declared = try Self.declare(directory: directory)
        guard !declared.files.isEmpty else { throw Failure(exit: .usage, message: "\(directory) holds no images or manifest") }
        let name = URL(fileURLWithPath: directory).standardizedFileURL.lastPathComponent
        struct Declaration: Encodable { var name: String; var files: [BatchFile] }
        let body = try JSONEncoder().encode(Declaration(name: name, files: declared.files))
        let created: Created = try decode(try await send("POST", "api/v1/batches", body: body, expect: [200, 201]))
        onBatchID(created.batch.id)
        var sent = 0
        for digest in created.missing {
            guard let file = declared.files.first(where: { $0.sha256 == digest }),
                  let data = FileManager.default.contents(atPath: directory + "/" + file.name) else { continue }
            _ = try await send("PUT", "api/v1/batches/\(created.batch.id)/files/\(digest)", body: data, expect: [200, 204],
                               contentType: "application/octet-stream")
            sent += 1
        }
        _ = try await send("POST", "api/v1/batches/\(created.batch.id)/commit", body: Data(), expect: [200, 202])
        return (created.batch.id, sent)
    }

    package func state(of id: String) async throws -> State {
        try decode(try await send("GET", "api/v1/batches/\(id)", body: nil, expect: [200]))
    }

    /// Polls until the batch is done or failed.
    package func wait(for id: String, every interval: Duration = .milliseconds(500)) async throws -> State {
        while true {
            let s = try await state(of: id)
            if s.state == "done" || s.state == "failed" { return s }
            try await Task.sleep(for: interval)
        }
    }

    package static func exit(for state: State) -> Exit {
        if state.state == "failed" { return .batchFailed }
        return (state.failures ?? 0) > 0 ? .someFailed : .allAnalysed
    }

    func decode<T: Decodable>(_ data: Data) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw Failure(exit: .unavailable, message: "unexpected response from the server: \(error)")
        }
    }

    func send(_ method: String, _ path: String, body: Data?, expect: Set<Int>,
              contentType: String = "application/json") async throws -> Data {
        var request = URLRequest(url: server.appendingPathComponent(path))
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let body {
            request.setValue(contentType, forHTTPHeaderField: "Content-Type")
            request.httpBody = body
        }
        request.timeoutInterval = 300
        let (data, status) = try await Self.perform(request)
        guard expect.contains(status) else {
            let message = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let exit: Exit = switch status {
            case 401, 403: .notPermitted
            case 400..<500: .refused
            default: .unavailable
            }
            throw Failure(exit: exit, message: "\(method) \(path): HTTP \(status): \(message)")
        }
        return data
    }

    static func perform(_ request: URLRequest) async throws -> (Data, Int) {
        try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: Failure(exit: .unavailable, message: "\(request.url?.absoluteString ?? ""): \(error.localizedDescription)"))
                } else {
                    continuation.resume(returning: (data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0))
                }
            }.resume()
        }
    }
}
