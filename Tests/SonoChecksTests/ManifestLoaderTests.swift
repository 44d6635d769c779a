import Foundation
import SonoChecks
import SonoCore
import Testing
import SonoInput
import SonoL10n
import SonoTestSupport

@Suite("Manifest loading")
struct ManifestLoaderTests {
    static let header = ManifestLoader.csvHeader.joined(separator: ",")

    @Test func everySampleManifestLoadsAndItsCSVFormIsEquivalent() throws {
        for batch in ["clean-18-40", "defects-acquisition", "defects-overlays-duplicates", "hospital-day", "operator-audit"] {
            let url = Repository.path("samples").appendingPathComponent(batch).appendingPathComponent("manifest.json")
            let json = try ManifestLoader.load(contentsOf: url)
            let csv = try ManifestLoader.parseCSV(ManifestLoader.csv(json), path: "x.csv")
            #expect(csv.scans.count == json.scans.count)
            for (a, b) in zip(json.scans, csv.scans) {
                #expect(a.scanID == b.scanID && a.gestationalAge == b.gestationalAge && a.operatorID == b.operatorID)
                #expect(a.images.map(\.file) == b.images.map(\.file))
                #expect(a.images.map(\.reported) == b.images.map(\.reported))
                #expect(a.images.map { $0.pixelSpacingMM ?? a.pixelSpacingMM } == b.images.map(\.pixelSpacingMM))
            }
        }
    }

    @Test func csvGroupsRowsIntoScansInFirstAppearanceOrder() throws {
        let text = """
            \(Self.header)
            S2,u,o,2026-01-02,20+3,,0.1,b.png,head,50,62,180,,
            S1,u,o,2026-01-02,,2025-08-20,,a.png,abdomen,,,,150,
            S2,u,o,2026-01-02,20+3,,0.1,"c,1.png",femur,,,,,33.5
            """
        let m = try ManifestLoader.parseCSV(text, path: "m.csv")
        #expect(m.scans.map(\.scanID) == ["S2", "S1"])
        #expect(m.scans[0].images.map(\.file) == ["b.png", "c,1.png"])
        #expect(m.scans[0].images[1].reported.flMM == 33.5)
        #expect(m.scans[1].images[0].plane == .abdomen)
        #expect(ScanMetadata(entry: m.scans[1]).gestationalAgeDays == 135)
        #expect(ScanMetadata(entry: m.scans[1]).gestationalAgeSource == "lmp")
    }

    @Test func csvErrorsNameLineFieldAndExpectation() throws {
        let text = """
            \(Self.header)
            S1,u,o,2026-13-02,20+9,,abc,a.png,brain,50,,,,
            S1,u,other-op,2026-13-02,20+9,,,b.png,head,,,,,
            """
        let error = try #require(throws: ManifestError.self) { try ManifestLoader.parseCSV(text, path: "m.csv") }
        let issues = error.issues
        #expect(issues.contains { $0.line == 2 && $0.field == "pixel_spacing_mm" && $0.expected.contains("number") })
        #expect(issues.contains { $0.line == 2 && $0.field == "plane" && $0.found == "\"brain\"" && $0.expected.contains("head") })
        #expect(issues.contains { $0.line == 2 && $0.field == "exam_date" && $0.expected.contains("YYYY-MM-DD") })
        #expect(issues.contains { $0.line == 2 && $0.field == "gestational_age" && $0.expected.contains("weeks+days") })
        #expect(issues.contains { $0.line == 3 && $0.field == "operator_id" && $0.expected.contains("line 2") })
        #expect(error.details?.contains("line 2, plane: found \"brain\", expected one of head") == true)
    }

