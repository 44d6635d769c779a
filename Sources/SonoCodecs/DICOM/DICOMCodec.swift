public import SonoCore

/// Scan-level facts of a DICOM file, for grouping files into scans when there is no manifest.
/// Holds no patient-identifying element: only the study's UID (which the pipeline replaces by a
/// keyed hash before it is written anywhere), the unit, the operator and the date.
public struct DICOMStudyInfo: Sendable, Hashable {
    public var studyInstanceUID: String?
    public var institutionName: String?
    public var stationName: String?
    public var operatorsName: String?
    /// StudyDate as ISO `YYYY-MM-DD`, when it is a valid DA value.
    public var studyDate: String?
    public var numberOfFrames: Int
}

/// Decodes DICOM Part 10 files: one frame at a time, choosing the pixel decoder from the
/// transfer syntax and converting the photometric interpretation to grey.
public enum DICOMCodec {
    /// The file's study facts and frame count, without decoding pixels.
    public static func studyInfo(_ bytes: [UInt8], source: String, limits: DecodeLimits) throws -> DICOMStudyInfo {
        let file = try DICOMReader.read(bytes, source: source, limits: limits)
        func text(_ group: UInt16, _ element: UInt16) -> String? {
            file.string(DICOMTag(group, element)).flatMap { $0.isEmpty ? nil : $0 }
        }
        // DA is YYYYMMDD; CivilDate, which parses every other date of the package, decides whether
        // that day exists (20241399 is eight digits but no date).
        let date = text(0x0008, 0x0020).flatMap { da in
            da.count == 8 ? CivilDate(parsing: "\(da.prefix(4))-\(da.dropFirst(4).prefix(2))-\(da.suffix(2))")?.description : nil
        }
        return DICOMStudyInfo(studyInstanceUID: text(0x0020, 0x000D), institutionName: text(0x0008, 0x0080),
                              stationName: text(0x0008, 0x1010), operatorsName: text(0x0008, 0x1070),
                              studyDate: date,
                              numberOfFrames: try file.numberOfFrames())
    }

    /// Decodes frame `frame` (1-based) of the file.
    public static func decode(_ bytes: [UInt8], source: String, frame: Int = 1, limits: DecodeLimits) throws -> Frame {
        let file = try DICOMReader.read(bytes, source: source, limits: limits)
        let description = try DICOMImageDescription(file, limits: limits)
        guard frame >= 1, frame <= description.numberOfFrames else {
            throw DecodeError.corrupt(file: source, library: "dicom",
                                      message: "frame \(frame) requested, the file has \(description.numberOfFrames)")
        }
        guard let pixelData = file.dataSet[.pixelData] else {
            throw DecodeError.corrupt(file: source, library: "dicom", message: "no Pixel Data (7FE0,0010)")
        }
        let syntax = file.transferSyntax
        // The byte budget the PNG and JPEG headers are held to, from the DICOM header: an RLE or
        // JPEG 2000 frame of a few bytes can declare 65535×1000 RGB pixels. Decoding holds the
        // samples (2 bytes each), the grey frame, the 16-bit one for deep or palette samples, and
        // for JPEG 2000 OpenJPEG's 32-bit component planes; JPEGCodec checks its own.
        if syntax.pixels == .native || syntax.pixels == .rle || syntax.pixels == .jpeg2000 {
            let spp = description.samplesPerPixel
            let wide = description.bitsStored > 8 || description.photometric == "PALETTE COLOR"
            try limits.checkBudget(width: description.columns, height: description.rows,
                                   bytesPerPixel: 2 * spp + 1 + (wide ? 2 : 0) + (syntax.pixels == .jpeg2000 ? 4 * spp : 0),
                                   file: source)
        }
        let palette = description.photometric == "PALETTE COLOR"
            ? try DICOMPalette(file, signedPixels: description.signed) : nil
        var grey: GrayImage
        var grey16: GrayImage16? = nil
        switch syntax.pixels {
        case .unsupported:
            throw DecodeError.unsupportedTransferSyntax(file: source, uid: syntax.uid, name: syntax.name)
        case .native:
            guard pixelData.encapsulated == nil else {
                throw DecodeError.corrupt(file: source, library: "dicom", message: "encapsulated pixel data in \(syntax.name)")
            }
            let samples = try DICOMPixelData.native(file, element: pixelData, description: description, frame: frame)
            (grey, grey16) = DICOMPixelData.grey(samples, photometric: description.photometric, palette: palette)
        case .rle, .jpeg, .jpeg2000:
            guard let encapsulated = pixelData.encapsulated else {
                throw DecodeError.corrupt(file: source, library: "dicom",
                                          message: "\(syntax.name) requires encapsulated pixel data, the file has a defined length")
            }
            let data = try frameBytes(file, encapsulated, frame: frame, frames: description.numberOfFrames,
                                      endsWithMarker: syntax.pixels != .rle)
            switch syntax.pixels {
            case .rle:
                let samples = try DICOMPixelData.rle(data, source: source, description: description)
                (grey, grey16) = DICOMPixelData.grey(samples, photometric: description.photometric, palette: palette)
            case .jpeg:
                // libjpeg turns YCbCr straight into its Y (the luma ``Luminance`` defines); a
                // palette image would need its indices, which libjpeg's grey output is not.
                guard palette == nil else {
                    throw DecodeError.corrupt(file: source, library: "dicom", message: "PALETTE COLOR in JPEG is not supported")
                }
                let decoded = try JPEGCodec.decode(data, source: source, limits: limits)
                grey = decoded.image
            default:
                let samples = try JPEG2000Codec.decode(data, source: source, limits: limits)
                (grey, grey16) = DICOMPixelData.grey(samples, photometric: description.photometric, palette: palette)
            }
        }
        guard grey.width == description.columns, grey.height == description.rows else {
            throw DecodeError.corrupt(file: source, library: "dicom",
                                      message: "decoded frame is \(grey.width)×\(grey.height), the header says \(description.columns)×\(description.rows)")
        }
        return Frame(source: source, format: .dicom, sourceBitDepth: description.bitsStored,
                     sourceWasColour: description.samplesPerPixel == 3 || palette != nil,
                     image: grey, image16: grey16, fileSpacing: nil,
                     dicom: imageInfo(file, frame: frame, frames: description.numberOfFrames))
    }

