import Foundation
import SonoFilters

/// Robust least-squares ellipse fitting on weighted points.
///
/// Minimises the weighted squared radial residual (``Ellipse/radialResidual(x:y:)``) with
/// Levenberg–Marquardt, and down-weights outliers by iteratively reweighted least squares with
/// Tukey's biweight. Radial rather than algebraic residuals because algebraic fits are biased
/// toward small ellipses on partial arcs, and a head often shows only part of its skull.
enum EllipseFitter {
    struct WeightedPoint {
        var x: Double
        var y: Double
        var weight: Double
    }

    /// Initial estimate from weighted first and second moments (exact for points spread
    /// uniformly in the ellipse's parameter angle).
    static func momentEstimate(_ points: [WeightedPoint]) -> Ellipse? {
        var sw = 0.0, sx = 0.0, sy = 0.0
        for p in points where p.weight > 0 { sw += p.weight; sx += p.weight * p.x; sy += p.weight * p.y }
        guard sw > 0 else { return nil }
        let mx = sx / sw, my = sy / sw
        var cxx = 0.0, cyy = 0.0, cxy = 0.0
        for p in points where p.weight > 0 {
            let dx = p.x - mx, dy = p.y - my
            cxx += p.weight * dx * dx; cyy += p.weight * dy * dy; cxy += p.weight * dx * dy
        }
        cxx /= sw; cyy /= sw; cxy /= sw
        let tr = (cxx + cyy) / 2, det = ((cxx - cyy) / 2) * ((cxx - cyy) / 2) + cxy * cxy
        let l1 = tr + det.squareRoot(), l2 = tr - det.squareRoot()
        guard l2 > 0 else { return nil }
        let angle = 0.5 * atan2(2 * cxy, cxx - cyy)
        return Ellipse(centerX: mx, centerY: my, semiAxisA: (2 * l1).squareRoot(),
                       semiAxisB: (2 * l2).squareRoot(), angleRadians: angle)
    }

    /// Radial residuals of all points for parameters (cx, cy, a, b, θ), with the trigonometry
    /// done once per parameter vector (it dominated the cost when done per point).
    static func residuals(_ q: [Double], _ points: [WeightedPoint], into out: inout [Double]) {
        var noJacobian: [Double] = []
        evaluate(q, points, residuals: &out, jacobian: &noJacobian, withJacobian: false)
    }

    /// The residuals and their derivatives with respect to (cx, cy, a, b, θ), `jacobian` column-major
    /// (`jacobian[d · points.count + i]` is ∂rᵢ/∂q_d), so the paired pass stores two points at once.
    /// Analytic rather than finite differences, which cost five more residual passes per
    /// Levenberg–Marquardt step (a third of the measurer's time).
    static func residualsAndJacobian(_ q: [Double], _ points: [WeightedPoint], residuals: inout [Double],
                                     jacobian: inout [Double]) {
        evaluate(q, points, residuals: &residuals, jacobian: &jacobian, withJacobian: true)
    }

    /// r = ρ − ρ/k per point, ρ = |(dx, dy)| and k = |(u, v)| with (u, v) the point in the
    /// ellipse's frame scaled by its semi-axes; where k is 0 (the centre) the residual is −min(a, b)
    /// and flat, so its Jacobian row is 0.
    ///
    /// Two points per step in `SIMD2` lanes (the square roots and divisions are most of the cost,
    /// and SSE2 does two per instruction); each lane performs ``referenceEvaluate``'s operations in
    /// the same order, so the results are the same bit for bit. An odd last point takes the
    /// reference's per-point code.
    static func evaluate(_ q: [Double], _ points: [WeightedPoint], residuals out: inout [Double],
                         jacobian: inout [Double], withJacobian: Bool) {
        let frame = ResidualFrame(q)
        let c = frame.c, s = frame.s, ia = frame.ia, ib = frame.ib, flat = -min(frame.a, frame.b)
        let ratio = frame.b * ia - frame.a * ib
        points.withUnsafeBufferPointer { pts in
            out.withUnsafeMutableBufferPointer { o in
                jacobian.withUnsafeMutableBufferPointer { jac in
                    let zero = SIMD2<Double>(repeating: 0)
                    var i = 0
                    while i + 2 <= pts.count {
                        let dx = SIMD2(pts[i].x, pts[i + 1].x) - frame.cx, dy = SIMD2(pts[i].y, pts[i + 1].y) - frame.cy
                        let u = (dx * c + dy * s) * ia, v = (-dx * s + dy * c) * ib
                        let rho = (dx * dx + dy * dy).squareRoot()
                        let k = (u * u + v * v).squareRoot()
                        let centre = .!(k .> zero)
                        let r = (rho - rho / k).replacing(with: flat, where: centre)
                        UnsafeMutableRawPointer(o.baseAddress! + i).storeBytes(of: r, as: SIMD2<Double>.self)
                        if withJacobian {
                            let g = rho / (k * k * k), h = (1 - 1 / k) / rho
                            let none = centre .| .!(rho .> zero)
                            func store(_ d: Int, _ derivative: SIMD2<Double>) {
                                UnsafeMutableRawPointer(jac.baseAddress! + d * pts.count + i)
                                    .storeBytes(of: derivative.replacing(with: zero, where: none), as: SIMD2<Double>.self)
                            }
                            store(0, g * (-u * c * ia + v * s * ib) - h * dx)
                            store(1, g * (-u * s * ia - v * c * ib) - h * dy)
                            store(2, -g * u * u * ia)
                            store(3, -g * v * v * ib)
                            store(4, g * u * v * ratio)
                        }
                        i += 2
                    }
                    if i < pts.count {
                        frame.evaluate(pts[i], residual: &o[i], jacobian: withJacobian ? jac.baseAddress! + i : nil, stride: pts.count)
                    }
                }
            }
        }
    }

