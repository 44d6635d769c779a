import Foundation
import SonoBiometry
import SonoCore
import Testing
@testable import SonoImageAnalysis

/// HP-005's midline contrast: the brightest line near the major axis over the median of lines
/// parallel to it, sampled one pixel apart along the line.
@Suite("Midline contrast")
struct MidlineContrastTests {
    static let w = 400, h = 300

    /// Grey 60 everywhere, with a 5-pixel band of `band` grey along the line through the centre at
    /// `angle` (degrees).
    static func frame(band: UInt8, angle: Double) -> [UInt8] {
        let c = cos(angle * .pi / 180), s = sin(angle * .pi / 180)
        return (0..<(w * h)).map { i in
            let dx = Double(i % w) - 200, dy = Double(i / w) - 150
            return abs(-s * dx + c * dy) <= 2.5 ? band : 60
        }
    }

    @Test("a bright falx reads as its brightness over the background", arguments: [0.0, 17.0, 90.0])
    func brightBand(angle: Double) {
        let e = Ellipse(centerX: 200, centerY: 150, semiAxisA: 120, semiAxisB: 90, angleRadians: angle * .pi / 180)
        let everywhere: (Int, Int) -> Bool = { x, y in x >= 0 && y >= 0 && x < Self.w && y < Self.h }
        let contrast = HeadPlaneMetrics.midline(px: Self.frame(band: 200, angle: angle), w: Self.w, h: Self.h, e: e, usable: everywhere)
        #expect(contrast == 200.0 / 60, "angle \(angle)")
        #expect(HeadPlaneMetrics.midline(px: Self.frame(band: 60, angle: angle), w: Self.w, h: Self.h, e: e, usable: everywhere) == 1)
    }

    @Test("lines with fewer usable samples than half the semi-major axis do not count")
    func unusableLines() {
        let e = Ellipse(centerX: 200, centerY: 150, semiAxisA: 120, semiAxisB: 90, angleRadians: 0)
        let px = Self.frame(band: 200, angle: 0)
        // Only x < 200 − 84 + 59 usable: 59 samples of each line (t from −84), fewer than 60 = a / 2.
        let left: (Int, Int) -> Bool = { x, y in x >= 0 && y >= 0 && x < 175 && y < Self.h }
        #expect(HeadPlaneMetrics.midline(px: px, w: Self.w, h: Self.h, e: e, usable: left) == 0)
        // One more column makes 60 usable samples per line: the band is found again.
        let wider: (Int, Int) -> Bool = { x, y in x >= 0 && y >= 0 && x < 176 && y < Self.h }
        #expect(HeadPlaneMetrics.midline(px: px, w: Self.w, h: Self.h, e: e, usable: wider) == 200.0 / 60)
    }
}
