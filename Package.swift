// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    // An import is internal unless marked: a module's public/package API names its dependencies.
    .enableUpcomingFeature("InternalImportsByDefault"),
    // A file sees another module's extension members only if it imports that module itself.
    .enableUpcomingFeature("MemberImportVisibility"),
]

// Swift's `squareRoot()` goes through C's `sqrt`, which may set errno, so LLVM keeps it scalar (a
// `sqrtsd` per value, with a libm call on negatives) in loops it would otherwise vectorise. The
// kernels never read errno; without it `sqrt` is the correctly rounded instruction either way, so
// results are unchanged.
let kernelFlags: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-fno-math-errno"])]

// The hot kernels are compiled three times (see Sources/SonoKernels/Kernels.swift): baseline,
// x86-64-v3 and x86-64-v4. On other architectures the variant modules are built without CPU flags
// and never selected.
#if arch(x86_64)
let v3Flags: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
let v4Flags: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "skylake-avx512"])]
#else
let v3Flags: [SwiftSetting] = []
let v4Flags: [SwiftSetting] = []
#endif

let package = Package(
    name: "SonoQC",
    platforms: [.macOS(.v14)],
    // Library products are what another package may import: Fuzz/ and Benchmarks/ (which depend on
    // this package by path) and library users. The other modules cross module boundaries only with
    // `package` access.
    products: [
        .executable(name: "sonoqc", targets: ["sonoqc"]),
        .library(name: "SonoCore", targets: ["SonoCore"]),
        .library(name: "SonoCodecs", targets: ["SonoCodecs"]),
        .library(name: "SonoFilters", targets: ["SonoFilters"]),
        .library(name: "SonoInput", targets: ["SonoInput"]),
        .library(name: "SonoReports", targets: ["SonoReports"]),
        .library(name: "SonoService", targets: ["SonoService"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // The review service (`sonoqc serve`, issue 11): HTTP server, embedded SQLite store, SHA-256.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // Scale-out (issue 18): PostgreSQL as the shared store and queue, /metrics in Prometheus format.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .target(name: "SonoCore", dependencies: [.product(name: "Crypto", package: "swift-crypto")], swiftSettings: strict),
        .target(
            name: "SonoL10n",
            resources: [.embedInCode("Resources/en.json"), .embedInCode("Resources/zh-CN.json")],
            swiftSettings: strict),
        .systemLibrary(
            name: "CLibPNG", pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
        .systemLibrary(
            name: "CLibJPEG", pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg-dev"]), .brew(["jpeg-turbo"])]),
        .target(
            name: "CCodecShims", dependencies: ["CLibJPEG", "CLibPNG"],
            linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png16")]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .systemLibrary(name: "CLibDeflate", providers: [.apt(["libdeflate-dev"]), .brew(["libdeflate"])]),
        .systemLibrary(
            name: "COpenJPEG", pkgConfig: "libopenjp2",
            providers: [.apt(["libopenjp2-7-dev"]), .brew(["openjpeg"])]),
        .target(
            name: "CJPEG2000Shim", dependencies: ["COpenJPEG"],
            linkerSettings: [.linkedLibrary("openjp2")]),
        .target(
            name: "SonoCodecs", dependencies: ["SonoCore", "CLibPNG", "CCodecShims", "CZlib", "CLibDeflate", "CJPEG2000Shim"],
            swiftSettings: strict),
        .target(name: "CCPUFeatures"),
        .target(name: "CProcessTuning"),
        .target(name: "SonoKernels", swiftSettings: strict + kernelFlags),
        .target(name: "SonoKernelsV3", swiftSettings: strict + kernelFlags + v3Flags),
        .target(name: "SonoKernelsV4", swiftSettings: strict + kernelFlags + v4Flags),
        .target(
            name: "SonoFilters",
            dependencies: ["SonoCore", "CCPUFeatures", "SonoKernels", "SonoKernelsV3", "SonoKernelsV4"],
            swiftSettings: strict),
        .target(name: "SonoBiometry", dependencies: ["SonoCore", "SonoFilters"], swiftSettings: strict),
        .target(name: "SonoInput", dependencies: ["SonoCore", "SonoBiometry", "SonoL10n"], swiftSettings: strict),
        .target(
            name: "SonoImageAnalysis", dependencies: ["SonoCore", "SonoFilters", "SonoBiometry"],
            swiftSettings: strict),
        .target(
            name: "SonoChecks",
            dependencies: ["SonoCore", "SonoFilters", "SonoBiometry", "SonoInput", "SonoImageAnalysis", "SonoL10n"],
            swiftSettings: strict),
        .target(
            name: "SonoReports",
            dependencies: [
                "SonoCore", "SonoCodecs", "SonoFilters", "SonoBiometry", "SonoImageAnalysis", "SonoChecks", "SonoL10n",
            ],
            swiftSettings: strict),
        // The generic engine: scheduling, bounded memory, cancellation, atomic writes. Knows only SonoCore.
        .target(name: "SonoPipeline", dependencies: ["SonoCore"], swiftSettings: strict),
        // `sonoqc analyze` as a library: discovery, the QC processor, per-scan and batch outputs.
        .target(
            name: "SonoAnalysis",
            dependencies: [
                "SonoCore", "SonoCodecs", "SonoFilters", "SonoBiometry", "SonoInput", "SonoImageAnalysis",
                "SonoChecks", "SonoReports", "SonoL10n", "SonoPipeline",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .target(
            name: "SonoSimulator",
            dependencies: ["SonoCore", "SonoCodecs", "SonoFilters", "SonoBiometry"],
            swiftSettings: strict),
        .target(
            name: "SonoService",
            dependencies: [
                "SonoCore", "SonoCodecs", "SonoInput", "SonoImageAnalysis", "SonoChecks", "SonoPipeline",
                "SonoAnalysis", "SonoReports", "SonoL10n",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // openapi.yaml at the repository root is a link to this file, which /openapi.yaml serves.
            resources: [.copy("openapi.yaml")],
            swiftSettings: strict),
        .executableTarget(
            name: "sonoqc",
            dependencies: [
                "SonoCore", "SonoCodecs", "SonoFilters", "SonoBiometry", "SonoInput", "SonoImageAnalysis", "SonoChecks",
                "SonoPipeline", "SonoAnalysis", "SonoReports", "SonoSimulator", "SonoL10n", "SonoService", "CProcessTuning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // Repository root, committed fixtures and ../shared discovery for every test target.
        .target(name: "SonoTestSupport", path: "Tests/SonoTestSupport", swiftSettings: strict),
        .testTarget(name: "SonoCoreTests", dependencies: ["SonoTestSupport", "SonoCore"], swiftSettings: strict),
        .testTarget(
            name: "SonoCodecsTests", dependencies: ["SonoTestSupport", "SonoCore", "SonoCodecs"],
            exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "SonoFiltersTests", dependencies: ["SonoTestSupport", "SonoCore", "SonoFilters"],
                    exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "SonoBiometryTests", dependencies: ["SonoTestSupport", "SonoCore", "SonoCodecs", "SonoFilters", "SonoBiometry"],
                    swiftSettings: strict),
        .testTarget(name: "SonoSimulatorTests",
                    dependencies: ["SonoTestSupport", "SonoCore", "SonoCodecs", "SonoBiometry", "SonoSimulator"],
                    swiftSettings: strict),
        .testTarget(name: "SonoChecksTests",
                    dependencies: ["SonoTestSupport", "SonoCore", "SonoCodecs", "SonoFilters", "SonoBiometry", "SonoInput", "SonoImageAnalysis", "SonoChecks",
                                   "SonoL10n"],
                    swiftSettings: strict),
        .testTarget(name: "SonoPipelineTests",
                    dependencies: ["SonoTestSupport", "SonoCore", "SonoCodecs", "SonoInput", "SonoPipeline", "SonoAnalysis", "SonoChecks",
                                   "SonoReports"],
                    swiftSettings: strict),
        .testTarget(name: "SonoReportsTests",
                    dependencies: ["SonoTestSupport", "SonoCore", "SonoCodecs", "SonoFilters", "SonoInput", "SonoImageAnalysis", "SonoChecks", "SonoReports",
                                   "SonoBiometry", "SonoL10n", "SonoPipeline", "SonoAnalysis",
                                   .product(name: "Logging", package: "swift-log")],
                    exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(
            name: "SonoServiceTests",
            dependencies: [
                "SonoCore", "SonoInput", "SonoChecks", "SonoReports", "SonoService", "SonoL10n", "SonoPipeline",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "EndToEndTests", dependencies: ["SonoTestSupport", "SonoCore", "SonoChecks"],
            swiftSettings: strict),
    ]
)
