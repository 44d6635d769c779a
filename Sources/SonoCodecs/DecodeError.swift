public import SonoCore

/// Why a file could not be turned into a frame. Every case names the file.
public enum DecodeError: SonoError, Equatable {
    /// The magic bytes match no supported format (BMP, TIFF, text, an empty file…).
    case unsupportedFormat(file: String, detected: String)
    /// The header declares more pixels than the configured limit; nothing was allocated.
    case tooLarge(file: String, width: Int, height: Int, maxPixels: Int)
    /// Decoding would allocate more than ``DecodeLimits/maxDecodedBytes``; nothing was allocated.
    case overMemoryBudget(file: String, bytes: Int, budget: Int)
    /// The file ends before the image data does.
    case truncated(file: String, library: String, message: String)
    /// A chunk checksum does not match its contents.
    case badChecksum(file: String, chunk: String)
    /// The library rejected the data; `message` is its own words.
    case corrupt(file: String, library: String, message: String)
    /// The file could not be read from disk.
    case unreadable(file: String, reason: String)
    /// The file is laid out as a PNG (IHDR where it belongs) but its 8-byte signature is damaged,
    /// typically by a text-mode transfer that rewrote line endings.
    case badSignature(file: String, found: String)
    /// The image header declares something no PNG may (bit depth 3, colour type 9, size 0…).
    case badHeader(file: String, message: String)
    /// The file ends (IEND) without any image data.
    case missingImageData(file: String)
    /// A DICOM file whose pixel data uses a transfer syntax SonoQC does not decode.
    case unsupportedTransferSyntax(file: String, uid: String, name: String)

    public var file: String {
        switch self {
        case .unsupportedFormat(let f, _), .tooLarge(let f, _, _, _), .overMemoryBudget(let f, _, _), .truncated(let f, _, _),
             .badChecksum(let f, _), .corrupt(let f, _, _), .unreadable(let f, _), .badSignature(let f, _),
             .badHeader(let f, _), .missingImageData(let f),
             .unsupportedTransferSyntax(let f, _, _):
            return f
        }
    }

    /// A short stable identifier scripts can group failures by.
    public var kind: String {
        switch self {
        case .unsupportedFormat: "unsupported-format"
        case .tooLarge, .overMemoryBudget: "too-large"
        case .truncated: "truncated"
        case .badChecksum: "bad-checksum"
        case .corrupt: "corrupt"
        case .unreadable: "unreadable"
        case .badSignature: "bad-signature"
        case .badHeader: "bad-header"
        case .missingImageData: "missing-image-data"
        case .unsupportedTransferSyntax: "unsupported-transfer-syntax"
        }
    }

    public var summary: String {
        switch self {
        case .unsupportedFormat(let file, let detected):
            "\(file): unsupported format (\(detected)); SonoQC reads PNG, JPEG and DICOM"
        case .tooLarge(let file, let w, let h, let maxPixels):
            "\(file): image declares \(w)×\(h) = \(w * h) pixels, over the limit of \(maxPixels)"
        case .overMemoryBudget(let file, let bytes, let budget):
            "\(file): decoding needs \(bytes == Int.max ? "more than Int.max" : "\(bytes)") bytes, over the budget of \(budget) bytes"
        case .truncated(let file, let library, let message):
            "\(file): truncated file (\(library): \(message))"
        case .badChecksum(let file, let chunk):
            "\(file): CRC mismatch in PNG chunk \(chunk)"
        case .corrupt(let file, let library, let message):
            "\(file): corrupt image data (\(library): \(message))"
        case .unreadable(let file, let reason):
            "\(file): cannot read file: \(reason)"
        case .badSignature(let file, let found):
            "\(file): damaged PNG signature (\(found))"
        case .badHeader(let file, let message):
            "\(file): invalid PNG header (\(message))"
        case .missingImageData(let file):
            "\(file): PNG without image data (IEND before any IDAT chunk)"
        case .unsupportedTransferSyntax(let file, let uid, let name):
            "\(file): DICOM transfer syntax \(uid) (\(name)) is not supported"
        }
    }
}
