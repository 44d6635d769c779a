import ArgumentParser
import Foundation
import Logging
import SonoAnalysis
import SonoBiometry
import SonoChecks
import SonoCodecs
import SonoCore
import SonoInput
import SonoL10n
import SonoImageAnalysis

/// `sonoqc schema`: prints the JSON Schemas of SonoQC's outputs. Wiring only.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of a SonoQC output, or the evidence behind the QC rules.",
        subcommands: [ScanReportSchemaCommand.self, DefaultProfileCommand.self, QCEvidenceCommand.self])
}

struct ScanReportSchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan-report",
        abstract: "Print the JSON Schema (2020-12) of <out>/scans/<scan-id>/report.json (\(ScanReport.currentSchema)).")

    func run() throws {
        print(try ScanReportSchema.text(), terminator: "")
    }
}

/// `profiles/default.json` is this output (a test compares them; scripts/record-golden.sh rewrites it).
struct DefaultProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "default-profile",
        abstract: "Print the built-in QC profile (\(QCProfile.currentSchema)), a starting point for a site's --qc-profile file.")

    func run() throws {
        print(try ReportJSON.string(QCProfile.default), terminator: "")
    }
}

/// The evidence numbers quoted in docs/qc-rules.md: rule sensitivity and false-flag rate on the
/// sample batches (through the same `analyze` run users get), HC discrepancy rule on hc18-dev.
struct QCEvidenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qc-evidence",
        abstract: "Rule sensitivity on sample batches and HC rule rates on an HC18-style folder (the numbers in docs/qc-rules.md).")

    @Option(help: "Sample batch directory (manifest and <image>.truth.json files, as `sonoqc simulate` writes); repeat for several.")
    var batch: [String] = []

    @Option(help: "HC18-style folder with truth.csv (filename,pixel_size_mm,hc_mm) and the images.")
    var hc18: String?

    @Option(name: .customLong("qc-profile"), help: "QC profile JSON (default: built-in).")
    var qcProfile: String?

    @Flag(help: "Print per-image metrics and flagged rules.")
    var verbose = false

    func run() throws {
        let qcProfile = try self.qcProfile.map { try QCProfile.load(contentsOf: URL(fileURLWithPath: $0)) } ?? .default
        if !batch.isEmpty {
            // The batches go through `analyze` itself, into a scratch output removed afterwards.
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("sonoqc-evidence-\(getpid())").path
            defer { try? FileManager.default.removeItem(atPath: out) }
            var logger = Logger(label: "sonoqc.evidence")
            logger.logLevel = .warning
            let evidence = try BatchEvidence.run(batches: batch, outputDirectory: out, profile: qcProfile,
                                                 workers: ProcessInfo.processInfo.activeProcessorCount, logger: logger)
            if verbose {
                let flaggedByFile = Dictionary(evidence.cases.map { ($0.file, $0) }, uniquingKeysWith: { a, _ in a })
                for image in evidence.reports.flatMap(\.images) {
                    let m = image.metrics, h = image.head, c = flaggedByFile[image.file]
                    print(image.file, "defects=\((c?.defects ?? []).sorted())",
                          "median=\(m.medianGrey) sat=\(m.saturatedFraction) crush=\(m.crushedFraction) dr=\(m.dynamicRange)",
                          "sharp=\(m.sharpness) snr=\(m.speckleSNR ?? -1) gcnr=\(m.skullBrainGCNR ?? -1) fov=\(m.fieldOfViewFraction)",
                          "area=\(h?.areaFractionOfImage ?? -1) inView=\(h?.outlineInFieldOfView ?? -1) deficit=\(h?.ringEchoDeficit ?? -1)",
                          "mid=\(h?.midlineContrast ?? -1) conf=\(h?.confidenceScore ?? -1) overlays=\(image.overlays.kinds) \(image.overlays.regions.prefix(3).map { "\($0.x),\($0.y),\($0.width)x\($0.height)" })",
                          "flagged=\((c?.flagged ?? []).sorted().map(\.rawValue))")
                }
            }
            print("rule\tdefective\tdetected\tsensitivity\tclean\tfalse_flags\tfalse_flag_rate")
            for r in RuleEvidence.rates(evidence.cases) {
                print("\(r.rule)\t\(r.defective)\t\(r.detected)\t\(r.sensitivity.map { String(format: "%.3f", $0) } ?? "-")\t\(r.clean)\t\(r.falseFlags)\t\(r.falseFlagRate.map { String(format: "%.3f", $0) } ?? "-")")
            }
            let verdicts = evidence.reports.map(\.verdict.value)
            print("scans: \(evidence.reports.count) pass \(verdicts.filter { $0 == .pass }.count) review \(verdicts.filter { $0 == .review }.count) fail \(verdicts.filter { $0 == .fail }.count)")
        }
        if let hc18 { try hc18Evidence(URL(fileURLWithPath: hc18), profile: qcProfile, decoder: ImageDecoder()) }
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
            let byLevel = HCEvaluation.rawResultsByBorderLevel(entries, ellipses: ellipses) { name in
                guard let f = frames[name] else { throw ValidationError("\(name): not decodable") }
                return f.image
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
        print("  flagged as disagreeing by a measurement rule (as above, MS-001 cannot confirm not counted): "
            + rate(base1.filter(\.measurementRuleDisagrees).count, base1.count))
        print("  not pass (review or fail, any reason): \(rate(base1.filter { $0.verdict != .pass }.count, base1.count))")
        // Split at 90 mm, the INTERGROWTH-21st 10th centile at 14+0 weeks (90.7 mm): smaller heads are
        // mostly earlier than the charts start and than the plane criteria's sources were validated
        // (Salomon 2006: 20-24 weeks), and their automatic HC is the least precise.
        let earlyHeadHCMM = 90.0
        let expertHC = Dictionary(entries.map { ($0.filename, $0.hcMM) }, uniquingKeysWith: { a, _ in a })
        for early in [true, false] {
            let band = base1.filter { ((expertHC[$0.file] ?? 0) < earlyHeadHCMM) == early }
            print("  not pass, expert HC \(early ? "<" : ">=") \(Int(earlyHeadHCMM)) mm: \(rate(band.filter { $0.verdict != .pass }.count, band.count))")
        }
        // The policy levers for those heads (docs/qc-rules.md), each with what it would cost:
        // MS-001's detection does not depend on the plane criteria, only on "cannot confirm".
        func isEarly(_ t: RuleEvidence.HCTrial) -> Bool { (expertHC[t.file] ?? 0) < earlyHeadHCMM }
        print("  not pass if under \(Int(earlyHeadHCMM)) mm the plane criteria (HP-002...HP-007) were not applied: "
            + rate(base1.filter { $0.notPass(withoutPlaneCriteria: isEarly($0), withoutCannotConfirm: false) }.count, base1.count))
        var withoutCannotConfirm = "  not pass if under \(Int(earlyHeadHCMM)) mm neither the plane criteria nor MS-001 cannot confirm were applied: "
            + rate(base1.filter { $0.notPass(withoutPlaneCriteria: isEarly($0), withoutCannotConfirm: isEarly($0)) }.count, base1.count)
        for scale in RuleEvidence.hcTrialScales where scale != 1 {
            let t = trials.filter { $0.scale == scale }
            withoutCannotConfirm += String(format: "; HC mis-stated x%.2f caught by MS-001 ", scale)
                + rate(t.filter { $0.hcCaught(withoutCannotConfirm: isEarly($0)) }.count, t.count)
        }
        print(withoutCannotConfirm)
        print("  MS-001 no trusted automatic HC (to review): \(rate(base1.filter(\.hcUnverified).count, base1.count))")
        print("  MS-001 cannot confirm (tolerance too wide, to review): "
            + rate(base1.filter(\.hcCannotConfirm).count, base1.count))
        print("  MS-001 not checkable: \(base1.filter { $0.outcome == .notCheckable }.count)")
        for scale in RuleEvidence.hcTrialScales where scale != 1 {
            let t = trials.filter { $0.scale == scale }
            let caught = t.filter(\.hcCaught).count
            let flagged = t.filter { $0.outcome == .flagged }.count
            let unverified = t.filter(\.hcUnverified).count
            let anyRule = t.filter { $0.verdict != .pass }.count
            print(String(format: "HC mis-stated x%.2f: ", scale)
                + "caught by MS-001 \(rate(caught, t.count)) (flagged \(flagged), cannot confirm \(t.filter(\.hcCannotConfirm).count), "
                + "no automatic HC \(unverified)); not checkable \(t.filter { $0.outcome == .notCheckable }.count); "
                + "not pass \(rate(anyRule, t.count))")
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
        if let perFrame { try perFrameCSV(trials, entries: entries, options: options).write(toFile: perFrame, atomically: true, encoding: .utf8) }
    }

    @Option(help: "With --hc18: write one CSV row per frame (metrics, tolerance, MS-001 outcome per HC scale, review reasons).")
    var perFrame: String?

    /// One row per frame: the metrics the image and plane rules threshold, the HC tolerance, and
    /// what MS-001 and the verdict did at each HC scale (for choosing and checking thresholds).
    private func perFrameCSV(_ trials: [RuleEvidence.HCTrial], entries: [HCEvaluation.TruthEntry],
                             options: [String: HeadMeasurer.Options]) -> String {
        let scales = RuleEvidence.hcTrialScales
        var out = "filename,fold_border_level,pixel_size_mm,expert_hc_mm,expected_hc_error_mm,hc_tolerance_mm,diff_mm,"
            + "sharpness,ring_echo_deficit,head_area_fraction,outline_in_fov,midline_contrast,plane_score,gcnr,"
            + scales.map { String(format: "ms001_x%.2f,verdict_x%.2f", $0, $0) }.joined(separator: ",") + ",reasons\n"
        func f(_ x: Double?) -> String { x.map { String(format: "%.4f", $0) } ?? "" }
        let byFile = Dictionary(grouping: trials, by: \.file)
        for entry in entries {
            guard let t = byFile[entry.filename], let base = t.first(where: { $0.scale == 1 }) else { continue }
            let r = base.report, h = r.head
            // The tolerance is the threshold's warning limit, or an argument of "cannot confirm".
            let ms001 = r.findings.first { $0.rule == .hcAutomaticVsReported }
            var tolMM: Double?
            if case let .number(v)? = ms001?.thresholdMessage?.args["warn"] ?? ms001?.message?.args["tolerance_mm"] { tolMM = v }
            var fields = [entry.filename, f(options[entry.filename]?.outerBorderLevel), "\(entry.pixelSizeMM)", "\(entry.hcMM)",
                          f(h?.expectedHCErrorMM), f(tolMM), f(base.differenceMM), f(r.metrics.sharpness), f(h?.ringEchoDeficit),
                          f(h?.areaFractionOfImage), f(h?.outlineInFieldOfView), f(h?.midlineContrast), h?.planeScore.map(String.init) ?? "",
                          f(r.metrics.skullBrainGCNR)]
            for scale in scales {
                let s = t.first { $0.scale == scale }
                fields += [s?.outcome.rawValue ?? "", s?.verdict.rawValue ?? ""]
            }
            fields.append(base.reasons.map(\.rawValue).joined(separator: " "))
            out += CSV.record(fields)
        }
        return out
    }
}
