// Times every FilterCase on one image and prints a JSON list of
// {"kernel", "backend", "seconds_per_frame", "mpix_s"} to stdout.
// Usage: filter-timer [--image PATH] [--backend vector|scalar|both] [--min-seconds S] [--kernel NAME]...
import BenchmarkImages
import SonoCore
import SonoFilters

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func writeError(_ message: String) {
    let line = message + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
}

func runTimer() -> Int32 {
    var imagePath: String?
    var backends: [FilterBackend] = [.vector]
    var minSeconds = 0.5
    var kernels: Set<String> = []
    var arguments = CommandLine.arguments.dropFirst()
    while let argument = arguments.popFirst() {
        switch argument {
        case "--image": imagePath = arguments.popFirst()
        case "--backend":
            switch arguments.popFirst() {
            case "vector": backends = [.vector]
            case "scalar": backends = [.scalar]
            case "both": backends = [.vector, .scalar]
            default: writeError("--backend takes vector, scalar or both"); return 2
            }
        case "--min-seconds": minSeconds = Double(arguments.popFirst() ?? "") ?? minSeconds
        case "--kernel": if let k = arguments.popFirst() { kernels.insert(k) }
        default: writeError("unknown argument \(argument)"); return 2
        }
    }
    let image: GrayImage
    if let imagePath {
        guard let loaded = BenchmarkImages.load(path: imagePath) else { writeError("cannot read \(imagePath)"); return 1 }
        image = loaded
    } else {
        image = BenchmarkImages.frame().image
    }
    let megapixels = Double(image.pixelCount) / 1e6
    var rows: [String] = []
    for filterCase in FilterCases.all(for: image) where kernels.isEmpty || kernels.contains(filterCase.name) {
        for backend in backends {
            var sink = filterCase.run(backend)  // warm-up: page in buffers, cache the kernel
            var times: [Double] = []
            let start = monotonicSeconds()
            while times.count < 3 || (monotonicSeconds() - start < minSeconds && times.count < 5_000) {
                let t0 = monotonicSeconds()
                sink &+= filterCase.run(backend)
                times.append(monotonicSeconds() - t0)
            }
            times.sort()
            let median = times[times.count / 2]
            let name = backend == .vector ? "vector" : "scalar"
            rows.append("""
              {"kernel": "\(filterCase.name)", "backend": "\(name)", "integer": \(filterCase.isInteger), \
            "seconds_per_frame": \(median), "mpix_s": \(megapixels / median), "iterations": \(times.count), "sink": \(sink)}
            """)
        }
    }
    print("[\n" + rows.joined(separator: ",\n") + "\n]")
    return 0
}

exit(runTimer())
