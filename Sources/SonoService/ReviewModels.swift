import Crypto
import Foundation

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
public struct Decision: Sendable, Codable, Equatable {
    public var batchID: String
    public var scan: String
    public var image: String
    public var reading: Int
    public var version: Int
    public var reviewer: String
    public var decidedAt: Date
    public var criteria: [String: CriterionAnswer]
    public var score: Int?
    public var verdict: ReviewVerdict
    public var reasons: [String]
    public var comment: String
    public var previousVerdict: ReviewVerdict?
    public var previousScore: Int?

    public init(batchID: String, scan: String, image: String, reading: Int = 1, version: Int = 0, reviewer: String,
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

    public var isScanDecision: Bool { image.isEmpty }

    enum CodingKeys: String, CodingKey {
        case batchID = "batch_id", scan, image, reading, version, reviewer, decidedAt = "decided_at", criteria, score, verdict
        case reasons, comment, previousVerdict = "previous_verdict", previousScore = "previous_score"
    }
}

extension Array where Element == Decision {
    /// The latest version per (batch, scan, image, reading), in first-decided order.
    public func latest() -> [Decision] {
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

/// Deterministic selection of images: the same seed, share and key always give the same answer,
/// so the queue's sample of passed scans and the double-read set are stable across restarts and
/// shareable as links.
public enum ReviewSampling {
    /// A uniform number in [0, 1) from SHA-256 of the salted key.
    public static func unit(_ key: String, seed: UInt64, salt: String) -> Double {
        let digest = SHA256.hash(data: Data("\(salt)|\(seed)|\(key)".utf8))
        let word = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Double(word >> 11) / Double(UInt64(1) << 53)
    }

    public static func selected(_ key: String, share: Double, seed: UInt64, salt: String) -> Bool {
        share > 0 && unit(key, seed: seed, salt: salt) < share
    }
}

/// Cohen's kappa for two raters over paired categorical labels: (p_o − p_e) / (1 − p_e). Nil when
/// there is no pair or when chance agreement is 1 (both raters used one and the same label
/// throughout, so kappa is undefined).
public enum Agreement {
    public static func cohensKappa(_ pairs: [(String, String)]) -> Double? {
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

/// Sentences a sonographer reads about their own measurements: signed, in millimetres, with a
/// hint when the reported number looks like centimetres.
public enum MeasurementFeedback {
    public static func sentence(measure: String, reportedMM: Double, automaticMM: Double) -> String {
        let name = measure.uppercased()
        let difference = reportedMM - automaticMM
        let auto = String(format: "%.1f", automaticMM)
        var text: String
        if abs(difference) < 0.05 {
            text = "Your \(name) matches the automatic \(auto) mm."
        } else {
            let word = difference > 0 ? "larger" : "smaller"
            text = "Your \(name) is \(String(format: "%.1f", abs(difference))) mm \(word) than the automatic \(auto) mm."
        }
        if looksLikeCentimetres(reportedMM: reportedMM, automaticMM: automaticMM) {
            text += " It looks like centimetres: \(String(format: "%g", reportedMM)) cm would be "
                + "\(String(format: "%g", reportedMM * 10)) mm; please report millimetres."
        }
        return text
    }

    /// The reported value is about a tenth of the automatic one (within 20 %).
    public static func looksLikeCentimetres(reportedMM: Double, automaticMM: Double) -> Bool {
        guard reportedMM > 0, automaticMM > 0 else { return false }
        let ratio = reportedMM * 10 / automaticMM
        return ratio > 0.8 && ratio < 1.2
    }
}
