package import Foundation
import GRDB

/// The embedded store: one SQLite file (`sonoqc.sqlite` in the data directory) through GRDB, in WAL
/// mode so readers never wait for the writer, with versioned migrations. The only file that talks
/// to GRDB.
package final class SQLiteStore: ServiceStore {
    /// Internal (not private) so the decisions extension in SQLiteStore+Decisions.swift shares it.
    let pool: DatabasePool

    package static let fileName = "sonoqc.sqlite"

    /// Opens (creating when missing) and migrates the database at `path`.
    package init(path: String) throws {
        var config = Configuration()
        // `sonoqc accounts add` may run while the server writes; wait rather than fail.
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // FULL: a committed job state survives power loss, which exactly-once processing relies on.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        // Absolute, because the pool opens further connections later and `serve` changes directory.
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        do {
            pool = try DatabasePool(path: absolute, configuration: config)
            try Self.migrator.migrate(pool)
        } catch {
            throw ServiceError.storage("cannot open database \(path): \(error)")
        }
    }

    /// Append-only list of schema versions; never edit a shipped migration, add the next one.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE account (
                    name TEXT PRIMARY KEY NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('unit', 'reviewer', 'admin')),
                    key_id TEXT NOT NULL UNIQUE,
                    token_hash TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    revoked_at DATETIME
                );
                CREATE TABLE session (
                    id_hash TEXT PRIMARY KEY NOT NULL,
                    account TEXT NOT NULL REFERENCES account(name),
                    csrf_token TEXT NOT NULL,
                    expires_at DATETIME NOT NULL
                );
                CREATE TABLE batch (
                    id TEXT PRIMARY KEY NOT NULL,
                    unit TEXT NOT NULL REFERENCES account(name),
                    name TEXT NOT NULL,
                    content_key TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('uploading', 'queued', 'running', 'done', 'failed')),
                    reason TEXT,
                    created_at DATETIME NOT NULL,
                    committed_at DATETIME,
                    finished_at DATETIME,
                    images_total INTEGER,
                    images_analysed INTEGER,
                    failures INTEGER,
                    UNIQUE (unit, content_key)
                );
                CREATE TABLE batch_file (
                    batch_id TEXT NOT NULL REFERENCES batch(id),
                    position INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    PRIMARY KEY (batch_id, position),
                    UNIQUE (batch_id, name)
                );
                CREATE TABLE job (
                    batch_id TEXT PRIMARY KEY NOT NULL REFERENCES batch(id),
                    seq INTEGER NOT NULL UNIQUE,
                    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    started_at DATETIME
                );
                CREATE INDEX job_state ON job(state, seq);
                """)
        }
        m.registerMigration("v2-decisions", migrate: migrateDecisions)
        m.registerMigration("v3-account-language") { db in
            // Nullable: existing accounts keep following their browser's Accept-Language.
            try db.execute(sql: "ALTER TABLE account ADD COLUMN language TEXT")
        }
        return m
    }

    // MARK: Accounts

    package func addAccount(_ account: Account) async throws {
        try await pool.write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM account WHERE name = ?", arguments: [account.name]) != nil {
                throw StoreError.conflict("account \(account.name) exists")
            }
            try db.execute(sql: "INSERT INTO account (name, role, key_id, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [account.name, account.role.rawValue, account.keyID, account.tokenHash, account.createdAt])
        }
    }

    package func accounts() async throws -> [Account] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM account ORDER BY name").map(Self.account) }
    }

    package func activeAccount(keyID: String) async throws -> Account? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM account WHERE key_id = ? AND revoked_at IS NULL", arguments: [keyID]).map(Self.account)
        }
    }

    package func activeAccount(name: String) async throws -> Account? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM account WHERE name = ? AND revoked_at IS NULL", arguments: [name]).map(Self.account)
        }
    }

    package func revokeAccount(name: String, at date: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE account SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", arguments: [date, name])
            let changed = db.changesCount > 0
            // A revoked account's browser sessions end with it.
            try db.execute(sql: "DELETE FROM session WHERE account = ?", arguments: [name])
            return changed
        }
    }

    package func setLanguage(_ language: String?, accountName: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE account SET language = ? WHERE name = ? AND revoked_at IS NULL", arguments: [language, accountName])
            return db.changesCount > 0
        }
    }

    static func account(_ row: Row) throws -> Account {
        guard let role = Role(rawValue: row["role"]) else { throw ServiceError.storage("account row with unknown role") }
        return Account(name: row["name"], role: role, keyID: row["key_id"], tokenHash: row["token_hash"],
                       createdAt: row["created_at"], revokedAt: row["revoked_at"], language: row["language"])
    }

    // MARK: Sessions

    package func addSession(_ session: Session) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM session WHERE expires_at < ?", arguments: [Date()])
            try db.execute(sql: "INSERT INTO session (id_hash, account, csrf_token, expires_at) VALUES (?, ?, ?, ?)",
                           arguments: [session.idHash, session.account, session.csrfToken, session.expiresAt])
        }
    }

    package func session(idHash: String, now: Date) async throws -> Session? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM session WHERE id_hash = ? AND expires_at > ?", arguments: [idHash, now]).map {
                Session(idHash: $0["id_hash"], account: $0["account"], csrfToken: $0["csrf_token"], expiresAt: $0["expires_at"])
            }
        }
    }

    package func deleteSession(idHash: String) async throws {
        try await pool.write { db in try db.execute(sql: "DELETE FROM session WHERE id_hash = ?", arguments: [idHash]) }
    }

    // MARK: Batches

    private static let batchColumns = """
        SELECT b.*, COALESCE(j.attempts, 0) AS attempts FROM batch b LEFT JOIN job j ON j.batch_id = b.id
        """

    static func batch(_ row: Row) throws -> Batch {
        guard let state = BatchState(rawValue: row["state"]) else { throw ServiceError.storage("batch row with unknown state") }
        return Batch(id: row["id"], unit: row["unit"], name: row["name"], contentKey: row["content_key"], state: state,
                     reason: row["reason"], createdAt: row["created_at"], committedAt: row["committed_at"],
                     finishedAt: row["finished_at"], imagesTotal: row["images_total"], imagesAnalysed: row["images_analysed"],
                     failures: row["failures"], attempts: row["attempts"])
    }

    package func findOrCreateBatch(_ batch: Batch, files: [BatchFile]) async throws -> (batch: Batch, created: Bool) {
        try await pool.write { db in
            if let row = try Row.fetchOne(db, sql: Self.batchColumns + " WHERE b.unit = ? AND b.content_key = ?",
                                          arguments: [batch.unit, batch.contentKey]) {
                return (try Self.batch(row), false)
            }
            try db.execute(sql: """
                INSERT INTO batch (id, unit, name, content_key, state, created_at) VALUES (?, ?, ?, ?, 'uploading', ?)
                """, arguments: [batch.id, batch.unit, batch.name, batch.contentKey, batch.createdAt])
            for (i, file) in files.enumerated() {
                try db.execute(sql: "INSERT INTO batch_file (batch_id, position, name, sha256, size) VALUES (?, ?, ?, ?, ?)",
                               arguments: [batch.id, i, file.name, file.sha256, file.size])
            }
            var created = batch
            created.state = .uploading
            return (created, true)
        }
    }

    package func batch(id: String) async throws -> Batch? {
        try await pool.read { db in try Row.fetchOne(db, sql: Self.batchColumns + " WHERE b.id = ?", arguments: [id]).map(Self.batch) }
    }

    package func batches(unit: String?) async throws -> [Batch] {
        try await pool.read { db in
            if let unit {
                return try Row.fetchAll(db, sql: Self.batchColumns + " WHERE b.unit = ? ORDER BY b.created_at DESC, b.id",
                                        arguments: [unit]).map(Self.batch)
            }
            return try Row.fetchAll(db, sql: Self.batchColumns + " ORDER BY b.created_at DESC, b.id").map(Self.batch)
        }
    }

    package func files(batchID: String) async throws -> [BatchFile] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM batch_file WHERE batch_id = ? ORDER BY position", arguments: [batchID]).map {
                BatchFile(name: $0["name"], sha256: $0["sha256"], size: $0["size"])
            }
        }
    }

    package func commitBatch(id: String, at date: Date) async throws -> Batch {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: Self.batchColumns + " WHERE b.id = ?", arguments: [id]) else {
                throw StoreError.notFound("batch \(id)")
            }
            let batch = try Self.batch(row)
            guard batch.state == .uploading else { return batch }
            try db.execute(sql: "UPDATE batch SET state = 'queued', committed_at = ? WHERE id = ?", arguments: [date, id])
            try db.execute(sql: "INSERT INTO job (batch_id, seq, state) VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM job), 'queued')",
                           arguments: [id])
            guard let updated = try Row.fetchOne(db, sql: Self.batchColumns + " WHERE b.id = ?", arguments: [id]) else {
                throw StoreError.notFound("batch \(id)")
            }
            return try Self.batch(updated)
        }
    }

    // MARK: Jobs

    package func claimJob(at date: Date) async throws -> Batch? {
        try await pool.write { db in
            guard let id = try String.fetchOne(db, sql: "SELECT batch_id FROM job WHERE state = 'queued' ORDER BY seq LIMIT 1") else {
                return nil
            }
            try db.execute(sql: "UPDATE job SET state = 'running', attempts = attempts + 1, started_at = ? WHERE batch_id = ?",
                           arguments: [date, id])
            try db.execute(sql: "UPDATE batch SET state = 'running' WHERE id = ?", arguments: [id])
            return try Row.fetchOne(db, sql: Self.batchColumns + " WHERE b.id = ?", arguments: [id]).map(Self.batch)
        }
    }

    package func finishJob(batchID: String, outcome: JobOutcome, at date: Date) async throws {
        try await pool.write { db in
            switch outcome {
            case let .done(total, analysed, failures):
                try db.execute(sql: """
                    UPDATE batch SET state = 'done', reason = NULL, finished_at = ?, images_total = ?, images_analysed = ?,
                    failures = ? WHERE id = ?
                    """, arguments: [date, total, analysed, failures, batchID])
                try db.execute(sql: "UPDATE job SET state = 'done' WHERE batch_id = ?", arguments: [batchID])
            case let .failed(reason):
                try db.execute(sql: "UPDATE batch SET state = 'failed', reason = ?, finished_at = ? WHERE id = ?",
                               arguments: [reason, date, batchID])
                try db.execute(sql: "UPDATE job SET state = 'failed' WHERE batch_id = ?", arguments: [batchID])
            }
        }
    }

    package func requeueJob(batchID: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE job SET state = 'queued', started_at = NULL WHERE batch_id = ? AND state = 'running'",
                           arguments: [batchID])
            try db.execute(sql: "UPDATE batch SET state = 'queued' WHERE id = ? AND state = 'running'", arguments: [batchID])
        }
    }

    package func runningJobs() async throws -> [Batch] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: Self.batchColumns + " WHERE j.state = 'running' ORDER BY j.seq").map(Self.batch)
        }
    }

    package func queueDepth() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM job WHERE state = 'queued'") ?? 0 }
    }

    package func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }
}
