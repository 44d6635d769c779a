import SonoCore
@testable import SonoFilters
import Testing

@Suite("Detail layer")
struct DetailLayerTests {
    @Test("a flat image has no detail")
    func flatImageIsAllMidGrey() {
        let image = GrayImage(width: 40, height: 30, repeating: 77)
        #expect(DetailLayer.apply(image, mask: nil, sigma: 2).samples.allSatisfy { $0 == 128 })
    }

    @Test("slowly varying brightness is removed: a ramp reads mid-grey away from the borders")
    func rampIsRemoved() {
        let image = GrayImage(width: 64, height: 16) { out in
            for y in 0..<16 { for x in 0..<64 { out[y * 64 + x] = UInt8(40 + 2 * x) } }
        }
        let detail = DetailLayer.apply(image, mask: nil, sigma: 2)
        for y in 0..<16 {
            for x in 8..<56 { #expect(detail[x, y] == 128, "(\(x), \(y)): \(detail[x, y])") }
        }
    }

    @Test("fine texture is kept: a checkerboard's pixels stay far from mid-grey")
    func checkerboardIsKept() {
        let image = GrayImage(width: 32, height: 32) { out in
            for y in 0..<32 { for x in 0..<32 { out[y * 32 + x] = (x + y) % 2 == 0 ? 100 : 140 } }
        }
        let detail = DetailLayer.apply(image, mask: nil, sigma: 2)
        #expect(detail.samples.allSatisfy { abs(Int($0) - 128) >= 15 })
    }

    /// A saturated caption beside tissue: masked, it does not darken the tissue's detail next to
    /// it; unmasked (a plain blur), it does.
    @Test("a masked bright mark does not bleed into the pixels beside it")
    func maskedMarkDoesNotBleed() {
        let w = 40, h = 20
        let image = GrayImage(width: w, height: h) { out in
            for y in 0..<h { for x in 0..<w { out[y * w + x] = (20..<26).contains(x) ? 255 : 60 } }
        }
        let mask: [UInt8] = (0..<(w * h)).map { (20..<26).contains($0 % w) ? 0 : 1 }
        let masked = DetailLayer.apply(image, mask: mask, sigma: 2)
        let plain = DetailLayer.apply(image, mask: nil, sigma: 2)
        for y in 0..<h {
            for x in [17, 18, 19, 26, 27, 28] {
                #expect(masked[x, y] == 128, "masked (\(x), \(y)): \(masked[x, y])")
                #expect(plain[x, y] < 120, "plain (\(x), \(y)): \(plain[x, y])")
            }
        }
    }
}
