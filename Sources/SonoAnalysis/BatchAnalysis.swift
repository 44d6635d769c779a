import Foundation
package import Logging
package import SonoChecks
import SonoCodecs
package import SonoCore
import SonoL10n
package import SonoPipeline
import SonoReports

/// Settings of one `sonoqc analyze` run that affect the files written.
package struct AnalysisOptions: Sendable {
    package var outputDirectory: String
    /// Skip scans whose report already exists and matches the input (see ``BatchAnalysis``).
    package var resume: Bool
    package var measuresIntensity: Bool
    /// Label written to timing.json (e.g. `dispatch x4`).
    package var executorDescription: String
    /// Time the caller spent in discovery, added to the run's stage totals.
    package var discoveryTimings: StageTimings
    /// The QC engine and pages; nil runs only the image records (format, geometry, spacing, intensity): the overhead benchmark.
    package var qc: QCSettings?
    /// Caller settings that change outputs but that ``BatchAnalysis`` cannot see (decode limits,
    /// frames per DICOM file), as `name=value` strings; part of ``outputOptions()``.
    package var outputSettings: [String] = []
    /// The day the run is stamped with (report provenance, page headers); not an output setting,
    /// so `--resume` keeps scans analysed on another day.
    package var runDate = CivilDate.runDate(environment: ProcessInfo.processInfo.environment, now: Date())

    /// Every setting that changes what a scan's outputs contain, as sorted `name=value` strings,
    /// the applied QC profile's digest included. Each report's provenance lists them.
    package func outputOptions() throws -> [String] {
        var parts = outputSettings
        parts.append("schema=\(AnalyzeScanReport.currentSchema)")
        parts.append("intensity=\(measuresIntensity)")
        parts.append("qc=\(qc != nil)")
        parts.append("html=\(qc?.writesHTML ?? false)")
        if let qc { parts.append("qc-profile-sha256=\(try qc.profileSHA256())") }
        return parts.sorted()
    }

    /// SHA-256 over ``outputOptions()``. A `--resume` reuses a scan only when it was written with
    /// the same digest, so `--strictness lenient` or `--no-html` after a strict HTML run, or another
    /// QC profile, recomputes instead of keeping stale results.
    package func settingsDigest() throws -> String {
        ContentDigest.sha256Hex(Array(try outputOptions().joined(separator: "\n").utf8))
    }

    package init(outputDirectory: String, resume: Bool = false, measuresIntensity: Bool = true,
                executorDescription: String = "", discoveryTimings: StageTimings = StageTimings(),
                qc: QCSettings? = QCSettings()) {
        self.discoveryTimings = discoveryTimings
        self.qc = qc
        self.outputDirectory = outputDirectory
        self.resume = resume
        self.measuresIntensity = measuresIntensity
        self.executorDescription = executorDescription
    }
}

/// What a run produced, for the command's exit status, log lines and `--profile` table.
package struct AnalysisSummary: Sendable {
    package var imagesTotal: Int
    package var imagesAnalysed: Int
    /// Failed images plus failed inputs (discovery) plus scans whose report could not be written.
    package var failures: Int
    package var skipped: Int
    package var notProcessed: Int
    package var scansResumed: Int
    package var scansTotal: Int
    package var scansReported: Int
    /// Scans per QC verdict (all zero when the QC engine did not run).
    package var verdicts: (pass: Int, review: Int, fail: Int)
    package var complete: Bool
    package var run: PipelineRun
    package var summaryPath: String
}

