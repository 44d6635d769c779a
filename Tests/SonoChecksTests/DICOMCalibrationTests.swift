import SonoChecks
import SonoCore
import Testing
import SonoInput

/// Which DICOM element calibrates a frame, and when none may.
@Suite("DICOM calibration")
struct DICOMCalibrationTests {
    static let profile = QCProfile.Calibration()

    /// A 2D tissue region in cm (the only kind that is a length calibration) unless told otherwise.
    static func region(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, cmPerPixel: Double, format: Int = 1,
                       unitsX: Int = 3, unitsY: Int = 3) -> UltrasoundRegion {
        UltrasoundRegion(minX0: x0, minY0: y0, maxX1: x1, maxY1: y1, spatialFormat: format, dataType: 1,
                         physicalUnitsX: unitsX, physicalUnitsY: unitsY, physicalDeltaX: cmPerPixel, physicalDeltaY: cmPerPixel)
    }

    static func resolve(_ info: DICOMImageInfo, width: Int = 320, height: Int = 240,
                        head: (x: Double, y: Double)? = nil) -> CalibrationInfo {
        CalibrationInfo.resolveDICOM(info, width: width, height: height, headCentre: head, profile: profile)
    }

    @Test func regionInsideTheImageCalibratesInMillimetres() {
        // The Philips files' 0.02623 cm/px; a maximum equal to the width is one past the last pixel.
        for r in [Self.region(0, 0, 319, 239, cmPerPixel: 0.02623), Self.region(10, 20, 320, 240, cmPerPixel: 0.02623)] {
            let c = Self.resolve(DICOMImageInfo(regions: [r]))
            #expect(c.status == .calibrated)
            #expect(c.mmPerPixel == 0.2623)
            #expect(c.source == "dicom-region")
        }
    }

    @Test func regionBeyondTheImageIsNotTrustedAndSaysWhy() {
        // The SonoSite case: the region was written for a larger image than the one exported.
        let info = DICOMImageInfo(regions: [Self.region(0, 0, 639, 479, cmPerPixel: 0.02)],
                                  pixelSpacing: DICOMSpacing(row: 0.2, column: 0.2))
        let c = Self.resolve(info)
        #expect(c.status == .uncalibrated)
        #expect(c.mmPerPixel == nil)
        #expect(c.source == "dicom-region")
        #expect(c.offeredMMPerPixelX == 0.2)
        // A region that does not fit means the image was rescaled, so Pixel Spacing is not used either.
        #expect(c.reason?.contains("does not fit the 320x240 image") == true)
        #expect(c.reason?.contains("(0,0)-(639,479)") == true)
        // One pixel past either edge is already too far.
        #expect(Self.resolve(DICOMImageInfo(regions: [Self.region(0, 0, 321, 240, cmPerPixel: 0.02)])).status == .uncalibrated)
        #expect(Self.resolve(DICOMImageInfo(regions: [Self.region(0, 0, 320, 241, cmPerPixel: 0.02)])).status == .uncalibrated)
        #expect(Self.resolve(DICOMImageInfo(regions: [Self.region(-1, 0, 300, 200, cmPerPixel: 0.02)])).status == .uncalibrated)
    }

    @Test func dualViewIsCalibratedByTheRegionHoldingTheHead() {
        let left = Self.region(0, 0, 159, 239, cmPerPixel: 0.03), right = Self.region(160, 0, 319, 239, cmPerPixel: 0.02)
        let info = DICOMImageInfo(regions: [left, right])
        let inRight = Self.resolve(info, head: (x: 230, y: 120))
        #expect(inRight.status == .calibrated)
        #expect(inRight.mmPerPixel == 0.2)
        #expect(inRight.source == "dicom-region")
        let inLeft = Self.resolve(info, head: (x: 80, y: 120))
        #expect(inLeft.mmPerPixel == 0.3)
        // Without a head there is nothing to choose the region by.
        let noHead = Self.resolve(info)
        #expect(noHead.status == .uncalibrated)
        #expect(noHead.reason?.contains("2 2D regions") == true)
        // A head outside both regions does not borrow either scale.
        let gapped = DICOMImageInfo(regions: [Self.region(0, 0, 100, 239, cmPerPixel: 0.03), right])
        #expect(Self.resolve(gapped, head: (x: 130, y: 120)).status == .uncalibrated)
        // A second region that does not fit leaves one trusted region, which needs no head.
        let oneFits = DICOMImageInfo(regions: [left, Self.region(160, 0, 400, 239, cmPerPixel: 0.02)])
        #expect(Self.resolve(oneFits).mmPerPixel == 0.3)
    }

