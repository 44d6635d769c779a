/// Smooth, seeded 2-D value noise in [-1, 1]: the slowly varying tissue texture on which the
/// speckle rides (echogenicity differs between lobules, fibres and fat septa).
///
/// Lattice values come from an integer hash of (seed, cell), so the field is a pure function of
/// its arguments: no state, safe on any thread, identical whatever the evaluation order.
struct ValueNoise: Sendable {
    let seed: UInt64

    init(seed: UInt64) { self.seed = seed }

    @inline(__always)
    private func lattice(_ ix: Int, _ iy: Int) -> Double {
        var h = seed &+ UInt64(bitPattern: Int64(ix)) &* 0x9E37_79B9_7F4A_7C15
        h ^= UInt64(bitPattern: Int64(iy)) &* 0xC2B2_AE3D_27D4_EB4F
        h = (h ^ (h >> 31)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 29)) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 32
        return Double(h >> 11) * 0x1.0p-52 - 1
    }

    /// Noise at (x, y) with one lattice cell per unit.
    @inline(__always)
    func value(_ x: Double, _ y: Double) -> Double {
        let fx = x.rounded(.down), fy = y.rounded(.down)
        let ix = Int(fx), iy = Int(fy)
        let tx = x - fx, ty = y - fy
        let sx = tx * tx * (3 - 2 * tx), sy = ty * ty * (3 - 2 * ty)
        let v00 = lattice(ix, iy), v10 = lattice(ix + 1, iy)
        let v01 = lattice(ix, iy + 1), v11 = lattice(ix + 1, iy + 1)
        let top = v00 + (v10 - v00) * sx
        let bottom = v01 + (v11 - v01) * sx
        return top + (bottom - top) * sy
    }

    /// Two octaves, cell size `scaleMM` (and half of it), anisotropic when `stretchX` differs from 1.
    @inline(__always)
    func fractal(xMM: Double, yMM: Double, scaleMM: Double, stretchX: Double = 1) -> Double {
        let x = xMM / (scaleMM * stretchX), y = yMM / scaleMM
        return 0.67 * value(x, y) + 0.33 * value(2.03 * x + 17.1, 2.03 * y - 9.7)
    }
}
