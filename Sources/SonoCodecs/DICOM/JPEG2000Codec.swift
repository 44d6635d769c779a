private import CJPEG2000Shim

/// JPEG 2000 decoding through the `sono_j2k_*` C shim over OpenJPEG. The only Swift file that
/// calls it. OpenJPEG undoes the reversible/irreversible colour transform (YBR_RCT/YBR_ICT)
/// itself, so three-component output is RGB.
enum JPEG2000Codec {
    /// The OpenJPEG version this binary runs with, for `--version` and report provenance.
    static var libraryVersion: String {
        sono_j2k_library_version().flatMap { String(validatingCString: $0) } ?? "unknown"
    }

    private static let messageCapacity = 256

    static func decode(_ data: [UInt8], source: String, limits: DecodeLimits) throws -> DICOMSamples {
        var message = [CChar](repeating: 0, count: messageCapacity)
        var image = sono_j2k_image()
        let status = data.withUnsafeBufferPointer { buffer in
            sono_j2k_decode(buffer.baseAddress, buffer.count, limits.maxPixels, &image, &message, messageCapacity)
        }
        defer { sono_j2k_free(image.samples) }
        let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch status {
        case SONO_J2K_OK: break
        case SONO_J2K_TOO_LARGE:
            throw DecodeError.tooLarge(file: source, width: Int(image.width), height: Int(image.height), maxPixels: limits.maxPixels)
        default:
            let lower = text.lowercased()
            if lower.contains("stream too short") || lower.contains("end of") || lower.contains("truncat") {
                throw DecodeError.truncated(file: source, library: "openjpeg", message: text)
            }
            throw DecodeError.corrupt(file: source, library: "openjpeg", message: text)
        }
        let width = Int(image.width), height = Int(image.height), components = Int(image.components)
        guard components == 1 || components == 3, let samples = image.samples else {
            throw DecodeError.corrupt(file: source, library: "openjpeg", message: "\(components) components; 1 or 3 are supported")
        }
        let plane = width * height
        let bits = Int(image.precision)
        // Signed samples are moved to offset binary, the form ``DICOMPixelData`` works in.
        let offset: Int32 = image.is_signed != 0 ? 1 << (bits - 1) : 0
        let top = Int32((1 << bits) - 1)
        var values = [UInt16](repeating: 0, count: plane * components)
        for c in 0..<components {
            for p in 0..<plane {
                values[p * components + c] = UInt16(truncatingIfNeeded: min(max(samples[c * plane + p] &+ offset, 0), top))
            }
        }
        return DICOMSamples(width: width, height: height, samplesPerPixel: components, bitsStored: bits, values: values)
    }
}
