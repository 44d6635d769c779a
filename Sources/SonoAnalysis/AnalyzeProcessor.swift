import SonoChecks
package import SonoCore
package import SonoPipeline

/// The per-image JSON record of `sonoqc analyze` (one line of `images.jsonl`).
///
/// It holds only values that depend on the file's bytes, never timings, so the same input always
/// gives the same bytes; timings live in `timing.json`.
package struct ImageRecord: Sendable, Codable, Equatable {
    package var path: String
    package var scan: String
    package var format: ImageFormat
    package var width: Int
    package var height: Int
    /// Bits per sample as stored in the file.
    package var bitDepth: Int
    package var sourceWasColour: Bool
    /// The spacing that applies: the manifest's when it gives one, else the file's (pHYs/JFIF).
    package var pixelSpacing: PixelSpacing?
    /// Nil only when measurement was switched off (the overhead benchmark).
    package var intensity: IntensityStatistics?
    /// Colour-management chunks the file carried (`gAMA`, `cHRM`, `sRGB`, `iCCP`), not applied:
    /// the statistics are of the stored samples.
    package var colourChunks: [String]

    enum CodingKeys: String, CodingKey {
        case path, scan, format, width, height, intensity
        case bitDepth = "bit_depth", sourceWasColour = "source_was_colour", pixelSpacing = "pixel_spacing"
        case colourChunks = "colour_chunks"
    }

    package init(path: String, scan: String, format: ImageFormat, width: Int, height: Int, bitDepth: Int,
                sourceWasColour: Bool, pixelSpacing: PixelSpacing?, intensity: IntensityStatistics?,
                colourChunks: [String] = []) {
        self.path = path
        self.scan = scan
        self.format = format
        self.width = width
        self.height = height
        self.bitDepth = bitDepth
        self.sourceWasColour = sourceWasColour
        self.pixelSpacing = pixelSpacing
        self.intensity = intensity
        self.colourChunks = colourChunks
    }

    package func encode(to encoder: any Encoder) throws {
        // Unknown values are written as explicit nulls: "not known" is information for a reader.
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(scan, forKey: .scan)
        try c.encode(format, forKey: .format)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        try c.encode(bitDepth, forKey: .bitDepth)
        try c.encode(sourceWasColour, forKey: .sourceWasColour)
        try c.encode(pixelSpacing, forKey: .pixelSpacing)
        try c.encode(intensity, forKey: .intensity)
        try c.encode(colourChunks, forKey: .colourChunks)
    }
}

/// One failed file as reports list it.
package struct FailureRecord: Sendable, Codable, Equatable {
    package var file: String
    package var scan: String?
    package var stage: PipelineStage
    package var kind: String
    package var reason: String

    package init(file: String, scan: String?, failure: StageFailure) {
        self.file = file
        self.scan = scan
        self.stage = failure.stage
        self.kind = failure.kind
        self.reason = failure.reason
    }
}

/// The per-scan report of `sonoqc analyze` (`<out>/scans/<scan>/report.json`).
package struct AnalyzeScanReport: Sendable, Codable, Equatable {
    /// Version 2 added `colour_chunks` to each image and the input and settings digests that
    /// `--resume` compares; a `--resume` re-analyses version-1 scans.
    package static let currentSchema = "sonoqc-analyze-scan/2"

    package var schema: String
    /// The scan's key in the batch (its directory under `scans/`).
    package var scan: String
    /// The manifest's `scan_id`, when the scan comes from a manifest.
    package var scanID: String?
    /// Every file of the scan in scan order, so `--resume` can tell the report matches the input.
    package var files: [String]
    package var images: [ImageRecord]
    package var failures: [FailureRecord]
    /// SHA-256 of each file's bytes as analysed, in `files` order (nil where it could not be read):
    /// `--resume` reuses the scan only if every file still has the same content.
    package var inputsSHA256: [String?] = []
    /// SHA-256 of the settings that change outputs (``AnalysisOptions/settingsDigest()``).
    package var settingsSHA256: String = ""

    enum CodingKeys: String, CodingKey {
        case schema, scan, files, images, failures
        case scanID = "scan_id", inputsSHA256 = "inputs_sha256", settingsSHA256 = "settings_sha256"
    }

    package init(scan: String, scanID: String?, files: [String], images: [ImageRecord], failures: [FailureRecord]) {
        self.schema = Self.currentSchema
        self.scan = scan
        self.scanID = scanID
        self.files = files
        self.images = images
        self.failures = failures
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schema = try c.decode(String.self, forKey: .schema)
        scan = try c.decode(String.self, forKey: .scan)
        scanID = try c.decodeIfPresent(String.self, forKey: .scanID)
        files = try c.decode([String].self, forKey: .files)
        images = try c.decode([ImageRecord].self, forKey: .images)
        failures = try c.decode([FailureRecord].self, forKey: .failures)
        inputsSHA256 = try c.decodeIfPresent([String?].self, forKey: .inputsSHA256) ?? []
        settingsSHA256 = try c.decodeIfPresent(String.self, forKey: .settingsSHA256) ?? ""
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schema, forKey: .schema)
        try c.encode(scan, forKey: .scan)
        try c.encode(scanID, forKey: .scanID)
        try c.encode(files, forKey: .files)
        try c.encode(images, forKey: .images)
        try c.encode(failures, forKey: .failures)
        try c.encode(inputsSHA256, forKey: .inputsSHA256)
        try c.encode(settingsSHA256, forKey: .settingsSHA256)
    }
}

