package import SonoL10n

extension HTMLReportWriter {
    /// The scan page for a report whose thumbnails were rendered earlier, frame by frame (the
    /// pipeline renders them on the worker holding each frame, so it never keeps a scan's frames).
    /// `thumbnails[i]` is the file name beside the page for `view.images[i]`, nil for none.
    /// `view` is the report's view in `language` (`ScanReportView(report:language:)`); the batch
    /// builds it once for this page and the scan's index entry.
    package static func page(for view: ScanReportView, thumbnails: [String?], scanKey: String, language: Language) -> String {
        ScanReportPage.html(view, thumbnails: thumbnails, indexHref: ReportLayout.indexHref(scanKey: scanKey), localizer: Localizer(language))
    }
}
