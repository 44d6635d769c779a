import SonoCore
import SonoFilters

/// One measured operation: the same list drives the package-benchmark suites and the
/// `filter-timer` used by the OpenCV peer comparison, so both always time the same calls.
public struct FilterCase: Sendable {
    /// Stable identifier, shared with Benchmarks/peers/compare.py.
    public let name: String
    /// Integer kernels carry the "≥ OpenCV" target; float kernels are compared for information.
    public let isInteger: Bool
    /// Runs the operation once on the prepared inputs and returns a value derived from the
    /// output, so the optimiser cannot drop the work.
    public let run: @Sendable (FilterBackend) -> Int
}

public enum FilterCases {
    public static let sradIterations = 10
    public static let sradTimeStep: Float = 0.1

    public static func all(for image: GrayImage) -> [FilterCase] {
        let float = ImageConversion.float(image)
        let sobel = Gradient.sobel(image)
        @Sendable func checksum(_ g: GrayImage) -> Int { Int(g.samples[g.samples.count / 2]) }
        @Sendable func checksum(_ f: FloatImage) -> Int { Int(f.samples[f.samples.count / 2]) }
        return [
            FilterCase(name: "median3x3", isInteger: true) { checksum(Median.filter3x3(image, backend: $0)) },
            FilterCase(name: "median5x5", isInteger: true) { checksum(Median.filter5x5(image, backend: $0)) },
            FilterCase(name: "gaussian_u8_s1", isInteger: true) { checksum(GaussianBlur.apply(image, sigma: 1, backend: $0)) },
            FilterCase(name: "gaussian_u8_s2", isInteger: true) { checksum(GaussianBlur.apply(image, sigma: 2, backend: $0)) },
            FilterCase(name: "gaussian_f32_s1.5", isInteger: false) { checksum(GaussianBlur.apply(float, sigma: 1.5, backend: $0)) },
            FilterCase(name: "detail_u8_s2", isInteger: false) { checksum(DetailLayer.apply(image, mask: nil, sigma: 2, backend: $0)) },
            FilterCase(name: "box_u8_r2", isInteger: true) { checksum(BoxFilter.apply(image, radius: 2, backend: $0)) },
            FilterCase(name: "integral_u8", isInteger: true) { Int(IntegralImage(image, backend: $0).table.last ?? 0) },
            FilterCase(name: "downsample_half_u8", isInteger: true) { checksum(Downsample.half(image, backend: $0)) },
            FilterCase(name: "pyrdown_u8", isInteger: true) { checksum(GaussianPyramid.pyrDown(image, backend: $0)) },
            FilterCase(name: "sobel_u8", isInteger: true) { backend in
                let g = Gradient.sobel(image, backend: backend)
                return Int(g.dx.samples[g.dx.samples.count / 2]) + Int(g.dy.samples[7])
            },
            FilterCase(name: "scharr_u8", isInteger: true) { backend in
                let g = Gradient.scharr(image, backend: backend)
                return Int(g.dx.samples[g.dx.samples.count / 2]) + Int(g.dy.samples[7])
            },
            FilterCase(name: "magnitude_s16", isInteger: false) {
                checksum(Gradient.magnitude(dx: sobel.dx, dy: sobel.dy, backend: $0))
            },
            FilterCase(name: "histogram_u8", isInteger: true) { ImageStatistics.histogram(image, backend: $0)[128] },
            FilterCase(name: "srad_f32_i10", isInteger: false) {
                checksum(SRAD.apply(float, iterations: sradIterations, timeStep: sradTimeStep, backend: $0))
            },
            FilterCase(name: "lee_f32_r2", isInteger: false) { checksum(LeeFilter.apply(float, radius: 2, backend: $0)) },
            // The head measurer's skull-ridge map (there on a ~1/4-scale copy): three blurs and the
            // Hessian ridge accumulation.
            FilterCase(name: "hessian_ridge_f32", isInteger: false) {
                checksum(HessianRidge.brightBands(float, sigmas: [1.0, 1.6, 2.5], backend: $0).strength)
            },
        ]
    }
}
