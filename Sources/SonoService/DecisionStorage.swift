import Foundation
import SonoReports

/// How both stores keep a decision version: the criteria as sorted-key JSON text (byte-stable for
/// the same answers), the reason codes comma-joined, and the numbering rule of
/// ``ServiceStore/appendDecision(_:)``. One definition, so SQLite and PostgreSQL rows number and
/// read back alike; each engine only binds and decodes its own column types.
enum DecisionStorage {
    /// The key's latest stored version, as an append reads it before inserting the next.
    struct Latest {
        var version: Int
        var verdict: String
        var score: Int?
    }

    /// `decision` as the version after `latest` (version 1 when the key has none), carrying the
    /// latest version's verdict and score as its previous values.
    static func next(_ decision: Decision, after latest: Latest?) -> Decision {
        var stored = decision
        stored.version = (latest?.version ?? 0) + 1
        stored.previousVerdict = latest.flatMap { ReviewVerdict(rawValue: $0.verdict) }
        stored.previousScore = latest?.score
        return stored
    }

    static func criteriaText(_ criteria: [String: CriterionAnswer]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(criteria), as: UTF8.self)
    }

    static func reasonsText(_ reasons: [String]) -> String { reasons.joined(separator: ",") }

    /// A decision from its stored columns. The score is the stored one (as decided), not recomputed.
    /// - Throws: ``ServiceError/storage(_:)`` for a verdict or criteria text no append writes.
    static func decision(batchID: String, scan: String, image: String, reading: Int, version: Int, reviewer: String,
                         decidedAt: Date, criteria criteriaText: String, score: Int?, verdict verdictText: String,
                         reasons: String, comment: String, previousVerdict: String?, previousScore: Int?) throws -> Decision {
        guard let verdict = ReviewVerdict(rawValue: verdictText) else { throw ServiceError.storage("decision row with unknown verdict") }
        let criteria: [String: CriterionAnswer]
        do {
            criteria = try JSONDecoder().decode([String: CriterionAnswer].self, from: Data(criteriaText.utf8))
        } catch {
            throw ServiceError.storage("decision row with unreadable criteria: \(error)")
        }
        var d = Decision(batchID: batchID, scan: scan, image: image, reading: reading, version: version, reviewer: reviewer,
                         decidedAt: decidedAt, criteria: criteria, verdict: verdict,
                         reasons: reasons.split(separator: ",").map(String.init), comment: comment,
                         previousVerdict: previousVerdict.flatMap(ReviewVerdict.init(rawValue:)), previousScore: previousScore)
        d.score = score
        return d
    }
}
