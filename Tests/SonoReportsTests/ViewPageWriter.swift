import Foundation
import SonoCore
import SonoL10n
@testable import SonoReports

// Pages from hand-made views (no QC report behind them), for the tests of the page and the
// overlay drawing. Production writes a scan's page from its report: BatchAnalysis.writeScanPage,
// which ScanReportBindingTests.writePage calls.
extension HTMLReportWriter {
    /// Writes `report.html` plus one `overlay-*.jpg` per frame into `directory`; `frames` are in
    /// `view.images` order, nil where there is no thumbnail. Returns the thumbnail names per image.
    @discardableResult
    static func write(_ view: ScanReportView, frames: [GrayImage?], to directory: URL,
                      indexHref: String? = "../../\(ReportLayout.indexFileName)",
                      language: Language = .en) throws -> [String?] {
        try createDirectory(directory)
        var thumbnails: [String?] = []
        for (i, image) in view.images.enumerated() {
            guard i < frames.count, let frame = frames[i], !frame.isEmpty else {
                thumbnails.append(nil)
                continue
            }
            let name = ReportLayout.thumbnailFileName(index: i, file: image.file)
            try writeFile(Data(OverlayRenderer.renderJPEG(image: frame, overlay: image.overlay).jpeg),
                          to: directory.appendingPathComponent(name))
            thumbnails.append(name)
        }
        let html = ScanReportPage.html(view, thumbnails: thumbnails, indexHref: indexHref, localizer: Localizer(language))
        try writeFile(Data(html.utf8), to: directory.appendingPathComponent(ReportLayout.reportFileName))
        return thumbnails
    }
}
