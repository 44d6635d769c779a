import Foundation
import Testing
import SonoCore
import SonoCodecs
import SonoFilters
@testable import SonoReports

@Suite("Overlay thumbnails")
struct OverlayRendererTests {
    @Test("the thumbnail is 400 px wide colour and decodes as JPEG, the same bytes every time")
    func thumbnailSizeAndFormat() throws {
        let result = try OverlayRenderer.renderJPEG(image: Synthetic.frame(), overlay: Synthetic.overlay())
        #expect(result.width == 400 && result.height == 270)
        let frame = try JPEGCodec.decode(result.jpeg, source: "thumb", limits: DecodeLimits())
        #expect(frame.width == 400 && frame.height == 270 && frame.sourceWasColour)
        #expect(result.jpeg.count < 100_000)
        #expect(try OverlayRenderer.renderJPEG(image: Synthetic.frame(), overlay: Synthetic.overlay()).jpeg == result.jpeg)
    }

    @Test("the skull ellipse, axes and masked text land where the geometry says")
    func overlaysAreDrawnInPlace() {
        let canvas = OverlayRenderer.render(image: Synthetic.frame(), overlay: Synthetic.overlay(), maxWidthPixels: 400)
        // Scale 0.5: the ellipse's rightmost point (610, 280) is at (305, 140) — on the OFD axis
        // end; its top (400, 120) → (200, 60) is on the ellipse, above the BPD axis end.
        #expect(canvas[200, 60] == .ellipse || canvas[200, 60] == .bpd)
        #expect(canvas[250, 140] == .ofd)
        #expect(canvas[200, 100] == .bpd)
        // Inside the masked text rectangle (10...170, 10...34) → (5...85, 5...17): red-tinted.
        let masked = canvas[40, 12]
        #expect(masked.r > masked.g && masked.r > masked.b)
        // Far from every overlay the pixel stays grey.
        let plain = canvas[120, 240]
        #expect(plain.r == plain.g && plain.g == plain.b)
    }

    @Test("axes are derived from the ellipse when not given: OFD along the major axis")
    func axesFromEllipse() {
        let e = PixelEllipse(center: PixelPoint(x: 100, y: 50), semiAxisAPixels: 20, semiAxisBPixels: 40, angleRadians: 0)
        let (a, b) = e.majorAxis
        #expect(abs(a.x - 100) < 1e-9 && abs(a.y - 10) < 1e-9 && abs(b.y - 90) < 1e-9)
        let (c, d) = e.minorAxis
        #expect(abs(c.x - 80) < 1e-9 && abs(d.x - 120) < 1e-9)
        #expect(abs(PixelEllipse(center: e.center, semiAxisAPixels: 10, semiAxisBPixels: 10, angleRadians: 0).perimeterPixels
                    - 20 * Double.pi) < 1e-9)
    }

    @Test("the field-of-view border is every inside thumbnail pixel with an outside 4-neighbour, edges excepted",
          arguments: [(1, 1, 1, 1), (7, 5, 7, 5), (40, 30, 20, 15), (801, 541, 400, 270), (33, 17, 50, 40)])
    func maskBorderMatchesItsDefinition(size: (Int, Int, Int, Int)) {
        let (sourceWidth, sourceHeight, w, h) = size
        var generator = SplitMix64(seed: UInt64(sourceWidth * 1000 + w))
        // Random blobs plus a solid disc, so there are long runs, single pixels and holes.
        let samples = (0..<(sourceWidth * sourceHeight)).map { i -> UInt8 in
            let x = Double(i % sourceWidth) - Double(sourceWidth) / 2, y = Double(i / sourceWidth) - Double(sourceHeight) / 2
            if x * x + y * y < Double(sourceWidth * sourceWidth) / 9 { return 255 }
            return UInt8.random(in: 0...3, using: &generator) == 0 ? 0 : UInt8.random(in: 1...255, using: &generator)
        }
        let mask = GrayImage(width: sourceWidth, height: sourceHeight, samples: samples)
        func inside(_ x: Int, _ y: Int) -> Bool {
            let sx = min(sourceWidth - 1, Int((Double(x) + 0.5) * Double(sourceWidth) / Double(w)))
            let sy = min(sourceHeight - 1, Int((Double(y) + 0.5) * Double(sourceHeight) / Double(h)))
            return samples[sy * sourceWidth + sx] != 0
        }
        var expected: [[Int]] = []
        for y in 0..<h {
            for x in 0..<w where inside(x, y) {
                let outside = [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)].contains { nx, ny in
                    nx >= 0 && ny >= 0 && nx < w && ny < h && !inside(nx, ny)
                }
                if outside { expected.append([x, y]) }
            }
        }
        #expect(OverlayRenderer.maskBorder(mask, width: w, height: h).map { [$0.x, $0.y] } == expected)
    }

    @Test("crosses paint what dots of thickness 2 on the same pixel centres paint, at the edges too")
    func crossesEqualDots() {
        var generator = SplitMix64(seed: 77)
        for (w, h) in [(1, 1), (2, 3), (9, 7), (40, 27)] {
            var base = RGBCanvas(width: w, height: h)
            base.maskedRectangle(x: 0, y: 0, width: Double(w) / 2, height: Double(h) / 2, .textMask)
            var points: [(x: Int, y: Int)] = []
            for _ in 0..<(w * h / 3 + 1) { points.append((Int.random(in: 0..<w, using: &generator), Int.random(in: 0..<h, using: &generator))) }
            points += [(0, 0), (w - 1, h - 1), (0, h - 1), (w - 1, 0)]
            var dots = base, crosses = base
            for (x, y) in points { dots.dot(x: Double(x) + 0.5, y: Double(y) + 0.5, thickness: 2, .fieldOfView) }
            crosses.crosses(at: points, .fieldOfView)
            #expect(crosses.pixels == dots.pixels, "\(w)x\(h)")
        }
    }

    @Test("alt text names what is drawn")
    func altTextDescribesOverlay() {
        #expect(Synthetic.overlay().altText().contains("fitted skull ellipse"))
        #expect(Synthetic.overlay().altText().contains("1 masked burned-in text or caliper region"))
        #expect(ImageOverlay().altText().contains("no credible skull ellipse found"))
    }

    /// The thumbnail's RGB raster is its area-resized grey frame with each byte repeated three
    /// times, at sizes from one pixel up, with and without scaling (the last pixel is written apart).
    @Test func greyRasterRepeatsEachThumbnailByteThreeTimes() {
        var generator = SplitMix64(seed: 41)
        for (w, h, scale) in [(1, 1, 1.0), (2, 1, 1.0), (3, 3, 1.0), (7, 5, 1.0), (800, 540, 0.5), (61, 17, 0.37)] {
            let image = GrayImage(width: w, height: h, samples: (0..<(w * h)).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let canvas = RGBCanvas(gray: image, scale: scale)
            let grey = Downsample.area(image, width: canvas.width, height: canvas.height)
            #expect(canvas.pixels == grey.samples.flatMap { [$0, $0, $0] }, "\(w)x\(h) scale \(scale)")
        }
    }
}
