import Foundation
import SonoChecks
import SonoImageAnalysis
import SonoCore
import SonoL10n
import SonoTestSupport
import Testing
@testable import SonoReports

/// The static pages of `analyze`: alt text and legend that say what the thumbnail
/// shows, the print layout, and filters kept in the URL. The browser half (400 px, back
/// navigation) is in Tests/browser.
@Suite("Static pages: alt text, print, filter links")
struct StaticPageTests {
    /// Thumbnail pixels in the field-of-view green: the grey frame has r = g = b, and the other
    /// overlay colours are yellow (g < r), cyan and magenta (b > g), white and red.
    static func greenPixels(_ frame: GrayImage, _ overlay: ImageOverlay) -> Int {
        let canvas = OverlayRenderer.render(image: frame, overlay: overlay, maxWidthPixels: OverlayRenderer.defaultWidthPixels)
        var count = 0
        for i in stride(from: 0, to: canvas.pixels.count, by: 3) {
            let r = Int(canvas.pixels[i]), g = Int(canvas.pixels[i + 1]), b = Int(canvas.pixels[i + 2])
            if g > r + 40 && g > b + 40 { count += 1 }
        }
        return count
    }

    static func mask(_ fov: FieldOfView) -> GrayImage { GrayImage(width: fov.width, height: fov.height, samples: fov.mask) }

    @Test("the alt text names the field of view exactly when the thumbnail draws it, also on a page built from report.json")
    func altTextMatchesDrawing() {
        let frame = Synthetic.frame()
        let fov = FieldOfView.detect(frame)
        let black = GrayImage(width: 800, height: 540) { buf in for i in buf.indices { buf[i] = 0 } }
        let none = FieldOfView.detect(black)
        let full = GrayImage(width: 800, height: 540) { buf in for i in buf.indices { buf[i] = 255 } }
        let cases: [(String, GrayImage, ImageOverlay)] = [
            ("outline", frame, Synthetic.overlay()),
            ("detected mask", frame, ImageOverlay(fieldOfViewMask: Self.mask(fov))),
            ("empty mask", black, ImageOverlay(fieldOfViewMask: Self.mask(none))),
            ("mask covering the frame", frame, ImageOverlay(fieldOfViewMask: full)),
            ("nothing", frame, ImageOverlay()),
        ]
        for (name, image, overlay) in cases {
            let drawn = Self.greenPixels(image, overlay) > 0
            #expect(overlay.drawsFieldOfView == drawn, "\(name)")
            let alt = overlay.altText(.en)
            #expect(alt.contains("field of view outlined") == drawn, "\(name): \(alt)")
            #expect(alt.contains("no field of view detected") == !drawn, "\(name): \(alt)")
            #expect(overlay.legendKeys.contains("legend.field_of_view") == drawn, "\(name)")
        }
        // The pipeline draws the thumbnail with the mask and builds the page later from report.json,
        // which keeps only the fraction: both must describe the same picture.
        // A field of view over the left half of the frame.
        let half = GrayImage(width: 800, height: 540) { buf in for i in buf.indices { buf[i] = i % 800 < 400 ? 255 : 0 } }
        #expect(Self.greenPixels(frame, ImageOverlay(fieldOfViewMask: half)) > 0)
        let thumbnail = ImageOverlay(fieldOfViewMask: half), page = ImageOverlay(fieldOfViewFraction: 0.5)
        for language in Language.allCases {
            #expect(page.altText(Localizer(language)) == thumbnail.altText(Localizer(language)))
        }
        #expect(page.legendKeys == thumbnail.legendKeys)
        #expect(ImageOverlay(fieldOfViewFraction: none.fraction).altText(.en).contains("no field of view detected"))
    }

    @Test("the sample scan's page says the field of view is drawn, and its legend lists only what is drawn")
    func samplePageAltText() throws {
        let url = Repository.path("Tests/SonoReportsTests/Fixtures/golden/sample-scan.report.json")
        let report = try JSONDecoder().decode(ScanReport.self, from: Data(contentsOf: url))
        let html = HTMLReportWriter.page(for: ScanReportView(report: report), thumbnails: report.images.map { _ in "t.jpg" },
                                         scanKey: "samples/x/O-SWAP", language: .en)
        let alt = try #require(html.firstMatch(of: /<img src="t.jpg" alt="([^"]*)"/)).1
        #expect(alt.contains("field of view outlined in green"))
        #expect(!alt.contains("no field of view"))
        #expect(alt.contains("fitted skull ellipse"))
        let legend = try #require(html.firstMatch(of: /<figcaption class="legend">(.*?)<\/figcaption>/)).1
        #expect(legend.contains(Localizer.en.text("legend.field_of_view")))
        #expect(legend.contains(Localizer.en.text("legend.masked_text")) == !report.images[0].overlays.regions.isEmpty)
    }

