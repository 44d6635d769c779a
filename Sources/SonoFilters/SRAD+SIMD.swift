import SonoCore

/// Vectorisable SRAD: the image lives in a buffer padded by one pixel on every side whose
/// border replicates the edge (so the four differences need no branches and are 0 across
/// the border, the zero-flux condition). The coefficient buffer has the same padding, left
/// at 0: the only border coefficients the update reads multiply a zero difference. Two image
/// buffers alternate between iterations; nothing is allocated per iteration. The `q0²`
/// estimate uses the same tiles as the reference, summed in double precision per tile row.
extension SRAD {
    static func vectorized(_ image: FloatImage, iterations: Int, timeStep: Float) -> FloatImage {
        guard iterations > 0, !image.isEmpty else { return image }
        let w = image.width, h = image.height
        let pw = w + 2, ph = h + 2
        var current = [Float](repeating: 0, count: pw * ph)
        var next = current
        var coefficients = current
        image.withUnsafeSamples { src in
            current.withUnsafeMutableBufferPointer { cur in
                for y in 0..<h {
                    (cur.baseAddress! + (y + 1) * pw + 1).update(from: src.baseAddress! + y * w, count: w)
                }
                refreshBorder(cur.baseAddress!, w: w, h: h)
            }
        }
        let step = 0.25 * timeStep
        let epsilon = minimumIntensity
        for _ in 0..<iterations {
            guard let q0Squared = tileEstimate(current, w: w, h: h) else { break }
            let q0 = Float(q0Squared)
            let scale = 1 / (q0 * (1 + q0))
            current.withUnsafeBufferPointer { curBuffer in
                coefficients.withUnsafeMutableBufferPointer { cBuffer in
                    next.withUnsafeMutableBufferPointer { nBuffer in
                        let J = curBuffer.baseAddress!, C = cBuffer.baseAddress!, N = nBuffer.baseAddress!
                        // Half-open ranges over pointers offset to the first interior pixel and
                        // explicit selects: with `1...w` and `min`/`max` this loop stayed scalar.
                        for y in 1...h {
                            let row = J + y * pw + 1, up = row - pw, down = row + pw
                            let c = C + y * pw + 1
                            for x in 0..<w {
                                let v = row[x]
                                let dN = up[x] - v, dS = down[x] - v, dW = row[x - 1] - v, dE = row[x + 1] - v
                                let inverse = 1 / (v > epsilon ? v : epsilon)
                                let g2 = (dN * dN + dS * dS + dW * dW + dE * dE) * (inverse * inverse)
                                let l = (dN + dS + dW + dE) * inverse
                                let numerator = 0.5 * g2 - 0.0625 * (l * l)
                                let denominator = 1 + 0.25 * l
                                // 1 / (1 + (num/d² − q0)·scale) with the inner division folded
                                // into the outer one: d² / (d² + (num − q0·d²)·scale). Same value
                                // and sign (d² ≥ 0); d² = 0 still ends at c = 0 via the select.
                                let d2 = denominator * denominator
                                let value = d2 / (d2 + (numerator - q0 * d2) * scale)
                                let clamped: Float = value < 1 ? value : 1
                                c[x] = value > 0 ? clamped : 0
                            }
                        }
                        for y in 1...h {
                            let row = J + y * pw + 1, up = row - pw, down = row + pw
                            let c = C + y * pw + 1, cDown = c + pw
                            let out = N + y * pw + 1
                            for x in 0..<w {
                                let v = row[x], cHere = c[x]
                                let divergence = cDown[x] * (down[x] - v) + cHere * (up[x] - v)
                                    + c[x + 1] * (row[x + 1] - v) + cHere * (row[x - 1] - v)
                                out[x] = v + step * divergence
                            }
                        }
                        refreshBorder(N, w: w, h: h)
                    }
                }
            }
            swap(&current, &next)
        }
        return FloatImage(width: w, height: h) { out in
            current.withUnsafeBufferPointer { cur in
                for y in 0..<h {
                    (out.baseAddress! + y * w).update(from: cur.baseAddress! + (y + 1) * pw + 1, count: w)
                }
            }
        }
    }

    /// Replicates the edge of the `w×h` interior into the one-pixel frame around it.
    private static func refreshBorder(_ P: UnsafeMutablePointer<Float>, w: Int, h: Int) {
        let pw = w + 2
        for y in 1...h {
            P[y * pw] = P[y * pw + 1]
            P[y * pw + w + 1] = P[y * pw + w]
        }
        (P).update(from: P + pw, count: pw)
        (P + (h + 1) * pw).update(from: P + h * pw, count: pw)
    }

    /// ``speckleScaleSquared(_:)`` on the padded buffer's interior.
    private static func tileEstimate(_ padded: [Float], w: Int, h: Int) -> Double? {
        let pw = w + 2
        let tw = min(tileSize, w), th = min(tileSize, h)
        var values: [Double] = []
        values.reserveCapacity((w / tw) * (h / th))
        padded.withUnsafeBufferPointer { buffer in
            let P = buffer.baseAddress!
            var ty = 0
            while ty + th <= h {
                var tx = 0
                while tx + tw <= w {
                    var sum = 0.0, sumSquares = 0.0
                    for y in ty..<(ty + th) {
                        let row = P + (y + 1) * pw + 1 + tx
                        var rowSum: Float = 0, rowSquares: Float = 0
                        for x in 0..<tw {
                            rowSum += row[x]
                            rowSquares += row[x] * row[x]
                        }
                        sum += Double(rowSum)
                        sumSquares += Double(rowSquares)
                    }
                    let n = Double(tw * th)
                    let mean = sum / n
                    if mean > 0 {
                        values.append(max(sumSquares / n - mean * mean, 0) / (mean * mean))
                    }
                    tx += tw
                }
                ty += th
            }
        }
        guard !values.isEmpty else { return nil }
        values.sort()
        return max(values[(values.count - 1) / 2], minimumScaleSquared)
    }
}
