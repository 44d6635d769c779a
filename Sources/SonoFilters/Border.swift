import SonoCore

/// Border rules shared by the kernels.
///
/// SonoFilters uses OpenCV's default, reflect-101 (`gfedcb|abcdefgh|gfedcba`: the edge sample
/// is not repeated), unless a kernel documents otherwise. Median filtering uses replicate
/// (`aaaaaa|abcdefgh|hhhhhhh`) because that is what OpenCV's `medianBlur` does, and SRAD uses
/// zero flux across the border (the Neumann condition of the diffusion equation).
enum Border {
    /// Maps any integer coordinate into `0..<count` by reflect-101. Handles offsets larger than
    /// the image (kernels wider than the image reflect repeatedly, as OpenCV does).
    @inline(__always)
    static func reflect101(_ index: Int, _ count: Int) -> Int {
        if count == 1 { return 0 }
        var i = index
        while i < 0 || i >= count {
            if i < 0 { i = -i }
            if i >= count { i = 2 * count - 2 - i }
        }
        return i
    }

    /// Clamps a coordinate into `0..<count` (replicate border).
    @inline(__always)
    static func replicate(_ index: Int, _ count: Int) -> Int {
        min(max(index, 0), count - 1)
    }

    /// Source columns for a row padded by `radius` on each side: entry `k` is the source
    /// column of padded position `k` (padded position `radius` is column 0).
    static func reflect101Table(count: Int, radius: Int) -> [Int] {
        (0..<(count + 2 * radius)).map { reflect101($0 - radius, count) }
    }

    static func replicateTable(count: Int, radius: Int) -> [Int] {
        (0..<(count + 2 * radius)).map { replicate($0 - radius, count) }
    }
}

/// Border rule a caller chooses for kernels that offer more than one (``BoxFilter/windowSums(_:radius:border:backend:)``).
package enum BorderMode: Sendable, Hashable, CaseIterable {
    /// `gfedcb|abcdefgh|gfedcba`, OpenCV's default.
    case reflect101
    /// `aaaaaa|abcdefgh|hhhhhhh`: the edge sample repeats (a neighbourhood mean near the edge is
    /// then dominated by the edge, which is what detectors comparing a pixel with its
    /// surroundings want).
    case replicate

    @inline(__always)
    func index(_ index: Int, _ count: Int) -> Int {
        switch self {
        case .reflect101: Border.reflect101(index, count)
        case .replicate: Border.replicate(index, count)
        }
    }

    func table(count: Int, radius: Int) -> [Int] {
        switch self {
        case .reflect101: Border.reflect101Table(count: count, radius: radius)
        case .replicate: Border.replicateTable(count: count, radius: radius)
        }
    }
}
