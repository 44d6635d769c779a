// swift-tools-version:5.4
// libFuzzer targets for SonoQC's parsers of untrusted bytes (issue 16).
//
// A separate package, because SwiftPM renames an executable's entry point from tools version 5.5
// on and a `-sanitize=fuzzer` executable then fails to link; 5.4 keeps libFuzzer's `main`
// (../shared/PLATFORM-NOTES.md, "Fuzzing Swift code with libFuzzer"). It depends on the root
// package by path, so the fuzzers always test the current sources. Build and run with
// `make fuzz TARGET=<name> SECONDS=<n>` from the repository root.
import PackageDescription

let root: [Target.Dependency] = [
    .product(name: "SonoCore", package: "SonoQC"),
    .product(name: "SonoCodecs", package: "SonoQC"),
    .product(name: "SonoInput", package: "SonoQC"),
]

let package = Package(
    name: "SonoQCFuzz",
    dependencies: [
        .package(name: "SonoQC", path: ".."),
        // Already a dependency of the root package (same URL and version); named here because
        // FuzzService builds Hummingbird requests.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        .executableTarget(name: "FuzzPNG", dependencies: root),
        .executableTarget(name: "FuzzJPEG", dependencies: root),
        .executableTarget(name: "FuzzManifestJSON", dependencies: root),
        .executableTarget(name: "FuzzManifestCSV", dependencies: root),
        .executableTarget(name: "FuzzQCProfile", dependencies: root),
        .executableTarget(name: "FuzzDICOM", dependencies: root),
        // The service's request parsing; `@testable` (the Makefile builds with -enable-testing)
        // reaches the internal request bodies and parsers without making them public API.
        .executableTarget(name: "FuzzService", dependencies: [
            .product(name: "SonoService", package: "SonoQC"),
            // The decision vocabulary (verdicts, criteria, score) lives in SonoReports.
            .product(name: "SonoReports", package: "SonoQC"),
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
    ]
)
