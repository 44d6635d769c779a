import SonoCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Chooses between a kernel's vector implementation and its scalar reference.
///
/// Every kernel in SonoFilters exists twice: a plain scalar reference written to be obviously
/// correct (it *is* the specification) and a fast version in the matching `+SIMD.swift` file.
/// Public entry points take a `backend` argument defaulting to ``FilterBackend/default``, so a
/// caller, a test or a benchmark can pin either path without global mutable state.
///
/// ``default`` is `.vector` unless the package was compiled with `-D SONO_SCALAR_ONLY` or the
/// environment variable `SONO_SCALAR_ONLY` is set to a non-empty value other than `0` when the
/// process first uses a filter (it is read once and cached, so it cannot change mid-run).
public enum FilterBackend: Sendable, Hashable, CaseIterable {
    /// The fast implementation (pointer loops the compiler vectorises, or explicit `SIMD` types).
    case vector
    /// The scalar reference implementation.
    case scalar

    public static let `default`: FilterBackend = {
        #if SONO_SCALAR_ONLY
        return .scalar
        #else
        if let value = ProcessInfo.processInfo.environment["SONO_SCALAR_ONLY"],
           !value.isEmpty, value != "0" {
            return .scalar
        }
        return .vector
        #endif
    }()
}
