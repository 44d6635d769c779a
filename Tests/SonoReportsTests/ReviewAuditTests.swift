import Foundation
import SonoL10n
import SonoTestSupport
import Testing
@testable import SonoReports

/// The reviewers' side of `sonoqc audit`, on the committed decisions fixture
/// (Tests/SonoReportsTests/Fixtures/decisions, README there). Every expected figure below was
/// computed by hand from the fixture; the working is in the comments.
@Suite("Reviewers' decisions in the audit")
struct ReviewAuditTests {
    static let fixtures = Repository.path("Tests/SonoReportsTests/Fixtures/decisions")

    /// Operator A did s1 (a, b) and s2 (c, d) in unit U1; operator B did s3 (e) in U1 and s4 (f) in U2.
    static func records() -> [AuditRecord] {
        func record(_ scan: String, _ op: String, _ unit: String, _ files: [String], flagged: Set<String>) -> AuditRecord {
            AuditRecord(scanID: scan, unitID: unit, operatorID: op, examDate: nil, verdict: flagged.isEmpty ? .pass : .review,
                        firedRuleIDs: [], reportedZScores: [:],
                        images: files.map { ReviewedImage(key: ReviewedImage.scanKey(scan: scan, file: "in/" + $0), unitID: unit,
                                                          operatorID: op, flagged: flagged.contains($0)) },
                        reportPage: URL(fileURLWithPath: "/data/run/scans/\(scan)/report.html"))
        }
        return [record("s1", "A", "U1", ["a.png", "b.png"], flagged: ["b.png"]), record("s2", "A", "U1", ["c.png", "d.png"], flagged: []),
                record("s3", "B", "U1", ["e.png"], flagged: ["e.png"]), record("s4", "B", "U2", ["f.png"], flagged: [])]
    }

    @Test("decisions.csv and decisions.json read to the same decisions")
    func bothFormats() throws {
        let csv = try DecisionsFile.read(Self.fixtures.appendingPathComponent("decisions.csv"))
        let json = try DecisionsFile.read(Self.fixtures.appendingPathComponent("decisions.json"))
        #expect(csv.count == 13)
        #expect(csv == json)
        let revised = try #require(csv.first { $0.image == "b.png" && $0.version == 2 })
        #expect(revised.previousVerdict == .accept && revised.previousScore == 3 && revised.score == 1)
        #expect(revised.reasons == ["wrong-plane", "calipers"])
        #expect(revised.comment == "Thalami not in plane, \"calipers\" on the skin")
        // The service's spreadsheet guard (a leading ' before -) is undone.
        #expect(csv.first { $0.image == "d.png" }?.comment == "-not a formula")
    }

