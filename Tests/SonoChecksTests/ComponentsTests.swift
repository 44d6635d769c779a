import SonoCore
import Testing
@testable import SonoImageAnalysis

/// 4-connected component labelling (field of view, overlay marks), against a union-find over
/// every pair of set neighbours: labels numbered by each component's first cell in row-major
/// order, with its cell count, bounding box and runs of cells.
@Suite("Connected components")
struct ComponentsTests {
    static func reference(_ grid: [UInt8], width w: Int, height h: Int) -> (labels: [Int32], boxes: [[Int]]) {
        var parent = Array(0..<(w * h))
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { i = parent[i] }
            return i
        }
        for i in grid.indices where grid[i] != 0 {
            let x = i % w
            if x > 0, grid[i - 1] != 0 { parent[root(i)] = root(i - 1) }
            if i >= w, grid[i - w] != 0 { parent[root(i)] = root(i - w) }
        }
        var labelOfRoot: [Int: Int32] = [:], labels = [Int32](repeating: 0, count: w * h), boxes: [[Int]] = []
        for i in grid.indices where grid[i] != 0 {
            let r = root(i), x = i % w, y = i / w
            if labelOfRoot[r] == nil {
                labelOfRoot[r] = Int32(boxes.count + 1)
                boxes.append([0, x, y, x, y])
            }
            let label = labelOfRoot[r]!
            labels[i] = label
            let k = Int(label) - 1
            boxes[k][0] += 1
            boxes[k][1] = min(boxes[k][1], x); boxes[k][2] = min(boxes[k][2], y)
            boxes[k][3] = max(boxes[k][3], x); boxes[k][4] = max(boxes[k][4], y)
        }
        return (labels, boxes)
    }

    @Test("labels, counts and boxes as the union-find reference", arguments: [0.05, 0.45, 0.6, 0.95])
    func matchesReference(density: Double) {
        var generator = SplitMix64(seed: UInt64(density * 1000))
        for (w, h) in [(1, 1), (1, 37), (41, 1), (64, 48), (203, 97)] {
            let grid = (0..<(w * h)).map { _ in
                Double.random(in: 0..<1, using: &generator) < density ? UInt8.random(in: 1...255, using: &generator) : 0
            }
            let found = Components.label(grid, width: w, height: h)
            let expected = Self.reference(grid, width: w, height: h)
            // The runs, painted with their component's label, must give the reference's labels:
            // every set cell in exactly one run of its own component.
            var labels = [Int32](repeating: 0, count: w * h), painted = 0
            for component in found.components {
                for run in found.runs(of: component) {
                    for x in run.x { labels[run.y * w + x] = component.label }
                    painted += run.x.count
                }
            }
            #expect(labels == expected.labels, "\(w)x\(h) density \(density)")
            #expect(painted == grid.filter { $0 != 0 }.count)
            #expect(found.runs.count == found.components.reduce(0) { $0 + $1.runs.count })
            #expect(found.components.map { [$0.count, $0.minX, $0.minY, $0.maxX, $0.maxY] } == expected.boxes,
                    "\(w)x\(h) density \(density)")
            #expect(found.components.map(\.label) == (0..<expected.boxes.count).map { Int32($0 + 1) })
        }
    }
}
