import SonoCore

/// The Image Pixel module of a data set, validated against the limits before anything is decoded.
struct DICOMImageDescription: Sendable {
    let rows: Int
    let columns: Int
    let samplesPerPixel: Int
    let bitsAllocated: Int
    let bitsStored: Int
    let signed: Bool
    let photometric: String
    let planarConfiguration: Int
    let numberOfFrames: Int

    static let photometrics: Set<String> = [
        "MONOCHROME1", "MONOCHROME2", "RGB", "YBR_FULL", "YBR_FULL_422", "YBR_RCT", "YBR_ICT", "PALETTE COLOR",
    ]

    init(_ file: DICOMFile, limits: DecodeLimits) throws {
        let source = file.source
        func corrupt(_ m: String) -> DecodeError { .corrupt(file: source, library: "dicom", message: m) }
        guard let rows = file.uint16(DICOMTag(0x0028, 0x0010)), let columns = file.uint16(DICOMTag(0x0028, 0x0011)) else {
            throw corrupt("no Rows (0028,0010) or Columns (0028,0011): not an image")
        }
        guard rows > 0, columns > 0 else { throw corrupt("image is \(columns)×\(rows)") }
        guard rows * columns <= limits.maxPixels else {
            throw DecodeError.tooLarge(file: source, width: columns, height: rows, maxPixels: limits.maxPixels)
        }
        let spp = file.uint16(DICOMTag(0x0028, 0x0002)) ?? 1
        guard spp == 1 || spp == 3 else { throw corrupt("Samples per Pixel is \(spp); 1 or 3 are supported") }
        guard let allocated = file.uint16(DICOMTag(0x0028, 0x0100)), allocated == 8 || allocated == 16 else {
            throw corrupt("Bits Allocated is \(file.uint16(DICOMTag(0x0028, 0x0100)).map(String.init) ?? "missing"); 8 or 16 are supported")
        }
        let stored = file.uint16(DICOMTag(0x0028, 0x0101)) ?? allocated
        guard stored >= 1, stored <= allocated else { throw corrupt("Bits Stored \(stored) does not fit Bits Allocated \(allocated)") }
        let photometric = file.string(DICOMTag(0x0028, 0x0004)) ?? ""
        guard Self.photometrics.contains(photometric) else {
            throw corrupt("photometric interpretation '\(photometric)' is not supported")
        }
        let expectedSamples = photometric.hasPrefix("MONOCHROME") || photometric == "PALETTE COLOR" ? 1 : 3
        guard spp == expectedSamples else { throw corrupt("\(photometric) with \(spp) samples per pixel") }
        let frames = try file.numberOfFrames()
        self.rows = rows
        self.columns = columns
        self.samplesPerPixel = spp
        self.bitsAllocated = allocated
        self.bitsStored = stored
        self.signed = file.uint16(DICOMTag(0x0028, 0x0103)) == 1
        self.photometric = photometric
        self.planarConfiguration = file.uint16(DICOMTag(0x0028, 0x0006)) ?? 0
        self.numberOfFrames = frames
    }

    var pixelCount: Int { rows * columns }
}

/// Decoded samples of one frame before photometric conversion: pixel-interleaved, unsigned
/// (signed data shifted by half the range), masked to `bitsStored`.
struct DICOMSamples {
    var width: Int
    var height: Int
    var samplesPerPixel: Int
    var bitsStored: Int
    var values: [UInt16]
}

/// Native (uncompressed) and RLE Lossless pixel data, and the conversion of any decoded samples
/// to the grey frame every stage works on.
enum DICOMPixelData {
    // MARK: Native

