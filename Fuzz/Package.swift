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
    .product(name: "SonoChecks", package: "SonoQC"),
]

let package = Package(
    name: "SonoQCFuzz",
    dependencies: [.package(name: "SonoQC", path: "..")],
    targets: [
        .executableTarget(name: "FuzzPNG", dependencies: root),
        .executableTarget(name: "FuzzJPEG", dependencies: root),
        .executableTarget(name: "FuzzManifestJSON", dependencies: root),
        .executableTarget(name: "FuzzManifestCSV", dependencies: root),
        .executableTarget(name: "FuzzQCProfile", dependencies: root),
    ]
)