    /// ``evaluate(_:_:residuals:jacobian:withJacobian:)`` one point at a time: its specification.
    static func referenceEvaluate(_ q: [Double], _ points: [WeightedPoint], residuals out: inout [Double],
                                  jacobian: inout [Double], withJacobian: Bool) {
        let frame = ResidualFrame(q)
        out.withUnsafeMutableBufferPointer { o in
            jacobian.withUnsafeMutableBufferPointer { jac in
                for i in points.indices {
                    frame.evaluate(points[i], residual: &o[i], jacobian: withJacobian ? jac.baseAddress! + i : nil, stride: points.count)
                }
            }
        }
    }

    /// The parameters (cx, cy, a, b, θ) with the trigonometry done once per parameter vector (it
    /// dominated the cost when done per point).
    struct ResidualFrame {
        let cx: Double, cy: Double, a: Double, b: Double, c: Double, s: Double, ia: Double, ib: Double

        init(_ q: [Double]) {
            cx = q[0]; cy = q[1]; a = q[2]; b = q[3]
            c = cos(q[4]); s = sin(q[4]); ia = 1 / a; ib = 1 / b
        }

        /// One point's residual and, when `jacobian` is given, its five derivatives at `jacobian[d · stride]`.
        @inline(__always)
        func evaluate(_ p: WeightedPoint, residual: inout Double, jacobian jac: UnsafeMutablePointer<Double>?, stride: Int) {
            let dx = p.x - cx, dy = p.y - cy
            let u = (dx * c + dy * s) * ia, v = (-dx * s + dy * c) * ib
            let rho = (dx * dx + dy * dy).squareRoot()
            let k = (u * u + v * v).squareRoot()
            residual = k > 0 ? rho - rho / k : -min(a, b)
            guard let jac else { return }
            guard k > 0, rho > 0 else {
                for d in 0..<5 { jac[d * stride] = 0 }
                return
            }
            // ∂r = (ρ/k²)·∂k + (1 − 1/k)·∂ρ, with ∂k = (u·∂u + v·∂v)/k and ∂ρ = (dx·∂dx + dy·∂dy)/ρ.
            let g = rho / (k * k * k), h = (1 - 1 / k) / rho
            jac[0] = g * (-u * c * ia + v * s * ib) - h * dx
            jac[stride] = g * (-u * s * ia - v * c * ib) - h * dy
            jac[2 * stride] = -g * u * u * ia
            jac[3 * stride] = -g * v * v * ib
            jac[4 * stride] = g * u * v * (b * ia - a * ib)
        }
    }

    /// Levenberg–Marquardt on (cx, cy, a, b, θ) from `start`; returns nil if the fit degenerates.
    static func refine(_ points: [WeightedPoint], start: Ellipse, iterations: Int = 12) -> Ellipse? {
        var p = [start.centerX, start.centerY, abs(start.semiAxisA), abs(start.semiAxisB), start.angleRadians]
        let n = points.count
        var residual = [Double](repeating: 0, count: n)
        var shifted = [Double](repeating: 0, count: n)
        var jacobian = [Double](repeating: 0, count: n * 5)
        func cost(_ q: [Double]) -> Double {
            residuals(q, points, into: &shifted)
            var c = 0.0
            for i in 0..<n { c += points[i].weight * shifted[i] * shifted[i] }
            return c
        }
        var lambda = 1e-3
        var current = cost(p)
        for _ in 0..<iterations {
            residualsAndJacobian(p, points, residuals: &residual, jacobian: &jacobian)
            let (jtj, jtr) = normalEquations(points, jacobian: jacobian, residuals: residual)
            var improved = false
            for _ in 0..<6 {
                var a = jtj
                for d in 0..<5 { a[d * 5 + d] += lambda * max(jtj[d * 5 + d], 1e-12) }
                guard let delta = solve(a, jtr.map { -$0 }) else { lambda *= 10; continue }
                let q = zip(p, delta).map { $0 + $1 }
                guard q[2] > 1, q[3] > 1 else { lambda *= 10; continue }
                let c = cost(q)
                if c < current {
                    let gain = current - c
                    p = q; current = c; lambda = max(lambda / 3, 1e-9); improved = true
                    if gain < 1e-10 * max(c, 1e-12) { return make(p) }
                    break
                }
                lambda *= 10
            }
            if !improved { break }
        }
        return make(p)
    }

