import Foundation
import SonoTestSupport
import Testing

/// `sonoqc schema qc-evidence --hc18` on a two-frame folder in HC18's layout (committed constants,
/// since there is no ellipse-truth.csv to cross-validate with).
@Suite struct QCEvidenceCLITests {
    @Test func notPassIsSplitAtTheEarlyHeadSize() throws {
        let ws = try CLIWorkspace()
        let reference = Repository.path("samples").appendingPathComponent("defects-acquisition/D-REF_1.png").path
        try FileManager.default.createDirectory(atPath: ws.root + "/hc18/images", withIntermediateDirectories: true)
        for name in ["term.png", "early.png"] {
            try FileManager.default.copyItem(atPath: reference, toPath: ws.root + "/hc18/images/" + name)
        }
        // The same head, once reported as measured and once as an 80 mm head: only the latter is
        // below 90 mm, and MS-001 flags its HC (the automatic one is about three times larger).
        try ws.write("hc18/truth.csv", Array("filename,pixel_size_mm,hc_mm\nterm.png,0.1615769914,240.51\nearly.png,0.1615769914,80\n".utf8))
        let r = try SonoQCBinary.run(["schema", "qc-evidence", "--hc18", ws.root + "/hc18"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("not pass, expert HC < 90 mm: 1/1 = 100.0 %"), "\(r.stdout)")
        #expect(r.stdout.contains("not pass, expert HC >= 90 mm: 0/1 = 0.0 %"), "\(r.stdout)")
        // The early-head policy levers drop plane criteria and "cannot confirm", not a flagged HC.
        #expect(r.stdout.contains("were not applied: 1/2 = 50.0 %"), "\(r.stdout)")
        #expect(r.stdout.contains("cannot confirm were applied: 1/2 = 50.0 %"), "\(r.stdout)")
    }
}
