#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SonoChecks
import SonoCodecs
import SonoCore
import SonoInput
package import SonoPipeline

/// The discover stage: turns command-line inputs into a ``BatchPlan``.
///
/// Rules: directories are walked recursively in sorted order, following symbolic links
/// but never entering a directory twice (so link loops end); inside directories only files whose
/// extension says image (`.png`, `.jpg`, `.jpeg`, `.dcm`, `.dicom`, any case) or that start as DICOM
/// (``hasDICOMMagic(atPath:)``) are taken and every other file is listed as skipped; files named on the command line are always tried, whatever their name.
///
/// Scans: a directory holding `manifest.json` or `manifest.csv` (``BatchManifest``) contributes the
/// manifest's scans, and image files under it that the manifest does not list are skipped. A
/// manifest may only name files inside its own directory: a path that resolves outside it (through
/// a symbolic link) is refused. Elsewhere every directory that directly holds images is one scan
/// (``ScanGrouping/perDirectory``), or every image is its own scan (``ScanGrouping/perFile``).
///
/// Names are read as bytes (`readdir`) and carried in ``FileName``'s printable form, so a name
/// that is not UTF-8 is analysed and reported, never dropped. Scan keys are made of
/// ``FileName/safeComponent(_:)`` components and are unique in the batch even on a
/// case-insensitive file system, so each key is one folder under `<out>/scans/`.
package struct InputDiscovery: Sendable {
    /// A batch directory's manifest, JSON preferred when both exist (docs/manifest.md).
    package static let manifestFileNames = ["manifest.json", "manifest.csv"]
    package static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "dcm", "dicom"]

    /// How images in directories without a manifest are grouped into scans.
    package enum ScanGrouping: String, Sendable, CaseIterable {
        /// Every directory that directly holds images is one scan (the default: a folder per exam).
        case perDirectory = "per-directory"
        /// Every image is its own scan (a folder of unrelated frames).
        case perFile = "per-file"
    }

    package var grouping: ScanGrouping
    /// Directories never walked (the output directory when it lies inside an input, so a rerun
    /// does not analyse its own thumbnails).
    package var excludedDirectories: [String]

    package init(grouping: ScanGrouping = .perDirectory, excludedDirectories: [String] = []) {
        self.grouping = grouping
        self.excludedDirectories = excludedDirectories
    }

    package func plan(inputs: [String]) -> BatchPlan {
        var builder = Builder(grouping: grouping)
        for directory in excludedDirectories {
            if case .directory(let id) = Builder.kind(of: directory) { builder.excluded.insert(id) }
        }
        for input in inputs {
            builder.addInput(FileName.printable(Array(input.utf8)))
        }
        return builder.finish()
    }

    /// True for names ending in `.dcm` or `.dicom` (any case).
    package static func isDICOMName(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        return ["dcm", "dicom"].contains(name[name.index(after: dot)...].lowercased())
    }

    /// True for a file with `DICM` at offset 128, whatever its name: archives and PACS exports
    /// often write DICOM without an extension (`IM0001`, `I0000012`). Reads only the first 132 bytes.
    package static func hasDICOMMagic(atPath path: String) -> Bool {
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

    package static func hasImageExtension(_ name: String) -> Bool {
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
        var origin: ScanOrigin
    }

    private struct Builder {
        let grouping: ScanGrouping
        var excluded: Set<DirectoryID> = []
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
                if grouping == .perFile {
                    scans.append(PendingScan(key: key + "/" + Builder.fileKey(path), manifestEntry: nil, files: [(path, nil)], origin: .file))
                } else if let i = explicitScanIndex[groupKey] {
                    scans[i].files.append((path, nil))
                } else {
                    explicitScanIndex[groupKey] = scans.count
                    scans.append(PendingScan(key: key, manifestEntry: nil, files: [(path, nil)], origin: .directory))
                }
            case .directory(let id):
                if excluded.contains(id) {
                    skipped.append(SkippedFile(file: path, reason: "the output directory (--out), never analysed"))
                    return
                }
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
                    if excluded.contains(id) {
                        skipped.append(SkippedFile(file: path, reason: "the output directory (--out), never analysed"))
                    } else if Builder.isOutputDirectory(path) {
                        // Another run's --out (it holds the lock file): its thumbnails are not scans.
                        skipped.append(SkippedFile(file: path, reason: "a SonoQC output directory, never analysed"))
                    } else if visited.insert(id).inserted {
                        subdirectories.append((path, key + "/" + FileName.safeComponent(name)))
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
            if grouping == .perFile {
                for image in images {
                    scans.append(PendingScan(key: key + "/" + Builder.fileKey(image.0), manifestEntry: nil, files: [image], origin: .file))
                }
            } else if !images.isEmpty {
                scans.append(PendingScan(key: key, manifestEntry: nil, files: images, origin: .directory))
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
            let root = Builder.realPath(directory)
            for scan in manifest.scans {
                var files: [(String, ImageEntryBox?)] = []
                for original in scan.images {
                    // The scan's spacing applies to images that do not override it.
                    var entry = original
                    if entry.pixelSpacingMM == nil { entry.pixelSpacingMM = scan.pixelSpacingMM }
                    let path = Builder.join(directory, FileName.printable(Array(entry.normalisedFile.utf8)))
                    listed.insert(Builder.normalised(path))
                    // `..` is refused by the loader; a symbolic link inside the batch could still
                    // lead elsewhere, and a manifest must not make SonoQC read (and report on) files
                    // outside the directory it describes.
                    if let root, let resolved = Builder.realPath(path), !(resolved == root || resolved.hasPrefix(root + "/")) {
                        failures.append((path, StageFailure(stage: .discover, kind: "outside-batch",
                                                            reason: "\(path): listed in \(manifestName) but resolves to a file outside the batch directory; not read")))
                        continue
                    }
                    files.append((path, ImageEntryBox(entry)))
                }
                scans.append(PendingScan(key: key + "/" + FileName.safeComponent(scan.scanID),
                                         manifestEntry: scan, files: files, origin: .manifest))
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
                    guard !excluded.contains(id), visited.insert(id).inserted, let sub = try? Builder.sortedEntries(of: path) else { continue }
                    collectFiles(path, names: sub, into: &files)
                case .regular, .other, .missing:
                    files.append(path)
                }
            }
        }

        func finish() -> BatchPlan {
            // Keys compared case-folded: on a case-insensitive file system `A` and `a` are one folder.
            var used: Set<String> = []
            var result: [ScanWork] = []
            var origins = ScanOrigins()
            var index = 0
            for pending in scans {
                var key = pending.key
                var n = 2
                while used.contains(key.lowercased()) {
                    key = "\(pending.key)-\(n)"
                    n += 1
                }
                used.insert(key.lowercased())
                switch pending.origin {
                case .manifest: origins.manifest += 1
                case .directory: origins.directory += 1
                case .file: origins.file += 1
                }
                let items = pending.files.enumerated().map { offset, file in
                    ImageWorkItem(index: index + offset, scanIndex: result.count, indexInScan: offset,
                                  path: file.path, entryBox: file.entry)
                }
                index += items.count
                result.append(ScanWork(index: result.count, key: key, manifestEntry: pending.manifestEntry, items: items))
            }
            var plan = BatchPlan(scans: result, skipped: skipped, discoveryFailures: failures)
            plan.origins = origins
            return plan
        }

        static func isOutputDirectory(_ path: String) -> Bool {
            var info = stat()
            return FileName.withCString(join(path, OutputLock.fileName)) { lstat($0, &info) } == 0
        }

        /// Scan key component for an image that is a scan of its own: its file name.
        static func fileKey(_ path: String) -> String {
            FileName.safeComponent((path as NSString).lastPathComponent)
        }

        /// The canonical absolute path (symbolic links resolved) in printable form, nil when it
        /// does not exist.
        static func realPath(_ path: String) -> String? {
            guard let resolved = FileName.withCString(path, { realpath($0, nil) }) else { return nil }
            defer { free(resolved) }
            let length = strlen(resolved)
            return FileName.printable(Array(UnsafeBufferPointer(start: UnsafeRawPointer(resolved).assumingMemoryBound(to: UInt8.self), count: length)))
        }

        static func kind(of path: String) -> Kind {
            var info = stat()
            guard FileName.withCString(path, { stat($0, &info) }) == 0 else {
                let reason = String(cString: strerror(errno))
                var linkInfo = stat()
                if FileName.withCString(path, { lstat($0, &linkInfo) }) == 0 && (linkInfo.st_mode & S_IFMT) == S_IFLNK {
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

        /// The directory's entries as printable names, sorted by their bytes so the order is the
        /// same on every platform and locale. `readdir` gives bytes; Foundation's listing would turn
        /// a name that is not UTF-8 into one that no longer opens.
        static func sortedEntries(of directory: String) throws -> [String] {
            guard let dir = FileName.withCString(directory, { opendir($0) }) else {
                throw WriteError(path: directory, operation: "opendir", reason: String(cString: strerror(errno)))
            }
            defer { closedir(dir) }
            var names: [[UInt8]] = []
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
                if name == [0x2E] || name == [0x2E, 0x2E] { continue }
                names.append(name)
            }
            return names.sorted { $0.lexicographicallyPrecedes($1) }.map(FileName.printable)
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
                name = realPath(path).map { ($0 as NSString).lastPathComponent } ?? name
            }
            return FileName.safeComponent(name)
        }
    }
}
