package import SonoChecks
package import SonoL10n

extension HTMLReportWriter {
    /// The scan page for a report whose thumbnails were rendered earlier, frame by frame (the
    /// pipeline renders them on the worker holding each frame, so it never keeps a scan's frames).
    /// `thumbnails[i]` is the file name beside the page for `report.images[i]`, nil for none.
    package static func page(for report: ScanReport, thumbnails: [String?], scanKey: String, language: Language = .en) -> String {
        page(for: ScanReportView(report: report, language: language), thumbnails: thumbnails, scanKey: scanKey, language: language)
    }

    /// The same for the report's view in `language`, when the caller needs the view for more than the page.
    package static func page(for view: ScanReportView, thumbnails: [String?], scanKey: String, language: Language) -> String {
        ScanReportPage.html(view, thumbnails: thumbnails, indexHref: ReportLayout.indexHref(scanKey: scanKey), localizer: Localizer(language))
    }
}
