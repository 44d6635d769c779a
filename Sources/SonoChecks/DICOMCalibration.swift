package import SonoCore
import SonoBiometry
import SonoL10n
package import SonoInput

extension CalibrationInfo {
    /// Calibration of a DICOM frame without a manifest spacing: the Sequence of Ultrasound
    /// Regions first, then Pixel Spacing, then Imager Pixel Spacing; the profile's checks apply to
    /// whichever is chosen (``resolve(manifestMMPerPixel:fileSpacing:unitlessDensity:frameLongSide:profile:)``).
    ///
    /// A region counts as a length calibration only when it is a 2D image (RegionSpatialFormat 1)
    /// with both physical units in cm (3), and it is trusted only when it fits inside the image
    /// (a maximum equal to the width or height is accepted: machines write one past the last
    /// pixel). With several 2D regions (dual view), the one holding the head centre is used.
    package static func resolveDICOM(_ info: DICOMImageInfo, width: Int, height: Int, headCentre: (x: Double, y: Double)?,
                                    profile: QCProfile.Calibration) -> CalibrationInfo {
        let lengthRegions = info.regions.filter(\.isLengthCalibration)
        func untrusted(_ r: UltrasoundRegion?, _ why: Message) -> CalibrationInfo {
            CalibrationInfo(status: .uncalibrated, mmPerPixel: nil, offeredMMPerPixelX: r.map { $0.physicalDeltaX * 10 },
                            offeredMMPerPixelY: r.map { $0.physicalDeltaY * 10 }, source: PixelSpacing.Source.dicomRegion.rawValue,
                            reason: why)
        }
        if !lengthRegions.isEmpty {
            let trusted = lengthRegions.filter { $0.fits(width: width, height: height) }
            let region: UltrasoundRegion
            if trusted.count == 1 {
                region = trusted[0]
            } else if trusted.count > 1 {
                guard let c = headCentre, let holding = trusted.first(where: { $0.contains(x: c.x, y: c.y) }) else {
                    return untrusted(nil, Message("spacing.dicom_regions_ambiguous", ["count": .number(Double(trusted.count))]))
                }
                region = holding
            } else {
                let r = lengthRegions[0]
                return untrusted(r, Message("spacing.dicom_region_outside", [
                    "x0": .number(Double(r.minX0)), "y0": .number(Double(r.minY0)), "x1": .number(Double(r.maxX1)),
                    "y1": .number(Double(r.maxY1)), "width": .number(Double(width)), "height": .number(Double(height)),
                ]))
            }
            // PhysicalDelta is in cm per pixel.
            let spacing = PixelSpacing(mmPerPixelX: region.physicalDeltaX * 10, mmPerPixelY: region.physicalDeltaY * 10,
                                       source: .dicomRegion)
            // The plausible range is for the imaged extent, which is the region's, not the frame's
            // (a dual view puts two 800-px views side by side).
            let regionLongSide = max(region.maxX1 - region.minX0, region.maxY1 - region.minY0) + 1
            return resolve(manifestMMPerPixel: nil, fileSpacing: spacing, frameLongSide: regionLongSide, profile: profile)
        }
        if let s = info.pixelSpacing {
            return resolve(manifestMMPerPixel: nil, fileSpacing: PixelSpacing(mmPerPixelX: s.column, mmPerPixelY: s.row, source: .dicomPixelSpacing),
                           frameLongSide: max(width, height), profile: profile)
        }
        if let s = info.imagerPixelSpacing {
            return resolve(manifestMMPerPixel: nil,
                           fileSpacing: PixelSpacing(mmPerPixelX: s.column, mmPerPixelY: s.row, source: .dicomImagerPixelSpacing),
                           frameLongSide: max(width, height), profile: profile)
        }
        let why = info.regions.isEmpty ? Message("spacing.dicom_none") : Message("spacing.dicom_no_2d_region")
        return CalibrationInfo(status: .uncalibrated, mmPerPixel: nil, offeredMMPerPixelX: nil, offeredMMPerPixelY: nil,
                               source: nil, reason: why)
    }
}

extension UltrasoundRegion {
    /// A 2D tissue/flow image (RegionSpatialFormat 1) with both physical units in cm (3).
    var isLengthCalibration: Bool { spatialFormat == 1 && physicalUnitsX == 3 && physicalUnitsY == 3 }

    /// Inside a `width` × `height` image; a maximum equal to the width or height is accepted
    /// (machines write one past the last pixel).
    func fits(width: Int, height: Int) -> Bool {
        minX0 >= 0 && minY0 >= 0 && minX0 < maxX1 && minY0 < maxY1 && maxX1 <= width && maxY1 <= height
    }
}

enum DICOMDualView {
    /// The trusted 2D regions in cm of a frame when there are several (a dual or quad view);
    /// empty otherwise, when the whole frame is searched as for PNG and JPEG.
    static func views(_ info: DICOMImageInfo, width: Int, height: Int) -> [UltrasoundRegion] {
        let views = info.regions.filter { $0.isLengthCalibration && $0.fits(width: width, height: height) }
        return views.count > 1 ? views : []
    }

    /// Measures the head inside each view separately (the view's rectangle of the image and of
    /// the overlay mask), so that one ellipse never spans two views with different scales, and
    /// keeps the most confident (the first in file order on a tie). The ellipses are returned in
    /// frame coordinates; when no view holds a head, the first view's failure is returned.
    static func measureHead(_ image: GrayImage, mask: GrayImage,
                            views: [UltrasoundRegion]) -> Result<HeadMeasurement, HeadMeasurementFailure> {
        var best: HeadMeasurement? = nil
        var firstFailure: HeadMeasurementFailure? = nil
        for view in views {
            // Clipping keeps the crop's origin at (minX0, minY0), which the fit check guarantees.
            let rect = Region(x: view.minX0, y: view.minY0, width: view.maxX1 - view.minX0 + 1,
                              height: view.maxY1 - view.minY0 + 1).clipped(width: image.width, height: image.height)
            switch HeadMeasurer.measure(image.cropped(to: rect), spacingMMPerPixel: nil, mask: mask.cropped(to: rect)) {
            case var .success(m):
                m.ellipse.centerX += Double(rect.x)
                m.ellipse.centerY += Double(rect.y)
                m.skullCentreline?.centerX += Double(rect.x)
                m.skullCentreline?.centerY += Double(rect.y)
                if best.map({ m.confidence.score > $0.confidence.score }) ?? true { best = m }
            case let .failure(f):
                if firstFailure == nil { firstFailure = f }
            }
        }
        if let best { return .success(best) }
        return .failure(firstFailure ?? .noSkullEvidence)
    }
}
