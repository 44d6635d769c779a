import Foundation
import Logging
import SonoCodecs

extension BatchAnalysis {
    /// `sonoqc analyze INPUTS --out DIR` as one call: discovery, then ``run(plan:options:executor:control:decoder:reader:logger:)``
    /// on a ``DispatchExecutor``. The command and the review service's workers (`sonoqc serve`) both
    /// call this, so a batch uploaded to the service is analysed by exactly the command's code path.
    public static func analyze(
        inputs: [String], outputDirectory: String, workers: Int, resume: Bool = false, measuresIntensity: Bool = true,
        qc: QCSettings?, limits: DecodeLimits = DecodeLimits(), maxFramesPerFile: Int = DICOMScans.defaultMaxFramesPerFile,
        control: RunControl, logger: Logger
    ) throws -> AnalysisSummary {
        var discoveryTimings = StageTimings()
        var plan = discoveryTimings.measure(.discover) { InputDiscovery().plan(inputs: inputs) }
        if plan.scans.contains(where: { $0.items.contains { InputDiscovery.isDICOMName($0.path) || InputDiscovery.hasDICOMMagic(atPath: $0.path) } }) {
            // DICOM files become one item per analysed frame and, without a manifest, scans named by a
            // keyed hash of their StudyInstanceUID (the key is created once, beside the output).
            let keyPath = DICOMScans.keyPath(outputDirectory: outputDirectory)
            let keyDirectory = (keyPath as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: keyDirectory.isEmpty ? "." : keyDirectory, withIntermediateDirectories: true)
            let key = try DICOMScans.loadOrCreateKey(at: keyPath)
            plan = discoveryTimings.measure(.discover) {
                DICOMScans.expand(plan, maxFramesPerFile: maxFramesPerFile, key: key, limits: limits)
            }
        }
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
