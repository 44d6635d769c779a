import Foundation
import Testing
import SonoCore
@testable import SonoCodecs

/// Fixtures/dicom/expected.json, written by scripts/make-dicom-fixtures.py from pydicom.
struct DICOMExpectations: Decodable, Sendable {
    struct Decodable_: Decodable, Sendable {
        let file: String
        let width: Int
        let height: Int
        let frames: Int
        let bitsStored: Int
        let colour: Bool
        let has16: Bool
        let tolerance: Int
        let greySHA256: [String]
        let transferSyntax: String
        let photometric: String
        enum CodingKeys: String, CodingKey {
            case file, width, height, frames, colour, has16, tolerance, photometric
            case bitsStored = "bits_stored", greySHA256 = "grey_sha256", transferSyntax = "transfer_syntax"
        }
    }
    struct Hostile: Decodable, Sendable {
        let file: String
        let error: String
        let note: String
    }
    struct Shared: Decodable, Sendable {
        let file: String
        let width: Int
        let height: Int
        let frames: Int
        let greySHA256: [String]
        enum CodingKeys: String, CodingKey {
            case file, width, height, frames
            case greySHA256 = "grey_sha256"
        }
    }
    let decodable: [Decodable_]
    let hostile: [Hostile]
    let shared: [Shared]
    let patientName: String
    let patientID: String
    enum CodingKeys: String, CodingKey {
        case decodable, hostile, shared
        case patientName = "patient_name", patientID = "patient_id"
    }

    static let directory = Fixtures.directory.appendingPathComponent("dicom")
    static let all: DICOMExpectations = {
        let data = try! Data(contentsOf: directory.appendingPathComponent("expected.json"))
        return try! JSONDecoder().decode(DICOMExpectations.self, from: data)
    }()

    static func bytes(_ name: String) -> [UInt8] {
        [UInt8](try! Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// ../shared/data/dicom-us relative to the repository; nil when absent.
    static let sharedDirectory: URL? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/dicom-us")
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("OBXXXX1A.dcm").path) ? url : nil
    }()
}

@Suite struct DICOMDecodingTests {
    let decoder = ImageDecoder()

