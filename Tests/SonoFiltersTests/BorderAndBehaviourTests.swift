import SonoCore
import Testing
@testable import SonoFilters

@Suite("Borders and kernel behaviour")
struct BorderAndBehaviourTests {
    @Test("reflect-101 mirrors without repeating the edge and handles offsets beyond the image")
    func reflect101Indices() {
        #expect((-3...7).map { Border.reflect101($0, 5) } == [3, 2, 1, 0, 1, 2, 3, 4, 3, 2, 1])
        #expect(Border.reflect101(-9, 3) == 1)  // -9 → 9 → -5 → 5 → -1 → 1
        #expect(Border.reflect101(12, 1) == 0)
    }

    @Test("every kernel keeps a constant image constant, on both backends", arguments: FilterBackend.allCases)
    func constantImagesStayConstant(backend: FilterBackend) {
        for (w, h) in [(1, 1), (1, 9), (9, 1), (37, 5)] {
            let image = GrayImage(width: w, height: h, repeating: 173)
            #expect(GaussianBlur.apply(image, sigma: 2.2, backend: backend) == image)
            #expect(Median.filter5x5(image, backend: backend) == image)
            #expect(BoxFilter.apply(image, radius: 3, backend: backend) == image)
            let sobel = Gradient.sobel(image, backend: backend)
            #expect(sobel.dx.samples.allSatisfy { $0 == 0 } && sobel.dy.samples.allSatisfy { $0 == 0 })
            let float = FloatImage(width: w, height: h, repeating: 80)
            #expect(maxDifference(SRAD.apply(float, iterations: 3, timeStep: 0.2, backend: backend), float).value == 0)
            #expect(maxDifference(LeeFilter.apply(float, radius: 2, backend: backend), float).value < 1e-4)
        }
    }

