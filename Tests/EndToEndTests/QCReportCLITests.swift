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
}
