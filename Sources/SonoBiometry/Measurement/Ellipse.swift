import Foundation

/// An ellipse in pixel coordinates (origin top-left, x right, y down).
///
/// `semiAxisA` lies along the direction `angleRadians` (measured from +x towards +y) and
/// `semiAxisB` perpendicular to it; neither is guaranteed to be the larger one, use
/// ``semiMajor`` and ``semiMinor`` for that.
package struct Ellipse: Sendable, Hashable, Codable {
    package var centerX: Double
    package var centerY: Double
    package var semiAxisA: Double
    package var semiAxisB: Double
    package var angleRadians: Double

    package init(centerX: Double, centerY: Double, semiAxisA: Double, semiAxisB: Double, angleRadians: Double) {
        self.centerX = centerX
        self.centerY = centerY
        self.semiAxisA = semiAxisA
        self.semiAxisB = semiAxisB
        self.angleRadians = angleRadians
    }

    package var semiMajor: Double { max(abs(semiAxisA), abs(semiAxisB)) }
    package var semiMinor: Double { min(abs(semiAxisA), abs(semiAxisB)) }

    /// Direction of the major axis in radians, normalised to [0, π).
    package var majorAxisAngleRadians: Double {
        var angle = abs(semiAxisA) >= abs(semiAxisB) ? angleRadians : angleRadians + Double.pi / 2
        angle = angle.truncatingRemainder(dividingBy: Double.pi)
        if angle < 0 { angle += Double.pi }
        return angle
    }

    /// Perimeter by Ramanujan's second approximation, in pixels.
    package var perimeter: Double {
        HeadGeometry.ellipsePerimeter(semiAxisA: abs(semiAxisA), semiAxisB: abs(semiAxisB))
    }

    /// Area in square pixels.
    package var area: Double { Double.pi * abs(semiAxisA * semiAxisB) }

    /// The point at parametric angle `t`.
    package func point(atParameter t: Double) -> (x: Double, y: Double) {
        let c = cos(angleRadians), s = sin(angleRadians)
        let u = semiAxisA * cos(t), v = semiAxisB * sin(t)
        return (centerX + u * c - v * s, centerY + u * s + v * c)
    }

    /// Distance from the centre to the ellipse along the ray at polar angle `phi`.
    package func radius(atPolarAngle phi: Double) -> Double {
        let d = phi - angleRadians
        let ca = cos(d) / semiAxisA, sb = sin(d) / semiAxisB
        return 1 / (ca * ca + sb * sb).squareRoot()
    }

    /// Signed distance along the ray from the centre between `(x, y)` and the ellipse
    /// (positive outside). Close to the geometric distance for head-like ellipses and cheaper.
    package func radialResidual(x: Double, y: Double) -> Double {
        radialResidual(x: x, y: y, rotation: rotation)
    }

    /// Cosine and sine of ``angleRadians``.
    package var rotation: (cos: Double, sin: Double) { (cos(angleRadians), sin(angleRadians)) }

    /// ``radialResidual(x:y:)`` with the ellipse's ``rotation`` computed once by the caller, for
    /// loops over many points.
    package func radialResidual(x: Double, y: Double, rotation: (cos: Double, sin: Double)) -> Double {
        let dx = x - centerX, dy = y - centerY
        let c = rotation.cos, s = rotation.sin
        let u = dx * c + dy * s, v = -dx * s + dy * c
        let rho = (dx * dx + dy * dy).squareRoot()
        let k = ((u / semiAxisA) * (u / semiAxisA) + (v / semiAxisB) * (v / semiAxisB)).squareRoot()
        guard k > 0 else { return -min(abs(semiAxisA), abs(semiAxisB)) }
        return rho - rho / k
    }

    /// Whether `(x, y)` lies inside.
    package func contains(x: Double, y: Double) -> Bool {
        let dx = x - centerX, dy = y - centerY
        let c = cos(angleRadians), s = sin(angleRadians)
        let u = (dx * c + dy * s) / semiAxisA, v = (-dx * s + dy * c) / semiAxisB
        return u * u + v * v <= 1
    }

    /// The same ellipse in a coordinate system scaled by `factor` (e.g. from a half-size image
    /// to full size: factor 2, pixel centres mapped as (x + 0.5)·f − 0.5).
    package func scaled(by factor: Double) -> Ellipse {
        Ellipse(centerX: (centerX + 0.5) * factor - 0.5, centerY: (centerY + 0.5) * factor - 0.5,
                semiAxisA: semiAxisA * factor, semiAxisB: semiAxisB * factor, angleRadians: angleRadians)
    }

    /// The ellipse whose border is offset outward by `distance` along the radial direction
    /// (approximately parallel for head-like shapes).
    package func grown(by distance: Double) -> Ellipse {
        Ellipse(centerX: centerX, centerY: centerY, semiAxisA: semiAxisA + distance,
                semiAxisB: semiAxisB + distance, angleRadians: angleRadians)
    }
}
