private import CCodecShims
private import CLibPNG
public import SonoCore

/// PNG decoding and encoding. The only Swift file that calls libpng.
///
/// Decoding returns the samples as stored: libpng's regular read API, behind the `sono_png_*` C
/// shims that own its `setjmp` (as for libjpeg), expands palette, low bit depths and tRNS but
/// applies no gamma or colour-space conversion. `gAMA`, `cHRM`, `sRGB` and `iCCP` are recorded in
/// ``Frame/colourChunks`` and otherwise ignored, as OpenCV and Pillow do, so a grey level means
/// what the scanner wrote whatever metadata an export tool added. Before libpng sees the data, a
/// Swift chunk walk reads IHDR and pHYs, validates the header, enforces the pixel limit, verifies
/// the CRCs of the chunks libpng would only warn about, and detects truncation with a byte offset.
/// Encoding uses libpng's simplified API, which reports failure as a return value.
///
/// Plain 8-bit grey files, which is what ultrasound exports are, take a fast path instead of
/// libpng (``plainGrey(_:header:limits:)``): libdeflate inflates the image data in one call and the rows
/// are unfiltered here. It decodes the same samples (tested on PngSuite and HC18 frames against
/// libpng) and takes only files libpng would read without a warning; any other file, and any
/// file whose data the fast path cannot take exactly, is decoded by libpng, which then reports
/// what is wrong with it.
public enum PNGCodec {
    private static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    private static let messageCapacity = 256
    /// Chunks that ask a decoder to convert colours; listed in the frame, never applied.
    static let colourChunkTypes: Set<String> = ["gAMA", "cHRM", "sRGB", "iCCP"]

    /// What the chunk walk learned about a file.
    struct Header {
        var width: Int
        var height: Int
        var bitDepth: Int
        var colourType: Int
        var spacing: PixelSpacing?
        var unitlessDensity: UnitlessDensity?
        var colourChunks: [String] = []
        var interlaced = false
        /// The IDAT payloads, in order, when the file qualifies for ``plainGrey(_:header:limits:)``:
        /// 8-bit grey, not interlaced, and no chunks but IHDR, one pHYs before the image data,
        /// consecutive IDATs, one valid tIME and IEND (chunks libpng reads without a warning).
        var plainGreyData: [Range<Int>]? = nil
    }

    // MARK: Decoding

    public static func decode(_ bytes: [UInt8], source: String, limits: DecodeLimits) throws -> Frame {
        try decode(bytes, source: source, limits: limits, fastPath: true)
    }

