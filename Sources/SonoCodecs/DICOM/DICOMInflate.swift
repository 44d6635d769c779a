private import CZlib

/// Raw-deflate decompression for the Deflated Explicit VR Little Endian transfer syntax. The only
/// Swift file that calls zlib's inflate. zlib reports every failure as a return code, never by
/// exiting or jumping, so no C trampoline is needed.
enum DICOMInflate {
    /// Inflates a raw deflate stream (no zlib header, as DICOM PS3.5 A.5 prescribes), growing the
    /// output in steps and refusing to pass `maxOutput` bytes: a deflate bomb fails early.
    static func inflateRaw(_ input: ArraySlice<UInt8>, source: String, maxOutput: Int) throws -> [UInt8] {
        var stream = z_stream()
        // windowBits -15: raw deflate. Called through the macro's function form, as Swift cannot
        // expand inflateInit2().
        guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DecodeError.corrupt(file: source, library: "zlib", message: "cannot initialise inflate")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let status: Int32 = input.withUnsafeBufferPointer { src -> Int32 in
            stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress)
            stream.avail_in = uInt(src.count)
            while true {
                let (code, produced) = chunk.withUnsafeMutableBufferPointer { dst -> (Int32, Int) in
                    stream.next_out = dst.baseAddress
                    stream.avail_out = uInt(dst.count)
                    let code = inflate(&stream, Z_NO_FLUSH)
                    return (code, dst.count - Int(stream.avail_out))
                }
                if output.count + produced > maxOutput { return Z_MEM_ERROR }
                output.append(contentsOf: chunk[0..<produced])
                if code == Z_STREAM_END { return Z_OK }
                if code != Z_OK { return code }
                // No progress possible: the input ran out before the stream ended.
                if stream.avail_in == 0 && produced == 0 { return Z_BUF_ERROR }
            }
        }
        switch status {
        case Z_OK:
            return output
        case Z_MEM_ERROR:
            throw DecodeError.corrupt(file: source, library: "zlib",
                                      message: "deflated data set inflates past \(maxOutput) bytes")
        case Z_BUF_ERROR:
            throw DecodeError.truncated(file: source, library: "zlib", message: "deflated data set ends before its end marker")
        default:
            let message = stream.msg.map { String(cString: $0) } ?? "inflate error \(status)"
            throw DecodeError.corrupt(file: source, library: "zlib", message: message)
        }
    }
}
