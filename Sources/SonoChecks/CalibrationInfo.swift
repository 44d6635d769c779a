package import SonoCore
package import SonoL10n
package import SonoInput

/// The scale used for an image's millimetre values, where it came from, and whether it was usable.
///
/// A wrong scale is a patient-safety problem: when the spacing is missing, anisotropic or outside
/// the plausible range the status is `uncalibrated`, `mmPerPixel` is nil, and every length check
/// reports "not checkable: uncalibrated" with the value in pixels.
package struct CalibrationInfo: Sendable, Codable, Hashable {
    package enum Status: String, Sendable, Codable, Hashable {
        case calibrated, uncalibrated
    }

    package var status: Status
    /// The spacing applied to lengths (isotropic mm per pixel); nil when uncalibrated.
    package var mmPerPixel: Double?
    /// The spacing that was offered, even when rejected (x, y).
    package var offeredMMPerPixelX: Double?
    package var offeredMMPerPixelY: Double?
    /// `manifest`, `png-phys`, `jpeg-density`, … (``PixelSpacing/Source``); nil when there was none.
    package var source: String?
    /// Why the spacing was rejected (English rendering of `reasonMessage`); nil when calibrated.
    package var reason: String?
    /// Catalogue key and numbers of `reason`, for pages in other languages (optional so older reports decode).
    package var reasonMessage: Message?

    package init(status: Status, mmPerPixel: Double?, offeredMMPerPixelX: Double?, offeredMMPerPixelY: Double?,
                source: String?, reason: Message?) {
        self.status = status
        self.mmPerPixel = JSONNumber.rounded(mmPerPixel)
        self.offeredMMPerPixelX = JSONNumber.rounded(offeredMMPerPixelX)
        self.offeredMMPerPixelY = JSONNumber.rounded(offeredMMPerPixelY)
        self.source = source
        self.reasonMessage = reason
        self.reason = reason.map(Localizer.en.text)
    }

    /// The manifest's spacing wins over the file's (the manifest is the site's statement of the
    /// exported scale; file headers are often left at a default); the choice is recorded.
    ///
    /// The profile's plausible range is for a frame of the reference size (``ReferenceFrame``);
    /// for a frame whose larger side is `frameLongSide` px it scales by reference size / that
    /// side, so the check is on the imaged extent (0.05–0.35 mm/px over 800 px is 40–280 mm),
    /// which does not change when the same scan is exported larger or smaller.
    package static func resolve(manifestMMPerPixel: Double?, fileSpacing: PixelSpacing?,
                               unitlessDensity: UnitlessDensity? = nil,
                               frameLongSide: Int, profile: QCProfile.Calibration) -> CalibrationInfo {
        let spacing: PixelSpacing
        if let m = manifestMMPerPixel {
            spacing = PixelSpacing(isotropicMMPerPixel: m, source: .manifest)
        } else if let f = fileSpacing {
            spacing = f
        } else {
            let why = unitlessDensity.map {
                Message($0.source == .pngPHYs ? "spacing.png_unit_unknown" : "spacing.jpeg_unit_unknown",
                        ["x": .number(Double($0.x)), "y": .number(Double($0.y))])
            } ?? Message("spacing.no_spacing")
            return CalibrationInfo(status: .uncalibrated, mmPerPixel: nil, offeredMMPerPixelX: nil, offeredMMPerPixelY: nil,
                                   source: unitlessDensity?.source.rawValue, reason: why)
        }
        let x = spacing.mmPerPixelX, y = spacing.mmPerPixelY
        func rejected(_ why: Message) -> CalibrationInfo {
            CalibrationInfo(status: .uncalibrated, mmPerPixel: nil, offeredMMPerPixelX: x, offeredMMPerPixelY: y,
                            source: spacing.source.rawValue, reason: why)
        }
        guard x.isFinite, y.isFinite, x > 0, y > 0 else { return rejected(Message("spacing.not_positive")) }
        guard abs(x - y) <= profile.isotropyTolerance * max(x, y) else {
            return rejected(Message("spacing.not_square", ["x": .number(x), "y": .number(y)]))
        }
        let mm = (x + y) / 2
        let toReference = ReferenceFrame.scale(toReferenceFrom: frameLongSide)
        let lowest = profile.minSpacingMMPerPixel * toReference, highest = profile.maxSpacingMMPerPixel * toReference
        guard mm >= lowest, mm <= highest else {
            return rejected(Message("spacing.implausible", ["mm_per_px": .number(mm), "min": .number(JSONNumber.rounded(lowest)),
                                                              "max": .number(JSONNumber.rounded(highest)),
                                                              "long_side": .number(Double(frameLongSide))]))
        }
        return CalibrationInfo(status: .calibrated, mmPerPixel: mm, offeredMMPerPixelX: x, offeredMMPerPixelY: y,
                               source: spacing.source.rawValue, reason: nil)
    }
}

/// Compact, locale-independent number text for explanations (at most 4 decimals, no trailing zeros).
func fmt(_ value: Double, decimals: Int = 4) -> String {
    guard value.isFinite else { return "\(value)" }
    var p = 1.0
    for _ in 0..<decimals { p *= 10 }
    let r = (value * p).rounded() / p
    if r == r.rounded(), abs(r) < 1e15 { return String(Int(r)) }
    return "\(r)"
}
