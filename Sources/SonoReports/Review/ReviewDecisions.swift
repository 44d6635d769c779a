package import Foundation
import SonoCore

// The reviewers' decisions and their statistics, shared by `sonoqc serve` (which records them) and
// `sonoqc audit` (which reads the service's exports): one definition of the criteria, the score and
// Cohen's kappa for both.

/// A reviewer's verdict on an image (or, as the final decision, on a scan).
public enum ReviewVerdict: String, Sendable, Codable, CaseIterable {
    case accept
    case acceptWithRemark = "accept-remark"
    /// Re-scan requested.
    case reject
}

/// One criterion answer: met, not met, or not judgeable on this image.
public enum CriterionAnswer: String, Sendable, Codable, CaseIterable {
    case yes, no, na
}

/// The head-plane (BPD/HC) image-scoring criteria of Salomon et al. 2006, as the ISUOG 2019
/// biometry guideline frames them (../shared/reference/biometry.md §5): one point per criterion
/// met, 0–6. Thalami, CSP and cerebellum are the ones only a person can judge.
public enum ReviewCriteria {
    public static let head: [String] = [
        "symmetric-plane", "thalami-visible", "csp-visible", "cerebellum-not-visible", "head-fills-30pct", "calipers-placed",
    ]

    /// Reason codes a reject or a remark can carry.
    public static let reasons: [String] = [
        "wrong-plane", "magnification", "calipers", "gain-depth", "head-cut-off", "overlay-obscures", "duplicate",
        "measurement-mismatch", "unit-cm", "other",
    ]

    /// Salomon score: criteria answered "yes". Nil when none is answered (nothing was scored).
    public static func score(_ answers: [String: CriterionAnswer]) -> Int? {
        let answered = head.compactMap { answers[$0] }
        guard !answered.isEmpty else { return nil }
        return answered.filter { $0 == .yes }.count
    }
}

/// One version of a decision. Rows are only ever appended: a change is a new version, and the store
/// fills `version` and `previousVerdict`/`previousScore` from the latest version of the same key
/// (batch, scan, image, reading). `image` is empty for a scan's final decision. `reading` 2 is the
/// blind second reading of a double-read image.
package struct Decision: Sendable, Codable, Equatable {
    package var batchID: String
    package var scan: String
    package var image: String
    package var reading: Int
    package var version: Int
    package var reviewer: String
    package var decidedAt: Date
    package var criteria: [String: CriterionAnswer]
    package var score: Int?
    package var verdict: ReviewVerdict
    package var reasons: [String]
    package var comment: String
    package var previousVerdict: ReviewVerdict?
    package var previousScore: Int?

    package init(batchID: String, scan: String, image: String, reading: Int = 1, version: Int = 0, reviewer: String,
                decidedAt: Date, criteria: [String: CriterionAnswer] = [:], verdict: ReviewVerdict, reasons: [String] = [],
                comment: String = "", previousVerdict: ReviewVerdict? = nil, previousScore: Int? = nil) {
        self.batchID = batchID
        self.scan = scan
        self.image = image
        self.reading = reading
        self.version = version
        self.reviewer = reviewer
        self.decidedAt = decidedAt
        self.criteria = criteria
        self.score = ReviewCriteria.score(criteria)
        self.verdict = verdict
        self.reasons = reasons
        self.comment = comment
        self.previousVerdict = previousVerdict
        self.previousScore = previousScore
    }

    package var isScanDecision: Bool { image.isEmpty }

    enum CodingKeys: String, CodingKey {
        case batchID = "batch_id", scan, image, reading, version, reviewer, decidedAt = "decided_at", criteria, score, verdict
        case reasons, comment, previousVerdict = "previous_verdict", previousScore = "previous_score"
    }
}

extension Array where Element == Decision {
    /// The latest version per (batch, scan, image, reading), in first-decided order.
    package func latest() -> [Decision] {
        var index: [String: Int] = [:]
        var out: [Decision] = []
        for d in self {
            let key = [d.batchID, d.scan, d.image, String(d.reading)].joined(separator: "\u{1F}")
            if let i = index[key] {
                if d.version > out[i].version { out[i] = d }
            } else {
                index[key] = out.count
                out.append(d)
            }
        }
        return out
    }
}

/// Cohen's kappa for two raters over paired categorical labels: (p_o − p_e) / (1 − p_e). Nil when
/// there is no pair or when chance agreement is 1 (both raters used one and the same label
/// throughout, so kappa is undefined).
package enum Agreement {
    package static func cohensKappa(_ pairs: [(String, String)]) -> Double? {
        guard !pairs.isEmpty else { return nil }
        let n = Double(pairs.count)
        let observed = Double(pairs.filter { $0.0 == $0.1 }.count) / n
        var first: [String: Double] = [:]
        var second: [String: Double] = [:]
        for (a, b) in pairs {
            first[a, default: 0] += 1
            second[b, default: 0] += 1
        }
        let expected = first.reduce(0.0) { $0 + ($1.value / n) * ((second[$1.key] ?? 0) / n) }
        guard expected < 1 else { return nil }
        return (observed - expected) / (1 - expected)
    }
}


