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
/// - horizontal: also 16-bit lanes (explicit `SIMD8<UInt16>`), by splitting the intermediate
///   into high and low bytes (see the comment in the loop). The same idea as plain pointer
///   loops measured 2–5× slower: the auto-vectoriser gave up on them.
extension GaussianBlur {
    static func vectorized(_ image: GrayImage, sigma: Double) -> GrayImage {
        let r = radius(sigma: sigma)
        guard r > 0, !image.isEmpty else { return image }
        let taps = fixedPointKernel(sigma: sigma).map { UInt16($0) }
        let w = image.width, h = image.height
        let pw = w + 2 * r
        let columnTable = Border.reflect101Table(count: w, radius: r)
        var vertical = [UInt16](repeating: 0, count: pw)
        var result = [UInt16](repeating: 0, count: w)
        return GrayImage(width: w, height: h) { out in
            image.withUnsafeSamples { src in
                vertical.withUnsafeMutableBufferPointer { vBuffer in
                    result.withUnsafeMutableBufferPointer { rBuffer in
                        let P = vBuffer.baseAddress!, R = rBuffer.baseAddress!
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
                            // Horizontal pass in 16-bit lanes, 8 pixels at a time: split each
                            // intermediate into its high and low byte. The taps sum to 256, so
                            // Σ tap·high and Σ tap·low each stay ≤ 255·256, and the exact result
                            // (Σ tap·V + 2¹⁵) >> 16 equals (Σhigh + (Σlow >> 8) + 128) >> 8 ≤ 65408.
                            let ctr = SIMD8<UInt16>(repeating: tc)
                            var x = 0
                            while x + 8 <= w {
                                let c = loadVector8(P + x + r)
                                var sumHigh = ctr &* (c &>> 8), sumLow = ctr &* (c & 0xFF)
                                for j in 0..<r {
                                    let t = SIMD8<UInt16>(repeating: taps[j])
                                    let a = loadVector8(P + x + j), b = loadVector8(P + x + 2 * r - j)
                                    sumHigh &+= t &* ((a &>> 8) &+ (b &>> 8))
                                    sumLow &+= t &* ((a & 0xFF) &+ (b & 0xFF))
                                }
                                storeVector8((sumHigh &+ (sumLow &>> 8) &+ 128) &>> 8, R + x)
                                x += 8
                            }
                            while x < w {
                                var sumHigh = tc &* (P[x + r] &>> 8), sumLow = tc &* (P[x + r] & 0xFF)
                                for j in 0..<r {
                                    let a = P[x + j], b = P[x + 2 * r - j]
                                    sumHigh &+= taps[j] &* ((a &>> 8) &+ (b &>> 8))
                                    sumLow &+= taps[j] &* ((a & 0xFF) &+ (b & 0xFF))
                                }
                                R[x] = (sumHigh &+ (sumLow &>> 8) &+ 128) &>> 8
                                x += 1
                            }
                            let row = O + y * w
                            for x in 0..<w { row[x] = UInt8(truncatingIfNeeded: R[x]) }
                        }
                    }
                }
            }
        }
    }

    /// The float blur runs `Kernels.gaussianF32` (Sources/SonoKernels), compiled per ``CPULevel``.
    static func vectorized(_ image: FloatImage, sigma: Double, level: CPULevel = .selected) -> FloatImage {
        let r = radius(sigma: sigma)
        guard r > 0, !image.isEmpty else { return image }
        let taps = kernel(sigma: sigma).prefix(r + 1).map { Float($0) }
        let w = image.width, h = image.height
        let rowTable = Border.reflect101Table(count: h, radius: r), columnTable = Border.reflect101Table(count: w, radius: r)
        var padded = [Float](repeating: 0, count: w + 2 * r)
        return FloatImage(width: w, height: h) { out in
            image.withUnsafeSamples { src in
                level.kernels.gaussianF32(src.baseAddress!, width: w, height: h, radius: r, taps: taps, rowTable: rowTable,
                                          columnTable: columnTable, padded: &padded, out: out.baseAddress!)
            }
        }
    }
}
