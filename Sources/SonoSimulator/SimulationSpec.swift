import Foundation

/// A scenario spec (`seeds/*.json`, schema `sonoqc-seed/1`): everything `sonoqc simulate` needs to
/// produce one scan batch. `seeds/README.md` documents every field.
///
/// Every optional field has a default; fields left out of a frame are drawn from the spec's seeded
/// generator, so a spec stays short and the batch is still fully determined by the file.
package struct SimulationSpec: Sendable, Codable, Hashable {
    package static let currentSchema = "sonoqc-seed/1"

    package var schema: String
    /// Batch name: the output sub-directory and the manifest's `batch`.
    package var batch: String
    package var description: String?
    package var seed: UInt64
    package var image: ImageSpec
    package var probe: ProbeSpec
    package var operators: [OperatorSpec]
    package var scans: [ScanSpec]
    /// Extra scans drawn at random (after the explicit `scans`).
    package var randomScans: RandomScansSpec?

    enum CodingKeys: String, CodingKey {
        case schema, batch, description, seed, image, probe, operators, scans
        case randomScans = "random_scans"
    }

    package init(schema: String = SimulationSpec.currentSchema, batch: String, description: String? = nil,
                seed: UInt64, image: ImageSpec = ImageSpec(), probe: ProbeSpec = ProbeSpec(),
                operators: [OperatorSpec] = [], scans: [ScanSpec] = [], randomScans: RandomScansSpec? = nil) {
        self.schema = schema
        self.batch = batch
        self.description = description
        self.seed = seed
        self.image = image
        self.probe = probe
        self.operators = operators
        self.scans = scans
        self.randomScans = randomScans
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schema = try c.decodeIfPresent(String.self, forKey: .schema) ?? Self.currentSchema
        batch = try c.decode(String.self, forKey: .batch)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        seed = try c.decode(UInt64.self, forKey: .seed)
        image = try c.decodeIfPresent(ImageSpec.self, forKey: .image) ?? ImageSpec()
        probe = try c.decodeIfPresent(ProbeSpec.self, forKey: .probe) ?? ProbeSpec()
        operators = try c.decodeIfPresent([OperatorSpec].self, forKey: .operators) ?? []
        scans = try c.decodeIfPresent([ScanSpec].self, forKey: .scans) ?? []
        randomScans = try c.decodeIfPresent(RandomScansSpec.self, forKey: .randomScans)
    }
}

/// Output image size and file format.
package struct ImageSpec: Sendable, Codable, Hashable {
    package enum Format: String, Sendable, Codable, Hashable { case png, jpeg }

    package var width: Int
    package var height: Int
    package var format: Format
    /// libjpeg quality (1–100) when `format` is `jpeg`.
    package var jpegQuality: Int

    enum CodingKeys: String, CodingKey {
        case width, height, format
        case jpegQuality = "jpeg_quality"
    }

    package init(width: Int = 800, height: Int = 540, format: Format = .png, jpegQuality: Int = 90) {
        self.width = width
        self.height = height
        self.format = format
        self.jpegQuality = jpegQuality
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        width = try c.decodeIfPresent(Int.self, forKey: .width) ?? 800
        height = try c.decodeIfPresent(Int.self, forKey: .height) ?? 540
        format = try c.decodeIfPresent(Format.self, forKey: .format) ?? .png
        jpegQuality = try c.decodeIfPresent(Int.self, forKey: .jpegQuality) ?? 90
    }
}

