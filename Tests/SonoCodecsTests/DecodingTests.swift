import Foundation
import Testing
import SonoCore
@testable import SonoCodecs

@Suite struct FixtureDecodingTests {
    let decoder = ImageDecoder()

    @Test(arguments: Fixtures.decodable.filter { $0.meanAbsTolerance == nil }.map(\.file))
    func pngVariantDecodesToTheExpectedGreyPixels(file: String) throws {
        let fixture = Fixtures.all.first { $0.file == file }!
        let frame = try decoder.decode(Fixtures.bytes(file), source: file)
        #expect(frame.format == .png)
        #expect(frame.width == fixture.width && frame.height == fixture.height)
        #expect(frame.sourceBitDepth == fixture.bitDepth)
        #expect(frame.sourceWasColour == fixture.colour)
        let expected = Fixtures.bytes(fixture.expected!)
        let tolerance = fixture.tolerance ?? 0
        let worst = zip(frame.image.samples, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(worst <= tolerance, "largest pixel difference \(worst) exceeds \(tolerance)")
        if let spacing = fixture.spacingMM {
            #expect(frame.fileSpacing?.source == .pngPHYs)
            #expect(abs((frame.fileSpacing?.mmPerPixel ?? 0) - spacing) < 1e-9)
        } else {
            #expect(frame.fileSpacing == nil)
        }
    }

    @Test func sixteenBitGreyKeepsFullPrecision() throws {
        let fixture = Fixtures.all.first { $0.file == "gray16.png" }!
        let frame = try decoder.decode(Fixtures.bytes("gray16.png"), source: "gray16.png")
        let wide = try #require(frame.image16)
        #expect(wide.samples.map(Int.init) == fixture.raw16)
    }

    @Test(arguments: Fixtures.decodable.filter { $0.meanAbsTolerance != nil }.map(\.file))
    func jpegVariantDecodesCloseToItsSource(file: String) throws {
        let fixture = Fixtures.all.first { $0.file == file }!
        let frame = try decoder.decode(Fixtures.bytes(file), source: file)
        #expect(frame.format == .jpeg)
        #expect(frame.width == fixture.width && frame.height == fixture.height)
        #expect(frame.sourceWasColour == fixture.colour)
        let source = Fixtures.bytes(fixture.expected!)
        let meanAbs = Double(zip(frame.image.samples, source).map { abs(Int($0) - Int($1)) }.reduce(0, +))
            / Double(source.count)
        #expect(meanAbs <= fixture.meanAbsTolerance!, "mean absolute error \(meanAbs)")
        if let spacing = fixture.spacingMM {
            #expect(frame.fileSpacing?.source == .jpegDensity)
            #expect(abs((frame.fileSpacing?.mmPerPixel ?? 0) - spacing) < 1e-9)
        } else {
            #expect(frame.fileSpacing == nil)
        }
    }

    @Test(arguments: Fixtures.broken.map(\.file))
    func brokenFileFailsWithItsOwnError(file: String) throws {
        let fixture = Fixtures.all.first { $0.file == file }!
        do {
            _ = try decoder.decode(Fixtures.bytes(file), source: file)
            Issue.record("\(file) decoded although it is \(fixture.note ?? "broken")")
        } catch let error as DecodeError {
            #expect(error.kind == fixture.error, "\(file): \(error)")
            #expect(error.file == file)
            #expect(error.summary.contains(file))
        }
    }

    @Test func truncationErrorNamesTheChunkAndByteCounts() {
        #expect(throws: DecodeError.truncated(
            file: "t.png", library: "png",
            message: "chunk IDAT at offset 54 needs 119 bytes, 10 remain")) {
            try decoder.decode(Fixtures.bytes("truncated-at-64.png"), source: "t.png")
        }
    }

    @Test func hugeDeclaredSizeIsRefusedFromTheHeader() {
        #expect(throws: DecodeError.tooLarge(file: "h.png", width: 100_000, height: 100_000,
                                             maxPixels: 64 * 1024 * 1024)) {
            try decoder.decode(Fixtures.bytes("huge-declared-size.png"), source: "h.png")
        }
    }

    @Test func pixelLimitIsConfigurable() {
        let strict = ImageDecoder(limits: DecodeLimits(maxPixels: 50))
        #expect(throws: DecodeError.self) { try strict.decode(Fixtures.bytes("gray8.png"), source: "g") }
        #expect(throws: DecodeError.self) { try strict.decode(Fixtures.bytes("gray-baseline.jpg"), source: "g") }
    }

    @Test func truncatedJPEGIsAcceptedOnlyWhenLenient() throws {
        let bytes = Fixtures.bytes("truncated.jpg")
        #expect(throws: DecodeError.self) { try decoder.decode(bytes, source: "t.jpg") }
        let lenient = ImageDecoder(limits: DecodeLimits(strictness: .lenient))
        let frame = try lenient.decode(bytes, source: "t.jpg")
        #expect(frame.width == 52)
    }

    @Test func formatComesFromMagicBytesNotTheExtension() {
        #expect(ImageDecoder.detectFormat(Fixtures.bytes("png-named-as.jpg")) == .supported(.png))
        #expect(ImageDecoder.detectFormat(Fixtures.bytes("image.bmp.png")) == .unsupported("looks like BMP"))
        #expect(ImageDecoder.detectFormat(Fixtures.bytes("image.tif")) == .unsupported("looks like TIFF"))
        #expect(ImageDecoder.detectFormat(Fixtures.bytes("notes.png")) == .unsupported("looks like text"))
        #expect(ImageDecoder.detectFormat([]) == .unsupported("empty file"))
    }

    @Test func unreadablePathIsATypedError() {
        #expect(throws: DecodeError.unreadable(file: "/nonexistent/x.png", reason: "No such file or directory")) {
            try decoder.decodeFile(atPath: "/nonexistent/x.png")
        }
        #expect(throws: DecodeError.self) { try decoder.decodeFile(atPath: Fixtures.directory.path) }
    }
}

