private import CLibDeflate

/// Whole-buffer zlib decompression and CRC-32 with libdeflate. The only Swift file that calls libdeflate.
///
/// PNG's grey fast path inflates a frame's image data here instead of through libpng's streaming
/// zlib, which was the largest part of decoding an HC18 frame (the README's Decoding section has
/// the figures and the command).
enum Deflate {
    /// Inflates the zlib stream `input` into `output`. True only when the stream is valid (header,
    /// Huffman data and Adler-32 checksum), fills `output` exactly and ends exactly at the end of
    /// `input`; anything else is left to the caller's slower path, which reports it.
    static func zlibDecompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool {
        guard input.count > 0, let decompressor = libdeflate_alloc_decompressor() else { return false }
        defer { libdeflate_free_decompressor(decompressor) }
        var consumed = 0, produced = 0
        let result = libdeflate_zlib_decompress_ex(decompressor, input.baseAddress, input.count, output.baseAddress,
                                                   output.count, &consumed, &produced)
        return result == LIBDEFLATE_SUCCESS && consumed == input.count && produced == output.count
    }

    /// The CRC-32 of PNG chunks and zlib (initial value 0), as zlib's `crc32` computes it. For the
    /// grey fast path's IDAT check, a pass over the whole compressed image: libdeflate's runs on
    /// carry-less multiplication where the CPU has it, zlib 1.2's table-driven one was about 0.5 %
    /// of `analyze`'s perf samples.
    static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        UInt32(libdeflate_crc32(0, bytes.baseAddress, bytes.count))
    }

    /// The libdeflate version this binary was built against, for report provenance.
    static var libraryVersion: String { LIBDEFLATE_VERSION_STRING }
}
