import SonoCore
import Testing
@testable import SonoFilters

/// Cross-checks against OpenCV outputs committed in Fixtures/ (scripts/make-filter-fixtures.py).
/// Both backends are checked so the vector path is held to OpenCV directly, not only to the
/// scalar reference.
@Suite("OpenCV fixtures")
struct OpenCVFixtureTests {
    @Test("median 3×3 and 5×5 match cv2.medianBlur bit for bit", arguments: Fixtures.inputs, FilterBackend.allCases)
    func medianMatchesOpenCV(input: String, backend: FilterBackend) throws {
        let image = try Fixtures.gray("\(input)_input")
        #expect(Median.filter3x3(image, backend: backend) == (try Fixtures.gray("\(input)_median3")))
        #expect(Median.filter5x5(image, backend: backend) == (try Fixtures.gray("\(input)_median5")))
    }

    @Test("8-bit Gaussian matches cv2.GaussianBlur bit for bit for every sigma",
          arguments: Fixtures.inputs, FilterBackend.allCases)
    func gaussianWithinOneLevelOfOpenCV(input: String, backend: FilterBackend) throws {
        let image = try Fixtures.gray("\(input)_input")
        for sigma in [0.5, 0.8, 1.0, 1.5, 2.0, 3.0] {
            let expected = try Fixtures.gray("\(input)_gauss_s\(formatSigma(sigma))")
            let actual = GaussianBlur.apply(image, sigma: sigma, backend: backend)
            let worst = maxDifference(actual, expected)
            #expect(worst.value == 0, "sigma \(sigma): off by \(worst.value) at (\(worst.x), \(worst.y))")
        }
    }

    @Test("float Gaussian matches cv2.GaussianBlur on float32 within 1e-3",
          arguments: Fixtures.inputs, FilterBackend.allCases)
    func floatGaussianMatchesOpenCV(input: String, backend: FilterBackend) throws {
        let image = ImageConversion.float(try Fixtures.gray("\(input)_input"))
        let worst = maxDifference(GaussianBlur.apply(image, sigma: 1.5, backend: backend),
                                  try Fixtures.float("\(input)_gaussf_s1.5"))
        #expect(worst.value <= 1e-3, "off by \(worst.value) at (\(worst.x), \(worst.y))")
    }

    @Test("Sobel and Scharr match cv2.Sobel/cv2.Scharr (CV_16S) exactly", arguments: Fixtures.inputs, FilterBackend.allCases)
    func gradientsMatchOpenCV(input: String, backend: FilterBackend) throws {
        let image = try Fixtures.gray("\(input)_input")
        let sobel = Gradient.sobel(image, backend: backend)
        #expect(sobel.dx == (try Fixtures.int16("\(input)_sobel_dx")))
        #expect(sobel.dy == (try Fixtures.int16("\(input)_sobel_dy")))
        let scharr = Gradient.scharr(image, backend: backend)
        #expect(scharr.dx == (try Fixtures.int16("\(input)_scharr_dx")))
        #expect(scharr.dy == (try Fixtures.int16("\(input)_scharr_dy")))
        let float = Gradient.sobel(ImageConversion.float(image), backend: backend)
        #expect(maxDifference(float.dx, try Fixtures.float("\(input)_sobelf_dx")).value == 0)
        #expect(maxDifference(float.dy, try Fixtures.float("\(input)_sobelf_dy")).value == 0)
    }

    @Test("pyrDown matches cv2.pyrDown exactly", arguments: Fixtures.inputs, FilterBackend.allCases)
    func pyrDownMatchesOpenCV(input: String, backend: FilterBackend) throws {
        let image = try Fixtures.gray("\(input)_input")
        #expect(GaussianPyramid.pyrDown(image, backend: backend) == (try Fixtures.gray("\(input)_pyrdown")))
    }

    @Test("box filter matches cv2.blur exactly", arguments: Fixtures.inputs, FilterBackend.allCases)
    func boxMatchesOpenCV(input: String, backend: FilterBackend) throws {
        let image = try Fixtures.gray("\(input)_input")
        let worst = maxDifference(BoxFilter.apply(image, radius: 2, backend: backend), try Fixtures.gray("\(input)_box_r2"))
        #expect(worst.value == 0, "off by \(worst.value) at (\(worst.x), \(worst.y))")
    }

    @Test("half-size downsampling matches cv2.resize INTER_AREA on even sizes",
          arguments: ["s37x23", "s64x41"], FilterBackend.allCases)
    func downsampleMatchesOpenCV(input: String, backend: FilterBackend) throws {
        let crop = try Fixtures.gray("\(input)_areacrop")
        #expect(Downsample.half(crop, backend: backend) == (try Fixtures.gray("\(input)_area")))
    }

    /// SRAD is checked against a float64 NumPy transcription of the paper's equations. Tolerance:
    /// 0.05 grey levels on a 0…255 image after up to 10 iterations; the two differ only by
    /// float32 vs float64 rounding, which the iterations amplify slightly.
    @Test("SRAD agrees with the NumPy reference within 0.05 levels",
          arguments: ["s37x23", "s64x41"], FilterBackend.allCases)
    func sradMatchesNumPy(input: String, backend: FilterBackend) throws {
        let image = ImageConversion.float(try Fixtures.gray("\(input)_input"))
        for (iterations, timeStep, tag) in [(10, Float(0.1), "i10_dt0.1"), (5, Float(0.25), "i5_dt0.25")] {
            let expected = try Fixtures.float("\(input)_srad_\(tag)")
            let worst = maxDifference(SRAD.apply(image, iterations: iterations, timeStep: timeStep, backend: backend), expected)
            #expect(worst.value <= 0.05, "\(tag): off by \(worst.value) at (\(worst.x), \(worst.y))")
        }
    }

    @Test("Lee filter agrees with the NumPy reference within 0.01 levels",
          arguments: ["s37x23", "s64x41"], FilterBackend.allCases)
    func leeMatchesNumPy(input: String, backend: FilterBackend) throws {
        let image = ImageConversion.float(try Fixtures.gray("\(input)_input"))
        for radius in [1, 2] {
            let worst = maxDifference(LeeFilter.apply(image, radius: radius, backend: backend),
                                      try Fixtures.float("\(input)_lee_r\(radius)"))
            #expect(worst.value <= 0.01, "radius \(radius): off by \(worst.value) at (\(worst.x), \(worst.y))")
        }
    }

    private func formatSigma(_ sigma: Double) -> String {
        sigma == sigma.rounded() ? String(Int(sigma)) : String(sigma)
    }
}
