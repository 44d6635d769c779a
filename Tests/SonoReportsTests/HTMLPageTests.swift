import Foundation
import Testing
import SonoCore
@testable import SonoReports
import SonoL10n

@Suite("Scan report and batch index pages")
struct HTMLPageTests {
    /// Writes three scans and the index into a fresh folder, as the pipeline would.
    func writeBatch(_ name: String) throws -> (URL, [ScanReportView]) {
        let out = Synthetic.temporaryDirectory(name)
        let views = [Synthetic.view(scanID: "S002", verdict: .pass),
                     Synthetic.view(scanID: "S001", unit: "unit-B", op: "op 2", verdict: .fail),
                     Synthetic.view(scanID: "unit/S003", unit: nil, op: nil, verdict: .review, images: 1)]
        for v in views {
            let dir = out.appendingPathComponent("scans").appendingPathComponent(ReportLayout.scanDirectoryName(v.scanID))
            try HTMLReportWriter.write(v, frames: v.images.map { _ in Synthetic.frame() }, to: dir)
        }
        try BatchIndexWriter.write(views: views, to: out)
        return (out, views)
    }

    @Test("every written page is well formed, resolves all links and makes no network request")
    func pagesAreStructurallyValid() throws {
        let (out, views) = try writeBatch("structure")
        var pages = [out.appendingPathComponent("index.html")]
        pages += views.map {
            out.appendingPathComponent("scans/\(ReportLayout.scanDirectoryName($0.scanID))/report.html")
        }
        for page in pages {
            let html = try String(contentsOf: page, encoding: .utf8)
            let check = HTMLStructure(html, baseDirectory: page.deletingLastPathComponent())
            #expect(check.problems.isEmpty, "\(page.lastPathComponent): \(check.problems)")
            #expect(check.elements.contains { $0.name == "html" && $0.attributes["lang"] == "en" })
        }
    }

    @Test("the checker rejects what the pages must never contain")
    func checkerCatchesBrokenPages() {
        let bad = [
            "<!DOCTYPE html><html><body><div></body></html>",
            "<!DOCTYPE html><html><body><img src=\"x.png\"/></body></html>",
            "<!DOCTYPE html><html><body><img alt=\"a\" src=\"https://example.org/x.png\"/></body></html>",
            "<!DOCTYPE html><html><body><a href=\"#nowhere\">x</a></body></html>",
            "<!DOCTYPE html><html><body><p>a & b</p></body></html>",
            "<!DOCTYPE html><html><body><p id=\"a\"></p><p id=\"a\"></p></body></html>",
            "<!DOCTYPE html><html><body><a href=\"missing.html\">x</a></body></html>",
        ]
        for html in bad {
            #expect(!HTMLStructure(html, baseDirectory: FileManager.default.temporaryDirectory).problems.isEmpty, "\(html)")
        }
        #expect(HTMLStructure("<!DOCTYPE html><html><body><p id=\"a\">a &amp; b<br/></p><a href=\"#a\">x</a><script>if (1 < 2 && 3) {}</script></body></html>",
                              baseDirectory: nil).problems.isEmpty)
    }

    @Test("the scan report shows verdict and reasons before the images, and every finding with its threshold")
    func scanReportOrder() throws {
        let view = Synthetic.view(scanID: "S9", verdict: .fail)
        let html = ScanReportPage.html(view, thumbnails: ["a.png", "b.png"], indexHref: "../../index.html", localizer: .en)
        let verdict = try #require(html.range(of: "id=\"verdict\""))
        let firstImage = try #require(html.range(of: "id=\"image-1\""))
        #expect(verdict.lowerBound < firstImage.lowerBound)
        #expect(html.contains("measure.hc.discrepancy: automatic HC 9.8 % above reported"))
        #expect(html.contains("<td class=\"val\">&gt; 6.0 %</td>"))
        #expect(html.contains("needs a reviewer &lt;check&gt;"))
        #expect(html.contains("<dt>Unit</dt><dd>unit-A</dd>"))
        #expect(html.contains("22+3 weeks (stated)"))
        // A warning comes before info in the findings table.
        let warn = try #require(html.range(of: ">warning</td>")), info = try #require(html.range(of: ">info</td>"))
        #expect(warn.lowerBound < info.lowerBound)
        // Two charts (HC, BPD) per image, and a print stylesheet.
        #expect(html.components(separatedBy: "<svg ").count - 1 == 4)
        #expect(html.contains("@media print"))
        #expect(html == ScanReportPage.html(view, thumbnails: ["a.png", "b.png"], indexHref: "../../index.html", localizer: .en))
    }

    @Test("the index lists flagged scans first and carries the filter attributes")
    func indexSortsFlaggedFirst() throws {
        let (out, _) = try writeBatch("index")
        let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        let order = ["S001", "unit/S003", "S002"].map { html.range(of: ">\($0)</a></th>")!.lowerBound }
        #expect(order == order.sorted(), "fail, then review, then pass")
        #expect(html.contains("data-verdict=\"fail\" data-unit=\"unit-B\" data-operator=\"op_2\" data-rules=\" measure.hc.discrepancy plane.cavum-septi \""))
        #expect(html.contains("<option value=\"op_2\">op 2</option>"))
        #expect(html.contains("<form class=\"filters\" id=\"filters\" hidden=\"hidden\""))
        #expect(html.contains("<code>measure.hc.discrepancy</code></a></th><td></td><td class=\"num\">2</td><td class=\"num\">2</td>"))
        #expect(html.components(separatedBy: "<li class=\"flagged").count - 1 == 2)
        // "unit/S003" is not a safe folder name: the one sanitiser adds a digest so it cannot meet "unit_S003".
        #expect(html.contains("src=\"scans/\(ReportLayout.scanDirectoryName("unit/S003"))/overlay-1-img-1.jpg\""))
        #expect(ReportLayout.scanDirectoryName("unit/S003").hasPrefix("unit_S003-"))
    }

    @Test("a frame that could not be decoded gets a note instead of a broken image")
    func missingFrameHasNoThumbnail() throws {
        let out = Synthetic.temporaryDirectory("missing")
        let view = Synthetic.view(images: 2)
        let thumbs = try HTMLReportWriter.write(view, frames: [nil, Synthetic.frame()], to: out, indexHref: nil)
        #expect(thumbs == [nil, "overlay-2-img-2.jpg"])
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("No thumbnail: the frame could not be decoded."))
        #expect(HTMLStructure(html, baseDirectory: out).problems.isEmpty)
    }
}
