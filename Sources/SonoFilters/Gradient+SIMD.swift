import SonoCore

/// Vectorisable Sobel/Scharr: per row, one vertical combination of the three source rows
/// (smoothing for dx, difference for dy) in `Int16`, padded by one column (reflect-101),
/// then one horizontal combination. All values fit `Int16` (|Scharr| ≤ 4080), so the
/// arithmetic is exactly the reference's.
extension Gradient {
    static func vectorized(_ image: GrayImage, side: Int, center: Int)
        -> (dx: PixelBuffer<Int16>, dy: PixelBuffer<Int16>) {
        let w = image.width, h = image.height
        guard w > 0, h > 0 else {
            return (PixelBuffer(width: w, height: h, samples: []), PixelBuffer(width: w, height: h, samples: []))
        }
        let s16 = Int16(side), c16 = Int16(center)
        var scratch = [Int16](repeating: 0, count: 2 * (w + 2))
        let left = Border.reflect101(-1, w), right = Border.reflect101(w, w)
        var dyImage = PixelBuffer<Int16>(width: w, height: h, repeating: 0)
        let dxImage = PixelBuffer<Int16>(width: w, height: h) { dxOut in
            dyImage.withUnsafeMutableSamples { dyOut in
                image.withUnsafeSamples { src in
                    scratch.withUnsafeMutableBufferPointer { buffer in
                        let smooth = buffer.baseAddress!, diff = smooth + (w + 2)
                        let S = src.baseAddress!, DX = dxOut.baseAddress!, DY = dyOut.baseAddress!
                        for y in 0..<h {
                            let a = S + Border.reflect101(y - 1, h) * w, b = S + y * w
                            let c = S + Border.reflect101(y + 1, h) * w
                            let sm = smooth + 1, df = diff + 1
                            for x in 0..<w {
                                let top = Int16(a[x]), bottom = Int16(c[x])
                                sm[x] = s16 &* (top &+ bottom) &+ c16 &* Int16(b[x])
                                df[x] = bottom &- top
                            }
                            smooth[0] = sm[left]; smooth[w + 1] = sm[right]
                            diff[0] = df[left]; diff[w + 1] = df[right]
                            let dxRow = DX + y * w, dyRow = DY + y * w
                            for x in 0..<w {
                                dxRow[x] = smooth[x + 2] &- smooth[x]
                                dyRow[x] = s16 &* (diff[x] &+ diff[x + 2]) &+ c16 &* diff[x + 1]
                            }
                        }
                    }
                }
            }
        }
        return (dxImage, dyImage)
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
