private import CLibPNG
import SonoCore

/// PNG decoding and encoding. The only Swift file that calls libpng.
///
/// libpng's simplified API (`png_image_*`) catches libpng's own `longjmp` internally and reports
/// failure as a return value plus a message, so no C trampoline is needed here. Before libpng sees
/// the data, a Swift chunk walk reads IHDR and pHYs, enforces the pixel limit, verifies the CRCs
/// of the chunks libpng would only warn about, and detects truncation with a byte offset.
public enum PNGCodec {
    private static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// What the chunk walk learned about a file.
    struct Header {
        var width: Int
        var height: Int
        var bitDepth: Int
        var colourType: Int
        var spacing: PixelSpacing?
    }

    // MARK: Decoding

    public static func decode(_ bytes: [UInt8], source: String, limits: DecodeLimits) throws -> Frame {
        let header = try readHeader(bytes, source: source, limits: limits)
        return try bytes.withUnsafeBytes { raw -> Frame in
            var image = png_image()
            image.version = png_uint_32(PNG_IMAGE_VERSION)
            guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
                throw libraryError(image, source: source)
            }
            let fileFormat = image.format
            let isSixteenBit = fileFormat & PNG_FORMAT_FLAG_LINEAR != 0
            let hasAlpha = fileFormat & PNG_FORMAT_FLAG_ALPHA != 0
            let hasColour = fileFormat & PNG_FORMAT_FLAG_COLOR != 0
            let width = Int(image.width), height = Int(image.height)
            var image16: GrayImage16? = nil
            let grey: GrayImage

            switch (isSixteenBit, hasAlpha || hasColour) {
            case (false, false):
                // The common case for ultrasound exports: libpng writes straight into the frame.
                image.format = png_uint_32(PNG_FORMAT_GRAY)
                grey = try GrayImage(width: width, height: height) { out in
                    try finish(&image, into: UnsafeMutableRawPointer(out.baseAddress!), rowStride: width,
                               source: source, limits: limits)
                }
            case (true, false):
                image.format = png_uint_32(PNG_FORMAT_LINEAR_Y)
                let wide = try GrayImage16(width: width, height: height) { out in
                    try finish(&image, into: UnsafeMutableRawPointer(out.baseAddress!), rowStride: width,
                               source: source, limits: limits)
                }
                image16 = wide
                grey = wide.map(Luminance.narrow)
            case (false, true):
                // Colour and/or alpha: let libpng expand to RGBA, then reduce in one place.
                image.format = png_uint_32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
                var rgba = [UInt8](repeating: 0, count: width * height * 4)
                try rgba.withUnsafeMutableBytes { out in
                    try finish(&image, into: out.baseAddress!, rowStride: width * 4, source: source, limits: limits)
                }
                grey = GrayImage(width: width, height: height) { out in
                    for i in 0..<(width * height) {
                        let y = Luminance.luma(red: rgba[4 * i], green: rgba[4 * i + 1], blue: rgba[4 * i + 2])
                        // Transparent pixels are composited onto black, the background of every
                        // ultrasound display.
                        out[i] = UInt8((UInt32(y) * UInt32(rgba[4 * i + 3]) + 127) / 255)
                    }
                }
            case (true, true):
                // libpng's linear output with alpha is premultiplied: already composited on black.
                image.format = png_uint_32(PNG_FORMAT_FLAG_LINEAR | PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
                var rgba = [UInt16](repeating: 0, count: width * height * 4)
                try rgba.withUnsafeMutableBytes { out in
                    try finish(&image, into: out.baseAddress!, rowStride: width * 4, source: source, limits: limits)
                }
                let wide = GrayImage16(width: width, height: height) { out in
                    for i in 0..<(width * height) {
                        out[i] = Luminance.luma16(red: rgba[4 * i], green: rgba[4 * i + 1], blue: rgba[4 * i + 2])
                    }
                }
                image16 = wide
                grey = wide.map(Luminance.narrow)
            }
            return Frame(source: source, format: .png, sourceBitDepth: header.bitDepth,
                         sourceWasColour: hasColour, image: grey, image16: image16,
                         fileSpacing: header.spacing)
        }
    }

