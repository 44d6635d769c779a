/// Common shape of every SonoQC error: a one-line summary a reviewer reads, and optional details.
public protocol SonoError: Error, CustomStringConvertible, Sendable {
    var summary: String { get }
    var details: String? { get }
}

extension SonoError {
    public var details: String? { nil }
    public var description: String {
        if let details { return "\(summary) (\(details))" }
        return summary
    }
}

/// Turns decoded bytes into frames; implemented by `SonoCodecs`, faked in tests.
public protocol FrameDecoder: Sendable {
    func decode(_ bytes: [UInt8], source: String) throws -> Frame
    /// Decodes frame `frame` (1-based) of a multi-frame file (DICOM cine); nil means the file's
    /// only frame.
    func decode(_ bytes: [UInt8], source: String, frame: Int?) throws -> Frame
}

extension FrameDecoder {
    /// Decoders of single-frame formats (and test fakes) ignore the frame number.
    public func decode(_ bytes: [UInt8], source: String, frame: Int?) throws -> Frame {
        try decode(bytes, source: source)
    }
}
