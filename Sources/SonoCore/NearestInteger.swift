/// `Int(v.rounded())`, the nearest integer with halves away from zero, without a call into libm.
///
/// Baseline x86-64 has no rounding instruction (SSE4.1 brought one), so `rounded()` is a call to
/// C's `round`: 3.3 % of `sonoqc analyze`'s CPU, in the measurer's ridge lookups and centre votes.
/// Here `(v + 2⁵²) − 2⁵²` rounds to the nearest integer, ties to even (exact for `|v| < 2⁵²`,
/// above which every double is an integer), and a tie that went toward zero is moved away from
/// it. A first version compared the fraction `v − trunc(v)` with ±0.5: exact too, but those
/// branches depend on the data, and mispredicting them cost as much as the call saved.
/// The result equals `Int(v.rounded())` for every `v` (`Int(v + 0.5)`-style shortcuts do not:
/// 0.49999999999999994 + 0.5 is 1.0); it traps where that does (NaN, infinities, beyond `Int`).
@inlinable @inline(__always)
package func nearestInteger(_ v: Double) -> Int {
    let big = 4_503_599_627_370_496.0    // 2⁵²: from here on the spacing of doubles is 1
    if v >= 0 {
        guard v < big else { return Int(v) }
        let even = (v + big) - big
        return Int(v - even == 0.5 ? even + 1 : even)
    }
    guard v > -big else { return Int(v) }
    let even = (v - big) + big
    return Int(even - v == 0.5 ? even - 1 : even)
}

/// ``nearestInteger(_:)-(Double)`` for `Float`, through `Double` (every `Float` is one exactly).
/// A generic version over `BinaryFloatingPoint` was not specialised into a constant and made
/// `analyze` take 1.25× the CPU.
@inlinable @inline(__always)
package func nearestInteger(_ v: Float) -> Int { nearestInteger(Double(v)) }

/// ``nearestInteger(_:)-(Double)`` of eight floats of magnitude below 2²², for loops that place
/// many samples at once (the measurer's centre votes): `v + 1.5·2²³` rounds to an integer, ties to
/// even, whose value sits in the low mantissa bits, and a tie that went toward zero is then moved
/// away from it. Exact for every such `v`, without a per-lane conversion through `Double` and
/// Swift's range-checked float-to-integer conversion, which kept those loops scalar.
@inlinable @inline(__always)
package func nearestIntegers(_ v: SIMD8<Float>) -> SIMD8<Int32> {
    let shifted = v + 12_582_912
    let even = shifted - 12_582_912
    var value = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
    let zero = SIMD8<Float>(repeating: 0), half = SIMD8<Float>(repeating: 0.5)
    value.replace(with: value &+ 1, where: (v .>= zero) .& (v - even .== half))
    value.replace(with: value &- 1, where: (v .< zero) .& (even - v .== half))
    return value
}

/// The same for four doubles of magnitude below 2⁵⁰ (`v + 1.5·2⁵²`): the measurer's contour rays.
@inlinable @inline(__always)
package func nearestIntegers(_ v: SIMD4<Double>) -> SIMD4<Int64> {
    let magic = SIMD4<Double>(repeating: 6_755_399_441_055_744)
    let shifted = v + magic
    let even = shifted - magic
    var value = unsafeBitCast(shifted, to: SIMD4<Int64>.self) &- 0x4338_0000_0000_0000
    let zero = SIMD4<Double>(repeating: 0), half = SIMD4<Double>(repeating: 0.5)
    value.replace(with: value &+ 1, where: (v .>= zero) .& (v - even .== half))
    value.replace(with: value &- 1, where: (v .< zero) .& (even - v .== half))
    return value
}
