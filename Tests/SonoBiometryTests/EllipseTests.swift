import Foundation
import Testing
@testable import SonoBiometry
import SonoCore

@Suite("Ellipse geometry and fitting")
struct EllipseTests {
    @Test("radial residual is zero on the ellipse, positive outside, negative inside")
    func radialResidual() {
        let e = Ellipse(centerX: 10, centerY: -5, semiAxisA: 40, semiAxisB: 25, angleRadians: 0.7)
        for t in stride(from: 0.0, to: 2 * Double.pi, by: 0.3) {
            let p = e.point(atParameter: t)
            #expect(abs(e.radialResidual(x: p.x, y: p.y)) < 1e-9)
            let phi = atan2(p.y - e.centerY, p.x - e.centerX)
            #expect(abs(e.radius(atPolarAngle: phi) - hypot(p.x - e.centerX, p.y - e.centerY)) < 1e-9)
        }
        #expect(e.radialResidual(x: 10 + 60 * cos(0.7), y: -5 + 60 * sin(0.7)) > 19.99)
        #expect(e.contains(x: 10, y: -5))
        #expect(!e.contains(x: 100, y: 100))
    }

    @Test("scaling maps pixel centres between pyramid levels")
    func scaling() {
        let e = Ellipse(centerX: 0, centerY: 0, semiAxisA: 10, semiAxisB: 5, angleRadians: 0)
        let s = e.scaled(by: 2)
        #expect(s.centerX == 0.5 && s.centerY == 0.5 && s.semiAxisA == 20 && s.semiAxisB == 10)
        #expect(abs(e.perimeter - HeadGeometry.ellipsePerimeter(semiAxisA: 10, semiAxisB: 5)) < 1e-12)
        #expect(Ellipse(centerX: 0, centerY: 0, semiAxisA: 5, semiAxisB: 10, angleRadians: 0.2).majorAxisAngleRadians
            == 0.2 + Double.pi / 2)
    }

    @Test("robust fit recovers an ellipse from a noisy partial arc with 30 % outliers")
    func robustFitRecoversEllipse() throws {
        var rng = SeededGenerator(seed: 7)
        let truth = Ellipse(centerX: 100, centerY: 80, semiAxisA: 60, semiAxisB: 45, angleRadians: 0.4)
        var points: [EllipseFitter.WeightedPoint] = []
        for k in 0..<200 {
            let t = -1.2 + 2.4 * Double(k) / 199 + (k % 2 == 0 ? 0 : Double.pi)   // two opposite arcs
            var p = truth.point(atParameter: t)
            p.x += (rng.unit() - 0.5) * 0.8
            p.y += (rng.unit() - 0.5) * 0.8
            if k % 10 < 3 { p.x += 15 + 20 * rng.unit(); p.y -= 10 * rng.unit() }
            points.append(.init(x: p.x, y: p.y, weight: 1))
        }
        let start = Ellipse(centerX: 95, centerY: 85, semiAxisA: 50, semiAxisB: 50, angleRadians: 0)
        let fit = try #require(EllipseFitter.robustFit(points, start: start, rounds: 6)).ellipse
        #expect(abs(fit.centerX - 100) < 0.5 && abs(fit.centerY - 80) < 0.5)
        #expect(abs(fit.semiMajor - 60) < 0.5 && abs(fit.semiMinor - 45) < 0.5)
        #expect(abs(fit.perimeter - truth.perimeter) / truth.perimeter < 0.005)
    }

    @Test("moment estimate of evenly spread ellipse points is exact")
    func momentEstimate() throws {
        let truth = Ellipse(centerX: 3, centerY: 4, semiAxisA: 30, semiAxisB: 20, angleRadians: 0.3)
        let points = (0..<360).map { k -> EllipseFitter.WeightedPoint in
            let p = truth.point(atParameter: Double(k) * Double.pi / 180)
            return .init(x: p.x, y: p.y, weight: 1)
        }
        let e = try #require(EllipseFitter.momentEstimate(points))
        #expect(abs(e.semiMajor - 30) < 1e-6 && abs(e.semiMinor - 20) < 1e-6)
        #expect(abs(e.majorAxisAngleRadians - 0.3) < 1e-6)
    }

    @Test("the two-lane residual pass equals the per-point reference bit for bit", arguments: [0, 1, 2, 3, 7, 40, 41])
    func pairedResidualsMatchReference(count: Int) {
        var rng = SeededGenerator(seed: UInt64(100 + count))
        for round in 0..<10 {
            let q = [50 + 20 * rng.unit(), 40 + 20 * rng.unit(), 20 + 40 * rng.unit(), 15 + 30 * rng.unit(), 3 * rng.unit() - 1.5]
            // The ellipse's centre (k = 0, ρ = 0: the flat row) at each lane position and as the
            // odd last point; the rest inside and outside the ellipse.
            let centres: Set<Int> = [round % 2, count - 1]
            let points = (0..<count).map { k -> EllipseFitter.WeightedPoint in
                centres.contains(k) ? .init(x: q[0], y: q[1], weight: 1)
                    : .init(x: q[0] + 120 * (rng.unit() - 0.5), y: q[1] + 120 * (rng.unit() - 0.5), weight: rng.unit())
            }
            for withJacobian in [false, true] {
                var residuals = [Double](repeating: .nan, count: count), expected = residuals
                var jacobian = [Double](repeating: .nan, count: withJacobian ? count * 5 : 0), expectedJacobian = jacobian
                EllipseFitter.evaluate(q, points, residuals: &residuals, jacobian: &jacobian, withJacobian: withJacobian)
                EllipseFitter.referenceEvaluate(q, points, residuals: &expected, jacobian: &expectedJacobian, withJacobian: withJacobian)
                #expect(residuals.map(\.bitPattern) == expected.map(\.bitPattern), "count \(count) round \(round)")
                #expect(jacobian.map(\.bitPattern) == expectedJacobian.map(\.bitPattern), "count \(count) round \(round)")
            }
        }
    }

    @Test("the analytic Jacobian of the radial residual matches central differences")
    func jacobianMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<20 {
            let q = [50 + 20 * rng.unit(), 40 + 20 * rng.unit(), 20 + 40 * rng.unit(), 15 + 30 * rng.unit(), 3 * rng.unit() - 1.5]
            // Points inside and outside the ellipse, the first at its centre (the flat row).
            let points = (0..<40).map { k -> EllipseFitter.WeightedPoint in
                k == 0 ? .init(x: q[0], y: q[1], weight: 1)
                    : .init(x: q[0] + 120 * (rng.unit() - 0.5), y: q[1] + 120 * (rng.unit() - 0.5), weight: 1)
            }
            var analytic = [Double](repeating: .nan, count: points.count * 5)
            var residuals = [Double](repeating: .nan, count: points.count), plain = residuals
            EllipseFitter.residualsAndJacobian(q, points, residuals: &residuals, jacobian: &analytic)
            EllipseFitter.residuals(q, points, into: &plain)
            #expect(residuals == plain, "the fused pass gives the residuals bit for bit")
            var plus = [Double](repeating: 0, count: points.count), minus = plus
            for j in 0..<5 {
                let step = j == 4 ? 1e-6 : 1e-5
                var qp = q, qm = q
                qp[j] += step
                qm[j] -= step
                EllipseFitter.residuals(qp, points, into: &plus)
                EllipseFitter.residuals(qm, points, into: &minus)
                for i in 1..<points.count {
                    let numeric = (plus[i] - minus[i]) / (2 * step)
                    #expect(abs(analytic[j * points.count + i] - numeric) <= 1e-5 * max(1, abs(numeric)), "parameter \(j), point \(i)")
                }
                #expect(analytic[j * points.count] == 0, "the centre's row is flat")
            }
        }
    }

    @Test("the measurer's direction tables hold exactly what libm gives for 2πk/n",
          arguments: [(UnitCircle.ringDirections, 128), (UnitCircle.borderRays, 180)])
    func unitCircleTables(circle: UnitCircle, directions n: Int) {
        #expect(circle.angle.count == n && circle.cosine.count == n && circle.sine.count == n)
        for k in 0..<n {
            let phi = 2 * Double.pi * Double(k) / Double(n)
            #expect(circle.angle[k].bitPattern == phi.bitPattern)
            #expect(circle.cosine[k].bitPattern == cos(phi).bitPattern && circle.sine[k].bitPattern == sin(phi).bitPattern, "k \(k)")
        }
    }

    @Test("the residual with a precomputed rotation equals the residual")
    func residualWithRotation() {
        let e = Ellipse(centerX: 10, centerY: -4, semiAxisA: 30, semiAxisB: 21, angleRadians: 0.7)
        for (x, y) in [(40.0, 3.0), (10, -4), (-25, 30), (11, -60)] {
            #expect(e.radialResidual(x: x, y: y, rotation: e.rotation) == e.radialResidual(x: x, y: y))
        }
    }
}
