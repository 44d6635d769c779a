import ArgumentParser
import Foundation
import SonoCore
import SonoL10n
import SonoReports

/// `sonoqc audit`: operator and unit audit across the per-scan reports of one or more batches.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Audit units and operators across scan reports (bias and spread of reported measurements).",
        discussion: """
            Reads <reports-dir>/scans/*/report.json as written by `sonoqc analyze` and aggregates per \
            unit and per operator: scans, verdict rates, rule hit rates, and for each biometric measure \
            the mean and SD of the z-scores of the reported values against INTERGROWTH-21st. A group is \
            flagged when |mean z| > 0.5 (systematic bias), SD(z) < 0.6 (calipers drifting towards the \
            value expected for the dates) or SD(z) > 1.5 (inconsistent measuring), and only with at least \
            30 scans; below that the audit says "too few scans". A CUSUM chart (k 0.25, h 5) shows when \
            a drift began. Writes <out>/audit.html and <out>/audit.csv and prints the page's path.

            With --decisions (the review service's export, decisions.json or decisions.csv) the page \
            adds the reviewers' side per operator and unit: rejection rate, mean score, the most \
            frequently failed criteria and agreement between reviewers (Cohen's kappa per criterion \
            and for the verdict). Decisions are matched to the reports by scan ID and file name.
            """)

    @Argument(help: "Output folders of `sonoqc analyze` (each holds scans/<scan-id>/report.json).")
    var reportsDirectories: [String]

    @Option(name: .long, help: "Output directory for audit.html and audit.csv.")
    var out: String = "audit"

    @Option(name: .long, help: "Minimum scans per group before bias or spread is judged.")
    var minimumScans: Int = AuditThresholds().minimumScans

    @Option(name: .long, help: "Flag bias when |mean z| exceeds this.")
    var biasZ: Double = AuditThresholds().biasMeanZ

    @Option(name: .long, help: ArgumentHelp("Reviewers' decisions exported by `sonoqc serve` (GET /api/v1/decisions.json or .csv).",
                                            valueName: "decisions.json|decisions.csv"))
    var decisions: String?

    @Option(name: .long, help: ArgumentHelp("Language of audit.html (audit.csv is language-neutral).", valueName: "en|zh-CN"))
    var lang: Language = .en

    mutating func validate() throws {
        guard minimumScans >= 2 else { throw ValidationError("--minimum-scans must be at least 2") }
        guard biasZ > 0 else { throw ValidationError("--bias-z must be positive") }
    }

    mutating func run() throws {
        var thresholds = AuditThresholds()
        thresholds.minimumScans = minimumScans
        thresholds.biasMeanZ = biasZ
        let directories = reportsDirectories.map { URL(fileURLWithPath: $0) }
        let records = try AuditInput.records(fromReportsIn: directories)
        let audit = AuditAnalysis(records: records, thresholds: thresholds)
        var review: ReviewSection?
        if let decisions {
            let read = try DecisionsFile.read(URL(fileURLWithPath: decisions))
            let reviewAudit = ReviewAudit(records: records, decisions: read)
            review = ReviewSection(audit: reviewAudit, source: decisions,
                                   decisionCount: read.latest().filter { !$0.isScanDecision }.count)
        }
        let page = try AuditReport.write(audit, sources: reportsDirectories, to: URL(fileURLWithPath: out), language: lang,
                                         review: review, records: records,
                                         run: (SonoQCVersion.current, CivilDate.runDate(environment: ProcessInfo.processInfo.environment,
                                                                                        now: Date()).description))
        let flagged = audit.groups.filter(\.hasConcern).map { "\($0.kind.rawValue) \($0.id)" }
        var note = "\(records.count) scans; flagged: \(flagged.isEmpty ? "none" : flagged.joined(separator: ", "))\n"
        if let review {
            note += "\(review.decisionCount) image decisions, \(review.audit.pairCount) read twice"
                + (review.audit.unmatched > 0 ? "; \(review.audit.unmatched) match no image in the reports" : "") + "\n"
        }
        FileHandle.standardError.write(Data(note.utf8))
        print(page.path)
    }
}