    /// The bytes of one frame of encapsulated pixel data (PS3.5 A.4): by the basic offset table
    /// when there is one; else one fragment per frame when the counts match; else (JPEG family)
    /// fragments accumulate until one ends with an end-of-image marker.
    static func frameBytes(_ file: DICOMFile, _ e: DICOMElement.Encapsulated, frame: Int, frames: Int,
                           endsWithMarker: Bool) throws -> [UInt8] {
        func corrupt(_ m: String) -> DecodeError { .corrupt(file: file.source, library: "dicom", message: m) }
        let fragments = e.fragments
        guard !fragments.isEmpty else { throw corrupt("encapsulated pixel data has no fragments") }
        let bytes = file.bytes
        func join(_ range: Range<Int>) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(fragments[range].reduce(0) { $0 + $1.value.count })
            for f in fragments[range] { out.append(contentsOf: bytes[f.value]) }
            return out
        }
        if frames == 1 { return join(0..<fragments.count) }
        if e.offsetTable.count > 0 {
            guard e.offsetTable.count == 4 * frames else {
                throw corrupt("basic offset table has \(e.offsetTable.count / 4) entries for \(frames) frames")
            }
            let offsets = (0..<frames).map { i -> Int in
                // Encapsulated transfer syntaxes are all little endian.
                Int(DICOMBytes.uint32(bytes, e.offsetTable.lowerBound + 4 * i, bigEndian: false))
            }
            guard let first = fragments.firstIndex(where: { $0.itemOffset == offsets[frame - 1] }) else {
                throw corrupt("basic offset table entry \(frame) (\(offsets[frame - 1])) does not point at a fragment")
            }
            var last = fragments.count
            if frame < frames {
                guard let next = fragments.firstIndex(where: { $0.itemOffset == offsets[frame] }), next > first else {
                    throw corrupt("basic offset table entry \(frame + 1) (\(offsets[frame])) does not point at a later fragment")
                }
                last = next
            }
            return join(first..<last)
        }
        if fragments.count == frames { return join((frame - 1)..<frame) }
        guard endsWithMarker, fragments.count > frames else {
            throw corrupt("\(fragments.count) fragments do not add up to \(frames) frames and there is no offset table")
        }
        // Frame boundaries: fragments whose last two bytes are an end marker (JPEG EOI, J2K EOC: FFD9).
        var starts = [0]
        for (i, f) in fragments.enumerated() where i < fragments.count - 1 {
            var end = f.value.upperBound
            // A fragment is padded to even length with one zero byte after the marker.
            if end - f.value.lowerBound >= 3 && bytes[end - 1] == 0 { end -= 1 }
            if end - f.value.lowerBound >= 2 && bytes[end - 2] == 0xFF && bytes[end - 1] == 0xD9 { starts.append(i + 1) }
        }
        guard starts.count == frames else {
            throw corrupt("\(fragments.count) fragments hold \(starts.count) end-of-image markers for \(frames) frames")
        }
        let upper = frame < frames ? starts[frame] : fragments.count
        return join(starts[frame - 1]..<upper)
    }

    /// Calibration and annotation facts of the frame (Sequence of Ultrasound Regions, Pixel
    /// Spacing, Imager Pixel Spacing, Burned In Annotation). Malformed regions are skipped:
    /// an unreadable region is simply no calibration.
    static func imageInfo(_ file: DICOMFile, frame: Int, frames: Int) -> DICOMImageInfo {
        var regions: [UltrasoundRegion] = []
        for item in file.dataSet[DICOMTag(0x0018, 0x6011)]?.items ?? [] {
            func ul(_ e: UInt16) -> Int? { file.uint32(DICOMTag(0x0018, e), in: item) }
            func us(_ e: UInt16) -> Int? { file.uint16(DICOMTag(0x0018, e), in: item) }
            func fd(_ e: UInt16) -> Double? { file.float64(DICOMTag(0x0018, e), in: item) }
            guard let x0 = ul(0x6018), let y0 = ul(0x601A), let x1 = ul(0x601C), let y1 = ul(0x601E),
                  let format = us(0x6012), let type = us(0x6014), let ux = us(0x6024), let uy = us(0x6026),
                  let dx = fd(0x602C), let dy = fd(0x602E) else { continue }
            regions.append(UltrasoundRegion(minX0: x0, minY0: y0, maxX1: x1, maxY1: y1, spatialFormat: format, dataType: type,
                                            physicalUnitsX: ux, physicalUnitsY: uy, physicalDeltaX: dx, physicalDeltaY: dy))
        }
        func spacing(_ group: UInt16, _ element: UInt16) -> DICOMSpacing? {
            guard let v = file.decimals(DICOMTag(group, element)), v.count == 2 else { return nil }
            return DICOMSpacing(row: v[0], column: v[1])
        }
        let burned = file.string(DICOMTag(0x0028, 0x0301)).flatMap { $0 == "YES" ? true : $0 == "NO" ? false : nil }
        return DICOMImageInfo(regions: regions, pixelSpacing: spacing(0x0028, 0x0030),
                              imagerPixelSpacing: spacing(0x0018, 0x1164), burnedInAnnotation: burned,
                              frameNumber: frame, numberOfFrames: frames)
    }
}
