import SonoCore

/// Vectorisable 2×2 averaging: the even part of each row pair in one loop, the odd trailing
/// column and row (averaged with themselves) handled separately.
extension Downsample {
    static func vectorized(_ image: GrayImage) -> GrayImage {
        let w = image.width, h = image.height
        let ow = (w + 1) / 2, oh = (h + 1) / 2
        let fullColumns = w / 2
        return GrayImage(width: ow, height: oh) { out in
            image.withUnsafeSamples { src in
                guard let S = src.baseAddress, let O = out.baseAddress else { return }
                for y in 0..<oh {
                    let a = S + 2 * y * w, b = S + min(2 * y + 1, h - 1) * w
                    let row = O + y * ow
                    for x in 0..<fullColumns {
                        let sum = UInt16(a[2 * x]) &+ UInt16(a[2 * x + 1]) &+ UInt16(b[2 * x]) &+ UInt16(b[2 * x + 1])
                        row[x] = UInt8(truncatingIfNeeded: (sum &+ 2) &>> 2)
                    }
                    if w % 2 == 1 {
                        let sum = 2 &* (UInt16(a[w - 1]) &+ UInt16(b[w - 1]))
                        row[ow - 1] = UInt8(truncatingIfNeeded: (sum &+ 2) &>> 2)
                    }
                }
            }
        }
    }

    static func vectorized(_ image: FloatImage) -> FloatImage {
        let w = image.width, h = image.height
        let ow = (w + 1) / 2, oh = (h + 1) / 2
        let fullColumns = w / 2
        return FloatImage(width: ow, height: oh) { out in
            image.withUnsafeSamples { src in
                guard let S = src.baseAddress, let O = out.baseAddress else { return }
                for y in 0..<oh {
                    let a = S + 2 * y * w, b = S + min(2 * y + 1, h - 1) * w
                    let row = O + y * ow
                    for x in 0..<fullColumns {
                        row[x] = ((a[2 * x] + a[2 * x + 1]) + (b[2 * x] + b[2 * x + 1])) * 0.25
                    }
                    if w % 2 == 1 {
                        row[ow - 1] = ((a[w - 1] + a[w - 1]) + (b[w - 1] + b[w - 1])) * 0.25
                    }
                }
            }
        }
    }
}
