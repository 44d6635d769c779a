/// The one place where colour becomes grey.
///
/// SonoQC uses the ITU-R BT.601 luma weights (0.299, 0.587, 0.114) on the encoded (gamma)
/// values, because that is exactly the Y that JFIF defines for YCbCr JPEGs: libjpeg's direct
/// YCbCr → grey output and the PNG path therefore agree. The weights are applied in 16.16 fixed
/// point with rounding so every platform produces the same bytes.
package enum Luminance {
    package static let red: UInt32 = 19595    // 0.299 × 65536
    package static let green: UInt32 = 38470  // 0.587 × 65536
    package static let blue: UInt32 = 7471    // 0.114 × 65536 (the three sum to 65536)

    @inlinable
    package static func luma(red r: UInt8, green g: UInt8, blue b: UInt8) -> UInt8 {
        UInt8(truncatingIfNeeded: (UInt32(r) &* red &+ UInt32(g) &* green &+ UInt32(b) &* blue &+ 32768) >> 16)
    }

    @inlinable
    package static func luma16(red r: UInt16, green g: UInt16, blue b: UInt16) -> UInt16 {
        let sum = UInt64(r) * UInt64(red) + UInt64(g) * UInt64(green) + UInt64(b) * UInt64(blue) + 32768
        return UInt16(truncatingIfNeeded: sum >> 16)
    }

    /// Rounds a 16-bit sample to 8 bits (v / 257, rounded), so 65535 → 255 and 32768 → 128.
    @inlinable
    package static func narrow(_ v: UInt16) -> UInt8 {
        UInt8(truncatingIfNeeded: (UInt32(v) &* 255 &+ 32767) / 65535)
    }
}
