/// Limits applied from the header, before any pixel memory is allocated.
public struct DecodeLimits: Sendable, Hashable {
    /// Largest accepted width × height. The default, 64 megapixels, is far above any ultrasound
    /// export (≈ 0.5 MP) yet refuses decompression bombs cheaply.
    public var maxPixels: Int
    /// Largest number of bytes the decoder may allocate for one frame's pixels (output and
    /// working buffers: a 16-bit RGBA PNG needs 11 bytes per pixel, a progressive JPEG keeps every
    /// DCT coefficient). The pixel limit alone let a 65 KB PNG claim 1.2 GB per worker.
    /// The default, 128 MiB, holds a 64-megapixel grey frame, and ≈ 100× a real ultrasound export.
    public var maxDecodedBytes: Int
    /// Most scans a progressive JPEG may have (like djpeg's `-maxscans`): each scan re-walks the
    /// whole coefficient buffer, so a small file with thousands of scans takes tens of seconds to
    /// reject. Real encoders write at most about a dozen.
    public var maxJPEGScans: Int
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

    public init(maxPixels: Int = 64 * 1024 * 1024, maxDecodedBytes: Int = 128 * 1024 * 1024, maxJPEGScans: Int = 64,
                strictness: Strictness = .failOnWarning) {
        self.maxPixels = maxPixels
        self.maxDecodedBytes = maxDecodedBytes
        self.maxJPEGScans = maxJPEGScans
        self.strictness = strictness
    }

    /// Throws ``DecodeError/overMemoryBudget(file:bytes:budget:)`` when `width × height ×
    /// bytesPerPixel` (computed without overflow) exceeds ``maxDecodedBytes``.
    package func checkBudget(width: Int, height: Int, bytesPerPixel: Int, file: String) throws(DecodeError) {
        let bytes = Self.bytes(width: width, height: height, bytesPerPixel: bytesPerPixel)
        guard let bytes, bytes <= maxDecodedBytes else {
            throw .overMemoryBudget(file: file, bytes: bytes ?? Int.max, budget: maxDecodedBytes)
        }
    }

    /// Whether ``checkBudget(width:height:bytesPerPixel:file:)`` would pass: for a decoder choosing
    /// between a path that needs a working buffer and one that does not, where the check refuses.
    package func fits(width: Int, height: Int, bytesPerPixel: Int) -> Bool {
        Self.bytes(width: width, height: height, bytesPerPixel: bytesPerPixel).map { $0 <= maxDecodedBytes } ?? false
    }

    /// `width × height × bytesPerPixel`, nil when it overflows `Int`.
    private static func bytes(width: Int, height: Int, bytesPerPixel: Int) -> Int? {
        let (pixels, o1) = width.multipliedReportingOverflow(by: height)
        let (bytes, o2) = pixels.multipliedReportingOverflow(by: bytesPerPixel)
        return o1 || o2 ? nil : bytes
    }
}
