import ArgumentParser
import Foundation
import SonoBiometry
import SonoCodecs
import SonoCore

/// `sonoqc evaluate-hc`: runs the automatic head measurement over a folder of frames and compares
/// it with a truth file. Wiring only; the logic is ``HCEvaluation``.
struct EvaluateHCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate-hc",
        abstract: "Measure HC automatically on a folder of frames and compare with reference values.",
        discussion: """
            The truth CSV has columns filename,pixel_size_mm,hc_mm (HC18 format); images not listed \
            in it are ignored. Writes <out>/summary.json and <out>/per-image.csv, and with --overlays \
            <out>/overlays/<name>.png with the measured ellipse in green. --ellipse-truth adds BPD, OFD, \
            centre and angle errors against the expert ellipse. --folds K cross-validates every tuned \
            constant (outer-border level, error model) with folds grouped by examination and reports \
            the held-out figures; it needs --ellipse-truth. --fit-error-model prints the error model \
            fitted on all frames (the source of HeadErrorModel.hc18Dev).
            """)

    @Argument(help: "Folder holding the images named in the truth file.")
    var imagesDirectory: String

    @Option(help: "Truth CSV (filename,pixel_size_mm,hc_mm).")
    var truth: String

    @Option(help: "Output folder (created if missing).")
    var out: String

    @Flag(help: "Also write an overlay PNG per image.")
    var overlays = false

    @Option(help: "Expert ellipse CSV (filename,center_x_px,center_y_px,semi_major_px,semi_minor_px,major_axis_angle_deg,bpd_mm,ofd_mm).")
    var ellipseTruth: String?

    @Option(help: "Cross-validate with this many folds grouped by examination (2 or more).")
    var folds: Int?

    @Flag(help: "Fit the shape correction and error model on all frames and print them as Swift source.")
    var fitErrorModel = false

    func validate() throws {
        if let folds, folds < 2 { throw ValidationError("--folds must be at least 2") }
        if (folds != nil || fitErrorModel) && ellipseTruth == nil {
            throw ValidationError("--folds and --fit-error-model need --ellipse-truth (BPD and OFD errors are fitted too)")
        }
    }

    func run() throws {
        let text = try String(contentsOfFile: truth, encoding: .utf8)
        let entries = try HCEvaluation.parseTruth(text)
        let decoder = ImageDecoder()
        let directory = URL(fileURLWithPath: imagesDirectory)
        let ellipses = try ellipseTruth.map { try HCEvaluation.parseEllipseTruth(String(contentsOfFile: $0, encoding: .utf8)) } ?? []
        // Decode once; every evaluation pass (one per border level under cross-validation) reuses the frames.
        var frames: [String: Result<GrayImage, any Error>] = [:]
        for entry in entries {
            frames[entry.filename] = Result { try decoder.decodeFile(atPath: directory.appendingPathComponent(entry.filename).path).image }
        }
        let results: [HCEvaluation.ImageResult]
        // Raw measurements at every candidate border level, for cross-validation and for fitting
        // the committed constants.
        let byLevel = folds != nil || fitErrorModel
            ? HCEvaluation.rawResultsByBorderLevel(entries, ellipses: ellipses) { try frames[$0]!.get() } : [:]
        if let folds {
            guard let cv = HCEvaluation.crossValidate(byLevel, folds: folds) else {
                throw ValidationError("cross-validation failed: too few measured frames per fold")
            }
            results = cv.results
            for c in cv.choices {
                print(String(format: "fold %d: outer border level %.2f, abstain above expected %.2f mm, HC tolerance multiple %.2f, ",
                             c.fold, c.outerBorderLevel, c.model.abstainAboveExpectedHCErrorMM, c.model.hc.toleranceMultiple)
                      + "correction \(c.correction.swiftLiteral)")
            }
        } else {
            results = HCEvaluation.attach(ellipses, to: HCEvaluation.evaluate(entries) { try frames[$0]!.get() })
        }
        if fitErrorModel {
            guard let fitted = HCEvaluation.fitConstants(byLevel) else {
                throw ValidationError("constants could not be fitted (too few measured frames)")
            }
            print(String(format: "fitted on %d frames: outer border level %.2f\n", byLevel.values.first?.count ?? 0, fitted.level)
                  + "\(fitted.correction.swiftLiteral)\n\(fitted.model.swiftLiteral)")
        }
        let summary = HCEvaluation.summarize(results)
        let outURL = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: outURL, withIntermediateDirectories: true)
        try HCEvaluation.summaryJSON(summary).write(to: outURL.appendingPathComponent("summary.json"),
                                                    atomically: true, encoding: .utf8)
        try HCEvaluation.perImageCSV(results).write(to: outURL.appendingPathComponent("per-image.csv"),
                                                   atomically: true, encoding: .utf8)
        if overlays {
            let overlayURL = outURL.appendingPathComponent("overlays")
            try FileManager.default.createDirectory(at: overlayURL, withIntermediateDirectories: true)
            for result in results {
                guard let image = try? frames[result.entry.filename]?.get() else { continue }
                let rgb = HCEvaluation.overlay(image, measured: result.measurement?.ellipse,
                                               centreline: result.measurement?.skullCentreline,
                                               reference: result.ellipseTruth.map {
                                                   Ellipse(centerX: $0.centerXPx, centerY: $0.centerYPx, semiAxisA: $0.semiMajorPx,
                                                           semiAxisB: $0.semiMinorPx, angleRadians: $0.majorAxisAngleDeg * Double.pi / 180)
                                               })
                let png = try PNGCodec.encode(width: image.width, height: image.height, channels: 3, pixels: rgb,
                                               compression: .fast)
                let name = (result.entry.filename as NSString).lastPathComponent
                let stem = (name as NSString).deletingPathExtension
                try Data(png).write(to: overlayURL.appendingPathComponent(stem + ".png"))
            }
        }
        print(HCEvaluation.summaryText(summary))
        let bins = HCEvaluation.reliability(results)
        if !bins.isEmpty { print(HCEvaluation.reliabilityText(bins), terminator: "") }
        let failures = results.filter { $0.measurement == nil }
        for f in failures { print("no result: \(f.entry.filename): \(f.failure ?? "unknown")") }
    }
}
