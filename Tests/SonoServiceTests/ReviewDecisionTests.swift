import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import SonoChecks
import SonoCore
import SonoL10n
import SonoReports
@testable import SonoService
import Testing
import SonoInput

@Suite("Review decisions")
struct ReviewDecisionTests {
    @Test func kappaScoreAndSentences() {
        let pairs = [("a", "a"), ("a", "a"), ("a", "b"), ("b", "b")]
        #expect(abs((Agreement.cohensKappa(pairs) ?? 9) - 0.5) < 1e-12)
        #expect(Agreement.cohensKappa([("a", "a"), ("a", "a")]) == nil)
        #expect(ReviewCriteria.score(["thalami-visible": .yes, "csp-visible": .no, "calipers-placed": .yes]) == 2)
        #expect(ReviewCriteria.score([:]) == nil)
        let en = Localizer(.en), zh = Localizer(.zhCN)
        #expect(en.text(MeasurementFeedback.message(measure: "hc", reportedMM: 192.3, automaticMM: 177.2))
            == "Your HC is 15.1 mm larger than the automatic 177.2 mm.")
        #expect(zh.text(MeasurementFeedback.message(measure: "hc", reportedMM: 192.3, automaticMM: 177.2))
            == "您测量的头围比自动测量的 177.2 mm 大 15.1 mm。")
        #expect(en.text(MeasurementFeedback.message(measure: "bpd", reportedMM: 48, automaticMM: 50)).contains("2 mm smaller"))
        #expect(en.text(MeasurementFeedback.message(measure: "bpd", reportedMM: 50.02, automaticMM: 50))
            == "Your BPD matches the automatic 50 mm.")
        let cm = MeasurementFeedback.message(measure: "hc", reportedMM: 18.1, automaticMM: 180)
        #expect(en.text(cm) == "Your HC is 161.9 mm smaller than the automatic 180 mm. It looks like centimetres: 18.1 cm would be 181 mm; "
            + "please report millimetres.")
        #expect(zh.text(cm).hasPrefix("您测量的头围比自动测量的 180 mm 小 161.9 mm。该数值看起来是厘米：18.1 cm 即 181 mm"))
        #expect(ReviewRoutes.formulaProtected("=cmd()") == "'=cmd()")
        #expect(ReviewRoutes.formulaProtected("-3") == "-3")
    }

    @Test func samplingIsSeededAndProportional() {
        let keys = (0..<2000).map { "b/\($0).png" }
        let picked = keys.filter { ReviewSampling.selected($0, share: 0.1, seed: 12, salt: "pass-sample") }
        #expect(picked.count > 150 && picked.count < 250)
        #expect(picked == keys.filter { ReviewSampling.selected($0, share: 0.1, seed: 12, salt: "pass-sample") })
        #expect(picked != keys.filter { ReviewSampling.selected($0, share: 0.1, seed: 13, salt: "pass-sample") })
    }

    @Test func manifestVersion2CarriesCalipersAndVersion1StillLoads() throws {
        let v2 = Data("""
            {"schema":"sonoqc-manifest/2","scans":[{"scan_id":"S1","images":[{"file":"a.png","plane":"head","reported":{},
            "calipers":{"bpd":[{"x":10,"y":20},{"x":110,"y":20}]}}]}]}
            """.utf8)
        let m = try ManifestLoader.decodeJSON(v2, path: "manifest.json")
        #expect(m.scans[0].images[0].calipers?["bpd"] == [CaliperPoint(x: 10, y: 20), CaliperPoint(x: 110, y: 20)])
        let v1 = Data(#"{"schema":"sonoqc-manifest/1","scans":[{"scan_id":"S1","images":[{"file":"a.png","plane":"head","reported":{}}]}]}"#.utf8)
        #expect(try ManifestLoader.decodeJSON(v1, path: "manifest.json").scans.count == 1)
        let v1WithCalipers = Data(String(decoding: v2, as: UTF8.self).replacingOccurrences(of: "manifest/2", with: "manifest/1").utf8)
        #expect(throws: ManifestError.self) { try ManifestLoader.decodeJSON(v1WithCalipers, path: "manifest.json") }
        let badMeasure = Data(String(decoding: v2, as: UTF8.self).replacingOccurrences(of: "\"bpd\"", with: "\"xyz\"").utf8)
        #expect(throws: ManifestError.self) { try ManifestLoader.decodeJSON(badMeasure, path: "manifest.json") }
    }

    /// A real server on an ephemeral port: a unit uploads a sample batch, two reviewers decide,
    /// the second reading is blind, exports and the unit's access are checked over HTTP.
    @Test(.timeLimit(.minutes(10))) func decisionAPIOverHTTP() async throws {
        let data = Self.temporary("http")
        let store = try ReviewService.openStore(dataDirectory: data)
        let manager = AccountManager(store: store)
        let unitA = try await manager.add(name: "unit-a", role: .unit)
        let unitB = try await manager.add(name: "unit-b", role: .unit)
        let rev1 = try await manager.add(name: "rev1", role: .reviewer)
        let rev2 = try await manager.add(name: "rev2", role: .reviewer)
        var config = ServiceConfiguration(dataDirectory: data, port: 0, workers: 1, threadsPerJob: 2)
        config.review = ReviewSettings(passShare: 1, doubleReadShare: 1, seed: 1)
        let port = PortBox()
        let server = Task {
            try await ReviewService.run(config, store: store, logger: Logger(label: "test")) { port.set($0) }
        }
        defer { server.cancel() }
        let base = try await port.wait()

        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("samples/defects-acquisition").path
        let client = UploadClient(server: base, token: unitA)
        let (id, _) = try await client.upload(directory: samples) { _ in }
        #expect(try await client.wait(for: id, every: .milliseconds(200)).state == "done")

        // Queue: reviewers only; failing images before review before passes.
        #expect(try await Self.call("GET", base, "api/v1/queue", token: unitA).status == 403)
        let queue = try await Self.call("GET", base, "api/v1/queue", token: rev1)
        let rows = try #require(queue.json as? [[String: Any]])
        let ranks = rows.map { ["fail": 0, "review": 1, "pass": 2][$0["status"] as? String ?? ""] ?? 9 }
        #expect(!rows.isEmpty && ranks == ranks.sorted())
        let filtered = try await Self.call("GET", base, "api/v1/queue?verdict=fail", token: rev1)
        #expect((filtered.json as? [[String: Any]])?.allSatisfy { $0["status"] as? String == "fail" } == true)

        // Decisions: validation, versions, previous value.
        let target: [String: Any] = ["batch_id": id, "scan_index": 0, "image_index": 0]
        func decide(_ token: String, _ extra: [String: Any]) async throws -> HTTPReply {
            try await Self.call("POST", base, "api/v1/decisions", token: token, json: target.merging(extra) { $1 })
        }
        #expect(try await decide(rev1, ["verdict": "reject"]).status == 422)
        #expect(try await decide(rev1, ["verdict": "accept", "criteria": ["nonsense": "yes"]]).status == 422)
        #expect(try await decide(unitA, ["verdict": "accept"]).status == 403)
        #expect(try await Self.call("POST", base, "api/v1/decisions", json: target.merging(["verdict": "accept"]) { $1 }).status == 401)
        let v1 = try await decide(rev1, ["verdict": "reject", "reasons": ["wrong-plane"], "criteria": ["thalami-visible": "no"],
                                         "comment": "thalami not seen"])
        #expect(v1.status == 201 && v1.object["version"] as? Int == 1 && v1.object["reading"] as? Int == 1)
        // A browser's textarea sends CRLF line ends; the export must keep the comment one field.
        let remark = "acceptable after all\r\nsecond look"
        let v2 = try await decide(rev1, ["verdict": "accept-remark", "comment": remark,
                                         "criteria": ["thalami-visible": "yes", "csp-visible": "yes"]])
        #expect(v2.object["version"] as? Int == 2 && v2.object["previous_verdict"] as? String == "reject" && v2.object["score"] as? Int == 2)
        // Everything is double-read here: another reviewer records reading 2.
        let second = try await decide(rev2, ["verdict": "accept"])
        #expect(second.object["reading"] as? Int == 2 && second.object["version"] as? Int == 1)
        #expect(second.object["previous_verdict"] == nil)

        // Export: reviewers only; every version is there.
        #expect(try await Self.call("GET", base, "api/v1/decisions.csv", token: unitA).status == 403)
        let csv = try await Self.call("GET", base, "api/v1/decisions.csv", token: rev1)
        let exported = CSV.parse(csv.text).map(\.fields)
        #expect(csv.status == 200 && exported.count == 4 && exported.allSatisfy { $0.count == DecisionsFile.csvColumns.count })
        #expect(exported.first == DecisionsFile.csvColumns)
        let comment = DecisionsFile.csvColumns.firstIndex(of: "comment") ?? 0
        #expect(exported.contains { $0[comment] == "thalami not seen" && $0.contains("reject") })
        #expect(exported.contains { $0[comment] == remark })
        let json = try await Self.call("GET", base, "api/v1/decisions.json", token: rev2)
        #expect((json.json as? [Any])?.count == 3)

        // Viewer data: the owning unit and reviewers read it, another unit gets 404.
        let frame = try await Self.call("GET", base, "api/v1/review/\(id)/0/0/frame", token: unitA)
        #expect(frame.status == 200 && frame.body.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
        #expect(try await Self.call("GET", base, "api/v1/review/\(id)/0/0/frame", token: unitB).status == 404)
        let geometry = try await Self.call("GET", base, "api/v1/review/\(id)/0/0/geometry.json", token: rev2)
        #expect(geometry.status == 200 && (geometry.object["field_of_view"] as? [Any])?.isEmpty == false)
        #expect(geometry.object["width"] as? Int == 800)
        #expect(try await Self.call("GET", base, "api/v1/review/\(id)/0/99/geometry.json", token: rev2).status == 404)

        // The compiled-in scripts and stylesheet: public, typed, revalidated after an upgrade.
        for (path, type) in [("assets/review.js", "text/javascript"), ("assets/review.css", "text/css"), ("assets/upload.js", "text/javascript")] {
            let asset = try await Self.call("GET", base, path)
            #expect(asset.status == 200 && !asset.body.isEmpty, "\(path)")
            #expect(asset.header("Content-Type")?.hasPrefix(type) == true && asset.header("Cache-Control") == "no-cache", "\(path)")
        }
    }

    // MARK: Helpers (named for this suite so they never clash with the service tests' harness)

    static func temporary(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "sonoqc-review-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    struct HTTPReply {
        var status: Int
        var body: Data
        var headers: [AnyHashable: Any] = [:]
        func header(_ name: String) -> String? { headers.first { ($0.key as? String)?.lowercased() == name.lowercased() }?.value as? String }
        var json: Any? { try? JSONSerialization.jsonObject(with: body) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    static func call(_ method: String, _ base: URL, _ path: String, token: String? = nil, json: [String: Any]? = nil) async throws -> HTTPReply {
        var request = URLRequest(url: URL(string: path, relativeTo: base)!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return HTTPReply(status: http?.statusCode ?? 0, body: data, headers: http?.allHeaderFields ?? [:])
    }

    /// The port the server reports once it listens.
    // @unchecked: `port` is read and written only under `lock`.
    final class PortBox: @unchecked Sendable {
        private let lock = NSLock()
        private var port: Int?
        func set(_ p: Int) { lock.withLock { port = p } }
        func wait() async throws -> URL {
            for _ in 0..<600 {
                if let p = lock.withLock({ port }) { return URL(string: "http://127.0.0.1:\(p)/")! }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw ServiceError.usage("server did not start listening")
        }
    }
}