    /// Every expectation is a catalogue message that both languages fill in completely, numbers
    /// through placeholders; `found` is the file's value, the same in every language.
    @Test func expectationsAreCatalogueMessagesInBothLanguages() throws {
        let csv = """
            \(Self.header)
            S1,u,o,2026-13-02,20+9,,abc,a.png,brain,5000,,,,
            S1,u,other-op,2026-13-02,20+9,,,a.png,head,,,,,
            S2,u,o,2026-03-02,99+0,,20,../c.png,head,,,,,
            S3,u,o,2026-03-02,,2026-04-01,,d.png,head,,,,,
            ,u,o,2026-03-02,,,,e.png,head,,,,,
            """
        let json = #"{"schema":"sonoqc-manifest/9","scans":[{"scan_id":"A","images":[]},{"scan_id":"A","images":[{"file":"a.png","plane":"head"}]}]}"#
        let issues = try #require(throws: ManifestError.self) { try ManifestLoader.parseCSV(csv, path: "m.csv") }.issues
            + (try #require(throws: ManifestError.self) { try ManifestLoader.decodeJSON(Data(json.utf8), path: "m.json") }.issues)
        let keys = Set(issues.map(\.expectation.key))
        #expect(keys.isSuperset(of: ["manifest.expected.one_of", "manifest.expected.length_range", "manifest.expected.ga_range",
                                     "manifest.expected.same_as_line", "manifest.expected.unique_file", "manifest.expected.relative_path",
                                     "manifest.expected.spacing_range", "manifest.expected.lmp_before_exam", "manifest.expected.scan_id",
                                     "manifest.expected.required_key", "manifest.expected.iso_date",
                                     "manifest.expected.ga_format", "manifest.expected.number_mm"]), "\(keys.sorted())")
        let zh = Localizer(.zhCN)
        for issue in issues {
            for L in [Localizer.en, zh] {
                #expect(L.has(issue.expectation.key), "\(issue.expectation.key) missing in \(L.language)")
                #expect(!L.text(issue.expectation).contains("{"), "\(L.text(issue.expectation))")
            }
            #expect(zh.text(issue.expectation) != issue.expected, "\(issue.expectation.key) not translated")
        }
        let age = try #require(issues.first { $0.expectation.key == "manifest.expected.ga_range" })
        #expect(age.found == "\"99+0\"" && age.expected == "a gestational age up to 44+6 weeks" && zh.text(age.expectation) == "不超过 44周+6天 的孕周")
        let agree = try #require(issues.first { $0.expectation.key == "manifest.expected.same_as_line" })
        #expect(zh.text(agree.expectation) == "与第 2 行相同的“o”（同一检查的各行中检查列须一致）")
        let length = try #require(issues.first { $0.expectation.key == "manifest.expected.length_range" })
        #expect(length.expected == "a length in mm between 0 and 1000" && zh.text(length.expectation) == "0 至 1000 mm 之间的长度")
    }

    @Test func csvWithMissingColumnIsRejectedOnTheHeaderLine() throws {
        let error = try #require(throws: ManifestError.self) {
            try ManifestLoader.parseCSV("scan_id,file\nS1,a.png\n", path: "m.csv")
        }
        #expect(error.issues.allSatisfy { $0.line == 1 })
        #expect(error.issues.contains { $0.field == "plane" && $0.found == "no such column" })
    }

    @Test func csvRowWithWrongFieldCountIsReported() throws {
        let error = try #require(throws: ManifestError.self) {
            try ManifestLoader.parseCSV("\(Self.header)\nS1,a.png\n", path: "m.csv")
        }
        #expect(error.issues == [ManifestIssue(line: 2, field: "row", found: "2 fields", expectation: Message("manifest.expected.field_count", ["count": .number(14)]))])
    }

    @Test func jsonTypeErrorNamesTheCodingPath() throws {
        let json = #"{"schema":"sonoqc-manifest/1","scans":[{"scan_id":"A","images":[{"file":"a.png","plane":"head","reported":{"hc_mm":"big"}}]}]}"#
        let error = try #require(throws: ManifestError.self) { try ManifestLoader.decodeJSON(Data(json.utf8), path: "m.json") }
        #expect(error.issues.first?.field == "scans[0].images[0].reported.hc_mm")
        #expect(error.issues.first?.expected == "Double")
    }

    @Test func jsonSemanticErrorsAreAllReported() throws {
        let json = #"{"schema":"sonoqc-manifest/9","scans":[{"scan_id":"A","images":[{"file":"../a.png","plane":"head","reported":{"hc_mm":-3}}]},{"scan_id":"A","images":[]}]}"#
        let error = try #require(throws: ManifestError.self) { try ManifestLoader.decodeJSON(Data(json.utf8), path: "m.json") }
        let fields = Set(error.issues.map(\.field))
        #expect(fields.isSuperset(of: ["schema", "scans[0].images[0].file", "scans[0].images[0].reported.hc_mm", "scans[1].scan_id", "scans[1].images"]))
    }

    @Test func reconciliationReportsBothMissingAndUnlistedImages() {
        let m = BatchManifest(scans: [ScanEntry(scanID: "A", images: [ImageEntry(file: "a.png"), ImageEntry(file: "gone.png")])])
        let r = ManifestReconciliation.reconcile(m, imageFiles: ["a.png", "z.png", "extra/b.jpg"])
        #expect(r.missingImages.map(\.file) == ["gone.png"])
        #expect(r.unlistedImages == ["extra/b.jpg", "z.png"])
        #expect(BatchQC.unlistedImageFindings(r).map(\.rule) == [.manifestImageUnlisted, .manifestImageUnlisted])
        let report = ScanQC.assess(scan: ScanMetadata(entry: m.scans[0]), images: [], failures: [ImageFailure(file: "a.png", error: "bad CRC")],
                                   missingFiles: ["gone.png"], profile: .default)
        #expect(report.findings.map(\.rule) == [.manifestImageMissing, .imageUndecodable])
        #expect(report.verdict.value == .review)
    }
}

