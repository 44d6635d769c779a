import Foundation
import Testing
import SonoBiometry
import SonoChecks
import SonoCore
import SonoL10n
import SonoTestSupport
import SonoImageAnalysis
@testable import SonoReports

/// The text catalogues (Sources/SonoL10n/Resources/<language>.json) against each other, against
/// the sources that look keys up, and against the glossary; plus the golden pages.
@Suite("Catalogues and localized pages")
struct L10nTests {
    static let root = Repository.root

    /// The catalogue files as committed (the same bytes are embedded in the binary).
    static func catalogue(_ language: Language) throws -> [String: String] {
        let url = root.appendingPathComponent("Sources/SonoL10n/Resources/\(language.rawValue).json")
        let bytes = try Data(contentsOf: url)
        #expect(Array(bytes) == Catalogue.embeddedBytes(language), "the binary embeds \(url.lastPathComponent) as committed")
        return try Catalogue(language: language, json: Array(bytes)).entries
    }

    /// Key-shaped string literals of every Swift file under Sources/ (keys are looked up with
    /// literals: `Message("finding.IQ-002.dark", …)`, `L.text("scan.verdict")`,
    /// `cond ? "value.yes" : "value.no"`, also inside string interpolations).
    static func sourceLiterals() throws -> Set<String> {
        var out = Set<String>()
        let sources = root.appendingPathComponent("Sources")
        let walker = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        let literal = try Regex(#""([a-z_]+(?:\.[A-Za-z0-9_-]+)+)""#)
        while let url = walker?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            let text = try String(contentsOf: url, encoding: .utf8)
            for match in text.matches(of: literal) {
                if let s = match.output[1].substring { out.insert(String(s)) }
            }
        }
        return out
    }

    /// Keys built from an enum case or a property name rather than written out: every member of
    /// each family must have an entry, and these entries count as used.
    static func familyKeys() -> Set<String> {
        var keys = Set<String>()
        keys.formUnion(RuleID.allCases.map(\.titleKey))
        keys.formUnion(BiometricMeasure.allCases.map { "term." + $0.rawValue })
        keys.formUnion(Plane.allCases.map { "plane." + $0.rawValue })
        keys.formUnion(FindingSeverity.allCases.map { "severity." + $0.rawValue })
        keys.formUnion(AuditVerdict.allCases.map { "verdict." + $0.rawValue })
        keys.formUnion(GrowthChart.centiles.map(GrowthChart.centileLabelKey))
        keys.formUnion(ReviewCriteria.head.map { "audit.criterion." + $0 })
        for kind in AuditGroup.Kind.allCases {
            keys.formUnion(["group", "section", "col", "group_caption", "rule_caption"].map { "audit.\($0).\(kind.rawValue)" })
        }
        let frame = Synthetic.frame()
        let fov = FieldOfView.detect(frame)
        let metrics = ImageMetrics.compute(frame, analysisMask: fov.mask, fieldOfViewFraction: fov.fraction)
        keys.formUnion(Mirror(reflecting: metrics).children.compactMap { $0.label.map(ImageView.metricKey) })
        return keys
    }

    /// A catalogue namespace is the part of a key before its first dot.
    static func namespaces(_ keys: some Collection<String>) -> Set<String> {
        Set(keys.compactMap { $0.split(separator: ".").first.map(String.init) })
    }

    @Test("both languages have exactly the same keys")
    func sameKeys() throws {
        let en = try Self.catalogue(.en), zh = try Self.catalogue(.zhCN)
        #expect(Set(en.keys).subtracting(zh.keys).sorted() == [], "missing in zh-CN")
        #expect(Set(zh.keys).subtracting(en.keys).sorted() == [], "missing in en")
        #expect(en.count > 300)
    }

    @Test("each message has the same placeholders, with the same formats, in both languages")
    func samePlaceholders() throws {
        let en = try Self.catalogue(.en), zh = try Self.catalogue(.zhCN)
        for (key, english) in en {
            guard let chinese = zh[key] else { continue }
            #expect(Localizer.placeholders(english) == Localizer.placeholders(chinese), "\(key): \(english) | \(chinese)")
        }
        // The checker itself sees a difference.
        #expect(Localizer.placeholders("{a:1} and {b}") != Localizer.placeholders("{a} and {b}"))
    }

