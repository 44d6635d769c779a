package import Foundation
package import SonoBiometry
package import SonoL10n
package import SonoCore

/// The overall outcome of one scan as the audit counts it.
package enum AuditVerdict: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case pass, review, fail

    package static func < (l: AuditVerdict, r: AuditVerdict) -> Bool {
        allCases.firstIndex(of: l)! < allCases.firstIndex(of: r)!
    }
}

/// One scan as the audit sees it: who did it, where, when, what the QC engine said, and the
/// z-scores of the sonographer's *reported* measurements (one per measure; a scan with the same
/// measure on several images contributes their mean, so busy scans do not weigh more).
package struct AuditRecord: Sendable, Hashable {
    package var scanID: String
    package var unitID: String?
    package var operatorID: String?
    /// ISO 8601 date ("2026-03-14"); orders the CUSUM. Scans without a date go last, by id.
    package var examDate: String?
    package var verdict: AuditVerdict
    /// Rules that fired on this scan at warning or fail severity.
    package var firedRuleIDs: Set<String>
    package var reportedZScores: [BiometricMeasure: Double]
    /// The scan's images as the reviewers' audit matches decisions to them (``ReviewedImage/scanKey(scan:file:)``).
    package var images: [ReviewedImage]
    /// The scan's `report.html`, when the record was read from a report folder (the audit page links it).
    package var reportPage: URL?

    package init(scanID: String, unitID: String?, operatorID: String?, examDate: String?, verdict: AuditVerdict,
                firedRuleIDs: Set<String>, reportedZScores: [BiometricMeasure: Double], images: [ReviewedImage] = [],
                reportPage: URL? = nil) {
        self.scanID = scanID; self.unitID = unitID; self.operatorID = operatorID; self.examDate = examDate
        self.verdict = verdict; self.firedRuleIDs = firedRuleIDs; self.reportedZScores = reportedZScores
        self.images = images; self.reportPage = reportPage
    }
}

/// Thresholds of the operator/unit audit, with the reasoning behind each default.
///
/// - `minimumScans` 30: the standard error of a mean z over n scans is 1/√n; at n = 30 it is
///   0.18, so a mean of 0.5 is ≈ 2.7 SE from zero. Below that the audit says "too few scans"
///   instead of flagging or clearing anyone.
/// - `biasMeanZ` 0.5: a systematic shift of half a standard deviation moves the share of fetuses
///   classified below the 10th (or above the 90th) centile from 10 % to about 20 % (Φ(−1.28 + 0.5)),
///   which doubles false small-/large-for-dates referrals.
/// - `narrowSD` 0.6 and `wideSD` 1.5: for normal data the SD of z should be ≈ 1; at n = 30 its
///   standard error is ≈ 0.13, so 0.6 and 1.5 are ≈ 3 SE and ≈ 4 SE away. An SD well below 1 is
///   the classic sign of calipers drifting towards the value expected for the dates; well above
///   1, of careless or inconsistent caliper placement.
/// - CUSUM `k` 0.25 and `h` 5: the tabular CUSUM (Page 1954) tuned to a 0.5 SD shift (k is half
///   the shift); it is drawn so a reviewer sees *when* a bias began, and marks the first scan
///   where it crosses h, but it is informational — the bias flag is the mean-z rule.
package struct AuditThresholds: Sendable, Hashable, Codable {
    package var minimumScans: Int = 30
    package var biasMeanZ: Double = 0.5
    package var narrowSD: Double = 0.6
    package var wideSD: Double = 1.5
    package var cusumK: Double = 0.25
    package var cusumH: Double = 5

    package init() {}
}

/// One point of the two-sided tabular CUSUM of z-scores.
package struct CUSUMPoint: Sendable, Hashable {
    package var scanID: String
    package var examDate: String?
    package var z: Double
    /// S⁺ₜ = max(0, S⁺ₜ₋₁ + zₜ − k): accumulates evidence that values run high.
    package var upper: Double
    /// S⁻ₜ = max(0, S⁻ₜ₋₁ − zₜ − k): accumulates evidence that values run low.
    package var lower: Double
}

