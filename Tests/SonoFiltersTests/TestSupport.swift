import Foundation
import SonoCore

/// SplitMix64: a small seeded generator so every random test image is reproducible.
typealias SeededGenerator = SplitMix64

enum TestImages {
    /// Sizes that stress borders and vector tails: single pixels, single rows and columns,
    /// widths around the 16- and 32-lane vector widths, and a frame-sized odd image.
    static let awkwardSizes: [(width: Int, height: Int)] = [
        (1, 1), (1, 7), (7, 1), (2, 2), (3, 5), (5, 3), (15, 4), (16, 3), (17, 9), (31, 6),
        (33, 17), (47, 2), (64, 5), (65, 33), (127, 11), (203, 97),
    ]

    static func randomGray(width: Int, height: Int, seed: UInt64) -> GrayImage {
        var rng = SeededGenerator(seed: seed)
        return GrayImage(width: width, height: height,
                         samples: (0..<(width * height)).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    /// Speckle-like positive floats (product of a smooth field and a gamma-ish variate) with a
    /// few exact zeros, the input SRAD and Lee are designed for.
    static func speckleFloat(width: Int, height: Int, seed: UInt64) -> FloatImage {
        var rng = SeededGenerator(seed: seed)
        var samples = [Float](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let field = 80 + 60 * Float(x) / Float(max(width, 1)) + 40 * Float((y / 8) % 2)
                var speckle: Float = 0
                for _ in 0..<4 { speckle += -logf(Float.random(in: Float.ulpOfOne...1, using: &rng)) }
                samples[y * width + x] = Float.random(in: 0..<1, using: &rng) < 0.02 ? 0 : field * speckle / 4
            }
        }
        return FloatImage(width: width, height: height, samples: samples)
    }
}

enum FixtureError: Error { case badFile(String) }

/// Reads the `SQF1` files written by scripts/make-filter-fixtures.py.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func data(_ name: String, type expected: UInt32) throws -> (width: Int, height: Int, payload: Data) {
        let bytes = try Data(contentsOf: directory.appendingPathComponent(name + ".bin"))
        guard bytes.count >= 16, bytes.prefix(4) == Data("SQF1".utf8) else { throw FixtureError.badFile(name) }
        func u32(_ offset: Int) -> UInt32 {
            bytes[offset..<(offset + 4)].enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        }
        let width = Int(u32(4)), height = Int(u32(8)), type = u32(12)
        guard type == expected else { throw FixtureError.badFile("\(name): type \(type)") }
        return (width, height, bytes.subdata(in: 16..<bytes.count))
    }

    static func gray(_ name: String) throws -> GrayImage {
        let (w, h, payload) = try data(name, type: 1)
        guard payload.count == w * h else { throw FixtureError.badFile(name) }
        return GrayImage(width: w, height: h, samples: [UInt8](payload))
    }

    static func int16(_ name: String) throws -> PixelBuffer<Int16> {
        let (w, h, payload) = try data(name, type: 2)
        guard payload.count == 2 * w * h else { throw FixtureError.badFile(name) }
        let values = payload.withUnsafeBytes { raw in
            (0..<(w * h)).map { Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self)) }
        }
        return PixelBuffer(width: w, height: h, samples: values)
    }

    static func float(_ name: String) throws -> FloatImage {
        let (w, h, payload) = try data(name, type: 3)
        guard payload.count == 4 * w * h else { throw FixtureError.badFile(name) }
        let values = payload.withUnsafeBytes { raw in
            (0..<(w * h)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
        return FloatImage(width: w, height: h, samples: values)
    }

    static let inputs = ["s37x23", "s64x41", "s1x9", "s9x1"]
}

/// Largest absolute difference between two same-size images, and where it is.
func maxDifference<T: BinaryInteger>(_ a: PixelBuffer<T>, _ b: PixelBuffer<T>) -> (value: Int, x: Int, y: Int) {
    var worst = (value: 0, x: 0, y: 0)
    for y in 0..<a.height {
        for x in 0..<a.width {
            let d = abs(Int(a[x, y]) - Int(b[x, y]))
            if d > worst.value { worst = (d, x, y) }
        }
    }
    return worst
}

func maxDifference(_ a: FloatImage, _ b: FloatImage) -> (value: Float, x: Int, y: Int) {
    var worst = (value: Float(0), x: 0, y: 0)
    for y in 0..<a.height {
        for x in 0..<a.width {
            let d = abs(a[x, y] - b[x, y])
            if !(d <= worst.value) { worst = (d.isNaN ? .infinity : d, x, y) }
        }
    }
    return worst
}
