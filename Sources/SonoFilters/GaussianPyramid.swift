public import SonoCore

/// A Gaussian image pyramid: level 0 is the input, each next level is ``pyrDown(_:)`` of the
/// previous one.
///
/// `pyrDown` is OpenCV's: blur with the 5-tap binomial kernel [1 4 6 4 1]/16 in both
/// directions (reflect-101 borders), keep every second pixel, round `(sum + 128) >> 8`.
/// The output of a level is `⌈w/2⌉ × ⌈h/2⌉`. Construction stops early at a 1×1 level.
public struct GaussianPyramid: Sendable {
    public let levels: [GrayImage]

    /// Builds up to `levelCount` levels (at least the input itself).
    public init(_ image: GrayImage, levelCount: Int, backend: FilterBackend = .default) {
        var levels = [image]
        while levels.count < levelCount, let last = levels.last, last.width > 1 || last.height > 1 {
            levels.append(Self.pyrDown(last, backend: backend))
        }
        self.levels = levels
    }

    public static func pyrDown(_ image: GrayImage, backend: FilterBackend = .default) -> GrayImage {
        switch backend {
        case .scalar: return referencePyrDown(image)
        case .vector: return vectorizedPyrDown(image)
        }
    }

    /// Scalar specification of `pyrDown`.
    package static func referencePyrDown(_ image: GrayImage) -> GrayImage {
        guard !image.isEmpty else { return image }
        let w = image.width, h = image.height
        let ow = (w + 1) / 2, oh = (h + 1) / 2
        let taps = [1, 4, 6, 4, 1]
        var out = [UInt8](repeating: 0, count: ow * oh)
        for y in 0..<oh {
            for x in 0..<ow {
                var sum = 0
                for i in 0..<5 {
                    let sy = Border.reflect101(2 * y + i - 2, h)
                    var row = 0
                    for j in 0..<5 {
                        row += taps[j] * Int(image[Border.reflect101(2 * x + j - 2, w), sy])
                    }
                    sum += taps[i] * row
                }
                out[y * ow + x] = UInt8((sum + 128) >> 8)
            }
        }
        return GrayImage(width: ow, height: oh, samples: out)
    }
}
