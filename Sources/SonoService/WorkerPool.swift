package import Foundation
package import Logging
import ServiceLifecycle
import SonoPipeline
import SonoAnalysis

/// Where the service keeps its files under the data directory.
package struct DataLayout: Sendable {
    package let root: String
    /// Blobs and published results: `root`, or a directory every host mounts (`serve --shared`,
    /// the scale-out), so any API process serves what any worker published.
    package let sharedRoot: String

    package init(root: String, sharedRoot: String? = nil) {
        self.root = root
        self.sharedRoot = sharedRoot ?? root
    }

    func path(_ relative: String) -> String { root == "." ? relative : root + "/" + relative }
    func sharedPath(_ relative: String) -> String { sharedRoot == "." ? relative : sharedRoot + "/" + relative }
    package var database: String { path(SQLiteStore.fileName) }
    package var blobs: String { sharedPath("blobs") }
    /// Per-job scratch: hard links to the batch's blobs under their names, and the analysis output.
    package var work: String { path("work") }
    /// Published analysis outputs, one directory per batch, renamed into place whole.
    package var results: String { sharedPath("results") }
    package func result(_ batchID: String) -> String { results + "/" + batchID }
    /// The DICOM scan-naming key of a batch split over workers: every scan job and the assembly
    /// must name a study alike, on whichever host they run. Beside the results, never in them.
    package func scanKey(_ batchID: String) -> String { sharedPath("scan-keys") + "/" + batchID }
}

