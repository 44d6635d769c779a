import SonoChecks
import SonoCore

/// The per-image JSON record of `sonoqc analyze` (one line of `images.jsonl`).
///
/// It holds only values that depend on the file's bytes, never timings, so the same input always
/// gives the same bytes; timings live in `timing.json`.
public struct ImageRecord: Sendable, Codable, Equatable {
    public var path: String
    public var scan: String
    public var format: ImageFormat
    public var width: Int
    public var height: Int
    /// Bits per sample as stored in the file.
    public var bitDepth: Int
    public var sourceWasColour: Bool
    /// The spacing that applies: the manifest's when it gives one, else the file's (pHYs/JFIF).
    public var pixelSpacing: PixelSpacing?
    /// Nil only when measurement was switched off (the overhead benchmark).
    public var intensity: IntensityStatistics?
    /// Colour-management chunks the file carried (`gAMA`, `cHRM`, `sRGB`, `iCCP`), not applied:
    /// the statistics are of the stored samples.
    public var colourChunks: [String]

    enum CodingKeys: String, CodingKey {
        case path, scan, format, width, height, intensity
        case bitDepth = "bit_depth", sourceWasColour = "source_was_colour", pixelSpacing = "pixel_spacing"
        case colourChunks = "colour_chunks"
    }

    public init(path: String, scan: String, format: ImageFormat, width: Int, height: Int, bitDepth: Int,
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

    public func encode(to encoder: any Encoder) throws {
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
public struct FailureRecord: Sendable, Codable, Equatable {
    public var file: String
    public var scan: String?
    public var stage: PipelineStage
    public var kind: String
    public var reason: String

    public init(file: String, scan: String?, failure: StageFailure) {
        self.file = file
        self.scan = scan
        self.stage = failure.stage
        self.kind = failure.kind
        self.reason = failure.reason
    }
}

/// The per-scan report of `sonoqc analyze` (`<out>/scans/<scan>/report.json`).
public struct AnalyzeScanReport: Sendable, Codable, Equatable {
    /// Version 2 added `colour_chunks` to each image and the input and settings digests that
    /// `--resume` compares; a `--resume` re-analyses version-1 scans.
    public static let currentSchema = "sonoqc-analyze-scan/2"

    public var schema: String
    /// The scan's key in the batch (its directory under `scans/`).
    public var scan: String
    /// The manifest's `scan_id`, when the scan comes from a manifest.
    public var scanID: String?
    /// Every file of the scan in scan order, so `--resume` can tell the report matches the input.
    public var files: [String]
    public var images: [ImageRecord]
    public var failures: [FailureRecord]
    /// SHA-256 of each file's bytes as analysed, in `files` order (nil where it could not be read):
    /// `--resume` reuses the scan only if every file still has the same content.
    public var inputsSHA256: [String?] = []
    /// SHA-256 of the settings that change outputs (``AnalysisOptions/settingsDigest``).
    public var settingsSHA256: String = ""

    enum CodingKeys: String, CodingKey {
        case schema, scan, files, images, failures
        case scanID = "scan_id", inputsSHA256 = "inputs_sha256", settingsSHA256 = "settings_sha256"
    }

    public init(scan: String, scanID: String?, files: [String], images: [ImageRecord], failures: [FailureRecord]) {
        self.schema = Self.currentSchema
        self.scan = scan
        self.scanID = scanID
        self.files = files
        self.images = images
        self.failures = failures
    }

    public init(from decoder: any Decoder) throws {
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

    public func encode(to encoder: any Encoder) throws {
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
/// statistics (issue 2) and, when `qc` is set, the QC engine's image and scan reports.
public struct AnalyzeProcessor: ScanProcessor {
    /// False skips the statistics (measure stage), leaving read + decode: the overhead benchmark.
    public var measuresIntensity: Bool
    public var qc: QCSettings?
    private let scans: [Int: QCScanContext]

    public init(measuresIntensity: Bool = true, qc: QCSettings? = nil, scans: [ScanWork] = []) {
        self.measuresIntensity = measuresIntensity
        self.qc = qc
        var contexts: [Int: QCScanContext] = [:]
        if qc != nil {
            for scan in scans { contexts[scan.index] = QCScanContext(scan: scan) }
        }
        self.scans = contexts
    }

    public var defaultFailureStage: PipelineStage { .measure }

    public func processImage(_ item: ImageWorkItem, frame: Frame, timings: inout StageTimings) throws -> AnalyzedImage {
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

    public func finishScan(_ scan: ScanWork, outcomes: [ImageOutcome<AnalyzedImage>]) -> AnalyzedScan {
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
