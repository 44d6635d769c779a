/// One entry of the DICOM Sequence of Ultrasound Regions (0018,6011), as stored: corners in pixels
/// (`maxX1`/`maxY1` inclusive by the standard, though some machines write one past the last pixel)
/// and the physical size of a pixel in the region's units.
public struct UltrasoundRegion: Sendable, Hashable, Codable {
    public var minX0: Int
    public var minY0: Int
    public var maxX1: Int
    public var maxY1: Int
    /// RegionSpatialFormat (0018,6012): 1 is a 2D tissue/flow image, 2 M-mode, 3 spectral, 4 waveform.
    public var spatialFormat: Int
    /// RegionDataType (0018,6014): 1 tissue, 2 colour flow, … 10 ECG and other waveforms.
    public var dataType: Int
    /// PhysicalUnitsX/YDirection (0018,6024/6026): 3 is cm; 4 seconds, 7 cm/s and others are no length.
    public var physicalUnitsX: Int
    public var physicalUnitsY: Int
    /// PhysicalDeltaX/Y (0018,602C/602E): units per pixel.
    public var physicalDeltaX: Double
    public var physicalDeltaY: Double

    public init(minX0: Int, minY0: Int, maxX1: Int, maxY1: Int, spatialFormat: Int, dataType: Int,
                physicalUnitsX: Int, physicalUnitsY: Int, physicalDeltaX: Double, physicalDeltaY: Double) {
        self.minX0 = minX0
        self.minY0 = minY0
        self.maxX1 = maxX1
        self.maxY1 = maxY1
        self.spatialFormat = spatialFormat
        self.dataType = dataType
        self.physicalUnitsX = physicalUnitsX
        self.physicalUnitsY = physicalUnitsY
        self.physicalDeltaX = physicalDeltaX
        self.physicalDeltaY = physicalDeltaY
    }

    /// True when the point lies inside the region (inclusive corners).
    public func contains(x: Double, y: Double) -> Bool {
        x >= Double(minX0) && x <= Double(maxX1) && y >= Double(minY0) && y <= Double(maxY1)
    }
}

/// A DICOM spacing pair in mm: between rows (vertical) and between columns (horizontal), the
/// order the standard stores them in.
public struct DICOMSpacing: Sendable, Hashable {
    public var row: Double
    public var column: Double

    public init(row: Double, column: Double) {
        self.row = row
        self.column = column
    }
}

/// The calibration- and annotation-related facts of one DICOM frame. Deliberately holds nothing
/// that identifies a patient: the decoder copies only these elements out of the data set.
public struct DICOMImageInfo: Sendable, Hashable {
    public var regions: [UltrasoundRegion]
    /// Pixel Spacing (0028,0030), when present.
    public var pixelSpacing: DICOMSpacing?
    /// Imager Pixel Spacing (0018,1164), when present.
    public var imagerPixelSpacing: DICOMSpacing?
    /// BurnedInAnnotation (0028,0301): true for YES, false for NO, nil when absent.
    public var burnedInAnnotation: Bool?
    /// 1-based frame number within the file, and the file's frame count.
    public var frameNumber: Int
    public var numberOfFrames: Int

    public init(regions: [UltrasoundRegion] = [], pixelSpacing: DICOMSpacing? = nil,
                imagerPixelSpacing: DICOMSpacing? = nil, burnedInAnnotation: Bool? = nil,
                frameNumber: Int = 1, numberOfFrames: Int = 1) {
        self.regions = regions
        self.pixelSpacing = pixelSpacing
        self.imagerPixelSpacing = imagerPixelSpacing
        self.burnedInAnnotation = burnedInAnnotation
        self.frameNumber = frameNumber
        self.numberOfFrames = numberOfFrames
    }
}
