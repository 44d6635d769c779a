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
            slidingSums32(image, radius: r, border: .reflect101, level: .selected) { A, y in
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
    /// `UInt32`; sums and division both run in `Kernels.boxMean16`, compiled per ``CPULevel``.
    /// For odd n, `⌊(s + (n−1)/2) / n⌋` equals `s/n` rounded to nearest, and `s/n` is never
    /// closer than `½n` to a rounding tie, far more than the float error (≈ 2⁻¹⁶), so float
    /// `s·(1/n)` rounded by adding the magic constant 1.5·2²³ (the integer lands in the low
    /// mantissa bits) is exact. This avoids the trapping float-to-integer conversion, which keeps
    /// loops scalar.
    static func vectorizedSmall(_ image: GrayImage, radius r: Int, level: CPULevel = .selected) -> GrayImage {
        let w = image.width, h = image.height
        let inverse = 1 / Float((2 * r + 1) * (2 * r + 1))
        let rows = Border.reflect101Table(count: h, radius: r), columnTable = Border.reflect101Table(count: w, radius: r)
        var columns = [UInt16](repeating: 0, count: w + 2 * r)
        return GrayImage(width: w, height: h) { out in
            image.withUnsafeSamples { src in
                level.kernels.boxMean16(src.baseAddress!, width: w, height: h, radius: r, rowTable: rows,
                                        columnTable: columnTable, columns: &columns, inverse: inverse, out: out.baseAddress!)
            }
        }
    }

    /// Window sums (see ``windowSums(_:radius:border:backend:)``), through the same sliding sums
    /// as the 8-bit box filter; 16-bit accumulators while `255·(2r+1)²` fits them.
    static func vectorizedWindowSums(_ image: GrayImage, radius r: Int, border: BorderMode,
                                     level: CPULevel = .selected) -> PixelBuffer<UInt32> {
        let w = image.width
        guard r > 0, !image.isEmpty else { return image.map { UInt32($0) } }
        return PixelBuffer<UInt32>(width: w, height: image.height) { out in
            let O = out.baseAddress!
            if r <= 7 {
                slidingSums16(image, radius: r, border: border, level: level) { A, y in
                    let row = O + y * w
                    for x in 0..<w { row[x] = UInt32(A[x]) }
                }
            } else {
                slidingSums32(image, radius: r, border: border, level: level) { A, y in
                    (O + y * w).update(from: A, count: w)
                }
            }
        }
    }

    /// The sliding window sums of the 8-bit paths (`Kernels.slidingSums16`, compiled per CPU
    /// level), with the row and column border tables of `border`; `emitRow(sums, y)` per row.
    private static func slidingSums16(_ image: GrayImage, radius r: Int, border: BorderMode, level: CPULevel,
                                      emitRow: (UnsafePointer<UInt16>, Int) -> Void) {
        let w = image.width, h = image.height
        let rows = border.table(count: h, radius: r), columnTable = border.table(count: w, radius: r)
        var columns = [UInt16](repeating: 0, count: w + 2 * r), sums = [UInt16](repeating: 0, count: w)
        image.withUnsafeSamples { src in
            level.kernels.slidingSums16(src.baseAddress!, width: w, height: h, radius: r, rowTable: rows,
                                        columnTable: columnTable, columns: &columns, sums: &sums, emit: emitRow)
        }
    }

    /// ``slidingSums16(_:radius:border:level:emitRow:)`` with 32-bit sums (windows above 15×15).
    private static func slidingSums32(_ image: GrayImage, radius r: Int, border: BorderMode, level: CPULevel,
                                      emitRow: (UnsafePointer<UInt32>, Int) -> Void) {
        let w = image.width, h = image.height
        let rows = border.table(count: h, radius: r), columnTable = border.table(count: w, radius: r)
        var columns = [UInt32](repeating: 0, count: w + 2 * r), sums = [UInt32](repeating: 0, count: w)
        image.withUnsafeSamples { src in
            level.kernels.slidingSums32(src.baseAddress!, width: w, height: h, radius: r, rowTable: rows,
                                        columnTable: columnTable, columns: &columns, sums: &sums, emit: emitRow)
        }
    }
}
