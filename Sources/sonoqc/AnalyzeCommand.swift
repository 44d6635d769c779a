import ArgumentParser
import Foundation
import Logging
import SonoChecks
import SonoCodecs
import SonoCore
import SonoL10n
import SonoPipeline
import SonoInput
import SonoAnalysis

/// `sonoqc analyze`: discovers images, runs the pipeline, writes reports; wiring and exit status only.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Decode and analyse ultrasound images; write per-image records, per-scan reports and a batch summary.",
        discussion: """
            INPUTS are files or directories. Directories are walked recursively in sorted order \
            (symbolic links are followed, loops are detected); inside them only .png, .jpg, .jpeg, \
            .dcm and .dicom files (any case) and extension-less files that start as DICOM are analysed \
            and every other file is listed as skipped. Files named on \
            the command line are always tried. The format comes from the file's magic bytes.

            Scans: a directory holding manifest.json or manifest.csv (schema sonoqc-manifest/1, see \
            docs/manifest.md) contributes the manifest's scans; elsewhere each directory that directly \
            holds images is one scan, or with --scan-per-file each image is its own scan. The log says \
            how the scans were formed. --out is never analysed, even when it lies inside an input.

            Output in --out:
              images.jsonl              one JSON object per analysed image, input order: path, scan, \
            format, width, height, bit_depth, source_was_colour, pixel_spacing (with its source), \
            intensity (mean, std, p1, p50, p99, saturated_fraction, zero_fraction), colour_chunks (gAMA, cHRM, \
            sRGB, iCCP present in the file; never applied: samples are the stored values)
              scans/<scan>/report.json  per-scan QC report (schema: `sonoqc schema scan-report`): metrics, \
            findings, measurements, verdict; written as soon as the scan's last image is done
              scans/<scan>/report.html  the same for people, with overlay thumbnails and growth charts
              scans/<scan>/analysis.json  the scan's per-image records (see images.jsonl)
              index.html                batch index: every image, flagged scans first, filters
              summary.csv               one row per scan: verdict, finding counts, key measurements
              summary.json              counts, failures (file, stage, kind, reason), skipped files, \
            scans, complete (false when interrupted)
              timing.json               per-stage wall/CPU time, throughput, per-image read/decode times
            Everything except timing.json is byte-identical for any --jobs value and for --resume runs.
            Files are written to a temporary name and renamed, so an interrupted run never leaves a \
            half-written report.

            Exit status: 0 every file analysed; 1 some file or input failed (the run still completes \
            and reports it); 64 usage error; 130/143 interrupted by SIGINT/SIGTERM (the summary is \
            written with "complete": false).
            """)

    @Argument(help: ArgumentHelp("Image files or directories to analyse.", valueName: "file-or-directory"))
    var inputs: [String]

    @Option(name: .long, help: ArgumentHelp("Output directory (created if missing).", valueName: "dir"))
    var out: String

    @Option(name: .long, help: "Worker threads, i.e. frames decoded at once (default: all cores).")
    var jobs: Int?

    @Flag(name: .long, help: "No progress line and only warnings in the log.")
    var quiet = false

    @Flag(name: .long, help: "Skip scans whose report in --out was written from the same file contents and settings.")
    var resume = false

    @Flag(name: .long, help: "In directories without a manifest, make each image its own scan (default: one scan per directory).")
    var scanPerFile = false

    @Flag(name: .long, help: "Print a per-stage wall/CPU time table after the run (also in timing.json).")
    var profile = false

    @Option(name: .long, help: "Refuse images with more pixels than this, checked from the header before decoding.")
    var maxPixels: Int = DecodeLimits().maxPixels

    @Option(name: .long, help: ArgumentHelp(
        "How decoder warnings are treated: fail-on-warning (a truncated JPEG fails) or lenient.",
        valueName: "fail-on-warning|lenient"))
    var strictness: String = DecodeLimits.Strictness.failOnWarning.rawValue

    @Option(name: .long, help: ArgumentHelp(
        "QC profile (JSON) overriding the default thresholds; see profiles/default.json.", valueName: "file"))
    var qcProfile: String?

    @Option(name: .long, help: ArgumentHelp(
        "Frames analysed per multi-frame DICOM file, evenly spaced (the rest are listed as skipped).", valueName: "n"))
    var maxFramesPerFile: Int = DICOMScans.defaultMaxFramesPerFile

    @Flag(name: .long, help: "Write only JSON and CSV, no report.html pages or index.html.")
    var noHTML = false

    @Option(name: .long, help: ArgumentHelp(
        "Language of report.html and index.html (JSON and CSV are language-neutral); --resume redoes scans whose page is in another language.",
        valueName: "en|zh-CN"))
    var lang: Language = .en

    @Option(name: .long, help: .hidden)
    var testDelayMs: UInt32 = 0

    @Flag(name: .long, help: .hidden)
    var skipMeasure = false

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
        if maxPixels < 1 { throw ValidationError("--max-pixels must be at least 1.") }
        if maxFramesPerFile < 1 { throw ValidationError("--max-frames-per-file must be at least 1.") }
        if DecodeLimits.Strictness(rawValue: strictness) == nil {
            throw ValidationError("--strictness must be one of: \(DecodeLimits.Strictness.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
    }

    func run() throws {
        let quiet = self.quiet
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = quiet ? .warning : .info
            return handler
        }
        let logger = Logger(label: "sonoqc.analyze")
        let workers = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        let limits = DecodeLimits(maxPixels: maxPixels, strictness: DecodeLimits.Strictness(rawValue: strictness)!)
        var thresholds = QCProfile.default
        if let qcProfile {
            do {
                thresholds = try QCProfile.load(contentsOf: URL(fileURLWithPath: qcProfile))
            } catch {
                throw ValidationError("--qc-profile: \(error)")
            }
        }
        // --skip-measure is the overhead benchmark's read+decode-only run: no QC either.
        let qc = skipMeasure ? nil : QCSettings(profile: thresholds, writesHTML: !noHTML, language: lang)

        let progressLine = (!quiet && isatty(STDERR_FILENO) == 1) ? ProgressLine() : nil
        var progress: (@Sendable (PipelineProgress) -> Void)?
        if let progressLine {
            progress = { progressLine.show($0) }
        }
        let control = RunControl(perFrameDelayMicroseconds: testDelayMs * 1000, progress: progress)
        let signals = SignalCancellation(control: control) { sig in
            logger.warning("received \(sig == SIGINT ? "SIGINT" : "SIGTERM"): finishing frames in flight, writing an incomplete summary")
        }
        defer { signals.stop() }

        let summary: AnalysisSummary
        do {
            summary = try BatchAnalysis.analyze(
                inputs: inputs, outputDirectory: out, workers: workers, resume: resume,
                measuresIntensity: !skipMeasure, qc: qc, limits: limits, maxFramesPerFile: maxFramesPerFile,
                grouping: scanPerFile ? .perFile : .perDirectory,
                control: control, logger: logger)
        } catch let error as OutputLock.LockError {
            progressLine?.finish()
            logger.error("\(error)")
            throw ExitCode(1)
        } catch {
            progressLine?.finish()
            logger.error("cannot write output to \(out): \(error)")
            throw ExitCode(1)
        }
        progressLine?.finish()

        if profile {
            FileHandle.standardOutput.write(Data(Self.profileTable(summary).utf8))
        }
        logger.info("""
            \(summary.imagesAnalysed) of \(summary.imagesTotal) \(plural(summary.imagesTotal, "image")) analysed, \
            \(summary.failures) \(plural(summary.failures, "failure")), \(summary.skipped) skipped\
            \(summary.complete ? "" : ", \(summary.notProcessed) not processed (interrupted)"); summary: \(summary.summaryPath)
            """)
        if qc != nil {
            let v = summary.verdicts
            logger.info("verdicts: \(v.pass) pass, \(v.review) review, \(v.fail) fail (\(summary.scansReported) of \(summary.scansTotal) \(plural(summary.scansTotal, "scan")) reported)")
        }
        if qc?.writesHTML == true, FileManager.default.fileExists(atPath: out + "/index.html") {
            let index = URL(fileURLWithPath: out + "/index.html").standardizedFileURL.path
            print("Batch index: \(index)")
        }
        if let sig = control.cancellingSignal {
            throw ExitCode(128 + sig)
        }
        if !summary.complete || summary.failures > 0 {
            throw ExitCode(1)
        }
    }

    static func profileTable(_ summary: AnalysisSummary) -> String {
        let run = summary.run
        let seconds = Double(run.wallNanoseconds) / 1e9
        var lines = ["stage        wall s     cpu s   ms/image"]
        for stage in PipelineStage.allCases {
            let wall = Double(run.stageTotals.wallNanoseconds(stage)) / 1e9
            let cpu = Double(run.stageTotals.cpuNanoseconds(stage)) / 1e9
            let perImage = run.imagesProcessed > 0 ? wall * 1000 / Double(run.imagesProcessed) : 0
            let name = stage.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
            lines.append(name + String(format: " %8.3f  %8.3f  %9.3f", wall, cpu, perImage))
        }
        lines.append(String(format: "elapsed %.3f s, %d images, %.1f images/s",
                            seconds, run.imagesProcessed, seconds > 0 ? Double(run.imagesProcessed) / seconds : 0))
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The live progress line on a terminal: files done/total, images/s, ETA, failures.
// @unchecked: `shown` and the writes to stderr happen only under `lock`.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var shown = false

    func show(_ p: PipelineProgress) {
        let eta = p.etaSeconds.map { String(format: "%.0f s", $0) } ?? "?"
        let text = String(format: "\r%d/%d images  %.1f images/s  ETA %@  %d failed\u{1B}[K",
                          p.imagesDone, p.imagesTotal, p.imagesPerSecond, eta as NSString, p.failures)
        lock.lock()
        shown = true
        FileHandle.standardError.write(Data(text.utf8))
        lock.unlock()
    }

    func finish() {
        lock.lock()
        if shown { FileHandle.standardError.write(Data("\n".utf8)) }
        lock.unlock()
    }
}

/// A tight read + decode loop over the same inputs, for the pipeline overhead benchmark
/// (scripts/pipeline-overhead.sh). Hidden: not a user feature.
struct BenchDecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-decode", abstract: "Read and decode files in a plain loop (benchmark baseline).",
        shouldDisplay: false)

    @Argument var inputs: [String]

    func run() throws {
        let plan = InputDiscovery().plan(inputs: inputs)
        let decoder = ImageDecoder()
        let start = Clock.monotonicNanoseconds()
        var decoded = 0, failed = 0
        for item in plan.scans.flatMap(\.items) {
            do {
                let frame = try decoder.decode(try FileBytes.contents(of: item.path), source: item.path)
                decoded += frame.width > 0 ? 1 : 0
            } catch {
                failed += 1
            }
        }
        let seconds = Double(Clock.monotonicNanoseconds() - start) / 1e9
        print(String(format: "%d decoded, %d failed, %.3f s, %.1f images/s", decoded, failed, seconds, Double(decoded) / seconds))
    }
}

extension Language: ExpressibleByArgument {}
