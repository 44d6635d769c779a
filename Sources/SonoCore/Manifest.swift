/// A scan batch's manifest (schema `sonoqc-manifest/1`): which images belong to which scan, and
/// what the sonographer reported. Written by `sonoqc simulate`, read by `sonoqc analyze`.
/// The README documents the JSON and CSV forms; later versions extend it, never replace it.
public struct BatchManifest: Sendable, Codable, Hashable {
    public static let currentSchema = "sonoqc-manifest/1"
    /// Version 2 adds optional caliper end points per image (``ImageEntry/calipers``); readers accept both.
    public static let acceptedSchemas: Set<String> = [currentSchema, "sonoqc-manifest/2"]

    public var schema: String
    public var batch: String?
    public var scans: [ScanEntry]

    public init(schema: String = BatchManifest.currentSchema, batch: String? = nil, scans: [ScanEntry]) {
        self.schema = schema
        self.batch = batch
        self.scans = scans
    }
}

/// One examination: a patient, an operator, a date.
public struct ScanEntry: Sendable, Codable, Hashable {
    public var scanID: String
    public var unitID: String?
    public var operatorID: String?
    /// ISO 8601 date, `YYYY-MM-DD`.
    public var examDate: String?
    /// Gestational age as `weeks+days` (e.g. `20+3`).
    public var gestationalAge: String?
    /// Last menstrual period, ISO date; GA is derived from it and `examDate` when `gestationalAge` is absent.
    public var lmpDate: String?
    /// Isotropic spacing in mm per pixel that applies to every image of the scan unless an image overrides it.
    public var pixelSpacingMM: Double?
    public var images: [ImageEntry]

    enum CodingKeys: String, CodingKey {
        case scanID = "scan_id", unitID = "unit_id", operatorID = "operator_id", examDate = "exam_date"
        case gestationalAge = "gestational_age", lmpDate = "lmp_date", pixelSpacingMM = "pixel_spacing_mm"
        case images
    }

    public init(scanID: String, unitID: String? = nil, operatorID: String? = nil, examDate: String? = nil,
                gestationalAge: String? = nil, lmpDate: String? = nil, pixelSpacingMM: Double? = nil,
                images: [ImageEntry]) {
        self.scanID = scanID
        self.unitID = unitID
        self.operatorID = operatorID
        self.examDate = examDate
        self.gestationalAge = gestationalAge
        self.lmpDate = lmpDate
        self.pixelSpacingMM = pixelSpacingMM
        self.images = images
    }
}

extension ScanEntry {
    /// Why `id` cannot be a scan id, or nil when it can. One rule for every producer and consumer
    /// of manifests (`analyze` reads them, `simulate` writes them): the id names a folder under
    /// `--out/scans/` and is printed in CSV and HTML, so it may not be a path, be blank or carry
    /// control characters. Long or unusual ids are fine; folder names are made safe separately.
    package static func scanIDProblem(_ id: String) -> String? {
        if id.allSatisfy(\.isWhitespace) { return "an empty scan id" }
        if id.contains("/") || id.contains("\\") || id == "." || id == ".." { return "a path separator or dot name" }
        if id.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "a control character" }
        return nil
    }
}

extension ImageEntry {
    /// `file` with empty and `.` components removed (`./a.png` and `a//b.png` are `a.png` and
    /// `a/b.png`), so one image listed twice under two spellings is caught as a duplicate.
    package var normalisedFile: String {
        file.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }
}

/// The biometry plane an image is meant to show.
public enum Plane: String, Sendable, Codable, Hashable, CaseIterable {
    case head, abdomen, femur, other, unknown
}

/// One image of a scan and the sonographer's caliper measurements on it (mm).
public struct ImageEntry: Sendable, Codable, Hashable {
    /// Path relative to the manifest's directory.
    public var file: String
    public var plane: Plane
    public var pixelSpacingMM: Double?
    public var reported: ReportedMeasurements
    /// Schema 2: the sonographer's caliper points per measure (`bpd`, `ofd`, `hc`, `ac`, `fl`), in
    /// frame pixels, e.g. the two ends of the BPD.
    public var calipers: [String: [CaliperPoint]]?

    enum CodingKeys: String, CodingKey {
        case file, plane, reported, calipers
        case pixelSpacingMM = "pixel_spacing_mm"
    }

    public init(file: String, plane: Plane = .unknown, pixelSpacingMM: Double? = nil,
                reported: ReportedMeasurements = ReportedMeasurements(), calipers: [String: [CaliperPoint]]? = nil) {
        self.file = file
        self.plane = plane
        self.pixelSpacingMM = pixelSpacingMM
        self.reported = reported
        self.calipers = calipers
    }
}

/// Caliper measurements as the sonographer reported them, in millimetres; any subset.
public struct ReportedMeasurements: Sendable, Codable, Hashable {
    public var bpdMM: Double?
    public var ofdMM: Double?
    public var hcMM: Double?
    public var acMM: Double?
    public var flMM: Double?

    enum CodingKeys: String, CodingKey {
        case bpdMM = "bpd_mm", ofdMM = "ofd_mm", hcMM = "hc_mm", acMM = "ac_mm", flMM = "fl_mm"
    }

    public init(bpdMM: Double? = nil, ofdMM: Double? = nil, hcMM: Double? = nil, acMM: Double? = nil,
                flMM: Double? = nil) {
        self.bpdMM = bpdMM
        self.ofdMM = ofdMM
        self.hcMM = hcMM
        self.acMM = acMM
        self.flMM = flMM
    }

    public var isEmpty: Bool { bpdMM == nil && ofdMM == nil && hcMM == nil && acMM == nil && flMM == nil }
}

/// A caliper mark in frame pixels (x to the right, y down from the top-left corner).
public struct CaliperPoint: Sendable, Codable, Hashable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}