/// Runs `sonoqc analyze` over a plan and writes its outputs:
///
/// - `scans/<scan>/report.json`: the QC engine's ``ScanReport`` (schema `sonoqc-scan-report`), with
///   `report.html` and overlay thumbnails beside it, and `scans/<scan>/analysis.json`: the
///   ``AnalyzeScanReport`` image records; all written (atomically) as soon
///   as the scan's last frame finishes.
/// - `images.jsonl`: one ``ImageRecord`` per analysed image, scans in input order.
/// - `summary.json`: counts, failures (file, stage, kind, reason), skipped files, the scans and
///   `complete`. With `images.jsonl` and the reports it is byte-identical for any `--jobs` and for
///   `--resume` runs, because it holds nothing that depends on time or scheduling.
/// - `timing.json`: everything that does (per-stage wall/CPU totals, throughput, per-image read
///   and decode times, which scans were resumed). Kept apart so determinism can be checked by
///   comparing the other files byte for byte.
package enum BatchAnalysis {
    package static let summarySchema = "sonoqc-analyze-summary/1"
    package static let timingSchema = "sonoqc-analyze-timing/1"

    /// The QC report of a scan.
    package static func reportPath(outputDirectory: String, scanKey: String) -> String {
        outputDirectory + "/" + ReportLayout.scanFolder(scanKey: scanKey) + "/report.json"
    }

    /// The image records (`analysis.json`) of a scan, read back for `--resume`.
    package static func analysisPath(outputDirectory: String, scanKey: String) -> String {
        outputDirectory + "/" + ReportLayout.scanFolder(scanKey: scanKey) + "/analysis.json"
    }

    /// Classifies decoder errors by their kind; other errors by their type.
    package static func failureKind(_ error: any Error) -> String {
        if let decode = error as? DecodeError { return decode.kind }
        if error is WriteError { return "write-error" }
        return String(describing: type(of: error))
    }

    package static func run(
        plan: BatchPlan, options: AnalysisOptions, executor: any PipelineExecutor, control: RunControl,
        decoder: any FrameDecoder, reader: @escaping Pipeline<AnalyzeProcessor>.Reader = { try FileBytes.contents(of: $0) },
        logger: Logger = Logger(label: "sonoqc.analyze")
    ) throws -> AnalysisSummary {
        let out = options.outputDirectory
        let writer = AtomicFileWriter()
        try writer.createDirectory(out + "/scans")
        // Held until this function returns: one run per output directory.
        let lock = try OutputLock(directory: out)
        defer { withExtendedLifetime(lock) {} }
        let leftovers = AtomicFileWriter.removeLeftovers(under: out)
        if leftovers > 0 { logger.info("removed \(leftovers) temporary \(plural(leftovers, "file")) left by an interrupted run") }
        // The batch files of a previous run describe that run; removed now, so a run killed before
        // writing its own leaves no summary claiming `complete: true`.
        for name in ["summary.json", "summary.csv", "index.html", "images.jsonl"] { unlink(out + "/" + name) }
        let settings = try options.settingsDigest()
        let outputOptions = try options.outputOptions()
        let profileDigest = try options.qc?.profileSHA256()
        let codecs = Dictionary(uniqueKeysWithValues: CodecVersions.all.map { ($0.library, $0.version) })

        var resumed = Set<Int>()
        if options.resume {
            for scan in plan.scans where existingReports(for: scan, outputDirectory: out, requiresQC: options.qc != nil,
                                                         settingsDigest: settings, reader: reader) != nil {
                // A page in another language is stale too: the scan is redone so its page is rewritten.
                if let qc = options.qc, qc.writesHTML, !pageDeclares(qc.language, outputDirectory: out, scanKey: scan.key) { continue }
                resumed.insert(scan.index)
            }
            logger.info("resume: \(resumed.count) of \(plan.scans.count) \(plural(plan.scans.count, "scan")) already reported with the same inputs and settings")
        }
        let toRun = plan.scans.filter { !resumed.contains($0.index) }
        removeStaleOutputs(plan: plan, rerun: toRun, outputDirectory: out, logger: logger)
        let shares = try BatchShares(directory: out)
        var index = IndexAssembly(options: options, shares: shares)
        let requiresQC = options.qc != nil, localizer = index.localizer

        // Each file's digest is taken from the very bytes that are decoded, and recorded with the
        // scan so `--resume` can tell a replaced image from the one analysed.
        let digests = DigestTable()
        let hashingReader: Pipeline<AnalyzeProcessor>.Reader = { path in
            let bytes = try reader(path)
            digests.record(path, bytes)
            return bytes
        }
        let pipeline = Pipeline(
            reader: hashingReader, decoder: decoder,
            processor: AnalyzeProcessor(measuresIntensity: options.measuresIntensity, qc: options.qc, scans: toRun),
            failureKind: failureKind
        ) { scan, result in
            // Frames of a multi-frame file share the file's digest (the reader opens `filePath`).
            let inputDigests = scan.items.map { digests.value($0.filePath) }
            digests.remove(scan.items.map(\.filePath))
            // The QC report and its page go first: analysis.json, written last, marks the scan complete.
            var written: ScanReport? = nil, view: ScanReportView? = nil
            if var report = result.qc, let profileDigest {
                report.provenance = RunProvenance(
                    sonoqcVersion: SonoQCVersion.current, runDate: options.runDate.description, codecs: codecs, qcProfileSHA256: profileDigest, options: outputOptions,
                    inputs: zip(scan.items, inputDigests).map { RunProvenance.Input(file: $0.path, sha256: $1) })
                var data = try ReportJSON.encode(report)
                if data.last != 0x0A { data.append(0x0A) }
                try writer.write(data, to: reportPath(outputDirectory: out, scanKey: scan.key))
                if let qc = options.qc, qc.writesHTML {
                    // One view of the report serves its page and its place on the index page.
                    let pageView = ScanReportView(report: report, language: qc.language)
                    try writeScanPage(pageView, thumbnails: result.thumbnails, scanKey: scan.key,
                                      directory: out + "/" + ReportLayout.scanFolder(scanKey: scan.key), language: qc.language, writer: writer)
                    view = pageView
                }
                written = report
            }
            var analysis = result.analysis
            analysis.inputsSHA256 = inputDigests
            analysis.settingsSHA256 = settings
            let data = try ReportJSON.encode(analysis)
            // The scan's share of the batch files is made from the very values encoded into its
            // reports, which is what reading them back would give, so the assembly below does not
            // decode them again. Made before analysis.json is written and kept only once it is: a
            // scan whose share could not be spooled is not complete on disc either.
            let scanShare = try Self.share(of: scan, analysis: analysis, qc: written, view: view, shares: shares,
                                           outputDirectory: out, localizer: localizer)
            try writer.write(data, to: analysisPath(outputDirectory: out, scanKey: scan.key))
            shares.store(scanShare, for: scan.index)
        }
        var run = executor.run(pipeline, scans: toRun, control: control)
        run.stageTotals.add(options.discoveryTimings)
        for (index, failure) in run.imageFailures {
            logger.debug("failed: \(failure.reason)", metadata: ["stage": "\(failure.stage.rawValue)", "index": "\(index)"])
        }

        // Assemble the batch outputs in input order from the written scans' shares (``ScanShare``):
        // a scan written by this run made its share as it was written; a resumed scan, written by an
        // earlier run, is read back once here to make the same share, so both are merged alike.
        // Memory does not grow with the batch: a share's bulky parts (images.jsonl lines, summary.csv
        // row, index page fragments) wait in a scratch file, and what stays in memory per scan is its
        // summary entry, its failures, its frames' hashes (cross-scan duplicates) and its place on
        // the index page. A scan absent from `scanStatus` was never finished.
        let scanStatus = Dictionary(uniqueKeysWithValues: resumed.map { ($0, ScanStatus.written) }
            + zip(toRun.map(\.index), run.scanStatus))
        // Reading a resumed scan back depends on that scan alone, so it runs on the executor's
        // workers; each report is released as soon as its share is made.
        let resumedScans = plan.scans.filter { resumed.contains($0.index) }
        let readBacks = orderedParallelMap(count: resumedScans.count, workers: executor.workers) { i in
            Result { () throws -> ScanShare? in
                guard let (analysis, qc) = existingReports(for: resumedScans[i], outputDirectory: out, requiresQC: requiresQC,
                                                           settingsDigest: settings, reader: nil) else { return nil }
                return try Self.share(of: resumedScans[i], analysis: analysis, qc: qc, shares: shares, outputDirectory: out, localizer: localizer)
            }
        }
        for (scan, readBack) in zip(resumedScans, readBacks) {
            if let share = try readBack.get() { shares.store(share, for: scan.index) }
        }
        var failures: [FailureRecord] = plan.discoveryFailures.map { FailureRecord(file: $0.file, scan: nil, failure: $0.failure) }
        var scanEntries: [ScanSummaryEntry] = []
        var analysed = 0, notProcessed = 0
        var verdicts = (pass: 0, review: 0, fail: 0)
        var crossScan: [CrossScanDuplicate] = []
        var duplicates = options.qc.map { BatchQC.CrossScanDuplicates(profile: $0.profile) }
        func missingAfterWriting(_ scan: ScanWork, _ entry: inout ScanSummaryEntry) {
            let failure = StageFailure(stage: .write, kind: "write-error",
                                       reason: "report for scan \(scan.key) is missing or unreadable after writing")
            failures.append(FailureRecord(file: reportPath(outputDirectory: out, scanKey: scan.key), scan: scan.key, failure: failure))
            entry.status = "write-failed"
        }
        func assemble(images: inout AtomicFileWriter.Sink, csvRow: (String) throws -> Void) throws {
            for scan in plan.scans {
                var entry = ScanSummaryEntry(scan: scan.key, scanID: scan.manifestEntry?.scanID, report: nil,
                                             images: scan.items.count, analysed: 0, failed: 0, status: "not-finished")
                switch scanStatus[scan.index] ?? .notFinished {
                case .written:
                    // No share: a resumed scan's reports could not be read back.
                    guard let share = shares.take(scan.index) else {
                        missingAfterWriting(scan, &entry)
                        break
                    }
                    // Duplicates across scans need every earlier scan's hashes, so they are a
                    // batch-level finding: listed in the summary and the index rather than
                    // rewriting reports already delivered.
                    let extra = share.qc.flatMap { duplicates?.findings(scanID: $0.scanID, frames: $0.frames) } ?? []
                    // The share's page fragments were rendered without them: such a scan (rare) is
                    // rendered again from its report, read back for this.
                    var rerendered: BatchIndexBuilder.RenderedScan? = nil
                    if !extra.isEmpty, index.localizer != nil {
                        guard let qc = existingReports(for: scan, outputDirectory: out, requiresQC: requiresQC,
                                                       settingsDigest: settings, reader: nil)?.qc else {
                            missingAfterWriting(scan, &entry)
                            break
                        }
                        rerendered = index.render(qc.adding(findings: extra), scanKey: scan.key)
                    }
                    try images.append(shares.readData(share.imageLines))
                    failures.append(contentsOf: share.failures)
                    analysed += share.analysed
                    entry.report = ReportLayout.scanFolder(scanKey: scan.key) + "/report.json"
                    if let qc = share.qc {
                        entry.verdict = qc.verdict.rawValue
                        entry.findings = qc.counts
                        switch qc.verdict {
                        case .pass: verdicts.pass += 1
                        case .review: verdicts.review += 1
                        case .fail: verdicts.fail += 1
                        }
                        try csvRow(shares.read(qc.csvRow))
                        for finding in extra {
                            crossScan.append(CrossScanDuplicate(scan: scan.key, file: finding.file ?? "", explanation: finding.explanation))
                        }
                        if let rerendered {
                            index.add(rerendered)
                        } else if let page = qc.page {
                            index.add(page)
                        }
                    }
                    entry.analysed = share.analysed
                    entry.failed = share.failures.count
                    entry.status = "reported"
                case .writeFailed(let failure):
                    failures.append(FailureRecord(file: reportPath(outputDirectory: out, scanKey: scan.key), scan: scan.key, failure: failure))
                    entry.status = "write-failed"
                case .notFinished:
                    notProcessed += scan.items.count
                }
                scanEntries.append(entry)
            }
        }
        // images.jsonl is published first, then summary.csv: a run that cannot write the former
        // leaves neither.
        if options.qc != nil {
            try writer.write(to: out + "/summary.csv") { csv in
                try csv.append(summaryCSVHeader)
                try writer.write(to: out + "/images.jsonl") { images in
                    try assemble(images: &images) { try csv.append($0) }
                }
            }
        } else {
            try writer.write(to: out + "/images.jsonl") { images in try assemble(images: &images) { _ in } }
        }
        if let failure = index.write(writer: writer) { failures.append(failure) }

        let complete = !run.cancelled && notProcessed == 0
        let summary = BatchSummaryFile(
            schema: summarySchema, complete: complete,
            interruptedBy: control.cancellingSignal.map(signalName),
            counts: .init(images: plan.imageCount, analysed: analysed, failed: failures.count,
                          skipped: plan.skipped.count, notProcessed: notProcessed, scans: plan.scans.count,
                          scansReported: scanEntries.filter { $0.status == "reported" }.count),
            failures: failures, skipped: plan.skipped, scans: scanEntries, crossScanDuplicates: crossScan,
            outputs: options.qc == nil
                ? ["images": "images.jsonl", "timing": "timing.json", "scans": "scans/"]
                : ["images": "images.jsonl", "timing": "timing.json", "scans": "scans/", "table": "summary.csv",
                   "index": options.qc!.writesHTML ? "index.html" : ""].filter { !$0.value.isEmpty })
        try writer.write(try ReportJSON.encode(summary), to: out + "/summary.json")
        try writeTiming(plan: plan, run: run, resumed: resumed, options: options, to: out + "/timing.json")

        return AnalysisSummary(
            imagesTotal: plan.imageCount, imagesAnalysed: analysed, failures: failures.count,
            skipped: plan.skipped.count, notProcessed: notProcessed, scansResumed: resumed.count,
            scansTotal: plan.scans.count, scansReported: scanEntries.filter { $0.status == "reported" }.count,
            verdicts: verdicts,
            complete: complete, run: run, summaryPath: out + "/summary.json")
    }

    /// A written scan's share of the batch files, from its reports as written (`qc` when the QC
    /// engine ran): its `images.jsonl` lines, `summary.csv` row and index page fragments (rendered
    /// without batch-level findings; only when `localizer` says a page is built) are spooled to
    /// `shares`; what is returned is small. `view` is `qc`'s view when the caller made one already
    /// (for the scan's page). Depends on this scan alone, so it runs on any thread.
    static func share(of scan: ScanWork, analysis: AnalyzeScanReport, qc: ScanReport?, view: ScanReportView? = nil,
                      shares: BatchShares, outputDirectory: String, localizer: Localizer?) throws -> ScanShare {
        var lines = Data()
        for image in analysis.images {
            lines.append(try ReportJSON.line(image))
            lines.append(0x0A)
        }
        return ScanShare(
            imageLines: try shares.append(lines), analysed: analysis.images.count, failures: analysis.failures,
            qc: try qc.map { qc in
                ScanShare.QC(
                    scanID: qc.scan.scanID, verdict: qc.verdict.value, counts: qc.counts,
                    csvRow: try shares.append(summaryCSVRow(qc, scanKey: scan.key)),
                    frames: qc.images.map { ($0.file, $0.perceptualHash) },
                    page: try localizer.map { localizer in
                        let view = view ?? ScanReportView(report: qc, language: localizer.language)
                        return try shares.spool(IndexAssembly.render(view, scanKey: scan.key, outputDirectory: outputDirectory, localizer: localizer))
                    })
            })
    }

    /// The scan's written reports: the image records when they exist, parse, have the current
    /// schema and list exactly the scan's files in order, and (when QC runs) the QC report with one
    /// entry per file. Nil when anything is missing or stale; then `--resume` recomputes the scan.
    ///
    /// With a `reader`, every file is read again and must have the digest recorded when the scan
    /// was analysed (an image replaced under the same name is analysed again); `settingsDigest`
    /// must match the one recorded.
    package static func existingReports(for scan: ScanWork, outputDirectory: String,
                                       requiresQC: Bool = true, settingsDigest: String? = nil,
                                       reader: Pipeline<AnalyzeProcessor>.Reader? = nil) -> (analysis: AnalyzeScanReport, qc: ScanReport?)? {
        var qc: ScanReport? = nil
        if requiresQC {
            guard let data = FileManager.default.contents(atPath: reportPath(outputDirectory: outputDirectory, scanKey: scan.key)),
                  let report = try? JSONDecoder().decode(ScanReport.self, from: data),
                  report.images.count + report.failures.count == scan.items.count
            else { return nil }
            qc = report
        }
        let path = analysisPath(outputDirectory: outputDirectory, scanKey: scan.key)
        guard let data = FileManager.default.contents(atPath: path),
              let analysis = try? JSONDecoder().decode(AnalyzeScanReport.self, from: data),
              analysis.schema == AnalyzeScanReport.currentSchema,
              analysis.scan == scan.key,
              analysis.files == scan.items.map(\.path),
              analysis.images.count + analysis.failures.count == scan.items.count,
              settingsDigest == nil || analysis.settingsSHA256 == settingsDigest,
              analysis.inputsSHA256.count == scan.items.count
        else { return nil }
        if let reader {
            // The frames of a multi-frame file share its digest: each file is read and hashed once
            // (nil when it cannot be read, as recorded for a file that could not be read then).
            var digests: [String: String?] = [:]
            func digest(_ file: String) -> String? {
                if let known = digests[file] { return known }
                let current = (try? reader(file)).map { ContentDigest.sha256Hex($0) }
                digests[file] = .some(current)
                return current
            }
            for (item, recorded) in zip(scan.items, analysis.inputsSHA256) where digest(item.filePath) != recorded { return nil }
        }
        return (analysis, qc)
    }

    /// True when the scan's `report.html` exists and declares `language` (`<html lang="…">`).
    static func pageDeclares(_ language: Language, outputDirectory: String, scanKey: String) -> Bool {
        let path = outputDirectory + "/" + ReportLayout.scanFolder(scanKey: scanKey) + "/" + ReportLayout.reportFileName
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = String(decoding: handle.readData(ofLength: 256), as: UTF8.self)
        return head.contains("<html lang=\"\(language.rawValue)\">")
    }

    /// Files a scan folder can hold; the only files ``removeStaleOutputs`` deletes.
    static func isScanOutput(_ name: String) -> Bool {
        name == "report.json" || name == "analysis.json" || name == ReportLayout.reportFileName
            || (name.hasPrefix("overlay-") && name.hasSuffix(".jpg"))
    }

    /// Outputs a previous run left that this run will not rewrite would be mistaken for its own
    /// (an index linking pages of another run, a thumbnail of a replaced image): the folders of
    /// scans that run again are emptied of scan outputs before they are written, and scan folders
    /// of scans not in this batch lose their outputs. Other files are never touched.
    static func removeStaleOutputs(plan: BatchPlan, rerun: [ScanWork], outputDirectory out: String, logger: Logger) {
        let keep = Set(plan.scans.map { ReportLayout.scanFolder(scanKey: $0.key) })
        let rerunFolders = Set(rerun.map { ReportLayout.scanFolder(scanKey: $0.key) })
        let scansRoot = out + "/" + ReportLayout.scansDirectory
        guard let walker = FileManager.default.enumerator(atPath: scansRoot) else { return }
        var removed = 0
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            guard isScanOutput(name) else { continue }
            let folder = ReportLayout.scansDirectory + "/" + (relative as NSString).deletingLastPathComponent
            if !keep.contains(folder) || rerunFolders.contains(folder) {
                if unlink(scansRoot + "/" + relative) == 0 { removed += 1 }
            }
        }
        if removed > 0 { logger.info("removed \(removed) stale \(plural(removed, "output")) of an earlier run from \(scansRoot)") }
    }

    /// Writes the scan's `report.html` and its overlay thumbnails beside `report.json`.
    static func writeScanPage(_ view: ScanReportView, thumbnails: [(file: String, jpeg: [UInt8]?)], scanKey: String, directory: String,
                              language: Language, writer: AtomicFileWriter) throws {
        var names: [String?] = []
        for (index, thumbnail) in thumbnails.enumerated() {
            guard let jpeg = thumbnail.jpeg else { names.append(nil); continue }
            let name = ReportLayout.thumbnailFileName(index: index, file: thumbnail.file)
            try writer.write(Data(jpeg), to: directory + "/" + name)
            names.append(name)
        }
        let html = HTMLReportWriter.page(for: view, thumbnails: names, scanKey: scanKey, language: language)
        try writer.write(Data(html.utf8), to: directory + "/" + ReportLayout.reportFileName)
    }

    /// `summary.csv`: one row per scan (``summaryCSVRow(_:scanKey:)``), input order, under this header.
    static let summaryCSVHeader = CSV.record([
        "scan", "scan_id", "unit_id", "operator_id", "exam_date", "gestational_age", "verdict", "fail",
        "warning", "needs_review", "not_checkable", "images", "failed_images", "hc_reported_mm",
        "hc_automatic_mm", "bpd_reported_mm", "bpd_automatic_mm", "ofd_reported_mm", "ofd_automatic_mm"])

    /// The scan's verdict, finding counts and the head measurements of its first measured image.
    static func summaryCSVRow(_ report: ScanReport, scanKey: String) -> String {
        func mm(_ v: Double?) -> String? { v.map { String(format: "%.1f", $0) } }
        let rows = report.images.first { image in image.measurements.contains { $0.automaticMM != nil || $0.reportedMM != nil } }?
            .measurements ?? []
        func row(_ measure: String) -> MeasurementRow? { rows.first { $0.measure.lowercased() == measure } }
        let scan = report.scan
        var cells: [String?] = [scanKey, scan.scanID, scan.unitID, scan.operatorID, scan.examDate,
                                scan.gestationalAge, report.verdict.value.rawValue,
                                "\(report.counts.fail)", "\(report.counts.warning)", "\(report.counts.needsReview)",
                                "\(report.counts.notCheckable)", "\(report.images.count + report.failures.count)", "\(report.failures.count)"]
        for measure in ["hc", "bpd", "ofd"] {
            cells += [mm(row(measure)?.reportedMM), mm(row(measure)?.automaticMM)]
        }
        return CSV.record(cells)
    }

    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case 2: "SIGINT"
        case 15: "SIGTERM"
        default: "signal \(signal)"
        }
    }

    static func writeTiming(plan: BatchPlan, run: PipelineRun, resumed: Set<Int>, options: AnalysisOptions,
                            to path: String) throws {
        let seconds = Double(run.wallNanoseconds) / 1e9
        let stages = PipelineStage.allCases.map { stage in
            StageTimingEntry(stage: stage.rawValue,
                             wallSeconds: Double(run.stageTotals.wallNanoseconds(stage)) / 1e9,
                             cpuSeconds: Double(run.stageTotals.cpuNanoseconds(stage)) / 1e9)
        }
        let header = TimingHeader(
            schema: timingSchema, executor: options.executorDescription, wallSeconds: seconds,
            imagesProcessed: run.imagesProcessed,
            imagesPerSecond: seconds > 0 ? Double(run.imagesProcessed) / seconds : 0,
            resumedScans: plan.scans.filter { resumed.contains($0.index) }.map(\.key), stages: stages)
        // Written by hand around the per-image array so a large batch streams instead of building
        // one big value: {"run": {...}, "images": [ ... ]}.
        try AtomicFileWriter().write(to: path) { sink in
            try sink.append("{\"run\":")
            try sink.append(ReportJSON.line(header))
            try sink.append(",\n\"images\":[\n")
            var first = true
            for scan in plan.scans where !resumed.contains(scan.index) {
                for item in scan.items {
                    let t = run.imageTimings.indices.contains(item.index) ? run.imageTimings[item.index] : ImageTiming()
                    if t == ImageTiming() { continue }
                    if !first { try sink.append(",\n") }
                    first = false
                    try sink.append(ReportJSON.line(ImageTimingEntry(
                        path: item.path, readMS: Double(t.readNanoseconds) / 1e6,
                        decodeMS: Double(t.decodeNanoseconds) / 1e6, processMS: Double(t.processNanoseconds) / 1e6)))
                }
            }
            try sink.append("\n]}\n")
        }
    }
}

