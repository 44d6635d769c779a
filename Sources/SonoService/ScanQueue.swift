package import Foundation

/// One unit of work from a queue that splits batches into scans, so one large batch
/// spreads over every worker of a deployment.
package enum ScanWorkItem: Sendable, Equatable {
    /// Lay the batch's files out, discover its scans, turn them into scan jobs.
    case plan(Batch)
    /// Analyse one scan of the batch (`position` in discovery order, `key` its report folder).
    case scan(Batch, position: Int, key: String)
    /// Every scan is reported: write the batch files from the scans' reports, publish the batch.
    case assemble(Batch)

    package var batch: Batch {
        switch self {
        case .plan(let b), .scan(let b, _, _), .assemble(let b): b
        }
    }
}

/// A file a scan job produced: its path under the batch's output directory and its blob.
package struct ScanOutput: Sendable, Equatable {
    package var path: String
    package var sha256: String
    package var size: Int64

    package init(path: String, sha256: String, size: Int64) {
        self.path = path
        self.sha256 = sha256
        self.size = size
    }
}

/// A job queue that several processes on several hosts share (``PostgresStore``). Every claim is
/// a lease in the worker's name that the worker renews; an item whose lease expired (its worker
/// died) is claimed again. Every completion checks that the worker still holds the lease, in the
/// same transaction that records the work, so work is recorded once.
package protocol ScanQueue: ServiceStore {
    /// The next item, oldest batch first, assemblies before scans before new batches (finishing
    /// started batches first). Nil when there is nothing to do.
    func claimWork(worker: String, lease: TimeInterval, at: Date) async throws -> ScanWorkItem?
    /// False when `worker` no longer holds the item (it expired and another worker took it).
    func renewLease(_ item: ScanWorkItem, worker: String, lease: TimeInterval) async throws -> Bool
    /// Gives a claimed item back at once (shutdown), instead of waiting for its lease to expire.
    func release(_ item: ScanWorkItem, worker: String) async throws
    /// A planned batch's scans become queued scan jobs (none: the batch goes straight to assembly).
    /// False, and nothing changed, when `worker` lost the lease.
    func fanOut(batchID: String, scanKeys: [String], worker: String) async throws -> Bool
    /// One transaction: the scan's output files recorded and its job done; the batch's last scan
    /// queues the assembly. False, and nothing recorded, when `worker` lost the lease.
    func finishScan(batchID: String, position: Int, outputs: [ScanOutput], worker: String) async throws -> Bool
    /// Every recorded scan output of the batch.
    func scanOutputs(batchID: String) async throws -> [ScanOutput]
    /// Scan jobs per state (`queued`, `running`, `done`), for /metrics: the queue's real depth.
    func scanJobCounts() async throws -> [String: Int]
}
