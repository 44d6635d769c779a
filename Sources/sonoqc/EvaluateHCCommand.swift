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
            <out>/overlays/<name>.png with the measured ellipse in green.
            """)

    @Argument(help: "Folder holding the images named in the truth file.")
    var imagesDirectory: String

    @Option(help: "Truth CSV (filename,pixel_size_mm,hc_mm).")
    var truth: String

    @Option(help: "Output folder (created if missing).")
    var out: String

    @Flag(help: "Also write an overlay PNG per image.")
    var overlays = false

    func run() throws {
        let text = try String(contentsOfFile: truth, encoding: .utf8)
        let entries = try HCEvaluation.parseTruth(text)
        let decoder = ImageDecoder()
        let directory = URL(fileURLWithPath: imagesDirectory)
        let results = HCEvaluation.evaluate(entries) { name in
            try decoder.decodeFile(atPath: directory.appendingPathComponent(name).path).image
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
                guard let frame = try? decoder.decodeFile(atPath: directory.appendingPathComponent(result.entry.filename).path)
                else { continue }
                let rgb = HCEvaluation.overlay(frame.image, measured: result.measurement?.ellipse,
                                               centreline: result.measurement?.skullCentreline)
                let png = try PNGCodec.encode(width: frame.width, height: frame.height, channels: 3, pixels: rgb,
                                               compression: .fast)
                let name = (result.entry.filename as NSString).lastPathComponent
                let stem = (name as NSString).deletingPathExtension
                try Data(png).write(to: overlayURL.appendingPathComponent(stem + ".png"))
            }
        }
        print(HCEvaluation.summaryText(summary))
        let failures = results.filter { $0.measurement == nil }
        for f in failures { print("no result: \(f.entry.filename): \(f.failure ?? "unknown")") }
    }
}
