/// The frame size that SonoQC's pixel-unit constants were set on.
///
/// HC18 (the development frames) and the simulator export 800 × 540 px. Constants that are in
/// pixels or per pixel (the head measurer's working grid, IQ-005's sharpness limit, CAL-001's
/// plausible mm/px) hold for a frame of this larger side; frames exported at another size are
/// analysed at, or compared against, this size so that the same scan gives the same result
/// whatever its export resolution.
package enum ReferenceFrame {
    package static let longSidePixels = 800

    /// Reference pixels per pixel of a frame whose larger side is `longSide` (1 for a
    /// non-positive size).
    package static func scale(toReferenceFrom longSide: Int) -> Double {
        longSide > 0 ? Double(longSidePixels) / Double(longSide) : 1
    }
}
