import Foundation
import Logging
import SonoReports
@testable import SonoService
import Testing

/// The ``ServiceStore`` contract, run against both engines: every scenario is one function of
/// ``StoreContract`` called from the SQLite suite and from the PostgreSQL suite, so the two
/// implementations cannot drift apart unnoticed.
enum StoreContract {
    static func account(_ store: any ServiceStore, _ name: String) async throws {
        try await store.addAccount(Account(name: name, role: .unit, keyID: name, tokenHash: "h", createdAt: Date()))
    }

    static func batch(_ key: String, unit: String = "u") -> Batch {
        Batch(id: UUID().uuidString, unit: unit, name: "b", contentKey: key, state: .uploading, createdAt: Date())
    }

    static func sameContentKeySameBatch(_ s: any ServiceStore) async throws {
        try await account(s, "u")
        let files = [BatchFile(name: "a.png", sha256: String(repeating: "a", count: 64), size: 3),
                     BatchFile(name: "b.png", sha256: String(repeating: "b", count: 64), size: 5_000_000_000)]
        let first = try await s.findOrCreateBatch(batch("k"), files: files)
        let again = try await s.findOrCreateBatch(batch("k"), files: files)
        #expect(first.created && !again.created)
        #expect(first.batch.id == again.batch.id)
        #expect(try await s.batches(unit: "u").count == 1)
        #expect(try await s.batches(unit: "other").isEmpty)
        #expect(try await s.files(batchID: first.batch.id) == files)
        #expect(try await s.batch(id: "missing") == nil)
    }

    static func queueClaimsEachJobOnceAndRequeuesRunning(_ s: any ServiceStore) async throws {
        try await account(s, "u")
        let a = try await s.findOrCreateBatch(batch("1"), files: []).batch
        let b = try await s.findOrCreateBatch(batch("2"), files: []).batch
        _ = try await s.commitBatch(id: a.id, at: Date())
        let recommitted = try await s.commitBatch(id: a.id, at: Date())  // a second commit adds no job
        #expect(recommitted.state == .queued)
        _ = try await s.commitBatch(id: b.id, at: Date())
        #expect(try await s.queueDepth() == 2)
        #expect(try await s.jobCounts() == ["queued": 2])
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
        let done = try #require(try await s.batch(id: a.id))
        #expect(done.state == .done && done.imagesTotal == 2 && done.imagesAnalysed == 2 && done.failures == 0)
        #expect(try await s.batch(id: b.id)?.reason == "why")
        #expect(try await s.runningJobs().isEmpty)
        #expect(try await s.jobCounts() == ["done": 1, "failed": 1])
        await #expect(throws: StoreError.self) { _ = try await s.commitBatch(id: "missing", at: Date()) }
    }

