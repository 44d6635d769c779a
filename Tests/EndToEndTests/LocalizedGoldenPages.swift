import Foundation
import Testing
import SonoTestSupport

extension GoldenOutputTests {
    static let localizedGolden = Repository.path("Tests/SonoReportsTests/Fixtures/golden")

    /// The localized golden pages (Tests/SonoReportsTests/Fixtures/golden) are what the CLI writes:
    /// the sample scan's report.json and English page come from this very run, and `sonoqc audit
    /// --lang` over it writes the golden audit pages byte for byte in both languages. (The Chinese
    /// scan page is compared with the renderer in SonoReportsTests, from the same report.json.)
    static func checkLocalizedGoldenPages(run out: URL) throws {
        let scan = out.appendingPathComponent("scans/samples/defects-overlays-duplicates/O-SWAP")
        #expect(try Data(contentsOf: scan.appendingPathComponent("report.json"))
                == Data(contentsOf: localizedGolden.appendingPathComponent("sample-scan.report.json")),
                "sample-scan.report.json is not what analyze writes: run make record-golden")
        #expect(try Data(contentsOf: scan.appendingPathComponent("report.html"))
                == Data(contentsOf: localizedGolden.appendingPathComponent("scan.en.html")),
                "scan.en.html is not what analyze writes: run make record-golden")
        for lang in ["en", "zh-CN"] {
            let audit = out.appendingPathComponent("audit-\(lang)")
            // Run from inside the output so the page names its source "." (as when recorded).
            let result = try SonoQCBinary.run(["audit", ".", "--out", audit.path, "--lang", lang], in: out)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try Data(contentsOf: audit.appendingPathComponent("audit.html"))
                    == Data(contentsOf: localizedGolden.appendingPathComponent("audit.\(lang).html")),
                    "audit.\(lang).html differs from what sonoqc audit writes: if intended, run make record-golden and review the diff")
        }
    }
}
