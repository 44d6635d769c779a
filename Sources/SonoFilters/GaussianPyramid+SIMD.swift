import SonoCore

/// Vectorised `pyrDown`: `Kernels.pyrDown` (Sources/SonoKernels), compiled per ``CPULevel``; the
/// vertical pass `a + 4b + 6c + 4d + e` into a padded 16-bit row, then 16 outputs at a time from
/// its even and odd entries, in exactly the reference's integers.
extension GaussianPyramid {
    static func vectorizedPyrDown(_ image: GrayImage, level: CPULevel = .selected) -> GrayImage {
        guard !image.isEmpty else { return image }
        let w = image.width, h = image.height
        let ow = (w + 1) / 2, oh = (h + 1) / 2
        // Padded by 2 on the left and up to 2·ow + 2 entries past that on the right.
        let pw = 2 * ow + 4
        let rowTable = Border.reflect101Table(count: h, radius: 2)
        let columnTable = (0..<pw).map { Border.reflect101($0 - 2, w) }
        var padded = [UInt16](repeating: 0, count: pw)
        return GrayImage(width: ow, height: oh) { out in
            image.withUnsafeSamples { src in
                level.kernels.pyrDown(src.baseAddress!, width: w, height: h, rowTable: rowTable, columnTable: columnTable,
                                      padded: &padded, out: out.baseAddress!)
            }
        }
    }
}