/// The two export formats of `GET /api/v1/decisions.json|.csv`, read back for `sonoqc audit`.
package enum DecisionsFile {
    /// Columns of decisions.csv, in order (the service writes them, the audit reads them).
    package static let csvColumns = ["batch_id", "scan", "image", "reading", "version", "reviewer", "decided_at", "verdict", "score",
                                    "reasons", "comment", "previous_verdict", "previous_score"] + ReviewCriteria.head

    /// Decisions from a `.json` or `.csv` export (chosen by the file extension).
    /// - Throws: ``ReportError/unreadableDecisions(path:reason:)``.
    package static func read(_ url: URL) throws(ReportError) -> [Decision] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadableDecisions(path: url.path, reason: error.localizedDescription)
        }
        switch url.pathExtension.lowercased() {
        case "json":
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            do {
                return try decoder.decode([Decision].self, from: data)
            } catch {
                throw .unreadableDecisions(path: url.path, reason: String(describing: error))
            }
        case "csv":
            guard let text = String(data: data, encoding: .utf8) else {
                throw .unreadableDecisions(path: url.path, reason: "not UTF-8 text")
            }
            do {
                return try parseCSV(text)
            } catch {
                throw .unreadableDecisions(path: url.path, reason: error.reason)
            }
        default:
            throw .unreadableDecisions(path: url.path, reason: "expected decisions.json or decisions.csv (the service's exports)")
        }
    }

    struct CSVProblem: Error, Equatable { var reason: String }

    /// Parses decisions.csv. Criteria columns, score and previous values are read as written; the
    /// score is recomputed from the criteria (as the service does) and must agree with the file.
    static func parseCSV(_ text: String) throws(CSVProblem) -> [Decision] {
        let rows = CSV.parse(text).filter { !$0.isBlank }
        guard let first = rows.first else { throw CSVProblem(reason: "empty file") }
        let header = CSV.Header(first)
        if let missing = csvColumns.first(where: { header.index[$0] == nil }) {
            throw CSVProblem(reason: "line \(first.line): column \(missing) missing")
        }
        let iso = ISO8601DateFormatter()
        var out: [Decision] = []
        for row in rows.dropFirst() {
            func field(_ name: String) -> String {
                let i = header.index[name]!
                return i < row.fields.count ? unprotect(row.fields[i]) : ""
            }
            func problem(_ name: String) -> CSVProblem {
                CSVProblem(reason: "line \(row.line): \(name) \"\(field(name))\" is not valid")
            }
            guard let reading = Int(field("reading")) else { throw problem("reading") }
            guard let version = Int(field("version")) else { throw problem("version") }
            guard let date = iso.date(from: field("decided_at")) else { throw problem("decided_at") }
            guard let verdict = ReviewVerdict(rawValue: field("verdict")) else { throw problem("verdict") }
            var criteria: [String: CriterionAnswer] = [:]
            for c in ReviewCriteria.head where !field(c).isEmpty {
                guard let answer = CriterionAnswer(rawValue: field(c)) else { throw problem(c) }
                criteria[c] = answer
            }
            let previous = field("previous_verdict")
            guard previous.isEmpty || ReviewVerdict(rawValue: previous) != nil else { throw problem("previous_verdict") }
            let previousScore = field("previous_score")
            guard previousScore.isEmpty || Int(previousScore) != nil else { throw problem("previous_score") }
            let decision = Decision(batchID: field("batch_id"), scan: field("scan"), image: field("image"), reading: reading,
                                    version: version, reviewer: field("reviewer"), decidedAt: date, criteria: criteria,
                                    verdict: verdict, reasons: field("reasons").split(separator: " ").map(String.init),
                                    comment: field("comment"), previousVerdict: ReviewVerdict(rawValue: previous),
                                    previousScore: Int(previousScore))
            guard decision.score.map(String.init) ?? "" == field("score") else { throw problem("score") }
            out.append(decision)
        }
        return out
    }

    /// The service prefixes a text field starting with = + - @ with ' so a spreadsheet does not run
    /// it as a formula; the audit reads the text as the reviewer wrote it.
    static func unprotect(_ field: String) -> String {
        guard field.hasPrefix("'"), let next = field.dropFirst().first, "=+-@".contains(next) else { return field }
        return String(field.dropFirst())
    }
}
