import Foundation
import SonoCore
import SonoBiometry

/// The per-frame QC work: field of view, overlays, image-quality metrics, perceptual hash, the
/// automatic head measurement and every image-level rule.
///
/// Pure and thread-safe: the pipeline calls it concurrently on any number of frames; the result
/// depends only on the arguments.
public enum FrameQC {
    /// `measurer` defaults to the committed constants; the cross-validated evidence passes the
    /// constants fitted without the frame's examination.
    public static func analyze(frame: Frame, context: ImageContext, profile: QCProfile,
                               measurer: HeadMeasurer.Options = HeadMeasurer.Options()) -> ImageReport {
        analyzeKeepingFieldOfView(frame: frame, context: context, profile: profile, measurer: measurer).report
    }

    /// ``analyze(frame:context:profile:)`` plus the detected field of view, for callers that draw
    /// it (report thumbnails) and should not detect it a second time.
    public static func analyzeKeepingFieldOfView(frame: Frame, context: ImageContext, profile: QCProfile,
                                                 measurer: HeadMeasurer.Options = HeadMeasurer.Options())
        -> (report: ImageReport, fieldOfView: FieldOfView) {
        let image = frame.image
        let file = context.file
        let calibration = CalibrationInfo.resolve(manifestMMPerPixel: context.manifestSpacingMMPerPixel, fileSpacing: frame.fileSpacing,
                                                  profile: profile.calibration)
        let fov = FieldOfView.detect(image)
        let overlay = OverlayDetector.detect(image, fieldOfView: fov)
        let fovOK = fov.fraction >= profile.imageQuality.minFieldOfViewFraction
        // Without a field of view (blank or nearly black frame) the statistics cover the whole frame,
        // so that an under-gained frame is still reported as dark rather than only as "no sector".
        var analysisMask = fovOK ? fov.inner : [UInt8](repeating: 1, count: image.pixelCount)
        for i in 0..<analysisMask.count where overlay.mask.samples[i] != 0 { analysisMask[i] = 0 }
        var metrics = ImageMetrics.compute(image, analysisMask: analysisMask, fieldOfViewFraction: fov.fraction)
        let hash = PerceptualHash.hash(image)

        var findings: [Finding] = []
        findings.append(Rules.calibration(calibration, file: file))
        findings += Rules.imageQuality(metrics, overlays: overlay.summary, fieldOfViewFound: fovOK, profile: profile.imageQuality, file: file)

        // Head: measured on head planes and on frames whose plane is not stated.
        var head: HeadAssessment? = nil
        var measurement: HeadMeasurement? = nil
        if context.plane == .head || context.plane == .unknown {
            let result = HeadMeasurer.measure(image, spacingMMPerPixel: calibration.mmPerPixel, mask: overlay.mask,
                                              options: measurer)
            switch result {
            case let .failure(failure):
                head = HeadAssessment(found: false, failure: failure.summary)
            case let .success(m):
                measurement = m
                var a = HeadAssessment(found: true)
                let e = m.ellipse
                a.centreXPx = e.centerX
                a.centreYPx = e.centerY
                a.semiMajorPx = e.semiMajor
                a.semiMinorPx = e.semiMinor
                var deg = e.majorAxisAngleRadians * 180 / Double.pi
                while deg <= -90 { deg += 180 }
                while deg > 90 { deg -= 180 }
                a.angleDeg = deg
                a.confidenceScore = m.confidence.score
                a.perimeterSupport = m.confidence.perimeterSupport
                a.ringContrastRatio = m.confidence.ringContrastRatio
                a.expectedHCErrorMM = m.uncertainty?.expectedAbsErrorHCMM
                a.areaFractionOfImage = e.area / Double(max(1, image.pixelCount))
                a.areaFractionOfFieldOfView = fov.pixelCount > 0 ? e.area / Double(fov.pixelCount) : nil
                let plane = HeadPlaneMetrics.compute(image, ellipse: e, fov: fov, overlay: overlay.mask)
                a.outlineInFieldOfView = plane.outlineInFieldOfView
                a.ringEchoDeficit = plane.ringEchoDeficit
                a.midlineContrast = plane.midlineContrast
                metrics.skullBrainGCNR = JSONNumber.rounded(plane.gcnr)
                a.roundNumbers()
                head = a
            }
            if let assessed = head {
                let (planeFindings, score) = Rules.headPlane(assessed, plane: context.plane, fieldOfViewFound: fovOK,
                                                             profile: profile.headPlane, file: file)
                findings += planeFindings
                head?.planeScore = score?.points
                head?.planeScoreMax = score?.maximum
            }
        }
        findings.append(Rules.gcnr(metrics.skullBrainGCNR, headTrusted: Rules.headTrusted(head, profile.headPlane),
                                   profile: profile.imageQuality, file: file))

        let trusted = Rules.headTrusted(head, profile.headPlane) ? measurement : nil
        let (rows, measurementFindings) = Rules.measurements(reported: context.reported, automatic: trusted, headAttempted: head != nil,
                                                             calibration: calibration, gestationalAgeDays: context.gestationalAgeDays,
                                                             profile: profile.measurements, file: file)
        findings += measurementFindings
        findings.sort { $0.rule < $1.rule }
        let report = ImageReport(file: file, plane: context.plane, format: frame.format.rawValue, widthPx: image.width,
                                 heightPx: image.height, calibration: calibration, metrics: metrics, overlays: overlay.summary,
                                 perceptualHash: PerceptualHash.hex(hash), head: head, measurements: rows, findings: findings)
        return (report, fov)
    }
}