/// The curvilinear probe and the scanner's processing settings.
package struct ProbeSpec: Sendable, Codable, Hashable {
    /// Radius of curvature of the probe face (the sector's apex lies this far above the skin).
    package var radiusMM: Double
    /// Full opening angle of the sector.
    package var sectorAngleDeg: Double
    /// Centre frequency: sets the pulse length (axial resolution), the beam width and the attenuation.
    package var frequencyMHz: Double
    /// Depth of the transmit focus below the skin.
    package var focusDepthMM: Double
    /// Displayed dynamic range of the log compression.
    package var dynamicRangeDB: Double
    /// Overall receive gain added before log compression (0 = well adjusted).
    package var gainDB: Double
    /// Width of the scanner's post-detection speckle-reduction smoothing, in PSF sigmas (0 = off).
    package var speckleReduction: Double

    enum CodingKeys: String, CodingKey {
        case radiusMM = "radius_mm", sectorAngleDeg = "sector_angle_deg", frequencyMHz = "frequency_mhz"
        case focusDepthMM = "focus_depth_mm", dynamicRangeDB = "dynamic_range_db", gainDB = "gain_db"
        case speckleReduction = "speckle_reduction"
    }

    package init(radiusMM: Double = 45, sectorAngleDeg: Double = 66, frequencyMHz: Double = 3.5,
                focusDepthMM: Double = 70, dynamicRangeDB: Double = 60, gainDB: Double = 0,
                speckleReduction: Double = 1) {
        self.radiusMM = radiusMM
        self.sectorAngleDeg = sectorAngleDeg
        self.frequencyMHz = frequencyMHz
        self.focusDepthMM = focusDepthMM
        self.dynamicRangeDB = dynamicRangeDB
        self.gainDB = gainDB
        self.speckleReduction = speckleReduction
    }

    package init(from decoder: any Decoder) throws {
        let d = ProbeSpec()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        radiusMM = try c.decodeIfPresent(Double.self, forKey: .radiusMM) ?? d.radiusMM
        sectorAngleDeg = try c.decodeIfPresent(Double.self, forKey: .sectorAngleDeg) ?? d.sectorAngleDeg
        frequencyMHz = try c.decodeIfPresent(Double.self, forKey: .frequencyMHz) ?? d.frequencyMHz
        focusDepthMM = try c.decodeIfPresent(Double.self, forKey: .focusDepthMM) ?? d.focusDepthMM
        dynamicRangeDB = try c.decodeIfPresent(Double.self, forKey: .dynamicRangeDB) ?? d.dynamicRangeDB
        gainDB = try c.decodeIfPresent(Double.self, forKey: .gainDB) ?? d.gainDB
        speckleReduction = try c.decodeIfPresent(Double.self, forKey: .speckleReduction) ?? d.speckleReduction
    }
}

/// A sonographer: how their reported calipers deviate from the truth.
package struct OperatorSpec: Sendable, Codable, Hashable {
    package var id: String
    /// Systematic deviation of every reported length, in percent of the true value (negative =
    /// under-measures, the usual direction of a calliper placed on the inner border).
    package var biasPercent: Double
    /// Standard deviation of the independent random error of each reported length, in percent.
    package var noiseSDPercent: Double

    enum CodingKeys: String, CodingKey {
        case id
        case biasPercent = "bias_percent", noiseSDPercent = "noise_sd_percent"
    }

    package init(id: String, biasPercent: Double = 0, noiseSDPercent: Double = 1.5) {
        self.id = id
        self.biasPercent = biasPercent
        self.noiseSDPercent = noiseSDPercent
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        biasPercent = try c.decodeIfPresent(Double.self, forKey: .biasPercent) ?? 0
        noiseSDPercent = try c.decodeIfPresent(Double.self, forKey: .noiseSDPercent) ?? 1.5
    }
}

/// One examination written out explicitly.
package struct ScanSpec: Sendable, Codable, Hashable {
    package var scanID: String
    package var operatorID: String?
    package var unitID: String?
    package var examDate: String?
    /// Gestational age as `weeks+days`.
    package var gestationalAge: String
    package var frames: [FrameSpec]

    enum CodingKeys: String, CodingKey {
        case scanID = "scan_id", operatorID = "operator", unitID = "unit", examDate = "exam_date"
        case gestationalAge = "ga", frames
    }

    package init(scanID: String, operatorID: String? = nil, unitID: String? = nil, examDate: String? = nil,
                gestationalAge: String, frames: [FrameSpec] = [FrameSpec()]) {
        self.scanID = scanID
        self.operatorID = operatorID
        self.unitID = unitID
        self.examDate = examDate
        self.gestationalAge = gestationalAge
        self.frames = frames
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        scanID = try c.decode(String.self, forKey: .scanID)
        operatorID = try c.decodeIfPresent(String.self, forKey: .operatorID)
        unitID = try c.decodeIfPresent(String.self, forKey: .unitID)
        examDate = try c.decodeIfPresent(String.self, forKey: .examDate)
        gestationalAge = try c.decode(String.self, forKey: .gestationalAge)
        frames = try c.decodeIfPresent([FrameSpec].self, forKey: .frames) ?? [FrameSpec()]
    }
}