/// The batch `index.html` of a run, built while the scans' shares are merged
/// (``BatchIndexBuilder``): each scan's fragments wait in the ``BatchShares`` scratch file until
/// the page is written in page order, so the page of any batch is written without holding its reports.
struct IndexAssembly {
    /// The page being built and where its fragments wait.
    private struct Page {
        var builder: BatchIndexBuilder
        var fragments: [(gridItems: Range<Int>, tableRow: Range<Int>)] = []
    }

    let outputDirectory: String
    private let shares: BatchShares
    /// Nil when the run writes no HTML, or after ``error``.
    private var page: Page?
    /// The first error; the run then lists the page as a failure instead of writing it.
    private var error: (any Error)?

    init(options: AnalysisOptions, shares: BatchShares) {
        outputDirectory = options.outputDirectory
        self.shares = shares
        guard let qc = options.qc, qc.writesHTML else { return }
        page = Page(builder: BatchIndexBuilder(language: qc.language, run: (SonoQCVersion.current, options.runDate.description)))
    }

    /// The page's language, nil when no page is built: ``render(_:scanKey:outputDirectory:localizer:)``
    /// needs nothing else, so scans can be rendered on several threads.
    var localizer: Localizer? { page?.builder.localizer }

    /// A scan's QC report (with its batch-level findings) rendered for the page; nil when no page is built.
    func render(_ report: ScanReport, scanKey: String) -> BatchIndexBuilder.RenderedScan? {
        localizer.map { Self.render(ScanReportView(report: report, language: $0.language), scanKey: scanKey,
                                    outputDirectory: outputDirectory, localizer: $0) }
    }

