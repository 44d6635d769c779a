import Benchmark
import BenchmarkImages
import SonoCore
import SonoFilters

/// One benchmark per kernel and backend on the 800×540 benchmark frame. Throughput is
/// reported as megapixels per second through the `scalingFactor`-free convention: each
/// iteration is one frame, so MP/s = 0.432 / (seconds per iteration).
let benchmarks: @Sendable () -> Void = {
    let frame = BenchmarkImages.frame()
    let image = frame.image
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .microseconds,
        warmupIterations: 3,
        maxDuration: .seconds(2),
        maxIterations: 2_000)

    for filterCase in FilterCases.all(for: image) {
        for backend in [FilterBackend.vector, .scalar] {
            let tag = backend == .vector ? "vector" : "scalar"
            // Scalar references of the wide kernels take up to a second per frame: cap them.
            let config = Benchmark.Configuration(maxDuration: backend == .vector ? .seconds(2) : .seconds(3),
                                                 maxIterations: backend == .vector ? 2_000 : 20)
            Benchmark("\(filterCase.name) \(tag) \(image.width)x\(image.height)", configuration: config) { benchmark in
                for _ in benchmark.scaledIterations {
                    blackHole(filterCase.run(backend))
                }
            }
        }
    }
}
