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
/// - horizontal: `UInt32` accumulators fed by 16×16-bit products (the total is at most
///   255·256·256 < 2³²).
extension GaussianBlur {
    static func vectorized(_ image: GrayImage, sigma: Double) -> GrayImage {
        let r = radius(sigma: sigma)
        guard r > 0, !image.isEmpty else { return image }
        let taps = fixedPointKernel(sigma: sigma).map { UInt16($0) }
        let w = image.width, h = image.height
        let pw = w + 2 * r
        let columnTable = Border.reflect101Table(count: w, radius: r)
        var vertical = [UInt16](repeating: 0, count: pw)
        var accumulator = [UInt32](repeating: 0, count: w)
        return GrayImage(width: w, height: h) { out in
            image.withUnsafeSamples { src in
                vertical.withUnsafeMutableBufferPointer { vBuffer in
                    accumulator.withUnsafeMutableBufferPointer { aBuffer in
                        let P = vBuffer.baseAddress!, A = aBuffer.baseAddress!
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
                            // Horizontal pass, tap-outer so the x loop vectorises. Both factors
                            // are zero-extended 16-bit values, which LLVM multiplies with
                            // pmullw/pmulhuw instead of emulating a 32-bit multiply.
                            let ctr = UInt32(tc)
                            for x in 0..<w { A[x] = ctr &* UInt32(V[x]) }
                            for j in 0..<r {
                                let t = UInt32(taps[j]), left = P + j, right = P + 2 * r - j
                                for x in 0..<w { A[x] &+= t &* UInt32(left[x]) &+ t &* UInt32(right[x]) }
                            }
                            let row = O + y * w
                            for x in 0..<w { row[x] = UInt8(truncatingIfNeeded: (A[x] &+ 0x8000) &>> 16) }
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
