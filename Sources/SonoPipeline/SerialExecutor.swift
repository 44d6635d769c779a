/// Runs every frame on the calling thread, in batch order: the reference the concurrent executor
/// is tested against, and the simplest way to debug a processor.
package struct SerialExecutor: PipelineExecutor {
    package var workers: Int { 1 }

    package init() {}

    package func run<P: ScanProcessor>(_ pipeline: Pipeline<P>, scans: [ScanWork], control: RunControl) -> PipelineRun {
        let start = Clock.monotonicNanoseconds()
        let collector = RunCollector<P>(scans: scans)
        for scan in collector.emptyScans {
            pipeline.complete(scan, outcomes: [], collector: collector)
        }
        outer: for scan in scans {
            for item in scan.items {
                if control.isCancelled { break outer }
                if control.perFrameDelayMicroseconds > 0 { usleepPortable(control.perFrameDelayMicroseconds) }
                pipeline.run(item, collector: collector)
            }
        }
        return collector.result(wallNanoseconds: Clock.monotonicNanoseconds() &- start, cancelled: control.isCancelled)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func usleepPortable(_ microseconds: UInt32) {
    _ = usleep(microseconds)
}
