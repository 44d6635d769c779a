import Foundation
import GRDB
package import SonoReports

/// Review decisions in SQLite. The table is append-only (no UPDATE or DELETE anywhere), types are
/// plain TEXT/INTEGER/DATETIME and the criteria are a JSON text column, so the same DDL and the two
/// statements port to PostgreSQL unchanged apart from the key type.
extension SQLiteStore {
    static func migrateDecisions(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE decision (
                batch_id TEXT NOT NULL REFERENCES batch(id),
                scan TEXT NOT NULL,
                image TEXT NOT NULL,
                reading INTEGER NOT NULL CHECK (reading IN (1, 2)),
                version INTEGER NOT NULL,
                reviewer TEXT NOT NULL REFERENCES account(name),
                decided_at DATETIME NOT NULL,
                criteria TEXT NOT NULL,
                score INTEGER,
                verdict TEXT NOT NULL CHECK (verdict IN ('accept', 'accept-remark', 'reject')),
                reasons TEXT NOT NULL,
                comment TEXT NOT NULL,
                previous_verdict TEXT,
                previous_score INTEGER,
                PRIMARY KEY (batch_id, scan, image, reading, version)
            );
            """)
    }

    package func appendDecision(_ decision: Decision) async throws -> Decision {
        let criteria = try DecisionStorage.criteriaText(decision.criteria)
        return try await pool.write { db in
            let latest = try Row.fetchOne(db, sql: """
                SELECT version, verdict, score FROM decision WHERE batch_id = ? AND scan = ? AND image = ? AND reading = ?
                ORDER BY version DESC LIMIT 1
                """, arguments: [decision.batchID, decision.scan, decision.image, decision.reading])
            let stored = DecisionStorage.next(decision, after: latest.map {
                DecisionStorage.Latest(version: $0["version"], verdict: $0["verdict"], score: $0["score"])
            })
            try db.execute(sql: """
                INSERT INTO decision (batch_id, scan, image, reading, version, reviewer, decided_at, criteria, score, verdict,
                reasons, comment, previous_verdict, previous_score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [stored.batchID, stored.scan, stored.image, stored.reading, stored.version, stored.reviewer,
                                 stored.decidedAt, criteria, stored.score, stored.verdict.rawValue,
                                 DecisionStorage.reasonsText(stored.reasons), stored.comment, stored.previousVerdict?.rawValue,
                                 stored.previousScore])
            return stored
        }
    }

    package func decisions(batchID: String?) async throws -> [Decision] {
        try await pool.read { db in
            let order = " ORDER BY decided_at, batch_id, scan, image, reading, version"
            let rows = if let batchID {
                try Row.fetchAll(db, sql: "SELECT * FROM decision WHERE batch_id = ?" + order, arguments: [batchID])
            } else {
                try Row.fetchAll(db, sql: "SELECT * FROM decision" + order)
            }
            return try rows.map(Self.decision)
        }
    }

    static func decision(_ row: Row) throws -> Decision {
        try DecisionStorage.decision(batchID: row["batch_id"], scan: row["scan"], image: row["image"], reading: row["reading"],
                                     version: row["version"], reviewer: row["reviewer"], decidedAt: row["decided_at"],
                                     criteria: row["criteria"], score: row["score"], verdict: row["verdict"], reasons: row["reasons"],
                                     comment: row["comment"], previousVerdict: row["previous_verdict"], previousScore: row["previous_score"])
    }
}
