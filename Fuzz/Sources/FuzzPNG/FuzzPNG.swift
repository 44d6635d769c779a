import SonoCodecs

// Any bytes through the PNG path (chunk walk, CRCs, limits, libpng). Small limits keep each
// execution fast and exercise the refusal paths as often as the decoding ones.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = DecodeLimits(maxPixels: 1 << 20, maxDecodedBytes: 8 << 20, strictness: .failOnWarning)
    _ = try? PNGCodec.decode(bytes, source: "fuzz.png", limits: limits)
    return 0
}