    @Test("every key the sources use exists, every family member exists, and no key is unused")
    func keysMatchSources() throws {
        let en = try Self.catalogue(.en)
        let literals = try Self.sourceLiterals()
        let families = Self.familyKeys()
        let spaces = Self.namespaces(en.keys)
        // Literals shaped like a key in one of the catalogue's namespaces, except file names.
        let keyShape = try Regex(#"^[a-z_]+(\.[A-Za-z0-9_-]+)+$"#)
        let fileExtensions: Set<String> = ["html", "json", "csv", "png", "jsonl", "swift"]
        let used = literals.filter { s in
            s.wholeMatch(of: keyShape) != nil && spaces.contains(String(s.split(separator: ".")[0]))
                && !fileExtensions.contains(String(s.split(separator: ".").last!))
        }
        // Plural messages are looked up as `<base>.one` / `<base>.other` from a literal base.
        let pluralBases = Set(en.keys.filter { $0.hasSuffix(".one") || $0.hasSuffix(".other") }
            .map { String($0[..<$0.lastIndex(of: ".")!]) })
        let missing = used.filter { en[$0] == nil && !pluralBases.contains($0) }
        #expect(missing.sorted() == [], "looked up in the sources but not in the catalogue")
        #expect(families.filter { en[$0] == nil }.sorted() == [], "enum cases or metrics without an entry")
        let unused = en.keys.filter { key in
            if used.contains(key) || families.contains(key) { return false }
            if let dot = key.lastIndex(of: "."), ["one", "other"].contains(key[key.index(after: dot)...]) {
                return !used.contains(String(key[..<dot]))
            }
            return true
        }
        #expect(unused.sorted() == [], "entries no source looks up")
    }

    @Test("the zh-CN catalogue uses the glossary's terms, not the variants the glossary rules out")
    func glossaryTermsAreUsed() throws {
        let zh = try Self.catalogue(.zhCN)
        let glossary = try String(contentsOf: Self.root.appendingPathComponent("docs/glossary.md"), encoding: .utf8)
        // Table rows: | 中文 | English | not used |
        var terms: [String] = [], avoided: [String] = []
        for line in glossary.split(separator: "\n") where line.hasPrefix("| ") && !line.hasPrefix("| 中文") && !line.hasPrefix("|--") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 4 else { continue }
            terms.append(cells[1])
            avoided += cells[3].split(separator: "、").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && $0 != "–" }
        }
        #expect(terms.count >= 19)
        let text = zh.values.joined(separator: "\n")
        for variant in avoided {
            #expect(!text.contains(variant), "zh-CN catalogue uses \(variant), which docs/glossary.md rules out")
        }
        for term in ["丘脑横切面", "头围", "双顶径", "枕额径", "腹围", "股骨长", "孕周", "百分位数", "Z 值", "丘脑", "透明隔腔", "小脑", "脑中线",
                     "颅骨光环", "质控", "超声医师", "质控审核医师", "成员单位"] {
            #expect(terms.contains(term), "\(term) is in the glossary")
            #expect(text.contains(term), "\(term) is used by the zh-CN catalogue")
        }
    }

    @Test("gestational age and numbers are written the agreed way in each language")
    func formats() {
        #expect(Localizer(.en).gestationalAge(days: 143) == "20+3 weeks")
        #expect(Localizer(.zhCN).gestationalAge(days: 143) == "20周+3天")
        #expect(Localizer(.zhCN).gestationalAge(weeks: 22 + 3.0 / 7) == "22周+3天")
        #expect(Localizer.number(12.30, decimals: 2) == "12.3")
        #expect(Localizer.number(-0.0001, decimals: 2) == "0")
        let m = Message("finding.MS.differs", ["measure": .text("hc"), "reported_mm": .number(180.04), "automatic_mm": .number(192.46),
                                                "diff_mm": .number(12.42)])
        #expect(Localizer(.en).text(m) == "reported HC 180 mm differs from the automatic 192.5 mm by 12.4 mm")
        #expect(Localizer(.zhCN).text(m) == "报告的头围 180 mm 与自动测量 192.5 mm 相差 12.4 mm")
        // A message keeps its arguments through JSON, so a page rendered from report.json reads the same.
        let decoded = try? JSONDecoder().decode(Message.self, from: JSONEncoder().encode(m))
        #expect(decoded == m)
    }

    @Test("templates: literal runs escaped, raw markup inserted as is, braces without a name or a close left as text")
    func templateRendering() {
        let L = Localizer(.en)
        let bracket: (String) -> String = { "[" + $0 + "]" }
        #expect(L.render("a<{x:1}>b", ["x": .number(2.25)], escape: bracket, raw: [:]) == "[a<][2.3][>b]")
        #expect(L.render("{link} 报告 {n}", ["n": .number(3)], escape: bracket, raw: ["link": "<a>"]) == "[]<a>[ 报告 ][3][]")
        #expect(L.render("{} and {open", [:], escape: bracket, raw: [:]) == "[{} and {open]")
        #expect(L.render("{missing}!", [:], escape: { $0 }, raw: [:]) == "{missing}!")
        #expect(L.render("头围{a}{b}", ["a": .text("1"), "b": .text("2")], escape: { $0 }, raw: [:]) == "头围12")
        #expect(L.render("", [:], escape: bracket, raw: [:]) == "[]")
        // A name is the text before the first colon; empty parts are dropped, as `split` does.
        #expect(L.render("{:x}|{a:}|{a::1}", ["x": .number(1.5), "a": .number(2.25)], escape: { $0 }, raw: [:]) == "1.5|2.25|2.25")
    }

    @Test("a message renders the same from the catalogue's cut templates as from its template text")
    func cachedTemplatesMatchTheText() throws {
        let args: [String: MessageArg] = ["count": .number(3), "hc_mm": .number(181.25), "days": .number(143),
                                          "file": .text("a<b>.png"), "measure": .text("hc"), "value": .number(-0.0)]
        for language in Language.allCases {
            let L = Localizer(language), entries = try Self.catalogue(language)
            for (key, template) in entries {
                #expect(L.text(key, args) == L.render(template, args, escape: { $0 }, raw: [:]), "\(language.rawValue) \(key)")
            }
            #expect(L.text("no.such.key", args) == "no.such.key")
        }
    }

    @Test("pages declare their language and stay well formed in Chinese")
    func chinesePagesAreValid() throws {
        let out = Synthetic.temporaryDirectory("zh")
        let (report, frame) = ScanReportBindingTests.report(scanID: "Z1", op: "op-z", hcZ: 0.1, verdictFail: true)
        let dir = out.appendingPathComponent("scans/Z1")
        try ScanReportBindingTests.writePage(report, frame: frame, scanKey: "Z1", to: dir, language: .zhCN)
        try BatchIndexWriter.write(reports: [report], to: out, language: .zhCN)
        for page in [dir.appendingPathComponent("report.html"), out.appendingPathComponent("index.html")] {
            let html = try String(contentsOf: page, encoding: .utf8)
            let check = HTMLStructure(html, baseDirectory: page.deletingLastPathComponent())
            #expect(check.problems.isEmpty, "\(page.lastPathComponent): \(check.problems)")
            #expect(check.elements.contains { $0.name == "html" && $0.attributes["lang"] == "zh-CN" })
            #expect(html.contains("\"Noto Sans CJK SC\"") && !html.contains("@font-face") && !html.contains("@import"))
            #expect(html.contains("@media (max-width: 480px)"))
        }
    }

    // MARK: Golden pages

    /// Recorded by scripts/record-golden.sh (`make record-golden`) from `sonoqc analyze samples`;
    /// EndToEndTests/GoldenOutputTests checks that they still are what the CLI writes.
    static let golden = root.appendingPathComponent("Tests/SonoReportsTests/Fixtures/golden")

    @Test("the sample scan's page, rendered from its report.json, matches the golden page in both languages",
          arguments: Language.allCases)
    func goldenScanPage(_ language: Language) throws {
        let report = try JSONDecoder().decode(ScanReport.self, from: Data(contentsOf: Self.golden.appendingPathComponent("sample-scan.report.json")))
        let thumbnails = report.images.enumerated().map { ReportLayout.thumbnailFileName(index: $0.offset, file: $0.element.file) }
        let page = HTMLReportWriter.page(for: ScanReportView(report: report, language: language), thumbnails: thumbnails, scanKey: "samples/defects-overlays-duplicates/O-SWAP",
                                         language: language)
        let name = "scan.\(language.rawValue).html"
        let expected = try String(contentsOf: Self.golden.appendingPathComponent(name), encoding: .utf8)
        #expect(page == expected, "\(name) differs from the renderer's output; if intended, run make record-golden and review the diff")
        #expect(page.firstMatch(of: try Regex(#"\{[a-z_]+(:[a-z0-9]+)?\}"#)) == nil, "\(name) has an unfilled placeholder")
    }
}
