import Foundation
import Testing
import SonoCore
import SonoCodecs
import SonoBiometry
@testable import SonoReports

/// Overlays drawn on real simulator frames from `samples/`, with the geometry from their truth
/// files: the drawing must land on the skull the simulator put there.
@Suite("Overlays on simulated sample frames")
struct SampleFrameTests {
    static let batch = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples/defects-overlays-duplicates")

    struct Truth: Decodable {
        struct Head: Decodable {
            var centre_x_px: Double, centre_y_px: Double, semi_axis_a_px: Double, semi_axis_b_px: Double, angle_deg: Double
            var hc_mm: Double
        }
        struct Sector: Decodable {
            var apex_x_px: Double, apex_y_px: Double, depth_mm: Double, half_angle_deg: Double
            var probe_radius_mm: Double, spacing_mm_per_px: Double
        }
        struct Overlay: Decodable { var x: Int, y: Int, width: Int, height: Int, kind: String }
        var head: Head?
        var sector: Sector
        var overlays: [Overlay]
        var ga_weeks: Double
        var pixel_spacing_mm: Double?
    }

    static func load(_ stem: String, ext: String) throws -> (GrayImage, ImageOverlay, Truth) {
        let truth = try JSONDecoder().decode(Truth.self, from: Data(contentsOf: batch.appendingPathComponent("\(stem).truth.json")))
        let frame = try ImageDecoder().decodeFile(atPath: batch.appendingPathComponent("\(stem).\(ext)").path)
        let s = truth.sector
        var overlay = ImageOverlay(
            fieldOfViewOutline: ImageOverlay.sectorOutline(
                apex: PixelPoint(x: s.apex_x_px, y: s.apex_y_px), innerRadiusPixels: s.probe_radius_mm / s.spacing_mm_per_px,
                outerRadiusPixels: (s.probe_radius_mm + s.depth_mm) / s.spacing_mm_per_px,
                halfAngleRadians: s.half_angle_deg * .pi / 180),
            maskedRegions: truth.overlays.map { Region(x: $0.x, y: $0.y, width: $0.width, height: $0.height) })
        if let h = truth.head {
            overlay.skullEllipse = PixelEllipse(center: PixelPoint(x: h.centre_x_px, y: h.centre_y_px),
                                                semiAxisAPixels: h.semi_axis_a_px, semiAxisBPixels: h.semi_axis_b_px,
                                                angleRadians: h.angle_deg * .pi / 180)
        }
        return (frame.image, overlay, truth)
    }

    @Test("the skull ellipse and masked text boxes are drawn where the simulator put them",
          .enabled(if: FileManager.default.fileExists(atPath: batch.appendingPathComponent("O-ALL_1.truth.json").path)))
    func overlaysMatchTruth() throws {
        let (image, overlay, truth) = try Self.load("O-ALL_1", ext: "jpg")
        let canvas = OverlayRenderer.render(image: image, overlay: overlay, maxWidthPixels: 400)
        let scale = Double(canvas.width) / Double(image.width)
        let e = try #require(overlay.skullEllipse)
        // Sample the ellipse away from its axes (where the caliper lines are drawn on top).
        var onEllipse = 0
        for k in 0..<16 {
            let t = 2 * Double.pi * (Double(k) + 0.5) / 16
            let c = cos(e.angleRadians), s = sin(e.angleRadians)
            let x = e.center.x + e.semiAxisAPixels * cos(t) * c - e.semiAxisBPixels * sin(t) * s
            let y = e.center.y + e.semiAxisAPixels * cos(t) * s + e.semiAxisBPixels * sin(t) * c
            if canvas[Int(x * scale), Int(y * scale)] == .ellipse { onEllipse += 1 }
        }
        #expect(onEllipse >= 14, "only \(onEllipse) of 16 ellipse samples carry the ellipse colour")
        let text = try #require(truth.overlays.first { $0.kind == "text" })
        let cx = Int((Double(text.x) + Double(text.width) / 2) * scale), cy = Int((Double(text.y) + Double(text.height) / 2) * scale)
        let masked = canvas[cx, cy]
        #expect(masked.r > masked.g && masked.r > masked.b, "text box centre should be red-tinted")
    }

    @Test("a report page built on a real frame is valid and its thumbnail stays small",
          .enabled(if: FileManager.default.fileExists(atPath: batch.appendingPathComponent("O-ALL_1.truth.json").path)))
    func reportOnRealFrame() throws {
        let (image, overlay, truth) = try Self.load("O-ALL_1", ext: "jpg")
        var view = Synthetic.view(scanID: "O-ALL", verdict: .review, images: 1)
        view.gestationalAgeWeeks = truth.ga_weeks
        view.images[0].overlay = overlay
        view.images[0].file = "O-ALL_1.jpg"
        let out = Synthetic.temporaryDirectory("real-frame")
        let thumbs = try HTMLReportWriter.write(view, frames: [image], to: out, indexHref: nil)
        let thumb = try #require(thumbs[0])
        let bytes = try Data(contentsOf: out.appendingPathComponent(thumb))
        #expect(bytes.count < 250_000)
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(HTMLStructure(html, baseDirectory: out).problems.isEmpty)
    }
}