/// What the audit concludes about one measure in one group.
package enum AuditFlag: Sendable, Hashable {
    case tooFewScans(count: Int, required: Int)
    case biasHigh(meanZ: Double)
    case biasLow(meanZ: Double)
    case spreadTooNarrow(sdZ: Double)
    case spreadTooWide(sdZ: Double)

    /// True for conclusions that need a reviewer's attention (not "too few scans").
    package var isConcern: Bool {
        if case .tooFewScans = self { return false }
        return true
    }

    package var code: String {
        switch self {
        case .tooFewScans: return "too-few-scans"
        case .biasHigh: return "bias-high"
        case .biasLow: return "bias-low"
        case .spreadTooNarrow: return "sd-too-narrow"
        case .spreadTooWide: return "sd-too-wide"
        }
    }

    /// The conclusion in words of `L`'s language, with the thresholds it was judged against.
    package func explanation(_ t: AuditThresholds, _ L: Localizer = .en) -> String {
        switch self {
        case let .tooFewScans(count, required):
            return L.text("audit.flag.too_few_scans", ["count": .number(Double(count)), "required": .number(Double(required))])
        case let .biasHigh(meanZ):
            return L.text("audit.flag.bias_high", ["mean_z": .text(TextFormat.signed(meanZ, 2)), "limit": .text(TextFormat.fixed(t.biasMeanZ, 2))])
        case let .biasLow(meanZ):
            return L.text("audit.flag.bias_low", ["mean_z": .text(TextFormat.signed(meanZ, 2)), "limit": .text(TextFormat.fixed(t.biasMeanZ, 2))])
        case let .spreadTooNarrow(sd):
            return L.text("audit.flag.sd_too_narrow", ["sd": .text(TextFormat.fixed(sd, 2)), "limit": .text(TextFormat.fixed(t.narrowSD, 2))])
        case let .spreadTooWide(sd):
            return L.text("audit.flag.sd_too_wide", ["sd": .text(TextFormat.fixed(sd, 2)), "limit": .text(TextFormat.fixed(t.wideSD, 2))])
        }
    }
}

/// Statistics of the reported z-scores of one measure within one group.
package struct MeasureAudit: Sendable, Hashable {
    package var measure: BiometricMeasure
    package var count: Int
    package var meanZ: Double?
    /// Sample SD (n − 1); nil below two values.
    package var sdZ: Double?
    package var flags: [AuditFlag]
    package var cusum: [CUSUMPoint]
    /// Index into `cusum` of the first point where S⁺ or S⁻ exceeds h, if any.
    package var cusumSignalIndex: Int?
}

/// Aggregates for one unit or one operator.
package struct AuditGroup: Sendable, Hashable {
    package enum Kind: String, Sendable, Hashable, CaseIterable { case unit, `operator` }

    package var kind: Kind
    package var id: String
    package var scanCount: Int
    package var verdictCounts: [AuditVerdict: Int]
    /// Number of scans on which each rule fired.
    package var ruleHits: [String: Int]
    package var measures: [MeasureAudit]

    package func verdictRate(_ v: AuditVerdict) -> Double {
        scanCount == 0 ? 0 : Double(verdictCounts[v, default: 0]) / Double(scanCount)
    }

    package var hasConcern: Bool { measures.contains { $0.flags.contains(where: \.isConcern) } }
}

