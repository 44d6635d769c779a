import Foundation
import Testing
import SonoCore
import SonoCodecs
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

    @Test("alt text names what is drawn")
    func altTextDescribesOverlay() {
        #expect(Synthetic.overlay().altText().contains("fitted skull ellipse"))
        #expect(Synthetic.overlay().altText().contains("1 masked burned-in text or caliper region"))
        #expect(ImageOverlay().altText().contains("no credible skull ellipse found"))
    }
}