    /// `fastPath: false` decodes every file with libpng (the equivalence tests' reference).
    static func decode(_ bytes: [UInt8], source: String, limits: DecodeLimits, fastPath: Bool) throws -> Frame {
        let header = try readHeader(bytes, source: source, limits: limits)
        if fastPath, let grey = plainGrey(bytes, header: header, limits: limits) {
            return Frame(source: source, format: .png, sourceBitDepth: 8, sourceWasColour: false, image: grey,
                         image16: nil, fileSpacing: header.spacing, unitlessDensity: header.unitlessDensity,
                         colourChunks: header.colourChunks)
        }
        var message = [CChar](repeating: 0, count: messageCapacity)
        var info = sono_png_info()
        let headerStatus = bytes.withUnsafeBufferPointer { data in
            sono_png_read_header(data.baseAddress, data.count, &info, &message, messageCapacity)
        }
        guard headerStatus == SONO_OK else { throw libraryError(text(message), source: source) }
        let width = Int(info.width), height = Int(info.height), pixels = width * height
        let channels = Int(info.channels), isSixteenBit = info.bytes_per_sample == 2
        var status: Int32 = SONO_OK
        func decodeInto(_ out: UnsafeMutableRawBufferPointer) {
            status = bytes.withUnsafeBufferPointer { data in
                sono_png_decode(data.baseAddress, data.count, out.baseAddress, out.count, limits.maxPixels, &info,
                                &message, messageCapacity)
            }
        }

        var image16: GrayImage16? = nil
        let grey: GrayImage
        if channels == 1 && !isSixteenBit {
            // The common case for ultrasound exports: libpng writes straight into the frame.
            grey = GrayImage(width: width, height: height) { out in
                decodeInto(UnsafeMutableRawBufferPointer(out))
                // On failure the buffer may be partly written; it is discarded below.
                if status != SONO_OK { out.initialize(repeating: 0) }
            }
        } else {
            var raw = [UInt8](repeating: 0, count: pixels * channels * (isSixteenBit ? 2 : 1))
            raw.withUnsafeMutableBytes { decodeInto($0) }
            // Colour is reduced by the one luma (``Luminance``), then transparent pixels are
            // composited onto black, the background of every ultrasound display.
            let hasAlpha = channels == 2 || channels == 4, hasColour = channels >= 3
            if isSixteenBit {
                func sample(_ k: Int) -> UInt16 { UInt16(raw[2 * k]) << 8 | UInt16(raw[2 * k + 1]) }
                let wide = GrayImage16(width: width, height: height) { out in
                    for i in 0..<pixels {
                        let p = i * channels
                        let y = hasColour ? Luminance.luma16(red: sample(p), green: sample(p + 1), blue: sample(p + 2))
                            : sample(p)
                        out[i] = hasAlpha ? UInt16((UInt64(y) * UInt64(sample(p + channels - 1)) + 32767) / 65535) : y
                    }
                }
                image16 = wide
                grey = wide.map(Luminance.narrow)
            } else {
                grey = GrayImage(width: width, height: height) { out in
                    for i in 0..<pixels {
                        let p = i * channels
                        let y = hasColour ? Luminance.luma(red: raw[p], green: raw[p + 1], blue: raw[p + 2]) : raw[p]
                        out[i] = hasAlpha ? UInt8((UInt32(y) * UInt32(raw[p + channels - 1]) + 127) / 255) : y
                    }
                }
            }
        }
        switch status {
        case SONO_OK: break
        case SONO_TOO_LARGE:
            throw DecodeError.tooLarge(file: source, width: width, height: height, maxPixels: limits.maxPixels)
        case SONO_SIZE_MISMATCH:
            throw DecodeError.corrupt(file: source, library: "libpng", message: "header changed between passes")
        default:
            throw libraryError(text(message), source: source)
        }
        if limits.strictness == .failOnWarning && info.warnings > 0 {
            throw DecodeError.corrupt(file: source, library: "libpng", message: "warning treated as error: \(text(message))")
        }
        return Frame(source: source, format: .png, sourceBitDepth: header.bitDepth,
                     sourceWasColour: header.colourType & 2 != 0, image: grey, image16: image16,
                     fileSpacing: header.spacing, unitlessDensity: header.unitlessDensity,
                     colourChunks: header.colourChunks)
    }

