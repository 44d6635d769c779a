import SonoCore

/// Vector path of ``HessianRidge``: one `Kernels.ridgeScale` call per scale, compiled per
/// ``CPULevel`` (the eigen-analysis runs 8 pixels at a time; see the kernel's comment).
extension HessianRidge {
    static func vectorizedAccumulate(_ image: FloatImage, normalization: Float, reach: Float, into map: inout Map,
                                     level: CPULevel = .selected) {
        let w = image.width, h = image.height
        guard w >= 3, h >= 3 else { return }
        var scratch = [Float](repeating: 0, count: 3 * w)
        image.withUnsafeSamples { v in
            map.strength.withUnsafeMutableSamples { s in
                map.normalX.withUnsafeMutableSamples { nx in
                    map.normalY.withUnsafeMutableSamples { ny in
                        scratch.withUnsafeMutableBufferPointer { t in
                            level.kernels.ridgeScale(v.baseAddress!, width: w, height: h, normalization: normalization,
                                                     reach: reach, strength: s.baseAddress!, normalX: nx.baseAddress!,
                                                     normalY: ny.baseAddress!, scratch: t.baseAddress!)
                        }
                    }
                }
            }
        }
    }
}
