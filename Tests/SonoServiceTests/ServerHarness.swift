import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SonoService
import Testing

/// A real `sonoqc serve` child process on an ephemeral port, spoken to over HTTP.
// @unchecked: every stored property is a `let`; after `init` the child `Process` is only queried
// (isRunning, terminationStatus) or signalled, which Foundation allows from any thread.
final class ServerProcess: @unchecked Sendable {
    let data: String
    let process = Process()
    let port: Int
    private let stderrPipe = Pipe()
    var base: URL { URL(string: "http://127.0.0.1:\(port)")! }

    static var binary: URL? {
        if let path = ProcessInfo.processInfo.environment["SONOQC_BINARY"] { return URL(fileURLWithPath: path) }
        var candidates: [URL] = []
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("sonoqc"))
        }
        if let exe = Bundle.main.executableURL {
            candidates.append(exe.deletingLastPathComponent().appendingPathComponent("sonoqc"))
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Starts the server and waits for its "listening on" line.
    init(data: String, arguments: [String] = []) throws {
        self.data = data
        let binary = try #require(Self.binary, "sonoqc binary not found next to the test bundle; build it or set SONOQC_BINARY")
        process.executableURL = binary
        process.arguments = ["serve", "--data", data, "--port", "0"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = stderrPipe
        try process.run()
        // Drain stderr (access log) so the server never blocks on a full pipe.
        let err = stderrPipe.fileHandleForReading
        let logPath = data + ".log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)
        err.readabilityHandler = { handle in
            let chunk = handle.availableData
            if !chunk.isEmpty { log?.write(chunk) }
        }
        var line = Data()
        let reader = out.fileHandleForReading
        while !line.contains(0x0A) {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "listening on http://127.0.0.1:"),
              let port = Int(text[range.upperBound...].prefix { $0.isNumber }) else {
            process.terminate()
            throw HarnessError("server did not start: \(text)")
        }
        self.port = port
    }

    /// The server's stderr so far (access log and messages).
    var log: String { (try? String(contentsOfFile: data + ".log", encoding: .utf8)) ?? "" }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Waits for exit; returns the status.
    @discardableResult
    func waitForExit(timeout: Double = 60) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline { process.terminate(); throw HarnessError("server did not exit in \(timeout) s") }
            usleep(20_000)
        }
        return process.terminationStatus
    }

    func stop() {
        if process.isRunning {
            signal(SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

struct HTTPResult {
    var status: Int
    var headers: [String: String]
    var body: Data
    var json: Any? { try? JSONSerialization.jsonObject(with: body) }
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }
}

/// URLSession that reports redirects instead of following them (the login test reads the 303).
// @unchecked: NSObject subclasses cannot be checked; the class has no stored state.
final class NoRedirect: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}

let testSession: URLSession = {
    let config = URLSessionConfiguration.ephemeral
    config.httpShouldSetCookies = false
    config.httpCookieAcceptPolicy = .never
    return URLSession(configuration: config, delegate: NoRedirect(), delegateQueue: nil)
}()

func http(_ method: String, _ url: URL, token: String? = nil, body: Data? = nil,
          headers: [String: String] = [:]) async throws -> HTTPResult {
    var request = URLRequest(url: url)
    request.httpMethod = method
    if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
    for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
    if let body { request.httpBody = body } else if method != "GET" && method != "DELETE" { request.httpBody = Data() }
    return try await withCheckedThrowingContinuation { continuation in
        testSession.dataTask(with: request) { data, response, error in
            if let error { continuation.resume(throwing: error); return }
            let http = response as! HTTPURLResponse
            var headers: [String: String] = [:]
            for (k, v) in http.allHeaderFields { headers["\(k)"] = "\(v)" }
            continuation.resume(returning: HTTPResult(status: http.statusCode, headers: headers, body: data ?? Data()))
        }.resume()
    }
}

func jsonBody(_ value: Any) -> Data { try! JSONSerialization.data(withJSONObject: value) }

enum Fixtures {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var samples: String { repo.appendingPathComponent("samples").path }

    static func temporaryDirectory(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "sonoqc-svc-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A batch directory of `count` images from samples/clean-18-40 (no manifest: one scan).
    static func batch(_ name: String, images count: Int, in root: String, offset: Int = 0) throws -> String {
        let dir = root + "/" + name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let source = samples + "/clean-18-40"
        let pngs = try FileManager.default.contentsOfDirectory(atPath: source).filter { $0.hasSuffix(".png") }.sorted()
        for i in 0..<count {
            let name = pngs[(i + offset) % pngs.count]
            try FileManager.default.copyItem(atPath: source + "/" + name, toPath: dir + "/" + name)
        }
        return dir
    }

    /// Creates an account straight in the store (the server may be running: WAL).
    static func account(_ data: String, _ name: String, _ role: Role) async throws -> String {
        try await AccountManager(store: ReviewService.openStore(dataDirectory: data)).add(name: name, role: role)
    }

    /// Runs `sonoqc` with arguments; returns (status, stdout, stderr).
    static func sonoqc(_ arguments: [String]) throws -> (Int32, String, String) {
        let process = Process()
        let binary: URL = try #require(ServerProcess.binary)
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// Declares a directory's files as the upload client would.
    static func declaration(_ dir: String, name: String? = nil) throws -> [String: Any] {
        let declared = try UploadClient.declare(directory: dir)
        return ["name": name ?? (dir as NSString).lastPathComponent,
                "files": declared.files.map { ["name": $0.name, "sha256": $0.sha256, "size": $0.size] as [String: Any] }]
    }
}

/// Polls a batch until it is done or failed.
func waitForBatch(_ server: URL, _ id: String, token: String, timeout: Double = 120) async throws -> [String: Any] {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        let r = try await http("GET", server.appendingPathComponent("api/v1/batches/\(id)"), token: token)
        let state = r.object["state"] as? String
        if state == "done" || state == "failed" { return r.object }
        try await Task.sleep(for: .milliseconds(200))
    }
    throw HarnessError("batch \(id) not finished after \(timeout) s")
}
