import Foundation
import SonoCore
import SonoFilters

/// An 8-bit interleaved RGB raster for drawing QC overlays on a (downscaled) frame.
///
/// Drawing is deliberately simple (point-sampled thick lines, alpha blending against a flat
/// colour): the thumbnails exist so a reviewer can see *where* the software looked, not as
/// artwork, and simple code stays byte-deterministic.
struct RGBCanvas: Sendable {
    struct Colour: Sendable, Hashable {
        var r: UInt8, g: UInt8, b: UInt8
        static let fieldOfView = Colour(r: 0x2e, g: 0xcc, b: 0x71)   // green
        static let ellipse = Colour(r: 0xf1, g: 0xc4, b: 0x0f)       // yellow
        static let bpd = Colour(r: 0x00, g: 0xd8, b: 0xff)           // cyan
        static let ofd = Colour(r: 0xff, g: 0x4f, b: 0xd8)           // magenta
        static let textMask = Colour(r: 0xe7, g: 0x4c, b: 0x3c)      // red
        static let black = Colour(r: 0, g: 0, b: 0)
    }

    let width: Int
    let height: Int
    private(set) var pixels: [UInt8]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
    }

    /// A grey frame scaled by `scale` (≤ 1) with area averaging, so speckle does not alias into
    /// a pattern in the thumbnail.
    init(gray image: GrayImage, scale: Double) {
        let w = max(1, Int((Double(image.width) * scale).rounded()))
        let h = max(1, Int((Double(image.height) * scale).rounded()))
        width = w
        height = h
        let small = Downsample.area(image, width: w, height: h)
        // Every byte is written from the grey thumbnail, so the raster is not zero-filled first.
        pixels = small.withUnsafeSamples { src in
            [UInt8](unsafeUninitializedCapacity: 3 * src.count) { out, initialized in
                let n = src.count, raw = UnsafeMutableRawPointer(out.baseAddress!)
                var i = 0
                // Eight grey bytes become 24 RGB bytes in three 64-bit stores (a byte store per
                // channel was 0.6 % of `analyze`'s perf samples): byte k times 0x010101 is its
                // three copies; the words are those runs shifted into place, little-endian.
                while i + 8 <= n {
                    let v = UnsafeRawPointer(src.baseAddress! + i).loadUnaligned(as: UInt64.self).littleEndian
                    @inline(__always) func byte(_ k: UInt64) -> UInt64 { (v >> (8 * k)) & 0xFF }
                    let b2 = byte(2), b5 = byte(5)
                    let w0 = byte(0) &* 0x010101 | byte(1) &* 0x010101 << 24 | b2 &* 0x0101 << 48
                    let w1 = b2 | byte(3) &* 0x010101 << 8 | byte(4) &* 0x010101 << 32 | b5 << 56
                    let w2 = b5 &* 0x0101 | byte(6) &* 0x010101 << 16 | byte(7) &* 0x010101 << 40
                    raw.storeBytes(of: w0.littleEndian, toByteOffset: 3 * i, as: UInt64.self)
                    raw.storeBytes(of: w1.littleEndian, toByteOffset: 3 * i + 8, as: UInt64.self)
                    raw.storeBytes(of: w2.littleEndian, toByteOffset: 3 * i + 16, as: UInt64.self)
                    i += 8
                }
                while i < n {
                    out[3 * i] = src[i]; out[3 * i + 1] = src[i]; out[3 * i + 2] = src[i]
                    i += 1
                }
                initialized = 3 * n
            }
        }
    }

    subscript(x: Int, y: Int) -> Colour {
        let o = (y * width + x) * 3
        return Colour(r: pixels[o], g: pixels[o + 1], b: pixels[o + 2])
    }

    /// Blends `colour` into one pixel with opacity `alpha` (0...1); outside pixels are ignored.
    mutating func blend(x: Int, y: Int, _ colour: Colour, alpha: Double = 1) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let o = (y * width + x) * 3
        if alpha >= 1 {
            pixels[o] = colour.r; pixels[o + 1] = colour.g; pixels[o + 2] = colour.b
            return
        }
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 {
            UInt8((Double(a) * (1 - alpha) + Double(b) * alpha).rounded())
        }
        pixels[o] = mix(pixels[o], colour.r)
        pixels[o + 1] = mix(pixels[o + 1], colour.g)
        pixels[o + 2] = mix(pixels[o + 2], colour.b)
    }

    /// A disc of radius `thickness/2` stamped at (x, y): the pen for thick lines.
    mutating func dot(x: Double, y: Double, thickness: Double, _ colour: Colour) {
        let r = max(0.5, thickness / 2)
        let x0 = Int((x - r).rounded(.down)), x1 = Int((x + r).rounded(.up))
        let y0 = Int((y - r).rounded(.down)), y1 = Int((y + r).rounded(.up))
        for yy in y0...y1 {
            for xx in x0...x1 {
                let dx = Double(xx) + 0.5 - x, dy = Double(yy) + 0.5 - y
                if dx * dx + dy * dy <= r * r { blend(x: xx, y: yy, colour) }
            }
        }
    }

    /// ``dot(x:y:thickness:_:)`` of thickness 2 on the centre of each listed pixel. Such a dot
    /// covers the pixels whose centres lie within 1 px of that centre: the pixel and its four
    /// neighbours. All are set opaque in one colour, so the union is painted directly, without the
    /// disc test over each dot's 4 × 4 box (a sector's border is about 1,200 pixels of a thumbnail).
    mutating func crosses(at points: [(x: Int, y: Int)], _ colour: Colour) {
        let w = width, h = height
        pixels.withUnsafeMutableBufferPointer { px in
            @inline(__always) func set(_ x: Int, _ y: Int) {
                guard x >= 0, y >= 0, x < w, y < h else { return }
                let o = (y * w + x) * 3
                px[o] = colour.r; px[o + 1] = colour.g; px[o + 2] = colour.b
            }
            for (x, y) in points {
                set(x, y); set(x - 1, y); set(x + 1, y); set(x, y - 1); set(x, y + 1)
            }
        }
    }

    mutating func line(from a: (x: Double, y: Double), to b: (x: Double, y: Double),
                       thickness: Double, _ colour: Colour, dashed: Bool = false) {
        let length = hypot(b.x - a.x, b.y - a.y)
        let steps = max(1, Int((length * 2).rounded(.up)))
        for i in 0...steps {
            let t = Double(i) / Double(steps)
            if dashed, Int(t * length / 6) % 2 == 1 { continue }
            dot(x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t, thickness: thickness, colour)
        }
    }

    mutating func polyline(_ points: [(x: Double, y: Double)], closed: Bool, thickness: Double, _ colour: Colour) {
        guard points.count > 1 else { return }
        for i in 0..<(points.count - 1) { line(from: points[i], to: points[i + 1], thickness: thickness, colour) }
        if closed { line(from: points[points.count - 1], to: points[0], thickness: thickness, colour) }
    }

    /// A masked region: hatched with a solid border when small (burned-in text, caliper marks);
    /// border only when large (e.g. the bounding box of a dotted ellipse), so the anatomy under
    /// it stays visible.
    mutating func maskedRectangle(x: Double, y: Double, width w: Double, height h: Double, _ colour: Colour) {
        let x0 = Int(x.rounded(.down)), x1 = Int((x + w).rounded(.up))
        let y0 = Int(y.rounded(.down)), y1 = Int((y + h).rounded(.up))
        guard x1 > x0, y1 > y0 else { return }
        let isSmall = Double((x1 - x0) * (y1 - y0)) <= 0.05 * Double(width * height)
        if isSmall {
            for yy in y0..<y1 {
                for xx in x0..<x1 {
                    // Diagonal hatching reads as "masked" even in greyscale print.
                    let onHatch = (xx + yy) % 6 < 2
                    blend(x: xx, y: yy, colour, alpha: onHatch ? 0.75 : 0.3)
                }
            }
        }
        let corners: [(x: Double, y: Double)] = [(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)]
        for i in 0..<4 { line(from: corners[i], to: corners[i + 1], thickness: 1.5, colour, dashed: !isSmall) }
    }
}
