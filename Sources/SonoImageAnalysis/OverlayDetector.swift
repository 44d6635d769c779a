package import SonoCore
import SonoFilters

/// What burned-in annotation was found, and how much of the frame it covers.
package struct OverlaySummary: Sendable, Codable, Hashable {
    /// Kinds found, sorted: `marks-in-field-of-view` (calipers, dotted ellipses, text on the image),
    /// `text-outside-field-of-view`, `grey-bar`, `black-box`.
    package var kinds: [String]
    /// Masked pixels (after a 2-pixel dilation) / all pixels.
    package var maskedFraction: Double
    /// Masked pixels inside the field of view.
    package var maskedPixelsInFieldOfView: Int
    /// Bounding boxes of the detected overlay components (at most 64, top-left first).
    package var regions: [Region]

    package init(kinds: [String], maskedFraction: Double, maskedPixelsInFieldOfView: Int, regions: [Region]) {
        self.kinds = kinds
        self.maskedFraction = JSONNumber.rounded(maskedFraction)
        self.maskedPixelsInFieldOfView = maskedPixelsInFieldOfView
        self.regions = regions
    }
}

/// Finds burned-in overlays: calipers, dotted ellipses and text (thin, near-white, much brighter than
/// their 7×7 surroundings), grey-scale bars and text outside the sector, and black anonymisation boxes.
///
/// The mask it returns is excluded from every statistic and handed to the head measurer, whose ridge
/// detector would otherwise follow a dotted caliper ellipse instead of the skull.
package enum OverlayDetector {
    /// A mark pixel is at least this bright…
    package static let markLevel: UInt8 = 230
    /// …and at least this much brighter than the mean of its 7×7 neighbourhood.
    package static let markContrast = 100

    package struct Result: Sendable {
        /// 255 where an overlay was found (dilated by 2 px), else 0; `width × height`.
        package var mask: GrayImage
        package var summary: OverlaySummary
    }

    package static func detect(_ image: GrayImage, fieldOfView fov: FieldOfView) -> Result {
        let w = image.width, h = image.height
        guard w > 0, h > 0 else {
            return Result(mask: GrayImage(width: w, height: h, repeating: 0),
                          summary: OverlaySummary(kinds: [], maskedFraction: 0, maskedPixelsInFieldOfView: 0, regions: []))
        }
        // 7×7 neighbourhood sums with the edge repeated (replicate), compared in integers:
        // v − mean ≥ contrast ⇔ v·n − sum ≥ contrast·n. Summed only around near-white pixels,
        // which are rare, instead of filtering the whole frame.
        let r = 3
        let n = (2 * r + 1) * (2 * r + 1)
        // Candidates first, in a branch-free pass the compiler vectorises: a mark needs a near-white
        // pixel inside the sector, annotation a bright one outside it, and most pixels are neither.
        // The pass writes every pixel, so the array is not zero-filled before it.
        var raw = image.withUnsafeSamples { px in
            fov.mask.withUnsafeBufferPointer { inside in
                [UInt8](unsafeUninitializedCapacity: w * h) { raw, initialized in
                    for i in 0..<(w * h) { raw[i] = (inside[i] != 0 ? px[i] >= markLevel : px[i] > 90) ? 3 : 0 }
                    initialized = w * h
                }
            }
        }
        image.withUnsafeSamples { px in
            fov.mask.withUnsafeBufferPointer { inside in
                raw.withUnsafeMutableBufferPointer { raw in
                    forEachNonZeroByte(in: UnsafeBufferPointer(raw)) { i in
                        let v = Int(px[i]), x = i % w, y = i / w
                        if inside[i] != 0 {
                            let sum = Int(BoxFilter.windowSum(image, x: x, y: y, radius: r, border: .replicate))
                            raw[i] = v * n - sum >= markContrast * n ? 1 : 0
                        } else {
                            // Anything bright outside the sector is annotation (text, bars, logos).
                            let nearSector = fov.contains(x: x - 12, y: y) || fov.contains(x: x + 12, y: y)
                                || fov.contains(x: x, y: y - 12) || fov.contains(x: x, y: y + 12)
                            raw[i] = nearSector ? 0 : 2
                        }
                    }
                }
            }
        }
        let comps = Components.label(raw, width: w, height: h)
        var kinds: Set<String> = []
        var regions: [Region] = []
        var keep = [UInt8](repeating: 0, count: w * h)
        var keepLabel = [Bool](repeating: false, count: comps.components.count + 1)
        // Dotted lines (a caliper ellipse drawn as 1-4 px dots) are only credible in numbers: a few
        // isolated bright pixels are speckle, dozens of identical dots are a drawing.
        let dots = comps.components.filter { $0.count < 8 && max($0.width, $0.height) <= 3 }
        // In a saturated frame bright isolated pixels are speckle clipped at white, not dots.
        var saturatedInFOV = 0
        image.withUnsafeSamples { px in
            fov.mask.withUnsafeBufferPointer { inside in
                // Counted in bytes, 255 pixels at a time, so the branch-free loop vectorises in byte
                // lanes (an Int count widened every pixel to 64 bits).
                var start = 0
                while start < w * h {
                    let end = min(w * h, start + 255)
                    var chunk: UInt8 = 0
                    for i in start..<end {
                        let inFieldOfView: UInt8 = inside[i] != 0 ? 1 : 0, saturated: UInt8 = px[i] >= 250 ? 1 : 0
                        chunk &+= inFieldOfView & saturated
                    }
                    saturatedInFOV += Int(chunk)
                    start = end
                }
            }
        }
        let dotsAreDrawing = dots.count >= 30 && saturatedInFOV * 100 < max(1, fov.pixelCount)
        for comp in comps.components {
            // Decide by the component's first pixel class: inside components contain only class 1
            // unless they touch the sector edge, where the outside class wins (annotation anyway).
            var insideCount = 0
            var outsideCount = 0
            for run in comps.runs(of: comp) {
                for x in run.x {
                    if raw[run.y * w + x] == 1 { insideCount += 1 } else { outsideCount += 1 }
                }
            }
            if outsideCount > 0 {
                guard comp.count >= 8 else { continue }
                // Thin and tall: a grey-scale bar; otherwise text or logo.
                if comp.height >= 40, comp.height >= 4 * comp.width { kinds.insert("grey-bar") } else { kinds.insert("text-outside-field-of-view") }
            } else {
                // Isolated bright speckle is 1–3 px; marks are lines or crosses of several pixels.
                let isDot = comp.count < 8 && max(comp.width, comp.height) <= 3
                guard isDot ? dotsAreDrawing : insideCount >= 8 else { continue }
                kinds.insert("marks-in-field-of-view")
            }
            keepLabel[Int(comp.label)] = true
            regions.append(Region(x: comp.minX, y: comp.minY, width: comp.width, height: comp.height))
        }
        for comp in comps.components where keepLabel[Int(comp.label)] {
            for run in comps.runs(of: comp) {
                for x in run.x { keep[run.y * w + x] = 1 }
            }
        }
        if !fov.blackBoxes.isEmpty { kinds.insert("black-box") }
        // Dilate by 2 px (square) so anti-aliased and JPEG-smeared edges of marks are excluded too.
        var mask = Morphology.dilate(GrayImage(width: w, height: h, samples: keep), radius: 2).samples
        for box in fov.blackBoxes {
            for y in box.y..<(box.y + box.height) { for x in box.x..<(box.x + box.width) { mask[y * w + x] = 255 } }
        }
        var masked = 0, maskedInFOV = 0
        mask.withUnsafeBufferPointer { mask in
            fov.mask.withUnsafeBufferPointer { inside in
                forEachNonZeroByte(in: mask) { i in
                    masked += 1
                    if inside[i] != 0 { maskedInFOV += 1 }
                }
            }
        }
        regions.sort { ($0.y, $0.x, $0.width, $0.height) < ($1.y, $1.x, $1.width, $1.height) }
        let boxes = fov.blackBoxes
        return Result(mask: GrayImage(width: w, height: h, samples: mask),
                      summary: OverlaySummary(kinds: kinds.sorted(), maskedFraction: Double(masked) / Double(w * h),
                                              maskedPixelsInFieldOfView: maskedInFOV,
                                              regions: Array((regions + boxes).prefix(64))))
    }
}
