// swift-tools-version: 6.1
// Benchmarks live in their own package so the benchmark dependency never enters the main
// package graph (see PLATFORM-NOTES: it multiplies clean build time).
import PackageDescription

let package = Package(
    name: "SonoQCBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "SonoQC", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(
            name: "BenchmarkImages",
            dependencies: [
                .product(name: "SonoCore", package: "SonoQC"),
                .product(name: "SonoCodecs", package: "SonoQC"),
                .product(name: "SonoFilters", package: "SonoQC"),
            ]),
        .executableTarget(
            name: "SonoFiltersBenchmarks",
            dependencies: [
                "BenchmarkImages",
                .product(name: "SonoCore", package: "SonoQC"),
                .product(name: "SonoFilters", package: "SonoQC"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/SonoFiltersBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        // Times each kernel on a given image and prints JSON; Benchmarks/peers/compare.py runs it
        // beside OpenCV so both sides are measured in the same run on the same pixels.
        .executableTarget(
            name: "filter-timer",
            dependencies: [
                "BenchmarkImages",
                .product(name: "SonoCore", package: "SonoQC"),
                .product(name: "SonoFilters", package: "SonoQC"),
            ]),
    ]
)
