public import SonoCore

/// First-derivative filters: 3×3 Sobel and Scharr, with reflect-101 borders.
///
/// `dx` responds to intensity increasing to the right, `dy` to intensity increasing
/// downwards (origin top-left). The 8-bit kernels return `Int16` exactly as
/// `cv2.Sobel(src, cv2.CV_16S, 1, 0, ksize=3)` / `cv2.Scharr` do (Sobel magnitudes reach 1020,
/// Scharr 4080, so nothing saturates). Sobel: `[-1 0 1] ⊗ [1 2 1]ᵀ`; Scharr: `[-1 0 1] ⊗ [3 10 3]ᵀ`.
/// Pure functions; safe to call from any thread.
public enum Gradient {
    public static func sobel(_ image: GrayImage, backend: FilterBackend = .default)
        -> (dx: PixelBuffer<Int16>, dy: PixelBuffer<Int16>) {
        switch backend {
        case .scalar: return reference(image, side: 1, center: 2)
        case .vector: return vectorized(image, side: 1, center: 2)
        }
    }

    public static func scharr(_ image: GrayImage, backend: FilterBackend = .default)
        -> (dx: PixelBuffer<Int16>, dy: PixelBuffer<Int16>) {
        switch backend {
        case .scalar: return reference(image, side: 3, center: 10)
        case .vector: return vectorized(image, side: 3, center: 10)
        }
    }

    /// Sum and count of the central-difference slope `√(dx² + dy²) / 2` over the pixels that are
    /// analysed (mask non-zero) together with their four neighbours, so no difference straddles a
    /// mask edge; the outermost rows and columns are never counted. The sum's order is fixed, the
    /// same for both backends and every ``CPULevel`` (bit-identical results): per row, eight lane
    /// sums (lane `(x − 1) mod 8`, in `x` order) added in lane order, then the rows in order.
    public static func maskedSlopeSum(_ image: GrayImage, mask: [UInt8], backend: FilterBackend = .default)
        -> (sum: Double, count: Int) {
        maskedSlopeSum(image, mask: mask, backend: backend, level: .selected)
    }

    /// ``maskedSlopeSum(_:mask:backend:)`` with the vector kernel's ``CPULevel`` pinned (tests).
    static func maskedSlopeSum(_ image: GrayImage, mask: [UInt8], backend: FilterBackend, level: CPULevel)
        -> (sum: Double, count: Int) {
        let w = image.width, h = image.height
        precondition(mask.count == w * h, "mask has \(mask.count) bytes for a \(w)x\(h) image")
        guard w > 2, h > 2 else { return (0, 0) }
        var rowSums = [Double](repeating: 0, count: h), rowCounts = [Int](repeating: 0, count: h)
        image.withUnsafeSamples { px in
            mask.withUnsafeBufferPointer { m in
                switch backend {
                case .vector:
                    var scratch = [Double](repeating: 0, count: w)
                    level.kernels.maskedSlopeSums(px.baseAddress!, mask: m.baseAddress!, width: w, height: h, scratch: &scratch,
                                                  rowSums: &rowSums, rowCounts: &rowCounts)
                case .scalar:
                    for y in 1..<(h - 1) {
                        var lanes = [Double](repeating: 0, count: 8)
                        for x in 1..<(w - 1) {
                            let i = y * w + x
                            guard m[i] != 0, m[i - 1] != 0, m[i + 1] != 0, m[i - w] != 0, m[i + w] != 0 else { continue }
                            let gx = Int(px[i + 1]) - Int(px[i - 1]), gy = Int(px[i + w]) - Int(px[i - w])
                            lanes[(x - 1) % 8] += (Double(gx * gx + gy * gy) / 4).squareRoot()
                            rowCounts[y] += 1
                        }
                        rowSums[y] = lanes.reduce(0, +)
                    }
                }
            }
        }
        return (rowSums.reduce(0, +), rowCounts.reduce(0, +))
    }

    /// Sobel on floats (same kernel, single precision).
    public static func sobel(_ image: FloatImage, backend: FilterBackend = .default)
        -> (dx: FloatImage, dy: FloatImage) {
        switch backend {
        case .scalar: return reference(image)
        case .vector: return vectorized(image)
        }
    }

