package import SonoCore
import SonoFilters

/// The part of a frame that holds ultrasound data (the sector), as a full-resolution mask.
///
/// Scanner exports put the sector on a black background with text, bars and logos around it, and
/// every image-quality statistic is meaningless if that background is counted. Detection works on
/// 4×4 blocks: a block is "live" when at least a quarter of its pixels are above a near-black
/// level; the largest 4-connected live component is the sector (text and bars outside it are
/// separate components); each block row is filled between its leftmost and rightmost live block
/// because sectors are convex along rows (dark fluid inside the sector stays inside).
/// Solid black rectangles inside that hull (anonymisation boxes) are removed again.
package struct FieldOfView: Sendable {
    package static let blockSize = 4
    /// Pixels above this grey level count as signal (JPEG ringing on black stays at or below it).
    package static let liveLevel: UInt8 = 6

    package let width: Int
    package let height: Int
    /// 1 inside the field of view, 0 outside; row-major, `width × height`.
    package let mask: [UInt8]
    /// The same mask eroded by one block, for statistics away from the sector edge.
    package let inner: [UInt8]
    package let pixelCount: Int
    /// Bounding boxes of solid black rectangles removed from the sector (anonymisation boxes).
    package let blackBoxes: [Region]

    package var fraction: Double { width * height == 0 ? 0 : Double(pixelCount) / Double(width * height) }

    package func contains(x: Int, y: Int) -> Bool {
        x >= 0 && y >= 0 && x < width && y < height && mask[y * width + x] != 0
    }

    package static func detect(_ image: GrayImage) -> FieldOfView {
        let w = image.width, h = image.height, b = blockSize
        let bw = (w + b - 1) / b, bh = (h + b - 1) / b
        guard w > 0, h > 0 else {
            return FieldOfView(width: w, height: h, mask: [], inner: [], pixelCount: 0, blackBoxes: [])
        }
        // Per 4×4 tile: live when at least a quarter of its pixels exceed `liveLevel`, dark when
        // none exceeds 1 (tiles on the right and bottom edge may be partial).
        let signal = Downsample.countAbove(image, threshold: liveLevel, block: b).samples
        let notBlack = Downsample.countAbove(image, threshold: 1, block: b).samples
        var live = [UInt8](repeating: 0, count: bw * bh)
        var dark = [UInt8](repeating: 0, count: bw * bh)
        for by in 0..<bh {
            let rows = min(h, by * b + b) - by * b
            for bx in 0..<bw {
                let total = rows * (min(w, bx * b + b) - bx * b)
                live[by * bw + bx] = Int(signal[by * bw + bx]) * 4 >= total ? 1 : 0
                dark[by * bw + bx] = notBlack[by * bw + bx] == 0 ? 1 : 0
            }
        }
        let labels = Components.label(live, width: bw, height: bh)
        var hull = [UInt8](repeating: 0, count: bw * bh)
        if let largest = labels.largest {
            for by in 0..<bh {
                var lo = Int.max, hi = -1
                for bx in 0..<bw where labels.labels[by * bw + bx] == largest {
                    lo = min(lo, bx)
                    hi = max(hi, bx)
                }
                if hi >= lo { for bx in lo...hi { hull[by * bw + bx] = 1 } }
            }
        }
        // Anonymisation boxes: solid black, rectangular, inside the hull.
        var boxCandidates = [UInt8](repeating: 0, count: bw * bh)
        for i in 0..<(bw * bh) where hull[i] != 0 && dark[i] != 0 { boxCandidates[i] = 1 }
        let boxLabels = Components.label(boxCandidates, width: bw, height: bh)
        var boxes: [Region] = []
        for comp in boxLabels.components where comp.count >= 40 {
            let bboxArea = comp.width * comp.height
            if Double(comp.count) >= 0.9 * Double(bboxArea), comp.width >= 4, comp.height >= 3 {
                boxes.append(Region(x: comp.minX * b, y: comp.minY * b, width: comp.width * b, height: comp.height * b)
                    .clipped(width: w, height: h))
                for i in 0..<(bw * bh) where boxLabels.labels[i] == comp.label { hull[i] = 0 }
            }
        }
        // A hull block stays when its four neighbours are hull blocks too (none off the grid).
        var eroded = [UInt8](repeating: 0, count: bw * bh)
        for by in 1..<max(1, bh - 1) {
            for bx in 1..<max(1, bw - 1) {
                let i = by * bw + bx
                let all = hull[i] != 0 && hull[i - 1] != 0 && hull[i + 1] != 0 && hull[i - bw] != 0 && hull[i + bw] != 0
                eroded[i] = all ? 1 : 0
            }
        }
        // Block grid to pixels: expand each block row once, then copy it to the block's pixel rows.
        // Every pixel is written, so the frame-sized arrays are not zero-filled first.
        var inner: [UInt8] = []
        var count = 0
        let mask = [UInt8](unsafeUninitializedCapacity: w * h) { mask, maskInitialized in
            inner = [UInt8](unsafeUninitializedCapacity: w * h) { inner, innerInitialized in
                hull.withUnsafeBufferPointer { hull in eroded.withUnsafeBufferPointer { eroded in
                    let fullBlocks = w / b
                    for by in 0..<bh {
                        let y0 = by * b, rows = min(h, y0 + b) - y0
                        let maskRow = mask.baseAddress! + y0 * w, innerRow = inner.baseAddress! + y0 * w
                        let hullRow = hull.baseAddress! + by * bw, innerBlocks = eroded.baseAddress! + by * bw
                        // Block by block, its `b` pixels in an inner loop the compiler unrolls (`b` is
                        // a constant): a fill call per 4-pixel block cost more than the fill, a loop
                        // over pixels reading their block (`x / b`) ran about 8 instructions a pixel,
                        // and one loop taking the partial last block too (a variable trip count) kept
                        // the compiler from unrolling (+30 M instructions on 20 frames). So the
                        // partial block's pixels follow on their own.
                        var fullBlocksInHull = 0
                        for bx in 0..<fullBlocks {
                            let hullValue = hullRow[bx], innerValue = innerBlocks[bx]
                            for k in 0..<b {
                                maskRow[bx * b + k] = hullValue
                                innerRow[bx * b + k] = innerValue
                            }
                            fullBlocksInHull &+= Int(hullValue)
                        }
                        var hullPixels = fullBlocksInHull * b
                        for x in (fullBlocks * b)..<w {
                            maskRow[x] = hullRow[fullBlocks]
                            innerRow[x] = innerBlocks[fullBlocks]
                            hullPixels &+= Int(hullRow[fullBlocks])
                        }
                        count += hullPixels * rows
                        for dy in 1..<rows {
                            (maskRow + dy * w).initialize(from: maskRow, count: w)
                            (innerRow + dy * w).initialize(from: innerRow, count: w)
                        }
                    }
                } }
                innerInitialized = w * h
            }
            maskInitialized = w * h
        }
        return FieldOfView(width: w, height: h, mask: mask, inner: inner, pixelCount: count, blackBoxes: boxes.sorted { ($0.y, $0.x) < ($1.y, $1.x) })
    }
}

