import Foundation
package import SonoCore
import SonoFilters

/// Image-quality statistics of one frame, computed inside the detected field of view only and with
/// burned-in overlays excluded. Grey levels are 0–255.
package struct ImageMetrics: Sendable, Codable, Hashable {
    /// Field of view / frame.
    package var fieldOfViewFraction: Double
    /// Pixels the statistics were computed on (field of view minus edge band and overlays).
    package var analysedPixels: Int
    package var meanGrey: Double
    package var p5Grey: Double
    package var medianGrey: Double
    package var p95Grey: Double
    /// Fraction at or above 250.
    package var saturatedFraction: Double
    /// Fraction at or below 2.
    package var crushedFraction: Double
    /// p95 − p5 (grey levels).
    package var dynamicRange: Double
    /// Standard deviation / mean.
    package var rmsContrast: Double
    /// Mean central-difference gradient magnitude / standard deviation of the speckle detail layer
    /// (``DetailLayer``: the frame minus its local background, σ = 2 px), per pixel of a frame
    /// ``ReferenceFrame/longSidePixels`` px on its larger side: speckle blurred by a defocused beam
    /// has coarser grain, so its detail changes more slowly per pixel for the same spread.
    package var sharpness: Double
    /// Median mean/SD over homogeneous blocks of 16 × 16 reference pixels (``ReferenceFrame``:
    /// 16 px at 800 px on the larger side, 24 px at 1,200) in the mid-brightness quartiles; nil
    /// when none.
    package var speckleSNR: Double?
    /// Generalized CNR between skull band and brain inside the head ellipse; nil without a head.
    package var skullBrainGCNR: Double?

    mutating func roundNumbers() {
        for kp in [\ImageMetrics.fieldOfViewFraction, \.meanGrey, \.p5Grey, \.medianGrey, \.p95Grey, \.saturatedFraction, \.crushedFraction,
                   \.dynamicRange, \.rmsContrast, \.sharpness] {
            self[keyPath: kp] = JSONNumber.rounded(self[keyPath: kp])
        }
        speckleSNR = JSONNumber.rounded(speckleSNR)
        skullBrainGCNR = JSONNumber.rounded(skullBrainGCNR)
    }

    /// Statistics over the pixels where `analysisMask` is non-zero.
    package static func compute(_ image: GrayImage, analysisMask: [UInt8], fieldOfViewFraction: Double) -> ImageMetrics {
        let w = image.width, h = image.height
        let mask = GrayImage(width: w, height: h, samples: analysisMask)
        let hist = ImageStatistics.histogram(image, mask: mask)
        guard let (mean, sd) = ImageStatistics.meanStd(histogram: hist) else {
            return ImageMetrics(fieldOfViewFraction: fieldOfViewFraction, analysedPixels: 0, meanGrey: 0, p5Grey: 0, medianGrey: 0,
                                p95Grey: 0, saturatedFraction: 0, crushedFraction: 0, dynamicRange: 0, rmsContrast: 0, sharpness: 0,
                                speckleSNR: nil, skullBrainGCNR: nil)
        }
        let n = hist.reduce(0, +)
        func percentile(_ p: Double) -> Double { ImageStatistics.percentile(histogram: hist, p, rule: .nearestRank) ?? 0 }
        let p5 = percentile(5), p50 = percentile(50), p95 = percentile(95)
        let saturated = hist[250...].reduce(0, +)
        let crushed = hist[0...2].reduce(0, +)
        var m = ImageMetrics(
            fieldOfViewFraction: fieldOfViewFraction, analysedPixels: n, meanGrey: mean, p5Grey: p5, medianGrey: p50, p95Grey: p95,
            saturatedFraction: Double(saturated) / Double(n), crushedFraction: Double(crushed) / Double(n), dynamicRange: p95 - p5,
            rmsContrast: mean > 0 ? sd / mean : 0, sharpness: sharpness(image, analysisMask: analysisMask),
            speckleSNR: speckleSNR(image, mask: analysisMask), skullBrainGCNR: nil)
        m.roundNumbers()
        return m
    }

    /// Sharpness (see ``sharpness``) of `image` over `analysisMask`.
    ///
    /// Per-pixel gradients depend on the export size, not only on focus: the hc18-dev frames
    /// resized to 1.5× read 0.69 times as sharp and at 0.75× 1.29 times as sharp. So a frame of
    /// another size is first resampled to the reference size (``ReferenceFrame``, ``Resample``)
    /// and rounded back to grey levels, with a pixel analysed when every source pixel under it is.
    ///
    /// The statistic is taken on the speckle detail layer (``DetailLayer``), not the frame:
    /// on the frame itself a sharp, high-contrast head (dark brain, bright skull: a large SD)
    /// read as blurred, so 7 % of hc18-dev frames went to review for blur while the simulator's
    /// 4× defocused phantom sat inside their range (`scripts/rule-limits-cv.py`).
    static func sharpness(_ image: GrayImage, analysisMask: [UInt8]) -> Double {
        let w = image.width, h = image.height, longSide = max(w, h)
        guard longSide > 0 else { return 0 }
        var frame = image, mask = analysisMask
        if longSide != ReferenceFrame.longSidePixels {
            let factor = ReferenceFrame.scale(toReferenceFrom: longSide)
            frame = ImageConversion.gray(Resample.scaled(ImageConversion.float(image), by: factor))
            let coverage = Resample.scaled(FloatImage(width: w, height: h, samples: analysisMask.map { $0 != 0 ? 1 : 0 }), by: factor)
            mask = coverage.samples.map { $0 > 0.999 ? 1 : 0 }
        }
        let detail = DetailLayer.apply(frame, mask: mask, sigma: detailSigma)
        let sd = ImageStatistics.meanStd(detail, mask: GrayImage(width: detail.width, height: detail.height, samples: mask))?.std ?? 0
        return gradientOverSD(detail, analysisMask: mask, sd: sd)
    }

    /// Gaussian σ (reference pixels) of the background ``DetailLayer`` removes: about one speckle
    /// grain of the reference frames, so the layer keeps the speckle and edges and drops the
    /// anatomy's large-scale contrast. Its background is taken over analysed pixels only: with a
    /// plain blur the text phantom O-TEXT read 0.306 (next to its masked caption), with it 0.317.
    static let detailSigma = 2.0

    /// Mean central-difference gradient magnitude over `sd`, at pixels whose four neighbours are
    /// analysed too (no difference straddles the sector edge or an overlay).
    static func gradientOverSD(_ image: GrayImage, analysisMask: [UInt8], sd: Double) -> Double {
        let slope = Gradient.maskedSlopeSum(image, mask: analysisMask)
        return sd > 0 && slope.count > 0 ? (slope.sum / Double(slope.count)) / sd : 0
    }

    /// Speckle SNR (mean/SD) in homogeneous regions: fully developed speckle has a characteristic
    /// ratio (1.91 for the Rayleigh envelope, higher after log compression and smoothing), so a value
    /// far from the usual range points to heavy speckle reduction or noise. Blocks with the middle
    /// half of block means are taken as homogeneous tissue; the median over them is reported.
    static func speckleSNR(_ image: GrayImage, mask: [UInt8]) -> Double? {
        // Blocks cover the same share of the frame at any export size: in 16-px blocks a 1.5×
        // export's smoother pixels put IQ-006 on 4.8 % of hc18-dev frames, against 0.7 % at full size.
        let w = image.width, h = image.height
        let b = max(4, Int((16 / ReferenceFrame.scale(toReferenceFrom: max(w, h))).rounded()))
        var blocks: [(mean: Double, snr: Double)] = []
        let columns = w / b * b
        // Per band of b rows: column sums of v and v² and the column's smallest mask byte, in
        // row-long loops that vectorise (block-wide loops of 16 were too short to), then each block
        // adds its b columns. The sums are exact integers, as the Double sums they replace were (Int32
        // holds b rows of v² up to b = 33 025, far beyond any frame the decoders accept).
        var sum = [Int32](repeating: 0, count: columns), squares = [Int32](repeating: 0, count: columns)
        var maskMinimum = [UInt8](repeating: 0, count: columns)
        image.withUnsafeSamples { px in mask.withUnsafeBufferPointer { mask in
            sum.withUnsafeMutableBufferPointer { sum in squares.withUnsafeMutableBufferPointer { squares in
                maskMinimum.withUnsafeMutableBufferPointer { maskMinimum in
                    var by = 0
                    while by + b <= h {
                        sum.update(repeating: 0)
                        squares.update(repeating: 0)
                        maskMinimum.update(repeating: 255)
                        for y in by..<(by + b) {
                            // Row pointers: an overflow-checked `y * w + x` per pixel kept the loop scalar.
                            let pixels = px.baseAddress! + y * w, analysed = mask.baseAddress! + y * w
                            for x in 0..<columns {
                                let v = Int32(pixels[x])
                                sum[x] &+= v
                                squares[x] &+= v &* v
                                maskMinimum[x] = min(maskMinimum[x], analysed[x])
                            }
                        }
                        var bx = 0
                        while bx + b <= w {
                            var full = true, s = 0, ss = 0
                            for x in bx..<(bx + b) {
                                full = full && maskMinimum[x] != 0
                                s &+= Int(sum[x])
                                ss &+= Int(squares[x])
                            }
                            if full {
                                let n = Double(b * b)
                                let mean = Double(s) / n
                                let sd = max(0, Double(ss) / n - mean * mean).squareRoot()
                                if mean > 5, sd > 0 { blocks.append((mean, mean / sd)) }
                            }
                            bx += b
                        }
                        by += b
                    }
                }
            } }
        } }
        guard blocks.count >= 8 else { return nil }
        let sortedByMean = blocks.sorted { $0.mean < $1.mean }
        let mid = sortedByMean[(blocks.count / 4)..<(3 * blocks.count / 4)].map(\.snr).sorted()
        guard !mid.isEmpty else { return nil }
        return mid[mid.count / 2]
    }
}

