import CCPUFeatures
import SonoKernels
import SonoKernelsV3
import SonoKernelsV4

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Which compilation of the hot kernels (Sources/SonoKernels) the vector paths call.
///
/// Swift has no per-function target attributes, so the kernels are compiled three times, as the
/// modules `SonoKernels` (portable x86-64 / arm64), `SonoKernelsV3` (haswell: AVX2, FMA) and
/// `SonoKernelsV4` (skylake-avx512). ``selected`` is the best level the CPU supports, read once;
/// the environment variable `SONOQC_CPU=baseline|v3|v4` lowers it (for tests and benchmarks).
/// A level above what the CPU supports is never used, whatever the variable says: its code could
/// raise an illegal-instruction trap.
package enum CPULevel: String, Sendable, Hashable, CaseIterable, Comparable {
    case baseline, v3, v4

    package static func < (a: CPULevel, b: CPULevel) -> Bool { a.rank < b.rank }

    var rank: Int {
        switch self {
        case .baseline: 0
        case .v3: 3
        case .v4: 4
        }
    }

    /// The highest level this CPU and OS can run (always ``baseline`` off x86-64).
    package static let supported: CPULevel = {
        switch sono_cpu_level() {
        case 4: .v4
        case 3: .v3
        default: .baseline
        }
    }()

    /// The level the vector paths use: ``supported``, or `SONOQC_CPU` when that names a lower one.
    package static let selected: CPULevel = resolve(requested: ProcessInfo.processInfo.environment["SONOQC_CPU"],
                                                   supported: supported)

    /// `requested` (a raw value, or nil/unknown for "best"), never above `supported`.
    static func resolve(requested: String?, supported: CPULevel) -> CPULevel {
        guard let requested, let level = CPULevel(rawValue: requested.lowercased()) else { return supported }
        return min(level, supported)
    }

    /// The levels this machine can run, lowest first (what equivalence tests iterate).
    package static var runnable: [CPULevel] { allCases.filter { $0 <= supported } }
}

