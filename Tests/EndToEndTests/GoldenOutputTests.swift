import Foundation
import SonoCore
import Testing
import SonoTestSupport

/// `sonoqc analyze samples` (the run `make run` does) compared byte for byte with the committed
/// outputs in `Tests/Golden/samples`: every report.json, report.html, thumbnail, index and summary.
/// Any change in what SonoQC writes fails here until `scripts/record-golden.sh` is run on purpose and
/// the new files are committed with the reason; this test never records.
@Suite("Golden outputs of sonoqc analyze samples")
struct GoldenOutputTests {
    static let golden = Repository.path("Tests/Golden/samples")

    /// `path → SHA-256 hex` from a `sha256sum` listing.
    static func parseSums(_ text: String) -> [String: String] {
        var sums: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            sums[String(parts[1].drop { $0 == " " || $0 == "*" })] = String(parts[0])
        }
        return sums
    }

    @Test("every output file equals the committed golden bytes")
    func outputsMatchGolden() throws {
        let expected = Self.parseSums(try String(contentsOf: Self.golden.appendingPathComponent("SHA256SUMS"), encoding: .utf8))
        try #require(expected.count > 100, "golden listing looks empty: run scripts/record-golden.sh")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("sonoqc-golden-\(getpid())")
        try? FileManager.default.removeItem(at: out)
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try SonoQCBinary.run(["analyze", "samples", "--out", out.path, "--jobs", "2", "--quiet"],
                                          in: Repository.root)
        #expect(result.status == 0, "\(result.stderr)")

        var actual: [String: String] = [:]
        let files = try FileManager.default.subpathsOfDirectory(atPath: out.path)
        for file in files where !file.hasSuffix("timing.json") && !(file as NSString).lastPathComponent.hasPrefix(".sonoqc") {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path, isDirectory: &isDirectory),
                  !isDirectory.boolValue else { continue }
            actual[file] = ContentDigest.sha256Hex(try Data(contentsOf: out.appendingPathComponent(file)))
        }
        let missing = Set(expected.keys).subtracting(actual.keys).sorted()
        let extra = Set(actual.keys).subtracting(expected.keys).sorted()
        let changed = expected.keys.filter { actual[$0] != nil && actual[$0] != expected[$0] }.sorted()
        #expect(missing.isEmpty, "not written any more: \(missing.prefix(20))")
        #expect(extra.isEmpty, "new files: \(extra.prefix(20))")
        #expect(changed.isEmpty, "\(changed.count) files differ, e.g. \(changed.prefix(20))")
        // The summaries are committed in full so a failure shows what changed.
        for name in ["summary.json", "summary.csv"] where changed.contains(name) {
            let want = try String(contentsOf: Self.golden.appendingPathComponent(name), encoding: .utf8)
            let got = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
            let firstDifference = zip(want.split(separator: "\n"), got.split(separator: "\n")).first { $0 != $1 }
            Issue.record("\(name) first differing line: golden \(firstDifference.map { String($0.0) } ?? "-") vs now \(firstDifference.map { String($0.1) } ?? "-")")
        }
        try Self.checkLocalizedGoldenPages(run: out)
    }
}
