package import Foundation
import SonoChecks
import SonoCodecs
package import SonoCore
import SonoPipeline
package import SonoInput
import SonoL10n
import SonoAnalysis

/// A request the service refuses, with the HTTP status and the JSON error body it becomes.
package struct APIFailure: Error, Sendable, Equatable {
    package var httpStatus: Int
    package var code: String
    package var message: String
    /// Which limit was exceeded (413), and its value.
    package var limit: String?
    package var limitValue: Int64?
    package var issues: [ManifestIssue]?
    package var file: String?
    package var missing: [String]?

    package init(httpStatus: Int, code: String, message: String, limit: String? = nil, limitValue: Int64? = nil,
                issues: [ManifestIssue]? = nil, file: String? = nil, missing: [String]? = nil) {
        self.httpStatus = httpStatus
        self.code = code
        self.message = message
        self.limit = limit
        self.limitValue = limitValue
        self.issues = issues
        self.file = file
        self.missing = missing
    }

    static func tooLarge(_ limit: String, _ value: Int64, _ message: String) -> APIFailure {
        APIFailure(httpStatus: 413, code: "limit-exceeded", message: message, limit: limit, limitValue: value)
    }
    static let unauthorized = APIFailure(httpStatus: 401, code: "unauthorized", message: "a valid bearer token or session is required")
    static let forbidden = APIFailure(httpStatus: 403, code: "forbidden", message: "this account's role may not do this")
    static let notFound = APIFailure(httpStatus: 404, code: "not-found", message: "no such resource")
    static func invalid(_ message: String, file: String? = nil) -> APIFailure {
        APIFailure(httpStatus: 422, code: "invalid-request", message: message, file: file)
    }
}

/// What an upload may contain; pure functions, so every rule is unit-testable without a server.
package enum UploadRules {
    package static let limitNames = (file: "max_file_bytes", files: "max_files_per_batch", batch: "max_batch_bytes",
                                    manifest: "max_manifest_bytes")

    package static func isManifestName(_ name: String) -> Bool { InputDiscovery.manifestFileNames.contains(name) }

    /// A client's file name is kept as metadata and as the link name in the job's scratch
    /// directory, so it must be one plain path component: no separators, no leading dot (hidden,
    /// `.`/`..`, the atomic writer's temporaries), no control characters.
    package static func checkFileName(_ name: String) -> String? {
        if name.isEmpty { return "empty file name" }
        if name.utf8.count > 255 { return "file name longer than 255 bytes" }
        if name.hasPrefix(".") { return "file name starts with '.'" }
        if name.contains("/") || name.contains("\\") { return "file name contains a path separator" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "file name contains control characters" }
        if !isManifestName(name) && !InputDiscovery.hasImageExtension(name) {
            let extensions = InputDiscovery.imageExtensions.sorted().map { "." + $0 }.joined(separator: ", ")
            return "neither an image (\(extensions)) nor manifest.json / manifest.csv"
        }
        return nil
    }

    /// The batch's folder name in the job's scratch area, which becomes the scan-key prefix in
    /// the reports (as the batch directory's name does for `sonoqc analyze`).
    package static func directoryName(forBatch name: String) -> String {
        let safe = String(name.unicodeScalars.map { s -> Character in
            let ok = (s.isASCII && s.properties.isAlphabetic) || ("0"..."9").contains(s) || s == "-" || s == "_" || s == "."
            return ok ? Character(s) : "_"
        })
        return safe.isEmpty || safe.hasPrefix(".") ? "batch" + safe : safe
    }

    /// Checks a batch declaration against the names rules and the limits; returns the content key.
    package static func checkDeclaration(name: String, files: [BatchFile], limits: UploadLimits) throws(APIFailure) -> String {
        if name.isEmpty || name.utf8.count > 200 { throw .invalid("batch name must be 1 to 200 bytes") }
        if files.isEmpty { throw .invalid("a batch needs at least one file") }
        if files.count > limits.maxFilesPerBatch {
            throw .tooLarge(limitNames.files, Int64(limits.maxFilesPerBatch),
                            "\(files.count) files; at most \(limits.maxFilesPerBatch) per batch")
        }
        var names = Set<String>()
        var total: Int64 = 0
        var manifests = 0
        for file in files {
            if let problem = checkFileName(file.name) { throw .invalid(problem, file: file.name) }
            if !names.insert(file.name).inserted { throw .invalid("file listed twice", file: file.name) }
            if !BlobStore.isDigest(file.sha256) { throw .invalid("sha256 must be 64 lower-case hex digits", file: file.name) }
            if file.size < 0 { throw .invalid("negative size", file: file.name) }
            if file.size > limits.maxFileBytes {
                throw .tooLarge(limitNames.file, limits.maxFileBytes, "\(file.name) has \(file.size) bytes; at most \(limits.maxFileBytes)")
            }
            if isManifestName(file.name) {
                manifests += 1
                if file.size > limits.maxManifestBytes {
                    throw .tooLarge(limitNames.manifest, limits.maxManifestBytes,
                                    "manifest has \(file.size) bytes; at most \(limits.maxManifestBytes)")
                }
            }
            total += file.size
        }
        if manifests > 1 { throw .invalid("give manifest.json or manifest.csv, not both") }
        if total > limits.maxBatchBytes {
            throw .tooLarge(limitNames.batch, limits.maxBatchBytes, "batch has \(total) bytes; at most \(limits.maxBatchBytes)")
        }
        let canonical = files.sorted { $0.name < $1.name }.map { "\($0.name)\t\($0.sha256)\t\($0.size)\n" }.joined()
        return Secrets.sha256Hex(Data(("\(name)\n" + canonical).utf8))
    }

    /// Validates manifest bytes with the same loader `sonoqc analyze` uses; the format follows the
    /// file name's extension as in discovery.
    package static func checkManifest(_ data: Data, name: String, limits: UploadLimits) throws(APIFailure) -> BatchManifest {
        if Int64(data.count) > limits.maxManifestBytes {
            throw .tooLarge(limitNames.manifest, limits.maxManifestBytes,
                            "manifest has \(data.count) bytes; at most \(limits.maxManifestBytes)")
        }
        do throws(ManifestError) {
            if name.lowercased().hasSuffix(".csv") {
                guard let text = String(data: data, encoding: .utf8) else {
                    throw ManifestError(path: name, issues: [ManifestIssue(field: "file", found: "bytes that are not UTF-8",
                                                                           expectation: Message("manifest.expected.utf8_csv"))])
                }
                return try ManifestLoader.parseCSV(text, path: name)
            }
            return try ManifestLoader.decodeJSON(data, path: name)
        } catch {
            throw APIFailure(httpStatus: 422, code: "invalid-manifest", message: error.summary, issues: error.issues, file: name)
        }
    }

    /// Refuses bytes whose magic does not match what the name promises: images must be PNG or
    /// JPEG by content (never by extension).
    package static func sniff(_ data: Data, name: String) throws(APIFailure) {
        guard !isManifestName(name) else { return }
        if case .unsupported(let what) = ImageDecoder.detectFormat(Array(data.prefix(132))) {
            throw APIFailure(httpStatus: 415, code: "unsupported-format", message: "\(name): \(what); expected PNG or JPEG", file: name)
        }
    }
}
