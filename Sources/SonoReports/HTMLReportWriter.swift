package import Foundation
import SonoCore
package import SonoChecks
package import SonoL10n

/// A scan's `report.html`, and the file writing the report pages share.
///
/// `sonoqc analyze` renders each image's overlay thumbnail on the worker holding its frame, then
/// writes the page from ``page(for:thumbnails:scanKey:language:)`` beside them (SonoAnalysis,
/// `BatchAnalysis.writeScanPage`). The folder is self-contained: the page references only files
/// beside it (thumbnails) and embeds its charts as inline SVG, so it can be zipped, mailed or
/// opened offline.
package enum HTMLReportWriter {
    static func createDirectory(_ url: URL) throws(ReportError) {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw .writeFailed(path: url.path, reason: error.localizedDescription)
        }
    }

    static func writeFile(_ data: Data, to url: URL) throws(ReportError) {
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw .writeFailed(path: url.path, reason: error.localizedDescription)
        }
    }
}

/// Writes the batch `index.html` linking every scan report written by ``HTMLReportWriter``.
package enum BatchIndexWriter {
    /// Writes `<out>/index.html` for `views`, whose reports live in
    /// `<out>/scans/<ReportLayout.scanDirectoryName(scanID)>/` (or `folders[scanID]` when given).
    /// Thumbnails are linked when the files exist. Returns the index file's URL.
    /// Index of QC engine reports keyed by the pipeline's scan key (the folder under `scans/`,
    /// e.g. "operator-audit/A001"), so scan ids that repeat across batches stay apart.
    /// `title` nil is the catalogue's batch title in `language`. `run` (version and day of the run
    /// writing the index) is shown at the top of the page.
    @discardableResult
    package static func write(reports: [(report: ScanReport, scanKey: String)], to out: URL,
                             title: String? = nil, language: Language = .en,
                             run: (version: String, date: String)? = nil) throws(ReportError) -> URL {
        let views = reports.map { ScanReportView(report: $0.report, language: language) }
        let folders = reports.map { ReportLayout.scanFolder(scanKey: $0.scanKey) }
        let stamp = run.map { Stylesheet.runStamp(version: $0.version, date: $0.date, Localizer(language)) }
        return try write(views: views, folders: folders, to: out, title: title, language: language, runStamp: stamp)
    }

    /// Index of QC engine reports; see ``write(views:to:title:folders:language:)``.
    @discardableResult
    package static func write(reports: [ScanReport], to out: URL, title: String? = nil,
                             folders: [String: String] = [:], language: Language = .en) throws(ReportError) -> URL {
        try write(views: reports.map { ScanReportView(report: $0, language: language) }, to: out, title: title, folders: folders,
                  language: language)
    }

    /// `views` must be worded in `language` (see ``ScanReportView/init(report:language:)``).
    @discardableResult
    package static func write(views: [ScanReportView], to out: URL, title: String? = nil,
                             folders: [String: String] = [:], language: Language = .en) throws(ReportError) -> URL {
        let paths = views.map { view in
            folders[view.scanID] ?? "\(ReportLayout.scansDirectory)/\(ReportLayout.scanDirectoryName(view.scanID))"
        }
        return try write(views: views, folders: paths, to: out, title: title, language: language)
    }

    /// `folders[i]` is view i's report folder relative to `out`.
    static func write(views: [ScanReportView], folders: [String], to out: URL, title: String?,
                      language: Language, runStamp: String? = nil) throws(ReportError) -> URL {
        try HTMLReportWriter.createDirectory(out)
        let entries = zip(views, folders).map { view, folder in
            BatchIndexPage.Entry(view: view, folder: folder, thumbnails: existingThumbnails(view, folder: folder, under: out))
        }
        let url = out.appendingPathComponent(ReportLayout.indexFileName)
        try HTMLReportWriter.writeFile(Data(BatchIndexPage.html(entries, title: title, runStamp: runStamp, localizer: Localizer(language)).utf8), to: url)
        return url
    }

    /// Thumbnail file names of the view's images in `folder` (relative to `out`), nil where the
    /// file does not exist.
    static func existingThumbnails(_ view: ScanReportView, folder: String, under out: URL) -> [String?] {
        view.images.enumerated().map { i, image -> String? in
            let name = ReportLayout.thumbnailFileName(index: i, file: image.file)
            let exists = FileManager.default.fileExists(atPath: out.appendingPathComponent(folder).appendingPathComponent(name).path)
            return exists ? name : nil
        }
    }
}

extension BatchIndexBuilder {
    /// A builder for the index of a `sonoqc analyze` run in `out`; `run` (version and day of the
    /// run) is shown at the top of the page.
    package init(language: Language, run: (version: String, date: String)) {
        let L = Localizer(language)
        self.init(title: nil, runStamp: Stylesheet.runStamp(version: run.version, date: run.date, L), localizer: L)
    }

    /// Renders the view of a QC engine report (in the localizer's language) whose folder is
    /// ``ReportLayout/scanFolder(scanKey:)`` under `out`, linking the thumbnails that exist there
    /// (see ``render(_:localizer:)``).
    package static func render(view: ScanReportView, scanKey: String, under out: URL, localizer: Localizer) -> RenderedScan {
        let folder = ReportLayout.scanFolder(scanKey: scanKey)
        return render(BatchIndexPage.Entry(view: view, folder: folder,
                                           thumbnails: BatchIndexWriter.existingThumbnails(view, folder: folder, under: out)),
                      localizer: localizer)
    }
}
