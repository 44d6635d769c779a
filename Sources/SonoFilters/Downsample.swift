public import SonoCore

/// Halves an image in each direction by averaging 2×2 blocks (area interpolation).
///
/// The output is `⌈w/2⌉ × ⌈h/2⌉`. A trailing odd row or column is averaged with itself
/// (replicate border), so a 1×1 image maps to itself. For 8-bit images the block mean is
/// rounded half up: `(a + b + c + d + 2) >> 2`, which is what `cv2.resize(…, INTER_AREA)`
/// gives for even sizes. Pure functions; safe to call from any thread.
public enum Downsample {
    public static func half(_ image: GrayImage, backend: FilterBackend = .default) -> GrayImage {
        switch backend {
        case .scalar: return reference(image)
        case .vector: return vectorized(image)
        }
    }

    public static func half(_ image: FloatImage, backend: FilterBackend = .default) -> FloatImage {
        switch backend {
        case .scalar: return reference(image)
        case .vector: return vectorized(image)
        }
    }

    /// `half(ImageConversion.float(image))` without the full-resolution float copy: the head
    /// measurer's first pyramid level. The 2×2 sums of 8-bit samples are exact integers, as the
    /// float sums they replace are (at most 1,020), so the result is the same bit for bit.
    package static func halfAsFloat(_ image: GrayImage, backend: FilterBackend = .default) -> FloatImage {
        switch backend {
        case .scalar: return reference(ImageConversion.float(image))
        case .vector: return vectorizedHalfAsFloat(image)
        }
    }

    /// Counts, per `block × block` tile (the last row/column of tiles may be partial), the samples
    /// above `threshold`: a `⌈w/block⌉ × ⌈h/block⌉` map. Detectors that decide per tile ("is a
    /// quarter of this tile signal?") use it instead of visiting every tile pixel by pixel.
    /// `block` is clamped to 1…255 so a count always fits `UInt16`.
    package static func countAbove(_ image: GrayImage, threshold: UInt8, block: Int,
                                  backend: FilterBackend = .default) -> PixelBuffer<UInt16> {
        let block = min(max(block, 1), 255)
        switch backend {
        case .scalar: return referenceCountAbove(image, threshold: threshold, block: block)
        case .vector: return vectorizedCountAbove(image, threshold: threshold, block: block)
        }
    }

    package static func referenceCountAbove(_ image: GrayImage, threshold: UInt8, block b: Int) -> PixelBuffer<UInt16> {
        let w = image.width, h = image.height
        let bw = (w + b - 1) / b, bh = (h + b - 1) / b
        var out = [UInt16](repeating: 0, count: bw * bh)
        for y in 0..<h {
            for x in 0..<w where image[x, y] > threshold { out[(y / b) * bw + x / b] += 1 }
        }
        return PixelBuffer(width: bw, height: bh, samples: out)
    }

    /// Area-averaging resize to `width × height` (each at least 1, at most the source size):
    /// output pixel `(x, y)` is the mean, rounded down, of source columns
    /// `⌊x·sx⌋ ..< max(⌊x·sx⌋+1, ⌊(x+1)·sx⌋)` and the matching rows, `sx = w/width`. Speckle
    /// averaged this way does not alias into a pattern the way point sampling does (report
    /// thumbnails).
    public static func area(_ image: GrayImage, width: Int, height: Int, backend: FilterBackend = .default) -> GrayImage {
        let width = min(max(width, 1), max(image.width, 1)), height = min(max(height, 1), max(image.height, 1))
        guard !image.isEmpty else { return GrayImage(width: width, height: height, repeating: 0) }
        switch backend {
        case .scalar: return referenceArea(image, width: width, height: height)
        case .vector: return vectorizedArea(image, width: width, height: height)
        }
    }

    /// Source index ranges of ``area(_:width:height:backend:)`` along one axis.
    static func areaSpans(source: Int, target: Int) -> [Range<Int>] {
        let s = Double(source) / Double(target)
        return (0..<target).map { i in
            let lo = Int(Double(i) * s)
            return lo..<max(lo + 1, min(source, Int(Double(i + 1) * s)))
        }
    }

    package static func referenceArea(_ image: GrayImage, width: Int, height: Int) -> GrayImage {
        let xs = areaSpans(source: image.width, target: width), ys = areaSpans(source: image.height, target: height)
        var out = [UInt8](repeating: 0, count: width * height)
        for (y, rows) in ys.enumerated() {
            for (x, columns) in xs.enumerated() {
                var sum = 0
                for yy in rows { for xx in columns { sum += Int(image[xx, yy]) } }
                out[y * width + x] = UInt8(sum / (rows.count * columns.count))
            }
        }
        return GrayImage(width: width, height: height, samples: out)
    }

    package static func reference(_ image: GrayImage) -> GrayImage {
        let w = image.width, h = image.height
        let ow = (w + 1) / 2, oh = (h + 1) / 2
        var out = [UInt8](repeating: 0, count: ow * oh)
        for y in 0..<oh {
            let y0 = 2 * y, y1 = min(2 * y + 1, h - 1)
            for x in 0..<ow {
                let x0 = 2 * x, x1 = min(2 * x + 1, w - 1)
                let sum = Int(image[x0, y0]) + Int(image[x1, y0]) + Int(image[x0, y1]) + Int(image[x1, y1])
                out[y * ow + x] = UInt8((sum + 2) >> 2)
            }
        }
        return GrayImage(width: ow, height: oh, samples: out)
    }

    package static func reference(_ image: FloatImage) -> FloatImage {
        let w = image.width, h = image.height
        let ow = (w + 1) / 2, oh = (h + 1) / 2
        var out = [Float](repeating: 0, count: ow * oh)
        for y in 0..<oh {
            let y0 = 2 * y, y1 = min(2 * y + 1, h - 1)
            for x in 0..<ow {
                let x0 = 2 * x, x1 = min(2 * x + 1, w - 1)
                out[y * ow + x] = ((image[x0, y0] + image[x1, y0]) + (image[x0, y1] + image[x1, y1])) * 0.25
            }
        }
        return FloatImage(width: ow, height: oh, samples: out)
    }
}
