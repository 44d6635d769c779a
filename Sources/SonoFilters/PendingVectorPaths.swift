import SonoCore

// Temporary: vector paths not yet written forward to the scalar references. Each function
// moves to its `X+SIMD.swift` file as the vector version lands; this file then disappears.
extension BoxFilter {
    static func vectorized(_ image: GrayImage, radius: Int) -> GrayImage { reference(image, radius: radius) }
    static func vectorized(_ image: FloatImage, radius: Int) -> FloatImage { reference(image, radius: radius) }
}
extension Downsample {
    static func vectorized(_ image: GrayImage) -> GrayImage { reference(image) }
    static func vectorized(_ image: FloatImage) -> FloatImage { reference(image) }
}
extension GaussianPyramid {
    static func vectorizedPyrDown(_ image: GrayImage) -> GrayImage { referencePyrDown(image) }
}
extension Gradient {
    static func vectorized(_ image: GrayImage, side: Int, center: Int) -> (dx: PixelBuffer<Int16>, dy: PixelBuffer<Int16>) {
        reference(image, side: side, center: center)
    }
    static func vectorized(_ image: FloatImage) -> (dx: FloatImage, dy: FloatImage) { reference(image) }
    static func vectorizedMagnitude(dx: PixelBuffer<Int16>, dy: PixelBuffer<Int16>) -> FloatImage {
        referenceMagnitude(dx: dx, dy: dy)
    }
}
extension SRAD {
    static func vectorized(_ image: FloatImage, iterations: Int, timeStep: Float) -> FloatImage {
        reference(image, iterations: iterations, timeStep: timeStep)
    }
}
extension LeeFilter {
    static func vectorized(_ image: FloatImage, radius: Int, speckleScaleSquared: Double?) -> FloatImage {
        reference(image, radius: radius, speckleScaleSquared: speckleScaleSquared)
    }
}
extension ImageStatistics {
    static func vectorizedHistogram(_ image: GrayImage, mask: GrayImage?) -> [Int] { referenceHistogram(image, mask: mask) }
}
