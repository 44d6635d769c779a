import SonoCore

/// Vectorisable Lee filter: per row, vertical window sums of `x` and `x²` over the `2r+1`
/// reflected source rows, padded by `r` columns (reflect-101), then horizontal sums of
/// shifted copies, then the blend. Sums are single precision (the reference uses double);
/// the equivalence test states the tolerance.
extension LeeFilter {
    static func vectorized(_ image: FloatImage, radius r: Int, speckleScaleSquared: Double?) -> FloatImage {
        guard r > 0, !image.isEmpty,
              let cu2Double = speckleScaleSquared ?? SRAD.speckleScaleSquared(image) else { return image }
        let cu2 = Float(cu2Double)
        let w = image.width, h = image.height, pw = w + 2 * r
        let inverseCount = 1 / Float((2 * r + 1) * (2 * r + 1))
        let columnTable = Border.reflect101Table(count: w, radius: r)
        var scratch = [Float](repeating: 0, count: 2 * pw + 2 * w)
        return FloatImage(width: w, height: h) { out in
            image.withUnsafeSamples { src in
                scratch.withUnsafeMutableBufferPointer { buffer in
                    let sums = buffer.baseAddress!, squares = sums + pw
                    let mean = squares + pw, meanSquares = mean + w
                    let S = src.baseAddress!, O = out.baseAddress!
                    let vs = sums + r, vq = squares + r
                    for y in 0..<h {
                        for x in 0..<w { vs[x] = 0; vq[x] = 0 }
                        for k in -r...r {
                            let row = S + Border.reflect101(y + k, h) * w
                            for x in 0..<w {
                                let v = row[x]
                                vs[x] += v
                                vq[x] += v * v
                            }
                        }
                        for j in 0..<r {
                            sums[j] = vs[columnTable[j]]; sums[r + w + j] = vs[columnTable[r + w + j]]
                            squares[j] = vq[columnTable[j]]; squares[r + w + j] = vq[columnTable[r + w + j]]
                        }
                        for x in 0..<w { mean[x] = sums[x]; meanSquares[x] = squares[x] }
                        for j in 1...(2 * r) {
                            let s = sums + j, q = squares + j
                            for x in 0..<w {
                                mean[x] += s[x]
                                meanSquares[x] += q[x]
                            }
                        }
                        let source = S + y * w, row = O + y * w
                        for x in 0..<w {
                            let m = mean[x] * inverseCount
                            let variance = max(meanSquares[x] * inverseCount - m * m, 0)
                            row[x] = blend(value: source[x], mean: m, variance: variance, cu2: cu2)
                        }
                    }
                }
            }
        }
    }
}