    static func render(_ view: ScanReportView, scanKey: String, outputDirectory: String,
                       localizer: Localizer) -> BatchIndexBuilder.RenderedScan {
        BatchIndexBuilder.render(view: view, scanKey: scanKey, under: URL(fileURLWithPath: outputDirectory), localizer: localizer)
    }

    /// Adds a scan whose fragments are spooled already, in input order.
    mutating func add(_ scan: ScanShare.Page) {
        guard page != nil else { return }
        page!.builder.add(scan.placement)
        page!.fragments.append((scan.gridItems, scan.tableRow))
    }

    /// Adds a scan rendered by ``render(_:scanKey:)``, in input order.
    mutating func add(_ scan: BatchIndexBuilder.RenderedScan) {
        guard page != nil else { return }
        do {
            add(try shares.spool(scan))
        } catch {
            self.error = error
            page = nil
        }
    }

    /// Writes `index.html`; returns the failure to list when it could not be written.
    func write(writer: AtomicFileWriter) -> FailureRecord? {
        let path = outputDirectory + "/" + ReportLayout.indexFileName
        do {
            if let error { throw error }
            guard let page else { return nil }
            try writer.write(to: path) { sink in
                try page.builder.compose(gridItems: { try shares.read(page.fragments[$0].gridItems) },
                                         tableRow: { try shares.read(page.fragments[$0].tableRow) },
                                         write: { try sink.append($0) })
            }
            return nil
        } catch {
            return FailureRecord(file: path, scan: nil, failure: StageFailure(stage: .write, kind: "write-error", reason: "\(error)"))
        }
    }
}

