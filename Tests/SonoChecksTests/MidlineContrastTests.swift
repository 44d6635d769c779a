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
        let contrast = HeadPlaneMetrics.midline(Self.pixels(Self.frame(band: 200, angle: angle), usableBelowX: Self.w), e: e)
        #expect(contrast == 200.0 / 60, "angle \(angle)")
        #expect(HeadPlaneMetrics.midline(Self.pixels(Self.frame(band: 60, angle: angle), usableBelowX: Self.w), e: e) == 1)
    }

    /// `grey` with a field of view of the columns left of `usableBelowX` and no overlay marks.
    static func pixels(_ grey: [UInt8], usableBelowX limit: Int) -> UsablePixels {
        UsablePixels(width: w, height: h, grey: grey, fieldOfView: (0..<(w * h)).map { $0 % w < limit ? 1 : 0 },
                     overlay: [UInt8](repeating: 0, count: w * h))
    }

    @Test("lines with fewer usable samples than half the semi-major axis do not count")
    func unusableLines() {
        let e = Ellipse(centerX: 200, centerY: 150, semiAxisA: 120, semiAxisB: 90, angleRadians: 0)
        let px = Self.frame(band: 200, angle: 0)
        // Only x < 200 − 84 + 59 usable: 59 samples of each line (t from −84), fewer than 60 = a / 2.
        #expect(HeadPlaneMetrics.midline(Self.pixels(px, usableBelowX: 175), e: e) == 0)
        // One more column makes 60 usable samples per line: the band is found again.
        #expect(HeadPlaneMetrics.midline(Self.pixels(px, usableBelowX: 176), e: e) == 200.0 / 60)
    }

    @Test("a usable pixel is on the frame, in the field of view and off the overlay marks; elsewhere it counts 0")
    func usablePixels() {
        var generator = SystemRandomNumberGenerator()
        let w = 37, h = 23
        for density in [0.0, 0.3, 0.7, 1.0] {
            let grey = (0..<(w * h)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let fov = (0..<(w * h)).map { _ in Double.random(in: 0..<1, using: &generator) < density ? UInt8.random(in: 1...255) : 0 }
            let marks = (0..<(w * h)).map { _ in Double.random(in: 0..<1, using: &generator) < 0.2 ? UInt8.random(in: 1...255) : 0 }
            let pixels = UsablePixels(width: w, height: h, grey: grey, fieldOfView: fov, overlay: marks)
            for y in -3..<(h + 3) {
                for x in [Int.min, -w - 1, -1, 0, 1, w / 2, w - 1, w, w + 5, Int.max] + Array(0..<w) {
                    let usable = x >= 0 && y >= 0 && x < w && y < h && fov[y * w + x] != 0 && marks[y * w + x] == 0
                    let expected = usable ? (Int(grey[y * w + x]), 1) : (0, 0)
                    let got = pixels.masked(x, y)
                    #expect(got.value == expected.0 && got.counted == expected.1, "(\(x), \(y)) density \(density)")
                    #expect(pixels.value(x, y) == (usable ? grey[y * w + x] : nil))
                }
            }
        }
    }
}