    @Test("Sobel of a horizontal ramp is 8×slope inside and 0 at reflect-101 left and right borders",
          arguments: FilterBackend.allCases)
    func sobelRampBorders(backend: FilterBackend) {
        let image = GrayImage(width: 20, height: 3) { out in
            for y in 0..<3 { for x in 0..<20 { out[y * 20 + x] = UInt8(3 * x) } }
        }
        let (dx, dy) = Gradient.sobel(image, backend: backend)
        for y in 0..<3 {
            #expect(dx[0, y] == 0 && dx[19, y] == 0)
            for x in 1..<19 { #expect(dx[x, y] == 24) }
        }
        #expect(dy.samples.allSatisfy { $0 == 0 })
    }

    @Test("a single bright pixel in a 1-pixel-wide image blurs symmetrically", arguments: FilterBackend.allCases)
    func gaussianColumnImpulse(backend: FilterBackend) {
        var image = GrayImage(width: 1, height: 21, repeating: 0)
        image[0, 10] = 255
        let out = GaussianBlur.apply(image, sigma: 1.5, backend: backend)
        for k in 1...5 { #expect(out[0, 10 - k] == out[0, 10 + k]) }
        #expect(out[0, 10] > out[0, 9] && out[0, 9] > out[0, 8])
    }

    @Test("median removes isolated salt and keeps a step edge", arguments: FilterBackend.allCases)
    func medianRemovesSalt(backend: FilterBackend) {
        var image = GrayImage(width: 10, height: 6) { out in
            for y in 0..<6 { for x in 0..<10 { out[y * 10 + x] = x < 5 ? 20 : 200 } }
        }
        image[2, 3] = 255
        let out = Median.filter3x3(image, backend: backend)
        #expect(out[2, 3] == 20)
        #expect(out[4, 1] == 20 && out[5, 1] == 200)
    }

    @Test("downsampling halves odd sizes upwards and averages the trailing column with itself",
          arguments: FilterBackend.allCases)
    func downsampleOddSizes(backend: FilterBackend) {
        let image = GrayImage(width: 3, height: 1, samples: [10, 21, 100])
        #expect(Downsample.half(image, backend: backend) == GrayImage(width: 2, height: 1, samples: [16, 100]))
        let one = GrayImage(width: 1, height: 1, samples: [7])
        #expect(Downsample.half(one, backend: backend) == one)
    }

    @Test("a Gaussian pyramid stops at 1×1")
    func pyramidStopsAtOnePixel() {
        let pyramid = GaussianPyramid(TestImages.randomGray(width: 9, height: 4, seed: 3), levelCount: 10)
        #expect(pyramid.levels.map { "\($0.width)x\($0.height)" } == ["9x4", "5x2", "3x1", "2x1", "1x1"])
    }

    @Test("integral image sums match brute force for random rectangles, including clipped ones",
          arguments: [(23, 17), (1, 5), (3, 2), (4, 4), (9, 3), (130, 7), (0, 3), (5, 0)])
    func integralImageSums(width: Int, height: Int) {
        let image = TestImages.randomGray(width: width, height: height, seed: 11)
        for backend in FilterBackend.allCases {
            checkIntegralSums(IntegralImage(image, backend: backend), image, "\(backend)")
        }
    }

    private func checkIntegralSums(_ integral: IntegralImage, _ image: GrayImage, _ backend: String) {
        let width = image.width, height = image.height
        #expect(integral.table.count == (width + 1) * (height + 1), "\(width)x\(height) \(backend)")
        var rng = SeededGenerator(seed: 12)
        for _ in 0..<200 {
            let region = Region(x: Int.random(in: -3...(width + 2), using: &rng), y: Int.random(in: -3...(height + 2), using: &rng),
                                width: Int.random(in: 0...(width + 7), using: &rng), height: Int.random(in: 0...(height + 7), using: &rng))
            let r = region.clipped(width: width, height: height)
            var expected: UInt32 = 0
            for y in r.y..<(r.y + r.height) { for x in r.x..<(r.x + r.width) { expected += UInt32(image[x, y]) } }
            #expect(integral.sum(in: region) == expected, "\(width)x\(height) \(region) \(backend)")
        }
    }

    @Test("percentiles interpolate like NumPy and respect the mask")
    func percentiles() {
        let image = GrayImage(width: 5, height: 1, samples: [10, 20, 30, 40, 250])
        #expect(ImageStatistics.percentile(image, 50) == 30)
        #expect(ImageStatistics.percentile(image, 10) == 14)  // rank 0.4 → 10 + 0.4·10
        #expect(ImageStatistics.percentile(image, 100) == 250)
        #expect(ImageStatistics.percentile(image, 250) == 250)
        let mask = GrayImage(width: 5, height: 1, samples: [1, 1, 0, 0, 0])
        #expect(ImageStatistics.percentile(image, 50, mask: mask) == 15)
        #expect(ImageStatistics.percentile(image, 50, mask: GrayImage(width: 5, height: 1, repeating: 0)) == nil)
    }

    /// Nearest rank against a brute-force sort: the smallest sample with at least p % of the
    /// samples at or below it, for whole and fractional percents and tiny counts.
    @Test("nearest-rank percentiles match the sorted-sample definition")
    func nearestRankPercentiles() {
        var rng = SeededGenerator(seed: 7)
        for n in [1, 2, 3, 19, 20, 21, 100, 1001] {
            let samples = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let image = GrayImage(width: n, height: 1, samples: samples)
            let sorted = samples.sorted()
            for p in [0.0, 1, 5, 12.5, 50, 95, 99, 100] {
                var rank = 1
                while rank < n, Double(rank) * 100 < p * Double(n) { rank += 1 }
                #expect(ImageStatistics.percentile(image, p, rule: .nearestRank) == Double(sorted[rank - 1]), "n \(n) p \(p)")
            }
        }
        // Any histogram length (the head-plane metrics bin grey levels by four).
        #expect(ImageStatistics.percentile(histogram: [0, 3, 0, 2], 50, rule: .nearestRank) == 1)
        #expect(ImageStatistics.percentile(histogram: [0, 3, 0, 3], 50, rule: .nearestRank) == 1)
        #expect(ImageStatistics.percentile(histogram: [0, 2, 0, 3], 50, rule: .nearestRank) == 3)
    }

    /// Explicit borders: the references are the specification, so pin them on hand-computed
    /// values at the image edge.
    @Test("window sums, tile counts and area resize at the borders")
    func qcKernelBorders() {
        let row = GrayImage(width: 4, height: 1, samples: [10, 20, 30, 40])
        // Radius 1 on one row: the row itself is repeated above and below (3 rows), so each sum is
        // 3 × the row sum of (replicate) 10+10+20, 10+20+30, 20+30+40, 30+40+40 or (reflect-101)
        // 20+10+20, …, 30+40+30.
        let replicated: [UInt32] = [120, 180, 270, 330], reflected: [UInt32] = [150, 180, 270, 300]
        #expect(BoxFilter.referenceWindowSums(row, radius: 1, border: .replicate).samples == replicated)
        #expect(BoxFilter.referenceWindowSums(row, radius: 1, border: .reflect101).samples == reflected)
        let tiles = GrayImage(width: 5, height: 3, samples: [7, 7, 0, 0, 9,
                                                             0, 7, 0, 6, 0,
                                                             0, 0, 0, 0, 200])
        let counts: [UInt16] = [3, 0, 1, 0, 0, 1]
        #expect(Downsample.referenceCountAbove(tiles, threshold: 6, block: 2).samples == counts)
        let ramp = GrayImage(width: 5, height: 1, samples: [0, 1, 2, 3, 250])
        let means: [UInt8] = [0, 85]  // [0, 1] → 0; [2, 3, 250] → 85
        #expect(Downsample.referenceArea(ramp, width: 2, height: 1).samples == means)
    }

    @Test("mean and standard deviation are population statistics over the mask overlap")
    func meanAndStd() throws {
        let image = GrayImage(width: 4, height: 1, samples: [2, 4, 4, 6])
        let all = try #require(ImageStatistics.meanStd(image))
        #expect(all.mean == 4 && abs(all.std - 2.0.squareRoot()) < 1e-12)
        let narrowMask = GrayImage(width: 2, height: 1, samples: [1, 1])  // covers only x < 2
        let masked = try #require(ImageStatistics.meanStd(image, mask: narrowMask))
        #expect(masked.mean == 3 && masked.std == 1)
        let float = try #require(ImageStatistics.meanStd(ImageConversion.float(image)))
        #expect(float.mean == 4 && abs(float.std - 2.0.squareRoot()) < 1e-12)
    }

    @Test("SRAD smooths speckle: the coefficient of variation of a homogeneous patch drops",
          arguments: FilterBackend.allCases)
    func sradReducesSpeckle(backend: FilterBackend) throws {
        let image = TestImages.speckleFloat(width: 64, height: 64, seed: 5).map { max($0, 1) }
        let patch = Region(x: 8, y: 8, width: 16, height: 6)  // inside one band of the field
        func cv(_ f: FloatImage) throws -> Double {
            let stats = try #require(ImageStatistics.meanStd(f.cropped(to: patch)))
            return stats.std / stats.mean
        }
        let out = SRAD.apply(image, iterations: 20, timeStep: 0.2, backend: backend)
        #expect(try cv(out) < 0.6 * (try cv(image)))
    }

    @Test("float round trip through 8 bits rounds half to even and saturates")
    func conversions() {
        let float = FloatImage(width: 6, height: 1, samples: [-3, 0.5, 1.5, 254.6, 300, .nan])
        #expect(ImageConversion.gray(float).samples == [0, 0, 2, 255, 255, 0])
        #expect(FloatImage(GrayImage(width: 2, height: 1, samples: [0, 255])).samples == [0, 255])
    }
}

@Suite("Mask dilation")
struct MorphologyTests {
    /// Brute force: set where any pixel within Chebyshev distance `r`, inside the image, is set.
    static func bruteForceDilate(_ mask: GrayImage, radius r: Int) -> GrayImage {
        GrayImage(width: mask.width, height: mask.height) { out in
            for y in 0..<mask.height {
                for x in 0..<mask.width {
                    var set = false
                    for yy in max(0, y - r)...min(mask.height - 1, y + r) {
                        for xx in max(0, x - r)...min(mask.width - 1, x + r) where mask[xx, yy] != 0 { set = true }
                    }
                    out[y * mask.width + x] = set ? 255 : 0
                }
            }
        }
    }

    @Test("dilation sets exactly the clipped square window around set pixels, on both backends",
          arguments: FilterBackend.allCases)
    func dilationMatchesBruteForce(backend: FilterBackend) {
        var rng = SeededGenerator(seed: 7)
        for (w, h) in [(1, 1), (1, 9), (9, 1), (23, 17), (64, 40)] {
            // Sparse set pixels of different values (1, 255, ...) so corners, edges and merges all occur.
            let mask = GrayImage(width: w, height: h) { out in
                for i in 0..<(w * h) { out[i] = rng.next() % 17 == 0 ? UInt8(1 + rng.next() % 255) : 0 }
            }
            for r in [0, 1, 2, 8, 12] {
                #expect(Morphology.dilate(mask, radius: r, backend: backend) == Self.bruteForceDilate(mask, radius: r),
                        "\(w)x\(h) r=\(r)")
            }
        }
    }

    @Test("a single pixel in a large window survives dilation (a rounded box mean would drop it)")
    func singlePixelLargeRadius() {
        var mask = GrayImage(width: 60, height: 60, repeating: 0)
        mask[30, 30] = 255
        let grown = Morphology.dilate(mask, radius: 12)
        #expect(grown[18, 18] == 255 && grown[42, 42] == 255)
        #expect(grown[17, 30] == 0 && grown[43, 30] == 0)
        #expect(grown.samples.filter { $0 != 0 }.count == 25 * 25)
    }
}
