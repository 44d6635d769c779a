import SonoCore

/// Vector Gaussian blurs: `Kernels.gaussianU8` and `Kernels.gaussianF32` (Sources/SonoKernels),
/// compiled per ``CPULevel``. Per output row a vertical pass over the `2r+1` source rows into a
/// padded intermediate row, then a horizontal pass over that row; mirror taps are equal, so each
/// pass adds the two mirrored inputs first and multiplies once. The 8-bit arithmetic is exactly the
/// reference's integers (see the kernel for why 16-bit lanes suffice), so it is bit-identical.
extension GaussianBlur {
    static func vectorized(_ image: GrayImage, sigma: Double, level: CPULevel = .selected) -> GrayImage {
        let r = radius(sigma: sigma)
        guard r > 0, !image.isEmpty else { return image }
        let taps = fixedPointKernel(sigma: sigma).prefix(r + 1).map { UInt16($0) }
        let w = image.width, h = image.height
        let rowTable = Border.reflect101Table(count: h, radius: r), columnTable = Border.reflect101Table(count: w, radius: r)
        var vertical = [UInt16](repeating: 0, count: w + 2 * r), result = [UInt16](repeating: 0, count: w)
        return GrayImage(width: w, height: h) { out in
            image.withUnsafeSamples { src in
                level.kernels.gaussianU8(src.baseAddress!, width: w, height: h, radius: r, taps: taps, rowTable: rowTable,
                                         columnTable: columnTable, vertical: &vertical, result: &result, out: out.baseAddress!)
            }
        }
    }

    /// The float blur runs `Kernels.gaussianF32` (Sources/SonoKernels), compiled per ``CPULevel``.
    static func vectorized(_ image: FloatImage, sigma: Double, level: CPULevel = .selected) -> FloatImage {
        let r = radius(sigma: sigma)
        guard r > 0, !image.isEmpty else { return image }
        let taps = kernel(sigma: sigma).prefix(r + 1).map { Float($0) }
        let w = image.width, h = image.height
        let rowTable = Border.reflect101Table(count: h, radius: r), columnTable = Border.reflect101Table(count: w, radius: r)
        var padded = [Float](repeating: 0, count: w + 2 * r)
        return FloatImage(width: w, height: h) { out in
            image.withUnsafeSamples { src in
                level.kernels.gaussianF32(src.baseAddress!, width: w, height: h, radius: r, taps: taps, rowTable: rowTable,
                                          columnTable: columnTable, padded: &padded, out: out.baseAddress!)
            }
        }
    }
}
