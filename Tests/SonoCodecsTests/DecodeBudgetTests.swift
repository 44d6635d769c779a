import SonoCore
import Testing
@testable import SonoCodecs

/// Issue 16: limits that bound a frame's cost by what it allocates and how long it can keep libjpeg busy.
@Suite("Decode budgets")
struct DecodeBudgetTests {
    /// Signature, IHDR and IEND only: the budget must refuse it from the header alone.
    static func pngHeader(width: UInt32, height: UInt32, bitDepth: UInt8, colourType: UInt8) -> [UInt8] {
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + SyntheticPNG.chunk("IHDR", SyntheticPNG.be32(width) + SyntheticPNG.be32(height) + [bitDepth, colourType, 0, 0, 0])
            + SyntheticPNG.chunk("IEND", [])
    }

    @Test func a16BitRGBAPNGWithinThePixelLimitIsRefusedByTheByteBudget() throws {
        // 8192² is exactly the default pixel limit; at 11 bytes per pixel it would need 704 MiB.
        let bytes = Self.pngHeader(width: 8192, height: 8192, bitDepth: 16, colourType: 6)
        let error = try #require(throws: DecodeError.self) { try ImageDecoder().decode(bytes, source: "bomb.png") }
        guard case .overMemoryBudget(_, let needed, let budget) = error else {
            Issue.record("expected overMemoryBudget, got \(error)")
            return
        }
        #expect(needed == 8192 * 8192 * 11 && budget == DecodeLimits().maxDecodedBytes)
        #expect(error.kind == "too-large")
        // The same size in 8-bit grey fits the default budget (it then fails for its missing IDAT).
        let grey = Self.pngHeader(width: 8192, height: 8192, bitDepth: 8, colourType: 0)
        #expect(throws: DecodeError.self) { try ImageDecoder().decode(grey, source: "grey.png") }
        #expect(throws: Never.self) { try DecodeLimits().checkBudget(width: 8192, height: 8192, bytesPerPixel: 1, file: "x") }
    }

    @Test func budgetArithmeticCannotOverflow() {
        #expect(throws: DecodeError.self) { try DecodeLimits().checkBudget(width: Int.max, height: 3, bytesPerPixel: 11, file: "x") }
    }

    @Test func progressiveJPEGsWithMoreScansThanTheLimitStopEarly() throws {
        let pixels = (0..<(64 * 48 * 3)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let jpeg = try JPEGCodec.encode(width: 64, height: 48, channels: 3, pixels: pixels, progressive: true)
        #expect(try JPEGCodec.decode(jpeg, source: "p.jpg", limits: DecodeLimits()).width == 64)
        let error = try #require(throws: DecodeError.self) {
            try JPEGCodec.decode(jpeg, source: "p.jpg", limits: DecodeLimits(maxJPEGScans: 2))
        }
        #expect(error.summary.contains("more than 2 scans"))
    }

    @Test func progressiveJPEGsOverTheByteBudgetAreRefusedBeforeDecoding() throws {
        let pixels = [UInt8](repeating: 90, count: 256 * 256)
        let jpeg = try JPEGCodec.encode(width: 256, height: 256, channels: 1, pixels: pixels, progressive: true)
        let error = try #require(throws: DecodeError.self) {
            try JPEGCodec.decode(jpeg, source: "p.jpg", limits: DecodeLimits(maxDecodedBytes: 256 * 256 * 2))
        }
        guard case .overMemoryBudget = error else {
            Issue.record("expected overMemoryBudget, got \(error)")
            return
        }
    }

    /// A synthetic DICOM fixture whose Rows and Columns (explicit VR little endian US) are
    /// rewritten to 8192: exactly the default pixel limit, while the frame data stays 24×16.
    static func dicomClaiming8192Squared(_ name: String) throws -> [UInt8] {
        var bytes = DICOMExpectations.bytes(name)
        for element: UInt8 in [0x10, 0x11] {
            let tag: [UInt8] = [0x28, 0x00, element, 0x00, 0x55, 0x53, 0x02, 0x00]
            let at = try #require((0...(bytes.count - tag.count)).first { bytes[$0..<($0 + tag.count)].elementsEqual(tag) })
            bytes[at + 8] = 0x00
            bytes[at + 9] = 0x20  // 8192, little endian
        }
        return bytes
    }

    @Test(arguments: ["rle-rgb-8-3frames.dcm", "j2k-lossless-monochrome2-8.dcm"])
    func dicomFramesDeclaringMoreThanTheByteBudgetAreRefusedFromTheHeader(file: String) throws {
        #expect(throws: Never.self) { try ImageDecoder().decode(DICOMExpectations.bytes(file), source: file) }
        let bytes = try Self.dicomClaiming8192Squared(file)
        let error = try #require(throws: DecodeError.self) { try ImageDecoder().decode(bytes, source: file) }
        guard case .overMemoryBudget(_, let needed, let budget) = error else {
            Issue.record("expected overMemoryBudget, got \(error)")
            return
        }
        // Two bytes per sample and the grey frame (RGB: 6 + 1), or for JPEG 2000 grey also
        // OpenJPEG's 32-bit plane (2 + 1 + 4).
        #expect(needed == 8192 * 8192 * 7 && budget == DecodeLimits().maxDecodedBytes)
    }
}
