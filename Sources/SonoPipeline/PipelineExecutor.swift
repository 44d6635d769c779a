import Foundation
package import SonoCore

/// Runs a ``Pipeline`` over a batch. Implementations differ only in scheduling: the output must be
/// the same whichever executor and worker count is used (a test asserts it).
package protocol PipelineExecutor: Sendable {
    /// Threads the executor runs frames on; work around the run (reading the scans' reports back
    /// for the batch files) uses as many.
    var workers: Int { get }
    func run<P: ScanProcessor>(_ pipeline: Pipeline<P>, scans: [ScanWork], control: RunControl) -> PipelineRun
}

/// The per-frame and per-scan work, free of any scheduling: executors call `processItem` for every
/// image and `completeScan` once a scan's outcomes are all in.
package struct Pipeline<Processor: ScanProcessor>: Sendable {
    package typealias Reader = @Sendable (String) throws -> [UInt8]
    /// Called with each finished scan's result, from a worker thread; persists it (the write stage).
    package typealias ScanSink = @Sendable (ScanWork, Processor.ScanResult) throws -> Void

    package var reader: Reader
    package var decoder: any FrameDecoder
    package var processor: Processor
    package var sink: ScanSink
    /// Classifies an error into a short kind for reports (e.g. `truncated`).
    package var failureKind: @Sendable (any Error) -> String

    package init(reader: @escaping Reader, decoder: any FrameDecoder, processor: Processor,
                failureKind: @escaping @Sendable (any Error) -> String = { _ in "error" },
                sink: @escaping ScanSink) {
        self.reader = reader
        self.decoder = decoder
        self.processor = processor
        self.failureKind = failureKind
        self.sink = sink
    }

    /// Reads, decodes and processes one image; never throws: a failure becomes an outcome.
    package func processItem(_ item: ImageWorkItem) -> (ImageOutcome<Processor.ImageResult>, StageTimings) {
        var timings = StageTimings()
        let bytes: [UInt8]
        do {
            bytes = try timings.measure(.read) { try reader(item.filePath) }
        } catch {
            return (.failure(failure(error, stage: .read)), timings)
        }
        let frame: Frame
        do {
            frame = try timings.measure(.decode) { try decoder.decode(bytes, source: item.path, frame: item.frameNumber) }
        } catch {
            return (.failure(failure(error, stage: .decode)), timings)
        }
        do {
            return (.success(try processor.processImage(item, frame: frame, timings: &timings)), timings)
        } catch let error as StageError {
            return (.failure(failure(error.underlying, stage: error.stage)), timings)
        } catch {
            return (.failure(failure(error, stage: processor.defaultFailureStage)), timings)
        }
    }

    /// Builds the scan result and hands it to the sink; returns the write failure, if any.
    package func completeScan(_ scan: ScanWork, outcomes: [ImageOutcome<Processor.ImageResult>],
                             timings: inout StageTimings) -> StageFailure? {
        let result = timings.measure(processor.defaultFailureStage) { processor.finishScan(scan, outcomes: outcomes) }
        do {
            try timings.measure(.write) { try sink(scan, result) }
            return nil
        } catch {
            return failure(error, stage: .write)
        }
    }

    func failure(_ error: any Error, stage: PipelineStage) -> StageFailure {
        let reason = (error as? any SonoError)?.summary ?? String(describing: error)
        return StageFailure(stage: stage, kind: failureKind(error), reason: reason)
    }
}

/// Cancellation and progress, shared between the caller, signal handlers and workers.
// @unchecked: the mutable fields (`cancelled`, `cancelledBySignal`) are read and written only under
// `lock`; the rest is immutable.
package final class RunControl: @unchecked Sendable {
    // A lock rather than atomics: it is touched a few times per frame, and NSLock works on every
    // platform the package builds for.
    private let lock = NSLock()
    private var cancelledBySignal: Int32?
    private var cancelled = false
    private let progressHandler: (@Sendable (PipelineProgress) -> Void)?
    /// Test-only: sleep this long before each frame, so a signal reliably arrives mid-run.
    package let perFrameDelayMicroseconds: UInt32

    package init(perFrameDelayMicroseconds: UInt32 = 0, progress: (@Sendable (PipelineProgress) -> Void)? = nil) {
        self.perFrameDelayMicroseconds = perFrameDelayMicroseconds
        self.progressHandler = progress
    }

    /// Stops the run from taking new frames; in-flight frames finish.
    package func cancel(signal: Int32? = nil) {
        lock.lock()
        cancelled = true
        if cancelledBySignal == nil { cancelledBySignal = signal }
        lock.unlock()
    }

    package var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    /// The signal that cancelled the run, if one did.
    package var cancellingSignal: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return cancelledBySignal
    }

    func report(_ progress: PipelineProgress) {
        progressHandler?(progress)
    }

    var wantsProgress: Bool { progressHandler != nil }
}

/// A progress snapshot, delivered on one serial queue (never concurrently).
package struct PipelineProgress: Sendable {
    package var imagesDone: Int
    package var imagesTotal: Int
    package var failures: Int
    package var elapsedSeconds: Double

    package var imagesPerSecond: Double { elapsedSeconds > 0 ? Double(imagesDone) / elapsedSeconds : 0 }
    package var etaSeconds: Double? {
        imagesPerSecond > 0 ? Double(imagesTotal - imagesDone) / imagesPerSecond : nil
    }
}

/// What happened to each scan in a run.
package enum ScanStatus: Sendable, Equatable {
    /// All frames processed and the result handed to the sink successfully.
    case written
    /// All frames processed but the sink failed.
    case writeFailed(StageFailure)
    /// The run was cancelled before the scan's last frame finished; no result was written.
    case notFinished
}

/// The outcome of ``PipelineExecutor/run(_:scans:control:)``: per-scan status and timing. The
/// results themselves went to the pipeline's sink.
package struct PipelineRun: Sendable {
    /// Status of each scan passed to `run`, in the order passed.
    package var scanStatus: [ScanStatus]
    /// Failed images as (batch index, failure), in batch order.
    package var imageFailures: [(index: Int, failure: StageFailure)]
    /// Per-image timings by batch index (zero when not processed); three integers per image so a
    /// 20,000-image batch costs well under a megabyte.
    package var imageTimings: [ImageTiming]
    /// Images whose frame was processed (successfully or not).
    package var imagesProcessed: Int
    /// Sum over workers of every stage's time.
    package var stageTotals: StageTimings
    package var wallNanoseconds: UInt64
    package var cancelled: Bool
}

/// Read and decode time of one image, and the time of everything after decoding.
package struct ImageTiming: Sendable, Equatable {
    package var readNanoseconds: UInt64 = 0
    package var decodeNanoseconds: UInt64 = 0
    package var processNanoseconds: UInt64 = 0

    package init() {}

    package init(_ timings: StageTimings) {
        readNanoseconds = timings.wallNanoseconds(.read)
        decodeNanoseconds = timings.wallNanoseconds(.decode)
        processNanoseconds = timings.totalWallNanoseconds &- readNanoseconds &- decodeNanoseconds
    }
}
