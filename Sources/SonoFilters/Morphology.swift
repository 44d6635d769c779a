public import SonoCore

/// Binary morphology on masks (non-zero = set).
/// Pure functions; safe to call from any thread.
public enum Morphology {
    /// `mask` grown by `radius` pixels over a square window: 255 where any pixel of the
    /// `(2r+1)²` window (clipped to the image) is set, else 0. A radius of 0 or less only
    /// normalises the mask to 0/255.
    ///
    /// A window holds a set pixel exactly when its ``BoxFilter/windowSums(_:radius:border:backend:)``
    /// is non-zero, so this is one sliding-sum pass and exact for any radius (a rounded box mean
    /// would lose one set pixel in windows above 21×21). Any border rule that maps outside
    /// coordinates into the window gives the clipped window; replicate does.
    public static func dilate(_ mask: GrayImage, radius: Int, backend: FilterBackend = .default) -> GrayImage {
        BoxFilter.windowSums(mask, radius: radius, border: .replicate, backend: backend).map { $0 != 0 ? 255 : 0 }
    }
}
