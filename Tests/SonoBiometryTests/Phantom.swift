import Foundation
import SonoBiometry
import SonoCore

/// SplitMix64: a tiny seeded generator so phantoms are identical on every run and platform.
typealias SeededGenerator = SplitMix64

extension SplitMix64 {
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// A synthetic head-plane frame: a bright skull ring of known outer ellipse on speckled tissue.
///
/// Speckle is multiplicative Rayleigh noise smoothed over about 2 px (like a real speckle
/// grain), the brain is darker than the surrounding tissue, and the skull band fades where the
/// beam grazes it (the lateral ends), as on real scans.
enum HeadPhantom {
    static func make(width: Int = 800, height: Int = 540, outer: Ellipse, thicknessPX: Double,
                     lateralFade: Double = 0.6, seed: UInt64) -> GrayImage {
        var rng = SeededGenerator(seed: seed)
        var noise = [Double](repeating: 0, count: width * height)
        for i in noise.indices {
            // Rayleigh(σ = 1/√(π/2)) has mean 1.
            let u = max(rng.unit(), 1e-12)
            noise[i] = (-2 * log(u)).squareRoot() * 0.7979
        }
        // 3×3 box smoothing gives the speckle a grain.
        var grain = noise
        for y in 1..<(height - 1) {
            for x in 1..<(width - 1) {
                var s = 0.0
                for dy in -1...1 { for dx in -1...1 { s += noise[(y + dy) * width + x + dx] } }
                grain[y * width + x] = s / 9
            }
        }
        let inner = outer.grown(by: -thicknessPX)
        let mid = outer.grown(by: -thicknessPX / 2)
        var pixels = [UInt8](repeating: 0, count: width * height)
        let c = cos(outer.angleRadians), s = sin(outer.angleRadians)
        for y in 0..<height {
            for x in 0..<width {
                let px = Double(x), py = Double(y)
                var level: Double
                let dMid = abs(mid.radialResidual(x: px, y: py))
                if dMid <= thicknessPX / 2 + 0.5 {
                    // Skull: bright, dimmer where the band runs along the beam (vertical here).
                    let dx = px - outer.centerX, dy = py - outer.centerY
                    let along = abs(dx * c + dy * s) / max((dx * dx + dy * dy).squareRoot(), 1)
                    let cosToVertical = abs(dy) / max((dx * dx + dy * dy).squareRoot(), 1)
                    _ = along
                    let fade = 1 - lateralFade * (1 - cosToVertical) * (1 - cosToVertical)
                    let edge = min(1, max(0, thicknessPX / 2 + 0.5 - dMid))
                    let tissue = inner.contains(x: px, y: py) ? 45.0 : 80.0
                    level = tissue + edge * (200 * fade - tissue)
                } else if inner.contains(x: px, y: py) {
                    level = 45
                } else {
                    level = 80
                }
                let v = level * grain[y * width + x]
                pixels[y * width + x] = UInt8(max(0, min(255, v.rounded())))
            }
        }
        return GrayImage(width: width, height: height, samples: pixels)
    }

    /// An early (first-trimester-like) head: a grey head in dark amniotic fluid whose faint skull
    /// band lies inside the head's edge (centred `ringDepthPX` inside `outer`), as on hc18-dev's
    /// smallest heads, where the expert traces the head's edge against the fluid.
    static func earlyHead(width: Int = 800, height: Int = 540, outer: Ellipse, ringDepthPX: Double,
                          ringThicknessPX: Double, seed: UInt64) -> GrayImage {
        var rng = SeededGenerator(seed: seed)
        let ring = outer.grown(by: -ringDepthPX)
        var pixels = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let px = Double(x), py = Double(y)
                let level: Double
                if abs(ring.radialResidual(x: px, y: py)) <= ringThicknessPX / 2 {
                    level = 105
                } else if outer.contains(x: px, y: py) {
                    level = 70
                } else {
                    level = 15
                }
                let u = max(rng.unit(), 1e-12)
                pixels[y * width + x] = UInt8(max(0, min(255, (level * (-2 * log(u)).squareRoot() * 0.7979).rounded())))
            }
        }
        return GrayImage(width: width, height: height, samples: pixels)
    }

    /// Speckled tissue with no head at all.
    static func emptyTissue(width: Int = 800, height: Int = 540, seed: UInt64) -> GrayImage {
        var rng = SeededGenerator(seed: seed)
        var pixels = [UInt8](repeating: 0, count: width * height)
        for i in pixels.indices {
            let u = max(rng.unit(), 1e-12)
            pixels[i] = UInt8(max(0, min(255, (80 * (-2 * log(u)).squareRoot() * 0.7979).rounded())))
        }
        return GrayImage(width: width, height: height, samples: pixels)
    }
}