    @Test("a malformed decisions.csv names the line and the field")
    func malformedCSV() throws {
        let header = DecisionsFile.csvColumns.joined(separator: ",")
        let bad = header + "\nb1,s1,a.png,1,1,r1,2026-03-01T10:00:00Z,maybe,,,,,,,,,,,\n"
        #expect(throws: DecisionsFile.CSVProblem(reason: "line 2: verdict \"maybe\" is not valid")) { try DecisionsFile.parseCSV(bad) }
        let wrongScore = header + "\nb1,s1,a.png,1,1,r1,2026-03-01T10:00:00Z,accept,5,,,,,,yes,,,,\n"
        #expect(throws: DecisionsFile.CSVProblem(reason: "line 2: score \"5\" is not valid")) { try DecisionsFile.parseCSV(wrongScore) }
        #expect(throws: DecisionsFile.CSVProblem(reason: "line 1: column symmetric-plane missing")) {
            try DecisionsFile.parseCSV("batch_id,scan,image,reading,version,reviewer,decided_at,verdict,score,reasons,comment,previous_verdict,previous_score\n")
        }
    }

    @Test("rejection rate, mean score, failed criteria and kappa match the hand computation")
    func figures() throws {
        let decisions = try DecisionsFile.read(Self.fixtures.appendingPathComponent("decisions.csv"))
        let audit = ReviewAudit(records: Self.records(), decisions: decisions)
        // Verdict pairs (first, second reading) on a, b (latest version: reject), c, e:
        // (accept, accept), (reject, reject), (accept, reject), (accept-remark, accept).
        // p_o = 2/4; first: accept 2, reject 1, remark 1; second: accept 2, reject 2;
        // p_e = 2/4·2/4 + 1/4·2/4 + 1/4·0 = 0.375; κ = (0.5 − 0.375) / 0.625 = 0.2.
        #expect(audit.pairCount == 4)
        #expect(abs(try #require(audit.verdictKappa) - 0.2) < 1e-12)
        // Thalami: (yes,yes) (no,no) (yes,no) (yes,yes): p_o = 0.75, p_e = 0.75·0.5 + 0.25·0.5 = 0.5, κ = 0.5.
        #expect(abs(try #require(audit.criterionKappa["thalami-visible"] ?? nil) - 0.5) < 1e-12)
        // Calipers: (yes,yes) (no,yes) (yes,yes) (na,na): p_o = 0.75, p_e = 0.5·0.75 + 0.25·0 + 0.25·0.25
        // = 0.4375, κ = 0.3125 / 0.5625 = 5/9.
        #expect(abs(try #require(audit.criterionKappa["calipers-placed"] ?? nil) - 5.0 / 9) < 1e-12)
        // CSP: "yes" from both readers throughout, chance agreement 1: undefined. Symmetry: no pair.
        #expect(audit.criterionKappa["csp-visible"] == .some(nil))
        #expect(audit.criterionKappa["symmetric-plane"] == .some(nil))
        // s9/z.png is in no report; the scan decision on s1 is not an image decision.
        #expect(audit.unmatched == 1)

        let a = try #require(audit.byOperator.first { $0.name == "A" })
        // a 4, b 1 (version 2), c 3, d 0 → mean 2.0; b and d rejected → 2 of 4.
        #expect(a.images == 4 && a.automaticFlagged == 1 && a.decided == 4 && a.rejected == 2)
        #expect(a.meanScore == 2.0 && a.rejectRate == 0.5)
        // "no": thalami b, d; calipers b; CSP d; symmetry d → thalami first, then ties by name.
        #expect(a.topFailed == ["thalami-visible", "calipers-placed", "csp-visible"])
        // Pairs a, b, c: p_o = 2/3, p_e = 2/3·1/3 + 1/3·2/3 = 4/9, κ = (2/9) / (5/9) = 0.4.
        #expect(a.pairs == 3)
        #expect(abs(try #require(a.kappa) - 0.4) < 1e-12)
        let b = try #require(audit.byOperator.first { $0.name == "B" })
        // e 2 (remark), f 3 → mean 2.5, nothing rejected; one pair that disagrees with p_e = 0: κ = 0.
        #expect(b.decided == 2 && b.rejected == 0 && b.meanScore == 2.5 && b.topFailed == ["head-fills-30pct"])
        #expect(b.kappa == 0)
        let u1 = try #require(audit.byUnit.first { $0.name == "U1" })
        // a, b, c, d, e: scores 4 1 3 0 2 → 2.0; 2 of 5 rejected; its pairs are all four → κ 0.2.
        #expect(u1.decided == 5 && u1.rejected == 2 && u1.meanScore == 2.0 && abs((u1.kappa ?? 9) - 0.2) < 1e-12)
        let u2 = try #require(audit.byUnit.first { $0.name == "U2" })
        #expect(u2.decided == 1 && u2.meanScore == 3.0 && u2.kappa == nil)
    }

    @Test("the audit page shows the decisions and links each operator to their scans, in both languages")
    func page() throws {
        let decisions = try DecisionsFile.read(Self.fixtures.appendingPathComponent("decisions.json"))
        let records = Self.records()
        let review = ReviewSection(audit: ReviewAudit(records: records, decisions: decisions), source: "decisions.json",
                                   decisionCount: decisions.latest().filter { !$0.isScanDecision }.count)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("review-audit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        for language in Language.allCases {
            let url = try AuditReport.write(AuditAnalysis(records: records), sources: ["run"], to: out.appendingPathComponent(language.rawValue),
                                            language: language, review: review, records: records)
            let html = try String(contentsOf: url, encoding: .utf8)
            let L = Localizer(language)
            #expect(html.contains(Markup.escape(L.text("audit.review.heading"))))
            #expect(html.contains(Markup.escape(L.text("audit.criterion.thalami-visible"))))
            // Operator A's row: 4 images, 1 flagged, 4 decided, 50.0 % rejected, mean 2.0, κ 0.40 over 3 pairs.
            #expect(html.contains("<a href=\"#scans-A\">A</a></th><td class=\"num\">4</td><td class=\"num\">1</td><td class=\"num\">4</td><td class=\"num\">50.0\u{00A0}%</td><td class=\"num\">2.0</td>"))
            #expect(html.contains("<td class=\"num\">0.40</td><td class=\"num\">3</td>"))
            // Kappa table: the verdict 0.20, calipers 0.56, CSP undefined.
            #expect(html.contains("\(Markup.escape(L.text("audit.review.verdict")))</th><td class=\"num\">0.20</td>"))
            #expect(html.contains("\(Markup.escape(L.text("audit.criterion.calipers-placed")))</th><td class=\"num\">0.56</td>"))
            #expect(html.contains("\(Markup.escape(L.text("audit.criterion.csp-visible")))</th><td class=\"num\">–</td>"))
            // Links from the audit folder (/tmp/…/en) to /data/run/scans/s1/report.html are relative.
            let up = String(repeating: "../", count: out.appendingPathComponent(language.rawValue).standardizedFileURL.pathComponents.count - 1)
            #expect(html.contains("<details id=\"scans-A\">"))
            #expect(html.contains("<a href=\"\(up)data/run/scans/s1/report.html\">s1</a>"))
        }
    }

    @Test("relative links between sibling folders")
    func relativePath() {
        let link = AuditReport.relativePath(of: URL(fileURLWithPath: "/w/reports/scans/a b/report.html"),
                                            from: URL(fileURLWithPath: "/w/audit"))
        #expect(link == "../reports/scans/a%20b/report.html")
    }
}
