import Foundation

/// The reviewers' side of the audit: per operator and unit the images decided, rejection rate,
/// mean score, most often failed criteria and inter-reviewer agreement (Cohen's kappa over the
/// double-read images, latest version of each reading).
struct ReviewAudit {
    struct Group {
        var name: String
        var images = 0
        var automaticFlagged = 0
        var decided = 0
        var rejected = 0
        var scores: [Int] = []
        var failed: [String: Int] = [:]
        var verdictPairs: [(String, String)] = []

        var rejectRate: Double? { decided == 0 ? nil : Double(rejected) / Double(decided) }
        var meanScore: Double? { scores.isEmpty ? nil : Double(scores.reduce(0, +)) / Double(scores.count) }
        /// The three criteria most often answered "no", most frequent first.
        var topFailed: [String] { failed.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(3).map(\.key) }
        var kappa: Double? { Agreement.cohensKappa(verdictPairs) }
        var pairs: Int { verdictPairs.count }
    }

    var byOperator: [Group] = []
    var byUnit: [Group] = []
    var verdictKappa: Double?
    var criterionKappa: [String: Double?] = [:]
    var pairCount = 0

    init(items: [ReviewItem], decisions: [Decision]) {
        let latest = decisions.latest().filter { !$0.isScanDecision }
        var first: [String: Decision] = [:]
        var second: [String: Decision] = [:]
        for d in latest {
            let key = d.batchID + "/" + d.scan + "/" + d.image
            if d.reading == 1 { first[key] = d } else { second[key] = d }
        }
        var operators: [String: Group] = [:]
        var units: [String: Group] = [:]
        var verdictPairs: [(String, String)] = []
        var criterionPairs: [String: [(String, String)]] = [:]
        for item in items {
            let key = item.batchID + "/" + item.scanID + "/" + item.fileName
            let a = first[key], b = second[key]
            if let a, let b {
                verdictPairs.append((a.verdict.rawValue, b.verdict.rawValue))
                for c in ReviewCriteria.head {
                    if let x = a.criteria[c], let y = b.criteria[c] { criterionPairs[c, default: []].append((x.rawValue, y.rawValue)) }
                }
            }
            func count(into g: inout Group) {
                g.images += 1
                if item.status != .pass { g.automaticFlagged += 1 }
                guard let a else { return }
                g.decided += 1
                if a.verdict == .reject { g.rejected += 1 }
                if let s = a.score { g.scores.append(s) }
                for (c, answer) in a.criteria where answer == .no { g.failed[c, default: 0] += 1 }
                if let b { g.verdictPairs.append((a.verdict.rawValue, b.verdict.rawValue)) }
            }
            let op = item.operatorID ?? "(none)", unit = item.unitID ?? "(none)"
            count(into: &operators[op, default: Group(name: op)])
            count(into: &units[unit, default: Group(name: unit)])
        }
        byOperator = operators.values.sorted { $0.name < $1.name }
        byUnit = units.values.sorted { $0.name < $1.name }
        verdictKappa = Agreement.cohensKappa(verdictPairs)
        pairCount = verdictPairs.count
        for c in ReviewCriteria.head { criterionKappa[c] = Agreement.cohensKappa(criterionPairs[c] ?? []) }
    }
}
