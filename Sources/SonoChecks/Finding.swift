import SonoCore
package import SonoL10n

/// How serious a finding is when its rule fires.
package enum Severity: String, Sendable, Codable, Hashable, CaseIterable, Comparable {
    case info, warning, fail

    private var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .fail: 2
        }
    }

    package static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// What a rule concluded.
///
/// `needsReview` and `notCheckable` exist so that nothing is silently passed or failed: a frame
/// without a credible head, or a length without a trustworthy scale, is routed to a person.
package enum Outcome: String, Sendable, Codable, Hashable, CaseIterable {
    /// The rule ran and the value is within its threshold.
    case passed
    /// The rule ran and the value is beyond its threshold (see the finding's severity).
    case flagged
    /// The rule could not decide automatically; a reviewer must look.
    case needsReview = "needs-review"
    /// The rule lacks an input (scale, reported value, gestational age) and was not evaluated.
    case notCheckable = "not-checkable"
}

/// One rule's result on one image (or on the scan when `file` is nil).
///
/// Every finding carries its stable rule id (see docs/qc-rules.md), the measured value with its
/// unit, the threshold as applied, and a one-line explanation a sonographer can act on.
/// Explanation, unit and threshold are catalogue ``Message``s (key + numbers), so pages render
/// them in the reader's language; the English text is kept beside them in the JSON for the tools
/// that already read `explanation`, `unit` and `threshold`.
package struct Finding: Sendable, Codable, Hashable {
    package var rule: RuleID
    package var outcome: Outcome
    /// The rule's severity when flagged; `info` for passed and not-checkable findings (a missing input is
    /// reported by its own rule, e.g. CAL-001), `warning` for needs-review.
    package var severity: Severity
    /// The image the finding concerns, relative to the batch; nil for scan-level findings.
    package var file: String?
    package var measured: Double?
    /// English rendering of `unitMessage`.
    package var unit: String?
    /// The threshold as a human-readable comparison, e.g. `"<= 8.5 mm"` (English rendering of `thresholdMessage`).
    package var threshold: String?
    /// English rendering of `message`.
    package var explanation: String
    /// Catalogue keys and arguments of the explanation, unit and threshold. Optional only so that
    /// reports written before they existed still decode; the engine always sets them.
    package var message: Message?
    package var unitMessage: Message?
    package var thresholdMessage: Message?

    package init(rule: RuleID, outcome: Outcome, severity: Severity, file: String? = nil, measured: Double? = nil,
                unit: Message? = nil, threshold: Message? = nil, message: Message) {
        let english = Localizer.en
        // Arguments are rounded like every number in a report, so a page rendered from this value
        // and one rendered from the decoded JSON read the same.
        let round = { (m: Message) in Message(m.key, m.args.mapValues { arg in
            if case let .number(v) = arg { return .number(JSONNumber.rounded(v)) }
            return arg
        }) }
        self.rule = rule
        self.outcome = outcome
        self.severity = severity
        self.file = file
        self.measured = measured.map(JSONNumber.rounded)
        let explained = round(message)
        self.message = explained
        self.unitMessage = unit.map(round)
        self.thresholdMessage = threshold.map(round)
        self.unit = unitMessage.map(english.text)
        self.threshold = thresholdMessage.map(english.text)
        self.explanation = english.text(explained)
    }

    /// True when the finding should move the verdict away from pass.
    package var isActionable: Bool {
        switch outcome {
        case .passed, .notCheckable: false
        case .needsReview: true
        case .flagged: severity >= .warning
        }
    }
}
