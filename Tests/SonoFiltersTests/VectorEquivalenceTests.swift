import Foundation
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
        // The fused 8-bit → float halving against halving the float copy, on random and all-white
        // pixels (largest sums), odd sizes included (the replicated last column and row).
        for pixels in [image, GrayImage(width: width, height: height, repeating: 255)] {
            #expect(Downsample.halfAsFloat(pixels, backend: .vector) == Downsample.halfAsFloat(pixels, backend: .scalar),
                    "\(width)x\(height) seed \(seed)")
        }
        #expect(GaussianPyramid.pyrDown(image, backend: .vector) == GaussianPyramid.referencePyrDown(image),
                "\(width)x\(height) seed \(seed)")
    }

    /// The kernels the QC engine runs (overlay neighbourhood sums, sharpness gradients, field-of-view
    /// tile counts, thumbnail resize, histograms), on random images and on all-white ones (largest
    /// sums, so a 16-bit accumulator overflow would show), in every compilation this CPU can run
    /// (baseline, and x86-64-v3/v4 where supported: see ``CPULevel``).
    @Test("dispatched kernels are bit-exact at every runnable CPU level", arguments: cases())
    func dispatchedKernelsBitExact(width: Int, height: Int, seed: UInt64) {
        let white = GrayImage(width: width, height: height, repeating: 255)
        var rng = SeededGenerator(seed: seed &+ 1)
        let mask = GrayImage(width: width, height: height,
                             samples: (0..<(width * height)).map { _ in UInt8.random(in: 0...3, using: &rng) == 0 ? 0 : 1 })
        // A mask in runs, as a sector minus overlays is: whole words unset (left quarter), set
        // with mixed non-zero bytes (middle), and runs of 1 to 9 that start anywhere (right).
        var runs = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            var x = width / 4, on = true
            while x < width / 2 { runs[y * width + x] = x % 3 == 0 ? 255 : 1; x += 1 }
            while x < width {
                let run = Int.random(in: 1...9, using: &rng)
                for k in x..<min(width, x + run) { runs[y * width + k] = on ? 7 : 0 }
                x += run
                on.toggle()
            }
        }
        let runMask = GrayImage(width: width, height: height, samples: runs)
        for image in [TestImages.randomGray(width: width, height: height, seed: seed), white] {
            let histogram = ImageStatistics.referenceHistogram(image, mask: nil)
            let maskedHistograms = [mask, runMask].map { ImageStatistics.referenceHistogram(image, mask: $0) }
            for level in CPULevel.runnable {
                let tag = "\(width)x\(height) seed \(seed) white \(image == white) \(level)"
                #expect(ImageStatistics.vectorizedHistogram(image, mask: nil, level: level) == histogram, "\(tag)")
                for (m, expected) in zip([mask, runMask], maskedHistograms) {
                    #expect(ImageStatistics.vectorizedHistogram(image, mask: m, level: level) == expected, "\(tag) runs \(m == runMask)")
                }
                for border in BorderMode.allCases {
                    // 8 and 20 take the 32-bit sums.
                    for radius in [0, 1, 3, 7, 8, 20] {
                        #expect(BoxFilter.vectorizedWindowSums(image, radius: radius, border: border, level: level)
                                == BoxFilter.referenceWindowSums(image, radius: radius, border: border), "\(tag) \(border) r \(radius)")
                    }
                }
                for (threshold, block) in [(UInt8(0), 1), (6, 4), (1, 4), (128, 5), (254, 16), (255, 3), (40, 7), (90, 8), (90, 9)] {
                    #expect(Downsample.vectorizedCountAbove(image, threshold: threshold, block: block, level: level)
                            == Downsample.referenceCountAbove(image, threshold: threshold, block: block), "\(tag) t \(threshold) b \(block)")
                }
                // Uneven spans; half width with 2 and 4 rows per output row (a shift instead of a
                // division) and with uneven rows; spans of 4 × 2 and 3 × 2 (a division); whole
                // frame; one pixel.
                for (tw, th) in [(1, 1), ((width + 1) / 2, (height + 1) / 2), (max(1, width * 2 / 5), max(1, height / 3)), (width, height),
                                 (max(1, width / 2), max(1, height / 2)), (max(1, width / 4), max(1, height / 2)),
                                 (max(1, width / 2), max(1, height / 4)), (max(1, width / 3), max(1, height / 2))] {
                    #expect(Downsample.vectorizedArea(image, width: tw, height: th, level: level)
                            == Downsample.referenceArea(image, width: tw, height: th), "\(tag) \(tw)x\(th)")
                }
            }
        }
    }

    /// The medians, the Gaussians, the 8-bit box filter, pyrDown, 2×2 averaging, the integral image and
    /// the 8-bit Sobel and Scharr gradients, whose hot loops are in
    /// the per-CPU kernel modules, at every level this CPU runs: random pixels, a constant image,
    /// all-white (largest sums), and a 0/255 checkerboard (every window mixes the extremes). The
    /// sizes straddle the 16- and 32-lane vector widths (and the row tails they leave).
    @Test("median, Gaussian, box, pyrDown, halving, integral and gradient kernels match the references at every runnable CPU level",
          arguments: cases())
    func filterKernelsAtEveryLevel(width: Int, height: Int, seed: UInt64) {
        let checker = GrayImage(width: width, height: height,
                                samples: (0..<(width * height)).map { ($0 % width + $0 / width) % 2 == 0 ? 0 : 255 })
        let images = [TestImages.randomGray(width: width, height: height, seed: seed),
                      GrayImage(width: width, height: height, repeating: 93),
                      GrayImage(width: width, height: height, repeating: 255), checker]
        for (index, image) in images.enumerated() {
            let median3 = Median.reference3x3(image), median5 = Median.reference5x5(image)
            let boxes = [1, 2, 7].map { BoxFilter.reference(image, radius: $0) }
            let pyramid = GaussianPyramid.referencePyrDown(image)
            let integral = IntegralImage.referenceTable(image)
            let sobelRef = Gradient.referenceSobel(image), scharrRef = Gradient.referenceScharr(image)
            let half = Downsample.reference(image)
            let float = ImageConversion.float(image)
            let blurs = [0.8, 2.5].map { GaussianBlur.reference(float, sigma: $0) }
            let byteBlurs = [0.3, 1.0, 4.0].map { GaussianBlur.reference(image, sigma: $0) }
            for level in CPULevel.runnable {
                let tag = "\(width)x\(height) seed \(seed) image \(index) \(level)"
                #expect(Median.vectorized3x3(image, level: level) == median3, "\(tag)")
                #expect(Median.vectorized5x5(image, level: level) == median5, "\(tag)")
                for (radius, box) in zip([1, 2, 7], boxes) {
                    #expect(BoxFilter.vectorizedSmall(image, radius: radius, level: level) == box, "\(tag) r \(radius)")
                }
                #expect(GaussianPyramid.vectorizedPyrDown(image, level: level) == pyramid, "\(tag)")
                for (sigma, blur) in zip([0.3, 1.0, 4.0], byteBlurs) {
                    #expect(GaussianBlur.vectorized(image, sigma: sigma, level: level) == blur, "\(tag) sigma \(sigma)")
                }
                #expect(IntegralImage.vectorizedTable(image, level: level) == integral, "\(tag)")
                let sobel = Gradient.vectorized(image, side: 1, center: 2, level: level)
                #expect(sobel.dx == sobelRef.dx && sobel.dy == sobelRef.dy, "\(tag) Sobel")
                let scharr = Gradient.vectorized(image, side: 3, center: 10, level: level)
                #expect(scharr.dx == scharrRef.dx && scharr.dy == scharrRef.dy, "\(tag) Scharr")
                #expect(Downsample.vectorized(image, level: level) == half, "\(tag)")
                // Same tolerance as the float Gaussian test above (same taps, mirrored pairs summed first).
                for (sigma, blur) in zip([0.8, 2.5], blurs) {
                    let worst = maxDifference(GaussianBlur.vectorized(float, sigma: sigma, level: level), blur)
                    #expect(worst.value <= 1e-4, "\(tag) sigma \(sigma): \(worst)")
                }
            }
        }
    }

    /// The C shim's CPUID reading agrees with the kernel's own view (/proc/cpuinfo flags), so
    /// the v3/v4 variants really are exercised on a machine that has the features.
    @Test("detected CPU level matches /proc/cpuinfo",
          .enabled(if: FileManager.default.fileExists(atPath: "/proc/cpuinfo"), "needs Linux /proc/cpuinfo"))
    func cpuLevelMatchesProcCpuinfo() throws {
        let text = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return }
        let flags = Set(line.split(separator: " ").map(String.init))
        let v3 = ["avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm", "popcnt"].allSatisfy(flags.contains)
        let v4 = v3 && ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains)
        #expect(CPULevel.supported == (v4 ? .v4 : v3 ? .v3 : .baseline), "flags: \(flags.sorted().joined(separator: " "))")
    }

    /// This machine's level must be runnable and a forced level never exceeds it: a v4 request
    /// on a v3 CPU would otherwise trap on the first AVX-512 instruction.
    @Test("SONOQC_CPU requests are clamped to what the CPU supports")
    func cpuLevelResolution() {
        #expect(CPULevel.runnable.first == .baseline && CPULevel.runnable.last == CPULevel.supported)
        #expect(CPULevel.selected <= CPULevel.supported)
        #expect(CPULevel.resolve(requested: "v4", supported: .v3) == .v3)
        #expect(CPULevel.resolve(requested: "baseline", supported: .v4) == .baseline)
        #expect(CPULevel.resolve(requested: "V3", supported: .v4) == .v3)
        #expect(CPULevel.resolve(requested: "avx9000", supported: .v4) == .v4)
        #expect(CPULevel.resolve(requested: nil, supported: .baseline) == .baseline)
    }

    /// The equivalence tests cannot see which compilation ran (all give the same bits), so this
    /// checks that each level names its own module: a level wired to another level's module
    /// would silently test (and ship) the wrong code.
    @Test("each CPU level dispatches to its own kernel module")
    func cpuLevelKernelModules() {
        #expect(CPULevel.allCases.map { String(reflecting: $0.kernels) }
                == ["SonoKernels.Kernels", "SonoKernelsV3.Kernels", "SonoKernelsV4.Kernels"])
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
