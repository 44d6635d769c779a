import Foundation
package import Logging
package import SonoCodecs
package import SonoPipeline

extension BatchAnalysis {
    /// `sonoqc analyze INPUTS --out DIR` as one call: discovery, then ``run(plan:options:executor:control:decoder:reader:logger:)``
    /// on a ``DispatchExecutor``. The command and the review service's workers (`sonoqc serve`) both
    /// call this, so a batch uploaded to the service is analysed by exactly the command's code path.
    package static func analyze(
        inputs: [String], outputDirectory: String, workers: Int, resume: Bool = false, measuresIntensity: Bool = true,
        qc: QCSettings?, limits: DecodeLimits = DecodeLimits(), maxFramesPerFile: Int = DICOMScans.defaultMaxFramesPerFile,
        grouping: InputDiscovery.ScanGrouping = .perDirectory, outputSettings: [String] = [], onlyScans: Set<String>? = nil,
        scanKeyPath: String? = nil, control: RunControl, logger: Logger
    ) throws -> AnalysisSummary {
        var discoveryTimings = StageTimings()
        // Created first so discovery can recognise it inside an input and leave it out.
        try? FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        let discovery = InputDiscovery(grouping: grouping, excludedDirectories: [outputDirectory])
        var plan = discoveryTimings.measure(.discover) { discovery.plan(inputs: inputs) }
        // The review service's distributed workers analyse one discovered scan per job:
        // the scan's own files are what they keep; the batch files of such a run cover only those
        // scans and are discarded, then written whole by a `resume` run over every scan. The keys
        // are discovery's, as the service's fan-out lists them, so the filter runs before DICOM
        // files are expanded into their studies.
        if let onlyScans { plan.scans = plan.scans.filter { onlyScans.contains($0.key) } }
        // Inputs that do not exist are the commonest first mistake: say so plainly, on stderr.
        for (_, failure) in plan.discoveryFailures where failure.kind == "not-found" {
            logger.error("input does not exist: \(failure.reason)")
        }
        if plan.scans.contains(where: { $0.items.contains { InputDiscovery.isDICOMName($0.path) || InputDiscovery.hasDICOMMagic(atPath: $0.path) } }) {
            // DICOM files become one item per analysed frame and, without a manifest, scans named by a
            // keyed hash of their StudyInstanceUID (the key is created once, beside the output).
            // Runs that each write part of one batch (the service's per-scan jobs and their
            // assembly) pass one `scanKeyPath`, so they name a study alike.
            let keyPath = scanKeyPath ?? DICOMScans.keyPath(outputDirectory: outputDirectory)
            let keyDirectory = (keyPath as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: keyDirectory.isEmpty ? "." : keyDirectory, withIntermediateDirectories: true)
            let key = try DICOMScans.loadOrCreateKey(at: keyPath)
            plan = discoveryTimings.measure(.discover) {
                DICOMScans.expand(plan, maxFramesPerFile: maxFramesPerFile, key: key, limits: limits)
            }
        }
        logger.info("\(plan.imageCount) \(plural(plan.imageCount, "image")) in \(plan.scans.count) \(plural(plan.scans.count, "scan")), \(plan.skipped.count) \(plural(plan.skipped.count, "file")) skipped, \(workers) \(plural(workers, "worker"))")
        logger.info("scans: \(describe(plan.origins))")
        var options = AnalysisOptions(outputDirectory: outputDirectory, resume: resume, measuresIntensity: measuresIntensity,
                                      executorDescription: "dispatch x\(workers)", discoveryTimings: discoveryTimings, qc: qc)
        options.outputSettings = outputSettings + [
            "max-pixels=\(limits.maxPixels)", "max-decoded-bytes=\(limits.maxDecodedBytes)",
            "max-jpeg-scans=\(limits.maxJPEGScans)", "strictness=\(limits.strictness.rawValue)",
            "max-frames-per-file=\(maxFramesPerFile)",
        ]
        return try run(
            plan: plan,
            options: options,
            executor: DispatchExecutor(workers: workers), control: control,
            decoder: ImageDecoder(limits: limits), logger: logger)
    }

    /// How discovery formed the scans, for the log.
    static func describe(_ origins: ScanOrigins) -> String {
        var parts: [String] = []
        if origins.manifest > 0 { parts.append("\(origins.manifest) from manifests") }
        if origins.directory > 0 {
            parts.append("\(origins.directory) from \(origins.directory == 1 ? "a directory" : "directories") without a manifest (one scan per directory; --scan-per-file makes each image its own scan)")
        }
        if origins.file > 0 { parts.append("\(origins.file) single-image \(plural(origins.file, "scan"))") }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }

}
