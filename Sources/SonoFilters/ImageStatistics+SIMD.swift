import SonoCore

/// Histogram with four interleaved sub-histograms (see `Kernels.histogram` in SonoKernels): the
/// counting loops are compiled per CPU level and picked by ``CPULevel``.
extension ImageStatistics {
    static func vectorizedHistogram(_ image: GrayImage, mask: GrayImage?, level: CPULevel = .selected) -> [Int] {
        var counts = [UInt32](repeating: 0, count: 4 * 256)
        let w = image.width, h = image.height
        counts.withUnsafeMutableBufferPointer { buffer in
            let H = buffer.baseAddress!
            image.withUnsafeSamples { src in
                guard let S = src.baseAddress else { return }
                if let mask {
                    let mw = min(w, mask.width), mh = min(h, mask.height)
                    mask.withUnsafeSamples { m in
                        guard let M = m.baseAddress else { return }
                        for y in 0..<mh {
                            level.kernels.maskedHistogram(S + y * w, mask: M + y * mask.width, count: mw, counts: H)
                        }
                    }
                } else {
                    level.kernels.histogram(S, count: w * h, counts: H)
                }
            }
        }
        var bins = [Int](repeating: 0, count: 256)
        for v in 0..<256 {
            let low = Int(counts[v]) + Int(counts[256 + v])
            bins[v] = low + Int(counts[512 + v]) + Int(counts[768 + v])
        }
        return bins
    }
}
