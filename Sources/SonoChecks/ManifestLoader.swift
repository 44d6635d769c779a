import Foundation
import SonoCore
import SonoBiometry

/// One problem in a manifest, located precisely enough to fix it: the CSV line or JSON path, the
/// field, what was found and what was expected.
public struct ManifestIssue: Sendable, Codable, Hashable, CustomStringConvertible {
    /// 1-based line of a CSV manifest (the header is line 1); nil for JSON.
    public var line: Int?
    /// JSON coding path such as `scans[2].images[0].plane`, or the CSV column name.
    public var field: String
    public var found: String
    public var expected: String

    public init(line: Int? = nil, field: String, found: String, expected: String) {
        self.line = line
        self.field = field
        self.found = found
        self.expected = expected
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
    public static let csvHeader = ["scan_id", "unit_id", "operator_id", "exam_date", "gestational_age", "lmp_date",
                                   "pixel_spacing_mm", "file", "plane", "bpd_mm", "ofd_mm", "hc_mm", "ac_mm", "fl_mm"]

    /// Reads `manifest.json` or `manifest.csv` (by extension; otherwise by the first non-blank character).
    public static func load(contentsOf url: URL) throws(ManifestError) -> BatchManifest {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ManifestError(path: url.path, issues: [ManifestIssue(field: "file", found: "unreadable (\(error.localizedDescription))",
                                                                        expected: "a readable manifest file")])
        }
        let isCSV = url.pathExtension.lowercased() == "csv"
            || (url.pathExtension.lowercased() != "json" && data.first(where: { !($0 == 32 || $0 == 10 || $0 == 13 || $0 == 9) }) != UInt8(ascii: "{"))
        if isCSV {
            guard let text = String(data: data, encoding: .utf8) else {
                throw ManifestError(path: url.path, issues: [ManifestIssue(field: "file", found: "bytes that are not UTF-8",
                                                                            expected: "UTF-8 CSV text")])
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
            throw ManifestError(path: path, issues: [ManifestIssue(field: "(document)", found: "\(error)", expected: "JSON")])
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
                                 expected: "\(type)")
        case let .valueNotFound(type, ctx):
            return ManifestIssue(field: codingPath(ctx.codingPath), found: "null", expected: "\(type)")
        case let .keyNotFound(key, ctx):
            return ManifestIssue(field: codingPath(ctx.codingPath + [key]), found: "no such key", expected: "required key \"\(key.stringValue)\"")
        case let .dataCorrupted(ctx):
            let field = codingPath(ctx.codingPath)
            if field.hasSuffix("plane") {
                return ManifestIssue(field: field, found: ctx.debugDescription,
                                     expected: "one of " + Plane.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return ManifestIssue(field: field, found: ctx.debugDescription, expected: "valid JSON")
        @unknown default:
            return ManifestIssue(field: "(document)", found: "\(error)", expected: "a sonoqc-manifest/1 document")
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
                                        expected: BatchManifest.acceptedSchemas.sorted().map { "\"\($0)\"" }.joined(separator: " or ")))
        }
        var seenScans: Set<String> = []
        var seenFiles: Set<String> = []
        for (s, scan) in manifest.scans.enumerated() {
            let base = "scans[\(s)]"
            issues += validateScan(scan, field: { "\(base).\($0)" }, line: { _ in nil })
            if !seenScans.insert(scan.scanID).inserted {
                issues.append(ManifestIssue(field: "\(base).scan_id", found: "\"\(scan.scanID)\" again", expected: "a scan id used once"))
            }
            for (i, image) in scan.images.enumerated() {
                let f = "\(base).images[\(i)]"
                issues += validateImage(image, field: { "\(f).\($0)" }, line: nil)
                issues += validateCalipers(image, schema: manifest.schema, field: "\(f).calipers")
                if !seenFiles.insert(image.normalisedFile).inserted {
                    issues.append(ManifestIssue(field: "\(f).file", found: "\"\(image.file)\" again", expected: "each file listed once"))
                }
            }
        }
        return issues
    }

