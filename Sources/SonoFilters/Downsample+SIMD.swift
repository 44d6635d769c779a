import SonoCore

/// 2×2 averaging: the 8-bit path is `Kernels.halve` (Sources/SonoKernels), compiled per
/// ``CPULevel``.
extension Downsample {
    static func vectorized(_ image: GrayImage, level: CPULevel = .selected) -> GrayImage {
        let w = image.width, h = image.height
        guard w > 0, h > 0 else { return GrayImage(width: (w + 1) / 2, height: (h + 1) / 2, repeating: 0) }
        return GrayImage(width: (w + 1) / 2, height: (h + 1) / 2) { out in
            image.withUnsafeSamples { src in
                level.kernels.halve(src.baseAddress!, width: w, height: h, out: out.baseAddress!)
            }
        }
    }

    static func vectorized(_ image: FloatImage) -> FloatImage {
        let w = image.width
        return halvedRows(image) { a, b, row in
            for x in 0..<(w / 2) {
                row[x] = ((a[2 * x] + a[2 * x + 1]) + (b[2 * x] + b[2 * x + 1])) * 0.25
            }
            if w % 2 == 1 {
                row[(w + 1) / 2 - 1] = ((a[w - 1] + a[w - 1]) + (b[w - 1] + b[w - 1])) * 0.25
            }
        }
    }

    static func vectorizedHalfAsFloat(_ image: GrayImage) -> FloatImage {
        let w = image.width
        return halvedRows(image) { a, b, row in
            // Each horizontal pair read as one 16-bit word: its two bytes' sum is the same in
            // either byte order, and word loads vectorise where byte pairs (a stride-2 gather at
            // the portable SSE2 level) compiled to scalar code.
            let pairsA = UnsafeRawPointer(a), pairsB = UnsafeRawPointer(b)
            for x in 0..<(w / 2) {
                let p = pairsA.loadUnaligned(fromByteOffset: 2 * x, as: UInt16.self)
                let q = pairsB.loadUnaligned(fromByteOffset: 2 * x, as: UInt16.self)
                let sum = (Int32(p & 0xFF) &+ Int32(p >> 8)) &+ (Int32(q & 0xFF) &+ Int32(q >> 8))
                row[x] = Float(sum) * 0.25
            }
            if w % 2 == 1 {
                row[(w + 1) / 2 - 1] = Float(2 * (Int32(a[w - 1]) + Int32(b[w - 1]))) * 0.25
            }
        }
    }

    /// The `⌈w/2⌉ × ⌈h/2⌉` float image whose row `y` `body(a, b, row)` writes whole from source
    /// rows `2y` and `2y + 1` (the last row repeated when `h` is odd): the walk both halvings share.
    @inline(__always)
    private static func halvedRows<Sample>(
        _ image: PixelBuffer<Sample>, _ body: (UnsafePointer<Sample>, UnsafePointer<Sample>, UnsafeMutablePointer<Float>) -> Void
    ) -> FloatImage {
        let w = image.width, h = image.height, ow = (w + 1) / 2
        return FloatImage(width: ow, height: (h + 1) / 2) { out in
            image.withUnsafeSamples { src in
                guard let S = src.baseAddress, let O = out.baseAddress else { return }
                for y in 0..<((h + 1) / 2) {
                    body(S + 2 * y * w, S + min(2 * y + 1, h - 1) * w, O + y * ow)
                }
            }
        }
    }

    /// Tile counts (`Kernels.countAbove`, compiled per CPU level).
    static func vectorizedCountAbove(_ image: GrayImage, threshold: UInt8, block b: Int,
                                     level: CPULevel = .selected) -> PixelBuffer<UInt16> {
        let w = image.width, h = image.height
        let bw = (w + b - 1) / b, bh = (h + b - 1) / b
        guard bw > 0, bh > 0 else { return PixelBuffer(width: bw, height: bh, samples: []) }
        var columns = [UInt8](repeating: 0, count: w)
        return PixelBuffer<UInt16>(width: bw, height: bh) { out in
            image.withUnsafeSamples { src in
                columns.withUnsafeMutableBufferPointer { c in
                    level.kernels.countAbove(src.baseAddress!, width: w, height: h, threshold: threshold, block: b,
                                             columns: c.baseAddress!, out: out.baseAddress!)
                }
            }
        }
    }

    /// Area resize: per output row, its source rows summed into a `UInt32` column buffer (the
    /// dispatched `Kernels.accumulate`), then each output pixel sums its column span and divides once.
    /// At exactly half the width with two rows per output row, each 2 × 2 block is summed from the
    /// rows directly; with another power of two of rows per output row, the division is a shift
    /// (a division per pixel was most of the thumbnails' resize time).
    static func vectorizedArea(_ image: GrayImage, width: Int, height: Int, level: CPULevel = .selected) -> GrayImage {
        let w = image.width
        let xs = areaSpans(source: w, target: width), ys = areaSpans(source: image.height, target: height)
        var columns = [UInt32](repeating: 0, count: w)
        // Column spans `2x ..< 2x + 2` for every x.
        let halfWidth = w == 2 * width
        return GrayImage(width: width, height: height) { out in
            image.withUnsafeSamples { src in
                columns.withUnsafeMutableBufferPointer { cBuffer in
                    let S = src.baseAddress!, C = cBuffer.baseAddress!, O = out.baseAddress!
                    for (y, rows) in ys.enumerated() {
                        let outRow = O + y * width
                        if halfWidth, rows.count == 2 {
                            // 2 × 2 blocks (the thumbnails of 800 × 540 frames): summed straight
                            // from the two rows in one pass, each horizontal pair read as one
                            // 16-bit word as in `vectorizedHalfAsFloat`, where the column buffer
                            // took three (1 % of `analyze`'s perf samples).
                            let a = UnsafeRawPointer(S + rows.lowerBound * w), b = UnsafeRawPointer(S + (rows.lowerBound + 1) * w)
                            for x in 0..<width {
                                let p = a.loadUnaligned(fromByteOffset: 2 * x, as: UInt16.self)
                                let q = b.loadUnaligned(fromByteOffset: 2 * x, as: UInt16.self)
                                let sum = (UInt32(p & 0xFF) &+ UInt32(p >> 8)) &+ (UInt32(q & 0xFF) &+ UInt32(q >> 8))
                                outRow[x] = UInt8(truncatingIfNeeded: sum >> 2)
                            }
                            continue
                        }
                        // The span's first row initialises the column sums (a widening copy, where
                        // zeroing them first cost a memset per output row), the others add to them.
                        let first = S + rows.lowerBound * w
                        for x in 0..<w { C[x] = UInt32(first[x]) }
                        for yy in rows.dropFirst() { level.kernels.accumulate(S + yy * w, into: C, count: w) }
                        if halfWidth, rows.count.nonzeroBitCount == 1 {
                            // ⌊s / 2ᵏ⌋ = s >> k, in a loop LLVM vectorises.
                            let shift = UInt32(rows.count.trailingZeroBitCount + 1)
                            for x in 0..<width { outRow[x] = UInt8(truncatingIfNeeded: (C[2 * x] &+ C[2 * x + 1]) >> shift) }
                            continue
                        }
                        for (x, span) in xs.enumerated() {
                            var sum: UInt32 = 0
                            for xx in span { sum &+= C[xx] }
                            outRow[x] = UInt8(truncatingIfNeeded: sum / UInt32(rows.count * span.count))
                        }
                    }
                }
            }
        }
    }
}
