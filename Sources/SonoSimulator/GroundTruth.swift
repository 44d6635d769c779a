/// The exact truth of one simulated image (`<image>.truth.json`, schema `sonoqc-truth/1`).
///
/// Conventions: pixel centres at integer coordinates, origin top-left, y down. The ellipse is the
/// **outer** border of the skull (where HC is measured); `semi_axis_a_px` is half the OFD and lies
/// along `angle_deg`, measured from the image +x axis towards +y (clockwise on screen), in
/// (−90°, 90°]. BPD and OFD are outer-to-outer. HC is the ellipse perimeter (Ramanujan's second
/// approximation) times the pixel spacing.
public struct GroundTruth: Sendable, Codable, Hashable {
    public static let currentSchema = "sonoqc-truth/1"

    public var schema: String = GroundTruth.currentSchema
    public var file: String
    public var batch: String
    public var scanID: String
    /// 1-based position of the image in its scan.
    public var frameNumber: Int
    public var plane: String = "head"
    public var operatorID: String?
    public var unitID: String?
    public var gestationalAge: String
    public var gaWeeks: Double
    public var pixelSpacingMM: Double
    public var imageWidth: Int
    public var imageHeight: Int
    public var head: HeadTruth
    public var sector: SectorGeometry
    public var acquisition: AcquisitionTruth
    public var defects: [DefectRecord]
    public var overlays: [OverlayRecord]
    public var duplicateOf: String?
    public var imageStats: ImageStats
    public var reported: ReportedTruth?

    enum CodingKeys: String, CodingKey {
        case schema, file, batch, scanID = "scan_id", frameNumber = "frame_number", plane
        case operatorID = "operator_id", unitID = "unit_id", gestationalAge = "gestational_age"
        case gaWeeks = "ga_weeks", pixelSpacingMM = "pixel_spacing_mm", imageWidth = "image_width"
        case imageHeight = "image_height", head, sector, acquisition, defects, overlays
        case duplicateOf = "duplicate_of", imageStats = "image_stats", reported
    }
}

/// Head size, shape and position.
public struct HeadTruth: Sendable, Codable, Hashable {
    public var hcMM: Double
    public var bpdMM: Double
    public var ofdMM: Double
    public var hcZScore: Double
    public var cephalicIndex: Double
    public var caliperConvention: String = "outer-to-outer"
    public var skullThicknessMM: Double
    /// Depth of the bone's reflecting outer surface inside the ellipse (see seeds/README.md).
    public var boneSurfaceInsetMM: Double
    public var centreXPixel: Double
    public var centreYPixel: Double
    public var semiAxisAPixel: Double
    public var semiAxisBPixel: Double
    public var angleDeg: Double
    /// Which end of the a-axis is frontal (the cavum septi pellucidi side): "+a" or "-a".
    public var frontalPole: String
    /// Ellipse area over image area.
    public var areaFraction: Double
    /// Fraction of the outer border (by perimeter) that lies inside both the sector and the image.
    public var ringFractionInView: Double
    /// Fraction of the outer border that is in view and not in a missing (oblique-plane) arc.
    public var ringFractionVisible: Double
    /// Missing arcs as [start, end] of the parametric angle t of (a·cos t, b·sin t), degrees.
    public var missingRingArcsDeg: [[Double]]
    public var showsCavumSeptiPellucidi: Bool
    public var showsThalami: Bool = true
    public var showsMidline: Bool = true

    enum CodingKeys: String, CodingKey {
        case hcMM = "hc_mm", bpdMM = "bpd_mm", ofdMM = "ofd_mm", hcZScore = "hc_z", cephalicIndex = "cephalic_index"
        case caliperConvention = "caliper_convention", skullThicknessMM = "skull_thickness_mm"
        case boneSurfaceInsetMM = "bone_surface_inset_mm"
        case centreXPixel = "centre_x_px", centreYPixel = "centre_y_px", semiAxisAPixel = "semi_axis_a_px"
        case semiAxisBPixel = "semi_axis_b_px", angleDeg = "angle_deg", frontalPole = "frontal_pole"
        case areaFraction = "area_fraction", ringFractionInView = "ring_fraction_in_view"
        case ringFractionVisible = "ring_fraction_visible", missingRingArcsDeg = "missing_ring_arcs_deg"
        case showsCavumSeptiPellucidi = "shows_csp", showsThalami = "shows_thalami", showsMidline = "shows_midline"
    }
}

/// Scanner settings used for the image.
public struct AcquisitionTruth: Sendable, Codable, Hashable {
    public var frequencyMHz: Double
    public var focusDepthMM: Double
    public var gainDB: Double
    public var dynamicRangeDB: Double
    /// PSF width multiplier (1 = in focus).
    public var blurFactor: Double
    public var speckleReduction: Double
    public var speckleSeed: UInt64
    public var format: String

    enum CodingKeys: String, CodingKey {
        case frequencyMHz = "frequency_mhz", focusDepthMM = "focus_depth_mm", gainDB = "gain_db"
        case dynamicRangeDB = "dynamic_range_db", blurFactor = "blur_factor", speckleReduction = "speckle_reduction", speckleSeed = "speckle_seed", format
    }
}

/// One injected defect and the value that realised it.
public struct DefectRecord: Sendable, Codable, Hashable {
    public var kind: DefectKind
    public var amount: Double?
    public var note: String
}

/// A burned-in overlay and the rectangle it occupies (pixels, clipped to the image).
public struct OverlayRecord: Sendable, Codable, Hashable {
    public enum Kind: String, Sendable, Codable, Hashable {
        case text, caliper, dottedEllipse = "dotted_ellipse", greyBar = "grey_bar", blackBox = "black_box"
    }

    public var kind: Kind
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int
    public var text: String?
}

/// First-order statistics of the final image (after overlays).
public struct ImageStats: Sendable, Codable, Hashable {
    /// Fraction of image pixels inside the sector.
    public var fovFraction: Double
    public var meanInFOV: Double
    /// Fraction of sector pixels at ≥ 250.
    public var saturatedFractionInFOV: Double
    /// Fraction of sector pixels at ≤ 2.
    public var blackFractionInFOV: Double

    enum CodingKeys: String, CodingKey {
        case fovFraction = "fov_fraction", meanInFOV = "mean_in_fov"
        case saturatedFractionInFOV = "saturated_fraction_in_fov", blackFractionInFOV = "black_fraction_in_fov"
    }
}

/// What the manifest reports for the image, and how it was derived.
public struct ReportedTruth: Sendable, Codable, Hashable {
    public var bpdMM: Double?
    public var ofdMM: Double?
    public var hcMM: Double?
    public var operatorBiasPercent: Double
    public var operatorNoiseSDPercent: Double
    public var grossError: ReportingError?

    enum CodingKeys: String, CodingKey {
        case bpdMM = "bpd_mm", ofdMM = "ofd_mm", hcMM = "hc_mm", operatorBiasPercent = "operator_bias_percent"
        case operatorNoiseSDPercent = "operator_noise_sd_percent", grossError = "gross_error"
    }
}
