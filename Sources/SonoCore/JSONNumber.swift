/// Rounding applied to every number that enters a report, so the JSON is stable across platforms,
/// thread counts and tiny floating-point reorderings.
package enum JSONNumber {
    /// Six significant decimals is below every clinical resolution (0.1 mm, 0.1 day) and far above
    /// the noise of summation order.
    package static func rounded(_ value: Double) -> Double {
        guard value.isFinite else { return 0 }
        let scaled = (value * 1_000_000).rounded(.toNearestOrAwayFromZero) / 1_000_000
        return scaled == 0 ? 0 : scaled  // no negative zero in reports
    }

    package static func rounded(_ value: Double?) -> Double? { value.flatMap { $0.isFinite ? rounded($0) : nil } }
}
