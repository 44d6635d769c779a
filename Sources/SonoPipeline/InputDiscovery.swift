#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SonoChecks
import SonoCodecs
import SonoCore

/// The discover stage: turns command-line inputs into a ``BatchPlan``.
///
/// Rules (issue 2): directories are walked recursively in sorted order, following symbolic links
/// but never entering a directory twice (so link loops end); inside directories only files whose
/// extension says image (`.png`, `.jpg`, `.jpeg`, `.dcm`, `.dicom`, any case) or that start as DICOM
/// (``hasDICOMMagic(atPath:)``) are taken and every other file is listed as skipped; files named on the command line are always tried, whatever their name.
///
/// Scans: a directory holding `manifest.json` (``BatchManifest``) contributes the manifest's scans,
/// and image files under it that the manifest does not list are skipped. Elsewhere every directory
/// that directly holds images is one scan, keyed by its path relative to the input's parent.
public struct InputDiscovery: Sendable {
    /// A batch directory's manifest, JSON preferred when both exist (docs/manifest.md).
    public static let manifestFileNames = ["manifest.json", "manifest.csv"]
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "dcm", "dicom"]

    public init() {}

    public func plan(inputs: [String]) -> BatchPlan {
        var builder = Builder()
        for input in inputs {
            builder.addInput(input)
        }
        return builder.finish()
    }

    /// True for names ending in `.dcm` or `.dicom` (any case).
    public static func isDICOMName(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        return ["dcm", "dicom"].contains(name[name.index(after: dot)...].lowercased())
    }

    /// True for a file with `DICM` at offset 128, whatever its name: archives and PACS exports
    /// often write DICOM without an extension (`IM0001`, `I0000012`). Reads only the first 132 bytes.
    public static func hasDICOMMagic(atPath path: String) -> Bool {
        // Non-blocking so that a FIFO swapped in after the stat cannot hang the walk.
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 132)
        var count = 0
        while count < head.count {
            let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            guard n > 0 else { break }
            count += n
        }
        return count == head.count && ImageDecoder.detectFormat(head) == .supported(.dicom)
    }

    public static func hasImageExtension(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
        return imageExtensions.contains(name[name.index(after: dot)...].lowercased())
    }

    private struct DirectoryID: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    private enum Kind {
        case directory(DirectoryID)
        case regular
        case other(String)
        case missing(String)
    }

    private struct PendingScan {
        var key: String
        var manifestEntry: ScanEntry?
        var files: [(path: String, entry: ImageEntryBox?)]
    }

    private struct Builder {
        var scans: [PendingScan] = []
        var skipped: [SkippedFile] = []
        var failures: [(file: String, failure: StageFailure)] = []
        var visited: Set<DirectoryID> = []
        /// Explicit files are grouped per parent directory, in command-line order.
        var explicitScanIndex: [String: Int] = [:]

        mutating func addInput(_ input: String) {
            let path = Builder.trimmed(input)
            switch Builder.kind(of: path) {
            case .missing(let reason):
                failures.append((input, StageFailure(stage: .discover, kind: "not-found", reason: "\(input): \(reason)")))
            case .regular, .other:
                // Named on the command line: always tried; the read/decode stages say what is wrong.
                let parent = (path as NSString).deletingLastPathComponent
                let key = Builder.lastComponent(of: parent.isEmpty ? "." : parent)
                let groupKey = parent.isEmpty ? "." : parent
                if let i = explicitScanIndex[groupKey] {
                    scans[i].files.append((path, nil))
                } else {
                    explicitScanIndex[groupKey] = scans.count
                    scans.append(PendingScan(key: key, manifestEntry: nil, files: [(path, nil)]))
                }
            case .directory(let id):
                visited.insert(id)
                walk(directory: path, key: Builder.lastComponent(of: path))
            }
        }

        mutating func walk(directory: String, key: String) {
            var names: [String]
            do {
                names = try Builder.sortedEntries(of: directory)
            } catch {
                failures.append((directory, StageFailure(stage: .discover, kind: "unreadable-directory",
                                                         reason: "\(directory): \(error)")))
                return
            }
            if let manifestName = InputDiscovery.manifestFileNames.first(where: names.contains) {
                if walkManifestDirectory(directory, manifestName: manifestName, names: names, key: key) { return }
                // A broken manifest is reported, and its images are still analysed as directory
                // scans so nothing in the batch goes unchecked.
                names.removeAll { $0 == manifestName }
            }
            var images: [(String, ImageEntryBox?)] = []
            var subdirectories: [(String, String)] = []
            for name in names {
                let path = Builder.join(directory, name)
                switch Builder.kind(of: path) {
                case .directory(let id):
                    if visited.insert(id).inserted {
                        subdirectories.append((path, key + "/" + Builder.sanitized(name)))
                    } else {
                        skipped.append(SkippedFile(file: path, reason: "directory already visited (link loop or duplicate)"))
                    }
                case .regular:
                    if InputDiscovery.hasImageExtension(name) || InputDiscovery.hasDICOMMagic(atPath: path) {
                        images.append((path, nil))
                    } else {
                        skipped.append(SkippedFile(file: path, reason: "not an image file name"))
                    }
                case .other(let what):
                    skipped.append(SkippedFile(file: path, reason: what))
                case .missing(let reason):
                    skipped.append(SkippedFile(file: path, reason: reason))
                }
            }
            if !images.isEmpty {
                scans.append(PendingScan(key: key, manifestEntry: nil, files: images))
            }
            for (path, subKey) in subdirectories {
                walk(directory: path, key: subKey)
            }
        }

        /// False when the manifest cannot be used (the failure is recorded).
        mutating func walkManifestDirectory(_ directory: String, manifestName: String, names: [String], key: String) -> Bool {
            let manifestPath = Builder.join(directory, manifestName)
            let manifest: BatchManifest
            do {
                // The loader validates the whole manifest and names every bad line and field at once.
                manifest = try ManifestLoader.load(contentsOf: URL(fileURLWithPath: manifestPath))
            } catch {
                failures.append((manifestPath, StageFailure(stage: .discover, kind: "bad-manifest",
                                                            reason: error.description)))
                return false
            }
            var listed: Set<String> = []
            for scan in manifest.scans {
                let files = scan.images.map { original -> (String, ImageEntryBox?) in
                    // The scan's spacing applies to images that do not override it.
                    var entry = original
                    if entry.pixelSpacingMM == nil { entry.pixelSpacingMM = scan.pixelSpacingMM }
                    let path = Builder.join(directory, entry.file)
                    listed.insert(Builder.normalised(path))
                    return (path, ImageEntryBox(entry))
                }
                scans.append(PendingScan(key: key + "/" + Builder.sanitized(scan.scanID),
                                         manifestEntry: scan, files: files))
            }
            // Everything else under the manifest's directory is listed, so nothing is silently ignored.
            var others: [String] = []
            collectFiles(directory, names: names, into: &others)
            for path in others where !listed.contains(Builder.normalised(path)) {
                if path == manifestPath { continue }
                let name = (path as NSString).lastPathComponent
                skipped.append(SkippedFile(
                    file: path,
                    reason: InputDiscovery.hasImageExtension(name) ? "image not listed in \(manifestName)" : "not an image file name"))
            }
            return true
        }

        mutating func collectFiles(_ directory: String, names: [String], into files: inout [String]) {
            for name in names {
                let path = Builder.join(directory, name)
                switch Builder.kind(of: path) {
                case .directory(let id):
                    guard visited.insert(id).inserted, let sub = try? Builder.sortedEntries(of: path) else { continue }
                    collectFiles(path, names: sub, into: &files)
                case .regular, .other, .missing:
                    files.append(path)
                }
            }
        }

        func finish() -> BatchPlan {
            var used: Set<String> = []
            var result: [ScanWork] = []
            var index = 0
            for pending in scans {
                var key = pending.key
                var n = 2
                while used.contains(key) {
                    key = "\(pending.key)~\(n)"
                    n += 1
                }
                used.insert(key)
                let items = pending.files.enumerated().map { offset, file in
                    ImageWorkItem(index: index + offset, scanIndex: result.count, indexInScan: offset,
                                  path: file.path, entryBox: file.entry)
                }
                index += items.count
                result.append(ScanWork(index: result.count, key: key, manifestEntry: pending.manifestEntry, items: items))
            }
            return BatchPlan(scans: result, skipped: skipped, discoveryFailures: failures)
        }

        static func kind(of path: String) -> Kind {
            var info = stat()
            guard stat(path, &info) == 0 else {
                let reason = String(cString: strerror(errno))
                var linkInfo = stat()
                if lstat(path, &linkInfo) == 0 && (linkInfo.st_mode & S_IFMT) == S_IFLNK {
                    return .missing("broken symbolic link (\(reason))")
                }
                return .missing(reason)
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: return .directory(DirectoryID(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)))
            case S_IFREG: return .regular
            default: return .other("not a regular file")
            }
        }

        static func sortedEntries(of directory: String) throws -> [String] {
            // Sorted by UTF-8 bytes so the order is the same on every platform and locale.
            try FileManager.default.contentsOfDirectory(atPath: directory)
                .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }

        static func join(_ directory: String, _ name: String) -> String {
            directory.hasSuffix("/") ? directory + name : directory + "/" + name
        }

        static func trimmed(_ path: String) -> String {
            var p = path
            while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
            return p
        }

        static func normalised(_ path: String) -> String {
            (path as NSString).standardizingPath
        }

        static func lastComponent(of path: String) -> String {
            var name = (path as NSString).lastPathComponent
            if name == "." || name == ".." || name == "/" || name.isEmpty {
                let resolved = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().lastPathComponent
                name = resolved
            }
            return sanitized(name)
        }

        /// Keeps a path component safe as a directory name under `<out>/scans/`.
        static func sanitized(_ component: String) -> String {
            let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+")
            var s = String(component.map { allowed.contains($0) ? $0 : "_" })
            if s.isEmpty || s == "." || s == ".." || s == "/" { s = "_" + s.replacingOccurrences(of: ".", with: "_") }
            return s
        }
    }
}
