import SonoCore
import Testing
@testable import SonoFilters

/// The vector path of every kernel against its scalar reference on seeded random images of
/// awkward sizes. Integer kernels must match bit for bit; float kernels within the tolerance
/// stated on each test. Every failure message carries the size and seed to reproduce it.
@Suite("Vector paths match scalar references")
struct VectorEquivalenceTests {
    static let sizes = TestImages.awkwardSizes
    static let seeds: [UInt64] = [1, 0xDEC0DE]

    static func cases() -> [(Int, Int, UInt64)] {
        sizes.flatMap { size in seeds.map { (size.width, size.height, $0) } }
    }

    @Test("median 3×3 and 5×5 vector paths are bit-exact", arguments: cases())
    func medianBitExact(width: Int, height: Int, seed: UInt64) {
        let image = TestImages.randomGray(width: width, height: height, seed: seed)
        #expect(Median.filter3x3(image, backend: .vector) == Median.reference3x3(image), "\(width)x\(height) seed \(seed)")
        #expect(Median.filter5x5(image, backend: .vector) == Median.reference5x5(image), "\(width)x\(height) seed \(seed)")
    }

    @Test("8-bit Gaussian vector path is bit-exact for small and large sigma", arguments: cases())
    func gaussianBitExact(width: Int, height: Int, seed: UInt64) {
        let image = TestImages.randomGray(width: width, height: height, seed: seed)
        for sigma in [0.3, 1.0, 1.7, 4.0] {
            #expect(GaussianBlur.apply(image, sigma: sigma, backend: .vector) == GaussianBlur.reference(image, sigma: sigma),
                    "\(width)x\(height) seed \(seed) sigma \(sigma)")
        }
    }

    /// Tolerance 1e-4 on 0…255 data: both sum the same taps in single precision, possibly in
    /// a different order.
    @Test("float Gaussian vector path agrees within 1e-4", arguments: cases())
    func floatGaussianClose(width: Int, height: Int, seed: UInt64) {
        let image = TestImages.speckleFloat(width: width, height: height, seed: seed)
        for sigma in [0.8, 2.5] {
            let worst = maxDifference(GaussianBlur.apply(image, sigma: sigma, backend: .vector),
                                      GaussianBlur.reference(image, sigma: sigma))
            #expect(worst.value <= 1e-4, "\(width)x\(height) seed \(seed) sigma \(sigma): \(worst)")
        }
    }

    @Test("box filter, downsampling and pyrDown vector paths are bit-exact", arguments: cases())
    func resamplingBitExact(width: Int, height: Int, seed: UInt64) {
        let image = TestImages.randomGray(width: width, height: height, seed: seed)
        // 9 and 40 take the 32-bit path (radius > 7), 40 its direct division (n ≥ 4096).
        for radius in [1, 2, 5, 9, 40] {
            #expect(BoxFilter.apply(image, radius: radius, backend: .vector) == BoxFilter.reference(image, radius: radius),
                    "\(width)x\(height) seed \(seed) radius \(radius)")
        }
        #expect(Downsample.half(image, backend: .vector) == Downsample.reference(image), "\(width)x\(height) seed \(seed)")
        #expect(GaussianPyramid.pyrDown(image, backend: .vector) == GaussianPyramid.referencePyrDown(image),
                "\(width)x\(height) seed \(seed)")
    }

    /// Box and downsample on floats: the reference sums in double precision, the vector path
    /// in single; 1e-3 on 0…255 data.
    @Test("float box filter and downsampling agree within 1e-3", arguments: cases())
    func floatResamplingClose(width: Int, height: Int, seed: UInt64) {
        let image = TestImages.speckleFloat(width: width, height: height, seed: seed)
        let box = maxDifference(BoxFilter.apply(image, radius: 2, backend: .vector), BoxFilter.reference(image, radius: 2))
        #expect(box.value <= 1e-3, "\(width)x\(height) seed \(seed): \(box)")
        let half = maxDifference(Downsample.half(image, backend: .vector), Downsample.reference(image))
        #expect(half.value <= 1e-4, "\(width)x\(height) seed \(seed): \(half)")
    }

    @Test("Sobel and Scharr vector paths are bit-exact; float Sobel and magnitude agree within 1e-4",
          arguments: cases())
    func gradientsMatch(width: Int, height: Int, seed: UInt64) {
        let image = TestImages.randomGray(width: width, height: height, seed: seed)
        let sobel = Gradient.sobel(image, backend: .vector), sobelRef = Gradient.referenceSobel(image)
        #expect(sobel.dx == sobelRef.dx && sobel.dy == sobelRef.dy, "\(width)x\(height) seed \(seed)")
        let scharr = Gradient.scharr(image, backend: .vector), scharrRef = Gradient.referenceScharr(image)
        #expect(scharr.dx == scharrRef.dx && scharr.dy == scharrRef.dy, "\(width)x\(height) seed \(seed)")
        let float = ImageConversion.float(image)
        let fv = Gradient.sobel(float, backend: .vector), fr = Gradient.reference(float)
        #expect(maxDifference(fv.dx, fr.dx).value == 0 && maxDifference(fv.dy, fr.dy).value == 0,
                "\(width)x\(height) seed \(seed)")
        let magnitude = maxDifference(Gradient.magnitude(dx: sobel.dx, dy: sobel.dy, backend: .vector),
                                      Gradient.magnitude(dx: sobel.dx, dy: sobel.dy, backend: .scalar))
        #expect(magnitude.value <= 1e-4, "\(width)x\(height) seed \(seed): \(magnitude)")
    }

    /// SRAD: 5 iterations; vector and reference evaluate the same expressions in single
    /// precision but the compiler may contract multiply-adds differently, so allow 1e-3 levels.
    @Test("SRAD vector path agrees within 1e-3", arguments: cases())
    func sradClose(width: Int, height: Int, seed: UInt64) {
        let image = TestImages.speckleFloat(width: width, height: height, seed: seed)
        for timeStep: Float in [0.1, 0.25] {
            let worst = maxDifference(SRAD.apply(image, iterations: 5, timeStep: timeStep, backend: .vector),
                                      SRAD.reference(image, iterations: 5, timeStep: timeStep))
            #expect(worst.value <= 1e-3, "\(width)x\(height) seed \(seed) dt \(timeStep): \(worst)")
        }
    }

    /// Lee: the reference sums windows in double, the vector path in single; 0.02 levels.
    @Test("Lee vector path agrees within 0.02", arguments: cases())
    func leeClose(width: Int, height: Int, seed: UInt64) {
        let image = TestImages.speckleFloat(width: width, height: height, seed: seed)
        for radius in [1, 3] {
            let worst = maxDifference(LeeFilter.apply(image, radius: radius, backend: .vector),
                                      LeeFilter.reference(image, radius: radius))
            #expect(worst.value <= 0.02, "\(width)x\(height) seed \(seed) radius \(radius): \(worst)")
        }
    }

    @Test("histogram vector path counts exactly, with and without a mask", arguments: cases())
    func histogramExact(width: Int, height: Int, seed: UInt64) {
        let image = TestImages.randomGray(width: width, height: height, seed: seed)
        let mask = TestImages.randomGray(width: width, height: height, seed: seed ^ 0xFF).map { $0 < 128 ? UInt8(0) : 1 }
        #expect(ImageStatistics.histogram(image, backend: .vector) == ImageStatistics.referenceHistogram(image, mask: nil))
        #expect(ImageStatistics.histogram(image, mask: mask, backend: .vector)
                == ImageStatistics.referenceHistogram(image, mask: mask))
    }
}