    @Test func regionsWithOtherUnitsOrFormatsAreNoLengthCalibration() {
        let seconds = Self.region(0, 0, 319, 119, cmPerPixel: 0.02, unitsX: 4)
        let velocity = Self.region(0, 0, 319, 119, cmPerPixel: 0.02, unitsY: 7)
        let spectral = Self.region(0, 120, 319, 239, cmPerPixel: 0.02, format: 3)
        for r in [seconds, velocity, spectral] {
            let c = Self.resolve(DICOMImageInfo(regions: [r]))
            #expect(c.status == .uncalibrated)
            #expect(c.source == nil)
            #expect(c.reason?.contains("no 2D ultrasound region in cm") == true)
            // Pixel Spacing is then the calibration.
            let withSpacing = Self.resolve(DICOMImageInfo(regions: [r], pixelSpacing: DICOMSpacing(row: 0.15, column: 0.15)))
            #expect(withSpacing.source == "dicom-pixel-spacing")
            #expect(withSpacing.mmPerPixel == 0.15)
        }
        // Next to a 2D region in cm, an M-mode strip does not stop it calibrating.
        let mixed = DICOMImageInfo(regions: [Self.region(0, 120, 319, 239, cmPerPixel: 0.5, format: 2, unitsX: 4),
                                             Self.region(0, 0, 319, 119, cmPerPixel: 0.025)])
        #expect(Self.resolve(mixed).mmPerPixel == 0.25)
    }

    @Test func pixelSpacingThenImagerPixelSpacingAreFallbacksWithTheirMeaningRecorded() {
        let pixel = DICOMSpacing(row: 0.2, column: 0.2), imager = DICOMSpacing(row: 0.1, column: 0.1)
        // A region in cm outranks both.
        let all = Self.resolve(DICOMImageInfo(regions: [Self.region(0, 0, 319, 239, cmPerPixel: 0.03)], pixelSpacing: pixel,
                                              imagerPixelSpacing: imager))
        #expect(all.source == "dicom-region")
        #expect(all.mmPerPixel == 0.3)
        // Pixel Spacing (in the patient) outranks Imager Pixel Spacing (at the detector).
        let both = Self.resolve(DICOMImageInfo(pixelSpacing: pixel, imagerPixelSpacing: imager))
        #expect(both.source == "dicom-pixel-spacing")
        #expect(both.mmPerPixel == 0.2)
        // 0.1 mm/px spans 80 mm on an 800-px frame (on the default 320-px frame, 32 mm: implausible).
        let imagerOnly = Self.resolve(DICOMImageInfo(imagerPixelSpacing: imager), width: 800, height: 600)
        #expect(imagerOnly.status == .calibrated)
        #expect(imagerOnly.source == "dicom-imager-pixel-spacing")
        #expect(imagerOnly.mmPerPixel == 0.1)
        // DICOM stores row (vertical) spacing first; x is the column spacing.
        let anisotropic = Self.resolve(DICOMImageInfo(pixelSpacing: DICOMSpacing(row: 0.2, column: 0.25)))
        #expect(anisotropic.status == .uncalibrated)
        #expect(anisotropic.offeredMMPerPixelX == 0.25)
        #expect(anisotropic.offeredMMPerPixelY == 0.2)
        // The profile's range still applies to a DICOM spacing.
        #expect(Self.resolve(DICOMImageInfo(pixelSpacing: DICOMSpacing(row: 1, column: 1))).reason?.contains("plausible range") == true)
        let nothing = Self.resolve(DICOMImageInfo())
        #expect(nothing.status == .uncalibrated)
        #expect(nothing.source == nil)
        #expect(nothing.reason?.contains("no ultrasound region, Pixel Spacing or Imager Pixel Spacing") == true)
    }

    @Test func manifestSpacingOutranksEveryDICOMElement() {
        let info = DICOMImageInfo(regions: [Self.region(0, 0, 319, 239, cmPerPixel: 0.03)], pixelSpacing: DICOMSpacing(row: 0.2, column: 0.2))
        let frame = Frame(source: "us.dcm", format: .dicom, sourceBitDepth: 8, sourceWasColour: false,
                          image: GrayImage(width: 320, height: 240, repeating: 90), dicom: info)
        let withManifest = FrameQC.analyze(frame: frame, context: ImageContext(scanID: "S", file: "us.dcm", plane: .head,
                                                                               manifestSpacingMMPerPixel: 0.15), profile: .default)
        #expect(withManifest.calibration.source == "manifest")
        #expect(withManifest.calibration.mmPerPixel == 0.15)
        let fromFile = FrameQC.analyze(frame: frame, context: ImageContext(scanID: "S", file: "us.dcm", plane: .head), profile: .default)
        #expect(fromFile.calibration.source == "dicom-region")
        #expect(fromFile.calibration.mmPerPixel == 0.3)
        #expect(fromFile.findings.first { $0.rule == .calibration }?.explanation.contains("dicom-region") == true)
    }
}
