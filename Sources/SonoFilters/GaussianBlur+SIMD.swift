import SonoCore

/// Vectorisable Gaussian blur: plain pointer loops the compiler turns into SSE2 code (measured
/// faster here than hand-written `SIMD` types, see PLATFORM-NOTES).
///
/// Per output row: a vertical pass over the `2r+1` source rows into a padded intermediate row,
/// then a horizontal pass over that row. Mirror taps are equal, so each pass adds the two
/// mirrored inputs first and multiplies once. 8-bit arithmetic (exactly the reference's
/// integers, so bit-identical):
/// - vertical: `UInt16`; a side tap is at most 85 (two side taps plus a larger centre sum to
///   256) and a pair sums to at most 510, so `85·510` and the whole sum (≤ 255·256) fit.
/// - horizontal: also `UInt16`, by splitting the intermediate into high and low bytes (see
///   the comment in the loop); 8 lanes per SSE2 register instead of 4 for `UInt32`.
extension GaussianBlur {
    static func vectorized(_ image: GrayImage, sigma: Double) -> GrayImage {
        let r = radius(sigma: sigma)
        guard r > 0, !image.isEmpty else { return image }
        let taps = fixedPointKernel(sigma: sigma).map { UInt16($0) }
        let w = image.width, h = image.height
        let pw = w + 2 * r
        let columnTable = Border.reflect101Table(count: w, radius: r)
        // vertical (padded) | high bytes (padded) | low bytes (padded) | two accumulators
        var scratch = [UInt16](repeating: 0, count: 3 * pw + 2 * w)
        return GrayImage(width: w, height: h) { out in
            image.withUnsafeSamples { src in
                scratch.withUnsafeMutableBufferPointer { buffer in
                    let P = buffer.baseAddress!, high = P + pw, low = high + pw
                    let sumHigh = low + pw, sumLow = sumHigh + w
                    let S = src.baseAddress!, O = out.baseAddress!
                    for y in 0..<h {
                        // Vertical pass into the middle of the padded row, centre tap first.
                        let V = P + r
                        let center = S + y * w, tc = taps[r]
                        for x in 0..<w { V[x] = tc &* UInt16(center[x]) }
                        for k in 0..<r {
                            let a = S + Border.reflect101(y + k - r, h) * w
                            let b = S + Border.reflect101(y + r - k, h) * w
                            let t = taps[k]
                            for x in 0..<w { V[x] &+= t &* (UInt16(a[x]) &+ UInt16(b[x])) }
                        }
                        for j in 0..<r {
                            P[j] = P[r + columnTable[j]]
                            P[r + w + j] = P[r + columnTable[r + w + j]]
                        }
                        // Horizontal pass in 16 bits: split each intermediate into its high and
                        // low byte; because the taps sum to 256, Σ tap·high and Σ tap·low each
                        // stay ≤ 255·256, and the exact result (Σ tap·V + 2¹⁵) >> 16 equals
                        // (Σhigh + (Σlow >> 8) + 128) >> 8, which is at most 65408.
                        for x in 0..<pw {
                            high[x] = P[x] &>> 8
                            low[x] = P[x] & 0xFF
                        }
                        for x in 0..<w {
                            sumHigh[x] = tc &* high[x + r]
                            sumLow[x] = tc &* low[x + r]
                        }
                        for j in 0..<r {
                            let t = taps[j]
                            let hl = high + j, hr = high + 2 * r - j, ll = low + j, lr = low + 2 * r - j
                            for x in 0..<w {
                                sumHigh[x] &+= t &* (hl[x] &+ hr[x])
                                sumLow[x] &+= t &* (ll[x] &+ lr[x])
                            }
                        }
                        let row = O + y * w
                        for x in 0..<w {
                            row[x] = UInt8(truncatingIfNeeded: (sumHigh[x] &+ (sumLow[x] &>> 8) &+ 128) &>> 8)
                        }
                    }
                }
            }
        }
    }

    static func vectorized(_ image: FloatImage, sigma: Double) -> FloatImage {
        let r = radius(sigma: sigma)
        guard r > 0, !image.isEmpty else { return image }
        let taps = kernel(sigma: sigma).map { Float($0) }
        let w = image.width, h = image.height
        let pw = w + 2 * r
        let columnTable = Border.reflect101Table(count: w, radius: r)
        var padded = [Float](repeating: 0, count: pw)
        return FloatImage(width: w, height: h) { out in
            image.withUnsafeSamples { src in
                padded.withUnsafeMutableBufferPointer { pBuffer in
                    let P = pBuffer.baseAddress!, S = src.baseAddress!, O = out.baseAddress!
                    for y in 0..<h {
                        let V = P + r
                        let center = S + y * w, tc = taps[r]
                        for x in 0..<w { V[x] = tc * center[x] }
                        for k in 0..<r {
                            let a = S + Border.reflect101(y + k - r, h) * w
                            let b = S + Border.reflect101(y + r - k, h) * w
                            let t = taps[k]
                            for x in 0..<w { V[x] += t * (a[x] + b[x]) }
                        }
                        for j in 0..<r {
                            P[j] = P[r + columnTable[j]]
                            P[r + w + j] = P[r + columnTable[r + w + j]]
                        }
                        let row = O + y * w
                        for x in 0..<w { row[x] = tc * P[x + r] }
                        for j in 0..<r {
                            let t = taps[j], left = P + j, right = P + 2 * r - j
                            for x in 0..<w { row[x] += t * (left[x] + right[x]) }
                        }
                    }
                }
            }
        }
    }
}
