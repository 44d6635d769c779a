private import CCodecShims
public import SonoCore

/// JPEG decoding and encoding through the `sono_jpeg_*` C shims. The only Swift file that calls
/// libjpeg (indirectly: the shims own every libjpeg call so its `longjmp` never crosses Swift).
public enum JPEGCodec {
    /// The libjpeg-turbo version this binary runs with, for `--version` and report provenance.
    package static var libraryVersion: String {
        let number = Int(sono_jpeg_library_version())
        guard number > 0 else { return "libjpeg (not turbo)" }
        return "\(number / 1_000_000).\(number / 1_000 % 1_000).\(number % 1_000)"
    }

    private static let messageCapacity = 256

    public static func decode(_ bytes: [UInt8], source: String, limits: DecodeLimits) throws -> Frame {
        var message = [CChar](repeating: 0, count: messageCapacity)
        var info = sono_jpeg_info()
        let headerStatus = bytes.withUnsafeBufferPointer { data in
            sono_jpeg_read_header(data.baseAddress, data.count, &info, &message, messageCapacity)
        }
        guard headerStatus == SONO_OK else {
            throw classify(text(message), source: source, warnings: false)
        }
        let width = Int(info.width), height = Int(info.height)
        guard width.multipliedReportingOverflow(by: height).partialValue <= limits.maxPixels else {
            throw DecodeError.tooLarge(file: source, width: width, height: height, maxPixels: limits.maxPixels)
        }
        // The grey output, plus (progressive files) one 2-byte coefficient per sample of every component.
        try limits.checkBudget(width: width, height: height,
                               bytesPerPixel: 1 + (info.progressive != 0 ? 2 * Int(max(1, info.components)) : 0), file: source)
        var status: Int32 = SONO_OK
        let image = GrayImage(width: width, height: height) { out in
            status = bytes.withUnsafeBufferPointer { data in
                sono_jpeg_decode_gray(data.baseAddress, data.count, out.baseAddress, Int32(width), Int32(height),
                                      limits.maxPixels, limits.maxDecodedBytes, Int32(clamping: limits.maxJPEGScans),
                                      &info, &message, messageCapacity)
            }
            // On failure the buffer may be partly written; it is discarded below.
            if status != SONO_OK { out.initialize(repeating: 0) }
        }
        switch status {
        case SONO_OK: break
        case SONO_TOO_LARGE:
            throw DecodeError.tooLarge(file: source, width: width, height: height, maxPixels: limits.maxPixels)
        case SONO_TOO_MANY_SCANS:
            throw DecodeError.corrupt(file: source, library: "libjpeg", message: text(message))
        case SONO_SIZE_MISMATCH:
            throw DecodeError.corrupt(file: source, library: "libjpeg", message: "header changed between passes")
        default:
            throw classify(text(message), source: source, warnings: false)
        }
        if info.warnings > 0 && limits.strictness == .failOnWarning {
            throw classify(text(message), source: source, warnings: true)
        }
        var spacing: PixelSpacing? = nil
        if info.density_unit == 2 && info.x_density > 0 && info.y_density > 0 {
            spacing = PixelSpacing(mmPerPixelX: 10 / Double(info.x_density), mmPerPixelY: 10 / Double(info.y_density),
                                   source: .jpegDensity)
        }
        // Units 0 with 1:1 is every encoder's default and says nothing; another ratio is a stated,
        // unit-less density worth naming when calibration is missing.
        var unitless: UnitlessDensity? = nil
        if info.density_unit == 0 && info.x_density > 0 && info.y_density > 0 && !(info.x_density == 1 && info.y_density == 1) {
            unitless = UnitlessDensity(x: Int(info.x_density), y: Int(info.y_density), source: .jpegDensity)
        }
        return Frame(source: source, format: .jpeg, sourceBitDepth: 8, sourceWasColour: info.components > 1,
                     image: image, fileSpacing: spacing, unitlessDensity: unitless)
    }

    private static func classify(_ message: String, source: String, warnings: Bool) -> DecodeError {
        let lower = message.lowercased()
        if lower.contains("premature end") || lower.contains("empty input") {
            return .truncated(file: source, library: "libjpeg", message: message)
        }
        return .corrupt(file: source, library: "libjpeg",
                        message: warnings ? "warning treated as error: \(message)" : message)
    }

    private static func text(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Encodes grey (`channels` 1) or RGB (`channels` 3) pixels. `spacingMMPerPixel` goes into the
    /// JFIF density as dots per cm (an integer, so spacing is rounded to what JFIF can hold).
    package static func encode(width: Int, height: Int, channels: Int, pixels: [UInt8], quality: Int = 90,
                              progressive: Bool = false, spacingMMPerPixel: Double? = nil) throws -> [UInt8] {
        precondition(channels == 1 || channels == 3, "JPEG encoding supports grey or RGB")
        precondition(pixels.count == width * height * channels, "pixel count does not match size")
        var message = [CChar](repeating: 0, count: messageCapacity)
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let density = spacingMMPerPixel.map { 10 / $0 } ?? 0
        let status = pixels.withUnsafeBufferPointer { src in
            sono_jpeg_encode(src.baseAddress, Int32(width), Int32(height), Int32(channels), Int32(quality),
                             progressive ? 1 : 0, density, &out, &size, &message, messageCapacity)
        }
        defer { sono_free(out) }
        guard status == SONO_OK, let out else {
            throw DecodeError.corrupt(file: "<encoder>", library: "libjpeg", message: text(message))
        }
        return Array(UnsafeBufferPointer(start: out, count: Int(size)))
    }
}