    /// Many workers claiming at once: each job goes to exactly one of them.
    static func concurrentClaimsNeverShareAJob(_ s: any ServiceStore) async throws {
        try await account(s, "u")
        for i in 0..<12 {
            let b = try await s.findOrCreateBatch(batch("c\(i)"), files: []).batch
            _ = try await s.commitBatch(id: b.id, at: Date())
        }
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<6 {
                group.addTask {
                    var mine: [String] = []
                    while let job = try await s.claimJob(at: Date()) { mine.append(job.id) }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(claimed.count == 12)
        #expect(Set(claimed).count == 12)
        #expect(try await s.queueDepth() == 0)
    }

    static func accountsSessionsAndRevocation(_ s: any ServiceStore) async throws {
        let manager = AccountManager(store: s)
        let token = try await manager.add(name: "unit-a", role: .unit)
        #expect(try await manager.authenticate(token: token)?.name == "unit-a")
        #expect(try await manager.authenticate(token: token + "x") == nil)
        await #expect(throws: StoreError.self) { _ = try await manager.add(name: "unit-a", role: .reviewer) }
        try await s.addSession(Session(idHash: "live", account: "unit-a", csrfToken: "c", expiresAt: Date().addingTimeInterval(600)))
        try await s.addSession(Session(idHash: "old", account: "unit-a", csrfToken: "c", expiresAt: Date().addingTimeInterval(-1)))
        #expect(try await s.session(idHash: "live", now: Date())?.csrfToken == "c")
        #expect(try await s.session(idHash: "old", now: Date()) == nil)
        try await s.deleteSession(idHash: "live")
        #expect(try await s.session(idHash: "live", now: Date()) == nil)
        try await s.addSession(Session(idHash: "again", account: "unit-a", csrfToken: "c", expiresAt: Date().addingTimeInterval(600)))
        #expect(try await manager.revoke(name: "unit-a"))
        #expect(try await !manager.revoke(name: "unit-a"))
        #expect(try await manager.authenticate(token: token) == nil)
        #expect(try await s.session(idHash: "again", now: Date()) == nil, "revocation ends the account's sessions")
        let listed = try await manager.list()
        #expect(listed.map(\.name) == ["unit-a"] && listed[0].revokedAt != nil)
        await #expect(throws: StoreError.self) { _ = try await manager.add(name: "unit-a", role: .unit) }
    }

    /// The account's UI language: nil until set, set and cleared again, only on active accounts.
    static func accountLanguage(_ s: any ServiceStore) async throws {
        let manager = AccountManager(store: s)
        _ = try await manager.add(name: "unit-a", role: .unit)
        _ = try await manager.add(name: "rev", role: .reviewer)
        #expect(try await s.activeAccount(name: "unit-a")?.language == nil, "a new account follows the browser")
        #expect(try await s.setLanguage("fr", accountName: "unit-a"))
        #expect(try await s.activeAccount(name: "unit-a")?.language == "fr")
        let keyID = try #require(try await s.activeAccount(name: "unit-a")?.keyID)
        #expect(try await s.activeAccount(keyID: keyID)?.language == "fr")
        #expect(try await s.accounts().map(\.language) == [nil, "fr"], "only the named account changes (rev, unit-a)")
        #expect(try await s.setLanguage(nil, accountName: "unit-a"))
        #expect(try await s.activeAccount(name: "unit-a")?.language == nil)
        #expect(try await !s.setLanguage("de", accountName: "nobody"))
        #expect(try await manager.revoke(name: "rev"))
        #expect(try await !s.setLanguage("de", accountName: "rev"), "a revoked account cannot change")
        #expect(try await s.accounts().map(\.language) == [nil, nil])
    }

    /// Review decisions are append-only versions per (batch, scan, image, reading): each append
    /// gets the next version and its predecessor's verdict and score; nothing is overwritten.
    static func decisionsAreAppendOnlyVersions(_ s: any ServiceStore) async throws {
        let manager = AccountManager(store: s)
        _ = try await manager.add(name: "unit-a", role: .unit)
        _ = try await manager.add(name: "rev", role: .reviewer)
        _ = try await s.findOrCreateBatch(Batch(id: "b1", unit: "unit-a", name: "x", contentKey: "k", state: .uploading,
                                                createdAt: Date()), files: [])
        _ = try await s.findOrCreateBatch(Batch(id: "b2", unit: "unit-a", name: "y", contentKey: "k2", state: .uploading,
                                                createdAt: Date()), files: [])
        // Whole seconds: both engines store at least millisecond precision, so values compare equal.
        let t0 = Date(timeIntervalSince1970: 1_790_000_000)
        let first = try await s.appendDecision(Decision(batchID: "b1", scan: "S", image: "a.png", reviewer: "rev", decidedAt: t0,
                                                        criteria: ["thalami-visible": .no], verdict: .reject, reasons: ["wrong-plane"]))
        let second = try await s.appendDecision(Decision(batchID: "b1", scan: "S", image: "a.png", reviewer: "rev",
                                                         decidedAt: t0 + 1, criteria: ["thalami-visible": .yes], verdict: .accept,
                                                         comment: "re-read, ok"))
        #expect(first.version == 1 && first.previousVerdict == nil && first.previousScore == nil)
        #expect(second.version == 2 && second.previousVerdict == .reject && second.previousScore == 0 && second.score == 1)
        // Another reading, another image and the scan decision (image "") are versioned apart.
        let blind = try await s.appendDecision(Decision(batchID: "b1", scan: "S", image: "a.png", reading: 2, reviewer: "rev",
                                                        decidedAt: t0 + 2, verdict: .acceptWithRemark))
        let scan = try await s.appendDecision(Decision(batchID: "b1", scan: "S", image: "", reviewer: "rev", decidedAt: t0 + 3,
                                                       verdict: .accept))
        let other = try await s.appendDecision(Decision(batchID: "b2", scan: "S", image: "a.png", reviewer: "rev", decidedAt: t0 + 4,
                                                        verdict: .reject, reasons: ["blurred", "wrong-plane"]))
        #expect(blind.version == 1 && blind.previousVerdict == nil && scan.version == 1 && other.version == 1)
        let all = try await s.decisions(batchID: "b1")
        #expect(all == [first, second, blind, scan], "every version, oldest first, read back as appended")
        #expect(all.latest().map(\.version) == [2, 1, 1])
        #expect(try await s.decisions(batchID: nil) == [first, second, blind, scan, other])
        #expect(try await s.decisions(batchID: "b2").first?.reasons == ["blurred", "wrong-plane"])
        #expect(try await s.decisions(batchID: "missing").isEmpty)
        // A decision must name a known batch and reviewer.
        await #expect(throws: (any Error).self) {
            _ = try await s.appendDecision(Decision(batchID: "b1", scan: "S", image: "a.png", reviewer: "nobody", decidedAt: t0,
                                                    verdict: .accept))
        }
        await #expect(throws: (any Error).self) {
            _ = try await s.appendDecision(Decision(batchID: "nope", scan: "S", image: "a.png", reviewer: "rev", decidedAt: t0,
                                                    verdict: .accept))
        }
        #expect(try await s.decisions(batchID: nil).count == 5, "a refused append leaves nothing behind")
    }