/// The processor behind `sonoqc analyze`: per-image format, geometry, spacing and intensity
/// statistics and, when `qc` is set, the QC engine's image and scan reports.
package struct AnalyzeProcessor: ScanProcessor {
    /// False skips the statistics (measure stage), leaving read + decode: the overhead benchmark.
    package var measuresIntensity: Bool
    package var qc: QCSettings?
    private let scans: [Int: QCScanContext]

    package init(measuresIntensity: Bool = true, qc: QCSettings? = nil, scans: [ScanWork] = []) {
        self.measuresIntensity = measuresIntensity
        self.qc = qc
        var contexts: [Int: QCScanContext] = [:]
        if qc != nil {
            for scan in scans { contexts[scan.index] = QCScanContext(scan: scan) }
        }
        self.scans = contexts
    }

    package var defaultFailureStage: PipelineStage { .measure }

    package func processImage(_ item: ImageWorkItem, frame: Frame, timings: inout StageTimings) throws -> AnalyzedImage {
        let intensity = measuresIntensity ? timings.measure(.measure) { IntensityStatistics(frame.image) } : nil
        let record = ImageRecord(
            path: item.path, scan: "", format: frame.format, width: frame.width, height: frame.height,
            bitDepth: frame.sourceBitDepth, sourceWasColour: frame.sourceWasColour,
            pixelSpacing: Self.spacing(item: item, frame: frame), intensity: intensity, colourChunks: frame.colourChunks)
        guard let qc, let scan = scans[item.scanIndex] else {
            return AnalyzedImage(record: record, qc: nil, thumbnailJPEG: nil)
        }
        let (report, thumbnail) = QCStage.analyze(frame, item: item, scan: scan, settings: qc, timings: &timings)
        return AnalyzedImage(record: record, qc: report, thumbnailJPEG: thumbnail)
    }

    package func finishScan(_ scan: ScanWork, outcomes: [ImageOutcome<AnalyzedImage>]) -> AnalyzedScan {
        var images: [ImageRecord] = []
        var qcImages: [ImageReport] = []
        var thumbnails: [(file: String, jpeg: [UInt8]?)] = []
        var failures: [FailureRecord] = []
        for (item, outcome) in zip(scan.items, outcomes) {
            switch outcome {
            case .success(var image):
                image.record.scan = scan.key
                images.append(image.record)
                if let report = image.qc {
                    qcImages.append(report)
                    thumbnails.append((item.path, image.thumbnailJPEG))
                }
            case .failure(let failure):
                failures.append(FailureRecord(file: item.path, scan: scan.key, failure: failure))
            }
        }
        let analysis = AnalyzeScanReport(scan: scan.key, scanID: scan.manifestEntry?.scanID,
                                         files: scan.items.map(\.path), images: images, failures: failures)
        var report: ScanReport? = nil
        if let qc {
            let context = scans[scan.index] ?? QCScanContext(scan: scan)
            report = QCStage.assess(scan: context, images: qcImages, failures: failures, settings: qc)
        }
        return AnalyzedScan(analysis: analysis, qc: report, thumbnails: thumbnails)
    }

    /// The manifest's spacing (image entry, else scan entry) wins over the file's own, because
    /// exports often carry a meaningless default pHYs.
    static func spacing(item: ImageWorkItem, frame: Frame) -> PixelSpacing? {
        if let mm = item.manifestEntry?.pixelSpacingMM {
            return PixelSpacing(isotropicMMPerPixel: mm, source: .manifest)
        }
        return frame.fileSpacing
    }
}
