import SonoCore

// Temporary: vector paths not yet written forward to the scalar references. Each function
// moves to its `X+SIMD.swift` file as the vector version lands; this file then disappears.
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
