// The hot inner loops of SonoFilters, on raw pointers and concrete types only.
//
// Why this file is compiled three times: Swift has no per-function target attributes, so the only
// way to get AVX2/FMA or AVX-512 code for a loop without requiring it of every CPU is to compile the
// loop in a separate module with `-target-cpu`. This file is the baseline module `SonoKernels`;
// Sources/SonoKernelsV3 and Sources/SonoKernelsV4 hold symlinks to it and are built for haswell
// (x86-64-v3) and skylake-avx512 (x86-64-v4). The module name is part of every Swift symbol, so
// the three copies link side by side; SonoFilters' `CPULevel.kernels` picks one from the CPU.
//
// Rules for code here: nothing `@inlinable` (it would be compiled into the caller with baseline
// flags), no generics across the public boundary, no allocation, no dependencies. Every function
// is the body of a SonoFilters kernel whose scalar reference lives in SonoFilters and is the
// specification; the equivalence tests run each variant against it.

/// The byte vectors the medians run on (`SIMD16<UInt8>`, or `UInt8` for a loop the compiler
/// vectorises), so the generic median code specialises to one `pminub`/`pmaxub` per operation. The standard
/// library's `pointwiseMin`/`pointwiseMax` are generic and were left as out-of-line calls in large
/// kernels; every vector register is caller-saved, so the whole working set spilled around each
/// call (the 3×3 median ran 20× slower).
protocol ByteVector {
    static func load(_ p: UnsafePointer<UInt8>) -> Self
    func store(_ p: UnsafeMutablePointer<UInt8>)
    static func lanewiseMin(_ a: Self, _ b: Self) -> Self
    static func lanewiseMax(_ a: Self, _ b: Self) -> Self
    static var lanes: Int { get }
}

extension SIMD16<UInt8>: ByteVector {
    @inline(__always) static func load(_ p: UnsafePointer<UInt8>) -> Self { UnsafeRawPointer(p).loadUnaligned(as: Self.self) }
    @inline(__always) func store(_ p: UnsafeMutablePointer<UInt8>) { UnsafeMutableRawPointer(p).storeBytes(of: self, as: Self.self) }
    @inline(__always) static func lanewiseMin(_ a: Self, _ b: Self) -> Self { b.replacing(with: a, where: a .< b) }
    @inline(__always) static func lanewiseMax(_ a: Self, _ b: Self) -> Self { b.replacing(with: a, where: a .> b) }
    static var lanes: Int { 16 }
}

/// One pixel per "vector": the medians' per-pixel loop, which LLVM's loop vectoriser widens to
/// the target's own vectors (see `Kernels.median`).
extension UInt8: ByteVector {
    @inline(__always) static func load(_ p: UnsafePointer<UInt8>) -> Self { p.pointee }
    @inline(__always) func store(_ p: UnsafeMutablePointer<UInt8>) { p.pointee = self }
    @inline(__always) static func lanewiseMin(_ a: Self, _ b: Self) -> Self { Swift.min(a, b) }
    @inline(__always) static func lanewiseMax(_ a: Self, _ b: Self) -> Self { Swift.max(a, b) }
    static var lanes: Int { 1 }
}

@inline(__always) func vmin<V: ByteVector>(_ a: V, _ b: V) -> V { V.lanewiseMin(a, b) }
@inline(__always) func vmax<V: ByteVector>(_ a: V, _ b: V) -> V { V.lanewiseMax(a, b) }

