package import Foundation
package import SonoReports

/// Everything the service keeps besides file bytes. Handlers and workers see only this protocol, so
/// a second engine (PostgreSQL) is one more conformance; ``SQLiteStore`` is the embedded
/// default. Each method is one transaction.
package protocol ServiceStore: Sendable {
    // Accounts
    /// Fails with ``StoreError/conflict`` when the name exists (revoked names stay taken).
    func addAccount(_ account: Account) async throws
    func accounts() async throws -> [Account]
    /// The active (not revoked) account holding this key id.
    func activeAccount(keyID: String) async throws -> Account?
    func activeAccount(name: String) async throws -> Account?
    /// False when no active account has that name.
    func revokeAccount(name: String, at: Date) async throws -> Bool
    /// Stores the account's page language (nil: follow Accept-Language). False when no active
    /// account has that name.
    func setLanguage(_ language: String?, accountName: String) async throws -> Bool

    // Browser sessions
    func addSession(_ session: Session) async throws
    func session(idHash: String, now: Date) async throws -> Session?
    func deleteSession(idHash: String) async throws

    // Batches
    /// The unit's batch with this content key, or a new one in state `uploading` with these files.
    /// `created` says which, so a repeated upload never makes a second batch.
    func findOrCreateBatch(_ batch: Batch, files: [BatchFile]) async throws -> (batch: Batch, created: Bool)
    func batch(id: String) async throws -> Batch?
    /// Every batch when `unit` is nil; newest first.
    func batches(unit: String?) async throws -> [Batch]
    func files(batchID: String) async throws -> [BatchFile]
    /// `uploading` → `queued` plus a job row, atomically; a batch already committed is returned unchanged.
    func commitBatch(id: String, at: Date) async throws -> Batch

    // Job queue
    /// Takes the oldest queued job: state `running`, attempts + 1. Nil when the queue is empty.
    func claimJob(at: Date) async throws -> Batch?
    func finishJob(batchID: String, outcome: JobOutcome, at: Date) async throws
    /// `running` → `queued` (shutdown deadline passed, or recovery after a crash).
    func requeueJob(batchID: String) async throws
    func runningJobs() async throws -> [Batch]
    func queueDepth() async throws -> Int

    // Review decisions: append-only, so two portable statements suffice.
    /// Inserts the next version of the decision's key (batch, scan, image, reading) in one
    /// transaction, filling `version` and the previous verdict and score; returns the stored row.
    func appendDecision(_ decision: Decision) async throws -> Decision
    /// Every version, oldest first; of every batch when `batchID` is nil.
    func decisions(batchID: String?) async throws -> [Decision]

    /// A trivial query, for /readyz.
    func ping() async throws

    /// Jobs per state (`queued`, `running`, `done`, `failed`), for /metrics.
    func jobCounts() async throws -> [String: Int]
}

package enum StoreError: Error, Equatable, CustomStringConvertible {
    case conflict(String)
    case notFound(String)
    case invalidState(String)

    package var description: String {
        switch self {
        case .conflict(let s): "conflict: \(s)"
        case .notFound(let s): "not found: \(s)"
        case .invalidState(let s): "invalid state: \(s)"
        }
    }
}
