import Foundation
package import SonoChecks
package import SonoL10n
import SonoCore
import SonoImageAnalysis
import SonoPipeline
import SonoReports
package import SonoInput

/// What `sonoqc analyze` does beyond the image records (`analysis.json`): the QC engine (filter → measure →
/// check per frame, verdict per scan) and the human-readable pages.
package struct QCSettings: Sendable {
    package var profile: QCProfile
    /// Writes `report.html` with overlay thumbnails beside each `report.json`, and `index.html`.
    package var writesHTML: Bool
    /// Language of the pages' text (the JSON and CSV outputs are language-neutral).
    package var language: Language

    package init(profile: QCProfile = .default, writesHTML: Bool = true, language: Language = .en) {
        self.profile = profile
        self.writesHTML = writesHTML
        self.language = language
    }

    /// SHA-256 of the profile's canonical encoding (``ReportJSON``, as `sonoqc schema default-profile`
    /// prints it): the thresholds applied, whatever file they came from.
    package func profileSHA256() throws -> String {
        ContentDigest.sha256Hex(try ReportJSON.encode(profile))
    }
}

/// One analysed frame: its image record, the QC engine's image report and, when pages are
/// written, the overlay thumbnail. Thumbnails are rendered here, on the worker that holds the
/// frame, so a scan never keeps its full frames in memory until its last one finishes.
package struct AnalyzedImage: Sendable {
    package var record: ImageRecord
    package var qc: ImageReport?
    package var thumbnailJPEG: [UInt8]?
}

/// One finished scan: its image records plus the QC report and thumbnails to write.
package struct AnalyzedScan: Sendable {
    package var analysis: AnalyzeScanReport
    package var qc: ScanReport?
    package var thumbnails: [(file: String, jpeg: [UInt8]?)]
}

/// Per-scan facts the QC engine needs while processing single images.
struct QCScanContext: Sendable {
    var metadata: ScanMetadata
    var entry: ScanEntry?

    init(scan: ScanWork) {
        entry = scan.manifestEntry
        metadata = scan.manifestEntry.map(ScanMetadata.init(entry:))
            ?? scan.headerMetadata.map { header in
                var m = ScanMetadata(entry: header)
                m.fromManifest = false
                return m
            }
            ?? ScanMetadata(scanID: scan.key, fromManifest: false)
    }

    func imageContext(_ item: ImageWorkItem) -> ImageContext {
        ImageContext(scanID: metadata.scanID, file: item.path, plane: item.manifestEntry?.plane ?? .unknown,
                     reported: item.manifestEntry?.reported ?? ReportedMeasurements(),
                     manifestSpacingMMPerPixel: item.manifestEntry?.pixelSpacingMM ?? entry?.pixelSpacingMM,
                     gestationalAgeDays: metadata.gestationalAgeDays)
    }
}

enum QCStage {
    /// Runs the engine on one frame (its filter, measure and check phases charged to the stages
    /// of those names) and renders its thumbnail (charged to write).
    static func analyze(_ frame: Frame, item: ImageWorkItem, scan: QCScanContext, settings: QCSettings,
                        timings: inout StageTimings) -> (ImageReport, [UInt8]?) {
        let (report, fov) = FrameQC.analyzeKeepingFieldOfView(frame: frame, context: scan.imageContext(item),
                                                              profile: settings.profile, timer: &timings)
        guard settings.writesHTML else { return (report, nil) }
        let jpeg = timings.measure(.write) { thumbnail(frame.image, report: report, fieldOfView: fov) }
        return (report, jpeg)
    }

    /// The overlay thumbnail `report.html` shows beside an image's findings: the report's geometry
    /// and masks drawn over the frame, with the field of view the engine detected. Nil when the
    /// JPEG cannot be encoded (the page then says the image has no thumbnail).
    static func thumbnail(_ image: GrayImage, report: ImageReport, fieldOfView fov: FieldOfView) -> [UInt8]? {
        var overlay = ImageOverlay(image: report)
        overlay.fieldOfViewMask = GrayImage(width: fov.width, height: fov.height, samples: fov.mask)
        return try? OverlayRenderer.renderJPEG(image: image, overlay: overlay).jpeg
    }

    static func assess(scan: QCScanContext, images: [ImageReport], failures: [FailureRecord],
                       settings: QCSettings) -> ScanReport {
        ScanQC.assess(scan: scan.metadata, images: images,
                      failures: failures.map { ImageFailure(file: $0.file, error: "\($0.stage.rawValue): \($0.reason)") },
                      profile: settings.profile)
    }
}

/// The QC engine's phases are the pipeline's stages of the same names.
extension StageTimings: FramePhaseTimer {
    package mutating func time<R>(_ phase: FrameQC.Phase, _ body: () throws -> R) rethrows -> R {
        switch phase {
        case .filter: try measure(.filter, body)
        case .measure: try measure(.measure, body)
        case .check: try measure(.check, body)
        }
    }
}
