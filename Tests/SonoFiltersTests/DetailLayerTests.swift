import SonoCore
@testable import SonoFilters
import Testing

@Suite("Detail layer")
struct DetailLayerTests {
    /// The combination on the same inputs: random pixels and backgrounds, weights from 0 (no
    /// analysed pixel within reach) to 1, backgrounds that put the result on exact halves, and
    /// differences far beyond ±127 (clamped); sizes with vector tails.
    @Test("the vector combination is bit-identical to the scalar reference at every runnable CPU level",
          arguments: [1, 7, 33, 203, 4_096])
    func vectorCombinationMatchesReference(count: Int) {
        var generator = SeededGenerator(seed: UInt64(count))
        func unit() -> Float { Float(generator.next() >> 40) / Float(1 << 24) }
        let source = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        var weight = (0..<count).map { _ in unit() }
        var sum = zip(source, weight).map { s, m in m * (Float(s) + 300 * (unit() - 0.5)) }
        for i in stride(from: 0, to: count, by: 5) { weight[i] = 0; sum[i] = 0 }
        for i in stride(from: 1, to: count, by: 7) { weight[i] = 1; sum[i] = Float(source[i]) + 0.5 }       // exactly x.5
        for i in stride(from: 3, to: count, by: 11) { weight[i] = 1; sum[i] = Float(source[i]) - 127.5 }   // 255.5, clamped
        for i in stride(from: 2, to: count, by: 13) { weight[i] = 0.25; sum[i] = 1_000 }                   // far below 0
        let reference = DetailLayer.combination(source, sum: sum, weight: weight, backend: .scalar, level: .baseline)
        for level in CPULevel.runnable {
            let vector = DetailLayer.combination(source, sum: sum, weight: weight, backend: .vector, level: level)
            let first = vector.indices.first { vector[$0] != reference[$0] }
            #expect(first == nil, "\(level), count \(count): first difference at \(first ?? -1)")
        }
    }

    /// The fused row-by-row kernel against the composition it replaces (two frame-sized vector
    /// blurs, then the combination) at the same level. Sizes: narrower and shorter than the
    /// blur's reach (reflections of reflections), vector tails of 1–63 pixels, and a frame-like
    /// size; masks: none, random, empty, a sector-like region with holes.
    @Test("the fused vector layer equals its two-blur composition byte for byte at every runnable CPU level",
          arguments: [(1, 1), (3, 2), (7, 13), (13, 14), (16, 5), (64, 27), (97, 61), (130, 7), (203, 40), (400, 270)])
    func fusedLayerMatchesComposition(size: (width: Int, height: Int)) {
        let (w, h) = size
        var generator = SeededGenerator(seed: UInt64(w * 1_000 + h))
        let image = GrayImage(width: w, height: h) { out in
            for i in 0..<out.count { out[i] = UInt8(truncatingIfNeeded: generator.next()) }
        }
        let random = (0..<(w * h)).map { _ in UInt8(generator.next() % 3 == 0 ? 0 : 255) }
        let sector = (0..<(w * h)).map { i -> UInt8 in
            let x = Double(i % w) - Double(w) / 2, y = Double(i / w)
            return abs(x) < 0.1 * Double(w) + y && i % 37 != 0 ? 1 : 0
        }
        let masks: [(String, [UInt8]?)] = [("none", nil), ("random", random), ("empty", [UInt8](repeating: 0, count: w * h)),
                                          ("sector", sector)]
        for (name, mask) in masks {
            for sigma in [2.0, 0.7] {
                for level in CPULevel.runnable {
                    let fused = DetailLayer.apply(image, mask: mask, sigma: sigma, backend: .vector, level: level)
                    let reference = DetailLayer.composed(image, mask: mask, sigma: sigma, backend: .vector, level: level)
                    let first = fused.samples.indices.first { fused.samples[$0] != reference.samples[$0] }
                    #expect(first == nil, "\(w)x\(h), mask \(name), σ \(sigma), \(level): first difference at \(first ?? -1)")
                }
            }
        }
    }

    @Test("the whole layer agrees between backends to one grey level (the float blurs may differ in the last bit)")
    func backendsAgree() {
        var generator = SeededGenerator(seed: 5)
        let w = 97, h = 61
        let image = GrayImage(width: w, height: h) { out in
            for i in 0..<out.count { out[i] = UInt8(truncatingIfNeeded: generator.next()) }
        }
        let mask = (0..<(w * h)).map { UInt8(($0 % w < 20 || generator.next() % 4 == 0) ? 0 : 1) }
        let scalar = DetailLayer.apply(image, mask: mask, sigma: 2, backend: .scalar)
        let vector = DetailLayer.apply(image, mask: mask, sigma: 2, backend: .vector)
        #expect(zip(scalar.samples, vector.samples).allSatisfy { abs(Int($0) - Int($1)) <= 1 })
    }

    @Test("a flat image has no detail")
    func flatImageIsAllMidGrey() {
        let image = GrayImage(width: 40, height: 30, repeating: 77)
        #expect(DetailLayer.apply(image, mask: nil, sigma: 2).samples.allSatisfy { $0 == 128 })
    }

    @Test("slowly varying brightness is removed: a ramp reads mid-grey away from the borders")
    func rampIsRemoved() {
        let image = GrayImage(width: 64, height: 16) { out in
            for y in 0..<16 { for x in 0..<64 { out[y * 64 + x] = UInt8(40 + 2 * x) } }
        }
        let detail = DetailLayer.apply(image, mask: nil, sigma: 2)
        for y in 0..<16 {
            for x in 8..<56 { #expect(detail[x, y] == 128, "(\(x), \(y)): \(detail[x, y])") }
        }
    }

    @Test("fine texture is kept: a checkerboard's pixels stay far from mid-grey")
    func checkerboardIsKept() {
        let image = GrayImage(width: 32, height: 32) { out in
            for y in 0..<32 { for x in 0..<32 { out[y * 32 + x] = (x + y) % 2 == 0 ? 100 : 140 } }
        }
        let detail = DetailLayer.apply(image, mask: nil, sigma: 2)
        #expect(detail.samples.allSatisfy { abs(Int($0) - 128) >= 15 })
    }

    /// A saturated caption beside tissue: masked, it does not darken the tissue's detail next to
    /// it; unmasked (a plain blur), it does.
    @Test("a masked bright mark does not bleed into the pixels beside it")
    func maskedMarkDoesNotBleed() {
        let w = 40, h = 20
        let image = GrayImage(width: w, height: h) { out in
            for y in 0..<h { for x in 0..<w { out[y * w + x] = (20..<26).contains(x) ? 255 : 60 } }
        }
        let mask: [UInt8] = (0..<(w * h)).map { (20..<26).contains($0 % w) ? 0 : 1 }
        let masked = DetailLayer.apply(image, mask: mask, sigma: 2)
        let plain = DetailLayer.apply(image, mask: nil, sigma: 2)
        for y in 0..<h {
            for x in [17, 18, 19, 26, 27, 28] {
                #expect(masked[x, y] == 128, "masked (\(x), \(y)): \(masked[x, y])")
                #expect(plain[x, y] < 120, "plain (\(x), \(y)): \(plain[x, y])")
            }
        }
    }
}