/// One image of a scan. Absent values are drawn from the seeded generator.
package struct FrameSpec: Sendable, Codable, Hashable {
    /// HC z-score against INTERGROWTH-21st at the scan's GA.
    package var hcZ: Double?
    /// BPD/OFD (outer-to-outer), e.g. 0.80.
    package var cephalicIndex: Double?
    /// Angle of the OFD axis from the image +x axis, degrees, positive turning towards +y (clockwise on screen).
    package var orientationDeg: Double?
    /// Pixel size; by default chosen so the OFD spans `headFill` of the image width.
    package var spacingMMPerPixel: Double?
    /// Fraction of the image width the OFD spans when `spacingMMPerPixel` is absent.
    package var headFill: Double?
    /// Head centre as fractions of the image width and height.
    package var centre: [Double]?
    /// Typical width of amniotic fluid around the head.
    package var fluidMM: Double?
    /// Depth of maternal tissue (skin to the inner uterine wall).
    package var maternalWallMM: Double?
    /// Probe/processing overrides for this frame only.
    package var gainDB: Double?
    package var dynamicRangeDB: Double?
    package var format: ImageSpec.Format?
    package var defects: [DefectSpec]
    /// Whether the manifest carries the operator's BPD/OFD/HC for this frame.
    package var report: Bool
    /// A gross reporting error to inject into this frame's reported measurements.
    package var reportedError: ReportingError?

    enum CodingKeys: String, CodingKey {
        case hcZ = "hc_z", cephalicIndex = "cephalic_index", orientationDeg = "orientation_deg"
        case spacingMMPerPixel = "spacing_mm_per_px", headFill = "head_fill", centre
        case fluidMM = "fluid_mm", maternalWallMM = "maternal_wall_mm"
        case gainDB = "gain_db", dynamicRangeDB = "dynamic_range_db", format, defects, report
        case reportedError = "reported_error"
    }

    package init(hcZ: Double? = nil, cephalicIndex: Double? = nil, orientationDeg: Double? = nil,
                spacingMMPerPixel: Double? = nil, headFill: Double? = nil, centre: [Double]? = nil,
                fluidMM: Double? = nil, maternalWallMM: Double? = nil, gainDB: Double? = nil,
                dynamicRangeDB: Double? = nil, format: ImageSpec.Format? = nil, defects: [DefectSpec] = [],
                report: Bool = true, reportedError: ReportingError? = nil) {
        self.hcZ = hcZ
        self.cephalicIndex = cephalicIndex
        self.orientationDeg = orientationDeg
        self.spacingMMPerPixel = spacingMMPerPixel
        self.headFill = headFill
        self.centre = centre
        self.fluidMM = fluidMM
        self.maternalWallMM = maternalWallMM
        self.gainDB = gainDB
        self.dynamicRangeDB = dynamicRangeDB
        self.format = format
        self.defects = defects
        self.report = report
        self.reportedError = reportedError
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hcZ = try c.decodeIfPresent(Double.self, forKey: .hcZ)
        cephalicIndex = try c.decodeIfPresent(Double.self, forKey: .cephalicIndex)
        orientationDeg = try c.decodeIfPresent(Double.self, forKey: .orientationDeg)
        spacingMMPerPixel = try c.decodeIfPresent(Double.self, forKey: .spacingMMPerPixel)
        headFill = try c.decodeIfPresent(Double.self, forKey: .headFill)
        centre = try c.decodeIfPresent([Double].self, forKey: .centre)
        fluidMM = try c.decodeIfPresent(Double.self, forKey: .fluidMM)
        maternalWallMM = try c.decodeIfPresent(Double.self, forKey: .maternalWallMM)
        gainDB = try c.decodeIfPresent(Double.self, forKey: .gainDB)
        dynamicRangeDB = try c.decodeIfPresent(Double.self, forKey: .dynamicRangeDB)
        format = try c.decodeIfPresent(ImageSpec.Format.self, forKey: .format)
        defects = try c.decodeIfPresent([DefectSpec].self, forKey: .defects) ?? []
        report = try c.decodeIfPresent(Bool.self, forKey: .report) ?? true
        reportedError = try c.decodeIfPresent(ReportingError.self, forKey: .reportedError)
    }
}

/// A gross error in the reported measurements (the kind a transcription produces).
package enum ReportingError: String, Sendable, Codable, Hashable, CaseIterable {
    /// BPD and OFD entered in each other's field.
    case swappedBPDOFD = "swapped_bpd_ofd"
    /// Values entered in centimetres into millimetre fields.
    case unitsCentimetres = "units_cm"
}

