import SonoCore

/// The JSON Schema (2020-12) of ``ScanReport``, printed by `sonoqc schema scan-report`.
///
/// Written by hand next to the model; tests validate real reports against it (and the schema's
/// `required` / `additionalProperties: false` catch drift in either direction).
package enum ScanReportSchema {
    package static let id = "https://sonoqc.example/schemas/sonoqc-scan-report-1.json"

    static func object(_ properties: [String: JSONValue], required: [String], description: String? = nil) -> JSONValue {
        var o: [String: JSONValue] = [
            "type": "object",
            "properties": .object(properties),
            "required": .array(required.sorted().map { .string($0) }),
            "additionalProperties": false,
        ]
        if let description { o["description"] = .string(description) }
        return .object(o)
    }

    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/$defs/\(name)")] }
    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }
    static func strings(_ values: [String]) -> JSONValue { ["type": "string", "enum": .array(values.map { .string($0) })] }
    static let number: JSONValue = ["type": "number"]
    static let fraction: JSONValue = ["type": "number", "minimum": 0, "maximum": 1]
    static let grey: JSONValue = ["type": "number", "minimum": 0, "maximum": 255]
    static let count: JSONValue = ["type": "integer", "minimum": 0]
    static let string: JSONValue = ["type": "string"]
    static let sha256: JSONValue = ["type": "string", "pattern": "^[0-9a-f]{64}$"]

    package static var schema: JSONValue {
        let defs: [String: JSONValue] = [
            "ScanMetadata": object([
                "scanID": string, "unitID": string, "operatorID": string, "examDate": ["type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"],
                "gestationalAge": ["type": "string", "pattern": "^[0-9]+\\+[0-6]$"], "gestationalAgeDays": count,
                "gestationalAgeSource": strings(["manifest", "lmp"]), "fromManifest": ["type": "boolean"],
            ], required: ["scanID", "fromManifest"], description: "Identifying data of the scan, from the manifest or the directory."),
            "Reference": object([
                "chart": string, "caliperConvention": string, "gaFromHCMethod": string, "profile": string,
            ], required: ["chart", "caliperConvention", "gaFromHCMethod", "profile"],
               description: "Reference chart and caliper convention the numbers are read against."),
            "Calibration": object([
                "status": strings(["calibrated", "uncalibrated"]), "mmPerPixel": number, "offeredMMPerPixelX": number,
                "offeredMMPerPixelY": number, "source": strings(PixelSpacingSources.all), "reason": string, "reasonMessage": ref("Message"),
            ], required: ["status"], description: "The mm/px applied and where it came from; uncalibrated lengths are in pixels."),
            "Metrics": object([
                "fieldOfViewFraction": fraction, "analysedPixels": count, "meanGrey": grey, "p5Grey": grey, "medianGrey": grey, "p95Grey": grey,
                "saturatedFraction": fraction, "crushedFraction": fraction, "dynamicRange": grey, "rmsContrast": ["type": "number", "minimum": 0],
                "sharpness": ["type": "number", "minimum": 0], "speckleSNR": ["type": "number", "minimum": 0], "skullBrainGCNR": fraction,
            ], required: ["fieldOfViewFraction", "analysedPixels", "meanGrey", "p5Grey", "medianGrey", "p95Grey", "saturatedFraction",
                          "crushedFraction", "dynamicRange", "rmsContrast", "sharpness"],
               description: "Image-quality statistics inside the field of view, overlays excluded."),
            "Region": object(["x": count, "y": count, "width": count, "height": count], required: ["x", "y", "width", "height"]),
            "Overlays": object([
                "kinds": array(strings(["black-box", "grey-bar", "marks-in-field-of-view", "text-outside-field-of-view"])),
                "maskedFraction": fraction, "maskedPixelsInFieldOfView": count, "regions": array(ref("Region")),
            ], required: ["kinds", "maskedFraction", "maskedPixelsInFieldOfView", "regions"]),
            "Head": object([
                "found": ["type": "boolean"], "failure": string, "centreXPx": number, "centreYPx": number,
                "semiMajorPx": ["type": "number", "minimum": 0], "semiMinorPx": ["type": "number", "minimum": 0],
                "angleDeg": ["type": "number", "minimum": -90, "maximum": 90], "confidenceScore": number, "perimeterSupport": fraction,
                "ringContrastRatio": number, "areaFractionOfImage": ["type": "number", "minimum": 0],
                "areaFractionOfFieldOfView": ["type": "number", "minimum": 0], "outlineInFieldOfView": fraction,
                "ringEchoDeficit": fraction, "midlineContrast": ["type": "number", "minimum": 0],
                "expectedHCErrorMM": ["type": "number", "minimum": 0], "planeScore": count, "planeScoreMax": count,
            ], required: ["found"], description: "Automatic head ellipse (outer border, pixels) and plane criteria."),
            "Measurement": object([
                "measure": strings(["hc", "bpd", "ofd", "ac", "fl"]), "reportedMM": number, "automaticMM": number, "automaticPx": number,
                "reportedZ": number, "reportedCentile": ["type": "number", "minimum": 0, "maximum": 100], "automaticZ": number,
            ], required: ["measure"], description: "A biometric length as reported and as measured, with its z-score and centile."),
            "Finding": object([
                "rule": strings(RuleID.allCases.map(\.rawValue)), "outcome": strings(Outcome.allCases.map(\.rawValue)),
                "severity": strings(Severity.allCases.map(\.rawValue)), "file": string, "measured": number, "unit": string,
                "threshold": string, "explanation": string,
                "message": ref("Message"), "unitMessage": ref("Message"), "thresholdMessage": ref("Message"),
            ], required: ["rule", "outcome", "severity", "explanation"],
               description: "One rule's result; see docs/qc-rules.md. explanation/unit/threshold are English; the *Message fields are their catalogue keys and arguments."),
            "Message": object([
                "key": string, "args": ["type": "object", "additionalProperties": ["type": ["number", "string"]]],
            ], required: ["key"], description: "A text catalogue key (Sources/SonoL10n/Resources/<language>.json) and its named arguments."),
            "Verdict": object([
                "value": strings(Verdict.Value.allCases.map(\.rawValue)), "reasons": array(string),
            ], required: ["value", "reasons"]),
            "Counts": object(["fail": count, "warning": count, "needsReview": count, "notCheckable": count],
                             required: ["fail", "warning", "needsReview", "notCheckable"]),
            "Image": object([
                "file": string, "plane": strings(Plane.allCases.map(\.rawValue)), "format": strings(["png", "jpeg", "dicom"]),
                "widthPx": count, "heightPx": count,
                "colourChunks": ["type": "array", "items": strings(["gAMA", "cHRM", "sRGB", "iCCP"]), "minItems": 1,
                                 "description": "Colour-management chunks in the file, listed but not applied: metrics are of the stored samples."],
                "calibration": ref("Calibration"), "metrics": ref("Metrics"), "overlays": ref("Overlays"),
                "perceptualHash": ["type": "string", "pattern": "^[0-9a-f]{16}$"], "head": ref("Head"),
                "measurements": array(ref("Measurement")), "findings": array(ref("Finding")), "verdict": ref("Verdict"),
            ], required: ["file", "plane", "format", "widthPx", "heightPx", "calibration", "metrics", "overlays", "perceptualHash",
                          "measurements", "findings", "verdict"]),
            "Failure": object(["file": string, "error": string], required: ["file", "error"]),
            // libdeflate is not required: builds before it inflated PNG data wrote reports without it.
            "Provenance": object([
                "sonoqcVersion": string, "runDate": ["type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"], "codecs": object(["libpng": string, "libdeflate": string, "libjpeg-turbo": string, "openjpeg": string],
                                                    required: ["libpng", "libjpeg-turbo", "openjpeg"]), "qcProfileSHA256": sha256, "options": array(string),
                "inputs": array(object(["file": string, "sha256": sha256], required: ["file"])),
            ], required: ["sonoqcVersion", "runDate", "codecs", "qcProfileSHA256", "options", "inputs"],
               description: "What produced the report: SonoQC and codec versions, the day it ran, the applied QC profile's SHA-256, the settings that change outputs, and each input file's SHA-256 (absent when the file could not be read)."),
        ]
        var root = object([
            "schema": ["const": .string(ScanReport.currentSchema)],
            "scan": ref("ScanMetadata"), "reference": ref("Reference"), "images": array(ref("Image")), "failures": array(ref("Failure")),
            "findings": array(ref("Finding")), "counts": ref("Counts"), "verdict": ref("Verdict"), "provenance": ref("Provenance"),
        ], required: ["schema", "scan", "reference", "images", "failures", "findings", "counts", "verdict", "provenance"],
           description: "SonoQC per-scan QC report (\(ScanReport.currentSchema)): metadata, per-image metrics, findings, measurements, verdict.")
        guard case var .object(o) = root else { return root }
        o["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        o["$id"] = .string(id)
        o["title"] = "SonoQC scan report"
        o["$defs"] = .object(defs)
        root = .object(o)
        return root
    }

    /// The schema as printed: sorted keys, pretty, final newline.
    package static func text() throws -> String { try ReportJSON.string(schema) }
}

enum PixelSpacingSources {
    static let all = ["manifest", "png-phys", "jpeg-density", "simulator", "command-line",
                      "dicom-region", "dicom-pixel-spacing", "dicom-imager-pixel-spacing"]
}