/// "1 scan", "2 scans".
package func plural(_ count: Int, _ noun: String) -> String {
    count == 1 ? noun : noun + "s"
}

/// Digests of the files read in this run, by path; filled by workers, drained by the scan writer.
// @unchecked: the only state is `table`, read and written only under `lock`. (Synchronization's
// Mutex would make this checked, but needs macOS 15 and the package supports macOS 14.)
final class DigestTable: @unchecked Sendable {
    private let lock = NSLock()
    private var table: [String: String] = [:]

    /// Records the SHA-256 of `bytes` read from `path` unless the path has one already: every frame
    /// of a multi-frame file reads the whole file, and hashing it once per frame would be wasted.
    func record(_ path: String, _ bytes: [UInt8]) {
        guard value(path) == nil else { return }
        let digest = ContentDigest.sha256Hex(bytes)
        lock.withLock { if table[path] == nil { table[path] = digest } }
    }

    func value(_ path: String) -> String? {
        lock.withLock { table[path] }
    }

    /// Dropped once their scan is written, so the table holds only the scans in flight.
    func remove(_ paths: [String]) {
        lock.withLock { for path in paths { table.removeValue(forKey: path) } }
    }
}

/// A written scan's share of the batch files (``BatchAnalysis/share(of:analysis:qc:shares:outputDirectory:localizer:)``):
/// where its bulky parts lie in the ``BatchShares`` scratch file, and the few values the merge
/// needs. Made the same way for scans written by this run and for resumed ones.
struct ScanShare: Sendable {
    /// Its `images.jsonl` lines.
    var imageLines: Range<Int>
    /// Its images with a record (`images.jsonl` lines).
    var analysed: Int
    /// Its images that failed, as listed in summary.json.
    var failures: [FailureRecord]
    /// Nil when the QC engine did not run.
    var qc: QC?

