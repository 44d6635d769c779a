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

package enum Kernels {
    /// Reflect-101 for one coordinate at most one step outside `0..<count` (3×3 neighbourhoods).
    @inline(__always)
    static func reflectOnce(_ i: Int, _ count: Int) -> Int {
        if count == 1 { return 0 }
        return i < 0 ? -i : (i >= count ? 2 * count - 2 - i : i)
    }

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

    /// The same over one row, counting a pixel when its mask byte is non-zero (added as 0 or 1
    /// rather than branched on).
    package static func maskedHistogram(_ row: UnsafePointer<UInt8>, mask: UnsafePointer<UInt8>, count: Int,
                                       counts H: UnsafeMutablePointer<UInt32>) {
        var x = 0
        while x + 4 <= count {
            H[Int(row[x])] &+= mask[x] == 0 ? 0 : 1
            H[256 + Int(row[x + 1])] &+= mask[x + 1] == 0 ? 0 : 1
            H[512 + Int(row[x + 2])] &+= mask[x + 2] == 0 ? 0 : 1
            H[768 + Int(row[x + 3])] &+= mask[x + 3] == 0 ? 0 : 1
            x += 4
        }
        while x < count {
            H[Int(row[x])] &+= mask[x] == 0 ? 0 : 1
            x += 1
        }
    }

    /// `dx = I(x+1) − I(x−1)`, `dy = I(y+1) − I(y−1)`, reflect-101; `width, height ≥ 1`.
    package static func centralDifference(_ S: UnsafePointer<UInt8>, width w: Int, height h: Int,
                                         dx DX: UnsafeMutablePointer<Int16>, dy DY: UnsafeMutablePointer<Int16>) {
        let left = reflectOnce(-1, w), right = reflectOnce(w, w)
        let second = reflectOnce(1, w), penultimate = reflectOnce(w - 2, w)
        for y in 0..<h {
            let a = S + reflectOnce(y - 1, h) * w, b = S + y * w, c = S + reflectOnce(y + 1, h) * w
            let dxRow = DX + y * w, dyRow = DY + y * w
            for x in 0..<w { dyRow[x] = Int16(c[x]) &- Int16(a[x]) }
            if w > 2 {
                for x in 1..<(w - 1) { dxRow[x] = Int16(b[x + 1]) &- Int16(b[x - 1]) }
            }
            dxRow[0] = Int16(b[second]) &- Int16(b[left])
            dxRow[w - 1] = Int16(b[right]) &- Int16(b[penultimate])
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
            for bx in 0..<bw {
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

    /// One scale of SonoFilters' `HessianRidge` (its `referenceAccumulate` is the specification):
    /// where the bright-band response of the smoothed image `V` beats `S`, store it and the normal.
    /// Per row, pass 1 evaluates the Hessian, eigenvalue and normal for 8 pixels at a time into
    /// `scratch` (`3 × width` floats; a degenerate normal stores NaN, which never wins), pass 2
    /// does the data-dependent symmetry lookups per pixel, only where the response can still win.
    /// Same expressions in the same order as the reference, so results are bit-identical.
    /// `width, height ≥ 3`.
    package static func ridgeScale(_ V: UnsafePointer<Float>, width w: Int, height h: Int, normalization norm: Float,
                                  reach: Float, strength S: UnsafeMutablePointer<Float>,
                                  normalX NX: UnsafeMutablePointer<Float>, normalY NY: UnsafeMutablePointer<Float>,
                                  scratch: UnsafeMutablePointer<Float>) {
        let response = scratch, normalsX = scratch + w, normalsY = scratch + 2 * w
        typealias F8 = SIMD8<Float>
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> F8 { UnsafeRawPointer(p).loadUnaligned(as: F8.self) }
        @inline(__always) func store(_ v: F8, _ p: UnsafeMutablePointer<Float>) {
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: F8.self)
        }
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
            for x in 1..<(w - 1) {
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
        let V = C + r
        for x in 0..<w { V[x] = 0 }
        for k in 0...(2 * r) {
            let row = S + rowTable[k] * w
            for x in 0..<w { V[x] &+= Sum(truncatingIfNeeded: row[x]) }
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
}
