import Foundation
package import Logging
package import SonoChecks
import SonoCore
package import SonoInput
import SonoPipeline

/// Rule evidence from a real `analyze` run over batches whose defects are known: each image's
/// truth is the simulator's `<image stem>.truth.json` beside it.
///
/// It runs ``BatchAnalysis/analyze(inputs:outputDirectory:workers:resume:measuresIntensity:qc:limits:maxFramesPerFile:grouping:outputSettings:control:logger:)``,
/// the code path users run, and reads back the files that run wrote. A rule therefore counts as
/// flagged only where a user would see it: in a scan's `report.json`, or, for duplicates across
/// scans, in `summary.json`'s `cross_scan_duplicates`. `sonoqc schema qc-evidence --batch` prints
/// these numbers, and the sample-batch tests check them.
package struct BatchEvidence: Sendable {
    /// Every scan's `report.json`, in input order.
    package var reports: [ScanReport]
    /// One case per analysed image, in input order.
    package var cases: [RuleEvidence.Case]

    /// Analyses `batches` into `outputDirectory` (without pages) and reads the evidence back.
    package static func run(batches: [String], outputDirectory: String, profile: QCProfile = .default,
                           workers: Int = 2, logger: Logger = Logger(label: "sonoqc.evidence")) throws -> BatchEvidence {
        _ = try BatchAnalysis.analyze(inputs: batches, outputDirectory: outputDirectory, workers: workers,
                                      qc: QCSettings(profile: profile, writesHTML: false), control: RunControl(), logger: logger)
        return try read(outputDirectory: outputDirectory)
    }

    /// The evidence in the outputs of a finished `analyze` run.
    package static func read(outputDirectory: String) throws -> BatchEvidence {
        let summary = try JSONDecoder().decode(WrittenSummary.self,
                                               from: Data(contentsOf: URL(fileURLWithPath: outputDirectory + "/summary.json")))
        let reports = try summary.scans.compactMap(\.report).map { relative in
            try JSONDecoder().decode(ScanReport.self, from: Data(contentsOf: URL(fileURLWithPath: outputDirectory + "/" + relative)))
        }
        let acrossScans = Set(summary.crossScanDuplicates.map(\.file))
        let cases = reports.flatMap { report in
            report.images.map { image in
                var flagged = RuleEvidence.flaggedRules(image, scanFindings: report.findings)
                if acrossScans.contains(image.file) { flagged.insert(.duplicateAcrossScans) }
                return RuleEvidence.Case(file: image.file, defects: truthDefects(forImageAt: image.file), flagged: flagged)
            }
        }
        return BatchEvidence(reports: reports, cases: cases)
    }

    /// The defect kinds and the gross reporting error named by the truth file beside an image
    /// (`<stem>.truth.json`, written by `sonoqc simulate`); empty when there is none.
    package static func truthDefects(forImageAt path: String) -> Set<String> {
        let truthPath = (path as NSString).deletingPathExtension + ".truth.json"
        guard let data = FileManager.default.contents(atPath: truthPath),
              let truth = try? JSONDecoder().decode(Truth.self, from: data) else { return [] }
        var kinds = Set(truth.defects.map(\.kind))
        if let gross = truth.reported?.grossError { kinds.insert(gross) }
        return kinds
    }

    /// The parts of `summary.json` the evidence needs.
    struct WrittenSummary: Decodable {
        var scans: [ScanSummaryEntry]
        var crossScanDuplicates: [CrossScanDuplicate]

        enum CodingKeys: String, CodingKey {
            case scans
            case crossScanDuplicates = "cross_scan_duplicates"
        }
    }

    /// The parts of a simulator truth file the evidence needs.
    struct Truth: Decodable {
        struct Defect: Decodable { var kind: String }
        struct Reported: Decodable {
            var grossError: String?
            enum CodingKeys: String, CodingKey { case grossError = "gross_error" }
        }
        var defects: [Defect] = []
        var reported: Reported?

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            defects = try c.decodeIfPresent([Defect].self, forKey: .defects) ?? []
            reported = try c.decodeIfPresent(Reported.self, forKey: .reported)
        }
        enum CodingKeys: String, CodingKey { case defects, reported }
    }
}
