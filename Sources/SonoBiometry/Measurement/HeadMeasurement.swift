import SonoCore

/// The fetal head found in one frame: the ellipse on the **outer** border of the skull and the
/// measurements derived from it.
///
/// Conventions (stated here because charts depend on them):
/// - HC is the perimeter of the outer-border ellipse (Ramanujan's second approximation), as in
///   the HC18 data set and INTERGROWTH-21st.
/// - BPD and OFD are the ellipse's minor and major **full** axes, i.e. **outer-to-outer**
///   diameters, the convention the INTERGROWTH-21st evidence points to (reference/biometry.md §1).
///   They are *not* Hadlock's outer-to-inner BPD; convert with
///   ``Hadlock/bpdOuterToInner(fromOuterToOuterMM:)`` before using Hadlock equations.
/// - Pixel values are in the input image's pixel grid (origin top-left, pixel centres at integers).
package struct HeadMeasurement: Sendable, Hashable, Codable {
    /// Caliper convention of ``bpdMM`` and ``ofdMM``, recorded in every report.
    package static let diameterConvention = "outer-to-outer"

    /// The outer-skull ellipse in pixels.
    package var ellipse: Ellipse
    /// The ellipse through the middle of the skull band found before the outer-border
    /// refinement (for overlays and QC: its gap to ``ellipse`` is about half the bone thickness).
    package var skullCentreline: Ellipse?
    /// HC in pixels (perimeter of ``ellipse``).
    package var hcPixels: Double { ellipse.perimeter }
    /// BPD in pixels: the minor full axis.
    package var bpdPixels: Double { 2 * ellipse.semiMinor }
    /// OFD in pixels: the major full axis.
    package var ofdPixels: Double { 2 * ellipse.semiMajor }

    /// Spacing used for the mm values, nil when none was given or it was implausible.
    package var spacingMMPerPixel: Double?
    /// Why mm values are absent even though a spacing was given (nil when they are present
    /// or no spacing was given).
    package var calibrationNote: String?
    /// HC in mm, present only with a plausible spacing.
    package var hcMM: Double? { spacingMMPerPixel.map { hcPixels * $0 } }
    /// BPD (outer-to-outer) in mm.
    package var bpdMM: Double? { spacingMMPerPixel.map { bpdPixels * $0 } }
    /// OFD (outer-to-outer) in mm.
    package var ofdMM: Double? { spacingMMPerPixel.map { ofdPixels * $0 } }

    /// How well the image supports the ellipse.
    package var confidence: HeadMeasurementConfidence
    /// Expected error against an expert and the per-image tolerances derived from it
    /// (``HeadErrorModel``); nil without a mm spacing or when no error model was applied.
    package var uncertainty: HeadMeasurementUncertainty?

    package init(ellipse: Ellipse, skullCentreline: Ellipse? = nil, spacingMMPerPixel: Double?,
                calibrationNote: String?, confidence: HeadMeasurementConfidence,
                uncertainty: HeadMeasurementUncertainty? = nil) {
        self.ellipse = ellipse
        self.skullCentreline = skullCentreline
        self.spacingMMPerPixel = spacingMMPerPixel
        self.calibrationNote = calibrationNote
        self.confidence = confidence
        self.uncertainty = uncertainty
    }
}

/// Evidence behind a head measurement.
package struct HeadMeasurementConfidence: Sendable, Hashable, Codable {
    /// Fraction (0–1) of the ellipse perimeter where an outer skull edge was found close to it.
    package var perimeterSupport: Double
    /// Fraction (0–1) of the ellipse perimeter that lies inside the image and outside the ignore mask.
    package var perimeterVisible: Double
    /// Root-mean-square radial distance, in pixels, between the supporting edge points and the ellipse.
    package var residualRMSPixels: Double
    /// Mean skull-ridge strength along the ellipse relative to the image's strongest ridges (0–1+).
    package var ridgeContrast: Double
    /// Mean brightness on the skull band divided by the mean brightness of the darker of its two
    /// sides (brain just inside, tissue or fluid just outside): about 1 for speckle without a
    /// head, well above 1.3 for real skulls.
    package var ringContrastRatio: Double
    /// A single 0–1 summary: support × a residual penalty; below 0.3 means "check this frame".
    package var score: Double
    /// |log(refitted perimeter / grown perimeter)| when the outer ellipse was refitted to the
    /// head's outer edge (small heads, ``HeadMeasurer/Options/edgeRefitBelowHCMM``), nil when it
    /// was grown from the skull's centre line: how far the edge moved the ellipse (a large move is
    /// more often a wrong edge).
    package var edgeRefitPerimeterChange: Double? = nil
    /// Whether the outer ellipse was refitted to the head's outer edge; its biases differ, so the
    /// shape correction and the error model take it as a feature.
    package var outerFromEdge: Bool { edgeRefitPerimeterChange != nil }
}

/// Why no head was measured.
package enum HeadMeasurementFailure: SonoError, Equatable {
    /// The frame is too small to hold a measurable head.
    case imageTooSmall(width: Int, height: Int)
    /// The ignore mask does not have the frame's size.
    case maskSizeMismatch(imageWidth: Int, imageHeight: Int, maskWidth: Int, maskHeight: Int)
    /// No bright, curved, skull-like structure was found.
    case noSkullEvidence
    /// Candidate rings were found but none could be fitted with a plausible ellipse.
    case noPlausibleEllipse(reason: String)
    /// The best ellipse has too little image support to be trusted.
    case insufficientSupport(perimeterSupport: Double)
    /// An ellipse was found but its expected error (``HeadErrorModel``) is above the abstention
    /// limit: reporting it would more likely mislead than help.
    case unreliable(expectedAbsErrorHCMM: Double, limitMM: Double)

    package var summary: String {
        switch self {
        case let .imageTooSmall(w, h): return "image \(w)x\(h) is too small to measure a head"
        case let .maskSizeMismatch(iw, ih, mw, mh): return "ignore mask \(mw)x\(mh) does not match image \(iw)x\(ih)"
        case .noSkullEvidence: return "no skull-like bright ring found"
        case let .noPlausibleEllipse(reason): return "no plausible head ellipse: \(reason)"
        case let .insufficientSupport(s):
            return "best head ellipse is supported on only \(Int((s * 100).rounded())) % of its perimeter"
        case let .unreliable(e, limit):
            // One decimal: whole millimetres printed "5 mm above the 5 mm limit" for 5.3 against 5.0.
            return "abstained: expected HC error \((e * 10).rounded() / 10) mm is above the \((limit * 10).rounded() / 10) mm limit "
                + "(weak or ambiguous skull outline)"
        }
    }
}
