import ArgumentParser
import Foundation
import SonoBiometry
import SonoChecks
import SonoCodecs
import SonoCore

/// `sonoqc schema`: prints the JSON Schemas of SonoQC's outputs. Wiring only.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of a SonoQC output.",
        subcommands: [ScanReportSchemaCommand.self, QCEvidenceCommand.self])
}

struct ScanReportSchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan-report",
        abstract: "Print the JSON Schema (2020-12) of <out>/scans/<scan-id>/report.json (\(ScanReport.currentSchema)).")

    func run() throws {
        print(try ScanReportSchema.text(), terminator: "")
    }
}

/// Hidden: the evidence numbers quoted in docs/qc-rules.md (rule sensitivity and false-flag rate on
/// the sample batches; HC discrepancy rule on hc18-dev).
struct QCEvidenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qc-evidence", abstract: "Rule sensitivity on sample batches and HC rule rates on an HC18-style folder.",
        shouldDisplay: false)

    @Option(help: "Sample batch directories (each with manifest.json and *.truth.json).")
    var batch: [String] = []

    @Option(help: "HC18-style folder with truth.csv (filename,pixel_size_mm,hc_mm) and the images.")
    var hc18: String?

    @Option(help: "QC profile JSON (default: built-in).")
    var profile: String?

    @Flag(help: "Print per-image metrics and flagged rules.")
    var verbose = false

    func run() throws {
        let qcProfile = try profile.map { try QCProfile.load(contentsOf: URL(fileURLWithPath: $0)) } ?? .default
        let decoder = ImageDecoder()
        if !batch.isEmpty {
            var cases: [RuleEvidence.Case] = []
            var allReports: [ScanReport] = []
            var truthByKey: [String: Set<String>] = [:]
            for dir in batch {
                let base = URL(fileURLWithPath: dir)
                let manifest = try ManifestLoader.load(contentsOf: base.appendingPathComponent("manifest.json"))
                for scan in manifest.scans {
                    var images: [ImageReport] = []
                    var failures: [ImageFailure] = []
                    for context in ImageContext.contexts(for: scan) {
                        let path = base.appendingPathComponent(context.file).path
                        do {
                            let frame = try decoder.decodeFile(atPath: path)
                            var ctx = context
                            ctx.file = base.lastPathComponent + "/" + context.file
                            images.append(FrameQC.analyze(frame: frame, context: ctx, profile: qcProfile))
                        } catch {
                            failures.append(ImageFailure(file: context.file, error: "\(error)"))
                        }
                        let stem = (context.file as NSString).deletingPathExtension
                        let truthURL = base.appendingPathComponent(stem + ".truth.json")
                        var defects: Set<String> = []
                        if let data = try? Data(contentsOf: truthURL),
                           let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                            for d in (obj["defects"] as? [[String: Any]]) ?? [] { if let k = d["kind"] as? String { defects.insert(k) } }
                            if let g = (obj["reported"] as? [String: Any])?["gross_error"] as? String { defects.insert(g) }
                        }
                        truthByKey[base.lastPathComponent + "/" + context.file] = defects
                    }
                    allReports.append(ScanQC.assess(scan: ScanMetadata(entry: scan), images: images, failures: failures, profile: qcProfile))
                }
            }
            let reports = BatchQC.crossScanDuplicates(allReports, profile: qcProfile)
            for report in reports {
                for image in report.images {
                    let flagged = RuleEvidence.flaggedRules(image, scanFindings: report.findings)
                    cases.append(RuleEvidence.Case(file: image.file, defects: truthByKey[image.file] ?? [], flagged: flagged))
                    if verbose {
                        let m = image.metrics, h = image.head
                        print(image.file, "defects=\((truthByKey[image.file] ?? []).sorted())",
                              "median=\(m.medianGrey) sat=\(m.saturatedFraction) crush=\(m.crushedFraction) dr=\(m.dynamicRange)",
                              "sharp=\(m.sharpness) snr=\(m.speckleSNR ?? -1) gcnr=\(m.skullBrainGCNR ?? -1) fov=\(m.fieldOfViewFraction)",
                              "area=\(h?.areaFractionOfImage ?? -1) inView=\(h?.outlineInFieldOfView ?? -1) deficit=\(h?.ringEchoDeficit ?? -1)",
                              "mid=\(h?.midlineContrast ?? -1) conf=\(h?.confidenceScore ?? -1) overlays=\(image.overlays.kinds) \(image.overlays.regions.prefix(3).map { "\($0.x),\($0.y),\($0.width)x\($0.height)" })",
                              "flagged=\(flagged.sorted().map(\.rawValue))")
                    }
                }
            }
            print("rule\tdefective\tdetected\tsensitivity\tclean\tfalse_flags\tfalse_flag_rate")
            for r in RuleEvidence.rates(cases) {
                print("\(r.rule)\t\(r.defective)\t\(r.detected)\t\(r.sensitivity.map { String(format: "%.3f", $0) } ?? "-")\t\(r.clean)\t\(r.falseFlags)\t\(r.falseFlagRate.map { String(format: "%.3f", $0) } ?? "-")")
            }
            let verdicts = reports.map(\.verdict.value.rawValue)
            print("scans: \(reports.count) pass \(verdicts.filter { $0 == "pass" }.count) review \(verdicts.filter { $0 == "review" }.count) fail \(verdicts.filter { $0 == "fail" }.count)")
        }
        if let hc18 {
            let base = URL(fileURLWithPath: hc18)
            let entries = try HCEvaluation.parseTruth(try String(contentsOf: base.appendingPathComponent("truth.csv"), encoding: .utf8))
            var trials: [RuleEvidence.HCTrial] = []
            for entry in entries {
                let dirs = ["", "images/"]
                guard let frame = dirs.lazy.compactMap({ try? decoder.decodeFile(atPath: base.appendingPathComponent($0 + entry.filename).path) }).first
                else { continue }
                trials += RuleEvidence.hcTrials(frame: frame, file: entry.filename, expertHCMM: entry.hcMM, spacingMMPerPixel: entry.pixelSizeMM,
                                                profile: qcProfile)
            }
            for scale in [1.0, 0.9, 1.1] {
                let t = trials.filter { $0.scale == scale }
                let checked = t.filter { $0.outcome == .passed || $0.outcome == .flagged }
                let flagged = checked.filter { $0.outcome == .flagged }
                let fails = flagged.filter { $0.severity == .fail }
                let label = scale == 1 ? "expert HC as reported (false-flag rate)" : "HC mis-stated x\(scale) (detection rate)"
                print("\(label): frames \(t.count), checked \(checked.count), flagged \(flagged.count) (\(String(format: "%.1f", 100 * Double(flagged.count) / Double(max(1, checked.count)))) %), fail-level \(fails.count), not checked \(t.count - checked.count)")
            }
            let base1 = trials.filter { $0.scale == 1 }
            print("rules flagged on \(base1.count) real frames (expert HC reported):")
            for rule in RuleID.allCases {
                let n = base1.filter { $0.flagged.contains(rule) }.count
                if n > 0 { print("  \(rule.rawValue) \(rule.title): \(n)") }
            }
            let diffs = base1.compactMap(\.differenceMM).map(abs).sorted()
            if !diffs.isEmpty {
                print("|automatic - expert| HC mm: median \(diffs[diffs.count / 2]), p95 \(diffs[min(diffs.count - 1, Int(0.95 * Double(diffs.count)))]), max \(diffs.last!)")
            }
            if verbose {
                for t in base1 { print(t.file, t.outcome.rawValue, t.differenceMM ?? .nan, t.flagged.map(\.rawValue)) }
            }
        }
    }
}
