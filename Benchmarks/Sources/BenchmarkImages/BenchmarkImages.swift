import SonoCodecs
import SonoCore

/// The 800×540 8-bit frame every filter benchmark runs on.
///
/// A real HC18 frame when the shared data set is present (it is never copied into the
/// repository), otherwise a seeded synthetic speckle image of the same size, so the
/// benchmarks run anywhere and always on the same pixels.
public enum BenchmarkImages {
    public static let defaultPath = "/work/shared/data/hc18-dev/images/000_HC.png"

    /// Loads `path` (PNG) as grey, or returns nil if it cannot be read.
    public static func load(path: String) -> GrayImage? {
        guard let bytes = try? FileBytes.contents(of: path),
              let frame = try? PNGCodec.decode(bytes, source: path, limits: DecodeLimits()) else { return nil }
        return frame.image
    }

    /// The benchmark frame and a description of where it came from.
    public static func frame() -> (image: GrayImage, origin: String) {
        if let image = load(path: defaultPath) { return (image, defaultPath) }
        return (syntheticSpeckle(width: 800, height: 540, seed: 2002), "synthetic speckle 800x540 seed 2002")
    }

    /// Smooth anatomy-like field times a gamma(4)-distributed speckle, black outside a fan.
    public static func syntheticSpeckle(width: Int, height: Int, seed: UInt64) -> GrayImage {
        var state = seed
        func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        var samples = [UInt8](repeating: 0, count: width * height)
        let cx = Double(width) / 2, cy = Double(height) / 2
        for y in 0..<height {
            for x in 0..<width {
                let dx = (Double(x) - cx) / (Double(width) * 0.3), dy = (Double(y) - cy) / (Double(height) * 0.35)
                let r = (dx * dx + dy * dy).squareRoot()
                let skull = 160 * max(0, 1 - abs(r - 1) * 12)
                let inFan = abs(Double(x) - cx) < Double(y) * 0.9 + 60
                var speckle = 0.0
                for _ in 0..<4 { speckle += -logApprox(max(next(), 1e-12)) }
                let value = inFan ? (50 + skull + 20 * Double((x / 40 + y / 30) % 2)) * speckle / 4 : 0
                samples[y * width + x] = UInt8(min(max(value.rounded(), 0), 255))
            }
        }
        return GrayImage(width: width, height: height, samples: samples)
    }

    /// Natural log without Foundation (series on the mantissa), accurate enough for noise.
    private static func logApprox(_ v: Double) -> Double {
        let e = Double(v.exponent)
        let m = v.significand  // 1 ≤ m < 2
        let t = (m - 1) / (m + 1), t2 = t * t
        let series = 2 * t * (1 + t2 / 3 + t2 * t2 / 5 + t2 * t2 * t2 / 7 + t2 * t2 * t2 * t2 / 9)
        return series + e * 0.693_147_180_559_945_3
    }
}
