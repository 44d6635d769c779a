import Foundation
import Testing
import SonoCore
@testable import SonoCodecs

/// Inputs that crashed the DICOM reader (Fuzz/Sources/FuzzDICOM), kept in Fixtures/dicom-fuzz/
/// (made by editing synthetic fixtures: see each test). Each must now fail with a DecodeError
/// naming the file, from both the study facts and the pixel decoder; before the fix the process
/// trapped, so these tests crashed the suite.
@Suite struct DICOMFuzzRegressionTests {
    static let directory = Fixtures.directory.appendingPathComponent("dicom-fuzz")
    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }
    let limits = DecodeLimits()

    /// explicit-le-monochrome2-8.dcm with Number of Frames "9223372036854775807": the native
    /// path's size check overflowed while formatting its own error message.
    @Test func nativeFileClaimingIntMaxFramesIsCorrupt() throws {
        let file = "native-frames-overflow.dcm"
        let bytes = try Self.bytes(file)
        for attempt in [{ _ = try DICOMCodec.studyInfo(bytes, source: file, limits: limits) },
                        { _ = try DICOMCodec.decode(bytes, source: file, frame: 1, limits: limits) }] {
            do {
                try attempt()
                Issue.record("\(file) was accepted")
            } catch let error as DecodeError {
                #expect(error.kind == "corrupt" && error.file == file)
                #expect(error.summary.contains("Number of Frames (0028,0008) is 9223372036854775807"), "\(error.summary)")
            }
        }
    }

    /// jpeg-baseline-monochrome2-2frames.dcm (which has a basic offset table) with the same frame
    /// count: `4 * frames` overflowed when the offset table was checked against it, and the
    /// pipeline built a set of every claimed frame number.
    @Test func encapsulatedFileClaimingIntMaxFramesIsCorrupt() throws {
        let file = "encap-frames-overflow.dcm"
        let bytes = try Self.bytes(file)
        #expect(throws: DecodeError.self) { try DICOMCodec.studyInfo(bytes, source: file, limits: limits) }
        do {
            _ = try DICOMCodec.decode(bytes, source: file, frame: 2, limits: limits)
            Issue.record("\(file) was accepted")
        } catch let error as DecodeError {
            #expect(error.kind == "corrupt" && error.summary.contains("Number of Frames"), "\(error.summary)")
        }
    }

    /// A frame count that fits the IS range but not the file (1 byte per frame at least) is
    /// refused too; the largest count the file can hold is still accepted by the study facts.
    @Test func frameCountIsBoundedByTheFileSize() throws {
        let bytes = try Self.bytes("native-frames-overflow.dcm")
        func claiming(_ frames: Int) -> [UInt8] {
            // The IS value is 20 bytes in this file (19 digits + pad); rewrite it in place.
            let value = Array("9223372036854775807 ".utf8)
            let at = bytes.indices.first { bytes[$0...].starts(with: value) }!
            var copy = bytes
            copy.replaceSubrange(at..<(at + value.count), with: Array(String(frames).padding(toLength: value.count, withPad: " ", startingAt: 0).utf8))
            return copy
        }
        #expect(throws: DecodeError.self) { try DICOMCodec.studyInfo(claiming(bytes.count + 1), source: "f.dcm", limits: limits) }
        #expect(try DICOMCodec.studyInfo(claiming(bytes.count), source: "f.dcm", limits: limits).numberOfFrames == bytes.count)
        #expect(throws: DecodeError.self) { try DICOMCodec.studyInfo(claiming(0), source: "f.dcm", limits: limits) }
    }

    /// explicit-be-monochrome2-8.dcm turned into a 23×15 (odd pixel count) OW element of 345
    /// bytes that ends the file: the big endian byte swap read one byte past the end of the file.
    @Test func bigEndianOddLengthWordDataIsTruncatedNotReadPastTheEnd() throws {
        let file = "be-ow-odd.dcm"
        do {
            _ = try DICOMCodec.decode(try Self.bytes(file), source: file, frame: 1, limits: limits)
            Issue.record("\(file) was accepted")
        } catch let error as DecodeError {
            #expect(error.kind == "truncated" && error.file == file, "\(error.summary)")
        }
    }
}
