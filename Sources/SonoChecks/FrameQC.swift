import Foundation
package import SonoCore
package import SonoBiometry
package import SonoInput
package import SonoImageAnalysis

/// The per-frame QC work: field of view, overlays, image-quality metrics, perceptual hash, the
/// automatic head measurement and every image-level rule.
///
/// Pure and thread-safe: the pipeline calls it concurrently on any number of frames; the result
/// depends only on the arguments.
package enum FrameQC {
    /// The three phases of the per-frame work, so a caller can time them apart: `filter` (field
    /// of view, overlays, the image-metric kernels, perceptual hash), `measure` (the head
    /// measurement and its plane metrics), `check` (the rules).
    package enum Phase: Sendable, CaseIterable {
        case filter, measure, check
    }

    /// The pixels a frame's image statistics are computed on (non-zero): the field of view's inner
    /// part without burned-in overlays. Without a field of view (blank or nearly black frame) the
    /// statistics cover the whole frame, so that an under-gained frame is still reported as dark
    /// rather than only as "no sector".
    package static func analysisMask(fieldOfView fov: FieldOfView, overlays: GrayImage, minFieldOfViewFraction: Double) -> [UInt8] {
        let n = overlays.pixelCount
        let region = fov.fraction >= minFieldOfViewFraction ? fov.inner : [UInt8](repeating: 1, count: n)
        // Written into a new array from two read-only ones, and both read for every pixel (a
        // region byte read only where no overlay lies kept the loop scalar).
        return [UInt8](unsafeUninitializedCapacity: n) { mask, initialized in
            overlays.withUnsafeSamples { overlaid in
                region.withUnsafeBufferPointer { region in
                    for i in 0..<n { mask[i] = region[i] & (overlaid[i] != 0 ? 0 : 0xFF) }
                }
            }
            initialized = n
        }
    }

    /// `measurer` defaults to the committed constants; the cross-validated evidence passes the
    /// constants fitted without the frame's examination.
    package static func analyze(frame: Frame, context: ImageContext, profile: QCProfile,
                               measurer: HeadMeasurer.Options = HeadMeasurer.Options()) -> ImageReport {
        analyzeKeepingFieldOfView(frame: frame, context: context, profile: profile, measurer: measurer).report
    }

    /// ``analyze(frame:context:profile:)`` plus the detected field of view, for callers that draw
    /// it (report thumbnails) and should not detect it a second time.
    package static func analyzeKeepingFieldOfView(frame: Frame, context: ImageContext, profile: QCProfile,
                                                 measurer: HeadMeasurer.Options = HeadMeasurer.Options())
        -> (report: ImageReport, fieldOfView: FieldOfView) {
        var untimed = UntimedPhases()
        return analyzeKeepingFieldOfView(frame: frame, context: context, profile: profile, measurer: measurer, timer: &untimed)
    }

    /// The same, running each ``Phase`` inside `timer.time(_:_:)` (the pipeline charges them to
    /// its filter, measure and check stages).
    package static func analyzeKeepingFieldOfView<Timer: FramePhaseTimer>(
        frame: Frame, context: ImageContext, profile: QCProfile,
        measurer: HeadMeasurer.Options = HeadMeasurer.Options(), timer: inout Timer
    ) -> (report: ImageReport, fieldOfView: FieldOfView) {
        let image = frame.image
        let file = context.file
        var calibration = CalibrationInfo.resolve(manifestMMPerPixel: context.manifestSpacingMMPerPixel, fileSpacing: frame.fileSpacing,
                                                  unitlessDensity: frame.unitlessDensity,
                                                  frameLongSide: max(image.width, image.height), profile: profile.calibration)
        // A DICOM frame's calibration may depend on which ultrasound region holds the head, so it
        // is settled after the measurement (in pixels) when no manifest spacing overrides it.
        let dicomCalibration = context.manifestSpacingMMPerPixel == nil ? frame.dicom : nil
        if let dicom = dicomCalibration {
            calibration = CalibrationInfo.resolveDICOM(dicom, width: image.width, height: image.height, headCentre: nil,
                                                       profile: profile.calibration)
        }
        let (fov, overlay, filteredMetrics, hash) = timer.time(.filter) {
            let fov = FieldOfView.detect(image)
            let overlay = OverlayDetector.detect(image, fieldOfView: fov)
            let analysisMask = Self.analysisMask(fieldOfView: fov, overlays: overlay.mask,
                                                 minFieldOfViewFraction: profile.imageQuality.minFieldOfViewFraction)
            let metrics = ImageMetrics.compute(image, analysisMask: analysisMask, fieldOfViewFraction: fov.fraction)
            return (fov, overlay, metrics, PerceptualHash.hash(image))
        }
        let fovOK = fov.fraction >= profile.imageQuality.minFieldOfViewFraction
        var metrics = filteredMetrics

        // Head: measured on head planes and on frames whose plane is not stated.
        let (measuredHead, measurement) = timer.time(.measure) { () -> (HeadAssessment?, HeadMeasurement?) in
            guard context.plane == .head || context.plane == .unknown else { return (nil, nil) }
            let views = dicomCalibration.map { DICOMDualView.views($0, width: image.width, height: image.height) } ?? []
            var result = views.isEmpty
                ? HeadMeasurer.measure(image, spacingMMPerPixel: dicomCalibration == nil ? calibration.mmPerPixel : nil, mask: overlay.mask,
                                       options: measurer)
                : DICOMDualView.measureHead(image, mask: overlay.mask, views: views)
            if let dicom = dicomCalibration {
                let centre = (try? result.get()).map { (x: $0.ellipse.centerX, y: $0.ellipse.centerY) }
                calibration = CalibrationInfo.resolveDICOM(dicom, width: image.width, height: image.height, headCentre: centre,
                                                           profile: profile.calibration)
                result = result.map { m in
                    var scaled = m
                    scaled.spacingMMPerPixel = calibration.mmPerPixel
                    return scaled
                }
            }
            switch result {
            case let .failure(failure):
                return (HeadAssessment(found: false, failure: failure.summary), nil)
            case let .success(m):
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
                return (a, m)
            }
        }

        // The plane score is added to the head assessment by the rules below.
        var head = measuredHead

        // Rules, appended in a fixed order before the final sort by rule.
        let report = timer.time(.check) { () -> ImageReport in
            var findings: [Finding] = []
            findings.append(Rules.calibration(calibration, file: file))
            findings += Rules.imageQuality(metrics, overlays: overlay.summary, fieldOfViewFound: fovOK, profile: profile.imageQuality,
                                           file: file)
            if let declared = frame.dicom?.burnedInAnnotation, let i = findings.firstIndex(where: { $0.rule == .overlays }) {
                findings[i] = Rules.overlayFinding(overlay.summary, declaredBurnedIn: declared, file: file)
            }
            if let assessed = head {
                let (planeFindings, score) = Rules.headPlane(assessed, plane: context.plane, fieldOfViewFound: fovOK,
                                                             profile: profile.headPlane, file: file)
                findings += planeFindings
                head?.planeScore = score?.points
                head?.planeScoreMax = score?.maximum
            }
            findings.append(Rules.gcnr(metrics.skullBrainGCNR, headTrusted: Rules.headTrusted(head, profile.headPlane),
                                       profile: profile.imageQuality, file: file))
            let trusted = Rules.headTrusted(head, profile.headPlane) ? measurement : nil
            let (rows, measurementFindings) = Rules.measurements(reported: context.reported, automatic: trusted,
                                                                 headAttempted: head != nil, calibration: calibration,
                                                                 gestationalAgeDays: context.gestationalAgeDays,
                                                                 profile: profile.measurements, file: file)
            findings += measurementFindings
            findings.sort { $0.rule < $1.rule }
            return ImageReport(file: file, plane: context.plane, format: frame.format.rawValue, widthPx: image.width,
                               heightPx: image.height, colourChunks: frame.colourChunks, calibration: calibration, metrics: metrics, overlays: overlay.summary,
                               perceptualHash: PerceptualHash.hex(hash), head: head, measurements: rows, findings: findings)
        }
        return (report, fov)
    }
}

/// Runs each ``FrameQC/Phase`` of a frame's analysis; conformers time it (the pipeline's
/// per-stage timings do).
package protocol FramePhaseTimer {
    mutating func time<R>(_ phase: FrameQC.Phase, _ body: () throws -> R) rethrows -> R
}

/// Runs phases without timing them.
struct UntimedPhases: FramePhaseTimer {
    func time<R>(_ phase: FrameQC.Phase, _ body: () throws -> R) rethrows -> R { try body() }
}
