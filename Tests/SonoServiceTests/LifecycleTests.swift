import Foundation
import SonoCore
import SonoService
import Testing

@Suite(.serialized) struct LifecycleTests {
    /// Declares and sends a batch directory through the API without committing-wait; returns its id.
    func submit(_ server: ServerProcess, _ dir: String, token: String) async throws -> String {
        let id = try await UploadClient(server: server.base, token: token).upload(directory: dir) { _ in }.id
        return id
    }

    func state(_ data: String, _ id: String) async throws -> Batch? {
        try await ReviewService.openStore(dataDirectory: data).batch(id: id)
    }

    func waitForState(_ server: ServerProcess, _ id: String, token: String, _ wanted: String) async throws {
        for _ in 0..<600 {
            let r = try await http("GET", server.base.appendingPathComponent("api/v1/batches/\(id)"), token: token)
            let state = r.object["state"] as? String
            if state == wanted { return }
            if state == "done" || state == "failed" { throw HarnessError("batch reached \(state ?? "?") without being seen \(wanted)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("batch never reached \(wanted)")
    }

    @Test func sigtermLetsTheRunningJobFinishWithinTheGrace() async throws {
        let root = Fixtures.temporaryDirectory("term-ok")
        let data = root + "/data"
        let token = try await Fixtures.account(data, "unit-a", .unit)
        // 2 s per frame: the job must still be running when a poll sees it, even when the whole
        // suite runs in parallel on two loaded cores (400 ms was missed that way in CI).
        let server = try ServerProcess(data: data, arguments: ["--test-delay-ms", "2000", "--shutdown-grace", "60"])
        let id = try await submit(server, try Fixtures.batch("term-ok", images: 3, in: root), token: token)
        try await waitForState(server, id, token: token, "running")
        server.signal(SIGTERM)
        try await Task.sleep(for: .milliseconds(300))
        // The listener is closed at once; the job still runs to the end.
        #expect(!canConnect(port: server.port))
        #expect(try server.waitForExit() == 0)
        let batch = try #require(try await state(data, id))
        #expect(batch.state == .done)
        #expect(batch.attempts == 1)
        #expect(FileManager.default.fileExists(atPath: data + "/results/\(id)/summary.json"))
    }

    @Test func sigtermPastTheGraceRequeuesAndTheRestartFinishes() async throws {
        let root = Fixtures.temporaryDirectory("term-requeue")
        let data = root + "/data"
        let token = try await Fixtures.account(data, "unit-a", .unit)
        let server = try ServerProcess(data: data, arguments: ["--test-delay-ms", "3000", "--shutdown-grace", "0"])
        let id = try await submit(server, try Fixtures.batch("term-requeue", images: 3, in: root), token: token)
        try await waitForState(server, id, token: token, "running")
        server.signal(SIGTERM)
        #expect(try server.waitForExit(timeout: 30) == 0)
        let stopped = try #require(try await state(data, id))
        #expect(stopped.state == .queued)
        #expect(!FileManager.default.fileExists(atPath: data + "/results/\(id)"), "nothing half-published")
        let restarted = try ServerProcess(data: data)
        let done = try await waitForBatch(restarted.base, id, token: token)
        #expect(done["state"] as? String == "done")
        #expect(done["attempts"] as? Int == 2)
        #expect(done["images_analysed"] as? Int == 3)
        restarted.signal(SIGTERM)
        try restarted.waitForExit()
    }

    /// kill -9 at random moments, restart, repeat: every batch ends done, published once and whole,
    /// with reports byte-identical to `sonoqc analyze` on the same files.
    @Test func killNineAtRandomPointsThenRestartProcessesEachBatchOnce() async throws {
        var rng = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 0...UInt64.max, using: &rng)
        var generator = SplitMix64(seed: seed)
        let root = Fixtures.temporaryDirectory("kill9")
        let data = root + "/data"
        let token = try await Fixtures.account(data, "unit-a", .unit)
        var server = try ServerProcess(data: data, arguments: ["--workers", "2", "--test-delay-ms", "60"])
        var ids: [String] = []
        for i in 0..<4 {
            ids.append(try await submit(server, try Fixtures.batch("k\(i)", images: 3, in: root, offset: i * 3), token: token))
        }
        var kills: [Double] = []
        for _ in 0..<4 {
            let delay = Double(generator.next() % 1200) / 1000 + 0.05
            kills.append(delay)
            try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
            server.signal(SIGKILL)
            _ = try server.waitForExit()
            server = try ServerProcess(data: data, arguments: ["--workers", "2", "--test-delay-ms", "60"])
        }
        let note = "seed \(seed), kill delays \(kills)"
        for id in ids {
            let batch = try await waitForBatch(server.base, id, token: token, timeout: 180)
            #expect(batch["state"] as? String == "done", "\(note)")
            #expect(batch["images_analysed"] as? Int == 3, "\(note)")
            #expect(batch["failures"] as? Int == 0, "\(note)")
            let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: data + "/results/\(id)/summary.json"))) as? [String: Any]
            #expect(summary?["complete"] as? Bool == true, "\(note)")
            let scans = summary?["scans"] as? [[String: Any]] ?? []
            #expect(scans.count == 1 && scans.allSatisfy { $0["status"] as? String == "reported" }, "\(note)")
        }
        let published = try FileManager.default.contentsOfDirectory(atPath: data + "/results").sorted()
        #expect(published == ids.sorted(), "one published output per batch; \(note)")
        let leftovers = FileManager.default.enumerator(atPath: data + "/results")?.compactMap { $0 as? String }
            .filter { ($0 as NSString).lastPathComponent.hasPrefix(".tmp-") } ?? []
        #expect(leftovers.isEmpty, "\(note)")

        // Same bytes as `sonoqc analyze` run on the same files under the same relative path.
        let id = ids[0]
        let replay = root + "/replay"
        let input = "work/\(id)/in/k0"
        try FileManager.default.createDirectory(atPath: replay + "/" + input, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: root + "/k0") {
            try FileManager.default.copyItem(atPath: root + "/k0/" + file, toPath: replay + "/" + input + "/" + file)
        }
        let analyze = Process()
        let binary: URL = try #require(ServerProcess.binary)
        analyze.executableURL = binary
        analyze.arguments = ["analyze", input, "--out", "out", "--quiet"]
        analyze.currentDirectoryURL = URL(fileURLWithPath: replay)
        try analyze.run()
        analyze.waitUntilExit()
        #expect(analyze.terminationStatus == 0)
        for file in ["summary.json", "summary.csv", "images.jsonl", "scans/k0/report.json"] {
            let served = try Data(contentsOf: URL(fileURLWithPath: data + "/results/\(id)/" + file))
            let local = try Data(contentsOf: URL(fileURLWithPath: replay + "/out/" + file))
            #expect(served == local, "\(file) differs from sonoqc analyze; \(note)")
        }
        server.signal(SIGTERM)
        try server.waitForExit()
    }
}

/// Whether a new TCP connection to the loopback port is accepted (a closed listener refuses it).
func canConnect(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}
