import SonoCore

/// Histogram with four interleaved sub-histograms: consecutive equal pixels (common in
/// ultrasound background) would otherwise serialise on one counter's store-to-load latency.
/// Masked counting adds `mask != 0` (0 or 1) instead of branching.
extension ImageStatistics {
    static func vectorizedHistogram(_ image: GrayImage, mask: GrayImage?) -> [Int] {
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
                            let row = S + y * w, mrow = M + y * mask.width
                            var x = 0
                            while x + 4 <= mw {
                                H[Int(row[x])] &+= mrow[x] == 0 ? 0 : 1
                                H[256 + Int(row[x + 1])] &+= mrow[x + 1] == 0 ? 0 : 1
                                H[512 + Int(row[x + 2])] &+= mrow[x + 2] == 0 ? 0 : 1
                                H[768 + Int(row[x + 3])] &+= mrow[x + 3] == 0 ? 0 : 1
                                x += 4
                            }
                            while x < mw {
                                H[Int(row[x])] &+= mrow[x] == 0 ? 0 : 1
                                x += 1
                            }
                        }
                    }
                } else {
                    let count = w * h
                    var i = 0
                    while i + 4 <= count {
                        H[Int(S[i])] &+= 1
                        H[256 + Int(S[i + 1])] &+= 1
                        H[512 + Int(S[i + 2])] &+= 1
                        H[768 + Int(S[i + 3])] &+= 1
                        i += 4
                    }
                    while i < count {
                        H[Int(S[i])] &+= 1
                        i += 1
                    }
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
