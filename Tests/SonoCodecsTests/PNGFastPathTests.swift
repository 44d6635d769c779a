import Foundation
import Testing
import SonoCore
import SonoTestSupport
@testable import SonoCodecs

/// PNG's grey fast path (libdeflate and Swift unfiltering) against libpng: the same frame or the
/// same error for every file, and the fast path taken exactly for the plain 8-bit grey ones.
@Suite struct PNGFastPathTests {
    static let limits = DecodeLimits()

    /// Both decoders' outcome, comparable: samples and metadata, or the error.
    static func outcome(_ bytes: [UInt8], fastPath: Bool) -> String {
        do {
            let f = try PNGCodec.decode(bytes, source: "t.png", limits: limits, fastPath: fastPath)
            return "\(f.width)x\(f.height) depth \(f.sourceBitDepth) colour \(f.sourceWasColour) \(fnv1a64(f.image.samples)) "
                + "\(f.image16 == nil) \(String(describing: f.fileSpacing)) \(String(describing: f.unitlessDensity)) \(f.colourChunks)"
        } catch {
            return "error \(error)"
        }
    }

    static func takesFastPath(_ bytes: [UInt8]) -> Bool {
        guard let header = try? PNGCodec.readHeader(bytes, source: "t.png", limits: limits) else { return false }
        return PNGCodec.plainGrey(bytes, header: header, limits: limits) != nil
    }

    static func fixture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: Fixtures.directory.appendingPathComponent(name)))
    }

    @Test("every PngSuite file and codec fixture decodes the same with and without the fast path")
    func suiteAndFixturesAgree() throws {
        let suite = try FileManager.default.contentsOfDirectory(atPath: PngSuiteExpectation.directory.path)
            .filter { $0.hasSuffix(".png") }.map { "pngsuite/" + $0 }
        let fixtures = try FileManager.default.contentsOfDirectory(atPath: Fixtures.directory.path).filter { $0.hasSuffix(".png") }
        #expect(suite.count == 175 && fixtures.count >= 10)
        for name in suite + fixtures {
            let bytes = try Self.fixture(name)
            #expect(Self.outcome(bytes, fastPath: true) == Self.outcome(bytes, fastPath: false), "\(name)")
        }
    }

    @Test("plain 8-bit grey files take the fast path; interlaced, tRNS, gAMA and sPLT files do not")
    func whichFilesTakeIt() throws {
        for name in ["pngsuite/f00n0g08.png", "pngsuite/f01n0g08.png", "pngsuite/f02n0g08.png", "pngsuite/f03n0g08.png",
                     "pngsuite/f04n0g08.png", "gray8.png", "phys-metre.png", "phys-unknown-unit.png"] {
            #expect(Self.takesFastPath(try Self.fixture(name)), "\(name)")
        }
        for name in ["pngsuite/basn0g08.png", "pngsuite/basi0g08.png", "pngsuite/ps1n0g08.png", "gray8-adam7.png",
                     "gray8-trns.png", "bad-crc-idat.png", "pngsuite/basn0g16.png", "pngsuite/basn2c08.png"] {
            #expect(!Self.takesFastPath(try Self.fixture(name)), "\(name)")
        }
    }

    @Test("the first HC18 frames take the fast path and decode as libpng decodes them",
          .enabled(if: SharedData.hasHC18, "../shared/data/hc18-dev is absent"))
    func realFramesAgree() throws {
        for name in try SharedData.hc18FrameNames().prefix(25) {
            let bytes = [UInt8](try Data(contentsOf: SharedData.hc18Images.appendingPathComponent(name)))
            #expect(Self.takesFastPath(bytes), "\(name)")
            #expect(Self.outcome(bytes, fastPath: true) == Self.outcome(bytes, fastPath: false), "\(name)")
        }
    }

    // MARK: Files built here (stored deflate blocks), to reach every filter and every way out

    @Test("every filter type on random rows, and mixed rows, unfilters as libpng does",
          arguments: [(1, 1), (1, 7), (2, 9), (3, 6), (4, 13), (5, 1), (37, 23), (800, 3), (800, 11),
                      // Paeth runs of 16 rows and more, the wavefront's narrow and wide cases.
                      (1, 40), (14, 17), (15, 34), (16, 19), (17, 50), (800, 40)])
    func filtersAgree(size: (Int, Int)) {
        let (w, h) = size
        var generator = SplitMix64(seed: UInt64(w * 131 + h))
        let longPaethRuns = [Int](repeating: 4, count: 18) + [2] + [Int](repeating: 4, count: 16) + [1]
        for filters in [[0], [1], [2], [3], [4], [0, 1, 2, 3, 4], longPaethRuns] {
            var raw: [UInt8] = []
            for y in 0..<h {
                raw.append(UInt8(filters[y % filters.count]))
                raw += (0..<w).map { _ in UInt8.random(in: 0...255, using: &generator) }
            }
            let png = SyntheticPNG.grey(width: w, height: h, filtered: raw)
            #expect(Self.takesFastPath(png), "\(w)x\(h) filters \(filters)")
            #expect(Self.outcome(png, fastPath: true) == Self.outcome(png, fastPath: false), "\(w)x\(h) filters \(filters)")
        }
    }

    @Test("the sixteen-lane Paeth predictor picks what the scalar one picks, for every a, b and c")
    func paethLanesMatchScalar() {
        var mismatches = 0
        for a in 0..<256 {
            for b in 0..<256 {
                for c0 in stride(from: 0, to: 256, by: 16) {
                    let c = PNGCodec.PaethLanes((0..<16).map { Int16(c0 + $0) })
                    let lanes = PNGCodec.paeth(PNGCodec.PaethLanes(repeating: Int16(a)), PNGCodec.PaethLanes(repeating: Int16(b)), c)
                    for i in 0..<16 where Int32(lanes[i]) != PNGCodec.paeth(Int32(a), Int32(b), Int32(c0 + i)) { mismatches += 1 }
                }
            }
        }
        #expect(mismatches == 0)
    }

    @Test("a file the fast path cannot take exactly is left to libpng, which reports it")
    func anomaliesFallBack() throws {
        let w = 9, h = 4
        var raw: [UInt8] = []
        for y in 0..<h {
            raw.append(UInt8(y % 5))
            for x in 0..<w { raw.append(UInt8((x * 29 + y * 7) & 0xFF)) }
        }
        var badFilter = raw
        badFilter[w + 1] = 5
        let cases: [(String, [UInt8])] = [
            ("filter type 5", SyntheticPNG.grey(width: w, height: h, filtered: badFilter)),
            ("one byte of image data short", SyntheticPNG.grey(width: w, height: h, filtered: Array(raw.dropLast()))),
            ("one byte of image data too many", SyntheticPNG.grey(width: w, height: h, filtered: raw + [0])),
            ("bytes after the zlib stream", SyntheticPNG.grey(width: w, height: h, filtered: raw, trailing: [1, 2, 3])),
            ("wrong Adler-32", SyntheticPNG.grey(width: w, height: h, filtered: raw, adlerDelta: 1)),
            ("wrong IDAT CRC", SyntheticPNG.grey(width: w, height: h, filtered: raw, idatCRCDelta: 1)),
            ("tIME with month 13", SyntheticPNG.grey(width: w, height: h, filtered: raw, time: [7, 234, 13, 1, 0, 0, 0])),
            ("a 16 KiB zlib window", SyntheticPNG.grey(width: w, height: h, filtered: raw, zlibHeader: [0x68, 0x05])),
        ]
        for (what, png) in cases {
            #expect(!Self.takesFastPath(png), "\(what)")
            #expect(Self.outcome(png, fastPath: true) == Self.outcome(png, fastPath: false), "\(what)")
        }
        // A budget with room for the frame but not for its filtered rows leaves the file to libpng.
        let plain = SyntheticPNG.grey(width: w, height: h, filtered: raw)
        let tight = DecodeLimits(maxDecodedBytes: w * h + w)
        let header = try PNGCodec.readHeader(plain, source: "t.png", limits: tight)
        #expect(header.plainGreyData != nil)
        #expect(PNGCodec.plainGrey(plain, header: header, limits: tight) == nil)
        #expect(PNGCodec.plainGrey(plain, header: header, limits: DecodeLimits()) != nil)
        // The same data split over three IDATs, with a valid tIME, is plain.
        let split = SyntheticPNG.grey(width: w, height: h, filtered: raw, idatPieces: 3, time: [7, 234, 12, 2, 9, 30, 0])
        #expect(Self.takesFastPath(split))
        #expect(Self.outcome(split, fastPath: true) == Self.outcome(SyntheticPNG.grey(width: w, height: h, filtered: raw), fastPath: false))
    }
}

