import Logging
import SonoCodecs

extension BatchAnalysis {
    /// `sonoqc analyze INPUTS --out DIR` as one call: discovery, then ``run(plan:options:executor:control:decoder:reader:logger:)``
    /// on a ``DispatchExecutor``. The command and the review service's workers (`sonoqc serve`) both
    /// call this, so a batch uploaded to the service is analysed by exactly the command's code path.
    public static func analyze(
        inputs: [String], outputDirectory: String, workers: Int, resume: Bool = false, measuresIntensity: Bool = true,
        qc: QCSettings?, limits: DecodeLimits = DecodeLimits(), onlyScans: Set<String>? = nil, control: RunControl,
        logger: Logger
    ) throws -> AnalysisSummary {
        var discoveryTimings = StageTimings()
        var plan = discoveryTimings.measure(.discover) { InputDiscovery().plan(inputs: inputs) }
        // The review service's distributed workers analyse one scan per job (issue 18): the scan's
        // own files are what they keep; the batch files of such a run cover only those scans and
        // are discarded, then written whole by a `resume` run over every scan.
        if let onlyScans { plan.scans = plan.scans.filter { onlyScans.contains($0.key) } }
        logger.info("\(plan.imageCount) images in \(plan.scans.count) scans, \(plan.skipped.count) files skipped, \(workers) workers")
        return try run(
            plan: plan,
            options: AnalysisOptions(outputDirectory: outputDirectory, resume: resume, measuresIntensity: measuresIntensity,
                                     executorDescription: "dispatch x\(workers)",
                                     discoveryTimings: discoveryTimings, qc: qc),
            executor: DispatchExecutor(workers: workers), control: control,
            decoder: ImageDecoder(limits: limits), logger: logger)
    }
}