    /// `sqrt(dx² + dy²)` per pixel. If the sizes differ, the result covers their common
    /// top-left overlap.
    public static func magnitude(dx: PixelBuffer<Int16>, dy: PixelBuffer<Int16>,
                                 backend: FilterBackend = .default) -> FloatImage {
        switch backend {
        case .scalar: return referenceMagnitude(dx: dx, dy: dy)
        case .vector: return vectorizedMagnitude(dx: dx, dy: dy)
        }
    }

    /// `sqrt(dx² + dy²)` per pixel for float gradients (common overlap if sizes differ).
    public static func magnitude(dx: FloatImage, dy: FloatImage) -> FloatImage {
        let w = min(dx.width, dy.width), h = min(dx.height, dy.height)
        return FloatImage(width: w, height: h) { out in
            dx.withUnsafeSamples { a in
                dy.withUnsafeSamples { b in
                    for y in 0..<h {
                        for x in 0..<w {
                            let p = a[y * dx.width + x], q = b[y * dy.width + x]
                            out[y * w + x] = (p * p + q * q).squareRoot()
                        }
                    }
                }
            }
        }
    }

    package static func referenceSobel(_ image: GrayImage) -> (dx: PixelBuffer<Int16>, dy: PixelBuffer<Int16>) {
        reference(image, side: 1, center: 2)
    }

    package static func referenceScharr(_ image: GrayImage) -> (dx: PixelBuffer<Int16>, dy: PixelBuffer<Int16>) {
        reference(image, side: 3, center: 10)
    }

    /// Scalar specification: direct 3×3 correlation with `[-1 0 1]` across and
    /// `[side center side]` along the other axis.
    static func reference(_ image: GrayImage, side: Int, center: Int)
        -> (dx: PixelBuffer<Int16>, dy: PixelBuffer<Int16>) {
        let w = image.width, h = image.height
        var dx = [Int16](repeating: 0, count: w * h), dy = dx
        let s = image.samples
        let weights = [side, center, side]
        for y in 0..<h {
            for x in 0..<w {
                var gx = 0, gy = 0
                for k in 0..<3 {
                    let yy = Border.reflect101(y + k - 1, h)
                    let xx = Border.reflect101(x + k - 1, w)
                    let left = Int(s[yy * w + Border.reflect101(x - 1, w)])
                    let right = Int(s[yy * w + Border.reflect101(x + 1, w)])
                    let up = Int(s[Border.reflect101(y - 1, h) * w + xx])
                    let down = Int(s[Border.reflect101(y + 1, h) * w + xx])
                    gx += weights[k] * (right - left)
                    gy += weights[k] * (down - up)
                }
                dx[y * w + x] = Int16(gx)
                dy[y * w + x] = Int16(gy)
            }
        }
        return (PixelBuffer(width: w, height: h, samples: dx), PixelBuffer(width: w, height: h, samples: dy))
    }

    package static func reference(_ image: FloatImage) -> (dx: FloatImage, dy: FloatImage) {
        let w = image.width, h = image.height
        var dx = [Float](repeating: 0, count: w * h), dy = dx
        let s = image.samples
        let weights: [Float] = [1, 2, 1]
        for y in 0..<h {
            for x in 0..<w {
                var gx: Float = 0, gy: Float = 0
                for k in 0..<3 {
                    let yy = Border.reflect101(y + k - 1, h)
                    let xx = Border.reflect101(x + k - 1, w)
                    gx += weights[k] * (s[yy * w + Border.reflect101(x + 1, w)] - s[yy * w + Border.reflect101(x - 1, w)])
                    gy += weights[k] * (s[Border.reflect101(y + 1, h) * w + xx] - s[Border.reflect101(y - 1, h) * w + xx])
                }
                dx[y * w + x] = gx
                dy[y * w + x] = gy
            }
        }
        return (FloatImage(width: w, height: h, samples: dx), FloatImage(width: w, height: h, samples: dy))
    }

    static func referenceMagnitude(dx: PixelBuffer<Int16>, dy: PixelBuffer<Int16>) -> FloatImage {
        let w = min(dx.width, dy.width), h = min(dx.height, dy.height)
        var out = [Float](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                let a = Float(dx[x, y]), b = Float(dy[x, y])
                out[y * w + x] = (a * a + b * b).squareRoot()
            }
        }
        return FloatImage(width: w, height: h, samples: out)
    }
}
