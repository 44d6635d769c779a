import Foundation
import SonoChecks
import SonoService
import Testing
import SonoInput

@Suite(.serialized) struct UploadTests {
    /// A server with deliberately small limits so each can be hit with sample files.
    static let world = Task { () async throws -> (ServerProcess, String, String) in
        let root = Fixtures.temporaryDirectory("upload")
        let data = root + "/data"
        let token = try await Fixtures.account(data, "unit-a", .unit)
        let server = try ServerProcess(data: data, arguments: [
            "--max-file-bytes", "200000", "--max-files", "4", "--max-batch-bytes", "450000", "--max-manifest-bytes", "8000"])
        return (server, token, root)
    }

    func post(_ s: ServerProcess, _ path: String, _ token: String, _ body: Data) async throws -> HTTPResult {
        try await http("POST", s.base.appendingPathComponent(path), token: token, body: body)
    }

    @Test func resumedUploadCompletesTheSameBatchWithoutDuplicates() async throws {
        let (server, token, root) = try await Self.world.value
        let dir = try Fixtures.batch("resume", images: 3, in: root)
        let declaration = try Fixtures.declaration(dir)
        let first = try await post(server, "api/v1/batches", token, jsonBody(declaration))
        #expect(first.status == 201)
        let id = try #require((first.object["batch"] as? [String: Any])?["id"] as? String)
        let missing = try #require(first.object["missing"] as? [String])
        #expect(missing.count == 3)
        // "Interrupted" after one file.
        let files = try UploadClient.declare(directory: dir).files
        let one = try #require(files.first { $0.sha256 == missing[0] })
        let put = try await http("PUT", server.base.appendingPathComponent("api/v1/batches/\(id)/files/\(one.sha256)"), token: token,
                                 body: Data(contentsOf: URL(fileURLWithPath: dir + "/" + one.name)))
        #expect(put.status == 204)
        // Committing early is refused and names what is missing.
        let early = try await post(server, "api/v1/batches/\(id)/commit", token, Data())
        #expect(early.status == 409)
        #expect((early.object["missing"] as? [String])?.count == 2)
        // The rerun: same batch, only the two missing files sent.
        let tokenFile = root + "/token"
        try token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let (status, out, err) = try Fixtures.sonoqc(["upload", dir, "--server", server.base.absoluteString, "--token-file", tokenFile, "--wait"])
        #expect(status == 0, "\(err)")
        #expect(out.split(separator: "\n").first.map(String.init) == id)
        #expect(err.contains("2 file(s) sent"))
        let batch = try await waitForBatch(server.base, id, token: token)
        #expect(batch["attempts"] as? Int == 1)
        #expect(batch["images_analysed"] as? Int == 3)
    }

    @Test func duplicatedUploadIsOneBatchProcessedOnce() async throws {
        let (server, token, root) = try await Self.world.value
        let dir = try Fixtures.batch("dup", images: 2, in: root, offset: 4)
        let tokenFile = root + "/token-dup"
        try token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let a = try Fixtures.sonoqc(["upload", dir, "--server", server.base.absoluteString, "--token-file", tokenFile, "--wait"])
        let b = try Fixtures.sonoqc(["upload", dir, "--server", server.base.absoluteString, "--token-file", tokenFile, "--wait"])
        #expect(a.0 == 0 && b.0 == 0)
        let idA = a.1.split(separator: "\n").first, idB = b.1.split(separator: "\n").first
        #expect(idA == idB)
        #expect(b.2.contains("0 file(s) sent"))
        let list = try await http("GET", server.base.appendingPathComponent("api/v1/batches"), token: token)
        let named = (list.json as? [[String: Any]] ?? []).filter { $0["name"] as? String == "dup" }
        #expect(named.count == 1)
        #expect(named.first?["attempts"] as? Int == 1)
    }

