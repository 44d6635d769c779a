import Foundation
import SonoService
import Testing
import SonoInput

@Suite struct SecretsTests {
    @Test func tokensCarryAtLeast128RandomBitsAndOnlyTheirHashIsKept() {
        let a = Secrets.newAPIToken(), b = Secrets.newAPIToken()
        #expect(a.token != b.token)
        // 32 random bytes after the key id: 43 base64url characters = 256 bits.
        let secret = a.token.split(separator: ".")[1]
        #expect(secret.count == 43)
        #expect(a.hash == Secrets.sha256Hex(Data(a.token.utf8)))
        #expect(!a.hash.contains(String(secret)))
        #expect(Secrets.keyID(ofToken: a.token) == a.keyID)
        #expect(Secrets.keyID(ofToken: "no-dot") == nil)
    }

    @Test func constantTimeCompareIsExact() {
        #expect(Secrets.constantTimeEqual("abc", "abc"))
        #expect(!Secrets.constantTimeEqual("abc", "abd"))
        #expect(!Secrets.constantTimeEqual("abc", "abcd"))
    }

    @Test func sha256MatchesAKnownVector() {
        #expect(Secrets.sha256Hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

@Suite struct UploadRulesTests {
    let digest = String(repeating: "a", count: 64)

    func file(_ name: String, _ size: Int64, _ d: String? = nil) -> BatchFile {
        BatchFile(name: name, sha256: d ?? digest, size: size)
    }

    @Test func fileNamesAreSinglePlainComponents() {
        #expect(UploadRules.checkFileName("C18_1.png") == nil)
        #expect(UploadRules.checkFileName("manifest.csv") == nil)
        #expect(UploadRules.checkFileName("IM0001.dcm") == nil)
        // The refusal lists every extension the analysis takes, DICOM's included.
        #expect(UploadRules.checkFileName("x.txt") == "neither an image (.dcm, .dicom, .jpeg, .jpg, .png) nor manifest.json / manifest.csv")
        for bad in ["../x.png", "a/b.png", ".hidden.png", "", "x.txt", "a\\b.png", "tab\t.png"] {
            #expect(UploadRules.checkFileName(bad) != nil, "\(bad)")
        }
    }

    @Test(arguments: [
        ("max_files_per_batch", UploadLimits(maxFilesPerBatch: 1), [("a.png", Int64(10)), ("b.png", Int64(10))]),
        ("max_file_bytes", UploadLimits(maxFileBytes: 100), [("a.png", Int64(101))]),
        ("max_batch_bytes", UploadLimits(maxBatchBytes: 150), [("a.png", Int64(100)), ("b.png", Int64(100))]),
        ("max_manifest_bytes", UploadLimits(maxManifestBytes: 10), [("manifest.json", Int64(11))]),
    ])
    func eachLimitIsNamed(limit: String, limits: UploadLimits, files: [(String, Int64)]) {
        let declared = files.enumerated().map { i, f in file(f.0, f.1, String(repeating: "\(i)", count: 64)) }
        #expect(throws: APIFailure.self) { try UploadRules.checkDeclaration(name: "b", files: declared, limits: limits) }
        do {
            _ = try UploadRules.checkDeclaration(name: "b", files: declared, limits: limits)
        } catch {
            #expect(error.httpStatus == 413)
            #expect(error.limit == limit)
        }
    }

    @Test func sameDeclarationSameKeyInAnyOrder() throws {
        let a = file("a.png", 1, String(repeating: "1", count: 64)), b = file("b.png", 2, String(repeating: "2", count: 64))
        let k1 = try UploadRules.checkDeclaration(name: "x", files: [a, b], limits: UploadLimits())
        let k2 = try UploadRules.checkDeclaration(name: "x", files: [b, a], limits: UploadLimits())
        let k3 = try UploadRules.checkDeclaration(name: "y", files: [a, b], limits: UploadLimits())
        #expect(k1 == k2)
        #expect(k1 != k3)
    }

    @Test func csvManifestErrorsNameLineAndField() throws {
        let csv = "scan_id,unit_id,operator_id,exam_date,gestational_age,lmp_date,pixel_spacing_mm,file,plane,bpd_mm,ofd_mm,hc_mm,ac_mm,fl_mm\n"
            + "S1,u,o,2026-03-02,20+0,,0.1,a.png,head,,,,,\n"
            + "S2,u,o,2026-13-45,20+0,,0.1,b.png,head,,,,,\n"
        do {
            _ = try UploadRules.checkManifest(Data(csv.utf8), name: "manifest.csv", limits: UploadLimits())
            Issue.record("accepted an impossible exam date")
        } catch {
            #expect(error.httpStatus == 422)
            let issue = try #require(error.issues?.first)
            #expect(issue.line == 3)
            #expect(issue.field == "exam_date")
        }
    }

    @Test func sniffingGoesByContentNotName() {
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0])
        #expect(throws: Never.self) { try UploadRules.sniff(png, name: "x.jpg") }
        do {
            try UploadRules.sniff(Data("hello, world".utf8), name: "x.png")
            Issue.record("text accepted as an image")
        } catch {
            #expect(error.httpStatus == 415)
        }
    }
}