@Suite struct EncodingTests {
    @Test func greyPNGRoundTripsWithSpacing() throws {
        var rng = SplitMix64(seed: 7)
        let image = GrayImage(width: 31, height: 17) { out in
            for i in 0..<out.count { out[i] = UInt8(truncatingIfNeeded: rng.next()) }
        }
        let png = try PNGCodec.encode(image, spacingMMPerPixel: 0.125)
        let frame = try ImageDecoder().decode(png, source: "round-trip")
        #expect(frame.image == image)
        #expect(frame.fileSpacing?.source == .pngPHYs)
        #expect(abs(frame.fileSpacing!.mmPerPixel - 0.125) < 1e-9)
    }

    /// The expected grey of RGB pixels worked out here, not by the decoder's own `Luminance`: BT.601
    /// luma (0.299 R + 0.587 G + 0.114 B) in double precision, rounded. The decoder's 16.16 fixed
    /// point may land one level off where the exact value is within 0.002 of a half; a swapped
    /// channel order or wrong weights miss by tens of levels.
    static func expectBT601Luma(_ grey: [UInt8], of rgb: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(grey.count * 3 == rgb.count, sourceLocation: sourceLocation)
        var exact = 0
        for (i, g) in grey.enumerated() {
            let y = 0.299 * Double(rgb[3 * i]) + 0.587 * Double(rgb[3 * i + 1]) + 0.114 * Double(rgb[3 * i + 2])
            let expected = Int(y.rounded())
            #expect(abs(Int(g) - expected) <= 1, "pixel \(i): \(g) for BT.601 \(y)", sourceLocation: sourceLocation)
            if Int(g) == expected { exact += 1 }
        }
        #expect(exact * 100 >= grey.count * 99, "\(exact) of \(grey.count) exact", sourceLocation: sourceLocation)
    }

    @Test func rgbPNGRoundTripsThroughLuma() throws {
        let w = 9, h = 5
        var rgb: [UInt8] = []
        for i in 0..<(w * h) { rgb += [UInt8(i * 5 % 256), UInt8(i * 11 % 256), UInt8(i * 23 % 256)] }
        let png = try PNGCodec.encode(width: w, height: h, channels: 3, pixels: rgb)
        let frame = try ImageDecoder().decode(png, source: "rgb")
        Self.expectBT601Luma(frame.image.samples, of: rgb)
        #expect(frame.sourceWasColour)
    }

    @Test func fastCompressionRoundTripsRGB() throws {
        let w = 64, h = 48
        let rgb = (0..<(w * h * 3)).map { UInt8(($0 * 7) % 256) }
        let png = try PNGCodec.encode(width: w, height: h, channels: 3, pixels: rgb, compression: .fast)
        let frame = try ImageDecoder().decode(png, source: "fast")
        Self.expectBT601Luma(frame.image.samples, of: rgb)
    }

    @Test func largeImageEncodesWhenCompressionCannotShrinkIt() throws {
        var rng = SplitMix64(seed: 99)
        let image = GrayImage(width: 640, height: 480) { out in
            for i in 0..<out.count { out[i] = UInt8(truncatingIfNeeded: rng.next()) }
        }
        let frame = try ImageDecoder().decode(try PNGCodec.encode(image), source: "noise")
        #expect(frame.image == image)
    }

    @Test func jpegRoundTripKeepsGreyAndDensity() throws {
        let w = 40, h = 24
        let pixels = (0..<(w * h)).map { UInt8(40 + ($0 % w) * 3) }
        let jpeg = try JPEGCodec.encode(width: w, height: h, channels: 1, pixels: pixels, quality: 95,
                                        progressive: true, spacingMMPerPixel: 0.2)
        let frame = try ImageDecoder().decode(jpeg, source: "j")
        let meanAbs = Double(zip(frame.image.samples, pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +)) / Double(w * h)
        #expect(meanAbs < 1.5)
        #expect(frame.fileSpacing?.mmPerPixel == 0.2)
    }
}