    private static func text(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func libraryError(_ message: String, source: String) -> DecodeError {
        if message.contains("CRC") {
            let chunk = message.split(separator: ":").first.map(String.init) ?? "?"
            return .badChecksum(file: source, chunk: chunk)
        }
        return .corrupt(file: source, library: "libpng", message: message)
    }

    /// Walks the chunk list without inflating anything.
    static func readHeader(_ bytes: [UInt8], source: String, limits: DecodeLimits) throws -> Header {
        guard bytes.count >= 8, bytes[0..<8].elementsEqual(signature) else {
            let hex = { (b: ArraySlice<UInt8>) in
                b.map { ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined(separator: " ")
            }
            throw DecodeError.badSignature(
                file: source, found: "bytes \(hex(bytes.prefix(8))), expected \(hex(signature[...]))")
        }
        func be32(_ at: Int) -> Int {
            Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
        }
        var header: Header? = nil
        var offset = 8
        var sawImageData = false
        // Fast-path bookkeeping (see Header.plainGreyData): cleared by anything libpng might warn about.
        var plain = true, imageData: [Range<Int>] = [], lastType = "", seenPHYs = false, seenTIME = false
        while true {
            guard offset + 8 <= bytes.count else {
                throw DecodeError.truncated(
                    file: source, library: "png",
                    message: "file ends at byte \(bytes.count) inside a chunk header at offset \(offset); no IEND chunk")
            }
            let length = be32(offset)
            let typeBytes = bytes[(offset + 4)..<(offset + 8)]
            let type = String(decoding: typeBytes, as: UTF8.self)
            guard length <= 0x7FFF_FFFF,
                  typeBytes.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
                throw DecodeError.corrupt(file: source, library: "png",
                                          message: "invalid chunk header at offset \(offset)")
            }
            let end = offset + 12 + length
            guard end <= bytes.count else {
                throw DecodeError.truncated(
                    file: source, library: "png",
                    message: "chunk \(type) at offset \(offset) needs \(12 + length) bytes, \(bytes.count - offset) remain")
            }
            if header == nil && type != "IHDR" {
                throw DecodeError.corrupt(file: source, library: "png", message: "first chunk is \(type), not IHDR")
            }
            // libpng rejects bad CRCs in critical chunks itself but only warns for ancillary ones.
            if type != "IDAT" {
                let computed = bytes.withUnsafeBufferPointer { buffer in
                    crc32(crc32(0, nil, 0), buffer.baseAddress! + offset + 4, uInt(length + 4))
                }
                if Int(computed) != be32(offset + 8 + length) {
                    throw DecodeError.badChecksum(file: source, chunk: type)
                }
            }
            switch type {
            case "IHDR", "IEND":
                plain = plain && length == (type == "IHDR" ? 13 : 0)
            case "IDAT":
                plain = plain && (imageData.isEmpty || lastType == "IDAT")
                imageData.append((offset + 8)..<(offset + 8 + length))
            case "pHYs":
                plain = plain && length == 9 && !seenPHYs && !sawImageData
                seenPHYs = true
            case "tIME":
                // libpng ignores, with a warning, a time with a field out of range.
                let b = offset + 8
                plain = plain && length == 7 && !seenTIME && (1...12).contains(bytes[b + 2]) && (1...31).contains(bytes[b + 3])
                    && bytes[b + 4] <= 23 && bytes[b + 5] <= 59 && bytes[b + 6] <= 60
                seenTIME = true
            default:
                plain = false
            }
            lastType = type
            switch type {
            case "IHDR":
                guard length == 13 else {
                    throw DecodeError.badHeader(file: source, message: "IHDR has length \(length), not 13")
                }
                let width = be32(offset + 8), height = be32(offset + 12)
                if let problem = headerProblem(width: width, height: height, bitDepth: Int(bytes[offset + 16]),
                                               colourType: Int(bytes[offset + 17]), methods: bytes[(offset + 18)..<(offset + 21)]) {
                    throw DecodeError.badHeader(file: source, message: problem)
                }
                guard width.multipliedReportingOverflow(by: height).partialValue <= limits.maxPixels,
                      width <= limits.maxPixels, height <= limits.maxPixels else {
                    throw DecodeError.tooLarge(file: source, width: width, height: height, maxPixels: limits.maxPixels)
                }
                // What decode() allocates: the grey frame, plus a 16-bit frame and/or an RGBA
                // buffer for 16-bit and colour/alpha files (colour types 2, 3, 4, 6).
                let colourOrAlpha = bytes[offset + 17] != 0
                let wide = bytes[offset + 16] == 16
                let perPixel = 1 + (wide ? 2 : 0) + (colourOrAlpha ? (wide ? 8 : 4) : 0)
                try limits.checkBudget(width: width, height: height, bytesPerPixel: perPixel, file: source)
                header = Header(width: width, height: height, bitDepth: Int(bytes[offset + 16]),
                                colourType: Int(bytes[offset + 17]), spacing: nil, interlaced: bytes[offset + 20] != 0)
            case "pHYs" where length == 9 && !sawImageData:
                let ppmX = be32(offset + 8), ppmY = be32(offset + 12)
                // Unit 1 is the metre; unit 0 only gives an aspect ratio and is no calibration.
                if bytes[offset + 16] == 1 && ppmX > 0 && ppmY > 0 {
                    header?.spacing = PixelSpacing(mmPerPixelX: 1000 / Double(ppmX), mmPerPixelY: 1000 / Double(ppmY),
                                                   source: .pngPHYs)
                } else if bytes[offset + 16] == 0 && ppmX > 0 && ppmY > 0 {
                    header?.unitlessDensity = UnitlessDensity(x: Int(ppmX), y: Int(ppmY), source: .pngPHYs)
                }
            case "IDAT":
                sawImageData = true
            case "IEND":
                guard sawImageData else { throw DecodeError.missingImageData(file: source) }
                if plain, let h = header, h.bitDepth == 8, h.colourType == 0, !h.interlaced {
                    header?.plainGreyData = imageData
                }
                return header!
            case _ where colourChunkTypes.contains(type):
                if header?.colourChunks.contains(type) == false { header?.colourChunks.append(type) }
            default:
                break
            }
            offset = end
        }
    }

    /// The samples of a file ``readHeader(_:source:limits:)`` found plain 8-bit grey. Nil, and libpng
    /// decodes the file and reports any problem, when it is not plain, when the byte budget has no
    /// room for its filtered rows, or when its IDAT CRCs, zlib stream or filter bytes are not
    /// exactly right.
    static func plainGrey(_ bytes: [UInt8], header: Header, limits: DecodeLimits) -> GrayImage? {
        guard let ranges = header.plainGreyData else { return nil }
        let w = header.width, h = header.height, stride = w + 1
        // The filtered rows (`stride` bytes a row) are a second buffer beside the frame (`w` bytes
        // a row); when the byte budget has no room for both, libpng (which needs only a row or
        // two) decodes the file.
        guard limits.fits(width: w + stride, height: h, bytesPerPixel: 1) else { return nil }
        return bytes.withUnsafeBufferPointer { file -> GrayImage? in
            let base = file.baseAddress!
            func be32(_ at: Int) -> UInt32 {
                UInt32(base[at]) << 24 | UInt32(base[at + 1]) << 16 | UInt32(base[at + 2]) << 8 | UInt32(base[at + 3])
            }
            // libpng fails on a critical chunk's bad CRC; readHeader checked every other chunk's.
            for r in ranges where Deflate.crc32(UnsafeRawBufferPointer(start: base + r.lowerBound - 4, count: r.count + 4)) != be32(r.upperBound) {
                return nil
            }
            // A zlib header declaring a window below 32 KiB: zlib (libpng) rejects distances beyond
            // it, libdeflate does not look, so such a stream is left to libpng.
            guard let first = ranges.first(where: { !$0.isEmpty }), base[first.lowerBound] >> 4 == 7 else { return nil }
            // The zlib stream in one buffer when it spans several IDATs.
            var joined: [UInt8] = []
            if ranges.count > 1 {
                joined.reserveCapacity(ranges.reduce(0) { $0 + $1.count })
                for r in ranges { joined.append(contentsOf: file[r]) }
            }
            // Not zero-filled first: libdeflate writes every byte or the buffer is dropped.
            var inflated = false
            let filtered = [UInt8](unsafeUninitializedCapacity: h * stride) { buffer, count in
                let out = UnsafeMutableRawBufferPointer(buffer)
                inflated = ranges.count > 1
                    ? joined.withUnsafeBytes { Deflate.zlibDecompress($0, into: out) }
                    : Deflate.zlibDecompress(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(file)[ranges[0]]), into: out)
                count = inflated ? buffer.count : 0
            }
            guard inflated else { return nil }
            var valid = true
            let image = GrayImage(width: w, height: h) { out in
                filtered.withUnsafeBufferPointer { rows in
                    valid = unfilterGrey(rows.baseAddress!, width: w, height: h, into: out.baseAddress!)
                }
            }
            return valid ? image : nil
        }
    }