    struct QC: Sendable {
        /// The report's scan id, which cross-scan duplicate findings name.
        var scanID: String
        var verdict: Verdict.Value
        var counts: FindingCounts
        /// Its `summary.csv` row.
        var csvRow: Range<Int>
        /// Each image's file and perceptual hash, for cross-scan duplicates.
        var frames: [(file: String, hash: String)]
        /// Its place on `index.html` (without batch-level findings), nil when no page is built.
        var page: Page?
    }

    /// A scan's index page fragments, spooled, and what the page builder keeps of the scan.
    struct Page: Sendable {
        var placement: BatchIndexBuilder.Placement
        var gridItems: Range<Int>
        var tableRow: Range<Int>
    }
}

/// The written scans' shares of the batch files: made on the pipeline's worker threads as each
/// scan is written (and on the executor's workers for resumed scans), taken once each by the
/// assembly in input order. Their bulky parts wait in one scratch file.
// @unchecked: the only state is `scratch` (a ScratchFile, not thread-safe) and `shares`, both used
// only under `lock`. (Synchronization's Mutex would make this checked, but needs macOS 15 and the
// package supports macOS 14.)
final class BatchShares: @unchecked Sendable {
    private let lock = NSLock()
    private let scratch: ScratchFile
    private var shares: [Int: ScanShare] = [:]

