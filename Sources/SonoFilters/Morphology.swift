public import SonoCore

/// Binary morphology on masks (non-zero = set).
/// Pure functions; safe to call from any thread.
public enum Morphology {
    /// `mask` grown by `radius` pixels over a square window: 255 where any pixel of the
    /// `(2r+1)²` window (clipped to the image) is set, else 0. A radius of 0 or less only
    /// normalises the mask to 0/255.
    ///
    /// The scalar reference is the definition in sums: a window holds a set pixel exactly when its
    /// ``BoxFilter/windowSums(_:radius:border:backend:)`` is non-zero (replicate maps outside
    /// coordinates into the window, which gives the clipped window; a rounded box mean would lose
    /// one set pixel in windows above 21×21). The vector path is a separable maximum: a row pass
    /// that spreads each set pixel (overlay masks are sparse, so it costs one scan of the row),
    /// then a column pass taking the maximum of whole rows, which the compiler vectorises (a byte
    /// maximum is one instruction at every CPU level).
    public static func dilate(_ mask: GrayImage, radius: Int, backend: FilterBackend = .default) -> GrayImage {
        switch backend {
        case .scalar:
            return BoxFilter.windowSums(mask, radius: radius, border: .replicate, backend: .scalar).map { $0 != 0 ? 255 : 0 }
        case .vector:
            return separableMaximum(mask, radius: max(0, radius))
        }
    }

    private static func separableMaximum(_ mask: GrayImage, radius r: Int) -> GrayImage {
        let w = mask.width, h = mask.height
        guard w > 0, h > 0 else { return mask }
        // Row pass: the 0/255 mask, then each row's maximum over x - r ... x + r (clipped). It
        // writes every row whole first, so the buffer is not zero-filled before it.
        let rows = mask.withUnsafeSamples { src in
            [UInt8](unsafeUninitializedCapacity: w * h) { dst, initialized in
                let reach = min(r, w - 1)
                for y in 0..<h {
                    let s = src.baseAddress! + y * w, d = dst.baseAddress! + y * w
                    for x in 0..<w { d[x] = s[x] != 0 ? 255 : 0 }
                    guard reach > 0 else { continue }
                    forEachNonZeroByte(in: UnsafeBufferPointer(start: s, count: w)) { x in
                        for xx in max(0, x - reach)...min(w - 1, x + reach) { d[xx] = 255 }
                    }
                }
                initialized = w * h
            }
        }
        guard r > 0, h > 1 else { return GrayImage(width: w, height: h, samples: rows) }
        // Column pass: each output row is the maximum of rows y - r ... y + r (clipped).
        return GrayImage(width: w, height: h) { out in
            rows.withUnsafeBufferPointer { src in
                for y in 0..<h {
                    let d = out.baseAddress! + y * w
                    let first = src.baseAddress! + max(0, y - r) * w
                    for x in 0..<w { d[x] = first[x] }
                    for yy in (max(0, y - r) + 1)..<(min(h - 1, y + r) + 1) {
                        let s = src.baseAddress! + yy * w
                        for x in 0..<w { d[x] = max(d[x], s[x]) }
                    }
                }
            }
        }
    }
}
