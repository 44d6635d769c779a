public import SonoCore

/// Summed-area table of an 8-bit image, for constant-time rectangle sums.
///
/// Entry `(x, y)` of the `(width+1)×(height+1)` table is the sum of all pixels above and to
/// the left of pixel `(x, y)`. Entries are `UInt32` with wrapping arithmetic: a table entry may
/// wrap for images above 16.8 megapixels, but any rectangle sum below 2³² is still exact
/// because the wrap cancels in modular subtraction.
public struct IntegralImage: Sendable {
    public let width: Int
    public let height: Int
    /// Row-major `(width+1)×(height+1)` table.
    public let table: [UInt32]

    public init(_ image: GrayImage, backend: FilterBackend = .default) {
        self.init(image, table: backend == .scalar ? Self.referenceTable(image) : Self.vectorizedTable(image, level: .selected))
    }

    init(_ image: GrayImage, table: [UInt32]) {
        width = image.width
        height = image.height
        self.table = table
    }

    /// Scalar specification: each entry is the row's running sum plus the entry above.
    package static func referenceTable(_ image: GrayImage) -> [UInt32] {
        let w = image.width, stride = w + 1
        var t = [UInt32](repeating: 0, count: stride * (image.height + 1))
        for y in 0..<image.height {
            var rowSum: UInt32 = 0
            for x in 0..<w {
                rowSum &+= UInt32(image[x, y])
                t[(y + 1) * stride + x + 1] = rowSum &+ t[y * stride + x + 1]
            }
        }
        return t
    }

    /// `Kernels.integral` (Sources/SonoKernels), compiled per ``CPULevel``: the running row sum
    /// as one dependent vector add per 16 pixels, the rest vectorised (see the kernel).
    static func vectorizedTable(_ image: GrayImage, level: CPULevel) -> [UInt32] {
        let w = image.width, h = image.height
        guard w > 0, h > 0 else { return [UInt32](repeating: 0, count: (w + 1) * (h + 1)) }
        return [UInt32](unsafeUninitializedCapacity: (w + 1) * (h + 1)) { table, count in
            image.withUnsafeSamples { src in
                level.kernels.integral(src.baseAddress!, width: w, height: h, table: table.baseAddress!)
            }
            count = (w + 1) * (h + 1)
        }
    }

    /// Sum of the pixels in `region`, clipped to the image (an empty region sums to 0).
    public func sum(in region: Region) -> UInt32 {
        let r = region.clipped(width: width, height: height)
        let stride = width + 1
        let x0 = r.x, y0 = r.y, x1 = r.x + r.width, y1 = r.y + r.height
        return table[y1 * stride + x1] &- table[y0 * stride + x1] &- table[y1 * stride + x0]
            &+ table[y0 * stride + x0]
    }

    /// Mean of the pixels in `region` (clipped), or nil when the clipped region is empty.
    public func mean(in region: Region) -> Double? {
        let r = region.clipped(width: width, height: height)
        guard r.width > 0, r.height > 0 else { return nil }
        return Double(sum(in: r)) / Double(r.width * r.height)
    }
}