    static func native(_ file: DICOMFile, element: DICOMElement, description d: DICOMImageDescription,
                       frame: Int) throws -> DICOMSamples {
        let bytesPerSample = d.bitsAllocated / 8
        let is422 = d.photometric == "YBR_FULL_422"
        // YBR_FULL_422 stores Y Y Cb Cr per pair of pixels: two samples per pixel on average.
        let samplesPerFrame = is422 ? d.pixelCount * 2 : d.pixelCount * d.samplesPerPixel
        let frameBytes = samplesPerFrame * bytesPerSample
        let available = element.value.count
        // Big endian OW data are 16-bit words: 8-bit samples come swapped in pairs, so a frame
        // with an odd byte count also needs the pad byte of its last word.
        let swapBytes = file.bigEndian && element.vr == "OW" && bytesPerSample == 1
        let (allFrames, overflow) = frameBytes.multipliedReportingOverflow(by: d.numberOfFrames)
        let needed = swapBytes ? allFrames + allFrames % 2 : allFrames
        guard !overflow, needed <= available else {
            // The need is not printed when it overflows (computing it trapped on Int.max frames).
            throw DecodeError.truncated(file: file.source, library: "dicom",
                                        message: "pixel data holds \(available) bytes, too few for \(d.numberOfFrames) frame(s) of \(d.columns)×\(d.rows)×\(d.samplesPerPixel)"
                                            + (overflow ? "" : " (\(needed) bytes)"))
        }
        if is422 && d.columns % 2 != 0 {
            throw DecodeError.corrupt(file: file.source, library: "dicom", message: "YBR_FULL_422 with an odd width \(d.columns)")
        }
        let offset = (frame - 1) * frameBytes
        let start = element.value.lowerBound + offset
        let bytes = file.bytes
        func raw(_ i: Int) -> UInt16 {
            // Swapped pairs are words of the element, so the pair is found from the element start.
            if bytesPerSample == 1 { return UInt16(bytes[element.value.lowerBound + (swapBytes ? (offset + i) ^ 1 : offset + i)]) }
            return DICOMBytes.uint16(bytes, start + 2 * i, bigEndian: file.bigEndian)
        }
        let n = d.pixelCount
        var values = [UInt16](repeating: 0, count: n * d.samplesPerPixel)
        if is422 {
            for pair in 0..<(n / 2) {
                let y0 = raw(4 * pair), y1 = raw(4 * pair + 1), cb = raw(4 * pair + 2), cr = raw(4 * pair + 3)
                values[6 * pair] = y0; values[6 * pair + 1] = cb; values[6 * pair + 2] = cr
                values[6 * pair + 3] = y1; values[6 * pair + 4] = cb; values[6 * pair + 5] = cr
            }
        } else if d.samplesPerPixel == 3 && d.planarConfiguration == 1 {
            for p in 0..<n {
                for s in 0..<3 { values[3 * p + s] = raw(s * n + p) }
            }
        } else {
            for i in 0..<values.count { values[i] = raw(i) }
        }
        normalise(&values, description: d)
        return DICOMSamples(width: d.columns, height: d.rows, samplesPerPixel: d.samplesPerPixel,
                            bitsStored: d.bitsStored, values: values)
    }

    /// Masks to Bits Stored and maps two's-complement samples to offset binary, so every later
    /// step sees unsigned values 0…2^bitsStored−1 in the same order as the signed ones. In place,
    /// and skipped for unsigned samples that fill their allocation (8 of 8, 16 of 16 bits: the
    /// usual ultrasound frame), where there is nothing to mask.
    static func normalise(_ values: inout [UInt16], description d: DICOMImageDescription) {
        guard d.signed || d.bitsStored < d.bitsAllocated else { return }
        let mask = UInt16(truncatingIfNeeded: (1 << d.bitsStored) - 1)
        let flip: UInt16 = d.signed ? UInt16(truncatingIfNeeded: 1 << (d.bitsStored - 1)) : 0
        values.withUnsafeMutableBufferPointer { v in
            for i in v.indices { v[i] = (v[i] & mask) ^ flip }
        }
    }

    // MARK: RLE Lossless (PS3.5 annex G)

    static func rle(_ data: [UInt8], source: String, description d: DICOMImageDescription) throws -> DICOMSamples {
        func corrupt(_ m: String) -> DecodeError { .corrupt(file: source, library: "rle", message: m) }
        guard data.count >= 64 else { throw DecodeError.truncated(file: source, library: "rle", message: "frame has \(data.count) bytes, less than the 64-byte RLE header") }
        func le32(_ at: Int) -> Int { Int(DICOMBytes.uint32(data, at, bigEndian: false)) }
        let bytesPerSample = d.bitsAllocated / 8
        let segmentCount = le32(0)
        let expected = d.samplesPerPixel * bytesPerSample
        guard segmentCount == expected else {
            throw corrupt("RLE header lists \(segmentCount) segments, \(d.samplesPerPixel) samples × \(bytesPerSample) bytes need \(expected)")
        }
        let offsets = (0..<segmentCount).map { le32(4 + 4 * $0) } + [data.count]
        let n = d.pixelCount
        var values = [UInt16](repeating: 0, count: n * d.samplesPerPixel)
        for segment in 0..<segmentCount {
            let start = offsets[segment], end = offsets[segment + 1]
            guard start >= 64, start <= end, end <= data.count else {
                throw corrupt("segment \(segment + 1) offsets \(start)–\(end) lie outside the \(data.count)-byte frame")
            }
            // Segments are ordered sample by sample, most significant byte first.
            let sample = segment / bytesPerSample
            let shift = UInt16(8 * (bytesPerSample - 1 - segment % bytesPerSample))
            var i = start, p = 0
            func put(_ byte: UInt8) {
                values[p * d.samplesPerPixel + sample] |= UInt16(byte) << shift
                p += 1
            }
            while i < end && p < n {
                let header = Int8(bitPattern: data[i])
                i += 1
                if header >= 0 {
                    let count = Int(header) + 1
                    guard i + count <= end else { throw corrupt("segment \(segment + 1): literal run past the segment end") }
                    for k in 0..<min(count, n - p) { put(data[i + k]) }
                    i += count
                } else if header != -128 {
                    guard i < end else { throw corrupt("segment \(segment + 1): replicate run past the segment end") }
                    let byte = data[i]
                    i += 1
                    for _ in 0..<min(1 - Int(header), n - p) { put(byte) }
                }
            }
            guard p == n else {
                throw corrupt("segment \(segment + 1) decodes to \(p) bytes, the frame needs \(n)")
            }
        }
        normalise(&values, description: d)
        return DICOMSamples(width: d.columns, height: d.rows, samplesPerPixel: d.samplesPerPixel,
                            bitsStored: d.bitsStored, values: values)
    }