@Suite("QC profile")
struct QCProfileTests {
    static let defaultFile = Repository.path("profiles/default.json")

    /// After a deliberate change of a default, scripts/record-golden.sh rewrites the file
    /// (`sonoqc schema default-profile`); this test only compares.
    @Test func committedDefaultProfileEqualsTheBuiltInDefault() throws {
        let loaded = try QCProfile.load(contentsOf: Self.defaultFile)
        #expect(loaded == QCProfile.default)
        #expect(try String(contentsOf: Self.defaultFile, encoding: .utf8) == ReportJSON.string(QCProfile.default))
    }

    @Test func everyThresholdGroupHasADocumentedSource() {
        let keys = QCProfile.default.sources.keys
        for group in ["calibration", "imageQuality", "headPlane", "measurements", "duplicates"] {
            #expect(keys.contains { $0.hasPrefix(group + ".") }, "\(group)")
        }
    }

    @Test func partialProfileOverridesOnlyWhatItNames() throws {
        let p = try QCProfile.decode(Data(#"{"name":"site-x","measurements":{"hcToleranceMM":12}}"#.utf8), path: "p.json")
        #expect(p.measurements.hcToleranceMM == 12)
        #expect(p.measurements.zFailAbove == QCProfile.default.measurements.zFailAbove)
        #expect(p.imageQuality == QCProfile.default.imageQuality)
        #expect(p.name == "site-x")
    }

    @Test func invalidProfileIsRejectedWithTheReason() throws {
        let e1 = try #require(throws: ProfileError.self) {
            try QCProfile.decode(Data(#"{"schema":"sonoqc-profile/9"}"#.utf8), path: "p.json")
        }
        #expect(e1.reason.contains("sonoqc-profile/1"))
        let e2 = try #require(throws: ProfileError.self) {
            try QCProfile.decode(Data(#"{"measurements":{"zWarningAbove":"x"}}"#.utf8), path: "p.json")
        }
        #expect(e2.reason.contains("measurements.zWarningAbove"))
    }
}

@Suite("Manifest loading: hostile input")
struct HostileManifestTests {
    static let header = ManifestLoader.csvHeader.joined(separator: ",")
    static let row = "S1,u,o,2026-01-02,20+3,,0.1,a.png,head,,,,,"

    @Test func repeatedHeaderColumnIsAnErrorNamingLineAndField() throws {
        for header in ["scan_id," + Self.header, Self.header + ",file"] {
            let error = try #require(throws: ManifestError.self) {
                try ManifestLoader.parseCSV(header + "\n" + Self.row + "\n", path: "m.csv")
            }
            #expect(error.issues.contains { $0.line == 1 && ($0.field == "scan_id" || $0.field == "file") && $0.expected == "each column once" })
        }
    }

    @Test func hugeGestationalAgesAreRefusedNotTrapped() throws {
        for ga in ["9223372036854775807", "9223372036854775807+6", "1317624576693539401w", "100+0", "45+0"] {
            let csv = Self.header + "\n" + Self.row.replacingOccurrences(of: "20+3", with: ga) + "\n"
            let error = try #require(throws: ManifestError.self) { try ManifestLoader.parseCSV(csv, path: "m.csv") }
            #expect(error.issues.contains { $0.line == 2 && $0.field == "gestational_age" }, "\(ga)")
            let json = Data("""
                {"schema":"sonoqc-manifest/1","scans":[{"scan_id":"S1","gestational_age":"\(ga)","images":[{"file":"a.png","plane":"head","reported":{}}]}]}
                """.utf8)
            let jsonError = try #require(throws: ManifestError.self) { try ManifestLoader.decodeJSON(json, path: "m.json") }
            #expect(jsonError.issues.contains { $0.field == "scans[0].gestational_age" })
        }
        #expect(throws: Never.self) { try ManifestLoader.parseCSV(Self.header + "\n" + Self.row.replacingOccurrences(of: "20+3", with: "44+6") + "\n", path: "m.csv") }
    }

    @Test func datesMustBeStrictAndPlausible() throws {
        for date in ["+123-01-01", "0202-05-01", "9999-12-31"] {
            let csv = Self.header + "\n" + Self.row.replacingOccurrences(of: "2026-01-02", with: date) + "\n"
            let error = try #require(throws: ManifestError.self) { try ManifestLoader.parseCSV(csv, path: "m.csv") }
            #expect(error.issues.contains { $0.line == 2 && $0.field == "exam_date" }, "\(date)")
        }
        // An LMP that dates the pregnancy far beyond term is a typing error too.
        let lmp = Self.header + "\nS1,u,o,2026-01-02,,2020-01-01,0.1,a.png,head,,,,,\n"
        let error = try #require(throws: ManifestError.self) { try ManifestLoader.parseCSV(lmp, path: "m.csv") }
        #expect(error.issues.contains { $0.field == "lmp_date" })
    }

    @Test func numbersMustBeFiniteAndInRange() throws {
        for spacing in ["inf", "nan", "1e999", "-0.1", "50"] {
            let csv = Self.header + "\n" + Self.row.replacingOccurrences(of: ",0.1,", with: ",\(spacing),") + "\n"
            let error = try #require(throws: ManifestError.self) { try ManifestLoader.parseCSV(csv, path: "m.csv") }
            #expect(error.issues.contains { $0.line == 2 && $0.field == "pixel_spacing_mm" }, "\(spacing)")
        }
    }

    @Test func oneImageUnderTwoSpellingsIsADuplicate() throws {
        let csv = Self.header + "\n" + Self.row + "\n" + Self.row.replacingOccurrences(of: "a.png", with: "./a.png") + "\n"
        let error = try #require(throws: ManifestError.self) { try ManifestLoader.parseCSV(csv, path: "m.csv") }
        #expect(error.issues.contains { $0.line == 3 && $0.field == "file" && $0.found.contains("already on line 2") })
        let json = Data("""
            {"schema":"sonoqc-manifest/1","scans":[{"scan_id":"S1","images":[{"file":"a.png","plane":"head","reported":{}},{"file":".//a.png","plane":"head","reported":{}}]}]}
            """.utf8)
        let jsonError = try #require(throws: ManifestError.self) { try ManifestLoader.decodeJSON(json, path: "m.json") }
        #expect(jsonError.issues.contains { $0.field == "scans[0].images[1].file" })
    }

    @Test func scanIDsWithControlCharactersAreRefusedAndEchoedEscaped() throws {
        let csv = Self.header + "\n\"S1\r\nX\",u,o,2026-01-02,20+3,,0.1,a.png,head,,,,,\n"
        let error = try #require(throws: ManifestError.self) { try ManifestLoader.parseCSV(csv, path: "m.csv") }
        let issue = try #require(error.issues.first { $0.field == "scan_id" })
        #expect(!issue.description.contains("\r") && !issue.description.contains("\n"))
    }

    @Test func manifestCSVWriterRoundTripsHostileText() throws {
        let manifest = BatchManifest(scans: [ScanEntry(scanID: "S,1 \"q\"", unitID: "unit,A", operatorID: "op\"x\"",
                                                       gestationalAge: "20+3",
                                                       images: [ImageEntry(file: "a,b.png", plane: .head)])])
        let back = try ManifestLoader.parseCSV(ManifestLoader.csv(manifest), path: "m.csv")
        #expect(back.scans[0].scanID == "S,1 \"q\"" && back.scans[0].unitID == "unit,A" && back.scans[0].images[0].file == "a,b.png")
    }
}
