/// The exact truth of one simulated image (`<image>.truth.json`, schema `sonoqc-truth/1`).
///
/// Conventions: pixel centres at integer coordinates, origin top-left, y down. The ellipse is the
/// **outer** border of the skull (where HC is measured); `semi_axis_a_px` is half the OFD and lies
/// along `angle_deg`, measured from the image +x axis towards +y (clockwise on screen), in
/// (−90°, 90°]. BPD and OFD are outer-to-outer. HC is the ellipse perimeter (Ramanujan's second
/// approximation) times the pixel spacing.
package struct GroundTruth: Sendable, Codable, Hashable {
    package static let currentSchema = "sonoqc-truth/1"

    package var schema: String = GroundTruth.currentSchema
    package var file: String
    package var batch: String
    package var scanID: String
    /// 1-based position of the image in its scan.
    package var frameNumber: Int
    package var plane: String = "head"
    package var operatorID: String?
    package var unitID: String?
    package var gestationalAge: String
    package var gaWeeks: Double
    package var pixelSpacingMM: Double
    package var imageWidth: Int
    package var imageHeight: Int
    package var head: HeadTruth
    package var sector: SectorGeometry
    package var acquisition: AcquisitionTruth
    package var defects: [DefectRecord]
    package var overlays: [OverlayRecord]
    package var duplicateOf: String?
    package var imageStats: ImageStats
    package var reported: ReportedTruth?

    enum CodingKeys: String, CodingKey {
        case schema, file, batch, scanID = "scan_id", frameNumber = "frame_number", plane
        case operatorID = "operator_id", unitID = "unit_id", gestationalAge = "gestational_age"
        case gaWeeks = "ga_weeks", pixelSpacingMM = "pixel_spacing_mm", imageWidth = "image_width"
        case imageHeight = "image_height", head, sector, acquisition, defects, overlays
        case duplicateOf = "duplicate_of", imageStats = "image_stats", reported
    }
}

/// Head size, shape and position.
package struct HeadTruth: Sendable, Codable, Hashable {
    package var hcMM: Double
    package var bpdMM: Double
    package var ofdMM: Double
    package var hcZScore: Double
    package var cephalicIndex: Double
    package var caliperConvention: String = "outer-to-outer"
    package var skullThicknessMM: Double
    /// Depth of the bone's reflecting outer surface inside the ellipse (see seeds/README.md).
    package var boneSurfaceInsetMM: Double
    package var centreXPixel: Double
    package var centreYPixel: Double
    package var semiAxisAPixel: Double
    package var semiAxisBPixel: Double
    package var angleDeg: Double
    /// Which end of the a-axis is frontal (the cavum septi pellucidi side): "+a" or "-a".
    package var frontalPole: String
    /// Ellipse area over image area.
    package var areaFraction: Double
    /// Fraction of the outer border (by perimeter) that lies inside both the sector and the image.
    package var ringFractionInView: Double
    /// Fraction of the outer border that is in view and not in a missing (oblique-plane) arc.
    package var ringFractionVisible: Double
    /// Missing arcs as [start, end] of the parametric angle t of (a·cos t, b·sin t), degrees.
    package var missingRingArcsDeg: [[Double]]
    package var showsCavumSeptiPellucidi: Bool
    package var showsThalami: Bool = true
    package var showsMidline: Bool = true

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
package struct AcquisitionTruth: Sendable, Codable, Hashable {
    package var frequencyMHz: Double
    package var focusDepthMM: Double
    package var gainDB: Double
    package var dynamicRangeDB: Double
    /// PSF width multiplier (1 = in focus).
    package var blurFactor: Double
    package var speckleReduction: Double
    package var speckleSeed: UInt64
    package var format: String

    enum CodingKeys: String, CodingKey {
        case frequencyMHz = "frequency_mhz", focusDepthMM = "focus_depth_mm", gainDB = "gain_db"
        case dynamicRangeDB = "dynamic_range_db", blurFactor = "blur_factor", speckleReduction = "speckle_reduction", speckleSeed = "speckle_seed", format
    }
}

/// One injected defect and the value that realised it.
package struct DefectRecord: Sendable, Codable, Hashable {
    package var kind: DefectKind
    package var amount: Double?
    package var note: String
}

/// A burned-in overlay and the rectangle it occupies (pixels, clipped to the image).
package struct OverlayRecord: Sendable, Codable, Hashable {
    package enum Kind: String, Sendable, Codable, Hashable {
        case text, caliper, dottedEllipse = "dotted_ellipse", greyBar = "grey_bar", blackBox = "black_box"
    }

    package var kind: Kind
    package var x: Int
    package var y: Int
    package var width: Int
    package var height: Int
    package var text: String?
}

/// First-order statistics of the final image (after overlays).
package struct ImageStats: Sendable, Codable, Hashable {
    /// Fraction of image pixels inside the sector.
    package var fovFraction: Double
    package var meanInFOV: Double
    /// Fraction of sector pixels at ≥ 250.
    package var saturatedFractionInFOV: Double
    /// Fraction of sector pixels at ≤ 2.
    package var blackFractionInFOV: Double

    enum CodingKeys: String, CodingKey {
        case fovFraction = "fov_fraction", meanInFOV = "mean_in_fov"
        case saturatedFractionInFOV = "saturated_fraction_in_fov", blackFractionInFOV = "black_fraction_in_fov"
    }
}

/// What the manifest reports for the image, and how it was derived.
package struct ReportedTruth: Sendable, Codable, Hashable {
    package var bpdMM: Double?
    package var ofdMM: Double?
    package var hcMM: Double?
    package var operatorBiasPercent: Double
    package var operatorNoiseSDPercent: Double
    package var grossError: ReportingError?

    enum CodingKeys: String, CodingKey {
        case bpdMM = "bpd_mm", ofdMM = "ofd_mm", hcMM = "hc_mm", operatorBiasPercent = "operator_bias_percent"
        case operatorNoiseSDPercent = "operator_noise_sd_percent", grossError = "gross_error"
    }
}