/// The kernels' API, which the three compilations share: each module's `Kernels` conforms below,
/// so a caller picks the compilation once (``CPULevel/kernels``) and calls through it, and a new
/// kernel is one requirement here rather than a switch over the levels.
protocol KernelSet {
    static func histogram(_ s: UnsafePointer<UInt8>, count: Int, counts: UnsafeMutablePointer<UInt32>)
    static func maskedHistogram(_ row: UnsafePointer<UInt8>, mask: UnsafePointer<UInt8>, count: Int,
                                counts: UnsafeMutablePointer<UInt32>)
    static func maskedSlopeSums(_ s: UnsafePointer<UInt8>, mask: UnsafePointer<UInt8>, width: Int, height: Int,
                                scratch: UnsafeMutablePointer<Double>, rowSums: UnsafeMutablePointer<Double>, rowCounts: UnsafeMutablePointer<Int>)
    static func countAbove(_ s: UnsafePointer<UInt8>, width: Int, height: Int, threshold: UInt8, block: Int,
                           columns: UnsafeMutablePointer<UInt8>, out: UnsafeMutablePointer<UInt16>)
    static func accumulate(_ row: UnsafePointer<UInt8>, into columns: UnsafeMutablePointer<UInt32>, count: Int)
    static func ridgeScale(_ v: UnsafePointer<Float>, width: Int, height: Int, normalization: Float, reach: Float,
                           strength: UnsafeMutablePointer<Float>, normalX: UnsafeMutablePointer<Float>,
                           normalY: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>)
    static func slidingSums16(_ s: UnsafePointer<UInt8>, width: Int, height: Int, radius: Int, rowTable: UnsafePointer<Int>,
                              columnTable: UnsafePointer<Int>, columns: UnsafeMutablePointer<UInt16>,
                              sums: UnsafeMutablePointer<UInt16>, emit: (UnsafePointer<UInt16>, Int) -> Void)
    static func slidingSums32(_ s: UnsafePointer<UInt8>, width: Int, height: Int, radius: Int, rowTable: UnsafePointer<Int>,
                              columnTable: UnsafePointer<Int>, columns: UnsafeMutablePointer<UInt32>,
                              sums: UnsafeMutablePointer<UInt32>, emit: (UnsafePointer<UInt32>, Int) -> Void)
    static func median(_ s: UnsafePointer<UInt8>, width: Int, height: Int, radius: Int, lanes: Int,
                       scratch: UnsafeMutablePointer<UInt8>, out: UnsafeMutablePointer<UInt8>)
    static func halve(_ s: UnsafePointer<UInt8>, width: Int, height: Int, out: UnsafeMutablePointer<UInt8>)
    static func gaussianU8(_ s: UnsafePointer<UInt8>, width: Int, height: Int, radius: Int, taps: UnsafePointer<UInt16>,
                           rowTable: UnsafePointer<Int>, columnTable: UnsafePointer<Int>, vertical: UnsafeMutablePointer<UInt16>,
                           result: UnsafeMutablePointer<UInt16>, out: UnsafeMutablePointer<UInt8>)
    static func gaussianF32(_ s: UnsafePointer<Float>, width: Int, height: Int, radius: Int, taps: UnsafePointer<Float>,
                            rowTable: UnsafePointer<Int>, columnTable: UnsafePointer<Int>,
                            padded: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>)
    static func boxMean16(_ s: UnsafePointer<UInt8>, width: Int, height: Int, radius: Int, rowTable: UnsafePointer<Int>,
                          columnTable: UnsafePointer<Int>, columns: UnsafeMutablePointer<UInt16>, inverse: Float,
                          out: UnsafeMutablePointer<UInt8>)
    static func integral(_ s: UnsafePointer<UInt8>, width: Int, height: Int, table: UnsafeMutablePointer<UInt32>)
    static func gradient3x3(_ s: UnsafePointer<UInt8>, width: Int, height: Int, side: Int16, center: Int16,
                            rowTable: UnsafePointer<Int>, left: Int, right: Int,
                            dx: UnsafeMutablePointer<Int16>, dy: UnsafeMutablePointer<Int16>)
    static func detailCombine(_ s: UnsafePointer<UInt8>, sum: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                              count: Int, out: UnsafeMutablePointer<UInt8>)
    static func detailLayer(_ s: UnsafePointer<UInt8>, mask: UnsafePointer<UInt8>, width: Int, height: Int, radius: Int,
                            taps: UnsafePointer<Float>, ringTable: UnsafePointer<Int>, columnTable: UnsafePointer<Int>,
                            rings: UnsafeMutablePointer<Float>, padded: UnsafeMutablePointer<Float>,
                            sums: UnsafeMutablePointer<Float>, runs: UnsafeMutablePointer<Int32>, out: UnsafeMutablePointer<UInt8>)
    static func pyrDown(_ s: UnsafePointer<UInt8>, width: Int, height: Int, rowTable: UnsafePointer<Int>,
                        columnTable: UnsafePointer<Int>, padded: UnsafeMutablePointer<UInt16>, out: UnsafeMutablePointer<UInt8>)
}

extension SonoKernels.Kernels: KernelSet {}
extension SonoKernelsV3.Kernels: KernelSet {}
extension SonoKernelsV4.Kernels: KernelSet {}

extension CPULevel {
    /// How the medians step along a row (`Kernels.median`'s `lanes`): explicit `SIMD16<UInt8>`
    /// vectors in the portable build; at v3 and v4 one pixel at a time, a loop LLVM's vectoriser
    /// widens to 32 lanes (AVX2 registers; it prefers 256-bit vectors on AVX-512 CPUs too).
    /// Explicit `SIMD32`/`SIMD64<UInt8>` were not an option: their lane-wise comparisons compiled
    /// to per-lane code (about 100× slower than `SIMD16` in a min/max loop, measured 2026-11-30).
    var medianLanes: Int {
        switch self {
        case .baseline: 16
        case .v3, .v4: 1
        }
    }

    /// This level's compilation of the kernels.
    var kernels: any KernelSet.Type {
        switch self {
        case .baseline: SonoKernels.Kernels.self
        case .v3: SonoKernelsV3.Kernels.self
        case .v4: SonoKernelsV4.Kernels.self
        }
    }
}