    @Test("scan pages, the index and the audit name the SonoQC version and the run's day at the top")
    func runStampAtTheTop() throws {
        for (lang, expected) in [(Language.en, "SonoQC 9.9.9, run on 2026-01-01"), (.zhCN, "SonoQC 9.9.9，运行日期 2026-01-01")] {
            let L = Localizer(lang)
            var view = Synthetic.view(verdict: .pass, images: 1)
            view.runStamp = Stylesheet.runStamp(version: "9.9.9", date: "2026-01-01", L)
            let scan = ScanReportPage.html(view, thumbnails: [nil], indexHref: nil, localizer: L)
            let header = try #require(scan.firstMatch(of: /<header class="page">\n(.*?)\n/)).1
            #expect(header == "<p class=\"run-stamp\">\(expected)</p>")
            let index = BatchIndexPage.html([], title: nil, runStamp: view.runStamp, localizer: L)
            #expect(index.contains("<header class=\"page\">\n<p class=\"run-stamp\">\(expected)</p>"))
            let audit = AuditReport.html(AuditAnalysis(records: []), sources: ["r"], language: lang,
                                         run: ("9.9.9", "2026-01-01"))
            #expect(audit.contains("<header class=\"page\">\n<p class=\"run-stamp\">\(expected)</p>"))
        }
        // A report without provenance (written before it existed) has no stamp rather than a wrong one.
        let bare = ScanReportPage.html(Synthetic.view(verdict: .pass, images: 1), thumbnails: [nil], indexHref: nil, localizer: .en)
        #expect(!bare.contains("run-stamp\">"))
    }

    @Test("the scan page prints on A4 with the passed checks opened")
    func printLayout() throws {
        let view = Synthetic.view(verdict: .review, images: 1)
        var passedView = view
        passedView.images[0].findings.append(FindingView(ruleID: "IQ-002", severity: .passed, value: "49", threshold: ">= 12",
                                                         explanation: "gain not too low"))
        let html = ScanReportPage.html(passedView, thumbnails: ["a.jpg"], indexHref: nil, localizer: .en)
        let css = String(try #require(html.firstMatch(of: /@media print \{(.*?)\n\s*\}/.dotMatchesNewlines())).1)
        #expect(css.contains("@page { size: A4"))
        #expect(css.contains(".image-body { display: grid;"))
        // Passed checks and image-quality metrics print as running text, not a row each (the
        // browser test counts the PDF pages this gives).
        #expect(css.contains("table.passed tr, table.passed td, table.metrics tr, table.metrics th, table.metrics td {\n    display: inline;"))
        #expect(html.contains("<table class=\"metrics\""))
        // The passed checks are in a closed <details> on screen; the print script opens it.
        #expect(html.contains("<table class=\"findings passed\">"))
        #expect(html.contains("window.addEventListener('beforeprint'"))
        #expect(html.contains("document.querySelectorAll('details:not([open])')"))
        // Image-quality metrics sit in the image column, findings in the wide one.
        let visual = try #require(html.range(of: "<div class=\"visual\">")), tables = try #require(html.range(of: "<div class=\"tables\">"))
        let metrics = try #require(html.range(of: "id=\"image-1-metrics\""))
        #expect(visual.upperBound < metrics.lowerBound && metrics.upperBound < tables.lowerBound)
    }

    @Test("verdict badges and rule rows are filter links, and the filters live in the URL query")
    func filterLinks() throws {
        let out = Synthetic.temporaryDirectory("filter-links")
        defer { try? FileManager.default.removeItem(at: out) }
        let views = [Synthetic.view(scanID: "S001", verdict: .fail), Synthetic.view(scanID: "S002", verdict: .pass)]
        let url = try BatchIndexWriter.write(views: views, to: out)
        let html = try String(contentsOf: url, encoding: .utf8)
        #expect(html.contains("<a class=\"filter-link\" href=\"?verdict=fail\" title=\"Show only the scans judged FAIL\"><span class=\"badge fail\">FAIL</span> 1</a>"))
        #expect(html.contains("<td><a class=\"filter-link\" href=\"?verdict=pass\""))
        #expect(html.contains("<th scope=\"row\"><a class=\"filter-link\" href=\"?rule=measure.hc.discrepancy\" title=\"Show only the scans measure.hc.discrepancy flagged\"><code>measure.hc.discrepancy</code></a></th>"))
        #expect(html.contains("new URLSearchParams(location.search)"))
        #expect(html.contains("history.pushState") && html.contains("history.replaceState"))
        #expect(html.contains("window.addEventListener('popstate'"))
        let zh = try String(contentsOf: BatchIndexWriter.write(views: views, to: out.appendingPathComponent("zh"), language: .zhCN), encoding: .utf8)
        #expect(zh.contains("title=\"只显示判定为“不合格”的检查\""))
        #expect(HTMLStructure(html, baseDirectory: nil).problems.isEmpty)
    }
}