    init(directory: String) throws {
        scratch = try ScratchFile(directory: directory)
    }

    func append(_ text: String) throws -> Range<Int> {
        try lock.withLock { try scratch.append(text) }
    }

    func append(_ data: Data) throws -> Range<Int> {
        try lock.withLock { try scratch.append(data) }
    }

    func read(_ range: Range<Int>) throws -> String {
        try lock.withLock { try scratch.read(range) }
    }

    func readData(_ range: Range<Int>) throws -> Data {
        try lock.withLock { try scratch.readData(range) }
    }

    /// Spools a rendered scan's page fragments; returns where they lie and what the page keeps.
    func spool(_ scan: BatchIndexBuilder.RenderedScan) throws -> ScanShare.Page {
        ScanShare.Page(placement: scan.placement, gridItems: try append(scan.gridItems), tableRow: try append(scan.tableRow))
    }

    /// Keeps the share of the scan with batch index `scanIndex` until ``take(_:)``.
    func store(_ share: ScanShare, for scanIndex: Int) {
        lock.withLock { shares[scanIndex] = share }
    }

    /// The scan's share, removed: a merged scan's share is not kept.
    func take(_ scanIndex: Int) -> ScanShare? {
        lock.withLock { shares.removeValue(forKey: scanIndex) }
    }
}

