import SonoCore
import Testing

@Suite("Nearest integer")
struct NearestIntegerTests {
    @Test("equals Int(v.rounded()) on halves, the values next to them, signed zeros and large values")
    func edgeCases() {
        var doubles: [Double] = [0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, -0.49999999999999994,
                                 1e15 + 0.5, -1e15 - 0.5, 4_503_599_627_370_495.5, 9_007_199_254_740_992, .leastNonzeroMagnitude]
        for k in -300...300 {
            let half = Double(k) + 0.5
            doubles += [half, half.nextUp, half.nextDown, Double(k), Double(k).nextUp, Double(k).nextDown]
        }
        for v in doubles { #expect(nearestInteger(v) == Int(v.rounded()), "\(v)") }
        for v in doubles.map(Float.init) + [Float(0.49999997), -0.49999997, 8_388_607.5, 16_777_216] {
            #expect(nearestInteger(v) == Int(v.rounded()), "\(v)")
        }
    }

    @Test("equals Int(v.rounded()) on random values")
    func randomValues() {
        var generator = SplitMix64(seed: 11)
        for _ in 0..<100_000 {
            let v = Double(Int64(bitPattern: generator.next()) >> 20) / 1_024
            #expect(nearestInteger(v) == Int(v.rounded()))
            #expect(nearestInteger(Float(v)) == Int(Float(v).rounded()))
        }
    }

    /// The eight-float and four-double versions against the scalar one: every half from −600 to
    /// 600 and its neighbours either side, signed zeros, values next to ±0.5, the ends of each
    /// version's range and random positions.
    @Test("the SIMD versions equal nearestInteger on halves, zeros, range ends and random values")
    func simdVersions() {
        var floats: [Float] = [0, -0.0, 0.49999997, -0.49999997, 4_194_303.5, -4_194_303.5, 4_194_303, -4_194_304]
        var doubles: [Double] = [0, -0.0, 0.49999999999999994, -0.49999999999999994, 1e15 + 0.5, -1e15 - 0.5,
                                 562_949_953_421_311.5, -562_949_953_421_311.5]
        for k in -600...600 {
            floats += [Float(k) + 0.5, (Float(k) + 0.5).nextUp, (Float(k) + 0.5).nextDown, Float(k), Float(k).nextUp, Float(k).nextDown]
            doubles += [Double(k) + 0.5, (Double(k) + 0.5).nextUp, (Double(k) + 0.5).nextDown, Double(k), Double(k).nextUp,
                        Double(k).nextDown]
        }
        var generator = SplitMix64(seed: 31)
        for _ in 0..<40_000 {
            let v = Double(Int64(bitPattern: generator.next()) >> 40) / 1_024
            floats.append(Float(v)); doubles.append(v)
        }
        floats += [Float](repeating: 0, count: (8 - floats.count % 8) % 8)
        doubles += [Double](repeating: 0, count: (4 - doubles.count % 4) % 4)
        for start in stride(from: 0, to: floats.count, by: 8) {
            let lanes = SIMD8<Float>(floats[start..<(start + 8)]), rounded = nearestIntegers(lanes)
            for lane in 0..<8 { #expect(Int(rounded[lane]) == nearestInteger(lanes[lane]), "\(lanes[lane])") }
        }
        for start in stride(from: 0, to: doubles.count, by: 4) {
            let lanes = SIMD4<Double>(doubles[start..<(start + 4)]), rounded = nearestIntegers(lanes)
            for lane in 0..<4 { #expect(Int(rounded[lane]) == nearestInteger(lanes[lane]), "\(lanes[lane])") }
        }
    }
}
