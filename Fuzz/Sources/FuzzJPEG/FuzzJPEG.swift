import SonoCodecs

// Any bytes through the JPEG path (header pass, limits, scan limit, libjpeg via the C shim).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJPEG(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for strictness in DecodeLimits.Strictness.allCases {
        let limits = DecodeLimits(maxPixels: 1 << 20, maxDecodedBytes: 8 << 20, maxJPEGScans: 16, strictness: strictness)
        _ = try? JPEGCodec.decode(bytes, source: "fuzz.jpg", limits: limits)
    }
    return 0
}