@Suite struct SQLiteStoreTests {
    func store() throws -> SQLiteStore {
        try ReviewService.openStore(dataDirectory: Fixtures.temporaryDirectory("store"))
    }

    func account(_ store: SQLiteStore, _ name: String) async throws {
        try await store.addAccount(Account(name: name, role: .unit, keyID: name, tokenHash: "h", createdAt: Date()))
    }

    func batch(_ key: String, unit: String = "u") -> Batch {
        Batch(id: UUID().uuidString, unit: unit, name: "b", contentKey: key, state: .uploading, createdAt: Date())
    }

    @Test func sameContentKeySameBatch() async throws {
        let s = try store()
        try await account(s, "u")
        let files = [BatchFile(name: "a.png", sha256: String(repeating: "a", count: 64), size: 3)]
        let first = try await s.findOrCreateBatch(batch("k"), files: files)
        let again = try await s.findOrCreateBatch(batch("k"), files: files)
        #expect(first.created && !again.created)
        #expect(first.batch.id == again.batch.id)
        #expect(try await s.batches(unit: "u").count == 1)
        #expect(try await s.files(batchID: first.batch.id) == files)
    }

    @Test func queueClaimsEachJobOnceAndRequeuesRunning() async throws {
        let s = try store()
        try await account(s, "u")
        let a = try await s.findOrCreateBatch(batch("1"), files: []).batch
        let b = try await s.findOrCreateBatch(batch("2"), files: []).batch
        _ = try await s.commitBatch(id: a.id, at: Date())
        _ = try await s.commitBatch(id: a.id, at: Date())  // a second commit adds no job
        _ = try await s.commitBatch(id: b.id, at: Date())
        #expect(try await s.queueDepth() == 2)
        let first = try #require(try await s.claimJob(at: Date()))
        #expect(first.id == a.id && first.attempts == 1 && first.state == .running)
        let second = try #require(try await s.claimJob(at: Date()))
        #expect(second.id == b.id)
        #expect(try await s.claimJob(at: Date()) == nil)
        try await s.requeueJob(batchID: a.id)
        #expect(try await s.runningJobs().map(\.id) == [b.id])
        let retried = try #require(try await s.claimJob(at: Date()))
        #expect(retried.id == a.id && retried.attempts == 2)
        try await s.finishJob(batchID: a.id, outcome: .done(imagesTotal: 2, imagesAnalysed: 2, failures: 0), at: Date())
        try await s.finishJob(batchID: b.id, outcome: .failed(reason: "why"), at: Date())
        #expect(try await s.batch(id: a.id)?.state == .done)
        #expect(try await s.batch(id: b.id)?.reason == "why")
        #expect(try await s.runningJobs().isEmpty)
    }

    @Test func revokedAccountsNoLongerAuthenticate() async throws {
        let s = try store()
        let manager = AccountManager(store: s)
        let token = try await manager.add(name: "unit-a", role: .unit)
        #expect(try await manager.authenticate(token: token)?.name == "unit-a")
        #expect(try await manager.authenticate(token: token + "x") == nil)
        #expect(try await manager.revoke(name: "unit-a"))
        #expect(try await manager.authenticate(token: token) == nil)
        await #expect(throws: StoreError.self) { _ = try await manager.add(name: "unit-a", role: .unit) }
    }
}
