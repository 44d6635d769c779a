/// The versions of the C codec libraries linked into this binary. Decoded pixels can differ between
/// library versions, so `sonoqc --version` and every report name them.
package enum CodecVersions {
    /// Library name → version, in a fixed order.
    package static var all: [(library: String, version: String)] {
        [("libpng", PNGCodec.libraryVersion), ("libdeflate", Deflate.libraryVersion),
         ("libjpeg-turbo", JPEGCodec.libraryVersion), ("openjpeg", JPEG2000Codec.libraryVersion)]
    }
}
