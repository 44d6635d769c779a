import Foundation

/// One image the reviewers' audit counts: how decisions find it (`key`), whose it is and whether the
/// automatic checks flagged it.
package struct ReviewedImage: Sendable, Hashable {
    package var key: String
    package var unitID: String?
    package var operatorID: String?
    package var flagged: Bool

    package init(key: String, unitID: String?, operatorID: String?, flagged: Bool) {
        self.key = key
        self.unitID = unitID
        self.operatorID = operatorID
        self.flagged = flagged
    }

    /// The key of an image in an `analyze` output, where there is no service batch: the scan id and
    /// the image's file name (decisions name the file by its last path component).
    package static func scanKey(scan: String, file: String) -> String {
        scan + "/" + (file.split(separator: "/").last.map(String.init) ?? file)
    }
}

/// The reviewers' side of the audit: per operator and unit the images decided, rejection rate,
/// mean score, most often failed criteria and inter-reviewer agreement (Cohen's kappa over the
/// double-read images, latest version of each reading). The service builds it from its store, the
/// `audit` command from an exported decisions file; both key images their own way (`key`).
package struct ReviewAudit: Sendable {
    package struct Group: Sendable {
        package var name: String
        package var images = 0
        package var automaticFlagged = 0
        package var decided = 0
        package var rejected = 0
        package var scores: [Int] = []
        package var failed: [String: Int] = [:]
        package var verdictPairs: [(String, String)] = []

        package var rejectRate: Double? { decided == 0 ? nil : Double(rejected) / Double(decided) }
        package var meanScore: Double? { scores.isEmpty ? nil : Double(scores.reduce(0, +)) / Double(scores.count) }
        /// The three criteria most often answered "no", most frequent first.
        package var topFailed: [String] { failed.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(3).map(\.key) }
        package var kappa: Double? { Agreement.cohensKappa(verdictPairs) }
        package var pairs: Int { verdictPairs.count }
    }

    package var byOperator: [Group] = []
    package var byUnit: [Group] = []
    package var verdictKappa: Double?
    package var criterionKappa: [String: Double?] = [:]
    package var pairCount = 0
    /// Image decisions (latest version of each reading) whose key matched no image.
    package var unmatched = 0

    /// `key` gives a decision's image key, matching ``ReviewedImage/key``. Scan-level final decisions
    /// (empty image) are not image decisions and are left out.
    package init(images: [ReviewedImage], decisions: [Decision], key: (Decision) -> String) {
        let latest = decisions.latest().filter { !$0.isScanDecision }
        var first: [String: Decision] = [:]
        var second: [String: Decision] = [:]
        for d in latest {
            if d.reading == 1 { first[key(d)] = d } else { second[key(d)] = d }
        }
        let known = Set(images.map(\.key))
        unmatched = latest.filter { !known.contains(key($0)) }.count
        var operators: [String: Group] = [:]
        var units: [String: Group] = [:]
        var verdictPairs: [(String, String)] = []
        var criterionPairs: [String: [(String, String)]] = [:]
        for item in images {
            let a = first[item.key], b = second[item.key]
            if let a, let b {
                verdictPairs.append((a.verdict.rawValue, b.verdict.rawValue))
                for c in ReviewCriteria.head {
                    if let x = a.criteria[c], let y = b.criteria[c] { criterionPairs[c, default: []].append((x.rawValue, y.rawValue)) }
                }
            }
            func count(into g: inout Group) {
                g.images += 1
                if item.flagged { g.automaticFlagged += 1 }
                guard let a else { return }
                g.decided += 1
                if a.verdict == .reject { g.rejected += 1 }
                if let s = a.score { g.scores.append(s) }
                for (c, answer) in a.criteria where answer == .no { g.failed[c, default: 0] += 1 }
                if let b { g.verdictPairs.append((a.verdict.rawValue, b.verdict.rawValue)) }
            }
            // The same label as the automatic audit's groups, so the two tables line up.
            let op = item.operatorID ?? AuditAnalysis.unknownID, unit = item.unitID ?? AuditAnalysis.unknownID
            count(into: &operators[op, default: Group(name: op)])
            count(into: &units[unit, default: Group(name: unit)])
        }
        byOperator = operators.values.sorted { $0.name < $1.name }
        byUnit = units.values.sorted { $0.name < $1.name }
        verdictKappa = Agreement.cohensKappa(verdictPairs)
        pairCount = verdictPairs.count
        for c in ReviewCriteria.head { criterionKappa[c] = Agreement.cohensKappa(criterionPairs[c] ?? []) }
    }

    /// Decisions matched to `analyze` reports by scan id and file name (``ReviewedImage/scanKey(scan:file:)``);
    /// the batch id, which only the service knows, is not used.
    package init(records: [AuditRecord], decisions: [Decision]) {
        self.init(images: records.flatMap(\.images), decisions: decisions) { ReviewedImage.scanKey(scan: $0.scan, file: $0.image) }
    }
}