    private static func finish(_ image: inout png_image, into buffer: UnsafeMutableRawPointer, rowStride: Int,
                               source: String, limits: DecodeLimits) throws {
        let ok = png_image_finish_read(&image, nil, buffer, png_int_32(rowStride), nil)
        guard ok != 0 else { throw libraryError(image, source: source) }
        if limits.strictness == .failOnWarning && image.warning_or_error & png_uint_32(PNG_IMAGE_WARNING) != 0 {
            let message = messageText(image)
            png_image_free(&image)
            throw DecodeError.corrupt(file: source, library: "libpng", message: "warning treated as error: \(message)")
        }
        png_image_free(&image)
    }

    private static func messageText(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    private static func libraryError(_ image: png_image, source: String) -> DecodeError {
        var copy = image
        let message = messageText(copy)
        png_image_free(&copy)
        if message.contains("CRC") {
            let chunk = message.split(separator: ":").first.map(String.init) ?? "?"
            return .badChecksum(file: source, chunk: chunk)
        }
        return .corrupt(file: source, library: "libpng", message: message)
    }

    /// Walks the chunk list without inflating anything.
    static func readHeader(_ bytes: [UInt8], source: String, limits: DecodeLimits) throws -> Header {
        guard bytes.count >= 8, bytes[0..<8].elementsEqual(signature) else {
            throw DecodeError.unsupportedFormat(file: source, detected: "no PNG signature")
        }
        func be32(_ at: Int) -> Int {
            Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
        }
        var header: Header? = nil
        var offset = 8
        var sawImageData = false
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
            case "IHDR":
                guard length == 13 else {
                    throw DecodeError.corrupt(file: source, library: "png", message: "IHDR has length \(length), not 13")
                }
                let width = be32(offset + 8), height = be32(offset + 12)
                guard width > 0, height > 0 else {
                    throw DecodeError.corrupt(file: source, library: "png", message: "image is \(width)×\(height)")
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
                                colourType: Int(bytes[offset + 17]), spacing: nil)
            case "pHYs" where length == 9 && !sawImageData:
                let ppmX = be32(offset + 8), ppmY = be32(offset + 12)
                // Unit 1 is the metre; unit 0 only gives an aspect ratio and is no calibration.
                if bytes[offset + 16] == 1 && ppmX > 0 && ppmY > 0 {
                    header?.spacing = PixelSpacing(mmPerPixelX: 1000 / Double(ppmX), mmPerPixelY: 1000 / Double(ppmY),
                                                   source: .pngPHYs)
                }
            case "IDAT":
                sawImageData = true
            case "IEND":
                guard sawImageData else {
                    throw DecodeError.truncated(file: source, library: "png", message: "IEND before any IDAT chunk")
                }
                return header!
            default:
                break
            }
            offset = end
        }
    }

    // MARK: Encoding

    /// How hard zlib works. `.fast` suits throw-away renderings (report thumbnails): about a fifth
    /// of the encoding time for files a little larger. Archived images keep the default.
    public enum Compression: Sendable {
        case standard
        case fast
    }

    /// Encodes 8-bit grey (`channels` 1) or interleaved RGB (`channels` 3) pixels as PNG. When
    /// `spacing` is given it is stored in a pHYs chunk (pixels per metre).
    public static func encode(width: Int, height: Int, channels: Int, pixels: [UInt8],
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

    public static func encode(_ image: GrayImage, spacingMMPerPixel spacing: Double? = nil) throws -> [UInt8] {
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

    /// The libpng version this binary runs with, for report provenance.
    public static var libraryVersion: String {
        String(validatingCString: png_get_libpng_ver(nil)) ?? "unknown"
    }
}
