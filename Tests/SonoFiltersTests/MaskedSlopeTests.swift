import SonoCore
@testable import SonoFilters
import Testing

@Suite("Masked slope sum")
struct MaskedSlopeTests {
    /// Random pixels under masks with holes, a masked band and single masked pixels; widths with
    /// and without vector tails, and the smallest frames that have an interior pixel.
    @Test("the vector kernel is bit-identical to the scalar reference at every runnable CPU level",
          arguments: [(3, 3), (9, 4), (10, 5), (17, 9), (64, 33), (203, 41)])
    func vectorMatchesReference(width: Int, height: Int) {
        var generator = SeededGenerator(seed: UInt64(width * 1_000 + height))
        let image = TestImages.randomGray(width: width, height: height, seed: UInt64(width + height))
        let mask = (0..<(width * height)).map { i -> UInt8 in
            if i % width < width / 5 { return 0 }                      // a masked band on the left
            return generator.next() % 9 == 0 ? 0 : UInt8(1 + generator.next() % 255)
        }
        let reference = Gradient.maskedSlopeSum(image, mask: mask, backend: .scalar, level: .baseline)
        #expect(reference.count > 0 || width * height < 40)
        for level in CPULevel.runnable {
            let vector = Gradient.maskedSlopeSum(image, mask: mask, backend: .vector, level: level)
            #expect(vector.sum.bitPattern == reference.sum.bitPattern && vector.count == reference.count,
                    "\(level): \(vector) against \(reference)")
        }
    }

    @Test("pixels whose neighbours are not all analysed, and the outermost rows and columns, are not counted")
    func countsOnlyFullyAnalysedInteriorPixels() {
        let w = 12, h = 7
        let image = GrayImage(width: w, height: h) { out in
            for y in 0..<h { for x in 0..<w { out[y * w + x] = UInt8(10 * x + y) } }
        }
        var mask = [UInt8](repeating: 1, count: w * h)
        mask[3 * w + 6] = 0       // removes (6,3) and its four neighbours
        for backend in [FilterBackend.scalar, .vector] {
            let all = Gradient.maskedSlopeSum(image, mask: [UInt8](repeating: 1, count: w * h), backend: backend)
            #expect(all.count == (w - 2) * (h - 2))
            // dx = 20 and dy = 2 everywhere inside: the slope is √(400 + 4) / 2 at every counted pixel.
            #expect(abs(all.sum - Double(all.count) * (404.0).squareRoot() / 2) < 1e-9)
            #expect(Gradient.maskedSlopeSum(image, mask: mask, backend: backend).count == (w - 2) * (h - 2) - 5)
        }
    }

    @Test("frames without an interior pixel give nothing")
    func degenerateFrames() {
        for (w, h) in [(2, 9), (9, 2), (0, 0)] {
            let image = GrayImage(width: w, height: h, repeating: 9)
            let slope = Gradient.maskedSlopeSum(image, mask: [UInt8](repeating: 1, count: w * h))
            #expect(slope.sum == 0 && slope.count == 0)
        }
    }
}
