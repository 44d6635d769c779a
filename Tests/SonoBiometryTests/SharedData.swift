import Foundation

/// Locates the shared reference data and HC18 development images next to the repository
/// (`../shared`), found from this file's path so the tests work from any working directory.
/// Nothing from there is copied into the project.
enum SharedData {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared")

    static var referenceDirectory: URL { root.appendingPathComponent("reference") }
    static var hc18Directory: URL { root.appendingPathComponent("data/hc18-dev") }

    static var checkValuesPath: String { referenceDirectory.appendingPathComponent("biometry-checkvalues.csv").path }
    static var publishedCentilesPath: String {
        referenceDirectory.appendingPathComponent("intergrowth-published-centiles.csv").path
    }

    static var hasCheckValues: Bool { FileManager.default.fileExists(atPath: checkValuesPath) }
    static var hasPublishedCentiles: Bool { FileManager.default.fileExists(atPath: publishedCentilesPath) }
    static var hasHC18: Bool {
        FileManager.default.fileExists(atPath: hc18Directory.appendingPathComponent("truth.csv").path)
    }

    /// Rows of a small CSV with a header line, as dictionaries keyed by column name.
    static func readCSV(_ path: String) throws -> [[String: String]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard !lines.isEmpty else { return [] }
        let header = lines.removeFirst().split(separator: ",").map(String.init)
        return lines.map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            var row: [String: String] = [:]
            for (key, value) in zip(header, fields) { row[key] = value }
            return row
        }
    }
}

/// The simulator's committed phantom batches (`samples/<batch>/truth.csv`), when present.
enum SampleBatches {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("samples")

    static func truthFile(batch: String) -> URL { root.appendingPathComponent(batch).appendingPathComponent("truth.csv") }
    static func has(_ batch: String) -> Bool { FileManager.default.fileExists(atPath: truthFile(batch: batch).path) }
}
