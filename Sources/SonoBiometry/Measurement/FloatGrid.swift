import Foundation
import SonoCore

/// A small float raster used inside the head measurer: row-major, origin top-left.
///
/// The measurer works on 1/2- and 1/4-scale copies of the frame, where plain pointer loops are
/// fast enough (well under a millisecond per pass) and keep the measurement independent of the
/// speed of the general-purpose filters.
struct FloatGrid {
    let width: Int
    let height: Int
    var values: [Float]

    init(width: Int, height: Int, values: [Float]) {
        self.width = width
        self.height = height
        self.values = values
    }

    init(width: Int, height: Int, repeating value: Float = 0) {
        self.init(width: width, height: height, values: [Float](repeating: value, count: width * height))
    }

    /// Bilinear sample at (x, y); nil outside the grid.
    @inline(__always)
    func sample(_ x: Double, _ y: Double) -> Float? {
        guard x >= 0, y >= 0, x <= Double(width - 1), y <= Double(height - 1) else { return nil }
        let x0 = min(Int(x), width - 2 < 0 ? 0 : width - 2), y0 = min(Int(y), height - 2 < 0 ? 0 : height - 2)
        let fx = Float(x - Double(x0)), fy = Float(y - Double(y0))
        let i = y0 * width + x0
        let x1 = width > 1 ? 1 : 0, y1 = height > 1 ? width : 0
        return values.withUnsafeBufferPointer { v in
            let top = v[i] + (v[i + x1] - v[i]) * fx
            let bottom = v[i + y1] + (v[i + y1 + x1] - v[i + y1]) * fx
            return top + (bottom - top) * fy
        }
    }

    /// Converts an 8-bit image to floats.
    static func from(_ image: GrayImage) -> FloatGrid {
        FloatGrid(width: image.width, height: image.height, values: image.samples.map { Float($0) })
    }

    /// Halves both dimensions by averaging 2×2 blocks (a trailing odd row/column is dropped).
    func halved() -> FloatGrid {
        let ow = width / 2, oh = height / 2
        var out = [Float](repeating: 0, count: ow * oh)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<oh {
                    let r0 = 2 * y * width, r1 = r0 + width
                    for x in 0..<ow {
                        let a = src[r0 + 2 * x] + src[r0 + 2 * x + 1]
                        let b = src[r1 + 2 * x] + src[r1 + 2 * x + 1]
                        dst[y * ow + x] = (a + b) * 0.25
                    }
                }
            }
        }
        return FloatGrid(width: ow, height: oh, values: out)
    }

    /// Separable Gaussian blur with clamped borders.
    func blurred(sigma: Double) -> FloatGrid {
        let radius = max(1, Int((3 * sigma).rounded(.up)))
        var taps = (-radius...radius).map { Float(exp(-Double($0 * $0) / (2 * sigma * sigma))) }
        let total = taps.reduce(0, +)
        taps = taps.map { $0 / total }
        let w = width, h = height
        var tmp = [Float](repeating: 0, count: w * h)
        var out = [Float](repeating: 0, count: w * h)
        values.withUnsafeBufferPointer { src in
            taps.withUnsafeBufferPointer { k in
                tmp.withUnsafeMutableBufferPointer { t in
                    for y in 0..<h {
                        let row = y * w
                        for x in 0..<w {
                            var s: Float = 0
                            if x >= radius && x < w - radius {
                                for j in 0..<k.count { s += k[j] * src[row + x + j - radius] }
                            } else {
                                for j in 0..<k.count { s += k[j] * src[row + min(max(x + j - radius, 0), w - 1)] }
                            }
                            t[row + x] = s
                        }
                    }
                }
                tmp.withUnsafeBufferPointer { t in
                    out.withUnsafeMutableBufferPointer { o in
                        for y in 0..<h {
                            if y >= radius && y < h - radius {
                                for x in 0..<w { o[y * w + x] = 0 }
                                for j in 0..<k.count {
                                    let kj = k[j], base = (y + j - radius) * w
                                    for x in 0..<w { o[y * w + x] += kj * t[base + x] }
                                }
                            } else {
                                for x in 0..<w {
                                    var s: Float = 0
                                    for j in 0..<k.count { s += k[j] * t[min(max(y + j - radius, 0), h - 1) * w + x] }
                                    o[y * w + x] = s
                                }
                            }
                        }
                    }
                }
            }
        }
        return FloatGrid(width: w, height: h, values: out)
    }
}

/// A boolean "ignore" raster matching a ``FloatGrid``.
struct IgnoreMask {
    let width: Int
    let height: Int
    var ignored: [Bool]

    /// Marks non-zero pixels of `mask` as ignored.
    init(_ mask: GrayImage) {
        width = mask.width
        height = mask.height
        ignored = mask.samples.map { $0 != 0 }
    }

    init(width: Int, height: Int, ignored: [Bool]) {
        self.width = width
        self.height = height
        self.ignored = ignored
    }

    /// Half resolution: a cell is ignored when any of its 2×2 sources is.
    func halved() -> IgnoreMask {
        let ow = width / 2, oh = height / 2
        var out = [Bool](repeating: false, count: ow * oh)
        for y in 0..<oh {
            for x in 0..<ow {
                let i = 2 * y * width + 2 * x
                out[y * ow + x] = ignored[i] || ignored[i + 1] || ignored[i + width] || ignored[i + width + 1]
            }
        }
        return IgnoreMask(width: ow, height: oh, ignored: out)
    }

    /// Grows the ignored area by `radius` pixels (square neighbourhood), so filter responses to
    /// the edges of ignored overlays are dropped too.
    func dilated(radius: Int) -> IgnoreMask {
        guard radius > 0 else { return self }
        var rows = [Bool](repeating: false, count: ignored.count)
        for y in 0..<height {
            for x in 0..<width where ignored[y * width + x] {
                for xx in max(0, x - radius)...min(width - 1, x + radius) { rows[y * width + xx] = true }
            }
        }
        var out = [Bool](repeating: false, count: ignored.count)
        for y in 0..<height {
            for x in 0..<width where rows[y * width + x] {
                for yy in max(0, y - radius)...min(height - 1, y + radius) { out[yy * width + x] = true }
            }
        }
        return IgnoreMask(width: width, height: height, ignored: out)
    }

    @inline(__always)
    func isIgnored(_ x: Double, _ y: Double) -> Bool {
        let xi = Int(x.rounded()), yi = Int(y.rounded())
        guard xi >= 0, yi >= 0, xi < width, yi < height else { return true }
        return ignored[yi * width + xi]
    }
}
