import Crypto
import Foundation
package import SonoL10n

/// Deterministic selection of images: the same seed, share and key always give the same answer,
/// so the queue's sample of passed scans and the double-read set are stable across restarts and
/// shareable as links.
package enum ReviewSampling {
    /// A uniform number in [0, 1) from SHA-256 of the salted key.
    package static func unit(_ key: String, seed: UInt64, salt: String) -> Double {
        let digest = SHA256.hash(data: Data("\(salt)|\(seed)|\(key)".utf8))
        let word = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Double(word >> 11) / Double(UInt64(1) << 53)
    }

    package static func selected(_ key: String, share: Double, seed: UInt64, salt: String) -> Bool {
        share > 0 && unit(key, seed: seed, salt: salt) < share
    }
}

/// Sentences a sonographer reads about their own measurements: signed, in millimetres, with a
/// hint when the reported number looks like centimetres. Catalogue messages, so each page says
/// them in its reader's language.
package enum MeasurementFeedback {
    package static func message(measure: String, reportedMM: Double, automaticMM: Double) -> Message {
        let difference = reportedMM - automaticMM
        let key = abs(difference) < 0.05 ? "feedback.matches" : difference > 0 ? "feedback.larger" : "feedback.smaller"
        let sentence = Message(key, ["measure": .text(measure), "diff_mm": .number(abs(difference)), "automatic_mm": .number(automaticMM)])
        guard looksLikeCentimetres(reportedMM: reportedMM, automaticMM: automaticMM) else { return sentence }
        return Message("feedback.with_cm_hint", ["sentence": .text(sentence.key), "measure": .text(measure),
                                                 "diff_mm": .number(abs(difference)), "automatic_mm": .number(automaticMM),
                                                 "reported_cm": .number(reportedMM), "as_mm": .number(reportedMM * 10)])
    }

    /// The reported value is about a tenth of the automatic one (within 20 %).
    package static func looksLikeCentimetres(reportedMM: Double, automaticMM: Double) -> Bool {
        guard reportedMM > 0, automaticMM > 0 else { return false }
        let ratio = reportedMM * 10 / automaticMM
        return ratio > 0.8 && ratio < 1.2
    }
}
