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

/// Parses `weeks+days` (e.g. `20+3`) into exact weeks.
func parseGestationalAge(_ text: String) -> Double? {
    let parts = text.split(separator: "+", omittingEmptySubsequences: false)
    guard parts.count <= 2, let weeks = Int(parts[0].trimmingCharacters(in: .whitespaces)) else { return nil }
    var days = 0
    if parts.count == 2 {
        guard let d = Int(parts[1].trimmingCharacters(in: .whitespaces)), (0...6).contains(d) else { return nil }
        days = d
    }
    return Double(weeks * 7 + days) / 7
}

func formatGestationalAge(days: Int) -> String { "\(days / 7)+\(days % 7)" }

/// Days since 1970-01-01 of an ISO date, and back (proleptic Gregorian; H. Hinnant's algorithm).
enum CivilDate {
    static func days(iso: String) -> Int? {
        let p = iso.split(separator: "-")
        guard p.count == 3, let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func iso(days z0: Int) -> String {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func pad(_ v: Int, _ n: Int) -> String { String(repeating: "0", count: max(0, n - String(v).count)) + String(v) }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }
}