    @Test func manifestErrorsComeBackWithLineAndFieldBeforeCommit() async throws {
        let (server, token, root) = try await Self.world.value
        let dir = try Fixtures.batch("bad-manifest", images: 1, in: root)
        let image = try FileManager.default.contentsOfDirectory(atPath: dir)[0]
        let csv = ManifestLoader.csvHeader.joined(separator: ",") + "\nS1,unit-a,op,2026-03-02,20+0,,0.1,\(image),sideways,,,,,\n"
        try csv.write(toFile: dir + "/manifest.csv", atomically: true, encoding: .utf8)
        let check = try await http("POST", URL(string: server.base.absoluteString + "/api/v1/manifests/validate?name=manifest.csv")!,
                                   token: token, body: Data(csv.utf8))
        #expect(check.status == 200)
        #expect(check.object["valid"] as? Bool == false)
        let issue = try #require((check.object["issues"] as? [[String: Any]])?.first)
        #expect(issue["line"] as? Int == 2)
        #expect(issue["field"] as? String == "plane")
        // The upload client is refused at the manifest, and nothing is queued.
        let tokenFile = root + "/token-m"
        try token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let (status, out, err) = try Fixtures.sonoqc(["upload", dir, "--server", server.base.absoluteString, "--token-file", tokenFile])
        #expect(status == 65)
        #expect(err.contains("invalid-manifest") && err.contains("plane"))
        let id = try #require(out.split(separator: "\n").first.map(String.init))
        let batch = try await http("GET", server.base.appendingPathComponent("api/v1/batches/\(id)"), token: token)
        #expect(batch.object["state"] as? String == "uploading")
    }

    @Test func eachLimitGives413NamingIt() async throws {
        let (server, token, _) = try await Self.world.value
        let d = { (i: Int) in String(repeating: "\(i)", count: 64) }
        func declare(_ files: [(String, Int)]) -> Data {
            jsonBody(["name": "limits", "files": files.enumerated().map { ["name": $1.0, "sha256": d($0), "size": $1.1] }])
        }
        let cases: [(String, Data)] = [
            ("max_files_per_batch", declare((0..<5).map { ("f\($0).png", 10) })),
            ("max_file_bytes", declare([("big.png", 200_001)])),
            ("max_batch_bytes", declare([("a.png", 150_000), ("b.png", 150_000), ("c.png", 150_001)])),
            ("max_manifest_bytes", declare([("manifest.json", 8001), ("a.png", 10)])),
        ]
        for (limit, body) in cases {
            let r = try await post(server, "api/v1/batches", token, body)
            #expect(r.status == 413, "\(limit)")
            #expect(r.object["limit"] as? String == limit)
        }
        // A body larger than the file limit is cut off while streaming, whatever was declared.
        let small = Data(repeating: 0, count: 10)
        let created = try await post(server, "api/v1/batches", token,
                                     jsonBody(["name": "liar", "files": [["name": "x.png", "sha256": Secrets.sha256Hex(small), "size": 10]]]))
        let id = try #require((created.object["batch"] as? [String: Any])?["id"] as? String)
        let huge = try await http("PUT", server.base.appendingPathComponent("api/v1/batches/\(id)/files/\(Secrets.sha256Hex(small))"),
                                  token: token, body: Data(repeating: 0, count: 300_000))
        #expect(huge.status == 413)
        #expect(huge.object["limit"] as? String == "max_file_bytes")
        let manifestBody = Data(repeating: 0x20, count: 8001)
        let bigManifest = try await http("POST", URL(string: server.base.absoluteString + "/api/v1/manifests/validate?name=manifest.json")!,
                                         token: token, body: manifestBody)
        #expect(bigManifest.status == 413)
        #expect(bigManifest.object["limit"] as? String == "max_manifest_bytes")
    }

    @Test func bytesThatAreNotPNGOrJPEGAreRefusedByMagic() async throws {
        let (server, token, _) = try await Self.world.value
        let text = Data("not really a picture".utf8)
        let digest = Secrets.sha256Hex(text)
        let created = try await post(server, "api/v1/batches", token,
                                     jsonBody(["name": "fake", "files": [["name": "scan.png", "sha256": digest, "size": text.count]]]))
        let id = try #require((created.object["batch"] as? [String: Any])?["id"] as? String)
        let put = try await http("PUT", server.base.appendingPathComponent("api/v1/batches/\(id)/files/\(digest)"), token: token, body: text)
        #expect(put.status == 415)
        #expect(put.object["error"] as? String == "unsupported-format")
        // Bytes that do not hash to the declared digest are refused.
        // PNG magic plus bytes no other test uploads, so the blob is not already stored.
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data(UUID().uuidString.utf8)
        let c2 = try await post(server, "api/v1/batches", token,
                                jsonBody(["name": "mismatch", "files": [["name": "a.png", "sha256": Secrets.sha256Hex(png), "size": png.count]]]))
        let id2 = try #require((c2.object["batch"] as? [String: Any])?["id"] as? String)
        var forged = png
        forged[forged.count - 1] ^= 0xFF
        let bad = try await http("PUT", server.base.appendingPathComponent("api/v1/batches/\(id2)/files/\(Secrets.sha256Hex(png))"),
                                 token: token, body: forged)
        #expect(bad.status == 400)
        #expect(bad.object["error"] as? String == "digest-mismatch")
    }
}