/// The image defects the simulator can inject. Each one is recorded in the image's truth file.
package enum DefectKind: String, Sendable, Codable, Hashable, CaseIterable {
    /// Receive gain far too low: the image is crushed towards black.
    case gainLow = "gain_low"
    /// Receive gain far too high: tissue saturates at 255.
    case gainHigh = "gain_high"
    /// Depth set far too large: the head fills only a small part of the frame.
    case wrongDepth = "wrong_depth"
    /// Beam out of focus: point-spread function several times wider.
    case blur
    /// The head lies partly outside the sector.
    case headOutsideSector = "head_outside_sector"
    /// Oblique plane: arcs of the skull ring are missing and the ring is elongated.
    case obliquePlane = "oblique_plane"
    /// Burned-in annotation text.
    case overlayText = "overlay_text"
    /// Burned-in caliper crosses at the BPD and OFD ends.
    case overlayCalipers = "overlay_calipers"
    /// Burned-in dotted ellipse along the head outline.
    case overlayDottedEllipse = "overlay_dotted_ellipse"
    /// Grey-scale bar at the image edge.
    case overlayGreyBar = "overlay_grey_bar"
    /// Black anonymisation boxes.
    case overlayBlackBoxes = "overlay_black_boxes"
    /// This frame is a byte-identical copy of the previous frame of the scan.
    case exactDuplicate = "exact_duplicate"
    /// This frame is the previous frame of the scan after a tiny probe movement.
    case nearDuplicate = "near_duplicate"

    package var isOverlay: Bool {
        switch self {
        case .overlayText, .overlayCalipers, .overlayDottedEllipse, .overlayGreyBar, .overlayBlackBoxes: true
        default: false
        }
    }
}

/// A defect request; `amount` tunes its strength (meaning per kind in seeds/README.md).
package struct DefectSpec: Sendable, Codable, Hashable {
    package var kind: DefectKind
    package var amount: Double?

    package init(kind: DefectKind, amount: Double? = nil) {
        self.kind = kind
        self.amount = amount
    }

    /// Accepts either `"blur"` or `{"kind": "blur", "amount": 3}`.
    package init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let kind = try? single.decode(DefectKind.self) {
            self.kind = kind
            self.amount = nil
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(DefectKind.self, forKey: .kind)
        amount = try c.decodeIfPresent(Double.self, forKey: .amount)
    }
}

/// Scans drawn at random: used for large batches such as the operator-audit batch.
package struct RandomScansSpec: Sendable, Codable, Hashable {
    /// Scans per operator in `operators` (every operator gets the same number).
    package var scansPerOperator: Int
    package var framesPerScan: Int
    /// Gestational ages are drawn uniformly in this range of exact weeks.
    package var gaWeeksRange: [Double]
    package var units: [String]
    /// First exam date (ISO); scan k is dated k / scansPerDay days later.
    package var startDate: String
    package var scansPerDay: Int
    package var scanIDPrefix: String
    /// Each drawn frame gets one defect from `defectPool` with this probability.
    package var defectRate: Double
    package var defectPool: [DefectKind]
    /// Probability that a frame's report carries a gross error.
    package var reportedErrorRate: Double

    enum CodingKeys: String, CodingKey {
        case scansPerOperator = "scans_per_operator", framesPerScan = "frames_per_scan"
        case gaWeeksRange = "ga_weeks_range", units, startDate = "start_date", scansPerDay = "scans_per_day"
        case scanIDPrefix = "scan_id_prefix", defectRate = "defect_rate", defectPool = "defect_pool"
        case reportedErrorRate = "reported_error_rate"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        scansPerOperator = try c.decode(Int.self, forKey: .scansPerOperator)
        framesPerScan = try c.decodeIfPresent(Int.self, forKey: .framesPerScan) ?? 1
        gaWeeksRange = try c.decodeIfPresent([Double].self, forKey: .gaWeeksRange) ?? [18, 38]
        units = try c.decodeIfPresent([String].self, forKey: .units) ?? []
        startDate = try c.decodeIfPresent(String.self, forKey: .startDate) ?? "2026-01-05"
        scansPerDay = try c.decodeIfPresent(Int.self, forKey: .scansPerDay) ?? 12
        scanIDPrefix = try c.decodeIfPresent(String.self, forKey: .scanIDPrefix) ?? "R"
        defectRate = try c.decodeIfPresent(Double.self, forKey: .defectRate) ?? 0
        defectPool = try c.decodeIfPresent([DefectKind].self, forKey: .defectPool) ?? []
        reportedErrorRate = try c.decodeIfPresent(Double.self, forKey: .reportedErrorRate) ?? 0
    }
}
