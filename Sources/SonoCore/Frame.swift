/// Which encoded format a frame came from, detected from its magic bytes.
public enum ImageFormat: String, Sendable, Codable, Hashable {
    case png
    case jpeg
    case dicom
}

/// Physical size of a pixel, and where that number came from.
///
/// A wrong scale is a patient-safety problem, so the provenance always travels with the value.
public struct PixelSpacing: Sendable, Hashable, Codable {
    public enum Source: String, Sendable, Codable, Hashable {
        case manifest
        case pngPHYs = "png-phys"
        case jpegDensity = "jpeg-density"
        case simulator
        case commandLine = "command-line"
        /// A 2D tissue region of the DICOM Sequence of Ultrasound Regions (0018,6011), in cm → mm.
        case dicomRegion = "dicom-region"
        /// DICOM Pixel Spacing (0028,0030): spacing in the patient.
        case dicomPixelSpacing = "dicom-pixel-spacing"
        /// DICOM Imager Pixel Spacing (0018,1164): spacing at the detector front plane.
        case dicomImagerPixelSpacing = "dicom-imager-pixel-spacing"
    }

    public var mmPerPixelX: Double
    public var mmPerPixelY: Double
    public var source: Source

    public init(mmPerPixelX: Double, mmPerPixelY: Double, source: Source) {
        self.mmPerPixelX = mmPerPixelX
        self.mmPerPixelY = mmPerPixelY
        self.source = source
    }

    public init(isotropicMMPerPixel mm: Double, source: Source) {
        self.init(mmPerPixelX: mm, mmPerPixelY: mm, source: source)
    }

    /// True when x and y agree within 1 %: anisotropic pixels make ellipse perimeters meaningless.
    public var isIsotropic: Bool {
        abs(mmPerPixelX - mmPerPixelY) <= 0.01 * max(mmPerPixelX, mmPerPixelY)
    }

    public var mmPerPixel: Double { (mmPerPixelX + mmPerPixelY) / 2 }
}

/// A pixel density a file states without a physical unit (PNG `pHYs` with unit "unknown", JFIF
/// density with units 0): only an aspect ratio, never a calibration. Kept so that CAL-001 can say
/// the file had one and how to calibrate instead, rather than "no pixel spacing in the file".
public struct UnitlessDensity: Sendable, Hashable, Codable {
    public var x: Int
    public var y: Int
    /// Where the file states it: `png-phys` or `jpeg-density`.
    public var source: PixelSpacing.Source

    public init(x: Int, y: Int, source: PixelSpacing.Source) {
        self.x = x
        self.y = y
        self.source = source
    }
}

/// A decoded grey-scale frame with what is known about its origin and scale.
public struct Frame: Sendable {
    /// Path or name of the file the frame came from.
    public var source: String
    public var format: ImageFormat
    /// Bit depth of the samples as stored in the file (1, 2, 4, 8 or 16).
    public var sourceBitDepth: Int
    /// Whether the file stored colour that was reduced to luminance (see ``Luminance``).
    public var sourceWasColour: Bool
    /// The 8-bit grey image every stage works on.
    public var image: GrayImage
    /// The full-precision samples when the file has 16 bits per sample.
    public var image16: GrayImage16?
    /// Spacing declared by the file itself (PNG pHYs in metres, JPEG density in dots per cm).
    public var fileSpacing: PixelSpacing?
    /// A density the file states without a unit (no calibration; see ``UnitlessDensity``).
    public var unitlessDensity: UnitlessDensity?
    /// Colour-management chunks the file carried (PNG `gAMA`, `cHRM`, `sRGB`, `iCCP`, in file
    /// order). Samples are always the stored values; these are listed, never applied, so a reviewer
    /// can see that a file asked for a conversion SonoQC did not make.
    public var colourChunks: [String]
    /// What a DICOM file says about calibration and annotation; nil for PNG and JPEG.
    public var dicom: DICOMImageInfo?

    public init(source: String, format: ImageFormat, sourceBitDepth: Int, sourceWasColour: Bool,
                image: GrayImage, image16: GrayImage16? = nil, fileSpacing: PixelSpacing? = nil, unitlessDensity: UnitlessDensity? = nil,
                colourChunks: [String] = [], dicom: DICOMImageInfo? = nil) {
        self.source = source
        self.format = format
        self.sourceBitDepth = sourceBitDepth
        self.sourceWasColour = sourceWasColour
        self.image = image
        self.image16 = image16
        self.fileSpacing = fileSpacing
        self.unitlessDensity = unitlessDensity
        self.colourChunks = colourChunks
        self.dicom = dicom
    }

    public var width: Int { image.width }
    public var height: Int { image.height }
}
