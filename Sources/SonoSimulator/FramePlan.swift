import Foundation
import SonoBiometry
import SonoCore

/// Every concrete number needed to render and describe one image. Produced serially by
/// ``BatchPlanner`` (all random draws happen there or from the image's own speckle seed), then
/// rendered on any thread.
struct FramePlan: Sendable {
    var globalIndex: Int
    var fileName: String
    var scanID: String
    var frameNumber: Int
    var operatorID: String?
    var unitID: String?
    var examDate: String?
    var gestationalAge: String
    var gaWeeks: Double
    var width: Int
    var height: Int
    var format: ImageSpec.Format
    var jpegQuality: Int
    var spacingMMPerPixel: Double
    var geometry: SectorGeometry
    var frequencyMHz: Double
    var focusDepthMM: Double
    var gainDB: Double
    var dynamicRangeDB: Double
    var blurFactor: Double
    var speckleReduction: Double
    var speckleSeed: UInt64
    var sceneSeed: UInt64
    var fluidMM: Double
    var maternalWallMM: Double
    // Head, in pixels of this image.
    var hcMM: Double
    var bpdMM: Double
    var ofdMM: Double
    var hcZ: Double
    var cephalicIndex: Double
    var centreXPixel: Double
    var centreYPixel: Double
    var orientationDeg: Double
    var skullThicknessMM: Double
    var scalpThicknessMM: Double
    var boneInsetMM: Double
    var boneAmplitude: Double
    var frontSign: Double
    var missingArcs: [(centre: Double, halfWidth: Double)]
    var showsCavum: Bool
    var echoes: [BrainEcho]
    var overlays: [DefectKind]
    var defects: [DefectRecord]
    /// Index (in the batch) of the frame this one copies byte for byte.
    var exactCopyOf: Int?
    var duplicateOfFile: String?
    var reported: ReportedMeasurements?
    var reportedTruth: ReportedTruth?

    var semiAxisAPixel: Double { ofdMM / 2 / spacingMMPerPixel }
    var semiAxisBPixel: Double { bpdMM / 2 / spacingMMPerPixel }

    /// The scene in the sector frame.
    func scene() -> SceneModel {
        let centre = geometry.millimetres(x: centreXPixel, y: centreYPixel)
        let head = FetalHeadModel(
            centreXMM: centre.x, centreYMM: centre.y, semiMajorMM: ofdMM / 2, semiMinorMM: bpdMM / 2,
            orientationRad: orientationDeg * .pi / 180, skullThicknessMM: skullThicknessMM,
            scalpThicknessMM: scalpThicknessMM, boneInsetMM: boneInsetMM, frontSign: frontSign, boneAmplitude: boneAmplitude,
            missingArcs: missingArcs, showsCavum: showsCavum, echoes: echoes,
            texture: ValueNoise(seed: SplitMix64.derive(sceneSeed, 1)))
        return SceneModel(probeRadiusMM: geometry.probeRadiusMM, frequencyMHz: frequencyMHz,
                          maternalWallMM: maternalWallMM, fluidMM: fluidMM, head: head,
                          texture: ValueNoise(seed: SplitMix64.derive(sceneSeed, 2)),
                          layerNoise: ValueNoise(seed: SplitMix64.derive(sceneSeed, 3)))
    }

    func imager() -> BModeImager {
        let focusRadius = geometry.probeRadiusMM + focusDepthMM
        return BModeImager(
            geometry: geometry, width: width, height: height,
            psf: PointSpread(frequencyMHz: frequencyMHz, focusRadiusMM: focusRadius, focusDepthMM: focusDepthMM,
                             blurFactor: blurFactor),
            frequencyMHz: frequencyMHz, gainDB: gainDB, dynamicRangeDB: dynamicRangeDB,
            speckleReduction: speckleReduction)
    }
}

/// Parses a gestational age the way manifests do (``GestationalAge/init(parsing:)``: checked
/// arithmetic, days 0–6) into exact weeks.
func parseGestationalAge(_ text: String) -> Double? {
    (try? GestationalAge(parsing: text))?.exactWeeks
}

func formatGestationalAge(days: Int) -> String { "\(days / 7)+\(days % 7)" }
