private import CLibDeflate

/// Whole-buffer zlib decompression with libdeflate. The only Swift file that calls libdeflate.
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

    /// The libdeflate version this binary was built against, for report provenance.
    static var libraryVersion: String { LIBDEFLATE_VERSION_STRING }
}