/// The whole audit: pure function of the records and thresholds (no I/O), so it is tested on
/// synthetic z-score series.
package struct AuditAnalysis: Sendable {
    package var thresholds: AuditThresholds
    package var groups: [AuditGroup]
    package var scanCount: Int
    /// All rule ids seen, sorted.
    package var ruleIDs: [String]

    /// Label used for scans without a unit or operator in their manifest.
    package static let unknownID = "(not stated)"

    package init(records: [AuditRecord], thresholds: AuditThresholds = AuditThresholds()) {
        self.thresholds = thresholds
        scanCount = records.count
        ruleIDs = Set(records.flatMap(\.firedRuleIDs)).sorted()
        let ordered = records.sorted(by: Self.chronological)
        var groups: [AuditGroup] = []
        for kind in AuditGroup.Kind.allCases {
            var members: [String: [AuditRecord]] = [:]
            for record in ordered {
                let id = (kind == .unit ? record.unitID : record.operatorID) ?? Self.unknownID
                members[id, default: []].append(record)
            }
            for id in members.keys.sorted() {
                groups.append(Self.group(kind: kind, id: id, records: members[id]!, thresholds: thresholds))
            }
        }
        self.groups = groups
    }

    static func chronological(_ a: AuditRecord, _ b: AuditRecord) -> Bool {
        switch (a.examDate, b.examDate) {
        case let (x?, y?) where x != y: return x < y
        case (_?, nil): return true
        case (nil, _?): return false
        default: return a.scanID < b.scanID
        }
    }

    static func group(kind: AuditGroup.Kind, id: String, records: [AuditRecord],
                      thresholds t: AuditThresholds) -> AuditGroup {
        var verdicts: [AuditVerdict: Int] = [:]
        var rules: [String: Int] = [:]
        for r in records {
            verdicts[r.verdict, default: 0] += 1
            for rule in r.firedRuleIDs { rules[rule, default: 0] += 1 }
        }
        let measures = BiometricMeasure.allCases.compactMap { measure -> MeasureAudit? in
            let series = records.compactMap { r -> (AuditRecord, Double)? in
                guard let z = r.reportedZScores[measure], z.isFinite else { return nil }
                return (r, z)
            }
            guard !series.isEmpty else { return nil }
            return measureAudit(measure, series: series, thresholds: t)
        }
        return AuditGroup(kind: kind, id: id, scanCount: records.count, verdictCounts: verdicts,
                          ruleHits: rules, measures: measures)
    }

    /// Statistics, flags and CUSUM of one chronological z series.
    package static func measureAudit(_ measure: BiometricMeasure, series: [(AuditRecord, Double)],
                                    thresholds t: AuditThresholds) -> MeasureAudit {
        let zs = series.map(\.1)
        let n = zs.count
        let mean = zs.reduce(0, +) / Double(n)
        let sd: Double? = n > 1
            ? (zs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)).squareRoot() : nil
        var flags: [AuditFlag] = []
        if n < t.minimumScans {
            flags.append(.tooFewScans(count: n, required: t.minimumScans))
        } else {
            if mean > t.biasMeanZ { flags.append(.biasHigh(meanZ: mean)) }
            if mean < -t.biasMeanZ { flags.append(.biasLow(meanZ: mean)) }
            if let sd, sd < t.narrowSD { flags.append(.spreadTooNarrow(sdZ: sd)) }
            if let sd, sd > t.wideSD { flags.append(.spreadTooWide(sdZ: sd)) }
        }
        var upper = 0.0, lower = 0.0
        var cusum: [CUSUMPoint] = []
        var signal: Int?
        for (index, (record, z)) in series.enumerated() {
            upper = max(0, upper + z - t.cusumK)
            lower = max(0, lower - z - t.cusumK)
            cusum.append(CUSUMPoint(scanID: record.scanID, examDate: record.examDate, z: z, upper: upper, lower: lower))
            if signal == nil, upper > t.cusumH || lower > t.cusumH { signal = index }
        }
        return MeasureAudit(measure: measure, count: n, meanZ: mean, sdZ: sd, flags: flags, cusum: cusum,
                            cusumSignalIndex: signal)
    }
}

extension AuditRecord {
    /// A record from a manifest scan entry: the reported values are scored against
    /// INTERGROWTH-21st at the scan's gestational age (stated, else from LMP and exam date).
    /// Measures outside the chart's 14–40 week range, or without a usable age, are left out
    /// rather than extrapolated.
    package init(scan: ScanEntry, verdict: AuditVerdict, firedRuleIDs: Set<String>) {
        self.init(scanID: scan.scanID, unitID: scan.unitID, operatorID: scan.operatorID, examDate: scan.examDate,
                  verdict: verdict, firedRuleIDs: firedRuleIDs,
                  reportedZScores: Self.reportedZScores(scan))
    }

    /// Mean z per measure over the scan's images.
    package static func reportedZScores(_ scan: ScanEntry) -> [BiometricMeasure: Double] {
        let age: GestationalAge?
        if let text = scan.gestationalAge {
            age = try? GestationalAge(parsing: text)
        } else if let lmp = scan.lmpDate, let exam = scan.examDate {
            age = try? GestationalAge(lastMenstrualPeriod: lmp, examDate: exam)
        } else {
            age = nil
        }
        guard let gaWeeks = age?.exactWeeks else { return [:] }
        var sums: [BiometricMeasure: (Double, Int)] = [:]
        for image in scan.images {
            let r = image.reported
            let values: [(BiometricMeasure, Double?)] = [(.hc, r.hcMM), (.bpd, r.bpdMM), (.ofd, r.ofdMM), (.ac, r.acMM), (.fl, r.flMM)]
            for (measure, value) in values {
                guard let value, let z = try? Intergrowth21st.zScore(measure, valueMM: value, gaWeeks: gaWeeks) else { continue }
                let s = sums[measure, default: (0, 0)]
                sums[measure] = (s.0 + z, s.1 + 1)
            }
        }
        return sums.mapValues { $0.0 / Double($0.1) }
    }
}
