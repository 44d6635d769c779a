import SonoCore

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

    public static func reference(_ image: GrayImage) -> GrayImage {
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

    public static func reference(_ image: FloatImage) -> FloatImage {
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
