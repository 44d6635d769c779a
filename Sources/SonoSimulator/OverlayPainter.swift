import Foundation
import SonoBiometry
import SonoCore

/// Burns annotations into a rendered frame the way scanners do on export, and records where.
struct OverlayPainter {
    var width: Int
    var height: Int
    var pixels: [UInt8]
    private(set) var records: [OverlayRecord] = []

    init(image: GrayImage) {
        width = image.width
        height = image.height
        pixels = image.samples
    }

    var image: GrayImage { GrayImage(width: width, height: height, samples: pixels) }

    /// Glyph scale: 2 on full-size exports, 1 on small ones.
    var textScale: Int { width >= 640 ? 2 : 1 }

    private mutating func set(_ x: Int, _ y: Int, _ value: UInt8) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        pixels[y * width + x] = value
    }

    private mutating func record(_ kind: OverlayRecord.Kind, x: Int, y: Int, w: Int, h: Int, text: String? = nil) {
        let r = Region(x: x, y: y, width: w, height: h).clipped(width: width, height: height)
        guard r.width > 0, r.height > 0 else { return }
        records.append(OverlayRecord(kind: kind, x: r.x, y: r.y, width: r.width, height: r.height, text: text))
    }

    mutating func text(_ string: String, x: Int, y: Int, value: UInt8 = 232) {
        let s = textScale
        for (i, ch) in string.enumerated() {
            let rows = BitmapFont.rows(for: ch)
            for (ry, bits) in rows.enumerated() {
                for cx in 0..<BitmapFont.glyphWidth where bits & (0x10 >> UInt8(cx)) != 0 {
                    for dy in 0..<s { for dx in 0..<s {
                        set(x + (i * BitmapFont.advance + cx) * s + dx, y + ry * s + dy, value)
                    } }
                }
            }
        }
        let w = (string.count * BitmapFont.advance - 1) * s
        record(.text, x: x, y: y, w: w, h: BitmapFont.glyphHeight * s, text: string)
    }

    /// A caliper cross (`+`) centred on (cx, cy).
    mutating func caliper(x cx: Double, y cy: Double) {
        let arm = 4 * textScale + 1
        let x0 = Int(cx.rounded()), y0 = Int(cy.rounded())
        for d in -arm...arm {
            set(x0 + d, y0, 255)
            set(x0, y0 + d, 255)
        }
        record(.caliper, x: x0 - arm, y: y0 - arm, w: 2 * arm + 1, h: 2 * arm + 1)
    }

    /// Dots every few pixels along an ellipse (centre, semi-axes in pixels, angle in radians).
    mutating func dottedEllipse(cx: Double, cy: Double, a: Double, b: Double, angle: Double) {
        let perimeter = HeadGeometry.ellipsePerimeter(semiAxisA: a, semiAxisB: b)
        let dots = max(12, Int(perimeter / Double(4 * textScale + 2)))
        let c = cos(angle), s = sin(angle)
        let size = textScale
        for k in 0..<dots {
            let t = 2 * Double.pi * Double(k) / Double(dots)
            let u = a * cos(t), v = b * sin(t)
            let x = Int((cx + c * u - s * v).rounded()), y = Int((cy + s * u + c * v).rounded())
            for dy in 0..<size { for dx in 0..<size { set(x + dx, y + dy, 255) } }
        }
        let ex = (a * a * c * c + b * b * s * s).squareRoot(), ey = (a * a * s * s + b * b * c * c).squareRoot()
        record(.dottedEllipse, x: Int((cx - ex).rounded(.down)), y: Int((cy - ey).rounded(.down)),
               w: Int((2 * ex).rounded(.up)) + size + 1, h: Int((2 * ey).rounded(.up)) + size + 1)
    }

    /// The vertical grey-scale bar scanners put at the left edge (white at the top).
    mutating func greyBar() {
        let x0 = 4 * textScale / 2 + 2, barWidth = 3 * textScale
        let y0 = height / 20, y1 = height / 3
        for y in y0..<y1 {
            let value = UInt8(255 - 255 * (y - y0) / max(1, y1 - y0 - 1))
            for x in x0..<(x0 + barWidth) { set(x, y, value) }
        }
        record(.greyBar, x: x0, y: y0, w: barWidth, h: y1 - y0)
    }

    mutating func blackBox(x: Int, y: Int, w: Int, h: Int) {
        for yy in y..<(y + h) { for xx in x..<(x + w) { set(xx, yy, 0) } }
        record(.blackBox, x: x, y: y, w: w, h: h)
    }

    /// Paints the overlays a plan asks for, in a fixed order.
    mutating func paint(_ plan: FramePlan) {
        let angle = plan.orientationDeg * .pi / 180
        let a = plan.semiAxisAPixel, b = plan.semiAxisBPixel
        let c = cos(angle), s = sin(angle)
        for kind in plan.overlays {
            switch kind {
            case .overlayGreyBar:
                greyBar()
            case .overlayText:
                let s2 = textScale
                let x = width / 2 - 11 * BitmapFont.advance * s2, line = (BitmapFont.glyphHeight + 3) * s2
                text("SONOQC SIM", x: 18 * s2, y: 4 * s2)
                text("GA \(plan.gestationalAge)", x: width / 2 - 4 * BitmapFont.advance * s2, y: 4 * s2)
                text(String(format: "%.1fMHZ DR%.0f", plan.frequencyMHz, plan.dynamicRangeDB), x: x,
                     y: height - 2 * line)
                if let hc = plan.reported?.hcMM {
                    text(String(format: "HC %.1f MM", hc), x: 18 * s2, y: 4 * s2 + line)
                }
            case .overlayCalipers:
                for (u, v) in [(a, 0.0), (-a, 0.0), (0.0, b), (0.0, -b)] {
                    caliper(x: plan.centreXPixel + c * u - s * v, y: plan.centreYPixel + s * u + c * v)
                }
            case .overlayDottedEllipse:
                dottedEllipse(cx: plan.centreXPixel, cy: plan.centreYPixel, a: a, b: b, angle: angle)
            case .overlayBlackBoxes:
                // Where HC18 exports carry theirs: a large box low on the right, a strip top right.
                blackBox(x: width * 74 / 100, y: height * 78 / 100, w: width * 24 / 100, h: height * 19 / 100)
                blackBox(x: width * 86 / 100, y: 0, w: width * 14 / 100, h: height * 8 / 100)
            default:
                continue
            }
        }
    }
}
