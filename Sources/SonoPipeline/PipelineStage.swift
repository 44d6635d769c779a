#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The stages a file goes through, in order. A failure is always attributed to one of them.
package enum PipelineStage: String, Sendable, Codable, CaseIterable, Comparable {
    case discover, read, decode, filter, measure, check, write

    package static func < (a: PipelineStage, b: PipelineStage) -> Bool {
        a.ordinal < b.ordinal
    }

    var ordinal: Int {
        switch self {
        case .discover: 0
        case .read: 1
        case .decode: 2
        case .filter: 3
        case .measure: 4
        case .check: 5
        case .write: 6
        }
    }
}

/// Wall and CPU time spent per stage, in nanoseconds.
///
/// CPU time is the calling thread's (`CLOCK_THREAD_CPUTIME_ID`), so adding the values of many
/// workers gives the batch's CPU time per stage; wall time added over workers exceeds the run's
/// elapsed time when workers overlap, which is what a per-stage profile wants.
package struct StageTimings: Sendable, Equatable {
    // SIMD8 holds the seven stages inline: per-frame timings must not allocate.
    package private(set) var wallNanoseconds = SIMD8<UInt64>()
    package private(set) var cpuNanoseconds = SIMD8<UInt64>()

    package init() {}

    /// Runs `body` and charges its wall and thread CPU time to `stage`, also when it throws.
    package mutating func measure<R>(_ stage: PipelineStage, _ body: () throws -> R) rethrows -> R {
        let wall0 = Clock.monotonicNanoseconds(), cpu0 = Clock.threadCPUNanoseconds()
        defer {
            add(stage, wallNanoseconds: Clock.monotonicNanoseconds() &- wall0,
                cpuNanoseconds: Clock.threadCPUNanoseconds() &- cpu0)
        }
        return try body()
    }

    package mutating func add(_ stage: PipelineStage, wallNanoseconds wall: UInt64, cpuNanoseconds cpu: UInt64) {
        wallNanoseconds[stage.ordinal] &+= wall
        cpuNanoseconds[stage.ordinal] &+= cpu
    }

    package mutating func add(_ other: StageTimings) {
        wallNanoseconds &+= other.wallNanoseconds
        cpuNanoseconds &+= other.cpuNanoseconds
    }

    package func wallNanoseconds(_ stage: PipelineStage) -> UInt64 { wallNanoseconds[stage.ordinal] }
    package func cpuNanoseconds(_ stage: PipelineStage) -> UInt64 { cpuNanoseconds[stage.ordinal] }
    package var totalWallNanoseconds: UInt64 { wallNanoseconds.wrappedSum() }
}

/// POSIX clocks; kept here so timing needs neither Foundation nor Dispatch.
package enum Clock {
    package static func monotonicNanoseconds() -> UInt64 { read(CLOCK_MONOTONIC) }
    package static func threadCPUNanoseconds() -> UInt64 { read(CLOCK_THREAD_CPUTIME_ID) }
    package static func processCPUNanoseconds() -> UInt64 { read(CLOCK_PROCESS_CPUTIME_ID) }

    private static func read(_ clock: clockid_t) -> UInt64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}

/// Why one file failed, attributed to the stage where it happened.
package struct StageFailure: Sendable, Equatable, Codable, Error {
    package var stage: PipelineStage
    /// Short machine-readable class, e.g. `truncated`, `unsupported-format`, `unreadable`.
    package var kind: String
    /// The error's human-readable summary.
    package var reason: String

    package init(stage: PipelineStage, kind: String, reason: String) {
        self.stage = stage
        self.kind = kind
        self.reason = reason
    }
}

/// What happened to one image: a processor result, or the stage that failed and why.
package enum ImageOutcome<Result: Sendable>: Sendable {
    case success(Result)
    case failure(StageFailure)

    package var failure: StageFailure? {
        if case .failure(let f) = self { return f }
        return nil
    }
}

/// An error a ``ScanProcessor`` throws to attribute a failure to a specific stage (filter,
/// measure, check). Any other error thrown from `processImage` is attributed to the processor's
/// ``ScanProcessor/defaultFailureStage``.
package struct StageError: Error, Sendable {
    package var stage: PipelineStage
    package var underlying: any Error

    package init(stage: PipelineStage, underlying: any Error) {
        self.stage = stage
        self.underlying = underlying
    }
}