    @Test(arguments: DICOMExpectations.all.decodable.map(\.file))
    func syntheticFileDecodesToPydicomsPixels(file: String) throws {
        let e = DICOMExpectations.all.decodable.first { $0.file == file }!
        let bytes = DICOMExpectations.bytes(file)
        #expect(ImageDecoder.detectFormat(bytes) == .supported(.dicom))
        for n in 1...e.frames {
            let frame = try decoder.decode(bytes, source: file, frame: n)
            #expect(frame.format == .dicom)
            #expect(frame.width == e.width && frame.height == e.height)
            #expect(frame.sourceBitDepth == e.bitsStored)
            #expect(frame.sourceWasColour == e.colour)
            #expect(frame.dicom?.frameNumber == n && frame.dicom?.numberOfFrames == e.frames)
            let suffix = e.frames == 1 ? "" : ".f\(n)"
            let expected = DICOMExpectations.bytes(file + suffix + ".gray")
            let worst = zip(frame.image.samples, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
            #expect(worst <= e.tolerance, "frame \(n): largest grey difference \(worst) exceeds \(e.tolerance)")
            if e.tolerance == 0 {
                #expect(ContentDigest.sha256Hex(frame.image.samples) == e.greySHA256[n - 1])
            }
            if e.has16 {
                let raw = DICOMExpectations.bytes(file + suffix + ".gray16")
                let wide = try #require(frame.image16)
                let expected16 = stride(from: 0, to: raw.count, by: 2).map { UInt16(raw[$0]) | UInt16(raw[$0 + 1]) << 8 }
                #expect(wide.samples == expected16)
            } else {
                #expect(frame.image16 == nil)
            }
        }
    }

    @Test(arguments: DICOMExpectations.all.hostile.map(\.file))
    func hostileFileFailsWithItsError(file: String) throws {
        let e = DICOMExpectations.all.hostile.first { $0.file == file }!
        do {
            _ = try decoder.decode(DICOMExpectations.bytes(file), source: file)
            Issue.record("\(file) (\(e.note)) decoded without an error")
        } catch let error as DecodeError {
            #expect(error.kind == e.error, "\(file): \(error.summary)")
            #expect(error.file == file)
        }
    }

    @Test func unsupportedTransferSyntaxIsNamed() throws {
        let file = "unsupported-jpeg-lossless.dcm"
        #expect(throws: DecodeError.unsupportedTransferSyntax(
            file: file, uid: "1.2.840.10008.1.2.4.70",
            name: "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, SV1)")) {
            try decoder.decode(DICOMExpectations.bytes(file), source: file)
        }
    }

    /// Every prefix of several files (native, RLE, JPEG, JPEG 2000, deflated) fails cleanly.
    @Test(arguments: ["explicit-le-rgb-16-planar1.dcm", "rle-rgb-8-3frames.dcm", "deflated-palette-lut16-segmented.dcm",
                      "jpeg-baseline-ybr_full_422-2frames.dcm", "j2k-lossless-ybr_rct-8.dcm", "implicit-le-monochrome1-12.dcm"])
    func truncationAtAnyOffsetIsAnError(file: String) throws {
        let bytes = DICOMExpectations.bytes(file)
        let step = max(1, bytes.count / 300)
        for cut in stride(from: 0, to: bytes.count - 1, by: step) {
            let prefix = Array(bytes[0..<cut])
            #expect(throws: DecodeError.self, "\(file) cut at \(cut) decoded") {
                try decoder.decode(prefix, source: file, frame: 1)
            }
        }
    }

    @Test func frameOutsideTheFileIsAnError() {
        let file = "rle-monochrome2-8-3frames.dcm"
        #expect(throws: DecodeError.self) { try decoder.decode(DICOMExpectations.bytes(file), source: file, frame: 4) }
        #expect(throws: DecodeError.self) { try decoder.decode(DICOMExpectations.bytes(file), source: file, frame: 0) }
    }

    @Test func studyInfoCarriesNoPatientData() throws {
        let file = "explicit-le-monochrome2-8.dcm"
        let info = try DICOMCodec.studyInfo(DICOMExpectations.bytes(file), source: file, limits: DecodeLimits())
        #expect(info.studyInstanceUID == "1.2.826.0.1.3680043.8.498.1")
        #expect(info.institutionName == "Fixture Unit" && info.stationName == "FIXSTATION")
        #expect(info.studyDate == "2024-01-31")
        let text = "\(info)"
        #expect(!text.contains(DICOMExpectations.all.patientName) && !text.contains(DICOMExpectations.all.patientID))
    }

    /// A StudyDate of eight digits that is no calendar day is no date, as in a manifest.
    @Test(arguments: ["20241399", "20230229", "2024013A"])
    func studyDateThatIsNoDayIsDropped(da: String) throws {
        let file = "explicit-le-monochrome2-8.dcm"
        var bytes = DICOMExpectations.bytes(file)
        let stored = Array("20240131".utf8)
        let at = try #require((0...(bytes.count - 8)).first { bytes[$0..<($0 + 8)].elementsEqual(stored) })
        bytes.replaceSubrange(at..<(at + 8), with: Array(da.utf8))
        #expect(try DICOMCodec.studyInfo(bytes, source: file, limits: DecodeLimits()).studyDate == nil)
    }

    @Test(.enabled(if: DICOMExpectations.sharedDirectory != nil, "needs ../shared/data/dicom-us"),
          arguments: DICOMExpectations.all.shared.map(\.file))
    func sharedFileDecodesToPydicomsPixels(file: String) throws {
        let e = DICOMExpectations.all.shared.first { $0.file == file }!
        let path = DICOMExpectations.sharedDirectory!.appendingPathComponent(file).path
        let bytes = try FileBytes.contents(of: path)
        for n in 1...e.frames {
            let frame = try decoder.decode(bytes, source: path, frame: n)
            #expect(frame.width == e.width && frame.height == e.height)
            #expect(ContentDigest.sha256Hex(frame.image.samples) == e.greySHA256[n - 1], "\(file) frame \(n)")
        }
    }

    @Test(.enabled(if: DICOMExpectations.sharedDirectory != nil, "needs ../shared/data/dicom-us"))
    func philipsRegionsAreRead() throws {
        let path = DICOMExpectations.sharedDirectory!.appendingPathComponent("OBXXXX1A.dcm").path
        let frame = try decoder.decode(try FileBytes.contents(of: path), source: path)
        let regions = try #require(frame.dicom?.regions)
        #expect(regions.count == 2)
        #expect(regions[0] == UltrasoundRegion(minX0: 120, minY0: 60, maxX1: 800, maxY1: 518, spatialFormat: 1, dataType: 1,
                                               physicalUnitsX: 3, physicalUnitsY: 3, physicalDeltaX: 0.02622878766196998,
                                               physicalDeltaY: 0.02622878766196998))
        #expect(regions[1].spatialFormat == 4 && regions[1].dataType == 10)
    }
}
