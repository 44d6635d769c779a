/// Limits applied from the header, before any pixel memory is allocated.
public struct DecodeLimits: Sendable, Hashable {
    /// Largest accepted width × height. The default, 64 megapixels, is far above any ultrasound
    /// export (≈ 0.5 MP) yet refuses decompression bombs cheaply.
    public var maxPixels: Int
    /// How to treat library warnings (a truncated JPEG is only a warning to libjpeg, a bad
    /// ancillary-chunk CRC only a warning to libpng).
    public var strictness: Strictness

    public enum Strictness: String, Sendable, Hashable, CaseIterable {
        /// Any library warning fails the decode: no half image is ever accepted.
        case failOnWarning = "fail-on-warning"
        /// Only errors fail; warnings are ignored. For archives of real files that carry harmless
        /// "extraneous bytes before marker" warnings.
        case lenient
    }

    public init(maxPixels: Int = 64 * 1024 * 1024, strictness: Strictness = .failOnWarning) {
        self.maxPixels = maxPixels
        self.strictness = strictness
    }
}
