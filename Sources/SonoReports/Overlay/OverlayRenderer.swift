import Foundation
package import SonoCore
package import SonoL10n
import SonoCodecs

/// A point in the original frame's pixel coordinates (origin top-left, x right, y down).
package struct PixelPoint: Sendable, Hashable, Codable {
    package var x: Double
    package var y: Double
    package init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// An ellipse in frame pixels; `angleRadians` is the direction of `semiAxisAPixels`, measured
/// from +x towards +y (clockwise on screen).
package struct PixelEllipse: Sendable, Hashable, Codable {
    package var center: PixelPoint
    package var semiAxisAPixels: Double
    package var semiAxisBPixels: Double
    package var angleRadians: Double

    package init(center: PixelPoint, semiAxisAPixels: Double, semiAxisBPixels: Double, angleRadians: Double) {
        self.center = center
        self.semiAxisAPixels = semiAxisAPixels
        self.semiAxisBPixels = semiAxisBPixels
        self.angleRadians = angleRadians
    }

    /// End points of the major axis (the OFD line for a head).
    package var majorAxis: (PixelPoint, PixelPoint) {
        axis(length: max(semiAxisAPixels, semiAxisBPixels),
             angle: semiAxisAPixels >= semiAxisBPixels ? angleRadians : angleRadians + .pi / 2)
    }

    /// End points of the minor axis (the BPD line for a head).
    package var minorAxis: (PixelPoint, PixelPoint) {
        axis(length: min(semiAxisAPixels, semiAxisBPixels),
             angle: semiAxisAPixels >= semiAxisBPixels ? angleRadians + .pi / 2 : angleRadians)
    }

    private func axis(length: Double, angle: Double) -> (PixelPoint, PixelPoint) {
        let dx = length * cos(angle), dy = length * sin(angle)
        return (PixelPoint(x: center.x - dx, y: center.y - dy), PixelPoint(x: center.x + dx, y: center.y + dy))
    }

    /// Perimeter (Ramanujan II), in pixels.
    package var perimeterPixels: Double {
        let a = semiAxisAPixels, b = semiAxisBPixels
        guard a + b > 0 else { return 0 }
        let h = ((a - b) * (a - b)) / ((a + b) * (a + b))
        return Double.pi * (a + b) * (1 + 3 * h / (10 + (4 - 3 * h).squareRoot()))
    }
}

/// What the QC engine found in one frame, in frame pixels, ready to be drawn.
package struct ImageOverlay: Sendable, Hashable {
    /// Closed outline of the detected field of view (sector or rectangle); empty when not found.
    package var fieldOfViewOutline: [PixelPoint]
    /// The detected field of view as a frame-sized mask (non-zero inside); its border is drawn
    /// when no outline polygon is given.
    package var fieldOfViewMask: GrayImage?
    /// The fitted skull ellipse; nil when no credible head was found.
    package var skullEllipse: PixelEllipse?
    /// The automatic BPD and OFD calipers; derived from the ellipse's axes when nil.
    package var bpdAxis: (PixelPoint, PixelPoint)?
    package var ofdAxis: (PixelPoint, PixelPoint)?
    /// The ellipse the *reported* HC implies (same centre and shape, perimeter = reported HC),
    /// drawn dashed so a reported-vs-automatic difference is visible at a glance.
    package var reportedHCEllipse: PixelEllipse?
    /// Burned-in text and caliper marks that were masked out before measuring.
    package var maskedRegions: [Region]
    /// The share of the frame inside the field of view, from the report. A page built from a
    /// report after its thumbnail was drawn (the pipeline renders thumbnails frame by frame and
    /// keeps no mask) tells from it whether the thumbnail shows the field of view.
    package var fieldOfViewFraction: Double?

    package init(fieldOfViewOutline: [PixelPoint] = [], fieldOfViewMask: GrayImage? = nil, skullEllipse: PixelEllipse? = nil,
                bpdAxis: (PixelPoint, PixelPoint)? = nil, ofdAxis: (PixelPoint, PixelPoint)? = nil,
                reportedHCEllipse: PixelEllipse? = nil, maskedRegions: [Region] = [], fieldOfViewFraction: Double? = nil) {
        self.fieldOfViewOutline = fieldOfViewOutline
        self.fieldOfViewMask = fieldOfViewMask
        self.skullEllipse = skullEllipse
        self.bpdAxis = bpdAxis
        self.ofdAxis = ofdAxis
        self.reportedHCEllipse = reportedHCEllipse
        self.maskedRegions = maskedRegions
        self.fieldOfViewFraction = fieldOfViewFraction
    }

    package static func == (l: ImageOverlay, r: ImageOverlay) -> Bool {
        l.fieldOfViewOutline == r.fieldOfViewOutline && l.fieldOfViewMask == r.fieldOfViewMask && l.skullEllipse == r.skullEllipse
            && l.bpdAxis?.0 == r.bpdAxis?.0 && l.bpdAxis?.1 == r.bpdAxis?.1
            && l.ofdAxis?.0 == r.ofdAxis?.0 && l.ofdAxis?.1 == r.ofdAxis?.1
            && l.reportedHCEllipse == r.reportedHCEllipse && l.maskedRegions == r.maskedRegions
            && l.fieldOfViewFraction == r.fieldOfViewFraction
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(fieldOfViewOutline)
        hasher.combine(skullEllipse)
        hasher.combine(reportedHCEllipse)
        hasher.combine(maskedRegions)
    }

    /// Outline of a curvilinear (convex-probe) sector pointing down the image: the arc of radius
    /// `innerRadiusPixels` at the probe face, the two edges, and the arc at full depth. Angles are
    /// measured from straight down; `apex` may lie above the image (negative y).
    package static func sectorOutline(apex: PixelPoint, innerRadiusPixels: Double, outerRadiusPixels: Double,
                                     halfAngleRadians: Double, segments: Int = 48) -> [PixelPoint] {
        func point(_ radius: Double, _ angle: Double) -> PixelPoint {
            PixelPoint(x: apex.x + radius * sin(angle), y: apex.y + radius * cos(angle))
        }
        let steps = max(2, segments)
        let angles = (0...steps).map { -halfAngleRadians + 2 * halfAngleRadians * Double($0) / Double(steps) }
        return angles.map { point(outerRadiusPixels, $0) } + angles.reversed().map { point(innerRadiusPixels, $0) }
    }

    var effectiveBPDAxis: (PixelPoint, PixelPoint)? { bpdAxis ?? skullEllipse?.minorAxis }
    var effectiveOFDAxis: (PixelPoint, PixelPoint)? { ofdAxis ?? skullEllipse?.majorAxis }

    /// Whether the thumbnail shows a field-of-view outline, under the conditions ``OverlayRenderer``
    /// draws it: an outline polygon, or the border of a mask that has pixels both inside and
    /// outside (a mask covering nothing or the whole frame has no border to draw). Without either,
    /// the report's fraction says the same of the mask the thumbnail was drawn with.
    package var drawsFieldOfView: Bool {
        if fieldOfViewOutline.count > 1 { return true }
        if let mask = fieldOfViewMask {
            return mask.samples.contains { $0 != 0 } && mask.samples.contains { $0 == 0 }
        }
        return fieldOfViewFraction.map { $0 > 0 && $0 < 1 } ?? false
    }

    /// Legend entries (catalogue keys) of the layers the thumbnail shows, in drawing order.
    package var legendKeys: [String] {
        var keys: [String] = []
        if drawsFieldOfView { keys.append("legend.field_of_view") }
        if skullEllipse != nil { keys += ["legend.skull_ellipse"] }
        if effectiveBPDAxis != nil { keys.append("legend.bpd") }
        if effectiveOFDAxis != nil { keys.append("legend.ofd") }
        if reportedHCEllipse != nil { keys.append("legend.reported_hc") }
        if !maskedRegions.isEmpty { keys.append("legend.masked_text") }
        return keys
    }

    /// Alt text: what the thumbnail shows, in words of the page's language.
    package func altText(_ L: Localizer = .en) -> String {
        var parts: [String] = []
        parts.append(L.text(drawsFieldOfView ? "overlay.alt.field_of_view" : "overlay.alt.no_field_of_view"))
        parts.append(L.text(skullEllipse != nil ? "overlay.alt.skull_ellipse" : "overlay.alt.no_skull_ellipse"))
        if reportedHCEllipse != nil { parts.append(L.text("overlay.alt.reported_hc")) }
        if !maskedRegions.isEmpty {
            parts.append(L.plural("overlay.alt.masked_regions", count: maskedRegions.count))
        }
        return parts.joined(separator: L.text("list.separator"))
    }
}

/// Draws an ``ImageOverlay`` onto a downscaled RGB copy of a frame and encodes it as JPEG.
package enum OverlayRenderer {
    /// Target thumbnail width in pixels; frames narrower than this are not enlarged.
    package static let defaultWidthPixels = 400

    /// JPEG quality of thumbnails: overlay lines stay crisp enough to review at 400 px.
    package static let jpegQuality = 90

    /// JPEG bytes of the thumbnail with overlays, plus its size. JPEG rather than PNG because a
    /// 400×270 speckle image barely compresses losslessly: measured on 100 HC18 frames, best of 3
    /// interleaved rounds, PNG (fast zlib) 19.3 ms and 81.6 kB per thumbnail, libjpeg-turbo q90
    /// 1.06 ms and 19.5 kB. libjpeg-turbo's integer DCT is exact, so the bytes do not depend on
    /// which SIMD path it takes.
    package static func renderJPEG(image: GrayImage, overlay: ImageOverlay,
                                  maxWidthPixels: Int = defaultWidthPixels) throws -> (jpeg: [UInt8], width: Int, height: Int) {
        let canvas = render(image: image, overlay: overlay, maxWidthPixels: maxWidthPixels)
        let jpeg = try JPEGCodec.encode(width: canvas.width, height: canvas.height, channels: 3, pixels: canvas.pixels,
                                        quality: jpegQuality)
        return (jpeg, canvas.width, canvas.height)
    }

    static func render(image: GrayImage, overlay: ImageOverlay, maxWidthPixels: Int) -> RGBCanvas {
        let scale = image.width > maxWidthPixels ? Double(maxWidthPixels) / Double(image.width) : 1
        var canvas = RGBCanvas(gray: image, scale: scale)
        // Actual per-axis scale after rounding the thumbnail size.
        let sx = Double(canvas.width) / Double(max(1, image.width))
        let sy = Double(canvas.height) / Double(max(1, image.height))
        func p(_ q: PixelPoint) -> (x: Double, y: Double) { (q.x * sx, q.y * sy) }

        for region in overlay.maskedRegions {
            canvas.maskedRectangle(x: Double(region.x) * sx, y: Double(region.y) * sy,
                                   width: Double(region.width) * sx, height: Double(region.height) * sy, .textMask)
        }
        if overlay.fieldOfViewOutline.count > 1 {
            canvas.polyline(overlay.fieldOfViewOutline.map(p), closed: true, thickness: 1.5, .fieldOfView)
        } else if let mask = overlay.fieldOfViewMask, mask.width == image.width, mask.height == image.height {
            drawMaskBorder(&canvas, mask)
        }
        if let reported = overlay.reportedHCEllipse {
            drawEllipse(&canvas, reported, sx: sx, sy: sy, colour: RGBCanvas.Colour(r: 255, g: 255, b: 255), dashed: true)
        }
        if let ellipse = overlay.skullEllipse {
            drawEllipse(&canvas, ellipse, sx: sx, sy: sy, colour: .ellipse, dashed: false)
        }
        if let (a, b) = overlay.effectiveOFDAxis { canvas.line(from: p(a), to: p(b), thickness: 2, .ofd) }
        if let (a, b) = overlay.effectiveBPDAxis { canvas.line(from: p(a), to: p(b), thickness: 2, .bpd) }
        return canvas
    }

    /// Marks the ``maskBorder(_:width:height:)`` pixels of the thumbnail, each with a dot of
    /// thickness 2 on its centre (``RGBCanvas/crosses(at:_:)``).
    private static func drawMaskBorder(_ canvas: inout RGBCanvas, _ mask: GrayImage) {
        canvas.crosses(at: maskBorder(mask, width: canvas.width, height: canvas.height), .fieldOfView)
    }

    /// Pixels of a `width` × `height` thumbnail inside `mask` (nearest sampling) with a 4-neighbour
    /// outside it, in row order; the thumbnail's own edges do not count as outside.
    static func maskBorder(_ mask: GrayImage, width w: Int, height h: Int) -> [(x: Int, y: Int)] {
        guard w > 0, h > 0 else { return [] }
        // Source column of each thumbnail column, worked out once rather than once per row.
        let columns = (0..<w).map { x in min(mask.width - 1, Int((Double(x) + 0.5) * Double(mask.width) / Double(w))) }
        // Inside flags (0 or 1) framed by 1s, so the thumbnail's edges are never a border and the
        // neighbour test below is one branch-free expression per pixel, which vectorises (a test
        // per neighbour with a branch per pixel was 1.4 % of `analyze`'s CPU).
        let stride = w + 2
        var inside = [UInt8](repeating: 1, count: stride * (h + 2))
        var border: [(x: Int, y: Int)] = []
        var edge = [UInt8](repeating: 0, count: w)
        mask.withUnsafeSamples { source in
            inside.withUnsafeMutableBufferPointer { framed in
                let origin = framed.baseAddress! + stride + 1
                columns.withUnsafeBufferPointer { columns in
                    for y in 0..<h {
                        let sy = min(mask.height - 1, Int((Double(y) + 0.5) * Double(mask.height) / Double(h)))
                        let row = origin + y * stride, sourceRow = source.baseAddress! + sy * mask.width
                        for x in 0..<w { row[x] = sourceRow[columns[x]] != 0 ? 1 : 0 }
                    }
                }
                edge.withUnsafeMutableBufferPointer { edge in
                    for y in 0..<h {
                        let row = origin + y * stride, above = row - stride, below = row + stride
                        for x in 0..<w {
                            edge[x] = row[x] & ((row[x - 1] & row[x + 1] & above[x] & below[x]) ^ 1)
                        }
                        forEachNonZeroByte(in: UnsafeBufferPointer(edge)) { border.append(($0, y)) }
                    }
                }
            }
        }
        return border
    }

    private static func drawEllipse(_ canvas: inout RGBCanvas, _ e: PixelEllipse, sx: Double, sy: Double,
                                    colour: RGBCanvas.Colour, dashed: Bool) {
        // Sample in frame coordinates, then scale: exact even when sx ≠ sy after rounding.
        let count = max(64, Int((2 * Double.pi * max(e.semiAxisAPixels, e.semiAxisBPixels) * max(sx, sy)).rounded(.up)))
        let c = cos(e.angleRadians), s = sin(e.angleRadians)
        let points = (0..<count).map { i -> (x: Double, y: Double) in
            let t = 2 * Double.pi * Double(i) / Double(count)
            let ex = e.semiAxisAPixels * cos(t), ey = e.semiAxisBPixels * sin(t)
            return ((e.center.x + ex * c - ey * s) * sx, (e.center.y + ex * s + ey * c) * sy)
        }
        if dashed {
            // Dashes of about 8 thumbnail pixels whatever the ellipse size.
            let samplesPerDash = max(1, count / max(8, Int((Double(count) / 8).rounded())))
            for i in 0..<count where (i / samplesPerDash) % 2 == 0 {
                canvas.line(from: points[i], to: points[(i + 1) % count], thickness: 1.5, colour)
            }
        } else {
            canvas.polyline(points, closed: true, thickness: 2, colour)
        }
    }
}
