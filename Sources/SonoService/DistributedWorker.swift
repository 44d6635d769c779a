import Foundation
import Logging
import SonoAnalysis
import SonoPipeline

/// The worker loop over a shared queue: batches split per scan, so one large batch
/// spreads over every worker process on every host.
///
/// - plan: the batch's blobs are laid out and discovered exactly as `sonoqc analyze` discovers a
///   directory; its scans become scan jobs.
/// - scan: `BatchAnalysis.analyze` restricted to that scan writes the scan's report files; each
///   is stored as a content-addressed blob (fsynced) and the list is recorded with the scan job's
///   completion in one transaction, only while this worker holds the lease. A worker that dies
///   before that commit leaves nothing recorded (its blobs, if any, are the same bytes the retry
///   writes); a late worker whose lease was taken records nothing.
/// - assemble: the recorded files are put back in place and `BatchAnalysis.analyze` runs again
///   with `resume` over the whole batch: every scan is found reported, and the batch files
///   (`summary.json`, `summary.csv`, `images.jsonl`, `index.html`) are written by the very code
///   that writes them for `sonoqc analyze`. The output is published by rename, as on one host.
///
/// Each item holds a lease that a heartbeat renews; a worker that loses it stops the item.
extension WorkerPool {
    func distributedLoop(worker: Int, queue: any ScanQueue) async {
        while !isStopping && !Task.isCancelled {
            do {
                if let item = try await queue.claimWork(worker: workerID, lease: lease, at: Date()) {
                    await perform(item, queue: queue)
                    continue
                }
            } catch {
                logger.error("worker \(worker): queue unavailable: \(error)")
            }
            try? await Task.sleep(for: pollInterval)
        }
    }

    private static func activeKey(_ item: ScanWorkItem) -> String {
        if case let .scan(batch, position, _) = item { return batch.id + "#\(position)" }
        return item.batch.id
    }

    func perform(_ item: ScanWorkItem, queue: any ScanQueue) async {
        let batch = item.batch
        let control = RunControl(perFrameDelayMicroseconds: frameDelayMicroseconds)
        let key = Self.activeKey(item)
        // Reports name inputs by their path relative to the data directory, so every item of a
        // batch reads `work/<batch>/in/…`; items of one batch in this process share it, and the
        // last one to finish removes it.
        let scratch = layout.work + "/" + batch.id
        lock.withLock { active[key] = control }
        defer {
            lock.withLock {
                active.removeValue(forKey: key)
                if !active.keys.contains(where: { $0 == batch.id || $0.hasPrefix(batch.id + "#") }) {
                    try? FileManager.default.removeItem(atPath: scratch)
                }
            }
        }
        let heartbeat = Task { await self.heartbeat(item, queue: queue, control: control) }
        do {
            let recorded: Bool
            switch item {
            case .plan:
                let input = try layOut(batch, files: try await queue.files(batchID: batch.id), scratch: scratch)
                let plan = InputDiscovery().plan(inputs: [input])
                recorded = try await queue.fanOut(batchID: batch.id, scanKeys: plan.scans.map(\.key), worker: workerID)
                if recorded { logger.info("batch \(batch.id): \(plan.scans.count) scan job(s)") }
            case let .scan(_, position, scanKey):
                guard let outputs = try await analyseScan(batch, position: position, key: scanKey, queue: queue,
                                                          scratch: scratch, control: control)
                else { return await stopped(item, queue: queue, heartbeat: heartbeat) }
                recorded = try await queue.finishScan(batchID: batch.id, position: position, outputs: outputs, worker: workerID)
            case .assemble:
                guard let outcome = try await assemble(batch, queue: queue, scratch: scratch, control: control) else {
                    return await stopped(item, queue: queue, heartbeat: heartbeat)
                }
                try await queue.finishJob(batchID: batch.id, outcome: outcome, at: Date())
                metrics?.recordJob(outcome, committedAt: batch.committedAt)
                logger.info("batch done", metadata: ["batch": "\(batch.id)"])
                recorded = true
            }
            heartbeat.cancel()
            if !recorded { logger.warning("batch \(batch.id): lease lost to another worker; its work stands") }
        } catch {
            heartbeat.cancel()
            logger.error("batch \(batch.id) failed: \(error)")
            try? await queue.finishJob(batchID: batch.id, outcome: .failed(reason: "\(error)"), at: Date())
            metrics?.recordJob(.failed(reason: "\(error)"), committedAt: batch.committedAt)
        }
    }

    /// Cancelled: by shutdown (give the item back now) or by a lost lease (it is someone else's).
    private func stopped(_ item: ScanWorkItem, queue: any ScanQueue, heartbeat: Task<LeaseState, Never>) async {
        heartbeat.cancel()
        if await heartbeat.value == .lost {
            logger.warning("batch \(item.batch.id): lease lost to another worker; leaving the work to it")
        } else {
            logger.info("batch \(item.batch.id): interrupted by shutdown; released")
            try? await queue.release(item, worker: workerID)
        }
    }