/// Minimal 8-bit grey PNGs around stored (uncompressed) deflate blocks, so a test states the
/// filtered rows byte for byte.
enum SyntheticPNG {
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    static func chunk(_ type: String, _ data: [UInt8], crcDelta: UInt32 = 0) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be32(UInt32(data.count)) + body + be32(crc32(body) &+ crcDelta)
    }

    /// `zlibHeader` 0x78 0x01 declares a 32 KiB window; 0x68 0x05 declares 16 KiB.
    static func grey(width: Int, height: Int, filtered: [UInt8], trailing: [UInt8] = [], adlerDelta: UInt32 = 0,
                     idatCRCDelta: UInt32 = 0, idatPieces: Int = 1, time: [UInt8]? = nil,
                     zlibHeader: [UInt8] = [0x78, 0x01]) -> [UInt8] {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in filtered { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        var zlib = zlibHeader
        var blocks = stride(from: 0, to: max(filtered.count, 1), by: 65535).map { Array(filtered[$0..<min(filtered.count, $0 + 65535)]) }
        if filtered.isEmpty { blocks = [[]] }
        for (i, block) in blocks.enumerated() {
            let n = UInt16(block.count)
            zlib += [i == blocks.count - 1 ? 1 : 0, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8(~n >> 8)] + block
        }
        zlib += be32((b << 16 | a) &+ adlerDelta) + trailing
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", be32(UInt32(width)) + be32(UInt32(height)) + [8, 0, 0, 0, 0])
        let piece = (zlib.count + idatPieces - 1) / idatPieces
        for start in stride(from: 0, to: zlib.count, by: piece) {
            png += chunk("IDAT", Array(zlib[start..<min(zlib.count, start + piece)]), crcDelta: idatCRCDelta)
        }
        if let time { png += chunk("tIME", time) }
        return png + chunk("IEND", [])
    }
}
