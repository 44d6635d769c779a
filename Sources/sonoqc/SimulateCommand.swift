import ArgumentParser
import Foundation
import SonoSimulator
import SonoCore

/// `sonoqc simulate`: turns seed specs into phantom scan batches (wiring only).
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Generate B-mode fetal-head phantom batches from seed specs.",
        discussion: """
            Each spec (seeds/*.json, schema sonoqc-seed/1) becomes <out>/<batch>/ holding the images, \
            one <image>.truth.json per image, manifest.json (sonoqc-manifest/1) and truth.csv \
            (filename,pixel_size_mm,hc_mm). Output is byte-identical for the same spec whatever \
            --threads is.
            """)

    @Argument(help: "Seed spec files (JSON).")
    var specs: [String]

    @Option(name: .long, help: "Output directory; one sub-directory per spec.")
    var out: String = "samples"

    @Option(name: .long, help: "Images rendered in parallel (default: all cores).")
    var threads: Int?

    mutating func run() throws {
        let simulator = PhantomSimulator(threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
        for path in specs {
            let spec = try PhantomSimulator.loadSpec(path: path)
            let batch = try simulator.generate(spec)
            let dir = try PhantomSimulator.write(batch, into: out)
            let images = batch.truths.count
            print("\(path): \(images) image\(images == 1 ? "" : "s") in \(batch.manifest.scans.count) scans -> \(dir)")
        }
    }
}
