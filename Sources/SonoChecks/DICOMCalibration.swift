import SonoCore

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
        func untrusted(_ r: UltrasoundRegion?, _ why: String) -> CalibrationInfo {
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
                    return untrusted(nil, "\(trusted.count) 2D regions and no measured head inside one of them to choose by")
                }
                region = holding
            } else {
                let r = lengthRegions[0]
                return untrusted(r, "ultrasound region (\(r.minX0),\(r.minY0))-(\(r.maxX1),\(r.maxY1)) does not fit the \(width)x\(height) image (rescaled or cropped after export), so its spacing is not trusted")
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
        let why = info.regions.isEmpty
            ? "no ultrasound region, Pixel Spacing or Imager Pixel Spacing in the DICOM file"
            : "no 2D ultrasound region in cm (only other region types), and no Pixel Spacing in the DICOM file"
        return CalibrationInfo(status: .uncalibrated, mmPerPixel: nil, offeredMMPerPixelX: nil, offeredMMPerPixelY: nil,
                               source: nil, reason: why)
    }
}
