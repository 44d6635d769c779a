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
/// scalar loop below, which is its specification. Pure function; safe to call from any thread.
public enum DetailLayer {
    /// - Parameters:
    ///   - mask: one byte per pixel, non-zero = analysed; nil analyses every pixel.
    ///   - sigma: the background's Gaussian σ in pixels.
    ///   - backend: the blurs' and the combination's implementation.
    public static func apply(_ image: GrayImage, mask: [UInt8]?, sigma: Double,
                             backend: FilterBackend = .default) -> GrayImage {
        apply(image, mask: mask, sigma: sigma, backend: backend, level: .selected)
    }

    /// ``apply(_:mask:sigma:backend:)`` with the vector combination's ``CPULevel`` pinned (tests).
    static func apply(_ image: GrayImage, mask: [UInt8]?, sigma: Double, backend: FilterBackend,
                      level: CPULevel) -> GrayImage {
        let w = image.width, h = image.height
        precondition(mask.map { $0.count == w * h } ?? true, "mask has \(mask?.count ?? 0) bytes for a \(w)x\(h) image")
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
        let sum = GaussianBlur.apply(masked, sigma: sigma, backend: backend)
        let weight = GaussianBlur.apply(weights, sigma: sigma, backend: backend)
        return GrayImage(width: w, height: h, samples: combination(image.samples, sum: sum.samples, weight: weight.samples,
                                                                   backend: backend, level: level))
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
