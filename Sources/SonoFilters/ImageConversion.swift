public import SonoCore

/// Conversions between 8-bit and 32-bit float images.
public enum ImageConversion {
    /// Converts every sample to `Float(value) * scale` (scale 1 keeps the 0…255 range,
    /// 1/255 maps to 0…1).
    public static func float(_ image: GrayImage, scale: Float = 1) -> FloatImage {
        FloatImage(width: image.width, height: image.height) { out in
            image.withUnsafeSamples { src in
                for i in 0..<src.count { out[i] = Float(src[i]) * scale }
            }
        }
    }

    /// Converts every sample to 8 bits as `value * scale`, rounded to nearest (ties to even,
    /// like OpenCV's `convertTo`) and saturated to 0…255; NaN becomes 0.
    public static func gray(_ image: FloatImage, scale: Float = 1) -> GrayImage {
        GrayImage(width: image.width, height: image.height) { out in
            image.withUnsafeSamples { src in
                for i in 0..<src.count { out[i] = saturatingByte(src[i] * scale) }
            }
        }
    }

    @inline(__always)
    static func saturatingByte(_ value: Float) -> UInt8 {
        // `!(value > 0)` also catches NaN.
        if !(value > 0) { return 0 }
        if value >= 255 { return 255 }
        return UInt8(value.rounded(.toNearestOrEven))
    }
}

extension PixelBuffer where Sample == Float {
    /// An 8-bit image as floats in 0…255.
    public init(_ gray: GrayImage) {
        self = ImageConversion.float(gray)
    }
}

extension PixelBuffer where Sample == UInt8 {
    /// A float image rounded and saturated to 0…255 (see ``ImageConversion/gray(_:scale:)``).
    public init(rounding image: FloatImage) {
        self = ImageConversion.gray(image)
    }
}
