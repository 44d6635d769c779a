public import Foundation
public import SonoCore
import SonoBiometry
package import SonoL10n

/// One problem in a manifest, located precisely enough to fix it: the CSV line or JSON path, the
/// field, what was found and what was expected.
///
/// `found` is the value from the file, shown verbatim in every language (it is data); what was
/// expected is a catalogue message (`manifest.expected.*`) so the upload page can show it in the
/// uploader's language. ``expected`` and ``description`` are its English text, for the CLI and logs.
public struct ManifestIssue: Sendable, Codable, Hashable, CustomStringConvertible {
    /// 1-based line of a CSV manifest (the header is line 1); nil for JSON.
    public var line: Int?
    /// JSON coding path such as `scans[2].images[0].plane`, or the CSV column name.
    public var field: String
    public var found: String
    package var expectation: Message

    package init(line: Int? = nil, field: String, found: String, expectation: Message) {
        self.line = line
        self.field = field
        self.found = found
        self.expectation = expectation
    }

    /// What was expected, in English.
    public var expected: String { Localizer.en.text(expectation) }

    // JSON keeps the English `expected` next to the language-neutral `expectation` (key + args),
    // so existing readers of `expected` are unaffected.
    enum CodingKeys: String, CodingKey { case line, field, found, expected, expectation }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        line = try c.decodeIfPresent(Int.self, forKey: .line)
        field = try c.decode(String.self, forKey: .field)
        found = try c.decode(String.self, forKey: .found)
        expectation = try c.decode(Message.self, forKey: .expectation)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(line, forKey: .line)
        try c.encode(field, forKey: .field)
        try c.encode(found, forKey: .found)
        try c.encode(expected, forKey: .expected)
        try c.encode(expectation, forKey: .expectation)
    }

    public var description: String {
        let place = line.map { "line \($0), \(field)" } ?? field
        return "\(place): found \(found), expected \(expected)"
    }
}

/// A manifest that cannot be used, with every problem found (not just the first).
public struct ManifestError: SonoError, Equatable {
    public var path: String
    public var issues: [ManifestIssue]

    public init(path: String, issues: [ManifestIssue]) {
        self.path = path
        self.issues = issues
    }

    public var summary: String { "manifest \(path): \(issues.count) problem(s); first: \(issues.first?.description ?? "-")" }
    public var details: String? { issues.map(\.description).joined(separator: "\n") }
}

/// Reads and validates batch manifests in their two equivalent forms.
///
/// JSON is `BatchManifest` (schema `sonoqc-manifest/1`); CSV has one row per image with the header
/// ``csvHeader`` and repeats the scan columns on every row of a scan (they must agree). See
/// docs/manifest.md. Pure functions: no file system access except ``load(contentsOf:)``.
public enum ManifestLoader {
    package static let csvHeader = ["scan_id", "unit_id", "operator_id", "exam_date", "gestational_age", "lmp_date",
                                   "pixel_spacing_mm", "file", "plane", "bpd_mm", "ofd_mm", "hc_mm", "ac_mm", "fl_mm"]

