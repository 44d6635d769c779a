import Foundation
import SonoChecks
import Testing

/// `sonoqc analyze` with the QC engine wired in: a CSV manifest batch of phantoms with known defects.
@Suite(.serialized) struct QCReportCLITests {
    static let defects = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples/defects-acquisition").path

    /// A batch of the clean reference and the under-gained phantom, described by a CSV manifest.
    func makeBatch(_ ws: CLIWorkspace, manifest: String) throws -> String {
        let batch = ws.root + "/batch"
        try FileManager.default.createDirectory(atPath: batch, withIntermediateDirectories: true)
        for name in ["D-REF_1.png", "D-GAINLOW_1.png"] {
            try FileManager.default.copyItem(atPath: Self.defects + "/" + name, toPath: batch + "/" + name)
        }
        try ws.write("batch/manifest.csv", Array(manifest.utf8))
        return batch
    }

    static let header = "scan_id,unit_id,operator_id,exam_date,gestational_age,lmp_date,pixel_spacing_mm,file,plane,bpd_mm,ofd_mm,hc_mm,ac_mm,fl_mm\n"

    @Test func csvManifestBatchGetsSchemaValidReportsVerdictsAndPages() throws {
        let ws = try CLIWorkspace()
        let batch = try makeBatch(ws, manifest: Self.header + """
            REF,unit-a,op-a,2026-03-02,26+0,,,D-REF_1.png,head,,,,,
            LOW,unit-a,op-a,2026-03-02,26+0,,,D-GAINLOW_1.png,head,,,,,

            """)
        let result = try SonoQCBinary.run(["analyze", batch, "--out", ws.root + "/out", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Batch index: "))

        let validator = JSONSchemaValidator(schema: ScanReportSchema.schema)
        var reports: [String: ScanReport] = [:]
        for scan in ["REF", "LOW"] {
            let data = try ws.read("out/scans/batch/\(scan)/report.json")
            #expect(validator.validate(try JSONValue.parse(data)) == [], "\(scan) report violates its schema")
            reports[scan] = try JSONDecoder().decode(ScanReport.self, from: data)
            #expect(FileManager.default.fileExists(atPath: ws.root + "/out/scans/batch/\(scan)/report.html"))
        }
        let lowFindings = try #require(reports["LOW"]).images.flatMap(\.findings)
        #expect(lowFindings.contains { $0.rule == .gainLow && $0.outcome == .flagged })
        let refFindings = try #require(reports["REF"]).images.flatMap(\.findings)
        #expect(!refFindings.contains { $0.rule == .gainLow && $0.outcome == .flagged })

        let csv = String(decoding: try ws.read("out/summary.csv"), as: UTF8.self).split(separator: "\n")
        #expect(csv.count == 3)
        #expect(csv[1].hasPrefix("batch/REF,REF,unit-a,op-a,2026-03-02,26+0,"))
        let index = String(decoding: try ws.read("out/index.html"), as: UTF8.self)
        #expect(index.contains("scans/batch/LOW/report.html"))
    }

    @Test func malformedCSVManifestFailsDiscoveryNamingLineAndField() throws {
        let ws = try CLIWorkspace()
        let batch = try makeBatch(ws, manifest: Self.header + """
            REF,unit-a,op-a,2026-03-02,26+0,,,D-REF_1.png,head,,,,,
            LOW,unit-a,op-a,2026-03-02,26+0,,,D-GAINLOW_1.png,brain,,,abc,,

            """)
        let result = try SonoQCBinary.run(["analyze", batch, "--out", ws.root + "/out", "--quiet"])
        #expect(result.status == 1)
        let summary = try ws.json("out/summary.json")
        let failures = try #require(summary["failures"] as? [[String: Any]])
        let manifestFailure = try #require(failures.first { ($0["kind"] as? String) == "bad-manifest" })
        let reason = try #require(manifestFailure["reason"] as? String)
        #expect(reason.contains("manifest.csv"))
        #expect(reason.contains("line 3"))
        #expect(reason.contains("plane"))
        #expect(reason.contains("hc_mm"))
        // The images are still analysed, as a directory scan.
        #expect(FileManager.default.fileExists(atPath: ws.root + "/out/scans/batch/report.json"))
    }

    /// `--lang zh-CN` changes the pages and nothing else; `--resume` with another language redoes
    /// the scans so no page is left in the old language; `audit --lang` words the audit page.
    @Test func languageChangesPagesOnly() throws {
        let ws = try CLIWorkspace()
        let batch = try makeBatch(ws, manifest: Self.header + """
            REF,unit-a,op-a,2026-03-02,26+0,,,D-REF_1.png,head,,,,,
            LOW,unit-a,op-a,2026-03-02,26+0,,,D-GAINLOW_1.png,head,,,,,

            """)
        for (lang, out) in [("en", "en"), ("zh-CN", "zh")] {
            let result = try SonoQCBinary.run(["analyze", batch, "--out", ws.root + "/" + out, "--quiet", "--lang", lang])
            #expect(result.status == 0, "\(result.stderr)")
        }
        for file in ["summary.json", "summary.csv", "images.jsonl", "scans/batch/LOW/report.json", "scans/batch/REF/report.json"] {
            #expect(try ws.read("en/" + file) == ws.read("zh/" + file), "\(file) must not depend on the language")
        }
        let zhPage = String(decoding: try ws.read("zh/scans/batch/LOW/report.html"), as: UTF8.self)
        #expect(zhPage.contains("<html lang=\"zh-CN\">"))
        #expect(zhPage.contains("孕周</dt><dd>26周+0天"))
        #expect(zhPage.contains("图像几乎全黑"))
        #expect(String(decoding: try ws.read("zh/index.html"), as: UTF8.self).contains("<html lang=\"zh-CN\">"))
        #expect(String(decoding: try ws.read("en/scans/batch/LOW/report.html"), as: UTF8.self).contains("26+0 weeks"))

        // Resuming the Chinese run in English rewrites the pages instead of keeping the Chinese ones.
        let resumed = try SonoQCBinary.run(["analyze", batch, "--out", ws.root + "/zh", "--quiet", "--resume", "--lang", "en"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try ws.read("zh/scans/batch/LOW/report.html") == ws.read("en/scans/batch/LOW/report.html"))

        let audit = try SonoQCBinary.run(["audit", ws.root + "/en", "--out", ws.root + "/audit", "--lang", "zh-CN"])
        #expect(audit.status == 0, "\(audit.stderr)")
        let auditPage = String(decoding: try ws.read("audit/audit.html"), as: UTF8.self)
        #expect(auditPage.contains("<html lang=\"zh-CN\">") && auditPage.contains("成员单位与超声医师质控审核"))
        let bad = try SonoQCBinary.run(["analyze", batch, "--out", ws.root + "/x", "--lang", "fr"])
        #expect(bad.status == 64)
    }
}
