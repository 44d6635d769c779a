import Testing
@testable import SonoCore

@Suite struct PixelBufferTests {
    @Test func initializerWritesStraightIntoStorage() {
        let image = GrayImage(width: 3, height: 2) { out in
            for i in 0..<out.count { out[i] = UInt8(i * 10) }
        }
        #expect(image.samples == [0, 10, 20, 30, 40, 50])
        #expect(image[2, 1] == 50)
    }

    @Test func copiesAreIndependentValues() {
        var a = GrayImage(width: 2, height: 2, repeating: 7)
        let b = a
        a[0, 0] = 1
        #expect(b[0, 0] == 7)
        #expect(a[0, 0] == 1)
    }

    @Test func croppingClipsToTheImage() {
        let image = GrayImage(width: 4, height: 3, samples: Array(0..<12).map(UInt8.init))
        let crop = image.cropped(to: Region(x: 2, y: 1, width: 10, height: 10))
        #expect(crop.width == 2 && crop.height == 2)
        #expect(crop.samples == [6, 7, 10, 11])
    }

    @Test func lumaUsesBT601WeightsAndRounds() {
        #expect(Luminance.luma(red: 255, green: 255, blue: 255) == 255)
        #expect(Luminance.luma(red: 255, green: 0, blue: 0) == 76)
        #expect(Luminance.luma(red: 0, green: 255, blue: 0) == 150)
        #expect(Luminance.luma(red: 0, green: 0, blue: 255) == 29)
        #expect(Luminance.narrow(65535) == 255)
        #expect(Luminance.narrow(0x8000) == 128)
    }

    @Test func spacingIsIsotropicOnlyWhenAxesAgree() {
        #expect(PixelSpacing(isotropicMMPerPixel: 0.2, source: .manifest).isIsotropic)
        #expect(!PixelSpacing(mmPerPixelX: 0.2, mmPerPixelY: 0.25, source: .manifest).isIsotropic)
    }
}