package enum Kernels {
    /// Four interleaved 256-bin histograms (`counts` has 1024 entries): consecutive equal pixels
    /// would otherwise serialise on one counter's store-to-load latency.
    package static func histogram(_ S: UnsafePointer<UInt8>, count: Int, counts H: UnsafeMutablePointer<UInt32>) {
        var i = 0
        while i + 4 <= count {
            H[Int(S[i])] &+= 1
            H[256 + Int(S[i + 1])] &+= 1
            H[512 + Int(S[i + 2])] &+= 1
            H[768 + Int(S[i + 3])] &+= 1
            i += 4
        }
        while i < count {
            H[Int(S[i])] &+= 1
            i += 1
        }
    }

    /// The same over one row, counting a pixel when its mask byte is non-zero. Masks come in long
    /// runs (a sector, minus overlays), so eight mask bytes are read as one word: none set skips
    /// the eight pixels, all set counts them without testing each; a mixed word counts each pixel
    /// by adding its mask test (0 or 1) rather than branching on it.
    package static func maskedHistogram(_ row: UnsafePointer<UInt8>, mask: UnsafePointer<UInt8>, count: Int,
                                       counts H: UnsafeMutablePointer<UInt32>) {
        @inline(__always) func countFour(_ x: Int) {
            H[Int(row[x])] &+= mask[x] == 0 ? 0 : 1
            H[256 + Int(row[x + 1])] &+= mask[x + 1] == 0 ? 0 : 1
            H[512 + Int(row[x + 2])] &+= mask[x + 2] == 0 ? 0 : 1
            H[768 + Int(row[x + 3])] &+= mask[x + 3] == 0 ? 0 : 1
        }
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        var x = 0
        while x + 8 <= count {
            let word = UnsafeRawPointer(mask + x).loadUnaligned(as: UInt64.self)
            if word == 0 {
                // Nothing analysed here.
            } else if (word &- ones) & ~word & highs == 0 {
                // No zero byte (the exact has-a-zero-byte test): all eight counted.
                for k in 0..<8 { H[((k & 3) << 8) + Int(row[x + k])] &+= 1 }
            } else {
                countFour(x)
                countFour(x + 4)
            }
            x += 8
        }
        while x + 4 <= count {
            countFour(x)
            x += 4
        }
        while x < count {
            H[Int(row[x])] &+= mask[x] == 0 ? 0 : 1
            x += 1
        }
    }

    /// SonoFilters' `Gradient.maskedSlopeSum` (its scalar loop is the specification): for each row
    /// `1 ≤ y < h − 1`, over `1 ≤ x < w − 1` where the pixel and its four neighbours are analysed
    /// (mask non-zero), `√((dx² + dy²) / 4)` with central differences summed in eight lanes
    /// (lane `(x − 1) mod 8`, in `x` order), the lanes added in order into `rowSums[y]`, and
    /// the pixels counted into `rowCounts[y]`; `scratch` holds `width` doubles. A pixel that is
    /// not analysed adds `+0.0`, which leaves a lane's sum unchanged, so the sums equal the
    /// reference's bit for bit.
    package static func maskedSlopeSums(_ S: UnsafePointer<UInt8>, mask M: UnsafePointer<UInt8>, width w: Int, height h: Int,
                                        scratch slopes: UnsafeMutablePointer<Double>,
                                        rowSums: UnsafeMutablePointer<Double>, rowCounts: UnsafeMutablePointer<Int>) {
        guard w > 2, h > 2 else { return }
        let n = w - 2
        for y in 1..<(h - 1) {
            let row = S + y * w, up = row - w, down = row + w
            let m = M + y * w, mUp = m - w, mDown = m + w
            // Branch-free, so LLVM vectorises it (`squareRoot()` included, as the kernels are built
            // without math errno: Package.swift): the slope of every interior pixel, times 1 where
            // it and its four neighbours are analysed and 0 elsewhere (exact, as is adding the
            // resulting +0.0 below).
            var count = 0
            for x in 1..<(w - 1) {
                let least = min(min(min(m[x], m[x - 1]), min(m[x + 1], mUp[x])), mDown[x])
                let analysed: Int32 = least != 0 ? 1 : 0
                let gx = Int32(row[x + 1]) &- Int32(row[x - 1]), gy = Int32(down[x]) &- Int32(up[x])
                slopes[x - 1] = (Double(gx &* gx &+ gy &* gy) * 0.25).squareRoot() * Double(analysed)
                count &+= Int(analysed)
            }
            var lanes = SIMD8<Double>(repeating: 0)
            var x = 0
            while x + 8 <= n {
                lanes += UnsafeRawPointer(slopes + x).loadUnaligned(as: SIMD8<Double>.self)
                x += 8
            }
            while x < n {
                lanes[x & 7] += slopes[x]
                x += 1
            }
            var sum = 0.0
            for k in 0..<8 { sum += lanes[k] }
            rowSums[y] = sum
            rowCounts[y] = count
        }
    }

    /// Per `block × block` tile, the samples above `threshold`, into `out` (`⌈w/b⌉ × ⌈h/b⌉`).
    /// `columns` is `width` bytes of scratch; `block ≤ 255` so a column count fits a byte.
    package static func countAbove(_ S: UnsafePointer<UInt8>, width w: Int, height h: Int, threshold: UInt8, block b: Int,
                                  columns C: UnsafeMutablePointer<UInt8>, out O: UnsafeMutablePointer<UInt16>) {
        let bw = (w + b - 1) / b, bh = (h + b - 1) / b
        for by in 0..<bh {
            for x in 0..<w { C[x] = 0 }
            for y in (by * b)..<min(h, by * b + b) {
                let row = S + y * w
                for x in 0..<w { C[x] &+= row[x] > threshold ? 1 : 0 }
            }
            // Tiles up to 8 wide (the field of view's are 4): the tile's column counts, each at most
            // b ≤ 8, are the low b bytes of a little-endian 64-bit word; masked to them and
            // multiplied by 0x0101…01, the word holds their sum (at most 64, so no byte carries)
            // in its top byte. The per-tile loop below ran about 20 instructions a tile; it still
            // takes wider tiles and those whose word would reach past the row's `w` counts (a tile
            // starting after w − 8).
            let wordTiles = b <= 8 && w >= 8 ? min(w / b, (w - 8) / b + 1) : 0
            let counts = UnsafeRawPointer(C), low: UInt64 = b >= 8 ? ~0 : (1 << (8 * UInt64(b))) - 1
            for bx in 0..<wordTiles {
                let word = UInt64(littleEndian: counts.loadUnaligned(fromByteOffset: bx * b, as: UInt64.self)) & low
                O[by * bw + bx] = UInt16(truncatingIfNeeded: (word &* 0x0101_0101_0101_0101) >> 56)
            }
            for bx in wordTiles..<bw {
                var count: UInt16 = 0
                for x in (bx * b)..<min(w, bx * b + b) { count &+= UInt16(C[x]) }
                O[by * bw + bx] = count
            }
        }
    }

    /// `columns[x] += row[x]` for a row of bytes (area resizing sums source rows this way).
    package static func accumulate(_ row: UnsafePointer<UInt8>, into C: UnsafeMutablePointer<UInt32>, count: Int) {
        for x in 0..<count { C[x] &+= UInt32(row[x]) }
    }

    /// SonoFilters' `HessianRidge.nearestPixel`: nearest pixel to `p`, clamped into `0..<count`.
    @inline(__always)
    static func nearestPixel(_ p: Float, _ count: Int) -> Int {
        min(max(Int(min(max(p, -1), Float(count)).rounded()), 0), count - 1)
    }

    /// ``nearestPixel(_:_:)`` for eight non-NaN positions. The clamped, rounded value is an
    /// integer in `-1...count`, read exactly from the low mantissa bits of `value + 1.5·2²³`
    /// (Swift's checked float-to-integer conversion kept the scalar loop from vectorising).
    /// The clamps are written as selects with the scalar `max`'s and `min`'s comparisons
    /// (`lo >= v ? lo : v`, then `hi < v ? hi : v`): the float `clamped(lowerBound:upperBound:)`
    /// compiled to out-of-line calls of the generic `pointwiseMax`/`pointwiseMin` (1.8 % of
    /// `analyze`'s perf samples).
    @inline(__always)
    static func nearestPixels(_ p: SIMD8<Float>, _ count: Int) -> SIMD8<Int32> {
        let lower = SIMD8<Float>(repeating: -1), upper = SIMD8<Float>(repeating: Float(count))
        let raised = p.replacing(with: lower, where: lower .>= p)
        let rounded = raised.replacing(with: upper, where: upper .< raised).rounded(.toNearestOrAwayFromZero)
        let value = unsafeBitCast(rounded + 12_582_912, to: SIMD8<Int32>.self) &- 0x4B40_0000
        return value.clamped(lowerBound: SIMD8(repeating: 0), upperBound: SIMD8(repeating: Int32(count - 1)))
    }

    /// One scale of SonoFilters' `HessianRidge` (its `referenceAccumulate` is the specification):
    /// where the bright-band response of the smoothed image `V` beats `S`, store it and the normal.
    /// Per row, pass 1 evaluates the Hessian, eigenvalue and normal for 8 pixels at a time into
    /// `scratch` (`3 × width` floats; a degenerate normal stores NaN, which never wins), pass 2
    /// does the data-dependent symmetry lookups 8 pixels at a time (skipping 8 where no response
    /// can still win), its two neighbours read lane by lane. Same expressions in the same order
    /// as the reference, so results are bit-identical.
    /// `width, height ≥ 3`.
    package static func ridgeScale(_ V: UnsafePointer<Float>, width w: Int, height h: Int, normalization norm: Float,
                                  reach: Float, strength S: UnsafeMutablePointer<Float>,
                                  normalX NX: UnsafeMutablePointer<Float>, normalY NY: UnsafeMutablePointer<Float>,
                                  scratch: UnsafeMutablePointer<Float>) {
        let response = scratch, normalsX = scratch + w, normalsY = scratch + 2 * w
        typealias F8 = SIMD8<Float>
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> F8 { UnsafeRawPointer(p).loadUnaligned(as: F8.self) }
        @inline(__always) func load(_ p: UnsafeMutablePointer<Float>) -> F8 { UnsafeRawPointer(p).loadUnaligned(as: F8.self) }
        @inline(__always) func store(_ v: F8, _ p: UnsafeMutablePointer<Float>) {
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: F8.self)
        }
        let lanes = F8(0, 1, 2, 3, 4, 5, 6, 7)
        for y in 1..<(h - 1) {
            let row = V + y * w, up = row - w, down = row + w
            var x = 1
            while x + 8 <= w - 1 {
                let c = load(row + x)
                let ixx = load(row + x + 1) - 2 * c + load(row + x - 1)
                let iyy = load(down + x) - 2 * c + load(up + x)
                let ixy = (load(down + x + 1) - load(down + x - 1) - load(up + x + 1) + load(up + x - 1)) * 0.25
                let half = (ixx - iyy) * 0.5
                let root = (half * half + ixy * ixy).squareRoot()
                let lambdaMin = (ixx + iyy) * 0.5 - root
                let s = -lambdaMin * norm
                let ex1 = ixy, ey1 = lambdaMin - ixx
                let ex2 = lambdaMin - iyy, ey2 = ixy
                let n1 = ex1 * ex1 + ey1 * ey1, n2 = ex2 * ex2 + ey2 * ey2
                let first = n1 .>= n2
                let ex = ex2.replacing(with: ex1, where: first), ey = ey2.replacing(with: ey1, where: first)
                let nn = n2.replacing(with: n1, where: first)
                let inv = 1 / nn.squareRoot()
                store(s.replacing(with: .nan, where: .!((nn .> 1e-12) .& (nn .< .infinity))), response + x)
                store(ex * inv, normalsX + x)
                store(ey * inv, normalsY + x)
                x += 8
            }
            while x < w - 1 {
                let i = y * w + x
                let ixx = V[i + 1] - 2 * V[i] + V[i - 1]
                let iyy = V[i + w] - 2 * V[i] + V[i - w]
                let ixy = (V[i + w + 1] - V[i + w - 1] - V[i - w + 1] + V[i - w - 1]) * 0.25
                let half = (ixx - iyy) * 0.5
                let root = (half * half + ixy * ixy).squareRoot()
                let lambdaMin = (ixx + iyy) * 0.5 - root
                let ex1 = ixy, ey1 = lambdaMin - ixx
                let ex2 = lambdaMin - iyy, ey2 = ixy
                let n1 = ex1 * ex1 + ey1 * ey1, n2 = ex2 * ex2 + ey2 * ey2
                let (ex, ey, nn) = n1 >= n2 ? (ex1, ey1, n1) : (ex2, ey2, n2)
                let inv = 1 / nn.squareRoot()
                response[x] = nn > 1e-12 && nn < .infinity ? -lambdaMin * norm : .nan
                normalsX[x] = ex * inv
                normalsY[x] = ey * inv
                x += 1
            }
            x = 1
            let S8 = S + y * w, NX8 = NX + y * w, NY8 = NY + y * w
            while x + 8 <= w - 1 {
                let old = load(S8 + x), r = load(response + x)
                let candidate = r .> old
                if any(candidate) {
                    // Lanes that cannot win look at their own pixel (their normal may be NaN).
                    let cx = load(normalsX + x).replacing(with: 0, where: .!candidate)
                    let cy = load(normalsY + x).replacing(with: 0, where: .!candidate)
                    let px = F8(repeating: Float(x)) + lanes, py = F8(repeating: Float(y))
                    let ax = nearestPixels(px + reach * cx, w), ay = nearestPixels(py + reach * cy, h)
                    let bx = nearestPixels(px - reach * cx, w), by = nearestPixels(py - reach * cy, h)
                    let a = ay &* Int32(w) &+ ax, b = by &* Int32(w) &+ bx
                    var va = F8(), vb = F8()
                    for l in 0..<8 { va[l] = V[Int(a[l])]; vb[l] = V[Int(b[l])] }
                    let c = load(row + x)
                    let da = c - va, db = c - vb
                    // The scalar max(0, min(da, db)) / max(da, db, 1e-3) lane by lane, with the
                    // standard library's tie rules (min keeps the first, max the last).
                    let low = da.replacing(with: db, where: db .< da), high = da.replacing(with: db, where: db .>= da)
                    let floor = F8(repeating: 1e-3)
                    let symmetry = F8(repeating: 0).replacing(with: low, where: low .>= 0)
                        / high.replacing(with: floor, where: floor .>= high)
                    let s = r * symmetry + 0
                    let wins = candidate .& (s .> old)
                    store(old.replacing(with: s, where: wins), S8 + x)
                    store(load(NX8 + x).replacing(with: cx, where: wins), NX8 + x)
                    store(load(NY8 + x).replacing(with: cy, where: wins), NY8 + x)
                }
                x += 8
            }
            while x < w - 1 {
                defer { x += 1 }
                let i = y * w + x
                var s = response[x]
                guard s > S[i] else { continue }
                let cx = normalsX[x], cy = normalsY[x]
                let ax = nearestPixel(Float(x) + reach * cx, w), ay = nearestPixel(Float(y) + reach * cy, h)
                let bx = nearestPixel(Float(x) - reach * cx, w), by = nearestPixel(Float(y) - reach * cy, h)
                let da = V[i] - V[ay * w + ax], db = V[i] - V[by * w + bx]
                let symmetry = max(0, min(da, db)) / max(da, db, 1e-3)
                // + 0 turns a -0 response into +0: lowerings of min/max may differ in the sign of a zero,
                // which would otherwise show where a caller seeds the map with negative strengths.
                s = s * symmetry + 0
                if s > S[i] {
                    S[i] = s
                    NX[i] = cx
                    NY[i] = cy
                }
            }
        }
    }

    /// Sliding `(2r+1)²` window sums in 16 bits (valid while `255·(2r+1)² < 65536`, r ≤ 7).
    /// `rowTable[k]` is the source row of padded row `k` (row `y + d` is entry `y + d + r`),
    /// `columnTable` likewise for columns, both from the caller's border rule. `columns` is
    /// `width + 2r` scratch, `sums` `width`; `emit(sums, y)` receives each row's sums.
    package static func slidingSums16(_ S: UnsafePointer<UInt8>, width w: Int, height h: Int, radius r: Int,
                                     rowTable: UnsafePointer<Int>, columnTable: UnsafePointer<Int>,
                                     columns: UnsafeMutablePointer<UInt16>, sums: UnsafeMutablePointer<UInt16>,
                                     emit: (UnsafePointer<UInt16>, Int) -> Void) {
        slidingSums(S, w, h, r, rowTable, columnTable, columns, sums, emit)
    }

    /// ``slidingSums16(_:width:height:radius:rowTable:columnTable:columns:sums:emit:)`` in 32 bits.
    package static func slidingSums32(_ S: UnsafePointer<UInt8>, width w: Int, height h: Int, radius r: Int,
                                     rowTable: UnsafePointer<Int>, columnTable: UnsafePointer<Int>,
                                     columns: UnsafeMutablePointer<UInt32>, sums: UnsafeMutablePointer<UInt32>,
                                     emit: (UnsafePointer<UInt32>, Int) -> Void) {
        slidingSums(S, w, h, r, rowTable, columnTable, columns, sums, emit)
    }

    /// Column sums over the window's rows, updated by one entering and one leaving row (a
    /// multiset update, valid for any border mapping), border columns copied through the
    /// table, then the `2r+1` shifted column sums added per row.
    @inline(__always)
    static func slidingSums<Sum: FixedWidthInteger & UnsignedInteger>(
        _ S: UnsafePointer<UInt8>, _ w: Int, _ h: Int, _ r: Int,
        _ rowTable: UnsafePointer<Int>, _ columnTable: UnsafePointer<Int>,
        _ C: UnsafeMutablePointer<Sum>, _ A: UnsafeMutablePointer<Sum>, _ emit: (UnsafePointer<Sum>, Int) -> Void
    ) {
        slidingColumns(S, w, h, r, rowTable, columnTable, C) { y in
            for x in 0..<w { A[x] = C[x] }
            if r > 0 {
                for j in 1...(2 * r) {
                    let shifted = C + j
                    for x in 0..<w { A[x] &+= shifted[x] }
                }
            }
            emit(A, y)
        }
    }

    /// The column sums of ``slidingSums(_:_:_:_:_:_:_:_:_:)``: before `row(y)`, `C[x + r]` is the
    /// sum of column `x` over the window of row `y`, and the `r` entries on each side hold the
    /// border columns' sums.
    @inline(__always)
    static func slidingColumns<Sum: FixedWidthInteger & UnsignedInteger>(
        _ S: UnsafePointer<UInt8>, _ w: Int, _ h: Int, _ r: Int,
        _ rowTable: UnsafePointer<Int>, _ columnTable: UnsafePointer<Int>,
        _ C: UnsafeMutablePointer<Sum>, _ row: (Int) -> Void
    ) {
        let V = C + r
        for x in 0..<w { V[x] = 0 }
        for k in 0...(2 * r) {
            let source = S + rowTable[k] * w
            for x in 0..<w { V[x] &+= Sum(truncatingIfNeeded: source[x]) }
        }
        for y in 0..<h {
            if y > 0 {
                let leaving = S + rowTable[y - 1] * w, entering = S + rowTable[y + 2 * r] * w
                for x in 0..<w {
                    V[x] = V[x] &+ Sum(truncatingIfNeeded: entering[x]) &- Sum(truncatingIfNeeded: leaving[x])
                }
            }
            for j in 0..<r {
                C[j] = C[r + columnTable[j]]
                C[r + w + j] = C[r + columnTable[r + w + j]]
            }
            row(y)
        }
    }

    /// SonoFilters' `Median` (its `reference` is the specification): the median of each 3×3
    /// (`radius` 1) or 5×5 (`radius` 2) window, borders replicating the edge pixel; `lanes` 16
    /// runs `SIMD16<UInt8>` vectors (`width ≥ 16`), any other value a per-pixel loop for LLVM's
    /// vectoriser to widen to the target's registers. `scratch` holds `6·(width+2r)` bytes.
    ///
    /// Per output row the window columns are sorted once into `2r+1` rows of `scratch` (row `k`
    /// holds the k-th smallest of each column, padded by `r` positions that repeat the edge
    /// column: a replicated pixel has the same column); neighbouring pixels share those sorts.
    /// 3×3 then needs 12 min/max per vector, `med3(max3(lows), med3(mids), min3(highs))`; 5×5
    /// runs the pruned network of MedianNetworks.swift. The last vector of a row is moved back
    /// to end at the row's end (it recomputes a few pixels instead of a scalar tail). The
    /// per-pixel loop (`lanes` ≠ 16) takes 3×3 rows in pairs straight from the source rows
    /// instead, without scratch (see `twoRows` below).
    package static func median(_ S: UnsafePointer<UInt8>, width w: Int, height h: Int, radius r: Int, lanes: Int,
                               scratch T: UnsafeMutablePointer<UInt8>, out O: UnsafeMutablePointer<UInt8>) {
        switch (r, lanes) {
        case (1, 16): median(S, w, h, 1, T, O, SIMD16<UInt8>.self)
        case (1, _): median(S, w, h, 1, T, O, UInt8.self)
        case (_, 16): median(S, w, h, 2, T, O, SIMD16<UInt8>.self)
        default: median(S, w, h, 2, T, O, UInt8.self)
        }
    }

    @inline(__always)
    static func median<V: ByteVector>(_ S: UnsafePointer<UInt8>, _ w: Int, _ h: Int, _ r: Int,
                                      _ T: UnsafeMutablePointer<UInt8>, _ O: UnsafeMutablePointer<UInt8>, _: V.Type) {
        let n = V.lanes, pw = w + 2 * r
        @inline(__always) func row(_ y: Int) -> UnsafePointer<UInt8> { S + min(max(y, 0), h - 1) * w }
        @inline(__always) func median3(_ a: V, _ b: V, _ c: V) -> V { vmax(vmin(a, b), vmin(vmax(a, b), c)) }
        // Vectors across the row, the last moved back to end at the row's end; one pixel at a
        // time as a plain counted loop, the form the loop vectoriser recognises.
        @inline(__always) func forEachVector(_ body: (Int) -> Void) {
            if n == 1 {
                for x in 0..<w { body(x) }
                return
            }
            var x = 0
            while true {
                if x > w - n { x = w - n }
                body(x)
                if x == w - n { break }
                x += n
            }
        }
        @inline(__always) func pad(_ base: UnsafeMutablePointer<UInt8>) {
            for k in 0...(2 * r) {
                let sorted = base + k * pw
                for j in 0..<r {
                    sorted[j] = sorted[r]
                    sorted[r + w + j] = sorted[r + w - 1]
                }
            }
        }
        @inline(__always) func select(_ base: UnsafeMutablePointer<UInt8>, _ y: Int) {
            let out = O + y * w
            if r == 1 {
                forEachVector { x in
                    let lo = base + x, mid = base + pw + x, hi = base + 2 * pw + x
                    let a = vmax(vmax(V.load(lo), V.load(lo + 1)), V.load(lo + 2))
                    let b = median3(V.load(mid), V.load(mid + 1), V.load(mid + 2))
                    let c = vmin(vmin(V.load(hi), V.load(hi + 1)), V.load(hi + 2))
                    median3(a, b, c).store(out + x)
                }
            } else {
                forEachVector { x in
                    MedianNetworks.median5x5(base + x, base + pw + x, base + 2 * pw + x, base + 3 * pw + x,
                                             base + 4 * pw + x, as: V.self).store(out + x)
                }
            }
        }
        // Two 3×3 output rows share two source rows: sort that pair once per column, then insert
        // the row above (for row y) and the row below (for row y+1), 4 min/max each instead of a
        // 6-operation sort. Returns row y's (low, mid, high), then row y+1's.
        @inline(__always) func sortedColumns(above va: V, _ vb: V, _ vc: V, below vd: V) -> (V, V, V, V, V, V) {
            let lo = vmin(vb, vc), hi = vmax(vb, vc)
            let la = vmax(lo, va), ld = vmax(lo, vd)
            return (vmin(lo, va), vmin(la, hi), vmax(la, hi), vmin(lo, vd), vmin(ld, hi), vmax(ld, hi))
        }
        // Both outputs at column x straight from the four source rows, `load(row, column)` reading
        // a pixel: 27 min/max per pixel instead of the scratch path's 17, but no sorted columns
        // stored and read back three times. With the loop vectoriser's 32-byte vectors (x86-64-v3
        // and v4) 8,730–8,930 against 7,190–7,730 MP/s (`SONOQC_CPU=v4|v3 filter-timer --kernel
        // median3x3 --min-seconds 1`, alternating with the scratch path's build); with explicit
        // `SIMD16` (the portable build) it was slower, 3,850 against 4,600, so that build keeps
        // the scratch rows.
        @inline(__always) func twoRows(_ x: Int, _ load: (UnsafePointer<UInt8>, Int) -> V, _ a: UnsafePointer<UInt8>,
                                       _ b: UnsafePointer<UInt8>, _ c: UnsafePointer<UInt8>, _ d: UnsafePointer<UInt8>) -> (V, V) {
            @inline(__always) func column(_ k: Int) -> (V, V, V, V, V, V) {
                sortedColumns(above: load(a, x + k), load(b, x + k), load(c, x + k), below: load(d, x + k))
            }
            let l = column(-1), m = column(0), q = column(1)
            return (median3(vmax(vmax(l.0, m.0), q.0), median3(l.1, m.1, q.1), vmin(vmin(l.2, m.2), q.2)),
                    median3(vmax(vmax(l.3, m.3), q.3), median3(l.4, m.4, q.4), vmin(vmin(l.5, m.5), q.5)))
        }
        var y = 0
        while y < h {
            if r == 1 && n == 1 && y + 1 < h && w >= 3 {
                let a = row(y - 1), b = row(y), c = row(y + 1), d = row(y + 2)
                let top = O + y * w, bottom = top + w
                // Columns 1 … w−2 have both neighbours in the row; the edge columns repeat the
                // edge pixel through clamped loads (a vector is one pixel here, so nothing outside
                // the row is read or written). SonoFilters passes w ≥ 16, but the `w >= 3` above
                // still matters: without it this loop was vectorised at half the speed (4,010 MP/s).
                for x in 1..<(w - 1) {
                    let (p, q) = twoRows(x, { V.load($0 + $1) }, a, b, c, d)
                    p.store(top + x)
                    q.store(bottom + x)
                }
                for x in stride(from: 0, through: w - 1, by: w - 1) {
                    let (p, q) = twoRows(x, { V.load($0 + min(max($1, 0), w - 1)) }, a, b, c, d)
                    p.store(top + x)
                    q.store(bottom + x)
                }
                y += 2
                continue
            }
            if r == 1 && y + 1 < h {
                // The pair's sorted columns into scratch, then the selection per row.
                let a = row(y - 1), b = row(y), c = row(y + 1), d = row(y + 2), t = T + 1, u = T + 3 * pw + 1
                forEachVector { x in
                    let s = sortedColumns(above: V.load(a + x), V.load(b + x), V.load(c + x), below: V.load(d + x))
                    s.0.store(t + x); s.1.store(t + pw + x); s.2.store(t + 2 * pw + x)
                    s.3.store(u + x); s.4.store(u + pw + x); s.5.store(u + 2 * pw + x)
                }
                pad(T)
                pad(T + 3 * pw)
                select(T, y)
                select(T + 3 * pw, y + 1)
                y += 2
                continue
            }
            if r == 1 {
                let a = row(y - 1), b = row(y), c = row(y + 1), t = T + 1
                forEachVector { x in
                    var c0 = V.load(a + x), c1 = V.load(b + x), c2 = V.load(c + x)
                    (c0, c1) = (vmin(c0, c1), vmax(c0, c1))
                    (c0, c2) = (vmin(c0, c2), vmax(c0, c2))
                    (c1, c2) = (vmin(c1, c2), vmax(c1, c2))
                    c0.store(t + x); c1.store(t + pw + x); c2.store(t + 2 * pw + x)
                }
            } else {
                let a = row(y - 2), b = row(y - 1), c = row(y), d = row(y + 1), e = row(y + 2), t = T + 2
                forEachVector { x in
                    var c0 = V.load(a + x), c1 = V.load(b + x), c2 = V.load(c + x), c3 = V.load(d + x), c4 = V.load(e + x)
                    MedianNetworks.sortColumn5(&c0, &c1, &c2, &c3, &c4)
                    c0.store(t + x); c1.store(t + pw + x); c2.store(t + 2 * pw + x); c3.store(t + 3 * pw + x)
                    c4.store(t + 4 * pw + x)
                }
            }
            pad(T)
            select(T, y)
            y += 1
        }
    }

    /// SonoFilters' 8-bit `GaussianBlur.reference` (the specification) for radius `r ≥ 1`,
    /// bit-exact: `taps[0...r]` are the fixed-point taps (sum 256) from the outermost to the
    /// centre, `rowTable`/`columnTable` the reflect-101 source of each padded row/column (`h + 2r`,
    /// `w + 2r` entries), `vertical` `w + 2r` and `result` `w` entries of scratch.
    ///
    /// Per output row a vertical pass into the middle of the padded row, centre tap first, in
    /// `UInt16` (a side tap is at most 85 and a mirrored pair at most 510, so `85·510` and the
    /// whole sum, ≤ 255·256, fit); then the horizontal pass in 16-bit lanes, 8 pixels at a time,
    /// splitting each intermediate into its high and low byte: the taps sum to 256, so Σ tap·high
    /// and Σ tap·low each stay ≤ 255·256, and the exact `(Σ tap·V + 2¹⁵) >> 16` equals
    /// `(Σhigh + (Σlow >> 8) + 128) >> 8`. The same as plain pointer loops measured 2–5× slower:
    /// the auto-vectoriser gave up on them.
    package static func gaussianU8(_ S: UnsafePointer<UInt8>, width w: Int, height h: Int, radius r: Int,
                                   taps: UnsafePointer<UInt16>, rowTable: UnsafePointer<Int>,
                                   columnTable: UnsafePointer<Int>, vertical P: UnsafeMutablePointer<UInt16>,
                                   result R: UnsafeMutablePointer<UInt16>, out O: UnsafeMutablePointer<UInt8>) {
        typealias U = SIMD8<UInt16>
        @inline(__always) func load(_ p: UnsafeMutablePointer<UInt16>) -> U { UnsafeRawPointer(p).loadUnaligned(as: U.self) }
        let tc = taps[r], V = P + r
        for y in 0..<h {
            let center = S + rowTable[y + r] * w
            for x in 0..<w { V[x] = tc &* UInt16(center[x]) }
            for k in 0..<r {
                let a = S + rowTable[y + k] * w, b = S + rowTable[y + 2 * r - k] * w
                let t = taps[k]
                for x in 0..<w { V[x] &+= t &* (UInt16(a[x]) &+ UInt16(b[x])) }
            }
            for j in 0..<r {
                P[j] = V[columnTable[j]]
                P[r + w + j] = V[columnTable[r + w + j]]
            }
            let ctr = U(repeating: tc)
            var x = 0
            while x + 8 <= w {
                let c = load(V + x)
                var sumHigh = ctr &* (c &>> 8), sumLow = ctr &* (c & 0xFF)
                for j in 0..<r {
                    let t = U(repeating: taps[j])
                    let a = load(P + x + j), b = load(P + x + 2 * r - j)
                    sumHigh &+= t &* ((a &>> 8) &+ (b &>> 8))
                    sumLow &+= t &* ((a & 0xFF) &+ (b & 0xFF))
                }
                UnsafeMutableRawPointer(R + x).storeBytes(of: (sumHigh &+ (sumLow &>> 8) &+ 128) &>> 8, as: U.self)
                x += 8
            }
            while x < w {
                var sumHigh = tc &* (V[x] &>> 8), sumLow = tc &* (V[x] & 0xFF)
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

    /// SonoFilters' 8-bit `Downsample.half` (its `reference` is the specification): the rounded
    /// mean of each 2×2 block, `(a + b + c + d + 2) >> 2`, output `⌈w/2⌉ × ⌈h/2⌉`; an odd last
    /// column or row is averaged with itself.
    ///
    /// Explicit vectors (the auto-vectorised stride-2 loop ran at a fifth of OpenCV's speed):
    /// 32 source bytes read as 16 little-endian `UInt16` lanes hold 16 even/odd pixel pairs, low
    /// byte even, high byte odd; each row pair gives 16 outputs, narrowed in registers and
    /// stored as bytes (8 outputs per step through a 16-bit scratch row, an earlier version, ran
    /// at about 0.6 of this one's speed: README, "Integral image and 2×2 halving").
    package static func halve(_ S: UnsafePointer<UInt8>, width w: Int, height h: Int, out O: UnsafeMutablePointer<UInt8>) {
        let ow = (w + 1) / 2, oh = (h + 1) / 2, fullColumns = w / 2
        for y in 0..<oh {
            let a = S + 2 * y * w, b = S + min(2 * y + 1, h - 1) * w
            let row = O + y * ow
            var x = 0
            while x + 16 <= fullColumns {
                let p = UnsafeRawPointer(a + 2 * x).loadUnaligned(as: SIMD16<UInt16>.self)
                let q = UnsafeRawPointer(b + 2 * x).loadUnaligned(as: SIMD16<UInt16>.self)
                let mean = ((p & 0xFF) &+ (p &>> 8) &+ (q & 0xFF) &+ (q &>> 8) &+ 2) &>> 2
                UnsafeMutableRawPointer(row + x).storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: mean), as: SIMD16<UInt8>.self)
                x += 16
            }
            while x < fullColumns {
                let sum = UInt16(a[2 * x]) &+ UInt16(a[2 * x + 1]) &+ UInt16(b[2 * x]) &+ UInt16(b[2 * x + 1])
                row[x] = UInt8(truncatingIfNeeded: (sum &+ 2) &>> 2)
                x += 1
            }
            if w % 2 == 1 {
                let sum = 2 &* (UInt16(a[w - 1]) &+ UInt16(b[w - 1]))
                row[ow - 1] = UInt8(truncatingIfNeeded: (sum &+ 2) &>> 2)
            }
        }
    }

    /// SonoFilters' float `GaussianBlur.reference` (the specification) for radius `r ≥ 1`:
    /// `taps[0...r]` are the taps from the outermost to the centre, `rowTable`/`columnTable`
    /// give the source row/column of each padded position (`h + 2r`, `w + 2r` entries, from
    /// the caller's reflect-101), `padded` is `w + 2r` floats of scratch.
    ///
    /// Per output row a vertical pass over the `2r+1` source rows writes the middle of the
    /// padded row, then a horizontal pass reads it; mirror taps are equal, so each adds the two
    /// mirrored inputs and multiplies once, centre first, in tap order. 64 pixels (four vectors)
    /// at a time with the whole tap sums in registers, then 16, then one: one pass per tap over a
    /// row in memory (an earlier version) was bound by its loads and stores, and one vector at a
    /// time by the latency of its chain of adds. Every pixel's sum is formed in the same order on
    /// all three paths, so the output does not depend on which path a pixel took.
    package static func gaussianF32(_ S: UnsafePointer<Float>, width w: Int, height h: Int, radius r: Int,
                                    taps: UnsafePointer<Float>, rowTable: UnsafePointer<Int>, columnTable: UnsafePointer<Int>,
                                    padded P: UnsafeMutablePointer<Float>, out O: UnsafeMutablePointer<Float>) {
        for y in 0..<h {
            gaussianRowF32(S, rowTable: rowTable, y: y, width: w, radius: r, taps: taps, columnTable: columnTable,
                           padded: P, out: O + y * w, flat: nil)
        }
    }

    /// One output row `y` of ``gaussianF32(_:width:height:radius:taps:rowTable:columnTable:padded:out:)``,
    /// whose source row at padded position `j` starts at `S + rowTable[j] * w`: the image itself,
    /// or a ring of the rows in reach (``detailLayer(_:mask:width:height:radius:taps:ringTable:columnTable:rings:padded:sums:runs:out:)``).
    ///
    /// `flat` marks the columns whose `2r+1` source rows around `y` all hold the value 1 (its
    /// `runs[x] ≥ 2r+1`; only for rows whose window needs no reflection): there the vertical sum
    /// is `vertical`, and an output whose horizontal reach (no reflection either) lies in such
    /// columns is `both`, the values the sums give for those inputs in the same order. A 64-pixel
    /// step with every column flat stores them instead of summing.
    @inline(__always)
    private static func gaussianRowF32(_ S: UnsafePointer<Float>, rowTable: UnsafePointer<Int>, y: Int, width w: Int,
                                       radius r: Int, taps: UnsafePointer<Float>, columnTable: UnsafePointer<Int>,
                                       padded P: UnsafeMutablePointer<Float>, out row: UnsafeMutablePointer<Float>,
                                       flat: (runs: UnsafePointer<Int32>, vertical: Float, both: Float)?) {
        typealias F = SIMD16<Float>
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> F { UnsafeRawPointer(p).loadUnaligned(as: F.self) }
        @inline(__always) func load(_ p: UnsafeMutablePointer<Float>) -> F { UnsafeRawPointer(p).loadUnaligned(as: F.self) }
        @inline(__always) func store(_ v: F, _ p: UnsafeMutablePointer<Float>) {
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: F.self)
        }
        let tc = taps[r], V = P + r
        /// 64 outputs (four vectors) of either pass: the centre tap, then each mirrored pair
        /// `pair(k)` in tap order, four independent sums so the adds do not wait on each other.
        @inline(__always) func sums64(_ centre: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                                      pair: (Int) -> (UnsafePointer<Float>, UnsafePointer<Float>)) {
            var s0 = tc * load(centre), s1 = tc * load(centre + 16)
            var s2 = tc * load(centre + 32), s3 = tc * load(centre + 48)
            for k in 0..<r {
                let (a, b) = pair(k), t = taps[k]
                s0 += t * (load(a) + load(b))
                s1 += t * (load(a + 16) + load(b + 16))
                s2 += t * (load(a + 32) + load(b + 32))
                s3 += t * (load(a + 48) + load(b + 48))
            }
            store(s0, out); store(s1, out + 16); store(s2, out + 32); store(s3, out + 48)
        }
        /// Whether columns `from ..< from + count` are all flat.
        @inline(__always) func allFlat(_ runs: UnsafePointer<Int32>, _ from: Int, _ count: Int) -> Bool {
            var least = Int32.max
            for i in from..<(from + count) { least = min(least, runs[i]) }
            return least >= Int32(2 * r + 1)
        }
        let center = S + rowTable[y + r] * w
        var x = 0
        // The two source rows' addresses are formed once per 64 pixels (once per 16, their
        // multiply and table loads were most of the vertical pass).
        while x + 64 <= w {
            if let flat, allFlat(flat.runs, x, 64) {
                let value = F(repeating: flat.vertical)
                store(value, V + x); store(value, V + x + 16); store(value, V + x + 32); store(value, V + x + 48)
                x += 64
                continue
            }
            let column = x
            sums64(center + x, into: V + x) { k in
                (S + rowTable[y + k] * w + column, S + rowTable[y + 2 * r - k] * w + column)
            }
            x += 64
        }
        while x + 16 <= w {
            var sum = tc * load(center + x)
            for k in 0..<r {
                let a = S + rowTable[y + k] * w, b = S + rowTable[y + 2 * r - k] * w
                sum += taps[k] * (load(a + x) + load(b + x))
            }
            store(sum, V + x)
            x += 16
        }
        while x < w {
            var sum = tc * center[x]
            for k in 0..<r {
                sum += taps[k] * (S[rowTable[y + k] * w + x] + S[rowTable[y + 2 * r - k] * w + x])
            }
            V[x] = sum
            x += 1
        }
        for j in 0..<r {
            P[j] = V[columnTable[j]]
            P[r + w + j] = V[columnTable[r + w + j]]
        }
        x = 0
        while x + 64 <= w {
            if let flat, x >= r, x + 64 + r <= w, allFlat(flat.runs, x - r, 64 + 2 * r) {
                let value = F(repeating: flat.both)
                store(value, row + x); store(value, row + x + 16); store(value, row + x + 32); store(value, row + x + 48)
                x += 64
                continue
            }
            let column = x
            sums64(UnsafePointer(V + x), into: row + x) { j in
                (UnsafePointer(P + column + j), UnsafePointer(P + column + 2 * r - j))
            }
            x += 64
        }
        while x + 16 <= w {
            var sum = tc * load(V + x)
            for j in 0..<r { sum += taps[j] * (load(P + x + j) + load(P + x + 2 * r - j)) }
            store(sum, row + x)
            x += 16
        }
        while x < w {
            var sum = tc * V[x]
            for j in 0..<r { sum += taps[j] * (P[x + j] + P[x + 2 * r - j]) }
            row[x] = sum
            x += 1
        }
    }

    /// SonoFilters' `DetailLayer` on its vector path, row by row: the same arithmetic as
    /// ``gaussianF32(_:width:height:radius:taps:rowTable:columnTable:padded:out:)`` on the masked
    /// values (`weight · S`) and on the weights (1 where `M` is non-zero, else 0), then
    /// ``detailCombine(_:sum:weight:count:out:)`` per row, so every output byte equals that
    /// composition's. The frame-sized float images the composition wrote and read back (four of
    /// them, 1.7 MB each at 800 × 540) become rings of the `2r+1` source rows in reach, `rings`
    /// holding `2 · (2r+1) · w` floats (values, then weights); source row `q` lives in ring row
    /// `q mod (2r+1)`, and `ringTable[j]` is that ring row for padded position `j` (the reflect-101
    /// row table's entries mod `2r+1`). `padded` is `w + 2r` floats, `sums` `2w` (the row's
    /// blurred values, then its blurred weights), `runs` `w` integers of scratch.
    ///
    /// Inside the mask the weights are all 1, and their blur is the same constant wherever its
    /// whole window is analysed: `runs[x]` counts the analysed rows ending at the newest loaded
    /// one, and 64-pixel steps whose windows are all analysed store that constant (computed once,
    /// with the same operations in the same order) instead of summing 1s.
    package static func detailLayer(_ S: UnsafePointer<UInt8>, mask M: UnsafePointer<UInt8>, width w: Int, height h: Int,
                                    radius r: Int, taps: UnsafePointer<Float>, ringTable: UnsafePointer<Int>,
                                    columnTable: UnsafePointer<Int>,
                                    rings: UnsafeMutablePointer<Float>, padded P: UnsafeMutablePointer<Float>,
                                    sums: UnsafeMutablePointer<Float>, runs: UnsafeMutablePointer<Int32>,
                                    out O: UnsafeMutablePointer<UInt8>) {
        let span = 2 * r + 1
        let values = rings, weights = rings + span * w
        // The weights' vertical sum over 2r+1 ones, then the horizontal sum over 2r+1 of those,
        // as `gaussianRowF32` forms them: centre tap first, then each mirrored pair in tap order.
        var vertical = taps[r] * 1
        for k in 0..<r { vertical += taps[k] * (1 + 1) }
        var both = taps[r] * vertical
        for k in 0..<r { both += taps[k] * (vertical + vertical) }
        for x in 0..<w { runs[x] = 0 }
        var loaded = 0
        for y in 0..<h {
            // Reflect-101 keeps every row output y reads within [y − r, y + r] ∩ [0, h), so the
            // ring holds them all once the rows up to min(y + r, h − 1) are in.
            while loaded <= min(y + r, h - 1) {
                let source = S + loaded * w, analysed = M + loaded * w
                let value = values + (loaded % span) * w, weight = weights + (loaded % span) * w
                for x in 0..<w {
                    let m: Float = analysed[x] != 0 ? 1 : 0
                    weight[x] = m
                    value[x] = m * Float(source[x])
                }
                // A loop of its own: inside the one above it kept that loop from vectorising.
                for x in 0..<w { runs[x] = analysed[x] != 0 ? runs[x] &+ 1 : 0 }
                loaded += 1
            }
            gaussianRowF32(UnsafePointer(values), rowTable: ringTable, y: y, width: w, radius: r, taps: taps,
                           columnTable: columnTable, padded: P, out: sums, flat: nil)
            // Rows whose window is y − r … y + r unreflected; the newest loaded row is then y + r.
            let unreflected = y >= r && y + r <= h - 1
            gaussianRowF32(UnsafePointer(weights), rowTable: ringTable, y: y, width: w, radius: r, taps: taps,
                           columnTable: columnTable, padded: P, out: sums + w,
                           flat: unreflected ? (UnsafePointer(runs), vertical, both) : nil)
            detailCombine(S + y * w, sum: sums, weight: sums + w, count: w, out: O + y * w)
        }
    }

    /// SonoFilters' `DetailLayer` combination (its scalar loop is the specification): per pixel
    /// `t = clamp(S − sum / max(weight, 10⁻³) + 128, 0, 255) + 0.5`, stored as `⌊t⌋`. The reference's
    /// `UInt8(t)` carries a range check that keeps LLVM from vectorising; here `⌊t⌋` is formed
    /// without one: `t + 2²³ − 2²³` rounds `t` to the nearest integer (exact for `0 ≤ t < 2²²`),
    /// one is taken off when that rounded up, and the integer is read from the low mantissa bits
    /// of `⌊t⌋ + 2²³`. Every step is exact, so the bytes equal the reference's.
    package static func detailCombine(_ S: UnsafePointer<UInt8>, sum: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                      count n: Int, out O: UnsafeMutablePointer<UInt8>) {
        let magic: Float = 8_388_608
        for i in 0..<n {
            let t = min(max(Float(S[i]) - sum[i] / max(weight[i], 1e-3) + 128, 0), 255) + 0.5
            let nearest = (t + magic) - magic
            let floor = nearest > t ? nearest - 1 : nearest
            O[i] = UInt8(truncatingIfNeeded: (floor + magic).bitPattern)
        }
    }

    /// SonoFilters' 8-bit `BoxFilter.reference` for `1 ≤ r ≤ 7`: the 16-bit column sums of
    /// ``slidingSums16(_:width:height:radius:rowTable:columnTable:columns:sums:emit:)`` (same
    /// tables; `columns` is its scratch), then per pixel the `2r+1` column sums added and divided
    /// by `n = (2r+1)²`, rounded as the low byte of `s·(1/n) + 1.5·2²³` (`inverse` is `1/n`; why
    /// that is exact: SonoFilters' `BoxFilter.vectorizedSmall`). The radius is a constant in each
    /// case of the switch, so the per-pixel sum unrolls and the row loop vectorises in one pass
    /// (one pass per shifted copy, as the window sums do, was most of the time).
    package static func boxMean16(_ S: UnsafePointer<UInt8>, width w: Int, height h: Int, radius r: Int,
                                  rowTable: UnsafePointer<Int>, columnTable: UnsafePointer<Int>,
                                  columns C: UnsafeMutablePointer<UInt16>, inverse: Float, out O: UnsafeMutablePointer<UInt8>) {
        @inline(__always) func mean(_ y: Int, _ r: Int) {
            let row = O + y * w
            for x in 0..<w {
                var s = C[x]
                for j in 1...(2 * r) { s &+= C[x + j] }
                row[x] = UInt8(truncatingIfNeeded: (Float(s) * inverse + 12_582_912).bitPattern)
            }
        }
        slidingColumns(S, w, h, r, rowTable, columnTable, C) { y in
            switch r {
            case 1: mean(y, 1)
            case 2: mean(y, 2)
            case 3: mean(y, 3)
            case 4: mean(y, 4)
            case 5: mean(y, 5)
            case 6: mean(y, 6)
            default: mean(y, 7)
            }
        }
    }

    /// SonoFilters' `pyrDown` (its `referencePyrDown` is the specification): the 5×5 binomial
    /// blur at every second pixel, `(Σ + 128) >> 8`, output `⌈w/2⌉ × ⌈h/2⌉`. `rowTable` has
    /// `h + 4` entries, `columnTable` `2⌈w/2⌉ + 4` (reflect-101 of padded position − 2, from
    /// the caller), `padded` that many `UInt16` of scratch.
    ///
    /// Per output row the five source rows combine as `a + 4b + 6c + 4d + e` (≤ 4080) into the
    /// padded row; the horizontal pass then takes 16 outputs from 32 consecutive entries,
    /// splitting even and odd positions in registers. The final sum (≤ 65280) plus 128 fits
    /// `UInt16`, so the arithmetic is exactly the reference's integers.
    package static func pyrDown(_ S: UnsafePointer<UInt8>, width w: Int, height h: Int, rowTable: UnsafePointer<Int>,
                                columnTable: UnsafePointer<Int>, padded P: UnsafeMutablePointer<UInt16>,
                                out O: UnsafeMutablePointer<UInt8>) {
        let ow = (w + 1) / 2, oh = (h + 1) / 2, pw = 2 * ow + 4
        let V = P + 2
        typealias W = SIMD32<UInt16>
        @inline(__always) func load(_ p: UnsafeMutablePointer<UInt16>) -> W { UnsafeRawPointer(p).loadUnaligned(as: W.self) }
        for y in 0..<oh {
            let r0 = S + rowTable[2 * y] * w, r1 = S + rowTable[2 * y + 1] * w, r2 = S + rowTable[2 * y + 2] * w
            let r3 = S + rowTable[2 * y + 3] * w, r4 = S + rowTable[2 * y + 4] * w
            for x in 0..<w {
                let outer = UInt16(r0[x]) &+ UInt16(r4[x])
                let inner = UInt16(r1[x]) &+ UInt16(r3[x])
                V[x] = outer &+ 4 &* inner &+ 6 &* UInt16(r2[x])
            }
            P[0] = V[columnTable[0]]
            P[1] = V[columnTable[1]]
            for j in (w + 2)..<pw { P[j] = V[columnTable[j]] }
            let row = O + y * ow
            var x = 0
            // Output x needs padded entries 2x…2x+4; 16 outputs read 32 entries from 2x, 2x+2, 2x+4.
            while x + 16 <= ow {
                let a = load(P + 2 * x), b = load(P + 2 * x + 2), c = load(P + 2 * x + 4)
                let sum = (a.evenHalf &+ c.evenHalf) &+ 4 &* (a.oddHalf &+ b.oddHalf) &+ 6 &* b.evenHalf &+ 128
                UnsafeMutableRawPointer(row + x).storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: sum &>> 8),
                                                            as: SIMD16<UInt8>.self)
                x += 16
            }
            while x < ow {
                let c = P + 2 * x
                let sum = (c[0] &+ c[4]) &+ 4 &* (c[1] &+ c[3]) &+ 6 &* c[2] &+ 128
                row[x] = UInt8(truncatingIfNeeded: sum &>> 8)
                x += 1
            }
        }
    }

    /// SonoFilters' 8-bit `Gradient` (Sobel: `side` 1, `center` 2; Scharr: 3, 10; its `reference`
    /// is the specification): with `a`, `b`, `c` the source rows above, at and below `y`
    /// (`rowTable[y]`, `y`, `rowTable[y + 2]`: reflect-101), `dx[x] = S(x+1) − S(x−1)` for the
    /// column smoothing `S(x) = side·(a[x] + c[x]) + center·b[x]`, and `dy[x] = side·(D(x−1) +
    /// D(x+1)) + center·D(x)` for the column difference `D(x) = c[x] − a[x]`. Interior pixels read
    /// their nine neighbours straight from the rows, two output rows per pass sharing two source
    /// rows, and nothing but the outputs is stored; the first and last columns take the mirrored
    /// columns (`left` and `right`: reflect-101 of −1 and `w`). The portable build's earlier
    /// version, which wrote S and D to scratch rows and read them back, ran at about 1,610 MP/s
    /// on an 800 × 540 frame, this one at 3,660–3,840 at v3 (README, "Filter kernels": three
    /// `Benchmarks/peers/compare.py` runs each, 2026-12-03). Wrapping `Int16` arithmetic: every result
    /// fits `Int16` (|Scharr| ≤ 4080), so the values equal the reference's whatever the order of
    /// operations. The weights are constants in each case of the switch (shifts and adds).
    package static func gradient3x3(_ S: UnsafePointer<UInt8>, width w: Int, height h: Int, side: Int16, center: Int16,
                                    rowTable: UnsafePointer<Int>, left: Int, right: Int,
                                    dx DX: UnsafeMutablePointer<Int16>, dy DY: UnsafeMutablePointer<Int16>) {
        @inline(__always) func rows(_ side: Int16, _ center: Int16) {
            // The columns beside 0 and w − 1 (reflect-101 of 1 and w − 2; 0 when w is 1).
            let second = min(1, w - 1), secondLast = max(w - 2, 0)
            @inline(__always) func borders(_ y: Int, _ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ c: UnsafePointer<UInt8>) {
                let dxRow = DX + y * w, dyRow = DY + y * w
                @inline(__always) func smooth(_ x: Int) -> Int16 { side &* (Int16(a[x]) &+ Int16(c[x])) &+ center &* Int16(b[x]) }
                @inline(__always) func difference(_ x: Int) -> Int16 { Int16(c[x]) &- Int16(a[x]) }
                @inline(__always) func border(_ x: Int, _ before: Int, _ after: Int) {
                    dxRow[x] = smooth(after) &- smooth(before)
                    dyRow[x] = side &* (difference(before) &+ difference(after)) &+ center &* difference(x)
                }
                border(0, left, second)
                if w > 1 { border(w - 1, secondLast, right) }
            }
            var y = 0
            // Two output rows at a time share two of their three source rows.
            while y + 1 < h {
                let a = S + rowTable[y] * w, b = S + y * w, c = S + (y + 1) * w, d = S + rowTable[y + 3] * w
                borders(y, a, b, c)
                borders(y + 1, b, c, d)
                if w > 2 {
                    let dx0 = DX + y * w, dy0 = DY + y * w, dx1 = dx0 + w, dy1 = dy0 + w
                    for x in 1..<(w - 1) {
                        let al = Int16(a[x - 1]), am = Int16(a[x]), ar = Int16(a[x + 1])
                        let bl = Int16(b[x - 1]), bm = Int16(b[x]), br = Int16(b[x + 1])
                        let cl = Int16(c[x - 1]), cm = Int16(c[x]), cr = Int16(c[x + 1])
                        let dl = Int16(d[x - 1]), dm = Int16(d[x]), dr = Int16(d[x + 1])
                        dx0[x] = (side &* (ar &+ cr) &+ center &* br) &- (side &* (al &+ cl) &+ center &* bl)
                        dy0[x] = side &* ((cl &- al) &+ (cr &- ar)) &+ center &* (cm &- am)
                        dx1[x] = (side &* (br &+ dr) &+ center &* cr) &- (side &* (bl &+ dl) &+ center &* cl)
                        dy1[x] = side &* ((dl &- bl) &+ (dr &- br)) &+ center &* (dm &- bm)
                    }
                }
                y += 2
            }
            if y < h {
                let a = S + rowTable[y] * w, b = S + y * w, c = S + rowTable[y + 2] * w
                borders(y, a, b, c)
                if w > 2 {
                    let dxRow = DX + y * w, dyRow = DY + y * w
                    for x in 1..<(w - 1) {
                        let tl = Int16(a[x - 1]), tm = Int16(a[x]), tr = Int16(a[x + 1])
                        let bl = Int16(c[x - 1]), bm = Int16(c[x]), br = Int16(c[x + 1])
                        dxRow[x] = (side &* (tr &+ br) &+ center &* Int16(b[x + 1])) &- (side &* (tl &+ bl) &+ center &* Int16(b[x - 1]))
                        dyRow[x] = side &* ((bl &- tl) &+ (br &- tr)) &+ center &* (bm &- tm)
                    }
                }
            }
        }
        switch (side, center) {
        case (1, 2): rows(1, 2)
        case (3, 10): rows(3, 10)
        default: rows(side, center)
        }
    }

    /// SonoFilters' `IntegralImage` (its `referenceTable` is the specification): the
    /// `(w+1)×(h+1)` summed-area table `T` in wrapping `UInt32`, row 0 and column 0 zero.
    ///
    /// A row's running sum is a dependent chain; here it is one vector add per 16 pixels, and the
    /// rest of the work does not wait for it. Per 16 pixels, widened to 16-bit lanes: each group
    /// of four becomes its prefix (lanes one apart added, then lanes two apart), each half's
    /// second group adds the first group's total, so every lane holds the sum of its half up to
    /// it (≤ 8·255 fits 16 bits). Widened to 32 bits, the upper half adds the lower half's total.
    /// `carry` (the row's sum before the 16 pixels, in every lane) then advances by the block's
    /// total, so the lane broadcasts stay off the dependent chain (taking the carry from the
    /// block's last finished lane would put two of them on it). Little-endian lane order is
    /// assumed (x86-64 and arm64) by the 64-bit word view.
    package static func integral(_ S: UnsafePointer<UInt8>, width w: Int, height h: Int, table T: UnsafeMutablePointer<UInt32>) {
        typealias Lanes = SIMD16<UInt16>
        let stride = w + 1
        for x in 0..<stride { T[x] = 0 }
        for y in 0..<h {
            let row = S + y * w, above = T + y * stride + 1, here = T + (y + 1) * stride
            here[0] = 0
            var carry = SIMD8<UInt32>(repeating: 0), x = 0
            while x + 16 <= w {
                // Widened lane by lane: `Lanes(truncatingIfNeeded:)` from `SIMD16<UInt8>` compiled to a
                // call to an outlined generic specialisation (swiftc 6 here, `-O -wmo`).
                let bytes = UnsafeRawPointer(row + x).loadUnaligned(as: SIMD16<UInt8>.self)
                var v = Lanes()
                for i in 0..<16 { v[i] = UInt16(bytes[i]) }
                // Lanes one apart as 64-bit words (a shift), two apart as a shuffle: written as
                // a second word shift, LLVM fused the two into a 64-bit multiply AVX2 lacks.
                var words = unsafeBitCast(v, to: SIMD4<UInt64>.self)
                words &+= words &<< 16
                v = unsafeBitCast(words, to: Lanes.self)
                v &+= Lanes(0, 0, v[0], v[1], 0, 0, v[4], v[5], 0, 0, v[8], v[9], 0, 0, v[12], v[13])
                v &+= Lanes(0, 0, 0, 0, v[3], v[3], v[3], v[3], 0, 0, 0, 0, v[11], v[11], v[11], v[11])
                let low = SIMD8<UInt32>(truncatingIfNeeded: v.lowHalf)
                let high = SIMD8<UInt32>(truncatingIfNeeded: v.highHalf) &+ SIMD8(repeating: low[7])
                let lowAbove = UnsafeRawPointer(above + x).loadUnaligned(as: SIMD8<UInt32>.self)
                let highAbove = UnsafeRawPointer(above + x + 8).loadUnaligned(as: SIMD8<UInt32>.self)
                UnsafeMutableRawPointer(here + x + 1).storeBytes(of: low &+ carry &+ lowAbove, as: SIMD8<UInt32>.self)
                UnsafeMutableRawPointer(here + x + 9).storeBytes(of: high &+ carry &+ highAbove, as: SIMD8<UInt32>.self)
                carry &+= SIMD8(repeating: high[7])
                x += 16
            }
            var sum = carry[0]
            while x < w {
                sum &+= UInt32(row[x])
                here[x + 1] = sum &+ above[x]
                x += 1
            }
        }
    }
}
