import SonoCore
import SonoImageAnalysis
import Testing

/// The field of view is decided per 4×4 block and expanded to pixels; frames whose sides are not
/// multiples of the block take the partial last block column and row (the HC18 frames, 800 × 540,
/// never do).
@Suite("Field-of-view block expansion")
struct FieldOfViewGridTests {
    /// A bright speckled fan on black with a solid black box inside it, `width` × `height`.
    static func sector(width w: Int, height h: Int, seed: UInt64) -> GrayImage {
        var generator = SplitMix64(seed: seed)
        let apexX = Double(w) / 2, radius = Double(h) * 0.95
        return GrayImage(width: w, height: h, samples: (0..<(w * h)).map { i in
            let x = Double(i % w), y = Double(i / w)
            let dx = x - apexX, r = (dx * dx + y * y).squareRoot()
            let inFan = r < radius && abs(dx) < y * 0.9 + 2
            let inBox = abs(x - apexX) < Double(w) / 10 && abs(y - Double(h) * 0.6) < Double(h) / 12
            return inFan && !inBox ? UInt8.random(in: 20...230, using: &generator) : 0
        })
    }

    @Test("masks are constant per block, partial blocks included, and the count is the mask's",
          arguments: [(803, 541), (798, 537), (801, 543), (800, 540), (61, 45), (13, 9), (7, 6)])
    func blocksExpandExactly(size: (Int, Int)) {
        let (w, h) = size
        let image = Self.sector(width: w, height: h, seed: UInt64(w * 1_000 + h))
        let fov = FieldOfView.detect(image)
        let b = FieldOfView.blockSize
        #expect(fov.mask.count == w * h && fov.inner.count == w * h)
        // The first pixel that differs from its block's corner, or is inner but outside the mask.
        let wrong = (0..<(w * h)).first { i in
            let x = i % w, y = i / w, corner = (y / b * b) * w + x / b * b
            return fov.mask[i] != fov.mask[corner] || fov.inner[i] != fov.inner[corner] || (fov.inner[i] != 0 && fov.mask[i] == 0)
        }
        #expect(wrong == nil, "\(w)x\(h): pixel (\((wrong ?? 0) % w), \((wrong ?? 0) / w))")
        #expect(fov.pixelCount == fov.mask.filter { $0 != 0 }.count, "\(w)x\(h)")
        if w >= 61 { #expect(fov.pixelCount > w * h / 5, "\(w)x\(h): the fan is found") }
    }
}
