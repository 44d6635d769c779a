import Foundation
@testable import SonoPipeline
@testable import SonoService
import Testing

@Suite struct MetricsTests {
    /// The exposition names the queue, the jobs by state from the store, and this process's stage times.
    @Test func exposesQueueDepthJobsByStateAndStageTimes() async throws {
        let dir = NSTemporaryDirectory() + "sonoqc-metrics-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let store = try ReviewService.openStore(dataDirectory: dir)
        try await StoreContract.account(store, "u")
        for key in ["a", "b", "c"] {
            let b = try await store.findOrCreateBatch(StoreContract.batch(key), files: []).batch
            _ = try await store.commitBatch(id: b.id, at: Date().addingTimeInterval(-2))
        }
        let running = try #require(try await store.claimJob(at: Date()))
        let metrics = ServiceMetrics(store: store)
        var timings = StageTimings()
        timings.add(.decode, wallNanoseconds: 3_000_000_000, cpuNanoseconds: 2_500_000_000)
        metrics.recordStages(timings, images: 7)
        metrics.recordJob(.done(imagesTotal: 7, imagesAnalysed: 7, failures: 0), committedAt: running.committedAt)
        let text = try await metrics.render()
        let lines = Set(text.split(separator: "\n").map(String.init))
        #expect(lines.contains("sonoqc_queue_depth 2.0"))
        #expect(lines.contains(#"sonoqc_jobs{state="queued"} 2.0"#))
        #expect(lines.contains(#"sonoqc_jobs{state="running"} 1.0"#))
        #expect(lines.contains(#"sonoqc_jobs{state="done"} 0.0"#))
        #expect(lines.contains(#"sonoqc_stage_cpu_seconds_total{stage="decode"} 2.5"#))
        #expect(lines.contains(#"sonoqc_stage_wall_seconds_total{stage="decode"} 3.0"#))
        #expect(lines.contains("sonoqc_images_processed_total 7"))
        #expect(lines.contains(#"sonoqc_jobs_finished_total{outcome="done"} 1"#))
        #expect(lines.contains("sonoqc_job_duration_seconds_count 1"))
        #expect(lines.contains(#"sonoqc_job_duration_seconds_bucket{le="1.0"} 0"#), "committed two seconds ago")
        #expect(lines.contains("# HELP sonoqc_queue_depth Jobs waiting for a worker (all processes)."))
    }
}
