package import SonoCore

/// What a pipeline does with each decoded frame and with each finished scan.
///
/// The executor owns scheduling, reading and decoding; a processor owns everything after that
/// (filter → measure → check) and the per-scan result. `processImage` runs concurrently on worker
/// threads and must touch only its arguments; `finishScan` runs once per scan, on whichever worker
/// finished the scan's last frame, with outcomes in scan order.
package protocol ScanProcessor: Sendable {
    associatedtype ImageResult: Sendable
    associatedtype ScanResult: Sendable

    /// Stage charged for an error thrown by `processImage` that is not a ``StageError``.
    var defaultFailureStage: PipelineStage { get }

    /// Filters, measures and checks one frame, charging time to stages through `timings`.
    /// Throw ``StageError`` to attribute a failure to a specific stage.
    func processImage(_ item: ImageWorkItem, frame: Frame, timings: inout StageTimings) throws -> ImageResult

    /// Builds the scan's result from its images' outcomes (index `i` is `scan.items[i]`).
    func finishScan(_ scan: ScanWork, outcomes: [ImageOutcome<ImageResult>]) -> ScanResult
}

extension ScanProcessor {
    package var defaultFailureStage: PipelineStage { .check }
}
