import SonoCore

/// Vectorisable `pyrDown`: per output row the five source rows combine vertically as
/// `a + 4b + 6c + 4d + e` (≤ 4080, `UInt16`), the row is padded by two columns (reflect-101),
/// then every second column combines horizontally the same way; the final sum (≤ 65280) plus
/// 128 still fits `UInt16`, so the arithmetic is exactly the reference's.
extension GaussianPyramid {
    static func vectorizedPyrDown(_ image: GrayImage) -> GrayImage {
        guard !image.isEmpty else { return image }
        let w = image.width, h = image.height
        let ow = (w + 1) / 2, oh = (h + 1) / 2
        // Padded on the right up to 2·ow + 2 entries past the left pad of 2.
        let pw = 2 * ow + 4
        let columnTable = (0..<pw).map { Border.reflect101($0 - 2, w) }
        var vertical = [UInt16](repeating: 0, count: pw)
        return GrayImage(width: ow, height: oh) { out in
            image.withUnsafeSamples { src in
                vertical.withUnsafeMutableBufferPointer { vBuffer in
                    let P = vBuffer.baseAddress!, S = src.baseAddress!, O = out.baseAddress!
                    let V = P + 2
                    for y in 0..<oh {
                        let r0 = S + Border.reflect101(2 * y - 2, h) * w, r1 = S + Border.reflect101(2 * y - 1, h) * w
                        let r2 = S + (2 * y) * w
                        let r3 = S + Border.reflect101(2 * y + 1, h) * w, r4 = S + Border.reflect101(2 * y + 2, h) * w
                        for x in 0..<w {
                            let outer = UInt16(r0[x]) &+ UInt16(r4[x])
                            let inner = UInt16(r1[x]) &+ UInt16(r3[x])
                            V[x] = outer &+ 4 &* inner &+ 6 &* UInt16(r2[x])
                        }
                        P[0] = P[2 + columnTable[0]]
                        P[1] = P[2 + columnTable[1]]
                        for j in (w + 2)..<pw { P[j] = P[2 + columnTable[j]] }
                        let row = O + y * ow
                        for x in 0..<ow {
                            let c = P + 2 * x
                            let sum = (c[0] &+ c[4]) &+ 4 &* (c[1] &+ c[3]) &+ 6 &* c[2] &+ 128
                            row[x] = UInt8(truncatingIfNeeded: sum &>> 8)
                        }
                    }
                }
            }
        }
    }
}