    static func validateScan(_ scan: ScanEntry, field: (String) -> String, line: (String) -> Int?) -> [ManifestIssue] {
        var issues: [ManifestIssue] = []
        if let problem = ScanEntry.scanIDProblem(scan.scanID) {
            issues.append(ManifestIssue(line: line("scan_id"), field: field("scan_id"), found: "\"\(printable(scan.scanID))\" (\(problem))",
                                        expected: "a scan id without path separators or control characters (it names the report directory)"))
        }
        for (key, value) in [("exam_date", scan.examDate), ("lmp_date", scan.lmpDate)] {
            if let value, let problem = dateProblem(value) {
                issues.append(ManifestIssue(line: line(key), field: field(key), found: "\"\(printable(value))\"", expected: problem))
            }
        }
        if let ga = scan.gestationalAge {
            do {
                let age = try GestationalAge(parsing: ga)
                if !age.isPlausible {
                    issues.append(ManifestIssue(line: line("gestational_age"), field: field("gestational_age"), found: "\"\(printable(ga))\"",
                                                expected: "a gestational age from 0+0 to \(GestationalAge.plausibleMaximum)"))
                }
            } catch {
                issues.append(ManifestIssue(line: line("gestational_age"), field: field("gestational_age"), found: "\"\(printable(ga))\"",
                                            expected: "weeks+days such as 20+3"))
            }
        } else if let lmp = scan.lmpDate, dateProblem(lmp) == nil {
            if scan.examDate == nil {
                issues.append(ManifestIssue(line: line("exam_date"), field: field("exam_date"), found: "nothing",
                                            expected: "an exam date to derive the gestational age from lmp_date"))
            } else if let exam = scan.examDate, dateProblem(exam) == nil {
                do {
                    let age = try GestationalAge(lastMenstrualPeriod: lmp, examDate: exam)
                    if !age.isPlausible {
                        issues.append(ManifestIssue(line: line("lmp_date"), field: field("lmp_date"), found: "\"\(lmp)\" (\(age) on \(exam))",
                                                    expected: "an LMP giving a gestational age up to \(GestationalAge.plausibleMaximum)"))
                    }
                } catch {
                    issues.append(ManifestIssue(line: line("lmp_date"), field: field("lmp_date"), found: "\"\(lmp)\" (\(error.summary))",
                                                expected: "an LMP date on or before the exam date"))
                }
            }
        }
        if let s = scan.pixelSpacingMM, !(s.isFinite && s > 0 && s < 10) {
            issues.append(ManifestIssue(line: line("pixel_spacing_mm"), field: field("pixel_spacing_mm"), found: "\(s)",
                                        expected: "a number of mm per pixel between 0 and 10"))
        }
        if scan.images.isEmpty {
            issues.append(ManifestIssue(line: line("images"), field: field("images"), found: "no images", expected: "at least one image"))
        }
        return issues
    }

    static func validateImage(_ image: ImageEntry, field: (String) -> String, line: Int?) -> [ManifestIssue] {
        var issues: [ManifestIssue] = []
        if image.file.isEmpty || image.file.hasPrefix("/") || image.file.split(separator: "/").contains("..") {
            issues.append(ManifestIssue(line: line, field: field("file"), found: "\"\(image.file)\"",
                                        expected: "a path relative to the manifest's directory, without '..'"))
        }
        if let s = image.pixelSpacingMM, !(s.isFinite && s > 0 && s < 10) {
            issues.append(ManifestIssue(line: line, field: field("pixel_spacing_mm"), found: "\(s)", expected: "a number of mm per pixel between 0 and 10"))
        }
        let r = image.reported
        for (key, value) in [("bpd_mm", r.bpdMM), ("ofd_mm", r.ofdMM), ("hc_mm", r.hcMM), ("ac_mm", r.acMM), ("fl_mm", r.flMM)] {
            if let v = value, !(v.isFinite && v > 0 && v < 1000) {
                issues.append(ManifestIssue(line: line, field: field(line == nil ? "reported.\(key)" : key), found: "\(v)",
                                            expected: "a length in mm between 0 and 1000"))
            }
        }
        return issues
    }

