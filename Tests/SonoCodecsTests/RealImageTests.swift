import Foundation
import Testing
import SonoCodecs
import SonoTestSupport
import SonoCore

@Suite(.enabled(if: SharedData.hasHC18, "../shared/data/hc18-dev is absent: real-image decoding not tested"))
struct RealImageDecodingTests {
    @Test func everyHC18FrameDecodesAsEightBitGrey() throws {
        let files = try SharedData.hc18FrameNames()
        #expect(!files.isEmpty)
        let decoder = ImageDecoder()
        for file in files {
            let frame = try decoder.decodeFile(atPath: SharedData.hc18Images.appendingPathComponent(file).path)
            #expect(frame.sourceBitDepth == 8 && !frame.sourceWasColour, "\(file)")
            // The data set's README: 800 × 540 except a few frames between 788 × 539 and 800 × 563.
            #expect((788...800).contains(frame.width) && (539...563).contains(frame.height), "\(file)")
            // Their pHYs unit is "unknown": not a calibration (see the data set's README).
            #expect(frame.fileSpacing == nil, "\(file)")
        }
    }
}
