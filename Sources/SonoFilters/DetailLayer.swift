public import SonoCore

/// The fine texture of an 8-bit image: each pixel minus its local background, offset by 128.
///
/// The background is the Gaussian-weighted mean of the *analysed* pixels around it (normalised
/// convolution: the blur of the masked image over the blur of the mask), so a masked caption,
/// black box or the dark outside of an ultrasound sector does not bleed into the pixels beside
/// it. What is left is speckle and edges without the anatomy's slowly varying brightness; a
/// defocused beam shows there as coarser grain (IQ-005's sharpness).
///
/// The result is rounded half up and clamped to 0…255 (differences beyond ±127 occur only at
/// saturated marks an analysis mask excludes). Where no analysed pixel lies within reach (the
/// blurred mask below 10⁻³) the background is undefined and the value is not meaningful; an
/// analysed pixel's own weight keeps its denominator well above that.
///
/// Both blurs are ``GaussianBlur``'s float blur. The per-pixel combination's vector path is
/// `Kernels.detailCombine` (Sources/SonoKernels, compiled per ``CPULevel``), bit-identical to the
/// scalar loop below, which is its specification. On the vector backend the whole layer runs as
/// `Kernels.detailLayer`, row by row, with the vector blur's and combination's arithmetic
/// (``composed(_:mask:sigma:backend:level:)`` is that composition, the test's reference), so no
/// frame-sized float image is written. Pure function; safe to call from any thread.
public enum DetailLayer {
    /// - Parameters:
    ///   - mask: one byte per pixel, non-zero = analysed; nil analyses every pixel.
    ///   - sigma: the background's Gaussian σ in pixels.
    ///   - backend: the blurs' and the combination's implementation.
    public static func apply(_ image: GrayImage, mask: [UInt8]?, sigma: Double,
                             backend: FilterBackend = .default) -> GrayImage {
        apply(image, mask: mask, sigma: sigma, backend: backend, level: .selected)
    }

    /// ``apply(_:mask:sigma:backend:)`` with the vector kernels' ``CPULevel`` pinned (tests).
    static func apply(_ image: GrayImage, mask: [UInt8]?, sigma: Double, backend: FilterBackend,
                      level: CPULevel) -> GrayImage {
        let w = image.width, h = image.height
        precondition(mask.map { $0.count == w * h } ?? true, "mask has \(mask?.count ?? 0) bytes for a \(w)x\(h) image")
        let r = GaussianBlur.radius(sigma: sigma)
        guard backend == .vector, r > 0, !image.isEmpty else {
            return composed(image, mask: mask, sigma: sigma, backend: backend, level: level)
        }
        let taps = GaussianBlur.kernel(sigma: sigma).prefix(r + 1).map { Float($0) }
        let span = 2 * r + 1
        let ringTable = Border.reflect101Table(count: h, radius: r).map { $0 % span }
        let columnTable = Border.reflect101Table(count: w, radius: r)
        let analysed = mask ?? [UInt8](repeating: 1, count: w * h)
        var rings = [Float](repeating: 0, count: 2 * span * w), padded = [Float](repeating: 0, count: w + 2 * r)
        var sums = [Float](repeating: 0, count: 2 * w), runs = [Int32](repeating: 0, count: w)
        return GrayImage(width: w, height: h) { out in
            image.withUnsafeSamples { source in
                level.kernels.detailLayer(source.baseAddress!, mask: analysed, width: w, height: h, radius: r, taps: taps,
                                          ringTable: ringTable, columnTable: columnTable, rings: &rings, padded: &padded,
                                          sums: &sums, runs: &runs, out: out.baseAddress!)
            }
        }
    }

    /// The layer as its two blurs (``GaussianBlur``'s float blur on `backend`, at `level`) and
    /// ``combination(_:sum:weight:backend:level:)``: the scalar backend's layer, and on the vector
    /// backend what `Kernels.detailLayer` must equal byte for byte.
    static func composed(_ image: GrayImage, mask: [UInt8]?, sigma: Double, backend: FilterBackend,
                         level: CPULevel) -> GrayImage {
        let (sum, weight) = blurs(image, mask: mask, sigma: sigma, backend: backend, level: level)
        return GrayImage(width: image.width, height: image.height,
                         samples: combination(image.samples, sum: sum.samples, weight: weight.samples, backend: backend, level: level))
    }

    /// The blurred masked image and the blurred mask (weights 1 for analysed pixels, else 0).
    private static func blurs(_ image: GrayImage, mask: [UInt8]?, sigma: Double, backend: FilterBackend,
                              level: CPULevel) -> (sum: FloatImage, weight: FloatImage) {
        let w = image.width, h = image.height
        let weights = FloatImage(width: w, height: h) { out in
            guard let mask else { out.initialize(repeating: 1); return }
            mask.withUnsafeBufferPointer { m in
                for i in 0..<m.count { out[i] = m[i] != 0 ? 1 : 0 }
            }
        }
        let masked = FloatImage(width: w, height: h) { out in
            image.withUnsafeSamples { source in
                weights.withUnsafeSamples { m in
                    for i in 0..<source.count { out[i] = m[i] * Float(source[i]) }
                }
            }
        }
        switch backend {
        case .scalar:
            return (GaussianBlur.reference(masked, sigma: sigma), GaussianBlur.reference(weights, sigma: sigma))
        case .vector:
            return (GaussianBlur.vectorized(masked, sigma: sigma, level: level), GaussianBlur.vectorized(weights, sigma: sigma, level: level))
        }
    }

    /// Each pixel minus `sum / weight` (its background), offset by 128, rounded half up and
    /// clamped. The scalar loop is the specification of `Kernels.detailCombine`.
    static func combination(_ source: [UInt8], sum: [Float], weight: [Float], backend: FilterBackend,
                            level: CPULevel) -> [UInt8] {
        precondition(sum.count == source.count && weight.count == source.count)
        var out = [UInt8](repeating: 0, count: source.count)
        guard !source.isEmpty else { return out }
        if backend == .vector {
            level.kernels.detailCombine(source, sum: sum, weight: weight, count: source.count, out: &out)
            return out
        }
        for i in 0..<source.count {
            let background = sum[i] / max(weight[i], 1e-3)
            // Clamped to 0…255 first, so adding 0.5 and truncating rounds half up.
            out[i] = UInt8(min(max(Float(source[i]) - background + 128, 0), 255) + 0.5)
        }
        return out
    }
}
