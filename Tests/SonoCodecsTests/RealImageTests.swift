import Foundation
import Testing
import SonoCodecs

/// The 101 real HC18 frames in ../shared (read in place, never copied into the repository).
enum HC18 {
    static let images = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/data/hc18-dev/images")

    static var available: Bool { FileManager.default.fileExists(atPath: images.path) }

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: images.path)) ?? []).filter { $0.hasSuffix(".png") }.sorted()
    }
}

@Suite(.enabled(if: HC18.available, "../shared/data/hc18-dev is absent: real-image decoding not tested"))
struct RealImageDecodingTests {
    @Test func everyHC18FrameDecodesAsEightBitGrey() throws {
        let files = HC18.files
        #expect(files.count == 101)
        let decoder = ImageDecoder()
        for file in files {
            let frame = try decoder.decodeFile(atPath: HC18.images.appendingPathComponent(file).path)
            #expect(frame.sourceBitDepth == 8 && !frame.sourceWasColour, "\(file)")
            #expect((780...800).contains(frame.width) && (530...550).contains(frame.height), "\(file)")
            // Their pHYs unit is "unknown": not a calibration (see the data set's README).
            #expect(frame.fileSpacing == nil, "\(file)")
        }
    }
}
