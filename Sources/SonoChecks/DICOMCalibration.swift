import SonoCore
import SonoL10n

extension CalibrationInfo {
    /// Calibration of a DICOM frame without a manifest spacing: the Sequence of Ultrasound
    /// Regions first, then Pixel Spacing, then Imager Pixel Spacing; the profile's checks apply to
    /// whichever is chosen (``resolve(manifestMMPerPixel:fileSpacing:profile:)``).
    ///
    /// A region counts as a length calibration only when it is a 2D image (RegionSpatialFormat 1)
    /// with both physical units in cm (3), and it is trusted only when it fits inside the image
    /// (a maximum equal to the width or height is accepted: machines write one past the last
    /// pixel). With several 2D regions (dual view), the one holding the head centre is used.
    public static func resolveDICOM(_ info: DICOMImageInfo, width: Int, height: Int, headCentre: (x: Double, y: Double)?,
                                    profile: QCProfile.Calibration) -> CalibrationInfo {
        let lengthRegions = info.regions.filter { $0.spatialFormat == 1 && $0.physicalUnitsX == 3 && $0.physicalUnitsY == 3 }
        func fits(_ r: UltrasoundRegion) -> Bool {
            r.minX0 >= 0 && r.minY0 >= 0 && r.minX0 < r.maxX1 && r.minY0 < r.maxY1 && r.maxX1 <= width && r.maxY1 <= height
        }
        func untrusted(_ r: UltrasoundRegion?, _ why: Message) -> CalibrationInfo {
            CalibrationInfo(status: .uncalibrated, mmPerPixel: nil, offeredMMPerPixelX: r.map { $0.physicalDeltaX * 10 },
                            offeredMMPerPixelY: r.map { $0.physicalDeltaY * 10 }, source: PixelSpacing.Source.dicomRegion.rawValue,
                            reason: why)
        }
        if !lengthRegions.isEmpty {
            let trusted = lengthRegions.filter(fits)
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
            return resolve(manifestMMPerPixel: nil, fileSpacing: spacing, profile: profile)
        }
        if let s = info.pixelSpacing {
            return resolve(manifestMMPerPixel: nil, fileSpacing: PixelSpacing(mmPerPixelX: s.column, mmPerPixelY: s.row, source: .dicomPixelSpacing),
                           profile: profile)
        }
        if let s = info.imagerPixelSpacing {
            return resolve(manifestMMPerPixel: nil,
                           fileSpacing: PixelSpacing(mmPerPixelX: s.column, mmPerPixelY: s.row, source: .dicomImagerPixelSpacing),
                           profile: profile)
        }
        let why = info.regions.isEmpty ? Message("spacing.dicom_none") : Message("spacing.dicom_no_2d_region")
        return CalibrationInfo(status: .uncalibrated, mmPerPixel: nil, offeredMMPerPixelX: nil, offeredMMPerPixelY: nil,
                               source: nil, reason: why)
    }
}