    /// Reviewers deciding the same image at once: the appends take turns, so versions are 1…n
    /// without a gap or a duplicate and each names the verdict of the version before it.
    static func concurrentDecisionsGetConsecutiveVersions(_ s: any ServiceStore) async throws {
        let manager = AccountManager(store: s)
        _ = try await manager.add(name: "unit-a", role: .unit)
        _ = try await manager.add(name: "rev", role: .reviewer)
        _ = try await s.findOrCreateBatch(Batch(id: "b1", unit: "unit-a", name: "x", contentKey: "k", state: .uploading,
                                                createdAt: Date()), files: [])
        let verdicts: [ReviewVerdict] = [.accept, .acceptWithRemark, .reject]
        let stored = try await withThrowingTaskGroup(of: Decision.self) { group in
            for i in 0..<24 {
                group.addTask {
                    try await s.appendDecision(Decision(batchID: "b1", scan: "S", image: "a.png", reviewer: "rev",
                                                        decidedAt: Date(timeIntervalSince1970: 1_790_000_000 + Double(i)),
                                                        verdict: verdicts[i % 3], comment: "\(i)"))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let byVersion = stored.sorted { $0.version < $1.version }
        #expect(byVersion.map(\.version) == Array(1...24))
        for (before, after) in zip(byVersion, byVersion.dropFirst()) {
            #expect(after.previousVerdict == before.verdict, "version \(after.version) names its predecessor's verdict")
        }
        let read = try await s.decisions(batchID: "b1")
        #expect(Set(read.map(\.version)) == Set(1...24) && read.count == 24)
        #expect(read.sorted { $0.version < $1.version } == byVersion, "what each append returned is what was stored")
    }
}

@Suite struct SQLiteStoreContractTests {
    func store() throws -> SQLiteStore {
        let dir = NSTemporaryDirectory() + "sonoqc-contract-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        return try ReviewService.openStore(dataDirectory: dir)
    }

    @Test func sameContentKeySameBatch() async throws { try await StoreContract.sameContentKeySameBatch(store()) }
    @Test func queueClaimsEachJobOnceAndRequeuesRunning() async throws {
        try await StoreContract.queueClaimsEachJobOnceAndRequeuesRunning(store())
    }
    @Test func concurrentClaimsNeverShareAJob() async throws { try await StoreContract.concurrentClaimsNeverShareAJob(store()) }
    @Test func accountsSessionsAndRevocation() async throws { try await StoreContract.accountsSessionsAndRevocation(store()) }
    @Test func decisionsAreAppendOnlyVersions() async throws { try await StoreContract.decisionsAreAppendOnlyVersions(store()) }
    @Test func accountLanguage() async throws { try await StoreContract.accountLanguage(store()) }
    @Test func concurrentDecisionsGetConsecutiveVersions() async throws {
        try await StoreContract.concurrentDecisionsGetConsecutiveVersions(store())
    }
}

/// PostgreSQL: a server URL in `SONOQC_TEST_POSTGRES_URL` (a role allowed to create databases;
/// `make test-distributed` starts a server and sets it). Each test gets a fresh database, made with
/// `psql`, so tests neither see each other's rows nor depend on order.
@Suite(.enabled(if: PostgresTestServer.url != nil,
                "SONOQC_TEST_POSTGRES_URL is not set: PostgreSQL store tests skipped (make test-distributed runs them)"))
struct PostgresStoreContractTests {
    func store() async throws -> PostgresStore {
        try await PostgresStore.open(url: try PostgresTestServer.freshDatabase(), logger: Logger(label: "test"))
    }

    @Test func sameContentKeySameBatch() async throws { try await StoreContract.sameContentKeySameBatch(store()) }
    @Test func queueClaimsEachJobOnceAndRequeuesRunning() async throws {
        try await StoreContract.queueClaimsEachJobOnceAndRequeuesRunning(store())
    }
    @Test func concurrentClaimsNeverShareAJob() async throws { try await StoreContract.concurrentClaimsNeverShareAJob(store()) }
    @Test func accountsSessionsAndRevocation() async throws { try await StoreContract.accountsSessionsAndRevocation(store()) }
    @Test func decisionsAreAppendOnlyVersions() async throws { try await StoreContract.decisionsAreAppendOnlyVersions(store()) }
    @Test func accountLanguage() async throws { try await StoreContract.accountLanguage(store()) }
    @Test func concurrentDecisionsGetConsecutiveVersions() async throws {
        try await StoreContract.concurrentDecisionsGetConsecutiveVersions(store())
    }

    /// Migrations run once: a second process opening the same database (or two at once) changes nothing.
    @Test func migrationsAreAppliedOnceAndConcurrentOpensAgree() async throws {
        let url = try PostgresTestServer.freshDatabase()
        async let a = PostgresStore.open(url: url, logger: Logger(label: "a"))
        async let b = PostgresStore.open(url: url, logger: Logger(label: "b"))
        let (first, second) = try await (a, b)
        try await StoreContract.account(first, "u")
        let reopened = try await PostgresStore.open(url: url, logger: Logger(label: "c"))
        #expect(try await reopened.accounts().map(\.name) == ["u"])
        #expect(try await second.accounts().map(\.name) == ["u"])
        #expect(try await reopened.appliedMigrations() == ["v1", "v2", "v3-decisions", "v4-account-language"])
    }

    /// A worker that stops renewing loses its item to the next claim and can record nothing after.
    @Test func expiredLeasesAreClaimedAgainAndLateWorkersRecordNothing() async throws {
        let s = try await store()
        try await StoreContract.account(s, "u")
        let b = try await s.findOrCreateBatch(StoreContract.batch("lease"), files: []).batch
        _ = try await s.commitBatch(id: b.id, at: Date())
        let dead = try #require(try await s.claimWork(worker: "dead", lease: 0.3, at: Date()))
        #expect(dead == .plan(try #require(try await s.batch(id: b.id))))
        #expect(try await s.claimWork(worker: "live", lease: 30, at: Date()) == nil, "a held lease is not taken")
        #expect(try await s.renewLease(dead, worker: "dead", lease: 0.3))
        try await Task.sleep(for: .milliseconds(700))
        let plan = try #require(try await s.claimWork(worker: "live", lease: 30, at: Date()))
        #expect(plan.batch.id == b.id && plan.batch.attempts == 2)
        #expect(try await !s.renewLease(dead, worker: "dead", lease: 30), "the dead worker lost its lease")
        #expect(try await !s.fanOut(batchID: b.id, scanKeys: ["x"], worker: "dead"))
        #expect(try await s.fanOut(batchID: b.id, scanKeys: ["s0", "s1"], worker: "live"))
        #expect(try await s.batch(id: b.id)?.state == .running)

        guard case let .scan(_, p0, k0)? = try await s.claimWork(worker: "w0", lease: 30, at: Date()),
              case let .scan(_, p1, k1)? = try await s.claimWork(worker: "w1", lease: 0.3, at: Date())
        else { Issue.record("scan jobs not claimed"); return }
        #expect([p0, p1] == [0, 1] && [k0, k1] == ["s0", "s1"])
        let out0 = ScanOutput(path: "scans/s0/report.json", sha256: String(repeating: "0", count: 64), size: 10)
        let out1 = ScanOutput(path: "scans/s1/report.json", sha256: String(repeating: "1", count: 64), size: 11)
        #expect(try await s.finishScan(batchID: b.id, position: 0, outputs: [out0], worker: "w0"))
        #expect(try await !s.finishScan(batchID: b.id, position: 0, outputs: [out0], worker: "w0"), "done once")
        try await Task.sleep(for: .milliseconds(700))
        let retaken = try #require(try await s.claimWork(worker: "w2", lease: 30, at: Date()))
        #expect(retaken == .scan(try #require(try await s.batch(id: b.id)), position: 1, key: "s1"))
        #expect(try await !s.finishScan(batchID: b.id, position: 1, outputs: [out1], worker: "w1"), "late worker records nothing")
        #expect(try await s.scanOutputs(batchID: b.id) == [out0])
        #expect(try await s.claimWork(worker: "w3", lease: 30, at: Date()) == nil, "no assembly before the last scan")
        #expect(try await s.finishScan(batchID: b.id, position: 1, outputs: [out1], worker: "w2"))
        #expect(try await s.scanOutputs(batchID: b.id) == [out0, out1])
        let assembly = try #require(try await s.claimWork(worker: "w3", lease: 0.3, at: Date()))
        #expect(assembly == .assemble(try #require(try await s.batch(id: b.id))))
        #expect(try await s.batch(id: b.id)?.attempts == 2, "a first assembly claim is not a retry")
        try await Task.sleep(for: .milliseconds(700))
        let assemblyRetaken = try #require(try await s.claimWork(worker: "w4", lease: 30, at: Date()))
        #expect(assemblyRetaken.batch.id == b.id && assemblyRetaken.batch.attempts == 3,
                "an assembly taken over from an expired lease counts as another attempt")
        #expect(try await !s.renewLease(assembly, worker: "w3", lease: 30), "the dead assembler lost its lease")
        try await s.finishJob(batchID: b.id, outcome: .done(imagesTotal: 3, imagesAnalysed: 3, failures: 0), at: Date())
        try await s.finishJob(batchID: b.id, outcome: .failed(reason: "late"), at: Date())
        let final = try #require(try await s.batch(id: b.id))
        #expect(final.state == .done && final.reason == nil && final.imagesAnalysed == 3)
        #expect(try await s.jobCounts() == ["done": 1])
    }

    /// Six workers draining one batch's twenty scans at once: each scan recorded once, exactly
    /// one of the finishers queues the assembly, released items come back at once.
    @Test func concurrentScanWorkersRecordEachScanOnceAndAssembleOnce() async throws {
        let s = try await store()
        try await StoreContract.account(s, "u")
        let b = try await s.findOrCreateBatch(StoreContract.batch("fan"), files: []).batch
        _ = try await s.commitBatch(id: b.id, at: Date())
        let plan = try #require(try await s.claimWork(worker: "p", lease: 30, at: Date()))
        try await s.release(plan, worker: "p")
        #expect(try await s.batch(id: b.id)?.state == .queued)
        _ = try #require(try await s.claimWork(worker: "p", lease: 30, at: Date()))
        #expect(try await s.fanOut(batchID: b.id, scanKeys: (0..<20).map { "scan\($0)" }, worker: "p"))
        let results = try await withThrowingTaskGroup(of: [String].self) { group in
            for w in 0..<6 {
                group.addTask {
                    var mine: [String] = []
                    while let item = try await s.claimWork(worker: "w\(w)", lease: 30, at: Date()) {
                        switch item {
                        case let .scan(_, position, key):
                            let output = ScanOutput(path: "scans/\(key)/report.json", sha256: String(repeating: "a", count: 64), size: 1)
                            if try await s.finishScan(batchID: b.id, position: position, outputs: [output], worker: "w\(w)") {
                                mine.append(key)
                            }
                        case .assemble:
                            mine.append("assemble")
                            try await s.finishJob(batchID: b.id, outcome: .done(imagesTotal: 20, imagesAnalysed: 20, failures: 0), at: Date())
                        case .plan:
                            mine.append("plan")
                        }
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(results.filter { $0 == "assemble" }.count == 1)
        #expect(!results.contains("plan"))
        #expect(results.filter { $0.hasPrefix("scan") }.sorted() == (0..<20).map { "scan\($0)" }.sorted())
        #expect(try await s.scanOutputs(batchID: b.id).count == 20)
        #expect(try await s.scanJobCounts() == ["done": 20])
        #expect(try await s.batch(id: b.id)?.state == .done)
    }

    @Test func badURLsAreRefusedWithoutLeakingThePassword() async throws {
        await #expect(throws: ServiceError.self) { _ = try await PostgresStore.open(url: "mysql://u@h/d", logger: Logger(label: "t")) }
        do {
            _ = try await PostgresStore.open(url: "postgresql://nobody:s3cret@127.0.0.1:1/x?sslmode=disable", logger: Logger(label: "t"),
                                             deadline: .seconds(2))
            Issue.record("connecting to port 1 succeeded")
        } catch {
            #expect(!"\(error)".contains("s3cret"))
            #expect("\(error)".contains("postgresql://nobody:***@127.0.0.1:1/x"))
        }
    }
}

enum PostgresTestServer {
    static var url: String? {
        ProcessInfo.processInfo.environment["SONOQC_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Creates an empty database with `psql` and returns its URL.
    static func freshDatabase() throws -> String {
        let base = try #require(url)
        let name = "sonoqc_t_\(UInt64.random(in: 0...UInt64.max))"
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        psql.arguments = ["psql", base, "-v", "ON_ERROR_STOP=1", "-q", "-c", "CREATE DATABASE \(name)"]
        try psql.run()
        psql.waitUntilExit()
        try #require(psql.terminationStatus == 0, "psql could not create a test database on \(base)")
        var parts = try #require(URLComponents(string: base))
        parts.path = "/" + name
        return try #require(parts.string)
    }
}
