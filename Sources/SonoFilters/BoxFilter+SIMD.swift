import SonoCore

/// Vectorisable box filter: a sliding vertical column sum (add the row entering the window,
/// subtract the one leaving; valid with reflected rows because it is a multiset update), then
/// per row a horizontal sum of `2r+1` shifted copies of the padded column sums.
///
/// 8-bit division by `n = (2r+1)²` uses a multiply-shift, `q = ((s + n/2)·M) >> 32` with
/// `M = ⌈2³²/n⌉`, exact for every numerator below `256·n` when `n < 4096` (the rounding error
/// `256·n/2³²` stays below the `1/n` gap between fractions). Larger windows divide directly.
extension BoxFilter {
    static func vectorized(_ image: GrayImage, radius r: Int) -> GrayImage {
        guard r > 0, !image.isEmpty else { return image }
        if r <= 7 { return vectorizedSmall(image, radius: r) }
        let w = image.width
        let n = (2 * r + 1) * (2 * r + 1)
        let half = UInt32(n / 2)
        let multiplier = UInt64((UInt64(1) << 32) + UInt64(n) - 1) / UInt64(n)
        return GrayImage(width: w, height: image.height) { out in
            let O = out.baseAddress!
            windowSums(image, radius: r, accumulator: UInt32.self) { A, y in
                let row = O + y * w
                if n < 4096 {
                    for x in 0..<w {
                        row[x] = UInt8(truncatingIfNeeded: (UInt64(A[x] &+ half) &* multiplier) &>> 32)
                    }
                } else {
                    for x in 0..<w { row[x] = UInt8(truncatingIfNeeded: (A[x] + half) / UInt32(n)) }
                }
            }
        }
    }

    /// Float box filter with the same structure; sums in single precision.
    static func vectorized(_ image: FloatImage, radius r: Int) -> FloatImage {
        guard r > 0, !image.isEmpty else { return image }
        let w = image.width, h = image.height, pw = w + 2 * r
        let inverse = 1 / Float((2 * r + 1) * (2 * r + 1))
        let columnTable = Border.reflect101Table(count: w, radius: r)
        var columns = [Float](repeating: 0, count: pw)
        return FloatImage(width: w, height: h) { out in
            image.withUnsafeSamples { src in
                columns.withUnsafeMutableBufferPointer { cBuffer in
                    let C = cBuffer.baseAddress!, S = src.baseAddress!, O = out.baseAddress!
                    let V = C + r
                    for y in 0..<h {
                        // Direct vertical sums: a float running sum would drift.
                        for x in 0..<w { V[x] = 0 }
                        for k in -r...r {
                            let row = S + Border.reflect101(y + k, h) * w
                            for x in 0..<w { V[x] += row[x] }
                        }
                        for j in 0..<r {
                            C[j] = C[r + columnTable[j]]
                            C[r + w + j] = C[r + columnTable[r + w + j]]
                        }
                        let row = O + y * w
                        for x in 0..<w { row[x] = C[x] }
                        for j in 1...(2 * r) {
                            let shifted = C + j
                            for x in 0..<w { row[x] += shifted[x] }
                        }
                        for x in 0..<w { row[x] *= inverse }
                    }
                }
            }
        }
    }

    /// Windows up to 15×15 (n ≤ 225): sums fit `UInt16` (≤ 255·225), twice as many lanes as
    /// `UInt32`. For odd n, `⌊(s + (n−1)/2) / n⌋` equals `s/n` rounded to nearest, and `s/n` is
    /// never closer than `½n` to a rounding tie, far more than the float error (≈ 2⁻¹⁶), so
    /// float `s·(1/n)` rounded by adding the magic constant 1.5·2²³ (the integer lands in the
    /// low mantissa bits) is exact. This avoids the trapping float-to-integer conversion, which
    /// keeps loops scalar.
    private static func vectorizedSmall(_ image: GrayImage, radius r: Int) -> GrayImage {
        let w = image.width
        let inverse = 1 / Float((2 * r + 1) * (2 * r + 1))
        let magic: Float = 12_582_912
        return GrayImage(width: w, height: image.height) { out in
            let O = out.baseAddress!
            windowSums(image, radius: r, accumulator: UInt16.self) { A, y in
                let row = O + y * w
                for x in 0..<w {
                    let v = Float(A[x]) * inverse + magic
                    row[x] = UInt8(truncatingIfNeeded: v.bitPattern)
                }
            }
        }
    }

    /// The shared sliding sums of both 8-bit paths: column sums over the `2r+1` rows of the window
    /// updated by one entering and one leaving row, border columns reflected, then `emitRow(sums, y)`
    /// with the `width` window sums of row `y`. `Accumulator` must hold `255·(2r+1)²`.
    @inline(__always)
    private static func windowSums<Accumulator: FixedWidthInteger & UnsignedInteger>(
        _ image: GrayImage, radius r: Int, accumulator: Accumulator.Type,
        emitRow: (UnsafeMutablePointer<Accumulator>, Int) -> Void
    ) {
        let w = image.width, h = image.height, pw = w + 2 * r
        let columnTable = Border.reflect101Table(count: w, radius: r)
        var columns = [Accumulator](repeating: 0, count: pw)
        var sums = [Accumulator](repeating: 0, count: w)
        image.withUnsafeSamples { src in
            columns.withUnsafeMutableBufferPointer { cBuffer in
                sums.withUnsafeMutableBufferPointer { sBuffer in
                    let C = cBuffer.baseAddress!, A = sBuffer.baseAddress!, S = src.baseAddress!
                    let V = C + r
                    for k in -r...r {
                        let row = S + Border.reflect101(k, h) * w
                        for x in 0..<w { V[x] &+= Accumulator(truncatingIfNeeded: row[x]) }
                    }
                    for y in 0..<h {
                        if y > 0 {
                            let leaving = S + Border.reflect101(y - 1 - r, h) * w
                            let entering = S + Border.reflect101(y + r, h) * w
                            for x in 0..<w {
                                V[x] = V[x] &+ Accumulator(truncatingIfNeeded: entering[x])
                                    &- Accumulator(truncatingIfNeeded: leaving[x])
                            }
                        }
                        for j in 0..<r {
                            C[j] = C[r + columnTable[j]]
                            C[r + w + j] = C[r + columnTable[r + w + j]]
                        }
                        for x in 0..<w { A[x] = C[x] }
                        for j in 1...(2 * r) {
                            let shifted = C + j
                            for x in 0..<w { A[x] &+= shifted[x] }
                        }
                        emitRow(A, y)
                    }
                }
            }
        }
    }
}