    // MARK: To grey

    /// Scales a `bits`-bit value to 16 bits (rounded), as a 16-bit PNG sample would hold it.
    @inline(__always)
    static func widen(_ v: UInt16, bits: Int) -> UInt16 {
        if bits == 16 { return v }
        let top = UInt32((1 << bits) - 1)
        return UInt16(truncatingIfNeeded: (UInt32(v) * 65535 + top / 2) / top)
    }

    /// Scales a `bits`-bit value (bits ≤ 8) to 8 bits.
    @inline(__always)
    static func widen8(_ v: UInt16, bits: Int) -> UInt8 {
        if bits == 8 { return UInt8(truncatingIfNeeded: v) }
        let top = UInt32((1 << bits) - 1)
        return UInt8(truncatingIfNeeded: (UInt32(v) * 255 + top / 2) / top)
    }

    /// Grey 8-bit image and, for samples deeper than 8 bits, the 16-bit one.
    static func grey(_ s: DICOMSamples, photometric: String, palette: DICOMPalette?) -> (GrayImage, GrayImage16?) {
        let n = s.width * s.height
        let bits = s.bitsStored
        let v = s.values
        switch photometric {
        case "PALETTE COLOR":
            guard let palette else { break }
            if palette.bits == 8 {
                return (GrayImage(width: s.width, height: s.height) { out in
                    for i in 0..<n {
                        let k = palette.index(v[i])
                        out[i] = Luminance.luma(red: UInt8(truncatingIfNeeded: palette.red[k]),
                                                green: UInt8(truncatingIfNeeded: palette.green[k]),
                                                blue: UInt8(truncatingIfNeeded: palette.blue[k]))
                    }
                }, nil)
            }
            let wide = GrayImage16(width: s.width, height: s.height) { out in
                for i in 0..<n {
                    let k = palette.index(v[i])
                    out[i] = Luminance.luma16(red: palette.red[k], green: palette.green[k], blue: palette.blue[k])
                }
            }
            return (wide.map(Luminance.narrow), wide)
        case "MONOCHROME1", "MONOCHROME2":
            let invert = photometric == "MONOCHROME1"
            let top = UInt16(truncatingIfNeeded: (1 << bits) - 1)
            if bits <= 8 {
                return (GrayImage(width: s.width, height: s.height) { out in
                    for i in 0..<n { out[i] = widen8(invert ? top - v[i] : v[i], bits: bits) }
                }, nil)
            }
            let wide = GrayImage16(width: s.width, height: s.height) { out in
                for i in 0..<n { out[i] = widen(invert ? top - v[i] : v[i], bits: bits) }
            }
            return (wide.map(Luminance.narrow), wide)
        case "YBR_FULL", "YBR_FULL_422":
            // Y of full-range BT.601 YCbCr is exactly the luma ``Luminance`` defines (as for JPEG).
            if bits <= 8 {
                return (GrayImage(width: s.width, height: s.height) { out in
                    for i in 0..<n { out[i] = widen8(v[3 * i], bits: bits) }
                }, nil)
            }
            let wide = GrayImage16(width: s.width, height: s.height) { out in
                for i in 0..<n { out[i] = widen(v[3 * i], bits: bits) }
            }
            return (wide.map(Luminance.narrow), wide)
        default:
            break
        }
        // RGB, and YBR_RCT/YBR_ICT, which the JPEG 2000 decoder has already turned back into RGB.
        if bits <= 8 {
            return (GrayImage(width: s.width, height: s.height) { out in
                for i in 0..<n {
                    out[i] = Luminance.luma(red: widen8(v[3 * i], bits: bits), green: widen8(v[3 * i + 1], bits: bits),
                                            blue: widen8(v[3 * i + 2], bits: bits))
                }
            }, nil)
        }
        let wide = GrayImage16(width: s.width, height: s.height) { out in
            for i in 0..<n {
                out[i] = Luminance.luma16(red: widen(v[3 * i], bits: bits), green: widen(v[3 * i + 1], bits: bits),
                                          blue: widen(v[3 * i + 2], bits: bits))
            }
        }
        return (wide.map(Luminance.narrow), wide)
    }
}
