public import SonoCore

/// Median filters over 3×3 and 5×5 windows of 8-bit images.
///
/// Borders replicate the edge pixel (`aaa|abc…`), not reflect-101, because that is what
/// OpenCV's `medianBlur` does; the committed fixtures check bit-exact agreement with it.
/// Pure functions; safe to call from any thread.
public enum Median {
    public static func filter3x3(_ image: GrayImage, backend: FilterBackend = .default) -> GrayImage {
        switch backend {
        case .scalar: return reference(image, radius: 1)
        case .vector: return vectorized3x3(image)
        }
    }

    public static func filter5x5(_ image: GrayImage, backend: FilterBackend = .default) -> GrayImage {
        switch backend {
        case .scalar: return reference(image, radius: 2)
        case .vector: return vectorized5x5(image)
        }
    }

    package static func reference3x3(_ image: GrayImage) -> GrayImage { reference(image, radius: 1) }
    package static func reference5x5(_ image: GrayImage) -> GrayImage { reference(image, radius: 2) }

    /// Scalar specification: gather the (2r+1)² window with replicated borders, sort, take the
    /// middle element.
    static func reference(_ image: GrayImage, radius r: Int) -> GrayImage {
        guard !image.isEmpty else { return image }
        let w = image.width, h = image.height
        let src = image.samples
        var out = [UInt8](repeating: 0, count: w * h)
        var window = [UInt8]()
        window.reserveCapacity((2 * r + 1) * (2 * r + 1))
        for y in 0..<h {
            for x in 0..<w {
                window.removeAll(keepingCapacity: true)
                for dy in -r...r {
                    let sy = Border.replicate(y + dy, h)
                    for dx in -r...r {
                        window.append(src[sy * w + Border.replicate(x + dx, w)])
                    }
                }
                window.sort()
                out[y * w + x] = window[window.count / 2]
            }
        }
        return GrayImage(width: w, height: h, samples: out)
    }
}
