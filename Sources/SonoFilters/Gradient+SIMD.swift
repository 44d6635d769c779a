import SonoCore

/// Vector Sobel/Scharr: `Kernels.gradient3x3` (Sources/SonoKernels), compiled per ``CPULevel``
/// (16 `Int16` lanes per AVX2 register at v3/v4, 8 in the portable build), each interior pixel
/// from its nine neighbours in wrapping `Int16`, the border columns reflect-101. All values fit
/// `Int16` (|Scharr| ≤ 4080), so the arithmetic is exactly the reference's.
extension Gradient {
    static func vectorized(_ image: GrayImage, side: Int, center: Int, level: CPULevel = .selected)
        -> (dx: PixelBuffer<Int16>, dy: PixelBuffer<Int16>) {
        let w = image.width, h = image.height
        guard w > 0, h > 0 else {
            return (PixelBuffer(width: w, height: h, samples: []), PixelBuffer(width: w, height: h, samples: []))
        }
        let rowTable = Border.reflect101Table(count: h, radius: 1)
        // Both outputs are written in full by the kernel: neither is zero-filled first (at 800 × 540
        // a fill is 864 kB of stores per output).
        var dxImage: PixelBuffer<Int16>?
        let dyImage = PixelBuffer<Int16>(width: w, height: h) { dyOut in
            dxImage = PixelBuffer<Int16>(width: w, height: h) { dxOut in
                image.withUnsafeSamples { src in
                    level.kernels.gradient3x3(src.baseAddress!, width: w, height: h, side: Int16(side), center: Int16(center),
                                              rowTable: rowTable, left: Border.reflect101(-1, w), right: Border.reflect101(w, w),
                                              dx: dxOut.baseAddress!, dy: dyOut.baseAddress!)
                }
            }
        }
        return (dxImage!, dyImage)
    }

    static func vectorized(_ image: FloatImage) -> (dx: FloatImage, dy: FloatImage) {
        let w = image.width, h = image.height
        guard w > 0, h > 0 else { return (image, image) }
        var scratch = [Float](repeating: 0, count: w + 2)
        let left = Border.reflect101(-1, w), right = Border.reflect101(w, w)
        var dyImage = FloatImage(width: w, height: h, repeating: 0)
        let dxImage = FloatImage(width: w, height: h) { dxOut in
            dyImage.withUnsafeMutableSamples { dyOut in
                image.withUnsafeSamples { src in
                    scratch.withUnsafeMutableBufferPointer { buffer in
                        let diff = buffer.baseAddress!
                        let S = src.baseAddress!, DX = dxOut.baseAddress!, DY = dyOut.baseAddress!
                        for y in 0..<h {
                            let a = S + Border.reflect101(y - 1, h) * w, b = S + y * w
                            let c = S + Border.reflect101(y + 1, h) * w
                            let df = diff + 1
                            // Same association as the reference (weights 1, 2, 1, summed in
                            // order) so float results are identical, not merely close.
                            for x in 0..<w { df[x] = c[x] - a[x] }
                            diff[0] = df[left]; diff[w + 1] = df[right]
                            let dxRow = DX + y * w, dyRow = DY + y * w
                            for x in 0..<w { dyRow[x] = diff[x] + 2 * diff[x + 1] + diff[x + 2] }
                            @inline(__always) func dxAt(_ l: Int, _ r: Int) -> Float {
                                (a[r] - a[l]) + 2 * (b[r] - b[l]) + (c[r] - c[l])
                            }
                            if w > 2 {
                                for x in 1..<(w - 1) {
                                    dxRow[x] = (a[x + 1] - a[x - 1]) + 2 * (b[x + 1] - b[x - 1]) + (c[x + 1] - c[x - 1])
                                }
                            }
                            dxRow[0] = dxAt(left, Border.reflect101(1, w))
                            dxRow[w - 1] = dxAt(Border.reflect101(w - 2, w), right)
                        }
                    }
                }
            }
        }
        return (dxImage, dyImage)
    }

    static func vectorizedMagnitude(dx: PixelBuffer<Int16>, dy: PixelBuffer<Int16>) -> FloatImage {
        let w = min(dx.width, dy.width), h = min(dx.height, dy.height)
        return FloatImage(width: w, height: h) { out in
            dx.withUnsafeSamples { a in
                dy.withUnsafeSamples { b in
                    let O = out.baseAddress, A = a.baseAddress, B = b.baseAddress
                    guard let O, let A, let B else { return }
                    for y in 0..<h {
                        let ar = A + y * dx.width, br = B + y * dy.width, o = O + y * w
                        for x in 0..<w {
                            let p = Float(ar[x]), q = Float(br[x])
                            o[x] = (p * p + q * q).squareRoot()
                        }
                    }
                }
            }
        }
    }
}
