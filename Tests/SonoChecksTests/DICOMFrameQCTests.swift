import Foundation
import SonoBiometry
import SonoCodecs
import SonoChecks
import SonoCore
import Testing
import SonoImageAnalysis
import SonoInput

/// What a DICOM frame's own elements change in the per-frame QC: dual-view regions and
/// BurnedInAnnotation.
@Suite("DICOM frame QC")
struct DICOMFrameQCTests {
    static func reference() throws -> GrayImage {
        try ImageDecoder().decodeFile(atPath: PhantomRuleTests.reference).image
    }

    static func region(_ x0: Int, _ x1: Int, height: Int, cmPerPixel: Double) -> UltrasoundRegion {
        UltrasoundRegion(minX0: x0, minY0: 0, maxX1: x1, maxY1: height - 1, spatialFormat: 1, dataType: 1,
                         physicalUnitsX: 3, physicalUnitsY: 3, physicalDeltaX: cmPerPixel, physicalDeltaY: cmPerPixel)
    }

    static func analyze(_ image: GrayImage, _ info: DICOMImageInfo) -> ImageReport {
        let frame = Frame(source: "dual.dcm", format: .dicom, sourceBitDepth: 8, sourceWasColour: false, image: image, dicom: info)
        return FrameQC.analyze(frame: frame, context: ImageContext(scanID: "S", file: "dual.dcm", plane: .head, gestationalAgeDays: 26 * 7),
                               profile: .default)
    }

    /// Two views side by side, each `view` wide, with `left` and `right` copied into them.
    static func sideBySide(_ left: GrayImage?, _ right: GrayImage?, view: GrayImage) -> GrayImage {
        var out = [UInt8](repeating: 0, count: 2 * view.width * view.height)
        for (offset, image) in [(0, left), (view.width, right)] {
            guard let image else { continue }
            for y in 0..<view.height {
                for x in 0..<view.width { out[y * 2 * view.width + offset + x] = image[x, y] }
            }
        }
        return GrayImage(width: 2 * view.width, height: view.height, samples: out)
    }

    @Test func dualViewIsCalibratedByTheViewHoldingTheHead() throws {
        let head = try Self.reference()
        let w = head.width, h = head.height
        let info = DICOMImageInfo(regions: [Self.region(0, w - 1, height: h, cmPerPixel: 0.015),
                                            Self.region(w, 2 * w - 1, height: h, cmPerPixel: 0.02)])
        for (image, side, mm) in [(Self.sideBySide(head, nil, view: head), 0, 0.15), (Self.sideBySide(nil, head, view: head), 1, 0.2)] {
            let r = Self.analyze(image, info)
            let centre = try #require(r.head?.centreXPx)
            #expect((side == 0 ? centre < Double(w) : centre >= Double(w)), "head in view \(side)")
            #expect(r.calibration.status == .calibrated)
            #expect(r.calibration.source == "dicom-region")
            #expect(r.calibration.mmPerPixel == mm)
            let hc = try #require(r.measurements.first { $0.measure.lowercased() == "hc" })
            let px = try #require(hc.automaticPx), hcMM = try #require(hc.automaticMM)
            #expect(abs(hcMM - px * mm) < 0.01)
        }
    }

    /// A head straddling the border between two views is searched in each view alone: whatever
    /// is found is what that view's crop gives, never one ellipse across both views.
    @Test func theHeadIsSearchedInsideOneView() throws {
        let image = try Self.reference()
        let w = image.width / 2, h = image.height
        let info = DICOMImageInfo(regions: [Self.region(0, w - 1, height: h, cmPerPixel: 0.02),
                                            Self.region(w, image.width - 1, height: h, cmPerPixel: 0.02)])
        let r = Self.analyze(image, info)
        let overlay = OverlayDetector.detect(image, fieldOfView: FieldOfView.detect(image)).mask
        let perView = [0, w].map { x0 -> (x: Double, y: Double)? in
            let rect = Region(x: x0, y: 0, width: x0 == 0 ? w : image.width - w, height: h)
            let m = try? HeadMeasurer.measure(image.cropped(to: rect), spacingMMPerPixel: nil, mask: overlay.cropped(to: rect)).get()
            return m.map { (x: $0.ellipse.centerX + Double(x0), y: $0.ellipse.centerY) }
        }
        // The whole frame does hold one head across the border, so a search of the whole frame
        // would have found it there.
        let whole = try HeadMeasurer.measure(image, spacingMMPerPixel: nil, mask: overlay).get()
        #expect(abs(whole.ellipse.centerX - Double(w)) < whole.ellipse.semiMinor / 2)
        let head = try #require(r.head)
        #expect(head.found == perView.contains { $0 != nil })
        if head.found {
            let x = try #require(head.centreXPx), y = try #require(head.centreYPx)
            #expect(perView.contains { $0.map { abs($0.x - x) < 0.01 && abs($0.y - y) < 0.01 } ?? false })
        }
    }

    @Test func burnedInAnnotationDeclaredByTheFileIsRecordedInTheOverlayFinding() {
        // A plain frame: the detector finds no overlay of its own.
        let image = GrayImage(width: 320, height: 240, repeating: 90)
        func overlays(_ declared: Bool?) -> Finding? {
            Self.analyze(image, DICOMImageInfo(burnedInAnnotation: declared)).findings.first { $0.rule == .overlays }
        }
        let yes = overlays(true), no = overlays(false), absent = overlays(nil)
        #expect(absent?.outcome == .passed)
        #expect(absent?.explanation.contains("BurnedInAnnotation") == false)
        #expect(no?.outcome == .passed)
        #expect(no?.explanation.contains("BurnedInAnnotation YES") == false)
        #expect(yes?.outcome == .flagged)
        #expect(yes?.severity == .info)
        #expect(yes?.explanation.contains("BurnedInAnnotation YES") == true)
    }
}