    /// Analyses one scan; returns its files, stored as blobs. Nil when cancelled.
    private func analyseScan(_ batch: Batch, position: Int, key: String, queue: any ScanQueue, scratch: String,
                             control: RunControl) async throws -> [ScanOutput]? {
        let input = try layOut(batch, files: try await queue.files(batchID: batch.id), scratch: scratch)
        let output = scratch + "/scan-\(position)"
        defer { try? FileManager.default.removeItem(atPath: output) }
        return try await offload { () throws -> [ScanOutput]? in
            try? FileManager.default.removeItem(atPath: output)
            let summary = try BatchAnalysis.analyze(
                inputs: [input], outputDirectory: output, workers: self.threadsPerJob, qc: QCSettings(),
                onlyScans: [key], scanKeyPath: try self.batchScanKeyPath(batch), control: control, logger: self.logger)
            if control.isCancelled || !summary.complete { return nil }
            self.metrics?.recordStages(summary.run.stageTotals, images: summary.run.imagesProcessed)
            // Everything under scans/ is this scan's (only it ran); the batch files are not kept.
            let blobs = BlobStore(directory: self.layout.blobs)
            var outputs: [ScanOutput] = []
            guard let walker = FileManager.default.enumerator(atPath: output + "/scans") else {
                throw ServiceError.storage("scan \(key) of batch \(batch.id) wrote no reports")
            }
            for case let relative as String in walker {
                let path = output + "/scans/" + relative
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw ServiceError.storage("cannot read \(path)")
                }
                let digest = Secrets.sha256Hex(data)
                try blobs.put(data, sha256: digest)
                outputs.append(ScanOutput(path: "scans/" + relative, sha256: digest, size: Int64(data.count)))
            }
            return outputs.sorted { $0.path < $1.path }
        }
    }

    /// The batch's DICOM scan-naming key, in the shared directory (see ``DataLayout/scanKey(_:)``).
    private func batchScanKeyPath(_ batch: Batch) throws -> String {
        let path = layout.scanKey(batch.id)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        return path
    }

    /// Puts every scan's recorded files in place, writes the batch files with a `resume` run and
    /// publishes. Nil when cancelled.
    private func assemble(_ batch: Batch, queue: any ScanQueue, scratch: String, control: RunControl) async throws -> JobOutcome? {
        let published = layout.result(batch.id)
        // Published by a worker that died before recording it: the published output stands.
        if let counts = Self.publishedCounts(published) { return counts }
        let input = try layOut(batch, files: try await queue.files(batchID: batch.id), scratch: scratch)
        let outputs = try await queue.scanOutputs(batchID: batch.id)
        let output = scratch + "/out"
        return try await offload { () throws -> JobOutcome? in
            let fm = FileManager.default
            try? fm.removeItem(atPath: output)
            let blobs = BlobStore(directory: self.layout.blobs)
            for file in outputs {
                let target = output + "/" + file.path
                try fm.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                // A copy, not a link: the published directory must not share inodes with blobs.
                try fm.copyItem(atPath: blobs.path(of: file.sha256), toPath: target)
            }
            let summary = try BatchAnalysis.analyze(
                inputs: [input], outputDirectory: output, workers: self.threadsPerJob, resume: true, qc: QCSettings(),
                scanKeyPath: try self.batchScanKeyPath(batch), control: control, logger: self.logger)
            if control.isCancelled || !summary.complete { return nil }
            if summary.run.imagesProcessed > 0 {
                self.logger.warning("batch \(batch.id): \(summary.run.imagesProcessed) image(s) re-analysed at assembly (a scan's recorded reports did not match)")
            }
            do {
                return try self.publish(output, batchID: batch.id, summary: summary)
            } catch {
                // Another worker (whose lease had expired) published first: analysis is
                // deterministic, so its output is the same bytes and stands.
                if let counts = Self.publishedCounts(published) { return counts }
                throw error
            }
        }
    }

    /// Renews the item's lease every third of its length until cancelled. When another worker
    /// holds the item now, cancels the analysis and answers `lost`.
    func heartbeat(_ item: ScanWorkItem, queue: any ScanQueue, control: RunControl) async -> LeaseState {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(Int(lease * 1000 / 3)))
            if Task.isCancelled { break }
            do {
                if try await !queue.renewLease(item, worker: workerID, lease: lease) {
                    control.cancel(signal: SIGTERM)
                    return .lost
                }
            } catch {
                if Task.isCancelled { break }  // the item ended during the renewal
                // The database may be back before the lease ends; if not, another worker takes the item.
                logger.warning("batch \(item.batch.id): lease renewal failed: \(error)")
            }
        }
        return .held
    }
}

enum LeaseState: Sendable { case held, lost }
