import Foundation
package import SonoCore

/// Evaluates ``HeadMeasurer`` against reference head circumferences (the HC18 `truth.csv`
/// format, or the simulator's truth files in the same format).
///
/// Lives in the library, not the command, so tests can run it. File decoding is injected
/// (`decode`), keeping this module free of codec dependencies.
package enum HCEvaluation {
    /// One row of a truth file: `filename,pixel_size_mm,hc_mm`.
    package struct TruthEntry: Sendable, Hashable, Codable {
        package var filename: String
        package var pixelSizeMM: Double
        package var hcMM: Double

        package init(filename: String, pixelSizeMM: Double, hcMM: Double) {
            self.filename = filename
            self.pixelSizeMM = pixelSizeMM
            self.hcMM = hcMM
        }
    }

    /// A malformed truth file.
    package struct TruthFileError: SonoError, Equatable {
        package var line: Int
        package var reason: String
        package var summary: String { "truth file line \(line): \(reason)" }
    }

    /// Parses a truth CSV. Requires the header columns `filename`, `pixel_size_mm`, `hc_mm`
    /// (in any order; other columns are ignored).
    package static func parseTruth(_ text: String) throws(TruthFileError) -> [TruthEntry] {
        let rows = CSV.parse(text).filter { !$0.isBlank }
        guard let headerRow = rows.first else { throw TruthFileError(line: 1, reason: "empty file") }
        let header = CSV.Header(headerRow)
        if let duplicate = header.duplicates.first {
            throw TruthFileError(line: header.line, reason: "column \(duplicate.name) appears twice (positions \(duplicate.first) and \(duplicate.repeated))")
        }
        guard let fi = header.index["filename"], let pi = header.index["pixel_size_mm"], let hi = header.index["hc_mm"]
        else { throw TruthFileError(line: header.line, reason: "header must contain filename, pixel_size_mm and hc_mm") }
        var entries: [TruthEntry] = []
        for row in rows.dropFirst() {
            let fields = row.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count > max(fi, pi, hi) else {
                throw TruthFileError(line: row.line, reason: "expected \(header.names.count) fields, found \(fields.count)")
            }
            // Finite and plausible: `inf` or `1e999` would pass `> 0` and then fail only when the
            // summary is written as JSON, after every image was measured.
            guard let pixel = Double(fields[pi]), pixel.isFinite, pixel > 0, pixel < 10 else {
                throw TruthFileError(line: row.line, reason: "pixel_size_mm must be a number of mm between 0 and 10, found \"\(fields[pi].prefix(40))\"")
            }
            guard let hc = Double(fields[hi]), hc.isFinite, hc > 0, hc < 1000 else {
                throw TruthFileError(line: row.line, reason: "hc_mm must be a length in mm between 0 and 1000, found \"\(fields[hi].prefix(40))\"")
            }
            entries.append(TruthEntry(filename: fields[fi], pixelSizeMM: pixel, hcMM: hc))
        }
        return entries
    }

    /// What happened to one image.
    package struct ImageResult: Sendable, Hashable {
        package var entry: TruthEntry
        package var measurement: HeadMeasurement?
        /// Why there is no measurement (decode error or measurer failure).
        package var failure: String?
        /// Time spent in ``HeadMeasurer/measure(_:spacingMMPerPixel:mask:options:)``, seconds.
        package var measureSeconds: Double
        /// The expert ellipse, when an ellipse truth file was given.
        package var ellipseTruth: EllipseTruthEntry?
        /// Cross-validation fold of the image (nil for an in-sample evaluation).
        package var fold: Int?

        package init(entry: TruthEntry, measurement: HeadMeasurement?, failure: String?, measureSeconds: Double,
                    ellipseTruth: EllipseTruthEntry? = nil, fold: Int? = nil) {
            self.entry = entry
            self.measurement = measurement
            self.failure = failure
            self.measureSeconds = measureSeconds
            self.ellipseTruth = ellipseTruth
            self.fold = fold
        }

        /// Measured minus reference HC, mm.
        package var signedDiffMM: Double? { measurement?.hcMM.map { $0 - entry.hcMM } }
        /// Measured minus expert BPD (outer-to-outer), mm.
        package var bpdDiffMM: Double? {
            guard let m = measurement?.bpdMM, let t = ellipseTruth else { return nil }
            return m - t.bpdMM
        }
        /// Measured minus expert OFD, mm.
        package var ofdDiffMM: Double? {
            guard let m = measurement?.ofdMM, let t = ellipseTruth else { return nil }
            return m - t.ofdMM
        }
        /// Distance between the measured and the expert centre, mm.
        package var centreDistanceMM: Double? {
            guard let m = measurement, let s = m.spacingMMPerPixel, let t = ellipseTruth else { return nil }
            return ((m.ellipse.centerX - t.centerXPx) * (m.ellipse.centerX - t.centerXPx)
                + (m.ellipse.centerY - t.centerYPx) * (m.ellipse.centerY - t.centerYPx)).squareRoot() * s
        }
        /// Smallest angle between the measured and the expert major axis, degrees (0–90).
        package var angleDiffDeg: Double? {
            guard let m = measurement, let t = ellipseTruth else { return nil }
            var d = (m.ellipse.majorAxisAngleRadians * 180 / Double.pi - t.majorAxisAngleDeg).truncatingRemainder(dividingBy: 180)
            if d < 0 { d += 180 }
            return min(d, 180 - d)
        }
    }

    /// One row of `ellipse-truth.csv` (hc18-dev): the expert ellipse in pixels and its BPD/OFD.
    package struct EllipseTruthEntry: Sendable, Hashable, Codable {
        package var filename: String
        package var centerXPx: Double
        package var centerYPx: Double
        package var semiMajorPx: Double
        package var semiMinorPx: Double
        /// 0–180, from +x towards +y (clockwise on screen, as ``Ellipse/majorAxisAngleRadians``).
        package var majorAxisAngleDeg: Double
        package var bpdMM: Double
        package var ofdMM: Double

        package init(filename: String, centerXPx: Double, centerYPx: Double, semiMajorPx: Double, semiMinorPx: Double,
                    majorAxisAngleDeg: Double, bpdMM: Double, ofdMM: Double) {
            self.filename = filename
            self.centerXPx = centerXPx
            self.centerYPx = centerYPx
            self.semiMajorPx = semiMajorPx
            self.semiMinorPx = semiMinorPx
            self.majorAxisAngleDeg = majorAxisAngleDeg
            self.bpdMM = bpdMM
            self.ofdMM = ofdMM
        }
    }

    /// Parses an ellipse truth CSV; needs the header columns `filename, center_x_px, center_y_px,
    /// semi_major_px, semi_minor_px, major_axis_angle_deg, bpd_mm, ofd_mm` in any order.
    package static func parseEllipseTruth(_ text: String) throws(TruthFileError) -> [EllipseTruthEntry] {
        let columns = ["filename", "center_x_px", "center_y_px", "semi_major_px", "semi_minor_px",
                       "major_axis_angle_deg", "bpd_mm", "ofd_mm"]
        var lines = text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline).map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        guard !lines.isEmpty else { throw TruthFileError(line: 1, reason: "empty file") }
        let header = lines.removeFirst().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var index: [Int] = []
        for c in columns {
            guard let i = header.firstIndex(of: c) else {
                throw TruthFileError(line: 1, reason: "header must contain \(columns.joined(separator: ", "))")
            }
            index.append(i)
        }
        var out: [EllipseTruthEntry] = []
        for (n, line) in lines.enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count > index.max()! else {
                throw TruthFileError(line: n + 2, reason: "expected \(header.count) fields, found \(fields.count)")
            }
            let v = index.dropFirst().map { Double(fields[$0]) }
            guard v.allSatisfy({ $0?.isFinite == true }), let a = v[2], let b = v[3], a > 0, b > 0 else {
                throw TruthFileError(line: n + 2, reason: "ellipse fields must be finite numbers with positive axes")
            }
            out.append(EllipseTruthEntry(filename: fields[index[0]], centerXPx: v[0]!, centerYPx: v[1]!, semiMajorPx: a,
                                         semiMinorPx: b, majorAxisAngleDeg: v[4]!, bpdMM: v[5]!, ofdMM: v[6]!))
        }
        return out
    }

    /// Attaches each result's expert ellipse by file name.
    package static func attach(_ ellipses: [EllipseTruthEntry], to results: [ImageResult]) -> [ImageResult] {
        var byName: [String: EllipseTruthEntry] = [:]
        for e in ellipses { byName[e.filename] = e }
        return results.map { var r = $0; r.ellipseTruth = byName[r.entry.filename]; return r }
    }

    /// Aggregate accuracy; encodes with the snake_case keys of `summary.json`.
    ///
    /// Differences are over images with a result; `within_*` fractions are over **all** images,
    /// so an image without a result counts as a miss.
    package struct Summary: Sendable, Hashable, Codable {
        package var count: Int
        package var noResult: Int
        package var meanAbsDiffMM: Double?
        package var medianAbsDiffMM: Double?
        package var p95AbsDiffMM: Double?
        package var meanSignedDiffMM: Double?
        package var within2mm: Double
        package var within3mm: Double
        package var within5mm: Double
        package var within10mm: Double
        package var meanMeasureMS: Double
        /// Against the expert ellipse (nil without an ellipse truth file or without results).
        package var bpdMeanAbsDiffMM: Double? = nil
        package var ofdMeanAbsDiffMM: Double? = nil
        package var centreMeanDistanceMM: Double? = nil
        package var angleMedianAbsDiffDeg: Double? = nil
        /// `in-sample` or `cross-validated (K folds grouped by examination)`.
        package var evaluation: String = "in-sample"

        enum CodingKeys: String, CodingKey {
            case count
            case noResult = "no_result"
            case meanAbsDiffMM = "mean_abs_diff_mm"
            case medianAbsDiffMM = "median_abs_diff_mm"
            case p95AbsDiffMM = "p95_abs_diff_mm"
            case meanSignedDiffMM = "mean_signed_diff_mm"
            case within2mm = "within_2mm"
            case within3mm = "within_3mm"
            case within5mm = "within_5mm"
            case within10mm = "within_10mm"
            case meanMeasureMS = "mean_measure_ms"
            case bpdMeanAbsDiffMM = "bpd_mean_abs_diff_mm"
            case ofdMeanAbsDiffMM = "ofd_mean_abs_diff_mm"
            case centreMeanDistanceMM = "centre_mean_distance_mm"
            case angleMedianAbsDiffDeg = "angle_median_abs_diff_deg"
            case evaluation
        }

        package init(count: Int, noResult: Int, meanAbsDiffMM: Double?, medianAbsDiffMM: Double?, p95AbsDiffMM: Double?,
                    meanSignedDiffMM: Double?, within2mm: Double, within3mm: Double, within5mm: Double, within10mm: Double,
                    meanMeasureMS: Double) {
            self.count = count
            self.noResult = noResult
            self.meanAbsDiffMM = meanAbsDiffMM
            self.medianAbsDiffMM = medianAbsDiffMM
            self.p95AbsDiffMM = p95AbsDiffMM
            self.meanSignedDiffMM = meanSignedDiffMM
            self.within2mm = within2mm
            self.within3mm = within3mm
            self.within5mm = within5mm
            self.within10mm = within10mm
            self.meanMeasureMS = meanMeasureMS
        }

        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(count: try c.decode(Int.self, forKey: .count), noResult: try c.decode(Int.self, forKey: .noResult),
                      meanAbsDiffMM: try c.decodeIfPresent(Double.self, forKey: .meanAbsDiffMM),
                      medianAbsDiffMM: try c.decodeIfPresent(Double.self, forKey: .medianAbsDiffMM),
                      p95AbsDiffMM: try c.decodeIfPresent(Double.self, forKey: .p95AbsDiffMM),
                      meanSignedDiffMM: try c.decodeIfPresent(Double.self, forKey: .meanSignedDiffMM),
                      within2mm: try c.decode(Double.self, forKey: .within2mm), within3mm: try c.decode(Double.self, forKey: .within3mm),
                      within5mm: try c.decode(Double.self, forKey: .within5mm), within10mm: try c.decode(Double.self, forKey: .within10mm),
                      meanMeasureMS: try c.decode(Double.self, forKey: .meanMeasureMS))
            bpdMeanAbsDiffMM = try c.decodeIfPresent(Double.self, forKey: .bpdMeanAbsDiffMM)
            ofdMeanAbsDiffMM = try c.decodeIfPresent(Double.self, forKey: .ofdMeanAbsDiffMM)
            centreMeanDistanceMM = try c.decodeIfPresent(Double.self, forKey: .centreMeanDistanceMM)
            angleMedianAbsDiffDeg = try c.decodeIfPresent(Double.self, forKey: .angleMedianAbsDiffDeg)
            evaluation = try c.decodeIfPresent(String.self, forKey: .evaluation) ?? "in-sample"
        }

        /// Writes every key, with `null` for statistics that have no value (no image measured),
        /// so readers can rely on the key set.
        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(count, forKey: .count)
            try c.encode(noResult, forKey: .noResult)
            for (value, key) in [(meanAbsDiffMM, CodingKeys.meanAbsDiffMM), (medianAbsDiffMM, .medianAbsDiffMM),
                                 (p95AbsDiffMM, .p95AbsDiffMM), (meanSignedDiffMM, .meanSignedDiffMM),
                                 (bpdMeanAbsDiffMM, .bpdMeanAbsDiffMM), (ofdMeanAbsDiffMM, .ofdMeanAbsDiffMM),
                                 (centreMeanDistanceMM, .centreMeanDistanceMM), (angleMedianAbsDiffDeg, .angleMedianAbsDiffDeg)] {
                if let value { try c.encode(value, forKey: key) } else { try c.encodeNil(forKey: key) }
            }
            try c.encode(within2mm, forKey: .within2mm)
            try c.encode(within3mm, forKey: .within3mm)
            try c.encode(within5mm, forKey: .within5mm)
            try c.encode(within10mm, forKey: .within10mm)
            try c.encode(meanMeasureMS, forKey: .meanMeasureMS)
            try c.encode(evaluation, forKey: .evaluation)
        }
    }

    /// Measures every truth entry's image. `decode` turns a file name (relative to the images
    /// directory, as written in the truth file) into an 8-bit frame; its errors become failures.
    package static func evaluate(
        _ entries: [TruthEntry], options: HeadMeasurer.Options = HeadMeasurer.Options(),
        decode: (String) throws -> GrayImage
    ) -> [ImageResult] {
        let clock = ContinuousClock()
        return entries.map { entry in
            let image: GrayImage
            do {
                image = try decode(entry.filename)
            } catch {
                return ImageResult(entry: entry, measurement: nil, failure: "decode: \(error)", measureSeconds: 0)
            }
            let start = clock.now
            let result = HeadMeasurer.measure(image, spacingMMPerPixel: entry.pixelSizeMM, mask: nil, options: options)
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            switch result {
            case .success(let m):
                return ImageResult(entry: entry, measurement: m, failure: m.hcMM == nil ? m.calibrationNote : nil,
                                   measureSeconds: seconds)
            case .failure(let f):
                return ImageResult(entry: entry, measurement: nil, failure: f.summary, measureSeconds: seconds)
            }
        }
    }

    /// Aggregates per-image results.
    package static func summarize(_ results: [ImageResult]) -> Summary {
        let diffs = results.compactMap(\.signedDiffMM)
        let absolute = diffs.map(abs).sorted()
        let n = Double(max(results.count, 1))
        func within(_ limit: Double) -> Double { Double(absolute.filter { $0 <= limit }.count) / n }
        func quantile(_ q: Double) -> Double? { absolute.isEmpty ? nil : Statistics.quantile(absolute, q) }
        func mean(_ v: [Double]) -> Double? { v.isEmpty ? nil : v.reduce(0, +) / Double(v.count) }
        var summary = Summary(
            count: results.count, noResult: results.count - diffs.count,
            meanAbsDiffMM: absolute.isEmpty ? nil : absolute.reduce(0, +) / Double(absolute.count),
            medianAbsDiffMM: quantile(0.5), p95AbsDiffMM: quantile(0.95),
            meanSignedDiffMM: diffs.isEmpty ? nil : diffs.reduce(0, +) / Double(diffs.count),
            within2mm: within(2), within3mm: within(3), within5mm: within(5), within10mm: within(10),
            meanMeasureMS: 1000 * results.map(\.measureSeconds).reduce(0, +) / n)
        summary.bpdMeanAbsDiffMM = mean(results.compactMap(\.bpdDiffMM).map(abs))
        summary.ofdMeanAbsDiffMM = mean(results.compactMap(\.ofdDiffMM).map(abs))
        summary.centreMeanDistanceMM = mean(results.compactMap(\.centreDistanceMM))
        let angles = results.compactMap(\.angleDiffDeg)
        summary.angleMedianAbsDiffDeg = angles.isEmpty ? nil : Statistics.quantile(angles, 0.5)
        let folds = Set(results.compactMap(\.fold))
        if !folds.isEmpty { summary.evaluation = "cross-validated (\(folds.count) folds grouped by examination)" }
        return summary
    }

    /// `summary.json` text: sorted keys, pretty-printed.
    package static func summaryJSON(_ summary: Summary) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(summary), as: UTF8.self) + "\n"
    }

    /// `per-image.csv` text, one row per truth entry in input order.
    package static func perImageCSV(_ results: [ImageResult]) -> String {
        var out = "filename,pixel_size_mm,hc_mm,measured_hc_mm,diff_mm,abs_diff_mm,bpd_mm,ofd_mm,"
            + "center_x_px,center_y_px,semi_major_px,semi_minor_px,angle_deg,perimeter_support,residual_px,ridge_contrast,ring_ratio,"
            + "confidence,measure_ms,failure,ref_bpd_mm,ref_ofd_mm,bpd_diff_mm,ofd_diff_mm,centre_distance_mm,angle_diff_deg,"
            + "expected_abs_error_mm,hc_tolerance_mm,fold\n"
        func f(_ x: Double?, _ digits: Int = 3) -> String { x.map { String(format: "%.\(digits)f", $0) } ?? "" }
        for r in results {
            let m = r.measurement
            let fields: [String] = [
                r.entry.filename, "\(r.entry.pixelSizeMM)", "\(r.entry.hcMM)", f(m?.hcMM), f(r.signedDiffMM),
                f(r.signedDiffMM.map(abs)), f(m?.bpdMM), f(m?.ofdMM), f(m?.ellipse.centerX, 2), f(m?.ellipse.centerY, 2),
                f(m?.ellipse.semiMajor, 2), f(m?.ellipse.semiMinor, 2),
                f(m.map { $0.ellipse.majorAxisAngleRadians * 180 / Double.pi }, 1),
                f(m?.confidence.perimeterSupport), f(m?.confidence.residualRMSPixels),
                f(m?.confidence.ridgeContrast), f(m?.confidence.ringContrastRatio), f(m?.confidence.score),
                f(r.measureSeconds * 1000, 2), r.failure ?? "", f(r.ellipseTruth?.bpdMM, 2), f(r.ellipseTruth?.ofdMM, 2),
                f(r.bpdDiffMM), f(r.ofdDiffMM), f(r.centreDistanceMM), f(r.angleDiffDeg, 1),
                f(m?.uncertainty?.expectedAbsErrorHCMM), f(m?.uncertainty?.toleranceHCMM), r.fold.map(String.init) ?? "",
            ]
            out += CSV.record(fields)
        }
        return out
    }

    /// One-paragraph human summary for the command line.
    package static func summaryText(_ s: Summary) -> String {
        func mm(_ x: Double?) -> String { x.map { String(format: "%.2f mm", $0) } ?? "n/a" }
        func pct(_ x: Double) -> String { String(format: "%.1f %%", 100 * x) }
        return """
            images: \(s.count), no result: \(s.noResult)
            HC difference: mean abs \(mm(s.meanAbsDiffMM)), median abs \(mm(s.medianAbsDiffMM)), \
            p95 abs \(mm(s.p95AbsDiffMM)), mean signed \(mm(s.meanSignedDiffMM))
            within 2 mm: \(pct(s.within2mm)), 3 mm: \(pct(s.within3mm)), 5 mm: \(pct(s.within5mm)), \
            10 mm: \(pct(s.within10mm))
            measurement time: \(String(format: "%.2f", s.meanMeasureMS)) ms per image (mean)
            """ + (s.bpdMeanAbsDiffMM == nil ? "" : """

            against the expert ellipse: BPD mean abs \(mm(s.bpdMeanAbsDiffMM)), OFD mean abs \(mm(s.ofdMeanAbsDiffMM)), \
            centre mean distance \(mm(s.centreMeanDistanceMM)), angle median abs \
            \(s.angleMedianAbsDiffDeg.map { String(format: "%.1f deg", $0) } ?? "n/a")
            """) + "\nevaluation: \(s.evaluation)"
    }

    /// An RGB overlay of `image` (row-major, 3 bytes per pixel) with the measured ellipse in
    /// green, the skull centre line in blue and, when given, the reference ellipse in red, for eyeballing failures.
    package static func overlay(_ image: GrayImage, measured: Ellipse?, centreline: Ellipse? = nil,
                               reference: Ellipse? = nil) -> [UInt8] {
        var rgb = [UInt8](repeating: 0, count: image.pixelCount * 3)
        for i in 0..<image.pixelCount {
            let v = image.samples[i]
            rgb[3 * i] = v; rgb[3 * i + 1] = v; rgb[3 * i + 2] = v
        }
        func draw(_ e: Ellipse, _ colour: (UInt8, UInt8, UInt8)) {
            let steps = max(360, Int(e.perimeter * 2))
            for k in 0..<steps {
                let p = e.point(atParameter: 2 * Double.pi * Double(k) / Double(steps))
                for (dx, dy) in [(0, 0), (1, 0), (0, 1)] {
                    let x = Int(p.x.rounded()) + dx, y = Int(p.y.rounded()) + dy
                    guard x >= 0, y >= 0, x < image.width, y < image.height else { continue }
                    let i = 3 * (y * image.width + x)
                    rgb[i] = colour.0; rgb[i + 1] = colour.1; rgb[i + 2] = colour.2
                }
            }
        }
        if let reference { draw(reference, (255, 40, 40)) }
        if let centreline { draw(centreline, (60, 140, 255)) }
        if let measured { draw(measured, (40, 255, 40)) }
        return rgb
    }
}
