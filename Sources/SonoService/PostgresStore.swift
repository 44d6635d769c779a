package import Foundation
package import Logging
import PostgresNIO
package import SonoReports

/// The shared store for scale-out: PostgreSQL through postgres-nio, so any number of API
/// and worker processes on any number of hosts use one queue. The only file that talks to
/// postgres-nio.
///
/// Differences from ``SQLiteStore`` that matter to workers:
/// - jobs are claimed with `SELECT … FOR UPDATE SKIP LOCKED`, so concurrent workers never wait
///   for or take the same row;
/// - a claim is a lease measured on the database server's clock (hosts' clocks may disagree): the
///   worker renews it while it works, and a job whose lease expired (its worker died) is claimed
///   again by the next free worker;
/// - finishing a job only changes a job that is still `running`, so a late worker cannot turn a
///   finished batch back into another state.
package final class PostgresStore: ServiceStore {
    private let client: PostgresClient
    /// Runs the client's connection pool for the store's lifetime; cancelled by ``close()``.
    private let runner: Task<Void, Never>
    private let logger: Logger

    /// Connects to `url` (`postgresql://user:password@host:port/database?sslmode=disable|prefer|require`)
    /// and applies pending migrations.
    /// The pool retries an unreachable server forever; opening gives up after `deadline`.
    package static func open(url: String, logger: Logger, deadline: Duration = .seconds(15)) async throws -> PostgresStore {
        let store = PostgresStore(configuration: try configuration(url: url), logger: logger)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.migrate() }
                group.addTask {
                    try await Task.sleep(for: deadline)
                    store.close()  // ends the pending connection attempts
                    throw ServiceError.storage("no answer within \(deadline)")
                }
                try await group.next()
                group.cancelAll()
            }
        } catch {
            store.close()
            throw ServiceError.storage("cannot open PostgreSQL database \(redacted(url)): \(describe(error))")
        }
        return store
    }

    private init(configuration: PostgresClient.Configuration, logger: Logger) {
        var config = configuration
        config.options.maximumConnections = 8
        let client = PostgresClient(configuration: config, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        runner = Task { await client.run() }
    }

    /// Closes the pool; the store is unusable afterwards.
    package func close() {
        runner.cancel()
    }

    deinit { runner.cancel() }

    /// The URL without its password, for messages.
    static func redacted(_ url: String) -> String {
        guard var parts = URLComponents(string: url) else { return "(unparseable URL)" }
        if parts.password != nil { parts.password = "***" }
        return parts.string ?? "(unparseable URL)"
    }

    static func configuration(url: String) throws -> PostgresClient.Configuration {
        guard let parts = URLComponents(string: url), ["postgresql", "postgres"].contains(parts.scheme ?? ""),
              let host = parts.host, !host.isEmpty, let user = parts.user, !user.isEmpty
        else {
            throw ServiceError.usage("--database must look like postgresql://user[:password]@host[:port]/database")
        }
        let database = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        let sslmode = parts.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch sslmode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw ServiceError.usage("sslmode \(sslmode) is not one of disable, prefer, require")
        }
        return PostgresClient.Configuration(host: host, port: parts.port ?? 5432, username: user,
                                            password: parts.password, database: database.isEmpty ? nil : database, tls: tls)
    }

    /// A server error's message and SQLSTATE instead of postgres-nio's generic description.
    static func describe(_ error: any Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] {
                return "\(message) (SQLSTATE \(psql.serverInfo?[.sqlState] ?? "?"))"
            }
            return "\(psql.code)" + (psql.underlying.map { ": \($0)" } ?? "")
        }
        return "\(error)"
    }

    // MARK: Transactions and migrations

    /// BEGIN … COMMIT around `body`, ROLLBACK when it throws; the body's own error is rethrown
    /// unchanged (postgres-nio's `withTransaction` wraps it), so ``StoreError`` reaches callers.
    private func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                let value = try await body(connection)
                try await connection.query("COMMIT", logger: logger)
                return value
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    private func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await client.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    private static func rows(_ connection: PostgresConnection, _ query: PostgresQuery, logger: Logger) async throws -> [PostgresRandomAccessRow] {
        try await connection.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    /// Append-only, as ``SQLiteStore/migrator``: each version runs once, in one transaction, under
    /// an advisory lock so processes starting together do not race.
    static let migrations: [(version: String, sql: [String])] = [
        ("v1", [
            """
            CREATE TABLE account (
                name TEXT PRIMARY KEY,
                role TEXT NOT NULL CHECK (role IN ('unit', 'reviewer', 'admin')),
                key_id TEXT NOT NULL UNIQUE,
                token_hash TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                revoked_at TIMESTAMPTZ
            )
            """,
            """
            CREATE TABLE session (
                id_hash TEXT PRIMARY KEY,
                account TEXT NOT NULL REFERENCES account(name),
                csrf_token TEXT NOT NULL,
                expires_at TIMESTAMPTZ NOT NULL
            )
            """,
            """
            CREATE TABLE batch (
                id TEXT PRIMARY KEY,
                unit TEXT NOT NULL REFERENCES account(name),
                name TEXT NOT NULL,
                content_key TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('uploading', 'queued', 'running', 'done', 'failed')),
                reason TEXT,
                created_at TIMESTAMPTZ NOT NULL,
                committed_at TIMESTAMPTZ,
                finished_at TIMESTAMPTZ,
                images_total INTEGER,
                images_analysed INTEGER,
                failures INTEGER,
                UNIQUE (unit, content_key)
            )
            """,
            """
            CREATE TABLE batch_file (
                batch_id TEXT NOT NULL REFERENCES batch(id),
                position INTEGER NOT NULL,
                name TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                size BIGINT NOT NULL,
                PRIMARY KEY (batch_id, position),
                UNIQUE (batch_id, name)
            )
            """,
            """
            CREATE TABLE job (
                batch_id TEXT PRIMARY KEY REFERENCES batch(id),
                seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
                state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
                attempts INTEGER NOT NULL DEFAULT 0,
                started_at TIMESTAMPTZ,
                lease_owner TEXT,
                lease_expires TIMESTAMPTZ
            )
            """,
            "CREATE INDEX job_state ON job(state, seq)",
        ]),
        // Per-scan work: a batch job plans (fans out into scan jobs), waits for them,
        // then assembles; each scan's report files are recorded with its completion.
        ("v2", [
            "ALTER TABLE job ADD COLUMN phase TEXT NOT NULL DEFAULT 'plan' CHECK (phase IN ('plan', 'scans', 'assemble'))",
            """
            CREATE TABLE scan_job (
                batch_id TEXT NOT NULL REFERENCES batch(id),
                position INTEGER NOT NULL,
                scan_key TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done')),
                attempts INTEGER NOT NULL DEFAULT 0,
                lease_owner TEXT,
                lease_expires TIMESTAMPTZ,
                finished_at TIMESTAMPTZ,
                finished_by TEXT,
                PRIMARY KEY (batch_id, position),
                UNIQUE (batch_id, scan_key)
            )
            """,
            "CREATE INDEX scan_job_state ON scan_job(state)",
            """
            CREATE TABLE scan_output (
                batch_id TEXT NOT NULL,
                position INTEGER NOT NULL,
                path TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                size BIGINT NOT NULL,
                PRIMARY KEY (batch_id, path),
                FOREIGN KEY (batch_id, position) REFERENCES scan_job(batch_id, position)
            )
            """,
        ]),
        // Review decisions, as SQLite's "v2-decisions": append-only, one row per version.
        ("v3-decisions", [
            """
            CREATE TABLE decision (
                batch_id TEXT NOT NULL REFERENCES batch(id),
                scan TEXT NOT NULL,
                image TEXT NOT NULL,
                reading INTEGER NOT NULL CHECK (reading IN (1, 2)),
                version INTEGER NOT NULL,
                reviewer TEXT NOT NULL REFERENCES account(name),
                decided_at TIMESTAMPTZ NOT NULL,
                criteria TEXT NOT NULL,
                score INTEGER,
                verdict TEXT NOT NULL CHECK (verdict IN ('accept', 'accept-remark', 'reject')),
                reasons TEXT NOT NULL,
                comment TEXT NOT NULL,
                previous_verdict TEXT,
                previous_score INTEGER,
                PRIMARY KEY (batch_id, scan, image, reading, version)
            )
            """,
        ]),
        // The account's UI language (NULL: the browser's Accept-Language), as SQLite's "v3-account-language".
        ("v4-account-language", [
            "ALTER TABLE account ADD COLUMN language TEXT",
        ]),
    ]

    func migrate() async throws {
        try await transaction { c in
            // One key for the whole schema: concurrent starters wait here, then see the versions applied.
            try await c.query("SELECT pg_advisory_xact_lock(7418529)", logger: logger)
            try await c.query("CREATE TABLE IF NOT EXISTS schema_migration (version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                              logger: logger)
            let applied = Set(try await Self.rows(c, "SELECT version FROM schema_migration", logger: logger)
                .map { try $0["version"].decode(String.self) })
            for migration in Self.migrations where !applied.contains(migration.version) {
                for statement in migration.sql {
                    try await c.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await c.query("INSERT INTO schema_migration (version) VALUES (\(migration.version))", logger: logger)
            }
        }
    }

    /// Versions applied, in order; for tests and `readyz`-style checks.
    func appliedMigrations() async throws -> [String] {
        try await rows("SELECT version FROM schema_migration ORDER BY version").map { try $0["version"].decode(String.self) }
    }

    // MARK: Accounts

    package func addAccount(_ account: Account) async throws {
        let inserted = try await rows("""
            INSERT INTO account (name, role, key_id, token_hash, created_at)
            VALUES (\(account.name), \(account.role.rawValue), \(account.keyID), \(account.tokenHash), \(account.createdAt))
            ON CONFLICT (name) DO NOTHING RETURNING name
            """)
        if inserted.isEmpty { throw StoreError.conflict("account \(account.name) exists") }
    }

    package func accounts() async throws -> [Account] {
        try await rows("SELECT * FROM account ORDER BY name").map(Self.account)
    }

    package func activeAccount(keyID: String) async throws -> Account? {
        try await rows("SELECT * FROM account WHERE key_id = \(keyID) AND revoked_at IS NULL").first.map(Self.account)
    }

    package func activeAccount(name: String) async throws -> Account? {
        try await rows("SELECT * FROM account WHERE name = \(name) AND revoked_at IS NULL").first.map(Self.account)
    }

    package func revokeAccount(name: String, at date: Date) async throws -> Bool {
        try await transaction { c in
            let changed = try await Self.rows(c, "UPDATE account SET revoked_at = \(date) WHERE name = \(name) AND revoked_at IS NULL RETURNING name",
                                              logger: logger)
            // A revoked account's browser sessions end with it.
            try await c.query("DELETE FROM session WHERE account = \(name)", logger: logger)
            return !changed.isEmpty
        }
    }

    package func setLanguage(_ language: String?, accountName: String) async throws -> Bool {
        try await !rows("""
            UPDATE account SET language = \(language) WHERE name = \(accountName) AND revoked_at IS NULL RETURNING name
            """).isEmpty
    }

    static func account(_ row: PostgresRandomAccessRow) throws -> Account {
        guard let role = Role(rawValue: try row["role"].decode(String.self)) else {
            throw ServiceError.storage("account row with unknown role")
        }
        var account = Account(name: try row["name"].decode(String.self), role: role, keyID: try row["key_id"].decode(String.self),
                              tokenHash: try row["token_hash"].decode(String.self), createdAt: try row["created_at"].decode(Date.self),
                              revokedAt: try row["revoked_at"].decode(Date?.self))
        account.language = try row["language"].decode(String?.self)
        return account
    }

    // MARK: Sessions

    package func addSession(_ session: Session) async throws {
        try await transaction { c in
            try await c.query("DELETE FROM session WHERE expires_at < now()", logger: logger)
            try await c.query("""
                INSERT INTO session (id_hash, account, csrf_token, expires_at)
                VALUES (\(session.idHash), \(session.account), \(session.csrfToken), \(session.expiresAt))
                """, logger: logger)
        }
    }

    package func session(idHash: String, now: Date) async throws -> Session? {
        try await rows("SELECT * FROM session WHERE id_hash = \(idHash) AND expires_at > \(now)").first.map {
            Session(idHash: try $0["id_hash"].decode(String.self), account: try $0["account"].decode(String.self),
                    csrfToken: try $0["csrf_token"].decode(String.self), expiresAt: try $0["expires_at"].decode(Date.self))
        }
    }

    package func deleteSession(idHash: String) async throws {
        try await client.query("DELETE FROM session WHERE id_hash = \(idHash)", logger: logger)
    }

    // MARK: Batches

    private static let batchColumns = """
        SELECT b.*, COALESCE(j.attempts, 0) AS attempts FROM batch b LEFT JOIN job j ON j.batch_id = b.id
        """

    static func batch(_ row: PostgresRandomAccessRow) throws -> Batch {
        guard let state = BatchState(rawValue: try row["state"].decode(String.self)) else {
            throw ServiceError.storage("batch row with unknown state")
        }
        return Batch(id: try row["id"].decode(String.self), unit: try row["unit"].decode(String.self),
                     name: try row["name"].decode(String.self), contentKey: try row["content_key"].decode(String.self),
                     state: state, reason: try row["reason"].decode(String?.self),
                     createdAt: try row["created_at"].decode(Date.self), committedAt: try row["committed_at"].decode(Date?.self),
                     finishedAt: try row["finished_at"].decode(Date?.self),
                     imagesTotal: try row["images_total"].decode(Int32?.self).map(Int.init),
                     imagesAnalysed: try row["images_analysed"].decode(Int32?.self).map(Int.init),
                     failures: try row["failures"].decode(Int32?.self).map(Int.init),
                     attempts: Int(try row["attempts"].decode(Int32.self)))
    }

    private static func batch(_ c: PostgresConnection, id: String, logger: Logger) async throws -> Batch? {
        var query = PostgresQuery(unsafeSQL: batchColumns + " WHERE b.id = $1")
        query.binds.append(id)
        return try await rows(c, query, logger: logger).first.map(batch)
    }

    package func findOrCreateBatch(_ batch: Batch, files: [BatchFile]) async throws -> (batch: Batch, created: Bool) {
        try await transaction { c in
            // ON CONFLICT: two uploads of the same content racing on two API hosts make one batch.
            let inserted = try await Self.rows(c, """
                INSERT INTO batch (id, unit, name, content_key, state, created_at)
                VALUES (\(batch.id), \(batch.unit), \(batch.name), \(batch.contentKey), 'uploading', \(batch.createdAt))
                ON CONFLICT (unit, content_key) DO NOTHING RETURNING id
                """, logger: logger)
            guard !inserted.isEmpty else {
                var query = PostgresQuery(unsafeSQL: Self.batchColumns + " WHERE b.unit = $1 AND b.content_key = $2")
                query.binds.append(batch.unit)
                query.binds.append(batch.contentKey)
                guard let row = try await Self.rows(c, query, logger: logger).first else {
                    throw StoreError.notFound("batch with content key \(batch.contentKey)")
                }
                return (try Self.batch(row), false)
            }
            for (i, file) in files.enumerated() {
                try await c.query("""
                    INSERT INTO batch_file (batch_id, position, name, sha256, size)
                    VALUES (\(batch.id), \(Int32(i)), \(file.name), \(file.sha256), \(file.size))
                    """, logger: logger)
            }
            var created = batch
            created.state = .uploading
            return (created, true)
        }
    }

    package func batch(id: String) async throws -> Batch? {
        try await client.withConnection { c in try await Self.batch(c, id: id, logger: logger) }
    }

    package func batches(unit: String?) async throws -> [Batch] {
        var query: PostgresQuery
        if let unit {
            query = PostgresQuery(unsafeSQL: Self.batchColumns + " WHERE b.unit = $1 ORDER BY b.created_at DESC, b.id")
            query.binds.append(unit)
        } else {
            query = PostgresQuery(unsafeSQL: Self.batchColumns + " ORDER BY b.created_at DESC, b.id")
        }
        return try await rows(query).map(Self.batch)
    }

    package func files(batchID: String) async throws -> [BatchFile] {
        try await rows("SELECT name, sha256, size FROM batch_file WHERE batch_id = \(batchID) ORDER BY position").map {
            BatchFile(name: try $0["name"].decode(String.self), sha256: try $0["sha256"].decode(String.self),
                      size: try $0["size"].decode(Int64.self))
        }
    }

    package func commitBatch(id: String, at date: Date) async throws -> Batch {
        try await transaction { c in
            // The row lock makes a concurrent second commit wait, then see `queued` and add no job.
            let locked = try await Self.rows(c, "SELECT state FROM batch WHERE id = \(id) FOR UPDATE", logger: logger)
            guard let state = try locked.first?["state"].decode(String.self) else { throw StoreError.notFound("batch \(id)") }
            if state == BatchState.uploading.rawValue {
                try await c.query("UPDATE batch SET state = 'queued', committed_at = \(date) WHERE id = \(id)", logger: logger)
                try await c.query("INSERT INTO job (batch_id, state) VALUES (\(id), 'queued')", logger: logger)
            }
            guard let batch = try await Self.batch(c, id: id, logger: logger) else { throw StoreError.notFound("batch \(id)") }
            return batch
        }
    }

    // MARK: Jobs

    /// The single-process ``ServiceStore`` claim (whole batch, no lease); workers of a shared
    /// deployment use ``claimWork(worker:lease:at:)``.
    package func claimJob(at date: Date) async throws -> Batch? {
        try await transaction { c in
            let claimed = try await Self.rows(c, """
                UPDATE job SET state = 'running', attempts = attempts + 1, started_at = \(date)
                WHERE batch_id = (
                    SELECT batch_id FROM job WHERE state = 'queued' ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING batch_id
                """, logger: logger)
            guard let id = try claimed.first?["batch_id"].decode(String.self) else { return nil }
            try await c.query("UPDATE batch SET state = 'running' WHERE id = \(id)", logger: logger)
            return try await Self.batch(c, id: id, logger: logger)
        }
    }

    package func finishJob(batchID: String, outcome: JobOutcome, at date: Date) async throws {
        try await transaction { c in
            let running = try await Self.rows(c, """
                UPDATE job SET state = \(outcome.jobState), lease_owner = NULL, lease_expires = NULL
                WHERE batch_id = \(batchID) AND state = 'running' RETURNING batch_id
                """, logger: logger)
            // Already finished by another worker (its lease had expired, both ran): keep the first outcome.
            guard !running.isEmpty else { return }
            switch outcome {
            case let .done(total, analysed, failures):
                try await c.query("""
                    UPDATE batch SET state = 'done', reason = NULL, finished_at = \(date), images_total = \(Int32(total)),
                        images_analysed = \(Int32(analysed)), failures = \(Int32(failures)) WHERE id = \(batchID)
                    """, logger: logger)
            case let .failed(reason):
                try await c.query("UPDATE batch SET state = 'failed', reason = \(reason), finished_at = \(date) WHERE id = \(batchID)",
                                  logger: logger)
            }
        }
    }

    package func requeueJob(batchID: String) async throws {
        try await transaction { c in
            let requeued = try await Self.rows(c, """
                UPDATE job SET state = 'queued', started_at = NULL, lease_owner = NULL, lease_expires = NULL
                WHERE batch_id = \(batchID) AND state = 'running' RETURNING batch_id
                """, logger: logger)
            if !requeued.isEmpty {
                try await c.query("UPDATE batch SET state = 'queued' WHERE id = \(batchID) AND state = 'running'", logger: logger)
            }
        }
    }

    package func runningJobs() async throws -> [Batch] {
        try await rows(PostgresQuery(unsafeSQL: Self.batchColumns + " WHERE j.state = 'running' ORDER BY j.seq")).map(Self.batch)
    }

    package func queueDepth() async throws -> Int {
        let row = try await rows("SELECT COUNT(*) AS n FROM job WHERE state = 'queued'").first
        return Int(try row?["n"].decode(Int64.self) ?? 0)
    }

    package func jobCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await rows("SELECT state, COUNT(*) AS n FROM job GROUP BY state") {
            counts[try row["state"].decode(String.self)] = Int(try row["n"].decode(Int64.self))
        }
        return counts
    }

    package func ping() async throws {
        try await client.query("SELECT 1", logger: logger)
    }
}

// MARK: Review decisions

extension PostgresStore {
    package func appendDecision(_ decision: Decision) async throws -> Decision {
        let criteria = try DecisionStorage.criteriaText(decision.criteria)
        return try await transaction { c in
            // Under READ COMMITTED two appends to one key would both read version n and one would
            // fail on the primary key; a transaction-scoped advisory lock on the key (the two-int
            // form, apart from the migrations' bigint key) makes them take turns as SQLite's single
            // writer does, so each gets the next version and its predecessor's values. A hash
            // collision only makes two unrelated keys wait for each other.
            try await c.query("""
                SELECT pg_advisory_xact_lock(7418530, hashtext(concat_ws(chr(31), \(decision.batchID), \(decision.scan),
                    \(decision.image), \(Int32(decision.reading))::text)))
                """, logger: logger)
            let latest = try await Self.rows(c, """
                SELECT version, verdict, score FROM decision
                WHERE batch_id = \(decision.batchID) AND scan = \(decision.scan) AND image = \(decision.image)
                    AND reading = \(Int32(decision.reading))
                ORDER BY version DESC LIMIT 1
                """, logger: logger).first
            let stored = DecisionStorage.next(decision, after: try latest.map {
                DecisionStorage.Latest(version: Int(try $0["version"].decode(Int32.self)), verdict: try $0["verdict"].decode(String.self),
                                       score: try $0["score"].decode(Int32?.self).map(Int.init))
            })
            try await c.query("""
                INSERT INTO decision (batch_id, scan, image, reading, version, reviewer, decided_at, criteria, score, verdict,
                    reasons, comment, previous_verdict, previous_score)
                VALUES (\(stored.batchID), \(stored.scan), \(stored.image), \(Int32(stored.reading)), \(Int32(stored.version)),
                    \(stored.reviewer), \(stored.decidedAt), \(criteria), \(stored.score.map(Int32.init)), \(stored.verdict.rawValue),
                    \(DecisionStorage.reasonsText(stored.reasons)), \(stored.comment), \(stored.previousVerdict?.rawValue),
                    \(stored.previousScore.map(Int32.init)))
                """, logger: logger)
            return stored
        }
    }

    package func decisions(batchID: String?) async throws -> [Decision] {
        // Byte order ("C") for the text keys, as SQLite compares them, so both engines list alike.
        let order = #" ORDER BY decided_at, batch_id COLLATE "C", scan COLLATE "C", image COLLATE "C", reading, version"#
        var query = PostgresQuery(unsafeSQL: "SELECT * FROM decision" + (batchID == nil ? "" : " WHERE batch_id = $1") + order)
        if let batchID { query.binds.append(batchID) }
        return try await rows(query).map(Self.decision)
    }

    static func decision(_ row: PostgresRandomAccessRow) throws -> Decision {
        try DecisionStorage.decision(
            batchID: try row["batch_id"].decode(String.self), scan: try row["scan"].decode(String.self),
            image: try row["image"].decode(String.self), reading: Int(try row["reading"].decode(Int32.self)),
            version: Int(try row["version"].decode(Int32.self)), reviewer: try row["reviewer"].decode(String.self),
            decidedAt: try row["decided_at"].decode(Date.self), criteria: try row["criteria"].decode(String.self),
            score: try row["score"].decode(Int32?.self).map(Int.init), verdict: try row["verdict"].decode(String.self),
            reasons: try row["reasons"].decode(String.self), comment: try row["comment"].decode(String.self),
            previousVerdict: try row["previous_verdict"].decode(String?.self),
            previousScore: try row["previous_score"].decode(Int32?.self).map(Int.init))
    }
}

// MARK: Scan queue

extension PostgresStore: ScanQueue {
    package func claimWork(worker: String, lease: TimeInterval, at date: Date) async throws -> ScanWorkItem? {
        try await transaction { c in
            // SKIP LOCKED throughout: rows another worker is claiming right now are passed over,
            // not waited for. A lease is measured on the server's clock: hosts' clocks may differ.
            // The assembly runs on the batch's job row, whose attempts the plan claim counted; taking
            // it over from a worker whose lease expired (state still `running`) is one more attempt.
            let assemble = try await Self.rows(c, """
                UPDATE job SET attempts = attempts + CASE WHEN state = 'running' THEN 1 ELSE 0 END,
                    state = 'running', lease_owner = \(worker), lease_expires = now() + make_interval(secs => \(lease))
                WHERE batch_id = (
                    SELECT batch_id FROM job WHERE phase = 'assemble'
                        AND (state = 'queued' OR (state = 'running' AND lease_expires < now()))
                    ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING batch_id
                """, logger: logger)
            if let id = try assemble.first?["batch_id"].decode(String.self) {
                return try await Self.batch(c, id: id, logger: logger).map { ScanWorkItem.assemble($0) }
            }
            let scan = try await Self.rows(c, """
                UPDATE scan_job SET state = 'running', attempts = attempts + 1, lease_owner = \(worker),
                    lease_expires = now() + make_interval(secs => \(lease))
                WHERE (batch_id, position) = (
                    SELECT s.batch_id, s.position FROM scan_job s JOIN job j ON j.batch_id = s.batch_id
                    WHERE j.phase = 'scans' AND j.state = 'running'
                        AND (s.state = 'queued' OR (s.state = 'running' AND s.lease_expires < now()))
                    ORDER BY j.seq, s.position LIMIT 1 FOR UPDATE OF s SKIP LOCKED)
                RETURNING batch_id, position, scan_key
                """, logger: logger)
            if let row = scan.first {
                let id = try row["batch_id"].decode(String.self)
                guard let batch = try await Self.batch(c, id: id, logger: logger) else { return nil }
                return .scan(batch, position: Int(try row["position"].decode(Int32.self)), key: try row["scan_key"].decode(String.self))
            }
            let plan = try await Self.rows(c, """
                UPDATE job SET state = 'running', attempts = attempts + 1, started_at = \(date), lease_owner = \(worker),
                    lease_expires = now() + make_interval(secs => \(lease))
                WHERE batch_id = (
                    SELECT batch_id FROM job WHERE phase = 'plan'
                        AND (state = 'queued' OR (state = 'running' AND lease_expires < now()))
                    ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING batch_id
                """, logger: logger)
            guard let id = try plan.first?["batch_id"].decode(String.self) else { return nil }
            try await c.query("UPDATE batch SET state = 'running' WHERE id = \(id)", logger: logger)
            return try await Self.batch(c, id: id, logger: logger).map { ScanWorkItem.plan($0) }
        }
    }

    package func renewLease(_ item: ScanWorkItem, worker: String, lease: TimeInterval) async throws -> Bool {
        let renewed: [PostgresRandomAccessRow]
        switch item {
        case .plan(let b), .assemble(let b):
            renewed = try await rows("""
                UPDATE job SET lease_expires = now() + make_interval(secs => \(lease))
                WHERE batch_id = \(b.id) AND state = 'running' AND lease_owner = \(worker) RETURNING batch_id
                """)
        case let .scan(b, position, _):
            renewed = try await rows("""
                UPDATE scan_job SET lease_expires = now() + make_interval(secs => \(lease))
                WHERE batch_id = \(b.id) AND position = \(Int32(position)) AND state = 'running' AND lease_owner = \(worker)
                RETURNING batch_id
                """)
        }
        return !renewed.isEmpty
    }

    package func release(_ item: ScanWorkItem, worker: String) async throws {
        switch item {
        case .plan(let b):
            try await transaction { c in
                let released = try await Self.rows(c, """
                    UPDATE job SET state = 'queued', lease_owner = NULL, lease_expires = NULL
                    WHERE batch_id = \(b.id) AND state = 'running' AND lease_owner = \(worker) RETURNING batch_id
                    """, logger: logger)
                if !released.isEmpty { try await c.query("UPDATE batch SET state = 'queued' WHERE id = \(b.id)", logger: logger) }
            }
        case .assemble(let b):
            // The batch stays `running` for readers: its scans are done, only the assembly waits.
            try await client.query("""
                UPDATE job SET state = 'queued', lease_owner = NULL, lease_expires = NULL
                WHERE batch_id = \(b.id) AND state = 'running' AND lease_owner = \(worker)
                """, logger: logger)
        case let .scan(b, position, _):
            try await client.query("""
                UPDATE scan_job SET state = 'queued', lease_owner = NULL, lease_expires = NULL
                WHERE batch_id = \(b.id) AND position = \(Int32(position)) AND state = 'running' AND lease_owner = \(worker)
                """, logger: logger)
        }
    }

    package func fanOut(batchID: String, scanKeys: [String], worker: String) async throws -> Bool {
        try await transaction { c in
            // Without scans (nothing to analyse) the batch is assembled at once, still `running`.
            let planned = try await Self.rows(c, """
                UPDATE job SET phase = \(scanKeys.isEmpty ? "assemble" : "scans"),
                    state = \(scanKeys.isEmpty ? "queued" : "running"), lease_owner = NULL, lease_expires = NULL
                WHERE batch_id = \(batchID) AND phase = 'plan' AND state = 'running' AND lease_owner = \(worker)
                RETURNING batch_id
                """, logger: logger)
            guard !planned.isEmpty else { return false }
            for (position, key) in scanKeys.enumerated() {
                try await c.query("""
                    INSERT INTO scan_job (batch_id, position, scan_key, state) VALUES (\(batchID), \(Int32(position)), \(key), 'queued')
                    """, logger: logger)
            }
            return true
        }
    }

    package func finishScan(batchID: String, position: Int, outputs: [ScanOutput], worker: String) async throws -> Bool {
        try await transaction { c in
            // The job row lock serialises the batch's finishing scans, so exactly one of them sees
            // every scan done and queues the assembly.
            try await c.query("SELECT 1 FROM job WHERE batch_id = \(batchID) FOR UPDATE", logger: logger)
            let finished = try await Self.rows(c, """
                UPDATE scan_job SET state = 'done', finished_at = now(), finished_by = lease_owner, lease_owner = NULL,
                    lease_expires = NULL
                WHERE batch_id = \(batchID) AND position = \(Int32(position)) AND state = 'running' AND lease_owner = \(worker)
                RETURNING batch_id
                """, logger: logger)
            guard !finished.isEmpty else { return false }
            for output in outputs {
                try await c.query("""
                    INSERT INTO scan_output (batch_id, position, path, sha256, size)
                    VALUES (\(batchID), \(Int32(position)), \(output.path), \(output.sha256), \(output.size))
                    """, logger: logger)
            }
            try await c.query("""
                UPDATE job SET phase = 'assemble', state = 'queued'
                WHERE batch_id = \(batchID) AND phase = 'scans' AND state = 'running'
                    AND NOT EXISTS (SELECT 1 FROM scan_job WHERE batch_id = \(batchID) AND state <> 'done')
                """, logger: logger)
            return true
        }
    }

    package func scanOutputs(batchID: String) async throws -> [ScanOutput] {
        try await rows("SELECT path, sha256, size FROM scan_output WHERE batch_id = \(batchID) ORDER BY path").map {
            ScanOutput(path: try $0["path"].decode(String.self), sha256: try $0["sha256"].decode(String.self),
                       size: try $0["size"].decode(Int64.self))
        }
    }
}

extension PostgresStore {
    package func scanJobCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await rows("SELECT state, COUNT(*) AS n FROM scan_job GROUP BY state") {
            counts[try row["state"].decode(String.self)] = Int(try row["n"].decode(Int64.self))
        }
        return counts
    }
}

extension JobOutcome {
    var jobState: String {
        switch self {
        case .done: "done"
        case .failed: "failed"
        }
    }
}
