import Foundation

/// Collects per-frame outcomes by index and tells the caller when a scan's last frame is in.
///
/// Shared by every executor so that what a scan receives (outcomes in scan order) cannot depend on
/// the order frames finish in. Thread-safe: workers call it concurrently.
// @unchecked: every mutable field is read and written only under `lock` (checked by `make test-tsan`).
final class RunCollector<Processor: ScanProcessor>: @unchecked Sendable {
    private let lock = NSLock()
    private let scans: [ScanWork]
    private var pending: [[ImageOutcome<Processor.ImageResult>?]]
    private var remaining: [Int]
    private var status: [ScanStatus]
    private var failures: [(index: Int, failure: StageFailure)] = []
    private var timings: [ImageTiming]
    private var totals = StageTimings()
    private(set) var processed = 0
    private(set) var failureCount = 0

    /// Position in `scans` of each scan's batch index: executors may run a subset of the batch
    /// (`--resume`), so batch indices are not positions.
    private let position: [Int: Int]
    let totalImages: Int

    init(scans: [ScanWork]) {
        self.scans = scans
        position = Dictionary(uniqueKeysWithValues: scans.enumerated().map { ($1.index, $0) })
        // Outcome slots are allocated when a scan's first frame arrives and dropped when its last
        // one does, so only scans in progress hold results.
        pending = Array(repeating: [], count: scans.count)
        remaining = scans.map(\.items.count)
        status = Array(repeating: .notFinished, count: scans.count)
        let maxIndex = scans.lazy.flatMap(\.items).map(\.index).max() ?? -1
        timings = Array(repeating: ImageTiming(), count: maxIndex + 1)
        totalImages = scans.reduce(0) { $0 + $1.items.count }
    }

    /// Scans without images are complete from the start.
    var emptyScans: [ScanWork] { scans.filter { $0.items.isEmpty } }


    /// Stores one outcome; returns the scan and its outcomes (in scan order) when this was its last frame.
    func record(_ item: ImageWorkItem, outcome: ImageOutcome<Processor.ImageResult>,
                timings itemTimings: StageTimings) -> (ScanWork, [ImageOutcome<Processor.ImageResult>])? {
        lock.lock()
        defer { lock.unlock() }
        let p = position[item.scanIndex]!
        if pending[p].isEmpty { pending[p] = Array(repeating: nil, count: scans[p].items.count) }
        pending[p][item.indexInScan] = outcome
        timings[item.index] = ImageTiming(itemTimings)
        totals.add(itemTimings)
        processed += 1
        if let failure = outcome.failure {
            failures.append((item.index, failure))
            failureCount += 1
        }
        remaining[p] -= 1
        guard remaining[p] == 0 else { return nil }
        // Hand the outcomes over and drop them here, so finished scans hold no memory.
        let outcomes = pending[p].map { $0! }
        pending[p] = []
        return (scans[p], outcomes)
    }

    func finished(_ scan: ScanWork, writeFailure: StageFailure?, timings scanTimings: StageTimings) {
        lock.lock()
        defer { lock.unlock() }
        status[position[scan.index]!] = writeFailure.map { .writeFailed($0) } ?? .written
        totals.add(scanTimings)
    }

    func snapshot() -> (done: Int, failures: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (processed, failureCount)
    }

    func result(wallNanoseconds: UInt64, cancelled: Bool) -> PipelineRun {
        lock.lock()
        defer { lock.unlock() }
        return PipelineRun(scanStatus: status, imageFailures: failures.sorted { $0.index < $1.index },
                           imageTimings: timings, imagesProcessed: processed, stageTotals: totals,
                           wallNanoseconds: wallNanoseconds, cancelled: cancelled)
    }
}

extension Pipeline {
    /// One frame, start to finish, including the scan's completion when it was the last frame.
    func run(_ item: ImageWorkItem, collector: RunCollector<Processor>) {
        let (outcome, timings) = processItem(item)
        if let (scan, outcomes) = collector.record(item, outcome: outcome, timings: timings) {
            complete(scan, outcomes: outcomes, collector: collector)
        }
    }

    func complete(_ scan: ScanWork, outcomes: [ImageOutcome<Processor.ImageResult>], collector: RunCollector<Processor>) {
        var timings = StageTimings()
        let failure = completeScan(scan, outcomes: outcomes, timings: &timings)
        collector.finished(scan, writeFailure: failure, timings: timings)
    }
}
