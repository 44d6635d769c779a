import SonoCodecs

// Any bytes through the DICOM path: the Part 10 reader (preamble, meta group, transfer syntaxes,
// sequences, encapsulated fragments, deflate), the study facts, and one frame's pixels (native,
// RLE, palette, JPEG and JPEG 2000 through their shims). The last frame of a multi-frame file
// is decoded too, so the offset-table and fragment-splitting paths are reached.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDICOM(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = DecodeLimits(maxPixels: 1 << 20, maxDecodedBytes: 8 << 20, maxJPEGScans: 16, strictness: .failOnWarning)
    guard let info = try? DICOMCodec.studyInfo(bytes, source: "fuzz.dcm", limits: limits) else { return 0 }
    _ = try? DICOMCodec.decode(bytes, source: "fuzz.dcm", frame: 1, limits: limits)
    if info.numberOfFrames > 1 {
        _ = try? DICOMCodec.decode(bytes, source: "fuzz.dcm", frame: info.numberOfFrames, limits: limits)
    }
    return 0
}