/// 4-connected component labelling of a binary grid (non-zero = foreground).
struct Components {
    struct Component {
        var label: Int32
        var count: Int
        var minX: Int, minY: Int, maxX: Int, maxY: Int
        var width: Int { maxX - minX + 1 }
        var height: Int { maxY - minY + 1 }
    }

    var labels: [Int32]
    var components: [Component]

    /// Label of the component with most cells (lowest label on ties, so the result is deterministic).
    var largest: Int32? {
        components.max { a, b in a.count != b.count ? a.count < b.count : a.label > b.label }?.label
    }

    static func label(_ grid: [UInt8], width w: Int, height h: Int) -> Components {
        var labels = [Int32](repeating: 0, count: w * h)
        var comps: [Component] = []
        // Flood fill from each unlabelled cell in row-major order, 4-connected. The stack holds
        // (x, y), so no cell's coordinates are recovered by two divisions; it is a plain buffer
        // (a cell is pushed once, when it is labelled, so w·h entries always suffice) and the
        // labels are read and written through a buffer pointer: an array stack captured by the
        // fill checked its uniqueness on every push and pop.
        let stack = UnsafeMutablePointer<SIMD2<Int32>>.allocate(capacity: max(1, w * h))
        defer { stack.deallocate() }
        grid.withUnsafeBufferPointer { grid in labels.withUnsafeMutableBufferPointer { labels in
            forEachNonZeroByte(in: grid) { start in
                guard labels[start] == 0 else { return }
                let label = Int32(comps.count + 1)
                var comp = Component(label: label, count: 0, minX: w, minY: h, maxX: -1, maxY: -1)
                labels[start] = label
                stack[0] = SIMD2(Int32(start % w), Int32(start / w))
                var depth = 1
                @inline(__always) func push(_ j: Int, _ x: Int, _ y: Int) {
                    labels[j] = label
                    stack[depth] = SIMD2(Int32(x), Int32(y))
                    depth += 1
                }
                while depth > 0 {
                    depth -= 1
                    let x = Int(stack[depth].x), y = Int(stack[depth].y)
                    let i = y * w + x
                    comp.count += 1
                    comp.minX = min(comp.minX, x); comp.maxX = max(comp.maxX, x)
                    comp.minY = min(comp.minY, y); comp.maxY = max(comp.maxY, y)
                    if x > 0, grid[i - 1] != 0, labels[i - 1] == 0 { push(i - 1, x - 1, y) }
                    if x < w - 1, grid[i + 1] != 0, labels[i + 1] == 0 { push(i + 1, x + 1, y) }
                    if y > 0, grid[i - w] != 0, labels[i - w] == 0 { push(i - w, x, y - 1) }
                    if y < h - 1, grid[i + w] != 0, labels[i + w] == 0 { push(i + w, x, y + 1) }
                }
                comps.append(comp)
            }
        } }
        return Components(labels: labels, components: comps)
    }
}
