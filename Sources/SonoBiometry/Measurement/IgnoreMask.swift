import SonoCore
import SonoFilters

extension FloatImage {
    /// Bilinear sample at (x, y) (pixel centres at integers); nil outside the image. The head
    /// measurer reads its rasters along rays at sub-pixel positions.
    @inline(__always)
    func bilinear(_ x: Double, _ y: Double) -> Float? {
        guard x >= 0, y >= 0, x <= Double(width - 1), y <= Double(height - 1) else { return nil }
        let x0 = min(Int(x), max(width - 2, 0)), y0 = min(Int(y), max(height - 2, 0))
        let fx = Float(x - Double(x0)), fy = Float(y - Double(y0))
        let i = y0 * width + x0
        let x1 = width > 1 ? 1 : 0, y1 = height > 1 ? width : 0
        return withUnsafeSamples { v in
            let top = v[i] + (v[i + x1] - v[i]) * fx
            let bottom = v[i + y1] + (v[i + y1 + x1] - v[i + y1]) * fx
            return top + (bottom - top) * fy
        }
    }
}

/// Pixels the head measurer must ignore (burned-in text, calipers, logos) at one pyramid level.
///
/// Stored as a 0/255 raster so that halving and growing run on SonoFilters' kernels:
/// ``Downsample`` of a 0/255 image is non-zero wherever any of the 2×2 sources was set
/// (one 255 averages to 64), and growing is ``Morphology/dilate(_:radius:backend:)``.
struct IgnoreMask {
    let raster: GrayImage

    /// Marks non-zero pixels of `mask` as ignored.
    init(_ mask: GrayImage) {
        raster = mask.map { $0 != 0 ? 255 : 0 }
    }

    private init(raster: GrayImage) {
        self.raster = raster.map { $0 != 0 ? 255 : 0 }
    }

    var width: Int { raster.width }
    var height: Int { raster.height }

    /// Half resolution (the size ``Downsample/half(_:backend:)`` gives the image): a cell is
    /// ignored when any of its 2×2 sources is.
    func halved() -> IgnoreMask { IgnoreMask(raster: Downsample.half(raster)) }

    /// Scaled by `factor` as ``Resample/scaled(_:by:)`` scales the image: a cell is ignored where
    /// the resampled mask is positive, that is when shrinking wherever any source pixel under it is
    /// ignored, and when enlarging wherever the ignored pixels among its two nearest per axis
    /// outweigh the cubic kernel's small negative lobes.
    func resampled(by factor: Double) -> IgnoreMask {
        let scaled = Resample.scaled(ImageConversion.float(raster), by: factor)
        return IgnoreMask(raster: GrayImage(width: scaled.width, height: scaled.height,
                                            samples: scaled.samples.map { $0 > 0 ? 255 : 0 }))
    }

    /// Grows the ignored area by `radius` pixels (square neighbourhood), so filter responses to
    /// the edges of ignored overlays are dropped too.
    func dilated(radius: Int) -> IgnoreMask {
        guard radius > 0 else { return self }
        return IgnoreMask(raster: Morphology.dilate(raster, radius: radius))
    }

    @inline(__always)
    func isIgnored(index i: Int) -> Bool { raster.samples[i] != 0 }

    @inline(__always)
    func isIgnored(_ x: Double, _ y: Double) -> Bool {
        let xi = nearestInteger(x), yi = nearestInteger(y)
        guard xi >= 0, yi >= 0, xi < width, yi < height else { return true }
        return raster[xi, yi] != 0
    }
}
