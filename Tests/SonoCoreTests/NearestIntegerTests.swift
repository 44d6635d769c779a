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
}
