import Foundation
import SonoChecks
import SonoTestSupport
import Testing

@Suite("Scan report schema")
struct ReportSchemaTests {
    let validator = JSONSchemaValidator(schema: ScanReportSchema.schema)

    static func minimalReport() -> JSONValue {
        [
            "schema": "sonoqc-scan-report/1",
            "scan": ["scanID": "A", "fromManifest": true],
            "reference": ["chart": "INTERGROWTH-21st", "caliperConvention": "outer-to-outer", "gaFromHCMethod": "x", "profile": "default"],
            "images": [], "failures": [], "findings": [],
            "counts": ["fail": 0, "warning": 0, "needsReview": 0, "notCheckable": 0],
            "verdict": ["value": "pass", "reasons": []],
            "provenance": [
                "sonoqcVersion": "0.0.0", "runDate": "2026-01-01", "codecs": ["libpng": "1", "libjpeg-turbo": "2", "openjpeg": "3"],
                "qcProfileSHA256": .string(String(repeating: "0", count: 64)), "options": [], "inputs": [],
            ],
        ]
    }

    @Test func schemaUsesOnlyKeywordsTheValidatorSupports() throws {
        // Validation reports an unsupported keyword only in the sub-schemas a document reaches, so
        // the minimal report alone proves little: the committed golden report of a real scan (images,
        // head, measurements, findings, provenance) reaches most of them.
        #expect(validator.validate(Self.minimalReport()) == [])
        let golden = try Data(contentsOf: Repository.path("Tests/SonoReportsTests/Fixtures/golden/sample-scan.report.json"))
        #expect(validator.validate(try JSONValue.parse(golden)) == [])
        let text = try ScanReportSchema.text()
        #expect(text.contains("\"$schema\" : \"https://json-schema.org/draft/2020-12/schema\""))
        #expect(try JSONValue.parse(Data(text.utf8)) == ScanReportSchema.schema)
    }

    @Test func validatorRejectsMissingExtraAndMistypedProperties() {
        guard case var .object(doc) = Self.minimalReport() else { Issue.record("not an object"); return }
        doc["verdict"] = ["value": "maybe", "reasons": []]
        doc["extra"] = 1
        doc["counts"] = ["fail": -1, "warning": 0, "needsReview": 0]
        let errors = validator.validate(.object(doc))
        #expect(errors.contains { $0.hasPrefix("$.verdict.value:") })
        #expect(errors.contains("$: unexpected property extra"))
        #expect(errors.contains("$.counts: missing required property notCheckable"))
        #expect(errors.contains { $0.hasPrefix("$.counts.fail: -1") })
    }

    @Test func validatorChecksPatternsAndNestedReferences() {
        guard case var .object(doc) = Self.minimalReport() else { return }
        doc["scan"] = ["scanID": "A", "fromManifest": true, "examDate": "15/04/2026", "gestationalAge": "20+9"]
        let errors = validator.validate(.object(doc))
        #expect(errors.count == 2)
        #expect(errors.allSatisfy { $0.contains("does not match") })
    }
}
