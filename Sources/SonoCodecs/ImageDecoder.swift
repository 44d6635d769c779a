public import SonoCore

/// Decodes PNG, JPEG and DICOM files into grey ``Frame``s, choosing the codec from the magic bytes
/// (never from the file name).
public struct ImageDecoder: FrameDecoder {
    public var limits: DecodeLimits

    public init(limits: DecodeLimits = DecodeLimits()) {
        self.limits = limits
    }

    /// What the magic bytes say: a supported format, or a description of what the file looks like.
    public enum Detection: Sendable, Equatable {
        case supported(ImageFormat)
        case unsupported(String)
    }

    /// Identifies the format from the first bytes, or names what it looks like instead.
    public static func detectFormat(_ bytes: [UInt8]) -> Detection {
        if bytes.count >= 8 && bytes[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            return .supported(.png)
        }
        // IHDR at byte 12 is a PNG whose signature was damaged (e.g. a text-mode transfer): the PNG
        // codec names that, which says more than "unrecognised magic bytes".
        if bytes.count >= 16 && bytes[12..<16].elementsEqual(Array("IHDR".utf8)) {
            return .supported(.png)
        }
        if bytes.count >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF {
            return .supported(.jpeg)
        }
        // Before the TIFF test: a DICOM preamble may itself start like a TIFF header (dual-format files).
        if DICOMReader.hasMagic(bytes) { return .supported(.dicom) }
        if bytes.isEmpty { return .unsupported("empty file") }
        if bytes.starts(with: [0x42, 0x4D]) { return .unsupported("looks like BMP") }
        if bytes.starts(with: [0x49, 0x49, 0x2A, 0x00]) || bytes.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) {
            return .unsupported("looks like TIFF")
        }
        if bytes.starts(with: Array("GIF8".utf8)) { return .unsupported("looks like GIF") }
        let head = bytes.prefix(64)
        if head.allSatisfy({ $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || (0x20...0x7E).contains($0) }) {
            return .unsupported("looks like text")
        }
        return .unsupported("unrecognised magic bytes")
    }

    public func decode(_ bytes: [UInt8], source: String) throws -> Frame {
        try decode(bytes, source: source, frame: nil)
    }

    /// Decodes frame `frame` (1-based) of a multi-frame file; nil is the first (only) frame.
    public func decode(_ bytes: [UInt8], source: String, frame: Int?) throws -> Frame {
        switch Self.detectFormat(bytes) {
        case .supported(.dicom): return try DICOMCodec.decode(bytes, source: source, frame: frame ?? 1, limits: limits)
        case .supported(let format) where frame != nil && frame != 1:
            throw DecodeError.corrupt(file: source, library: format.rawValue, message: "frame \(frame!) requested from a single-frame file")
        case .supported(.png): return try PNGCodec.decode(bytes, source: source, limits: limits)
        case .supported(.jpeg): return try JPEGCodec.decode(bytes, source: source, limits: limits)
        case .supported: fatalError("unreachable: every supported format is handled above")
        case .unsupported(let what): throw DecodeError.unsupportedFormat(file: source, detected: what)
        }
    }

    /// Reads `path` and decodes it.
    public func decodeFile(atPath path: String) throws -> Frame {
        try decode(try FileBytes.contents(of: path), source: path)
    }
}
