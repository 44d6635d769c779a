import SonoL10n

/// The stable identifier of every QC rule. Ids never change meaning; a changed rule gets a new id.
/// docs/qc-rules.md is the catalogue (formula, threshold, source) and a test keeps the two in step.
package enum RuleID: String, Sendable, Codable, Hashable, CaseIterable, Comparable {
    // Manifest and calibration
    case manifestImageMissing = "MAN-001"
    case manifestImageUnlisted = "MAN-002"
    case imageUndecodable = "MAN-003"
    case calibration = "CAL-001"
    // Image quality
    case fieldOfView = "IQ-001"
    case gainLow = "IQ-002"
    case gainHigh = "IQ-003"
    case contrast = "IQ-004"
    case sharpness = "IQ-005"
    case speckleSNR = "IQ-006"
    case skullBrainGCNR = "IQ-007"
    case overlays = "IQ-008"
    // Duplicates
    case duplicateWithinScan = "DUP-001"
    case duplicateAcrossScans = "DUP-002"
    // Head plane
    case headPresent = "HP-001"
    case headMagnification = "HP-002"
    case headComplete = "HP-003"
    case ringSymmetry = "HP-004"
    case midline = "HP-005"
    case landmarksNeedReviewer = "HP-006"
    case planeScore = "HP-007"
    // Measurements
    case hcAutomaticVsReported = "MS-001"
    case bpdAutomaticVsReported = "MS-002"
    case ofdAutomaticVsReported = "MS-003"
    case hcDiameterConsistency = "MS-004"
    case cephalicIndex = "MS-005"
    case zScoreHC = "MS-006"
    case zScoreBPD = "MS-007"
    case zScoreOFD = "MS-008"
    case zScoreAC = "MS-009"
    case zScoreFL = "MS-010"
    case gestationalAgeFromHC = "MS-011"

    /// The rule's short English title; every language's title is the catalogue entry
    /// `rule.<id>` (Sources/SonoL10n/Resources), so the title is written in one place.
    package var title: String { Localizer.en.text(titleKey) }

    /// Catalogue key of the rule's title.
    package var titleKey: String { "rule." + rawValue }

    /// The plane criteria judged from pixels and their score (HP-002…HP-005, HP-007): what a head
    /// plane is checked for once a head is found. HP-001 (no credible head) and HP-006 (the
    /// reviewer's checklist, never a review reason) are not among them.
    package static let planeCriteria: [RuleID] = [.headMagnification, .headComplete, .ringSymmetry, .midline, .planeScore]

    package static func < (lhs: RuleID, rhs: RuleID) -> Bool {
        // Catalogue order, so reports list findings the way the documentation does.
        let all = RuleID.allCases
        return all.firstIndex(of: lhs)! < all.firstIndex(of: rhs)!
    }
}