struct ScanSummaryEntry: Codable {
    var scan: String
    var scanID: String?
    var report: String?
    var images: Int
    var analysed: Int
    var failed: Int
    /// `reported`, `write-failed` or `not-finished` (cancelled).
    var status: String
    /// The QC verdict (`pass`, `review`, `fail`) and finding counts, when the QC engine ran.
    var verdict: String?
    var findings: FindingCounts?

    enum CodingKeys: String, CodingKey {
        case scan, report, images, analysed, failed, status, verdict, findings
        case scanID = "scan_id"
    }
}

/// A frame identical or nearly identical to a frame of an earlier scan in the batch.
struct CrossScanDuplicate: Codable {
    var scan: String
    var file: String
    var explanation: String
}

struct BatchSummaryFile: Encodable {
    struct Counts: Encodable {
        var images: Int
        var analysed: Int
        var failed: Int
        var skipped: Int
        var notProcessed: Int
        var scans: Int
        var scansReported: Int

        enum CodingKeys: String, CodingKey {
            case images, analysed, failed, skipped, scans
            case notProcessed = "not_processed", scansReported = "scans_reported"
        }
    }

    var schema: String
    var complete: Bool
    var interruptedBy: String?
    var counts: Counts
    var failures: [FailureRecord]
    var skipped: [SkippedFile]
    var scans: [ScanSummaryEntry]
    var crossScanDuplicates: [CrossScanDuplicate]
    var outputs: [String: String]

    enum CodingKeys: String, CodingKey {
        case schema, complete, counts, failures, skipped, scans, outputs
        case crossScanDuplicates = "cross_scan_duplicates"
        case interruptedBy = "interrupted_by"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schema, forKey: .schema)
        try c.encode(complete, forKey: .complete)
        try c.encode(interruptedBy, forKey: .interruptedBy)
        try c.encode(counts, forKey: .counts)
        try c.encode(failures, forKey: .failures)
        try c.encode(skipped, forKey: .skipped)
        try c.encode(scans, forKey: .scans)
        try c.encode(crossScanDuplicates, forKey: .crossScanDuplicates)
        try c.encode(outputs, forKey: .outputs)
    }
}

struct StageTimingEntry: Encodable {
    var stage: String
    var wallSeconds: Double
    var cpuSeconds: Double

    enum CodingKeys: String, CodingKey {
        case stage
        case wallSeconds = "wall_seconds", cpuSeconds = "cpu_seconds"
    }
}

struct TimingHeader: Encodable {
    var schema: String
    var executor: String
    var wallSeconds: Double
    var imagesProcessed: Int
    var imagesPerSecond: Double
    var resumedScans: [String]
    var stages: [StageTimingEntry]

    enum CodingKeys: String, CodingKey {
        case schema, executor, stages
        case wallSeconds = "wall_seconds", imagesProcessed = "images_processed"
        case imagesPerSecond = "images_per_second", resumedScans = "resumed_scans"
    }
}

struct ImageTimingEntry: Encodable {
    var path: String
    var readMS: Double
    var decodeMS: Double
    var processMS: Double

    enum CodingKeys: String, CodingKey {
        case path
        case readMS = "read_ms", decodeMS = "decode_ms", processMS = "process_ms"
    }
}