/// Runs queued batches through ``BatchAnalysis/analyze(inputs:outputDirectory:workers:resume:measuresIntensity:qc:limits:control:logger:)``,
/// the same call as `sonoqc analyze`, `workers` at a time.
///
/// Exactly once: a job's output is written to `work/<id>/out`, fsynced, and renamed to
/// `results/<id>` before the store marks the job done. After a crash, a running job whose results
/// directory exists is marked done from its summary; any other is requeued and its scratch
/// deleted, so every batch ends with one complete, published output.
///
/// With a shared queue (``ScanQueue``, PostgreSQL) the work is split per scan and leased instead;
/// see DistributedWorker.swift.
///
/// Shutdown: no new job is claimed; running jobs get `shutdownGrace` to finish, then are cancelled
/// through their ``RunControl`` and requeued.
// @unchecked: the mutable fields (`stopping`, `active`) are read and written only under `lock`; the
// rest is immutable and Sendable (RunControl is itself lock-protected).
package final class WorkerPool: Service, @unchecked Sendable {
    let store: any ServiceStore
    let layout: DataLayout
    let workers: Int
    let threadsPerJob: Int
    let shutdownGrace: Duration
    let pollInterval: Duration
    let frameDelayMicroseconds: UInt32
    let logger: Logger
    /// This process's name in leases: host, pid and a random part, unique across restarts.
    let workerID: String
    /// Seconds a claim on a shared queue lasts without a heartbeat (renewed every third of it).
    let lease: TimeInterval
    let metrics: ServiceMetrics?
    /// A job that crashed the process this many times is marked failed instead of retried forever.
    static let maxAttempts = 5

    let lock = NSLock()
    private var stopping = false
    /// Running work by batch id (by batch id and scan position on a shared queue).
    var active: [String: RunControl] = [:]

    package init(store: any ServiceStore, layout: DataLayout, workers: Int, threadsPerJob: Int,
                shutdownGrace: Duration = .seconds(30), pollInterval: Duration = .milliseconds(200),
                frameDelayMicroseconds: UInt32 = 0, lease: TimeInterval = 30, metrics: ServiceMetrics? = nil,
                logger: Logger) {
        self.workerID = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UInt32.random(in: 0...UInt32.max))"
        self.lease = lease
        self.metrics = metrics
        self.frameDelayMicroseconds = frameDelayMicroseconds
        self.store = store
        self.layout = layout
        self.workers = max(1, workers)
        self.threadsPerJob = max(1, threadsPerJob)
        self.shutdownGrace = shutdownGrace
        self.pollInterval = pollInterval
        self.logger = logger
    }

    var isStopping: Bool { lock.withLock { stopping } }

    package func run() async throws {
        if store is any ScanQueue {
            // Other processes' work is theirs, or comes back when their leases expire; only this
            // process's scratch is ours to clear.
            try? FileManager.default.removeItem(atPath: layout.work)
        } else {
            try await recover()
        }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<workers {
                    group.addTask { await self.loop(worker: index) }
                }
                group.addTask { await self.enforceDeadline() }
            }
        } onGracefulShutdown: {
            self.lock.withLock { self.stopping = true }
            self.logger.info("shutdown: no new jobs; running jobs have \(self.shutdownGrace) to finish")
        }
    }

    /// Cancels jobs still running `shutdownGrace` after shutdown began, so they are requeued.
    private func enforceDeadline() async {
        while !isStopping && !Task.isCancelled { try? await Task.sleep(for: pollInterval) }
        let deadline = ContinuousClock.now + shutdownGrace
        while ContinuousClock.now < deadline {
            if lock.withLock({ active.isEmpty }) { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        let controls = lock.withLock { Array(active.values) }
        if !controls.isEmpty { logger.warning("shutdown deadline: cancelling \(controls.count) running job(s); they will be requeued") }
        for control in controls { control.cancel(signal: SIGTERM) }
    }

    /// Startup after a crash or kill: see the type's documentation.
    func recover() async throws {
        try? FileManager.default.removeItem(atPath: layout.work)
        for batch in try await store.runningJobs() {
            if let counts = Self.publishedCounts(layout.result(batch.id)) {
                logger.info("recovery: batch \(batch.id) was published before the stop; marking it done")
                try await store.finishJob(batchID: batch.id, outcome: counts, at: Date())
            } else if batch.attempts >= Self.maxAttempts {
                try await store.finishJob(batchID: batch.id, outcome: .failed(
                    reason: "the server stopped \(batch.attempts) times while analysing this batch"), at: Date())
            } else {
                logger.info("recovery: requeueing batch \(batch.id) (attempt \(batch.attempts) did not finish)")
                try await store.requeueJob(batchID: batch.id)
            }
        }
    }

    /// The outcome recorded in a published `summary.json`, or nil when there is none.
    static func publishedCounts(_ directory: String) -> JobOutcome? {
        guard let data = FileManager.default.contents(atPath: directory + "/summary.json"),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let counts = object["counts"] as? [String: Any],
              let images = counts["images"] as? Int, let analysed = counts["analysed"] as? Int,
              let failed = counts["failed"] as? Int
        else { return nil }
        return .done(imagesTotal: images, imagesAnalysed: analysed, failures: failed)
    }

    private func loop(worker: Int) async {
        if let queue = store as? any ScanQueue { return await distributedLoop(worker: worker, queue: queue) }
        while !isStopping && !Task.isCancelled {
            do {
                if let batch = try await store.claimJob(at: Date()) {
                    await process(batch)
                    continue
                }
            } catch {
                logger.error("worker \(worker): queue unavailable: \(error)")
            }
            try? await Task.sleep(for: pollInterval)
        }
    }

    func process(_ batch: Batch) async {
        let start = ContinuousClock.now
        let control = RunControl(perFrameDelayMicroseconds: frameDelayMicroseconds)
        lock.withLock { active[batch.id] = control }
        defer { lock.withLock { _ = active.removeValue(forKey: batch.id) } }
        let scratch = layout.work + "/" + batch.id
        do {
            let files = try await store.files(batchID: batch.id)
            let outcome = try await offload { try self.analyse(batch, files: files, scratch: scratch, control: control) }
            try? FileManager.default.removeItem(atPath: scratch)
            guard let outcome else {
                logger.info("batch \(batch.id) interrupted by shutdown; requeued")
                try await store.requeueJob(batchID: batch.id)
                return
            }
            try await store.finishJob(batchID: batch.id, outcome: outcome, at: Date())
            metrics?.recordJob(outcome, committedAt: batch.committedAt)
            logger.info("batch done", metadata: ["batch": "\(batch.id)", "seconds": "\((ContinuousClock.now - start).components.seconds)"])
        } catch {
            try? FileManager.default.removeItem(atPath: scratch)
            logger.error("batch \(batch.id) failed: \(error)")
            try? await store.finishJob(batchID: batch.id, outcome: .failed(reason: "\(error)"), at: Date())
            metrics?.recordJob(.failed(reason: "\(error)"), committedAt: batch.committedAt)
        }
    }

    /// Lays the blobs out under their names, runs the analysis, publishes. Nil when cancelled.
    private func analyse(_ batch: Batch, files: [BatchFile], scratch: String, control: RunControl) throws -> JobOutcome? {
        let fm = FileManager.default
        try? fm.removeItem(atPath: scratch)
        let input = try layOut(batch, files: files, scratch: scratch)
        let output = scratch + "/out"
        let summary = try BatchAnalysis.analyze(
            inputs: [input], outputDirectory: output, workers: threadsPerJob, qc: QCSettings(),
            control: control, logger: logger)
        if control.isCancelled || !summary.complete { return nil }
        metrics?.recordStages(summary.run.stageTotals, images: summary.run.imagesProcessed)
        // A previous attempt cannot have published (recovery would have marked it done).
        return try publish(output, batchID: batch.id, summary: summary)
    }

    /// Hard links (or copies) the batch's blobs under their names into `scratch/in/<batch name>`,
    /// the directory the analysis reads; the path, relative to the data directory, is the one
    /// the reports name, so every worker lays a batch out at the same place. Idempotent.
    func layOut(_ batch: Batch, files: [BatchFile], scratch: String) throws -> String {
        let fm = FileManager.default
        let input = scratch + "/in/" + UploadRules.directoryName(forBatch: batch.name)
        try fm.createDirectory(atPath: input, withIntermediateDirectories: true)
        let blobs = BlobStore(directory: layout.blobs)
        for file in files {
            // Names were checked to be single safe path components when the batch was created.
            let target = input + "/" + file.name
            if fm.fileExists(atPath: target) { continue }
            if link(blobs.path(of: file.sha256), target) != 0 {
                try fm.copyItem(atPath: blobs.path(of: file.sha256), toPath: target)
            }
        }
        return input
    }

    /// Makes `output` durable and renames it to `results/<batch>`, so the whole directory
    /// appears at once. When the target exists the rename fails and nothing is published twice.
    func publish(_ output: String, batchID: String, summary: AnalysisSummary) throws -> JobOutcome {
        try Durability.syncTree(output)
        try FileManager.default.createDirectory(atPath: layout.results, withIntermediateDirectories: true)
        guard rename(output, layout.result(batchID)) == 0 else {
            throw ServiceError.storage("cannot publish results of batch \(batchID): \(String(cString: strerror(errno)))")
        }
        try Durability.syncDirectory(layout.results)
        return .done(imagesTotal: summary.imagesTotal, imagesAnalysed: summary.imagesAnalysed, failures: summary.failures)
    }
}

/// Runs blocking work (analysis, fsync) on a Dispatch thread instead of a Swift concurrency thread.
func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try work() })
        }
    }
}
