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
            var lo = [Int](repeating: Int.max, count: bh), hi = [Int](repeating: -1, count: bh)
            for run in labels.runs(of: labels.components[Int(largest) - 1]) {
                lo[run.y] = min(lo[run.y], run.x.lowerBound)
                hi[run.y] = max(hi[run.y], run.x.upperBound - 1)
            }
            for by in 0..<bh where hi[by] >= lo[by] {
                for bx in lo[by]...hi[by] { hull[by * bw + bx] = 1 }
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
                for run in boxLabels.runs(of: comp) {
                    for bx in run.x { hull[run.y * bw + bx] = 0 }
                }
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

/// 4-connected component labelling of a binary grid (non-zero = foreground). Each component is
/// given as its runs of cells along rows rather than as a label raster: the callers only visit a
/// component's cells, and a raster of the frame's size (the overlay candidates) cost a 1.7 MB fill.
struct Components {
    struct Component {
        var label: Int32
        var count: Int
        var minX: Int, minY: Int, maxX: Int, maxY: Int
        /// Its cells: these indices of ``Components/runs``.
        var runs: Range<Int>
        var width: Int { maxX - minX + 1 }
        var height: Int { maxY - minY + 1 }
    }

    /// Cells `x` of row `y`.
    struct Run {
        var y: Int
        var x: Range<Int>
    }

    /// Every component's runs, component after component in label order, each's in scan order.
    var runs: [Run]
    /// Labelled 1, 2, … in the order of their first cells in row-major order.
    var components: [Component]

    /// Label of the component with most cells (lowest label on ties, so the result is deterministic).
    var largest: Int32? {
        components.max { a, b in a.count != b.count ? a.count < b.count : a.label > b.label }?.label
    }

    /// The runs of `component`.
    func runs(of component: Component) -> ArraySlice<Run> { runs[component.runs] }

    static func label(_ grid: [UInt8], width w: Int, height h: Int) -> Components {
        // Runs of set cells in scan order, each joined to the runs it touches in the row above by
        // union–find that keeps the lower run index as the root. A component's root is then its
        // first run, which holds its first cell in row-major order, so labels are numbered as a
        // flood fill from each unlabelled cell in row-major order would number them. (Such a fill,
        // cell by cell, was 2 % of `analyze`'s samples: the field of view's block grid is dense.)
        var runRow: [Int32] = [], runStart: [Int32] = [], runEnd: [Int32] = []
        grid.withUnsafeBufferPointer { grid in
            var y = 0, rowEnd = w, previous = -2
            forEachNonZeroByte(in: grid) { i in
                if i == previous + 1, i < rowEnd {
                    runEnd[runEnd.count - 1] += 1
                } else {
                    while i >= rowEnd {
                        y += 1
                        rowEnd += w
                    }
                    runRow.append(Int32(y))
                    runStart.append(Int32(i - (rowEnd - w)))
                    runEnd.append(Int32(i - (rowEnd - w) + 1))
                }
                previous = i
            }
        }
        let count = runRow.count
        var parent = [Int32](unsafeUninitializedCapacity: count) { p, n in
            for r in 0..<count { p[r] = Int32(r) }
            n = count
        }
        func root(_ r: Int) -> Int {
            var r = r
            while Int(parent[r]) != r {
                parent[r] = parent[Int(parent[r])]
                r = Int(parent[r])
            }
            return r
        }
        // The runs of the row above that may touch run r start at `above`, which only moves forward:
        // a run ending before r starts ends before every later run of r's row starts too.
        var above = 0
        for r in 0..<count {
            let y = runRow[r]
            while above < r, runRow[above] < y - 1 || (runRow[above] == y - 1 && runEnd[above] <= runStart[r]) { above += 1 }
            var q = above
            while q < r, runRow[q] == y - 1, runStart[q] < runEnd[r] {
                let a = root(r), b = root(q)
                if a != b { parent[max(a, b)] = Int32(min(a, b)) }
                q += 1
            }
        }
        // Components in root order (the root is the component's first run, met before its
        // others), then the runs grouped by component with a counting sort that keeps scan order
        // within each.
        var comps: [Component] = [], runsPerComponent: [Int] = []
        var componentOfRun = [Int32](repeating: 0, count: count)
        for r in 0..<count {
            let top = root(r)
            if top == r {
                comps.append(Component(label: Int32(comps.count + 1), count: 0, minX: w, minY: h, maxX: -1, maxY: -1, runs: 0..<0))
                runsPerComponent.append(0)
            }
            let k = top == r ? comps.count - 1 : Int(componentOfRun[top])
            componentOfRun[r] = Int32(k)
            let x0 = Int(runStart[r]), x1 = Int(runEnd[r]), y = Int(runRow[r])
            comps[k].count += x1 - x0
            comps[k].minX = min(comps[k].minX, x0); comps[k].maxX = max(comps[k].maxX, x1 - 1)
            comps[k].minY = min(comps[k].minY, y); comps[k].maxY = max(comps[k].maxY, y)
            runsPerComponent[k] += 1
        }
        var next = 0
        for k in comps.indices {
            comps[k].runs = next..<(next + runsPerComponent[k])
            next += runsPerComponent[k]
        }
        var fill = comps.map(\.runs.lowerBound)
        var runs = [Run](repeating: Run(y: 0, x: 0..<0), count: count)
        for r in 0..<count {
            let k = Int(componentOfRun[r])
            runs[fill[k]] = Run(y: Int(runRow[r]), x: Int(runStart[r])..<Int(runEnd[r]))
            fill[k] += 1
        }
        return Components(runs: runs, components: comps)
    }
}