    /// Reverses PNG's per-row filters (spec §9) for one byte per pixel: `rows` holds `height` rows
    /// of a filter-type byte and `width` filtered bytes. False on a filter type above 4.
    static func unfilterGrey(_ rows: UnsafePointer<UInt8>, width w: Int, height h: Int,
                             into out: UnsafeMutablePointer<UInt8>) -> Bool {
        guard w > 0 else { return true }
        var y = 0
        while y < h {
            let filter = rows[y * (w + 1)], src = rows + y * (w + 1) + 1, dst = out + y * w
            // Sixteen Paeth rows under a finished one go together (see paethSixteenRows).
            if filter == 4, y > 0, y + 16 <= h, (1..<16).allSatisfy({ rows[(y + $0) * (w + 1)] == 4 }) {
                paethSixteenRows(rows, width: w, firstRow: y, into: out)
                y += 16
                continue
            }
            // The row above; the first row's is all zeros, which makes Up a copy, Average and
            // Paeth predict from the left only.
            let up: UnsafePointer<UInt8>? = y > 0 ? UnsafePointer(dst - w) : nil
            switch (filter, up) {
            case (0, _), (2, nil):
                dst.update(from: src, count: w)
            case (1, _), (4, nil):
                var left: UInt8 = 0
                for x in 0..<w { left = src[x] &+ left; dst[x] = left }
            case let (2, above?):
                for x in 0..<w { dst[x] = src[x] &+ above[x] }
            case (3, nil):
                var left: UInt8 = 0
                for x in 0..<w { left = src[x] &+ left >> 1; dst[x] = left }
            case let (3, above?):
                var left = 0
                for x in 0..<w {
                    left = Int(src[x] &+ UInt8((left + Int(above[x])) >> 1))
                    dst[x] = UInt8(left)
                }
            case let (4, above?):
                var a: Int32 = 0, c: Int32 = 0
                for x in 0..<w {
                    let b = Int32(above[x])
                    a = Int32(src[x] &+ UInt8(truncatingIfNeeded: paeth(a, b, c)))
                    dst[x] = UInt8(a)
                    c = b
                }
            default:
                return false
            }
            y += 1
        }
        return true
    }

