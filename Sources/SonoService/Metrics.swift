import Foundation
import Hummingbird
import NIOCore
import Prometheus
import SonoPipeline

/// `/metrics` in Prometheus text format. Queue depth and jobs by state are read from the
/// store at scrape time, so every process of a deployment reports the same, global figures; stage
/// times, images and job durations are this process's own (scrape each worker for its share).
/// Only counts and durations: no batch ids, names or other patient-related labels.
package final class ServiceMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let store: any ServiceStore
    private let queueDepth: Gauge
    private let jobs: [String: Gauge]
    /// Per-scan work on a shared queue (nil for a single-process store, which has none).
    private let scanJobs: [String: Gauge]?
    private let stageCPU: [PipelineStage: Counter]
    private let stageWall: [PipelineStage: Counter]
    private let images: Counter
    private let jobDuration: DurationHistogram
    private let jobsFinished: [String: Counter]

    package init(store: any ServiceStore) {
        self.store = store
        queueDepth = registry.makeGauge(descriptor: Self.name("queue_depth", "", "Jobs waiting for a worker (all processes)."))
        var jobs: [String: Gauge] = [:]
        for state in ["queued", "running", "done", "failed"] {
            jobs[state] = registry.makeGauge(descriptor: Self.name("jobs", "", "Jobs by state (all processes)."),
                                             labels: [("state", state)])
        }
        self.jobs = jobs
        var scanJobs: [String: Gauge]? = nil
        if store is any ScanQueue {
            var gauges: [String: Gauge] = [:]
            for state in ["queued", "running", "done"] {
                gauges[state] = registry.makeGauge(descriptor: Self.name("scan_jobs", "", "Scan jobs by state (all processes)."),
                                                   labels: [("state", state)])
            }
            scanJobs = gauges
        }
        self.scanJobs = scanJobs
        var cpu: [PipelineStage: Counter] = [:], wall: [PipelineStage: Counter] = [:]
        for stage in PipelineStage.allCases {
            cpu[stage] = registry.makeCounter(descriptor: Self.name("stage_cpu_seconds", "total", "CPU time per analysis stage in this process's jobs."),
                                              labels: [("stage", stage.rawValue)])
            wall[stage] = registry.makeCounter(
                descriptor: Self.name("stage_wall_seconds", "total", "Wall time per analysis stage in this process's jobs, summed over threads."),
                labels: [("stage", stage.rawValue)])
        }
        stageCPU = cpu
        stageWall = wall
        images = registry.makeCounter(descriptor: Self.name("images_processed", "total", "Frames analysed by this process."))
        jobDuration = registry.makeDurationHistogram(
            descriptor: Self.name("job_duration", "seconds", "Commit-to-finish time of the batches this process finished."),
            buckets: [.seconds(1), .seconds(5), .seconds(15), .seconds(60), .seconds(300), .seconds(1200)])
        var finished: [String: Counter] = [:]
        for outcome in ["done", "failed"] {
            finished[outcome] = registry.makeCounter(descriptor: Self.name("jobs_finished", "total", "Jobs this process finished, by outcome."),
                                                     labels: [("outcome", outcome)])
        }
        jobsFinished = finished
    }

    /// `sonoqc_<metric>_<unit>`.
    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "sonoqc", metricName: metric, unitName: unit, helpText: help)
    }

    func recordStages(_ timings: StageTimings, images processed: Int) {
        for stage in PipelineStage.allCases {
            stageCPU[stage]?.increment(by: Double(timings.cpuNanoseconds(stage)) / 1e9)
            stageWall[stage]?.increment(by: Double(timings.wallNanoseconds(stage)) / 1e9)
        }
        images.increment(by: Int64(processed))
    }

    /// A batch finished by this process; its duration runs from the upload's commit, so it
    /// includes the time queued (what a unit waits for its reports).
    func recordJob(_ outcome: JobOutcome, committedAt: Date?) {
        jobsFinished[outcome.jobState]?.increment()
        if let committedAt { jobDuration.record(.milliseconds(Int64(max(0, Date().timeIntervalSince(committedAt)) * 1000))) }
    }

    /// The exposition text, with the store-wide gauges refreshed first.
    package func render() async throws -> String {
        let counts = try await store.jobCounts()
        queueDepth.set(Double(counts["queued"] ?? 0))
        for (state, gauge) in jobs { gauge.set(Double(counts[state] ?? 0)) }
        if let scanJobs, let queue = store as? any ScanQueue {
            let scans = try await queue.scanJobCounts()
            for (state, gauge) in scanJobs { gauge.set(Double(scans[state] ?? 0)) }
        }
        return registry.emitToString()
    }

    /// `GET /metrics`: unauthenticated like /healthz (counts only); restrict it at the network or
    /// reverse proxy when the listener is not on a private address.
    func register(on router: Router<ServiceContext>, table: RouteTable) {
        RouteRegistrar(router: router, table: table).get("/metrics") { _, _ -> Response in
            let text = try await self.render()
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
