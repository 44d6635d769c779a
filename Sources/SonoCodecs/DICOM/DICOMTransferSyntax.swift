/// The transfer syntaxes SonoQC knows by name, and how it reads each.
struct DICOMTransferSyntax: Sendable, Hashable {
    enum Encoding: Sendable, Hashable {
        case implicitLittle, explicitLittle, explicitBig, deflatedExplicitLittle
    }

    enum Pixels: Sendable, Hashable {
        case native
        case rle
        /// JPEG Baseline/Extended through libjpeg (8-bit only on this build).
        case jpeg
        case jpeg2000
        /// Known but not decoded: the error names the syntax.
        case unsupported
    }

    let uid: String
    let name: String
    let encoding: Encoding
    let pixels: Pixels

    /// Every encapsulated syntax is explicit VR little endian.
    private static func encapsulated(_ uid: String, _ name: String, _ pixels: Pixels) -> DICOMTransferSyntax {
        DICOMTransferSyntax(uid: uid, name: name, encoding: .explicitLittle, pixels: pixels)
    }

    static let known: [String: DICOMTransferSyntax] = {
        let list: [DICOMTransferSyntax] = [
            .init(uid: "1.2.840.10008.1.2", name: "Implicit VR Little Endian", encoding: .implicitLittle, pixels: .native),
            .init(uid: "1.2.840.10008.1.2.1", name: "Explicit VR Little Endian", encoding: .explicitLittle, pixels: .native),
            .init(uid: "1.2.840.10008.1.2.1.99", name: "Deflated Explicit VR Little Endian",
                  encoding: .deflatedExplicitLittle, pixels: .native),
            .init(uid: "1.2.840.10008.1.2.2", name: "Explicit VR Big Endian", encoding: .explicitBig, pixels: .native),
            encapsulated("1.2.840.10008.1.2.5", "RLE Lossless", .rle),
            encapsulated("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", .jpeg),
            encapsulated("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", .jpeg),
            encapsulated("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)", .unsupported),
            encapsulated("1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, SV1)",
                         .unsupported),
            encapsulated("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless", .unsupported),
            encapsulated("1.2.840.10008.1.2.4.81", "JPEG-LS Near-Lossless", .unsupported),
            encapsulated("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)", .jpeg2000),
            encapsulated("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression", .jpeg2000),
            encapsulated("1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multi-component (Lossless Only)", .unsupported),
            encapsulated("1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component", .unsupported),
            encapsulated("1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level", .unsupported),
            encapsulated("1.2.840.10008.1.2.4.101", "MPEG2 Main Profile / High Level", .unsupported),
            encapsulated("1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1", .unsupported),
            encapsulated("1.2.840.10008.1.2.4.103", "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1", .unsupported),
            encapsulated("1.2.840.10008.1.2.4.104", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video", .unsupported),
            encapsulated("1.2.840.10008.1.2.4.105", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video", .unsupported),
            encapsulated("1.2.840.10008.1.2.4.106", "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2", .unsupported),
            encapsulated("1.2.840.10008.1.2.4.107", "HEVC/H.265 Main Profile / Level 5.1", .unsupported),
            encapsulated("1.2.840.10008.1.2.4.108", "HEVC/H.265 Main 10 Profile / Level 5.1", .unsupported),
            encapsulated("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)",
                         .unsupported),
            encapsulated("1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)",
                         .unsupported),
            encapsulated("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression", .unsupported),
        ]
        return Dictionary(uniqueKeysWithValues: list.map { ($0.uid, $0) })
    }()
}
