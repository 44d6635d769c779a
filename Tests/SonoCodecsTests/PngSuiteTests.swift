import Foundation
import Testing
import SonoCore
import SonoTestSupport
@testable import SonoCodecs

/// One row of Fixtures/pngsuite-expected.csv, written by scripts/make-pngsuite-expected.py from
/// the stored samples of each PngSuite file (its own decoder, cross-checked against Pillow).
struct PngSuiteExpectation: Sendable {
    let file: String
    let width: Int
    let height: Int
    let bitDepth: Int
    let colour: Bool
    let colourChunks: [String]
    let greyHash: String
    let greyMean: Double
    /// Hash of the 16-bit grey samples (big-endian bytes); empty for files of 8 bits or fewer.
    let grey16Hash: String
    /// The DecodeError kind for corrupt files; empty for valid ones.
    let error: String

    static let directory = Fixtures.directory.appendingPathComponent("pngsuite")

    static let all: [PngSuiteExpectation] = {
        let table = try! CSVTable(contentsOf: Fixtures.directory.appendingPathComponent("pngsuite-expected.csv"))
        return table.rows.map { r in
            PngSuiteExpectation(file: r["file"]!, width: Int(r["width"]!) ?? 0, height: Int(r["height"]!) ?? 0,
                                bitDepth: Int(r["bit_depth"]!) ?? 0, colour: r["colour"] == "true",
                                colourChunks: r["colour_chunks"]!.split(separator: " ").map(String.init),
                                greyHash: r["grey_fnv1a64"]!, greyMean: Double(r["grey_mean"]!) ?? .nan,
                                grey16Hash: r["grey16_fnv1a64"]!, error: r["error"]!)
        }
    }()

    static var valid: [PngSuiteExpectation] { all.filter { $0.error.isEmpty } }
    static var corrupt: [PngSuiteExpectation] { all.filter { !$0.error.isEmpty } }
    static func named(_ file: String) -> PngSuiteExpectation { all.first { $0.file == file }! }

    static func decode(_ file: String) throws -> Frame {
        let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(file)))
        return try ImageDecoder().decode(bytes, source: file)
    }
}

/// FNV-1a, 64 bit, as in the fixture script: equal hashes mean equal bytes for these purposes.
func fnv1a64<S: Sequence<UInt8>>(_ bytes: S) -> String {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    let hex = String(h, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}

@Suite struct PngSuiteTests {
    @Test func theSuiteIsComplete() {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: PngSuiteExpectation.directory.path)) ?? []
        #expect(files.filter { $0.hasSuffix(".png") }.count == 175)
        #expect(files.contains("LICENSE"))
        #expect(PngSuiteExpectation.valid.count == 161)
        #expect(PngSuiteExpectation.corrupt.count == 14)
    }

    @Test(arguments: PngSuiteExpectation.valid.map(\.file))
    func validFileDecodesToItsStoredSamples(file: String) throws {
        let expected = PngSuiteExpectation.named(file)
        let frame = try PngSuiteExpectation.decode(file)
        #expect(frame.width == expected.width && frame.height == expected.height)
        #expect(frame.sourceBitDepth == expected.bitDepth)
        #expect(frame.sourceWasColour == expected.colour)
        #expect(frame.colourChunks == expected.colourChunks)
        let mean = Double(frame.image.samples.reduce(0) { $0 + Int($1) }) / Double(frame.image.pixelCount)
        #expect(fnv1a64(frame.image.samples) == expected.greyHash,
                "grey samples differ: mean \(mean), expected \(expected.greyMean)")
        if expected.grey16Hash.isEmpty {
            #expect(frame.image16 == nil)
        } else {
            let wide = try #require(frame.image16)
            #expect(fnv1a64(wide.samples.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }) == expected.grey16Hash)
        }
    }

    /// The decision of issue 20: gAMA 1.0 does not turn a mean of 127 into 174.7.
    @Test func basn0g08KeepsItsStoredMean() throws {
        let frame = try PngSuiteExpectation.decode("basn0g08.png")
        let mean = Double(frame.image.samples.reduce(0) { $0 + Int($1) }) / Double(frame.image.pixelCount)
        #expect(abs(mean - 127) < 0.1, "mean \(mean)")
        #expect(frame.colourChunks == ["gAMA"])
    }

    /// g03…g25 store one picture encoded for gamma 0.35 … 2.5. Stored values differ from file to
    /// file (a gamma-correcting decoder brings them all to ≈ 124); for each colour type the mean
    /// falls monotonically as the encoding gamma rises.
    @Test(arguments: ["n0g16", "n2c08", "n3p04"])
    func gammaSeriesKeepsTheValuesAsEncoded(suffix: String) throws {
        let series = ["g03", "g04", "g05", "g07", "g10", "g25"]
        let means = try series.map { prefix -> Double in
            let frame = try PngSuiteExpectation.decode("\(prefix)\(suffix).png")
            #expect(frame.colourChunks == ["gAMA"])
            return Double(frame.image.samples.reduce(0) { $0 + Int($1) }) / Double(frame.image.pixelCount)
        }
        #expect(zip(means, means.dropFirst()).allSatisfy { $0 > $1 + 2 }, "means \(means)")
        #expect(means.first! - means.last! > 30, "means \(means)")
    }

    @Test(arguments: PngSuiteExpectation.corrupt.map(\.file))
    func corruptFileFailsWithItsKind(file: String) throws {
        let expected = PngSuiteExpectation.named(file)
        do {
            _ = try PngSuiteExpectation.decode(file)
            Issue.record("\(file) decoded although PngSuite marks it corrupt")
        } catch let error as DecodeError {
            #expect(error.kind == expected.error, "\(file): \(error.summary)")
            #expect(error.file == file)
            #expect(error.summary.contains(file))
        }
    }
}
