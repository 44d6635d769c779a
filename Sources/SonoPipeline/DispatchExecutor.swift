import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs frames concurrently on Dispatch (batch work that is not frames, such as reading the reports
/// back, goes through SonoCore's `orderedParallelMap`).
///
/// Model (libvips' threadpool, NIO's rule for blocking work):
/// - The calling thread is the producer: it walks the batch in input order and, before handing a
///   frame out, waits on a semaphore holding `maxFramesInFlight` slots. Memory therefore stays
///   bounded by that many encoded + decoded frames whatever the batch size.
/// - Each frame (read, decode, process) runs on a dedicated concurrent queue, never on the main
///   queue or Swift's cooperative pool, since reads and C decodes block. The semaphore also caps
///   how many such blocks run at once, so the queue behaves as a pool of `workers` threads.
/// - Outcomes are stored by index (``RunCollector``), so reports do not depend on scheduling; the
///   worker that completes a scan's last frame builds and writes that scan's result at once.
/// - Cancellation is checked before each frame is handed out (also while waiting for a free slot);
///   frames already handed out (at most `maxFramesInFlight`) get ``cancelGraceMilliseconds`` to
///   finish. A frame still running after that (a huge decode, a slow disk) is abandoned: `run`
///   returns, its scan is reported as not finished, and the process can exit within about a
///   second of SIGINT instead of waiting for it. An abandoned frame that completes later may
///   still write its scan's report; such a report is complete and consistent (written atomically),
///   and `--resume` reuses it only when it matches the inputs.
/// - Progress snapshots are delivered on one serial queue by a timer.
package struct DispatchExecutor: PipelineExecutor {
    package var workers: Int
    package var maxFramesInFlight: Int
    package var progressIntervalMilliseconds: Int
    /// How long frames in flight may run on after cancellation before `run` returns without them.
    package var cancelGraceMilliseconds: Int

    package init(workers: Int, maxFramesInFlight: Int? = nil, progressIntervalMilliseconds: Int = 200,
                cancelGraceMilliseconds: Int = 700) {
        self.workers = max(1, workers)
        self.maxFramesInFlight = max(1, maxFramesInFlight ?? workers)
        self.progressIntervalMilliseconds = progressIntervalMilliseconds
        self.cancelGraceMilliseconds = cancelGraceMilliseconds
    }

    package func run<P: ScanProcessor>(_ pipeline: Pipeline<P>, scans: [ScanWork], control: RunControl) -> PipelineRun {
        let start = Clock.monotonicNanoseconds()
        let collector = RunCollector<P>(scans: scans)
        let frames = DispatchQueue(label: "sonoqc.pipeline.frames", qos: .userInitiated, attributes: .concurrent)
        let slots = DispatchSemaphore(value: min(workers, maxFramesInFlight))
        let group = DispatchGroup()

        let progressQueue = DispatchQueue(label: "sonoqc.pipeline.progress")
        var timer: (any DispatchSourceTimer)?
        if control.wantsProgress {
            let source = DispatchSource.makeTimerSource(queue: progressQueue)
            let interval = DispatchTimeInterval.milliseconds(progressIntervalMilliseconds)
            source.schedule(deadline: .now() + interval, repeating: interval)
            let total = collector.totalImages
            source.setEventHandler {
                let (done, failures) = collector.snapshot()
                control.report(PipelineProgress(
                    imagesDone: done, imagesTotal: total, failures: failures,
                    elapsedSeconds: Double(Clock.monotonicNanoseconds() &- start) / 1e9))
            }
            source.resume()
            timer = source
        }

        for scan in collector.emptyScans {
            pipeline.complete(scan, outcomes: [], collector: collector)
        }
        outer: for scan in scans {
            for item in scan.items {
                if control.isCancelled { break outer }
                // Polled, so a cancellation while every slot is busy is seen at once.
                while slots.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
                    if control.isCancelled { break outer }
                }
                if control.isCancelled {
                    slots.signal()
                    break outer
                }
                group.enter()
                frames.async {
                    defer {
                        slots.signal()
                        group.leave()
                    }
                    // No cancellation check here: every frame handed out finishes, so a scan is
                    // complete exactly when its frames were all handed out, whatever the thread timing.
                    if control.perFrameDelayMicroseconds > 0 { usleep(control.perFrameDelayMicroseconds) }
                    pipeline.run(item, collector: collector)
                }
            }
        }
        var cancelSeen: UInt64? = nil
        while group.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
            guard control.isCancelled else { continue }
            let now = Clock.monotonicNanoseconds()
            if cancelSeen == nil { cancelSeen = now }
            if now &- cancelSeen! > UInt64(cancelGraceMilliseconds) * 1_000_000 { break }
        }

        if let timer {
            timer.cancel()
            // Drain the progress queue so no report arrives after `run` returns; then send the final one.
            progressQueue.sync {}
            let (done, failures) = collector.snapshot()
            control.report(PipelineProgress(
                imagesDone: done, imagesTotal: collector.totalImages, failures: failures,
                elapsedSeconds: Double(Clock.monotonicNanoseconds() &- start) / 1e9))
        }
        return collector.result(wallNanoseconds: Clock.monotonicNanoseconds() &- start, cancelled: control.isCancelled)
    }
}

/// Turns SIGINT/SIGTERM into ``RunControl/cancel(signal:)`` through Dispatch signal sources, so
/// the handler runs as ordinary code on a queue (no async-signal-safety constraints). The default
/// disposition is restored by ``stop()``; the command decides the exit status.
// @unchecked: `sources` is mutated only in `init` and `stop()`, which the owner calls on its own
// thread; the handlers that run on `queue` touch only the (thread-safe) RunControl.
package final class SignalCancellation: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let signals: [Int32]
    private let queue = DispatchQueue(label: "sonoqc.pipeline.signals")

    package init(signals: [Int32] = [SIGINT, SIGTERM], control: RunControl, onSignal: (@Sendable (Int32) -> Void)? = nil) {
        self.signals = signals
        for sig in signals {
            // The signal must be ignored for the process, or its default action (terminate) wins
            // before the source sees it.
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler {
                control.cancel(signal: sig)
                onSignal?(sig)
            }
            source.resume()
            sources.append(source)
        }
    }

    package func stop() {
        for source in sources { source.cancel() }
        sources.removeAll()
        for sig in signals { signal(sig, SIG_DFL) }
    }
}