    /// JᵀWJ (row-major 5 × 5, symmetric) and JᵀWr over the points with a positive weight. The
    /// sums live in two SIMD registers rather than arrays (the array version's bounds-checked
    /// loops were a large part of the fitter's time); each entry still adds `(J[i,r]·w)·J[i,c]` in
    /// point order, exactly as before, so the fit is unchanged bit for bit.
    private static func normalEquations(_ points: [WeightedPoint], jacobian: [Double], residuals: [Double])
        -> (jtj: [Double], jtr: [Double]) {
        var upper = SIMD16<Double>(repeating: 0)          // the 15 entries c ≥ r, row by row
        var jtr = SIMD8<Double>(repeating: 0)
        points.withUnsafeBufferPointer { pts in
            jacobian.withUnsafeBufferPointer { jac in
                residuals.withUnsafeBufferPointer { res in
                    for i in 0..<pts.count where pts[i].weight > 0 {
                        let w = pts[i].weight, n = pts.count, column = jac.baseAddress! + i
                        let j0 = column[0], j1 = column[n], j2 = column[2 * n], j3 = column[3 * n], j4 = column[4 * n]
                        let w0 = j0 * w, w1 = j1 * w, w2 = j2 * w, w3 = j3 * w, w4 = j4 * w
                        jtr += SIMD8(w0, w1, w2, w3, w4, 0, 0, 0) * res[i]
                        upper += SIMD16(w0, w0, w0, w0, w0, w1, w1, w1, w1, w2, w2, w2, w3, w3, w4, 0)
                            * SIMD16(j0, j1, j2, j3, j4, j1, j2, j3, j4, j2, j3, j4, j3, j4, j4, 0)
                    }
                }
            }
        }
        var jtj = [Double](repeating: 0, count: 25)
        var k = 0
        for r in 0..<5 {
            for c in r..<5 {
                jtj[r * 5 + c] = upper[k]
                jtj[c * 5 + r] = upper[k]
                k += 1
            }
        }
        return (jtj, (0..<5).map { jtr[$0] })
    }

    private static func make(_ p: [Double]) -> Ellipse? {
        guard p.allSatisfy({ $0.isFinite }), p[2] > 1, p[3] > 1 else { return nil }
        return Ellipse(centerX: p[0], centerY: p[1], semiAxisA: p[2], semiAxisB: p[3], angleRadians: p[4])
    }

    /// Robust fit: LM, then Tukey-biweight reweighting on the residuals `rounds` times.
    /// Returns the ellipse and the final per-point robust weights (0 for rejected points).
    static func robustFit(
        _ points: [WeightedPoint], start: Ellipse, rounds: Int = 3, minimumScale: Double = 0.75
    ) -> (ellipse: Ellipse, robustWeights: [Double])? {
        guard var ellipse = refine(points, start: start) else { return nil }
        var robust = [Double](repeating: 1, count: points.count)
        for _ in 0..<rounds {
            let rotation = ellipse.rotation
            let residuals = points.map { ellipse.radialResidual(x: $0.x, y: $0.y, rotation: rotation) }
            let absolute = zip(points, residuals).filter { $0.0.weight > 0 }.map { abs($0.1) }
            guard let mad = ImageStatistics.upperMedian(absolute) else { return nil }
            let c = 4.685 * max(1.4826 * mad, minimumScale)
            var reweighted = points
            for i in points.indices {
                let u = residuals[i] / c
                robust[i] = abs(u) < 1 ? (1 - u * u) * (1 - u * u) : 0
                reweighted[i].weight = points[i].weight * robust[i]
            }
            guard let next = refine(reweighted, start: ellipse) else { break }
            ellipse = next
        }
        return (ellipse, robust)
    }

    /// Gaussian elimination with partial pivoting for small n×n normal equations (row-major
    /// `matrix`, n = `rhs.count`): the fitter's 5×5 steps and ``HeadErrorModel``'s least squares.
    static func solve(_ matrix: [Double], _ rhs: [Double]) -> [Double]? {
        var a = matrix, b = rhs
        let n = rhs.count
        guard n > 0, matrix.count == n * n else { return nil }
        for col in 0..<n {
            var pivot = col
            for r in (col + 1)..<n where abs(a[r * n + col]) > abs(a[pivot * n + col]) { pivot = r }
            guard abs(a[pivot * n + col]) > 1e-300 else { return nil }
            if pivot != col {
                for c in 0..<n { a.swapAt(col * n + c, pivot * n + c) }
                b.swapAt(col, pivot)
            }
            for r in (col + 1)..<n {
                let f = a[r * n + col] / a[col * n + col]
                if f == 0 { continue }
                for c in col..<n { a[r * n + c] -= f * a[col * n + c] }
                b[r] -= f * b[col]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for r in stride(from: n - 1, through: 0, by: -1) {
            var s = b[r]
            for c in (r + 1)..<n { s -= a[r * n + c] * x[c] }
            x[r] = s / a[r * n + r]
        }
        return x.allSatisfy { $0.isFinite } ? x : nil
    }
}