    /// Reads `manifest.json` or `manifest.csv` (by extension; otherwise by the first non-blank character).
    public static func load(contentsOf url: URL) throws(ManifestError) -> BatchManifest {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ManifestError(path: url.path, issues: [ManifestIssue(field: "file", found: "unreadable (\(error.localizedDescription))",
                                                                        expectation: Message("manifest.expected.readable_file"))])
        }
        let isCSV = url.pathExtension.lowercased() == "csv"
            || (url.pathExtension.lowercased() != "json" && data.first(where: { !($0 == 32 || $0 == 10 || $0 == 13 || $0 == 9) }) != UInt8(ascii: "{"))
        if isCSV {
            guard let text = String(data: data, encoding: .utf8) else {
                throw ManifestError(path: url.path, issues: [ManifestIssue(field: "file", found: "bytes that are not UTF-8",
                                                                            expectation: Message("manifest.expected.utf8_csv"))])
            }
            return try parseCSV(text, path: url.path)
        }
        return try decodeJSON(data, path: url.path)
    }

    // MARK: JSON

    public static func decodeJSON(_ data: Data, path: String) throws(ManifestError) -> BatchManifest {
        let manifest: BatchManifest
        do {
            manifest = try JSONDecoder().decode(BatchManifest.self, from: data)
        } catch let error as DecodingError {
            throw ManifestError(path: path, issues: [issue(from: error)])
        } catch {
            throw ManifestError(path: path, issues: [ManifestIssue(field: "(document)", found: "\(error)", expectation: Message("manifest.expected.valid_json"))])
        }
        let issues = validate(manifest)
        if !issues.isEmpty { throw ManifestError(path: path, issues: issues) }
        return manifest
    }

    static func codingPath(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let i = key.intValue { out += "[\(i)]" } else { out += out.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
        return out.isEmpty ? "(document)" : out
    }

    static func issue(from error: DecodingError) -> ManifestIssue {
        switch error {
        case let .typeMismatch(type, ctx):
            return ManifestIssue(field: codingPath(ctx.codingPath), found: "a value of another type (\(ctx.debugDescription))",
                                 expectation: Message("manifest.expected.type", ["type": .text("\(type)")]))
        case let .valueNotFound(type, ctx):
            return ManifestIssue(field: codingPath(ctx.codingPath), found: "null", expectation: Message("manifest.expected.type", ["type": .text("\(type)")]))
        case let .keyNotFound(key, ctx):
            return ManifestIssue(field: codingPath(ctx.codingPath + [key]), found: "no such key", expectation: Message("manifest.expected.required_key", ["key": .text(key.stringValue)]))
        case let .dataCorrupted(ctx):
            let field = codingPath(ctx.codingPath)
            if field.hasSuffix("plane") {
                return ManifestIssue(field: field, found: ctx.debugDescription,
                                     expectation: planeChoices)
            }
            return ManifestIssue(field: field, found: ctx.debugDescription, expectation: Message("manifest.expected.valid_json"))
        @unknown default:
            return ManifestIssue(field: "(document)", found: "\(error)", expectation: Message("manifest.expected.document"))
        }
    }

    /// Human text for a decoding error (also used for profiles).
    static func describe(_ error: DecodingError) -> String { issue(from: error).description }

    // MARK: Semantic validation (both forms)

    /// Checks what the types cannot: schema, unique ids and files, dates, ages, plausible numbers.
    public static func validate(_ manifest: BatchManifest) -> [ManifestIssue] {
        var issues: [ManifestIssue] = []
        if !BatchManifest.acceptedSchemas.contains(manifest.schema) {
            issues.append(ManifestIssue(field: "schema", found: "\"\(manifest.schema)\"",
                                        expectation: oneOf(BatchManifest.acceptedSchemas.sorted().map { "\"\($0)\"" })))
        }
        var seenScans: Set<String> = []
        var seenFiles: Set<String> = []
        for (s, scan) in manifest.scans.enumerated() {
            let base = "scans[\(s)]"
            issues += validateScan(scan, field: { "\(base).\($0)" }, line: { _ in nil })
            if !seenScans.insert(scan.scanID).inserted {
                issues.append(ManifestIssue(field: "\(base).scan_id", found: "\"\(scan.scanID)\" again", expectation: Message("manifest.expected.unique_scan_id")))
            }
            for (i, image) in scan.images.enumerated() {
                let f = "\(base).images[\(i)]"
                issues += validateImage(image, field: { "\(f).\($0)" }, line: nil)
                issues += validateCalipers(image, schema: manifest.schema, field: "\(f).calipers")
                if !seenFiles.insert(image.normalisedFile).inserted {
                    issues.append(ManifestIssue(field: "\(f).file", found: "\"\(image.file)\" again", expectation: Message("manifest.expected.unique_file")))
                }
            }
        }
        return issues
    }

    static func validateScan(_ scan: ScanEntry, field: (String) -> String, line: (String) -> Int?) -> [ManifestIssue] {
        var issues: [ManifestIssue] = []
        if let problem = ScanEntry.scanIDProblem(scan.scanID) {
            issues.append(ManifestIssue(line: line("scan_id"), field: field("scan_id"), found: "\"\(printable(scan.scanID))\" (\(problem))",
                                        expectation: Message("manifest.expected.scan_id_characters")))
        }
        for (key, value) in [("exam_date", scan.examDate), ("lmp_date", scan.lmpDate)] {
            if let value, let problem = dateProblem(value) {
                issues.append(ManifestIssue(line: line(key), field: field(key), found: "\"\(printable(value))\"", expectation: problem))
            }
        }
        if let ga = scan.gestationalAge {
            do {
                let age = try GestationalAge(parsing: ga)
                if !age.isPlausible {
                    issues.append(ManifestIssue(line: line("gestational_age"), field: field("gestational_age"), found: "\"\(printable(ga))\"",
                                                expectation: Message("manifest.expected.ga_range", maximumAge)))
                }
            } catch {
                issues.append(ManifestIssue(line: line("gestational_age"), field: field("gestational_age"), found: "\"\(printable(ga))\"",
                                            expectation: Message("manifest.expected.ga_format")))
            }
        } else if let lmp = scan.lmpDate, dateProblem(lmp) == nil {
            if scan.examDate == nil {
                issues.append(ManifestIssue(line: line("exam_date"), field: field("exam_date"), found: "nothing",
                                            expectation: Message("manifest.expected.exam_date_for_lmp")))
            } else if let exam = scan.examDate, dateProblem(exam) == nil {
                do {
                    let age = try GestationalAge(lastMenstrualPeriod: lmp, examDate: exam)
                    if !age.isPlausible {
                        issues.append(ManifestIssue(line: line("lmp_date"), field: field("lmp_date"), found: "\"\(lmp)\" (\(age) on \(exam))",
                                                    expectation: Message("manifest.expected.lmp_ga_range", maximumAge)))
                    }
                } catch {
                    issues.append(ManifestIssue(line: line("lmp_date"), field: field("lmp_date"), found: "\"\(lmp)\" (\(error.summary))",
                                                expectation: Message("manifest.expected.lmp_before_exam")))
                }
            }
        }
        if let s = scan.pixelSpacingMM, !(s.isFinite && s > 0 && s < 10) {
            issues.append(ManifestIssue(line: line("pixel_spacing_mm"), field: field("pixel_spacing_mm"), found: "\(s)", expectation: spacingRange))
        }
        if scan.images.isEmpty {
            issues.append(ManifestIssue(line: line("images"), field: field("images"), found: "no images", expectation: Message("manifest.expected.at_least_one_image")))
        }
        return issues
    }

    static func validateImage(_ image: ImageEntry, field: (String) -> String, line: Int?) -> [ManifestIssue] {
        var issues: [ManifestIssue] = []
        if image.file.isEmpty || image.file.hasPrefix("/") || image.file.split(separator: "/").contains("..") {
            issues.append(ManifestIssue(line: line, field: field("file"), found: "\"\(image.file)\"",
                                        expectation: Message("manifest.expected.relative_path")))
        }
        if let s = image.pixelSpacingMM, !(s.isFinite && s > 0 && s < 10) {
            issues.append(ManifestIssue(line: line, field: field("pixel_spacing_mm"), found: "\(s)", expectation: spacingRange))
        }
        let r = image.reported
        for (key, value) in [("bpd_mm", r.bpdMM), ("ofd_mm", r.ofdMM), ("hc_mm", r.hcMM), ("ac_mm", r.acMM), ("fl_mm", r.flMM)] {
            if let v = value, !(v.isFinite && v > 0 && v < 1000) {
                issues.append(ManifestIssue(line: line, field: field(line == nil ? "reported.\(key)" : key), found: "\(v)",
                                            expectation: Message("manifest.expected.length_range", ["min": .number(0), "max": .number(1000)])))
            }
        }
        return issues
    }

    /// What a usable exam or LMP date is when `text` is not one (strict ``CivilDate``, plausible year), or nil.
    static func dateProblem(_ text: String) -> Message? {
        guard let date = CivilDate(parsing: text) else { return Message("manifest.expected.iso_date") }
        guard date.isPlausible else {
            return Message("manifest.expected.date_years", ["first": .number(Double(CivilDate.plausibleYears.lowerBound)),
                                                            "last": .number(Double(CivilDate.plausibleYears.upperBound))])
        }
        return nil
    }

    /// One of several literal values (planes, schemas, caliper measures), listed as the file spells them.
    static func oneOf(_ values: [String]) -> Message {
        Message("manifest.expected.one_of", ["choices": .text(values.joined(separator: ", "))])
    }

    static var planeChoices: Message { oneOf(Plane.allCases.map(\.rawValue)) }

    static var headerMessage: Message { Message("manifest.expected.header", ["columns": .text(csvHeader.joined(separator: ","))]) }

    static var spacingRange: Message {
        Message("manifest.expected.spacing_range", ["min": .number(0), "max": .number(10)])
    }

    /// ``GestationalAge/plausibleMaximum`` as weeks and days (placeholders, so each language writes its own form).
    static var maximumAge: [String: MessageArg] {
        let days = GestationalAge.plausibleMaximum.totalDays
        return ["weeks": .number(Double(days / 7)), "days": .number(Double(days % 7))]
    }

    /// Values are echoed in error messages that end up in logs and summary.json: control
    /// characters are shown escaped and very long values cut, so a hostile cell cannot forge lines.
    static func printable(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if out.unicodeScalars.count >= 80 { return out + "…" }
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    // MARK: CSV

    /// Parses the CSV form. Rows of one scan need not be adjacent; scans keep the order of their first row.
    public static func parseCSV(_ text: String, path: String) throws(ManifestError) -> BatchManifest {
        let rows = CSV.parse(text)
        guard let headerRow = rows.first else {
            throw ManifestError(path: path, issues: [ManifestIssue(line: 1, field: "header", found: "an empty file",
                                                                    expectation: headerMessage)])
        }
        let header = CSV.Header(headerRow)
        let names = header.names
        var issues: [ManifestIssue] = []
        for duplicate in header.duplicates {
            issues.append(ManifestIssue(line: header.line, field: duplicate.name,
                                        found: "the column again in position \(duplicate.repeated) (first in position \(duplicate.first))",
                                        expectation: Message("manifest.expected.unique_column")))
        }
        for required in csvHeader where !names.contains(required) {
            issues.append(ManifestIssue(line: header.line, field: required, found: "no such column",
                                        expectation: headerMessage))
        }
        for name in Set(names).sorted() where !csvHeader.contains(name) {
            issues.append(ManifestIssue(line: header.line, field: name, found: "an unknown column", expectation: Message("manifest.expected.known_columns", ["columns": .text(csvHeader.joined(separator: ","))])))
        }
        if !issues.isEmpty { throw ManifestError(path: path, issues: issues) }
        let column = header.index

        var scans: [ScanEntry] = []
        var scanIndex: [String: Int] = [:]
        var scanLine: [String: Int] = [:]
        var seenFiles: [String: Int] = [:]
        for row in rows.dropFirst() {
            if row.isBlank { continue }
            guard row.fields.count == names.count else {
                issues.append(ManifestIssue(line: row.line, field: "row", found: "\(row.fields.count) fields", expectation: Message("manifest.expected.field_count", ["count": .number(Double(names.count))])))
                continue
            }
            func cell(_ name: String) -> String? {
                let v = row.fields[column[name]!].trimmingCharacters(in: .whitespaces)
                return v.isEmpty ? nil : v
            }
            func number(_ name: String) -> Double? {
                guard let text = cell(name) else { return nil }
                guard let v = Double(text), v.isFinite else {
                    issues.append(ManifestIssue(line: row.line, field: name, found: "\"\(printable(text))\"", expectation: Message("manifest.expected.number_mm")))
                    return nil
                }
                return v
            }
            guard let scanID = cell("scan_id") else {
                issues.append(ManifestIssue(line: row.line, field: "scan_id", found: "an empty cell", expectation: Message("manifest.expected.scan_id")))
                continue
            }
            guard let file = cell("file") else {
                issues.append(ManifestIssue(line: row.line, field: "file", found: "an empty cell", expectation: Message("manifest.expected.relative_path")))
                continue
            }
            var plane = Plane.unknown
            if let p = cell("plane") {
                if let parsed = Plane(rawValue: p.lowercased()) { plane = parsed } else {
                    issues.append(ManifestIssue(line: row.line, field: "plane", found: "\"\(p)\"",
                                                expectation: planeChoices))
                }
            }
            let image = ImageEntry(file: file, plane: plane, pixelSpacingMM: number("pixel_spacing_mm"),
                                   reported: ReportedMeasurements(bpdMM: number("bpd_mm"), ofdMM: number("ofd_mm"), hcMM: number("hc_mm"),
                                                                  acMM: number("ac_mm"), flMM: number("fl_mm")))
            issues += validateImage(image, field: { $0 }, line: row.line)
            if let first = seenFiles[image.normalisedFile] {
                issues.append(ManifestIssue(line: row.line, field: "file", found: "\"\(printable(file))\", already on line \(first)", expectation: Message("manifest.expected.unique_file")))
            } else {
                seenFiles[image.normalisedFile] = row.line
            }
            let scan = ScanEntry(scanID: scanID, unitID: cell("unit_id"), operatorID: cell("operator_id"), examDate: cell("exam_date"),
                                 gestationalAge: cell("gestational_age"), lmpDate: cell("lmp_date"), images: [])
            if let i = scanIndex[scanID] {
                let existing = scans[i]
                let pairs: [(String, String?, String?)] = [
                    ("unit_id", existing.unitID, scan.unitID), ("operator_id", existing.operatorID, scan.operatorID),
                    ("exam_date", existing.examDate, scan.examDate), ("gestational_age", existing.gestationalAge, scan.gestationalAge),
                    ("lmp_date", existing.lmpDate, scan.lmpDate),
                ]
                for (name, a, b) in pairs where a != b {
                    issues.append(ManifestIssue(line: row.line, field: name, found: "\"\(b ?? "")\"",
                                                expectation: Message("manifest.expected.same_as_line", ["value": .text(a ?? ""), "line": .number(Double(scanLine[scanID]!))])))
                }
                scans[i].images.append(image)
            } else {
                var newScan = scan
                newScan.images = [image]
                issues += validateScan(newScan, field: { $0 }, line: { _ in row.line })
                scanIndex[scanID] = scans.count
                scanLine[scanID] = row.line
                scans.append(newScan)
            }
        }
        if scans.isEmpty && issues.isEmpty {
            issues.append(ManifestIssue(line: header.line + 1, field: "row", found: "no image rows", expectation: Message("manifest.expected.row_per_image")))
        }
        if !issues.isEmpty { throw ManifestError(path: path, issues: issues) }
        return BatchManifest(scans: scans)
    }

    /// Renders a manifest in the CSV form (the inverse of ``parseCSV(_:path:)`` up to scan-level spacing,
    /// which CSV carries per image).
    public static func csv(_ manifest: BatchManifest) -> String {
        func n(_ v: Double?) -> String? { v.map { "\($0)" } }
        var out = CSV.record(csvHeader)
        for scan in manifest.scans {
            for image in scan.images {
                let r = image.reported
                out += CSV.record([scan.scanID, scan.unitID, scan.operatorID, scan.examDate, scan.gestationalAge, scan.lmpDate,
                                   n(image.pixelSpacingMM ?? scan.pixelSpacingMM), image.file, image.plane.rawValue,
                                   n(r.bpdMM), n(r.ofdMM), n(r.hcMM), n(r.acMM), n(r.flMM)])
            }
        }
        return out
    }
}

/// Which manifest rows have no image and which images have no manifest row.
package struct ManifestReconciliation: Sendable, Codable, Hashable {
    package struct MissingImage: Sendable, Codable, Hashable {
        package var scanID: String
        package var file: String
    }

    package var missingImages: [MissingImage]
    /// Image files (relative paths) present on disk but absent from the manifest, sorted.
    package var unlistedImages: [String]

    /// - Parameter imageFiles: relative paths of every image found under the batch directory.
    package static func reconcile(_ manifest: BatchManifest, imageFiles: [String]) -> ManifestReconciliation {
        let onDisk = Set(imageFiles)
        var listed: Set<String> = []
        var missing: [MissingImage] = []
        for scan in manifest.scans {
            for image in scan.images {
                listed.insert(image.file)
                if !onDisk.contains(image.file) { missing.append(MissingImage(scanID: scan.scanID, file: image.file)) }
            }
        }
        return ManifestReconciliation(missingImages: missing, unlistedImages: onDisk.subtracting(listed).sorted())
    }

    package var isClean: Bool { missingImages.isEmpty && unlistedImages.isEmpty }
}
