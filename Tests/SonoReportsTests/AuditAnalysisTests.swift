import Foundation
import Testing
import SonoBiometry
import SonoCore
@testable import SonoReports

@Suite("Operator and unit audit")
struct AuditAnalysisTests {
    /// `count` scans by `op` whose reported HC and BPD z-scores are N(bias, spread²).
    static func records(op: String, unit: String, count: Int, bias: Double, spread: Double = 1,
                        seed: UInt64) -> [AuditRecord] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { i in
            let day = 1 + i % 28, month = 1 + i / 28
            let date = "2026-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
            return AuditRecord(scanID: "\(op)-\(i)", unitID: unit, operatorID: op, examDate: date,
                               verdict: i % 5 == 0 ? .review : .pass,
                               firedRuleIDs: i % 5 == 0 ? ["measure.hc.discrepancy"] : [],
                               reportedZScores: [.hc: bias + spread * rng.normal(), .bpd: bias + spread * rng.normal()])
        }
    }

    func group(_ audit: AuditAnalysis, _ kind: AuditGroup.Kind, _ id: String) throws -> AuditGroup {
        try #require(audit.groups.first { $0.kind == kind && $0.id == id })
    }

    @Test("an operator measuring 0.8 SD high is flagged, unbiased colleagues are not")
    func biasedOperatorIsFlagged() throws {
        let records = Self.records(op: "op-fair-1", unit: "U1", count: 40, bias: 0, seed: 11)
            + Self.records(op: "op-fair-2", unit: "U1", count: 45, bias: 0, seed: 12)
            + Self.records(op: "op-high", unit: "U2", count: 40, bias: 0.8, seed: 13)
        let audit = AuditAnalysis(records: records)
        let high = try group(audit, .operator, "op-high")
        #expect(high.hasConcern)
        #expect(high.measures.first { $0.measure == .hc }?.flags.contains { if case .biasHigh = $0 { true } else { false } } == true)
        #expect(high.measures.allSatisfy { $0.cusumSignalIndex != nil }, "CUSUM should signal a 0.8 SD drift")
        for fair in ["op-fair-1", "op-fair-2"] {
            let g = try group(audit, .operator, fair)
            #expect(!g.hasConcern, "\(fair): \(g.measures.map(\.flags))")
            #expect(g.measures.allSatisfy { abs($0.meanZ!) < 0.35 && abs($0.sdZ! - 1) < 0.35 })
        }
        #expect(try group(audit, .unit, "U2").hasConcern)
        #expect(try !group(audit, .unit, "U1").hasConcern)
    }

    @Test("a low bias is flagged as running low")
    func lowBiasIsFlagged() throws {
        let audit = AuditAnalysis(records: Self.records(op: "op-low", unit: "U", count: 35, bias: -0.9, seed: 5))
        let flags = try group(audit, .operator, "op-low").measures.flatMap(\.flags)
        #expect(flags.contains { if case .biasLow = $0 { true } else { false } })
    }

    @Test("fewer than 30 scans says too few scans instead of flagging a bias")
    func tooFewScansIsReported() throws {
        let audit = AuditAnalysis(records: Self.records(op: "op-new", unit: "U", count: 12, bias: 1.5, seed: 7))
        let g = try group(audit, .operator, "op-new")
        #expect(!g.hasConcern)
        for m in g.measures {
            #expect(m.flags == [.tooFewScans(count: 12, required: 30)])
        }
        #expect(AuditReport.html(audit, sources: ["x"]).contains("too few scans (12 of 30 needed)"))
    }

    @Test("a spread of z much narrower than 1 is flagged as calipers drifting to the expected value")
    func narrowSpreadIsFlagged() throws {
        let audit = AuditAnalysis(records: Self.records(op: "op-drift", unit: "U", count: 40, bias: 0, spread: 0.35, seed: 3)
            + Self.records(op: "op-wild", unit: "U", count: 40, bias: 0, spread: 2.2, seed: 4))
        let drift = try group(audit, .operator, "op-drift").measures.flatMap(\.flags)
        #expect(drift.contains { if case .spreadTooNarrow = $0 { true } else { false } })
        #expect(!drift.contains { if case .biasHigh = $0 { true } else if case .biasLow = $0 { true } else { false } })
        let wild = try group(audit, .operator, "op-wild").measures.flatMap(\.flags)
        #expect(wild.contains { if case .spreadTooWide = $0 { true } else { false } })
    }

    @Test("the CUSUM follows Page's recursion in exam-date order")
    func cusumRecursion() {
        let zs = [0.5, 1.0, -2.0, 0.25, 3.0]
        let records = zs.enumerated().map { i, z in
            AuditRecord(scanID: "s\(i)", unitID: "U", operatorID: "O", examDate: "2026-01-0\(5 - i)", verdict: .pass,
                        firedRuleIDs: [], reportedZScores: [.hc: z])
        }
        let m = AuditAnalysis(records: records).groups[0].measures[0]
        // Dates run backwards, so the series is in reverse input order.
        #expect(m.cusum.map(\.scanID) == ["s4", "s3", "s2", "s1", "s0"])
        let expectedUpper = [2.75, 2.75, 0.5, 1.25, 1.5]
        let expectedLower = [0.0, 0.0, 1.75, 0.5, 0.0]
        for (p, (u, l)) in zip(m.cusum, zip(expectedUpper, expectedLower)) {
            #expect(abs(p.upper - u) < 1e-12 && abs(p.lower - l) < 1e-12)
        }
    }

    @Test("verdict and rule hit rates are counted per scan, and the CSV carries them")
    func ratesAndCSV() throws {
        let audit = AuditAnalysis(records: Self.records(op: "op", unit: "U", count: 10, bias: 0, seed: 9))
        let g = try group(audit, .operator, "op")
        #expect(g.verdictCounts[.review] == 2 && g.verdictCounts[.pass] == 8)
        #expect(g.ruleHits["measure.hc.discrepancy"] == 2)
        let csv = AuditReport.csv(audit)
        #expect(csv.hasPrefix("group_kind,group_id,scans,pass_rate,review_rate,fail_rate,item_kind,item,count,rate,mean_z,sd_z,flags\n"))
        #expect(csv.contains("operator,op,10,0.8000,0.2000,0.0000,rule,measure.hc.discrepancy,2,0.2000,,,\n"))
        #expect(csv.contains("operator,op,10,0.8000,0.2000,0.0000,measure,HC,10,,"))
        #expect(csv.contains(",too-few-scans\n"))
        #expect(csv == AuditReport.csv(AuditAnalysis(records: Self.records(op: "op", unit: "U", count: 10, bias: 0, seed: 9).reversed())))
    }

    @Test("the audit page and CSV are written and structurally valid")
    func auditPageIsValid() throws {
        let records = Self.records(op: "op-fair", unit: "U1", count: 40, bias: 0, seed: 21)
            + Self.records(op: "op-high", unit: "U1", count: 40, bias: 0.7, seed: 22)
        let dir = Synthetic.temporaryDirectory("audit")
        let url = try AuditReport.write(AuditAnalysis(records: records), sources: ["reports/a"], to: dir)
        let html = try String(contentsOf: url, encoding: .utf8)
        let check = HTMLStructure(html, baseDirectory: dir)
        #expect(check.problems.isEmpty, "\(check.problems)")
        #expect(html.contains("<strong>operator op-high</strong>, HC: reported values run high"))
        #expect(!html.contains("<strong>operator op-fair</strong>"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("audit.csv").path))
        #expect(check.elements.filter { $0.name == "svg" }.count == 3, "one CUSUM chart per unit and operator")
    }
}

@Suite("Audit on the simulated operator-audit batch")
struct SimulatedAuditBatchTests {
    static let manifest = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples/operator-audit/manifest.json")

    @Test("the operator the simulator biased 4 % short is flagged low; the unbiased and the noisy one are not",
          .enabled(if: FileManager.default.fileExists(atPath: manifest.path)))
    func simulatedBiasIsFlagged() throws {
        let decoded = try JSONDecoder().decode(BatchManifest.self, from: Data(contentsOf: Self.manifest))
        let records = decoded.scans.map { AuditRecord(scan: $0, verdict: .pass, firedRuleIDs: []) }
        let audit = AuditAnalysis(records: records)
        func flags(_ op: String) -> [AuditFlag] {
            audit.groups.first { $0.kind == .operator && $0.id == op }?.measures.flatMap(\.flags) ?? []
        }
        #expect(flags("op-b").contains { if case .biasLow = $0 { true } else { false } }, "\(flags("op-b"))")
        #expect(flags("op-a").isEmpty, "\(flags("op-a"))")
        #expect(flags("op-c").filter { if case .biasLow = $0 { true } else if case .biasHigh = $0 { true } else { false } }.isEmpty,
                "\(flags("op-c"))")
    }
}