    /// Why `text` is not a usable exam or LMP date (strict ``CivilDate``, plausible year), or nil.
    static func dateProblem(_ text: String) -> String? {
        guard let date = CivilDate(parsing: text) else { return "an ISO date YYYY-MM-DD" }
        guard date.isPlausible else {
            return "a date in the years \(CivilDate.plausibleYears.lowerBound)–\(CivilDate.plausibleYears.upperBound)"
        }
        return nil
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
                                                                    expected: csvHeader.joined(separator: ","))])
        }
        let header = CSV.Header(headerRow)
        let names = header.names
        var issues: [ManifestIssue] = []
        for duplicate in header.duplicates {
            issues.append(ManifestIssue(line: header.line, field: duplicate.name,
                                        found: "the column again in position \(duplicate.repeated) (first in position \(duplicate.first))",
                                        expected: "each column once"))
        }
        for required in csvHeader where !names.contains(required) {
            issues.append(ManifestIssue(line: header.line, field: required, found: "no such column",
                                        expected: "header " + csvHeader.joined(separator: ",")))
        }
        for name in Set(names).sorted() where !csvHeader.contains(name) {
            issues.append(ManifestIssue(line: header.line, field: name, found: "an unknown column", expected: "only the columns " + csvHeader.joined(separator: ",")))
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
                issues.append(ManifestIssue(line: row.line, field: "row", found: "\(row.fields.count) fields", expected: "\(names.count) fields"))
                continue
            }
            func cell(_ name: String) -> String? {
                let v = row.fields[column[name]!].trimmingCharacters(in: .whitespaces)
                return v.isEmpty ? nil : v
            }
            func number(_ name: String) -> Double? {
                guard let text = cell(name) else { return nil }
                guard let v = Double(text), v.isFinite else {
                    issues.append(ManifestIssue(line: row.line, field: name, found: "\"\(printable(text))\"", expected: "a finite number in mm (decimal point, no unit)"))
                    return nil
                }
                return v
            }
            guard let scanID = cell("scan_id") else {
                issues.append(ManifestIssue(line: row.line, field: "scan_id", found: "an empty cell", expected: "a scan id"))
                continue
            }
            guard let file = cell("file") else {
                issues.append(ManifestIssue(line: row.line, field: "file", found: "an empty cell", expected: "an image path relative to the manifest"))
                continue
            }
            var plane = Plane.unknown
            if let p = cell("plane") {
                if let parsed = Plane(rawValue: p.lowercased()) { plane = parsed } else {
                    issues.append(ManifestIssue(line: row.line, field: "plane", found: "\"\(p)\"",
                                                expected: "one of " + Plane.allCases.map(\.rawValue).joined(separator: ", ")))
                }
            }
            let image = ImageEntry(file: file, plane: plane, pixelSpacingMM: number("pixel_spacing_mm"),
                                   reported: ReportedMeasurements(bpdMM: number("bpd_mm"), ofdMM: number("ofd_mm"), hcMM: number("hc_mm"),
                                                                  acMM: number("ac_mm"), flMM: number("fl_mm")))
            issues += validateImage(image, field: { $0 }, line: row.line)
            if let first = seenFiles[image.normalisedFile] {
                issues.append(ManifestIssue(line: row.line, field: "file", found: "\"\(printable(file))\", already on line \(first)", expected: "each file listed once"))
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
                                                expected: "\"\(a ?? "")\" as on line \(scanLine[scanID]!) (scan columns must agree within a scan)"))
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
            issues.append(ManifestIssue(line: header.line + 1, field: "row", found: "no image rows", expected: "one row per image"))
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
public struct ManifestReconciliation: Sendable, Codable, Hashable {
    public struct MissingImage: Sendable, Codable, Hashable {
        public var scanID: String
        public var file: String
    }

    public var missingImages: [MissingImage]
    /// Image files (relative paths) present on disk but absent from the manifest, sorted.
    public var unlistedImages: [String]

    /// - Parameter imageFiles: relative paths of every image found under the batch directory.
    public static func reconcile(_ manifest: BatchManifest, imageFiles: [String]) -> ManifestReconciliation {
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

    public var isClean: Bool { missingImages.isEmpty && unlistedImages.isEmpty }
}