    /// The Paeth predictor (PNG spec §9.4) of left `a`, above `b` and upper-left `c`: with
    /// p = a + b − c, |p − a| = |b − c|, |p − b| = |a − c| and |p − c| = |a + b − 2c|; the nearest
    /// of a, b, c wins, ties going to a, then b. Branch-free (the choices depend on the data).
    @inline(__always)
    static func paeth(_ a: Int32, _ b: Int32, _ c: Int32) -> Int32 {
        @inline(__always) func magnitude(_ v: Int32) -> Int32 { (v ^ (v &>> 31)) &- (v &>> 31) }
        let pa = magnitude(b &- c), pb = magnitude(a &- c), pc = magnitude(a &+ b &- c &- c)
        let bOrC = pb <= pc ? b : c
        return pa <= min(pb, pc) ? a : bOrC
    }

    /// Sixteen rows' worth of Paeth's arithmetic, one row per lane, in 16-bit lanes (|a + b − 2c|
    /// reaches 510). The comparisons are sign bits of differences, so the choices are masks and
    /// the whole predictor is adds, shifts and logic that SSE2 does on eight lanes at once; the
    /// lane-wise `replacing(with:where:)` and `pointwiseMin` of the standard library were compiled
    /// here to a loop over the lanes, 30 times slower. `paeth(_:_:_:)` is its reference.
    typealias PaethLanes = SIMD16<Int16>

    @inline(__always)
    static func paeth(_ a: PaethLanes, _ b: PaethLanes, _ c: PaethLanes) -> PaethLanes {
        @inline(__always) func magnitude(_ v: PaethLanes) -> PaethLanes { let s = v &>> 15; return (v ^ s) &- s }
        let pa = magnitude(b &- c), pb = magnitude(a &- c), pc = magnitude(a &+ b &- c &- c)
        let cNearer = (pc &- pb) &>> 15                  // all ones where pc < pb
        let bOrC = b ^ ((b ^ c) & cNearer)
        let nearerOfBC = pb ^ ((pb ^ pc) & cNearer)      // min(pb, pc)
        let notA = (nearerOfBC &- pa) &>> 15              // all ones where min(pb, pc) < pa
        return a ^ ((a ^ bOrC) & notA)
    }

