public import SonoCore

/// Normalised box (mean) filter over a (2r+1)×(2r+1) window with reflect-101 borders.
///
/// The 8-bit result is `(sum + n/2) / n` with `n = (2r+1)²` (n is odd, so there are no ties
/// and this equals OpenCV's `blur` rounding). A radius of 0 or less returns the image; radii
/// above ``maximumRadius`` are clamped to it (so a wild parameter cannot allocate gigabytes).
/// Pure functions; safe to call from any thread.
public enum BoxFilter {
    package static let maximumRadius = 1000

    public static func apply(_ image: GrayImage, radius: Int, backend: FilterBackend = .default) -> GrayImage {
        let radius = min(radius, maximumRadius)
        switch backend {
        case .scalar: return reference(image, radius: radius)
        case .vector: return vectorized(image, radius: radius)
        }
    }

    public static func apply(_ image: FloatImage, radius: Int, backend: FilterBackend = .default) -> FloatImage {
        let radius = min(radius, maximumRadius)
        switch backend {
        case .scalar: return reference(image, radius: radius)
        case .vector: return vectorized(image, radius: radius)
        }
    }

    /// Unnormalised window sums: entry `(x, y)` is the sum of the `(2r+1)²` samples around
    /// `(x, y)` under `border`. Detectors that compare a pixel with its neighbourhood mean use
    /// these to stay in exact integers (`v·n − sum ≥ k·n`) instead of a rounded mean. A radius of
    /// 0 or less gives the samples themselves; radii above ``maximumRadius`` are clamped.
    package static func windowSums(_ image: GrayImage, radius: Int, border: BorderMode = .reflect101,
                                  backend: FilterBackend = .default) -> PixelBuffer<UInt32> {
        let radius = max(0, min(radius, maximumRadius))
        switch backend {
        case .scalar: return referenceWindowSums(image, radius: radius, border: border)
        case .vector: return vectorizedWindowSums(image, radius: radius, border: border)
        }
    }

    /// Scalar specification of ``windowSums(_:radius:border:backend:)``: ``windowSum(_:x:y:radius:border:)``
    /// at every pixel.
    package static func referenceWindowSums(_ image: GrayImage, radius r: Int, border: BorderMode) -> PixelBuffer<UInt32> {
        let w = image.width, h = image.height
        var out = [UInt32](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w { out[y * w + x] = windowSum(image, x: x, y: y, radius: r, border: border) }
        }
        return PixelBuffer(width: w, height: h, samples: out)
    }

    /// The window sum at one pixel, `(x, y)` inside the image: for detectors that need it only at
    /// a few pixels (the overlay detector's near-white ones), where filtering the frame would
    /// cost more than it saves.
    ///
    /// Away from the edges every border mode maps each index to itself, so the window is summed
    /// row by row without mapping: two index mappings per sample cost 10 M instructions on 20 HC18
    /// frames (0.45 % of `analyze --no-html`, `scripts/instr-ab.sh`).
    @inline(__always)
    package static func windowSum(_ image: GrayImage, x: Int, y: Int, radius r: Int, border: BorderMode) -> UInt32 {
        let w = image.width, h = image.height
        return image.withUnsafeSamples { src in
            var sum: UInt32 = 0
            if x >= r, y >= r, x + r < w, y + r < h, let base = src.baseAddress {
                for yy in (y - r)...(y + r) {
                    let row = base + yy * w
                    for xx in (x - r)...(x + r) { sum += UInt32(row[xx]) }
                }
                return sum
            }
            for dy in -r...r {
                let row = border.index(y + dy, h) * w
                for dx in -r...r { sum += UInt32(src[row + border.index(x + dx, w)]) }
            }
            return sum
        }
    }

    /// Scalar specification: sum the whole window for every pixel.
    package static func reference(_ image: GrayImage, radius r: Int) -> GrayImage {
        guard r > 0, !image.isEmpty else { return image }
        let w = image.width, h = image.height, src = image.samples
        let n = (2 * r + 1) * (2 * r + 1)
        var out = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                var sum = 0
                for dy in -r...r {
                    let row = Border.reflect101(y + dy, h) * w
                    for dx in -r...r { sum += Int(src[row + Border.reflect101(x + dx, w)]) }
                }
                out[y * w + x] = UInt8((sum + n / 2) / n)
            }
        }
        return GrayImage(width: w, height: h, samples: out)
    }

    /// Scalar specification for floats (window summed in double precision).
    package static func reference(_ image: FloatImage, radius r: Int) -> FloatImage {
        guard r > 0, !image.isEmpty else { return image }
        let w = image.width, h = image.height, src = image.samples
        let n = Double((2 * r + 1) * (2 * r + 1))
        var out = [Float](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                var sum = 0.0
                for dy in -r...r {
                    let row = Border.reflect101(y + dy, h) * w
                    for dx in -r...r { sum += Double(src[row + Border.reflect101(x + dx, w)]) }
                }
                out[y * w + x] = Float(sum / n)
            }
        }
        return FloatImage(width: w, height: h, samples: out)
    }
}
