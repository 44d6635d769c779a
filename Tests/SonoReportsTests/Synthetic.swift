import Foundation
import SonoCore
import SonoBiometry
@testable import SonoReports

/// SplitMix64: a tiny seeded generator so synthetic series are the same on every run.
extension SplitMix64 {

    /// Standard normal draw (Box–Muller).
    mutating func normal() -> Double {
        let u1 = max(Double.ulpOfOne, Double(next() >> 11) / Double(1 << 53))
        let u2 = Double(next() >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

enum Synthetic {
    /// A speckly grey "frame" with a bright elliptical ring, so thumbnails look like something.
    static func frame(width: Int = 800, height: Int = 540, seed: UInt64 = 1) -> GrayImage {
        var rng = SplitMix64(seed: seed)
        let cx = 400.0, cy = 280.0, a = 210.0, b = 160.0
        return GrayImage(width: width, height: height) { buf in
            for y in 0..<height {
                for x in 0..<width {
                    let dx = (Double(x) - cx) / a, dy = (Double(y) - cy) / b
                    let r = (dx * dx + dy * dy).squareRoot()
                    var v = 40 + Double(rng.next() % 50)
                    if abs(r - 1) < 0.05 { v = 210 + Double(rng.next() % 40) }
                    buf[y * width + x] = UInt8(min(255, v))
                }
            }
        }
    }

    static let ellipse = PixelEllipse(center: PixelPoint(x: 400, y: 280), semiAxisAPixels: 210, semiAxisBPixels: 160,
                                      angleRadians: 0)

    static func overlay() -> ImageOverlay {
        let sector = (0...20).map { i -> PixelPoint in
            let t = -0.6 + 1.2 * Double(i) / 20
            return PixelPoint(x: 400 + 520 * sin(t), y: 20 + 520 * cos(t))
        } + [PixelPoint(x: 400, y: 20)]
        return ImageOverlay(fieldOfViewOutline: sector, skullEllipse: ellipse,
                            reportedHCEllipse: PixelEllipse(center: ellipse.center, semiAxisAPixels: 231,
                                                            semiAxisBPixels: 176, angleRadians: 0),
                            maskedRegions: [Region(x: 10, y: 10, width: 160, height: 24)])
    }

    static func view(scanID: String = "S001", unit: String? = "unit-A", op: String? = "op-1",
                     verdict: AuditVerdict = .review, images: Int = 2) -> ScanReportView {
        let ga = 22.0 + 3.0 / 7
        let imageViews = (0..<images).map { i in
            ImageView(
                file: "img-\(i + 1).png", plane: "head", verdict: i == 0 ? verdict : .pass, overlay: overlay(),
                metrics: [MetricView(name: "gCNR skull/brain", value: "0.82", note: "higher separates better"),
                          MetricView(name: "Saturated fraction", value: "0.4 %")],
                findings: i == 0 && verdict != .pass ? [
                    FindingView(ruleID: "measure.hc.discrepancy", severity: .warning, value: "+9.8 %",
                                threshold: "> 6.0 %", explanation: "Automatic HC differs from the reported HC by more than the tolerance."),
                    FindingView(ruleID: "image.text-overlay", severity: .info, value: "1 region", threshold: nil,
                                explanation: "Burned-in text was found and masked before measuring."),
                    FindingView(ruleID: "plane.cavum-septi", severity: .needsReviewer, value: nil, threshold: nil,
                                explanation: "Cavum septi pellucidi visibility cannot be judged automatically & needs a reviewer <check>."),
                ] : [],
                measurements: [
                    MeasurementView(measure: .hc, reportedMM: 185, automaticMM: 203.1, reportedZ: -1.2, reportedCentile: 11.5),
                    MeasurementView(measure: .bpd, reportedMM: 53, automaticMM: 55.4, reportedZ: -0.3, reportedCentile: 38.2),
                ])
        }
        return ScanReportView(scanID: scanID, unitID: unit, operatorID: op, examDate: "2026-03-14",
                              gestationalAgeWeeks: ga, gestationalAgeNote: "stated", verdict: verdict,
                              reasons: verdict == .pass ? [] : ["measure.hc.discrepancy: automatic HC 9.8 % above reported (> 6.0 %)"],
                              images: imageViews,
                              provenance: [KeyValue("Reference chart", "INTERGROWTH-21st"), KeyValue("Caliper convention", "BPD outer-to-outer")])
    }

    static func temporaryDirectory(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("sonoreports-tests-\(ProcessInfo.processInfo.processIdentifier)-\(name)")
        try? FileManager.default.removeItem(at: url)
        return url
    }
}
