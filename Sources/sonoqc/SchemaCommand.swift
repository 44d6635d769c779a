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
        if let hc18 { try hc18Evidence(URL(fileURLWithPath: hc18), profile: qcProfile, decoder: decoder) }
    }

    @Option(help: "Cross-validation folds for --hc18 (grouped by examination; needs ellipse-truth.csv there). 0 = committed constants (in-sample).")
    var folds = 5

    /// Rule rates on real frames with the expert's HC, BPD and OFD reported (HC also mis-stated
    /// by ±5 % and ±10 %), each with a Wilson 95 % interval. With `folds` > 0 every frame is
    /// measured with constants fitted without its examination.
    private func hc18Evidence(_ base: URL, profile qcProfile: QCProfile, decoder: ImageDecoder) throws {
        let entries = try HCEvaluation.parseTruth(try String(contentsOf: base.appendingPathComponent("truth.csv"), encoding: .utf8))
        let ellipseURL = base.appendingPathComponent("ellipse-truth.csv")
        let ellipses = FileManager.default.fileExists(atPath: ellipseURL.path)
            ? try HCEvaluation.parseEllipseTruth(try String(contentsOf: ellipseURL, encoding: .utf8)) : []
        let ellipseByName = Dictionary(ellipses.map { ($0.filename, $0) }, uniquingKeysWith: { a, _ in a })
        var frames: [String: Frame] = [:]
        for entry in entries {
            let dirs = ["", "images/"]
            frames[entry.filename] = dirs.lazy.compactMap { try? decoder.decodeFile(atPath: base.appendingPathComponent($0 + entry.filename).path) }.first
        }
        var options: [String: HeadMeasurer.Options] = [:]
        var how = "committed constants (in-sample)"
        if folds >= 2, !ellipses.isEmpty {
            var raw = HeadMeasurer.Options()
            raw.shapeCorrection = nil
            raw.errorModel = nil
            var byLevel: [Double: [HCEvaluation.ImageResult]] = [:]
            for level in HCEvaluation.borderLevelGrid {
                var o = raw
                o.outerBorderLevel = level
                byLevel[level] = HCEvaluation.attach(ellipses, to: HCEvaluation.evaluate(entries, options: o) { name in
                    guard let f = frames[name] else { throw ValidationError("\(name): not decodable") }
                    return f.image
                })
            }
            guard let cv = HCEvaluation.crossValidate(byLevel, folds: folds) else {
                throw ValidationError("cross-validation failed: too few measured frames per fold")
            }
            for r in cv.results {
                guard let k = r.fold, let c = cv.choices.first(where: { $0.fold == k }) else { continue }
                var o = HeadMeasurer.Options()
                o.outerBorderLevel = c.outerBorderLevel
                o.shapeCorrection = c.correction
                o.errorModel = c.model
                options[r.entry.filename] = o
            }
            how = "cross-validated (\(folds) folds grouped by examination)"
        }
        var trials: [RuleEvidence.HCTrial] = []
        for entry in entries {
            guard let frame = frames[entry.filename] else { continue }
            let e = ellipseByName[entry.filename]
            trials += RuleEvidence.hcTrials(frame: frame, file: entry.filename, expertHCMM: entry.hcMM, expertBPDMM: e?.bpdMM,
                                            expertOFDMM: e?.ofdMM, spacingMMPerPixel: entry.pixelSizeMM, profile: qcProfile,
                                            measurer: options[entry.filename] ?? HeadMeasurer.Options())
        }
        func rate(_ k: Int, _ n: Int) -> String {
            guard let ci = Statistics.wilson95(k, n) else { return "\(k)/\(n)" }
            return String(format: "%d/%d = %.1f %% (95 %% CI %.1f-%.1f)", k, n, 100 * Double(k) / Double(n), 100 * ci.low, 100 * ci.high)
        }
        print("hc18 evidence, \(how); expert HC\(ellipses.isEmpty ? "" : ", BPD and OFD") reported")
        let base1 = trials.filter { $0.scale == 1 }
        let msRules = Set(RuleID.allCases.filter { $0.rawValue.hasPrefix("MS-") })
        print("expert values reported: frames \(base1.count)")
        print("  flagged by a measurement rule (MS-*, warning or fail): \(rate(base1.filter { !Set($0.reasons).isDisjoint(with: msRules) }.count, base1.count))")
        print("  not pass (review or fail, any reason): \(rate(base1.filter { $0.verdict != .pass }.count, base1.count))")
        print("  MS-001 not checkable (no trusted automatic HC): \(base1.filter { $0.outcome != .passed && $0.outcome != .flagged }.count)")
        for scale in RuleEvidence.hcTrialScales where scale != 1 {
            let t = trials.filter { $0.scale == scale }
            let caught = t.filter { $0.outcome == .flagged }.count
            let anyRule = t.filter { $0.verdict != .pass }.count
            print(String(format: "HC mis-stated x%.2f: ", scale) + "caught by MS-001 \(rate(caught, t.count)); not pass \(rate(anyRule, t.count))")
        }
        print("per rule on the \(base1.count) frames with expert values (flagged any severity | as a review/fail reason):")
        for rule in RuleID.allCases {
            let flagged = base1.filter { $0.flagged.contains(rule) }.count
            let reason = base1.filter { $0.reasons.contains(rule) }.count
            if flagged > 0 || reason > 0 {
                print("  \(rule.rawValue) \(rule.title): \(rate(flagged, base1.count)) | \(rate(reason, base1.count))")
            }
        }
        let diffs = base1.compactMap(\.differenceMM).map(abs).sorted()
        if !diffs.isEmpty {
            print(String(format: "|automatic - expert| HC mm on checked frames: median %.2f, p95 %.2f, max %.2f",
                         Statistics.quantile(diffs, 0.5), Statistics.quantile(diffs, 0.95), diffs.last!))
        }
        if verbose {
            for t in base1 { print(t.file, t.outcome.rawValue, t.differenceMM ?? .nan, t.reasons.map(\.rawValue)) }
        }
    }
}