    /// Paeth rows `y ..< y + 16` (`y ≥ 1`) as a wavefront. A Paeth pixel waits for its left
    /// neighbour, a chain of about ten instructions per pixel that one row cannot shorten, but row
    /// `y + i`'s pixel `x − i` needs only pixels of the rows above that are done one step earlier;
    /// so each step decodes one pixel of each of the sixteen rows, side by side in one vector
    /// (decode 1.9–2.2 → 1.5 ms per HC18 frame against four rows in scalar registers, `sonoqc
    /// analyze --jobs 1 --profile`). Lane `i`'s above and upper-left values are lane `i − 1`'s
    /// last two results. A lane outside its row's pixels (the first and last fifteen steps) reads
    /// and gives zeros, which is what the next lane needs at its left edge, and stores nothing.
    /// Shorter runs of Paeth rows (6 % of the HC18 frames' Paeth rows) go one row at a time.
    static func paethSixteenRows(_ rows: UnsafePointer<UInt8>, width w: Int, firstRow y: Int,
                                 into out: UnsafeMutablePointer<UInt8>) {
        let stride = w + 1, above = UnsafePointer(out + (y - 1) * w)
        let src = rows + y * stride + 1, dst = out + y * w
        // Each lane's last result (the next pixel's left) and the above value of its last step.
        var a = PaethLanes(), b = PaethLanes()
        @inline(__always) func decode(_ x: Int, _ filtered: PaethLanes) {
            let c = b
            b = PaethLanes(x < w ? Int16(above[x]) : 0, a[0], a[1], a[2], a[3], a[4], a[5], a[6],
                           a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14])
            a = (filtered &+ paeth(a, b, c)) & 255
        }
        // The first and last fifteen steps, lane by lane.
        @inline(__always) func edgeStep(_ x: Int) {
            var filtered = PaethLanes()
            for i in 0..<16 where (0..<w).contains(x - i) { filtered[i] = Int16(src[i * stride + x - i]) }
            decode(x, filtered)
            for i in 0..<16 where (0..<w).contains(x - i) { dst[i * w + x - i] = UInt8(truncatingIfNeeded: a[i]) }
        }
        // Every lane inside its row from step 15 to step w − 1 (none when w < 16). Spelled out
        // lane by lane: loops over the lanes were left as loops.
        let steady = 15..<max(15, w)
        for x in 0..<15 { edgeStep(x) }
        for x in steady {
            let s = src + x, s1 = stride - 1
            decode(x, PaethLanes(
                Int16(s[0]), Int16(s[s1]), Int16(s[2 * s1]), Int16(s[3 * s1]),
                Int16(s[4 * s1]), Int16(s[5 * s1]), Int16(s[6 * s1]), Int16(s[7 * s1]),
                Int16(s[8 * s1]), Int16(s[9 * s1]), Int16(s[10 * s1]), Int16(s[11 * s1]),
                Int16(s[12 * s1]), Int16(s[13 * s1]), Int16(s[14 * s1]), Int16(s[15 * s1])))
            let d = dst + x, d1 = w - 1
            d[0] = UInt8(truncatingIfNeeded: a[0]); d[d1] = UInt8(truncatingIfNeeded: a[1])
            d[2 * d1] = UInt8(truncatingIfNeeded: a[2]); d[3 * d1] = UInt8(truncatingIfNeeded: a[3])
            d[4 * d1] = UInt8(truncatingIfNeeded: a[4]); d[5 * d1] = UInt8(truncatingIfNeeded: a[5])
            d[6 * d1] = UInt8(truncatingIfNeeded: a[6]); d[7 * d1] = UInt8(truncatingIfNeeded: a[7])
            d[8 * d1] = UInt8(truncatingIfNeeded: a[8]); d[9 * d1] = UInt8(truncatingIfNeeded: a[9])
            d[10 * d1] = UInt8(truncatingIfNeeded: a[10]); d[11 * d1] = UInt8(truncatingIfNeeded: a[11])
            d[12 * d1] = UInt8(truncatingIfNeeded: a[12]); d[13 * d1] = UInt8(truncatingIfNeeded: a[13])
            d[14 * d1] = UInt8(truncatingIfNeeded: a[14]); d[15 * d1] = UInt8(truncatingIfNeeded: a[15])
        }
        for x in steady.upperBound..<(w + 15) { edgeStep(x) }
    }

    /// What is wrong with an IHDR's fields, or nil when a PNG may declare them (PNG spec §11.2.2).
    static func headerProblem(width: Int, height: Int, bitDepth: Int, colourType: Int,
                              methods: ArraySlice<UInt8>) -> String? {
        let depths: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
        guard (1...0x7FFF_FFFF).contains(width), (1...0x7FFF_FFFF).contains(height) else {
            return "image is \(width)×\(height)"
        }
        guard let allowed = depths[colourType] else { return "colour type \(colourType) does not exist" }
        guard allowed.contains(bitDepth) else { return "bit depth \(bitDepth) is not allowed for colour type \(colourType)" }
        let m = Array(methods)
        guard m[0] == 0, m[1] == 0, m[2] <= 1 else {
            return "compression \(m[0]), filter \(m[1]), interlace \(m[2]): only 0, 0 and 0 or 1 exist"
        }
        return nil
    }

    // MARK: Encoding

    /// How hard zlib works. `.fast` suits throw-away renderings (report thumbnails): about a fifth
    /// of the encoding time for files a little larger. Archived images keep the default.
    package enum Compression: Sendable {
        case standard
        case fast
    }

    /// Encodes 8-bit grey (`channels` 1) or interleaved RGB (`channels` 3) pixels as PNG. When
    /// `spacing` is given it is stored in a pHYs chunk (pixels per metre).
    package static func encode(width: Int, height: Int, channels: Int, pixels: [UInt8],
                              spacingMMPerPixel spacing: Double? = nil,
                              compression: Compression = .standard) throws -> [UInt8] {
        precondition(channels == 1 || channels == 3, "PNG encoding supports grey or RGB")
        precondition(pixels.count == width * height * channels, "pixel count does not match size")
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(width)
        image.height = png_uint_32(height)
        image.format = channels == 1 ? png_uint_32(PNG_FORMAT_GRAY) : png_uint_32(PNG_FORMAT_FLAG_COLOR)
        if compression == .fast { image.flags = png_uint_32(PNG_IMAGE_FLAG_FAST) }
        // Upper bound: raw rows plus zlib's stored-block and chunk overhead.
        let raw = height * (width * channels + 1)
        var capacity = raw + raw / 1000 * 12 + 4096
        while true {
            var out = [UInt8](repeating: 0, count: capacity)
            var written = capacity
            let ok = out.withUnsafeMutableBytes { dst in
                pixels.withUnsafeBytes { src in
                    png_image_write_to_memory(&image, dst.baseAddress, &written, 0, src.baseAddress,
                                              png_int_32(width * channels), nil)
                }
            }
            if ok != 0 {
                out.removeSubrange(written...)
                if let spacing { insertPHYs(into: &out, mmPerPixel: spacing) }
                return out
            }
            if written > capacity {
                capacity = written
                image.warning_or_error = 0
                continue
            }
            let message = messageText(image)
            png_image_free(&image)
            throw DecodeError.corrupt(file: "<encoder>", library: "libpng", message: message)
        }
    }

    package static func encode(_ image: GrayImage, spacingMMPerPixel spacing: Double? = nil) throws -> [UInt8] {
        try encode(width: image.width, height: image.height, channels: 1, pixels: image.samples,
                   spacingMMPerPixel: spacing)
    }

    /// Inserts a pHYs chunk right after IHDR (signature 8 bytes + IHDR 25 bytes).
    private static func insertPHYs(into png: inout [UInt8], mmPerPixel: Double) {
        let ppm = UInt32((1000 / mmPerPixel).rounded())
        var chunk: [UInt8] = [0, 0, 0, 9] + Array("pHYs".utf8)
        for _ in 0..<2 { chunk += [UInt8(ppm >> 24), UInt8(ppm >> 16 & 0xFF), UInt8(ppm >> 8 & 0xFF), UInt8(ppm & 0xFF)] }
        chunk.append(1)
        let crc = chunk.withUnsafeBufferPointer { crc32(crc32(0, nil, 0), $0.baseAddress! + 4, 13) }
        chunk += [UInt8(crc >> 24 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        png.insert(contentsOf: chunk, at: 33)
    }

    /// The simplified API's message after a failed encode.
    private static func messageText(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// The libpng version this binary runs with, for `--version` and report provenance.
    package static var libraryVersion: String {
        String(validatingCString: png_get_libpng_ver(nil)) ?? "unknown"
    }
}
