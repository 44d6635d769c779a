import SonoCore
import Testing
@testable import SonoFilters

@Suite("Resample by an arbitrary factor")
struct ResampleTests {
    @Test("halving equals Downsample.half on even sizes")
    func halvingMatchesDownsample() {
        let image = TestImages.speckleFloat(width: 64, height: 38, seed: 7)
        let resampled = Resample.scaled(image, by: 0.5)
        let halved = Downsample.half(image, backend: .scalar)
        #expect(resampled.width == halved.width && resampled.height == halved.height)
        #expect(maxDifference(resampled, halved).value <= 1e-3)
    }

    @Test("output size is the rounded scaled size, at least 1 px", arguments: [
        (800, 540, 0.5, 400, 270), (600, 405, 400.0 / 600, 400, 270), (300, 200, 4.0 / 3, 400, 267),
        (3, 2, 0.01, 1, 1), (1, 1, 5, 5, 5),
    ] as [(Int, Int, Double, Int, Int)])
    func outputSize(width: Int, height: Int, factor: Double, expectedWidth: Int, expectedHeight: Int) {
        let out = Resample.scaled(FloatImage(width: width, height: height, repeating: 1), by: factor)
        #expect(out.width == expectedWidth && out.height == expectedHeight)
    }

    @Test("a constant image stays constant when shrunk or enlarged, borders included", arguments: [0.37, 2.0 / 3, 1, 1.5, 3.2])
    func constantStaysConstant(factor: Double) {
        let out = Resample.scaled(FloatImage(width: 31, height: 17, repeating: 42.5), by: factor)
        #expect(out.samples.allSatisfy { abs($0 - 42.5) < 1e-3 })
    }

    @Test("shrinking averages areas: a 3x3-block image at 1/3 gives each block's mean")
    func shrinkingAveragesAreas() {
        let w = 9, h = 6
        let image = FloatImage(width: w, height: h, samples: (0..<(w * h)).map { Float(($0 % w) / 3 + 10 * (($0 / w) / 3)) })
        let out = Resample.scaled(image, by: 1.0 / 3)
        #expect(out.width == 3 && out.height == 2)
        let blockMeans: [Float] = (0..<6).map { Float($0 % 3 + 10 * ($0 / 3)) }
        #expect(zip(out.samples, blockMeans).allSatisfy { abs($0 - $1) < 1e-4 })
        // A fractional factor keeps the mean of the whole image when the sizes divide exactly.
        let ramp = FloatImage(width: 12, height: 8, samples: (0..<96).map { Float($0 % 12) })
        let shrunk = Resample.scaled(ramp, by: 0.75)
        #expect(shrunk.width == 9 && shrunk.height == 6)
        let shrunkMean: Float = shrunk.samples.reduce(0, +) / 54
        let rampMean: Float = ramp.samples.reduce(0, +) / 96
        #expect(abs(shrunkMean - rampMean) < 1e-4)
    }

    @Test("enlarging interpolates between pixel centres (ramps exactly, samples kept) and replicates the border")
    func enlargingIsCubicConvolution() {
        let ramp = FloatImage(width: 8, height: 3, samples: (0..<24).map { Float(4 * ($0 % 8)) })
        let out = Resample.scaled(ramp, by: 2)
        #expect(out.width == 16 && out.height == 6)
        // Output x sits at source (x + 0.5)/2 − 0.5. Where all four taps are inside the image
        // (x = 3…12), samples follow the ramp exactly; at the ends the replicated border flattens it
        // (with the kernel's slight overshoot).
        for x in 3...12 {
            let expected: Float = 2 * (Float(x) + 0.5) - 2
            #expect(abs(out[x, 2] - expected) < 1e-4)
        }
        #expect(abs(out[0, 0]) < 0.5 && abs(out[15, 5] - 28) < 0.5)
        // At an odd factor the source samples are hit exactly and kept (the kernel interpolates).
        let speckle = TestImages.speckleFloat(width: 9, height: 7, seed: 5)
        let tripled = Resample.scaled(speckle, by: 3)
        for y in 0..<7 { for x in 0..<9 { #expect(abs(tripled[3 * x + 1, 3 * y + 1] - speckle[x, y]) < 1e-3) } }
        // Kernel: 1 at 0, 0 at the other integers, weights summing to 1 at any phase.
        #expect(Resample.cubic(0) == 1 && Resample.cubic(1) == 0 && Resample.cubic(2) == 0 && Resample.cubic(2.5) == 0)
        for t in stride(from: 0.0, to: 1, by: 0.125) {
            #expect(abs(Resample.cubic(t + 1) + Resample.cubic(t) + Resample.cubic(1 - t) + Resample.cubic(2 - t) - 1) < 1e-12)
        }
    }

    @Test("an unusable factor or an empty image comes back unchanged", arguments: [0, -1, Double.nan, .infinity])
    func unusableFactor(factor: Double) {
        let image = TestImages.speckleFloat(width: 5, height: 4, seed: 1)
        #expect(Resample.scaled(image, by: factor) == image)
        let empty = FloatImage(width: 0, height: 0, samples: [])
        #expect(Resample.scaled(empty, by: 0.5) == empty)
    }
}