/// 64-bit DCT perceptual hash (pHash): the frame is averaged down to 32×32, the 8×8 lowest
/// frequencies of its 2-D DCT-II are compared with their median (DC excluded from the median).
/// Identical frames hash identically; re-encoding, small noise and gain changes move a few bits.
package enum PerceptualHash {
    package static func hash(_ image: GrayImage) -> UInt64 {
        let n = 32
        guard image.width > 0, image.height > 0 else { return 0 }
        let small = blockMeans(image, blocks: n)
        var cosTable = [Double](repeating: 0, count: 8 * n)
        for u in 0..<8 { for x in 0..<n { cosTable[u * n + x] = cos(Double((2 * x + 1) * u) * Double.pi / Double(2 * n)) } }
        // Rows first (32 rows × 8 frequencies), then columns.
        var rowDCT = [Double](repeating: 0, count: n * 8)
        for y in 0..<n { for u in 0..<8 { var s = 0.0; for x in 0..<n { s += small[y * n + x] * cosTable[u * n + x] }; rowDCT[y * 8 + u] = s } }
        var coeffs = [Double](repeating: 0, count: 64)
        for v in 0..<8 { for u in 0..<8 { var s = 0.0; for y in 0..<n { s += rowDCT[y * 8 + u] * cosTable[v * n + y] }; coeffs[v * 8 + u] = s } }
        let median = Array(coeffs.dropFirst()).sorted()[31]
        var bits: UInt64 = 0
        for k in 0..<64 where coeffs[k] > median { bits |= 1 << UInt64(k) }
        return bits
    }

    /// Mean of each of `n × n` blocks, row-major: block (i, j) covers columns `i·w/n ..< (i+1)·w/n`
    /// and rows `j·h/n ..< (j+1)·h/n`, at least one of each (blocks repeat pixels when the image
    /// is smaller than `n`). Per band of block rows the columns are summed over the band's rows (a
    /// row-long loop that vectorises; block-wide ones of 25 pixels did not), then each block adds
    /// its columns. The sums are exact integers, so the means equal a pixel-by-pixel loop's.
    package static func blockMeans(_ image: GrayImage, blocks n: Int) -> [Double] {
        let w = image.width, h = image.height
        var means = [Double](repeating: 0, count: n * n)
        var columnSums = [UInt32](repeating: 0, count: w)
        image.withUnsafeSamples { px in
            columnSums.withUnsafeMutableBufferPointer { columnSums in
                for j in 0..<n {
                    let y0 = j * h / n, y1 = min(h, max(y0 + 1, (j + 1) * h / n))
                    columnSums.update(repeating: 0)
                    for y in y0..<y1 {
                        let row = px.baseAddress! + y * w
                        for x in 0..<w { columnSums[x] &+= UInt32(row[x]) }
                    }
                    for i in 0..<n {
                        let x0 = i * w / n, x1 = min(w, max(x0 + 1, (i + 1) * w / n))
                        var s = 0
                        for x in x0..<x1 { s += Int(columnSums[x]) }
                        means[j * n + i] = Double(s) / Double((y1 - y0) * (x1 - x0))
                    }
                }
            }
        }
        return means
    }

    package static func hex(_ hash: UInt64) -> String {
        let s = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    package static func parse(hex: String) -> UInt64? { UInt64(hex, radix: 16) }

    package static func distance(_ a: UInt64, _ b: UInt64) -> Int { (a ^ b).nonzeroBitCount }
}
