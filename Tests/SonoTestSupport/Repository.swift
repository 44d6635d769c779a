package import Foundation

/// Paths every test target needs, found from this file's location so tests work from any working
/// directory and on a clone with nothing beside it.
package enum Repository {
    /// The repository root (this file is `Tests/SonoTestSupport/Repository.swift`).
    package static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A file under the repository, e.g. `samples/clean-18-40/truth.csv`.
    package static func path(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// A committed test fixture under `Tests/Fixtures`.
    package static func fixture(_ relative: String) -> URL {
        root.appendingPathComponent("Tests/Fixtures").appendingPathComponent(relative)
    }

    /// A committed sample batch under `samples/`.
    package static func sample(_ batch: String) -> URL {
        root.appendingPathComponent("samples").appendingPathComponent(batch)
    }
}

/// The team's shared data beside the repository (`../shared`), read in place and never copied.
/// A clone made elsewhere does not have it: tests that need it are disabled with a visible reason
/// (`.enabled(if: SharedData.hasHC18, "…is absent…")`).
package enum SharedData {
    package static let root: URL = Repository.root.deletingLastPathComponent().appendingPathComponent("shared")

    package static var hc18Directory: URL { root.appendingPathComponent("data/hc18-dev") }
    package static var hc18Images: URL { hc18Directory.appendingPathComponent("images") }
    package static var hc18Truth: URL { hc18Directory.appendingPathComponent("truth.csv") }
    package static var hc18EllipseTruth: URL { hc18Directory.appendingPathComponent("ellipse-truth.csv") }

    package static var hasHC18: Bool { FileManager.default.fileExists(atPath: hc18Truth.path) }

    /// The frame names listed in `truth.csv`: the count the tests expect, whatever the set's size.
    package static func hc18FrameNames() throws -> [String] {
        try CSVTable(contentsOf: hc18Truth).rows.compactMap { $0["filename"] }
    }

    package static func data(_ relative: String) -> URL { root.appendingPathComponent("data").appendingPathComponent(relative) }
    package static func has(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: data(relative).path) }
}

/// A small header-first CSV without quoted fields (reference tables and truth files), as rows keyed by
/// column name. Test-only: the product reads CSV through its own RFC 4180 reader.
package struct CSVTable {
    package let header: [String]
    package let rows: [[String: String]]

    package init(contentsOf url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard !lines.isEmpty else { header = []; rows = []; return }
        header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let header = self.header
        rows = lines.map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Dictionary(zip(header, fields), uniquingKeysWith: { first, _ in first })
        }
    }
}
