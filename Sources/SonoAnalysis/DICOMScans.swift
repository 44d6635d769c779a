#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
package import SonoCodecs
import SonoCore
package import SonoPipeline
import Foundation

/// Turns DICOM files of a discovered plan into frames and scans.
///
/// - Multi-frame files become one work item per analysed frame, named `<file>#<n>` (1-based);
///   at most `maxFramesPerFile` evenly spaced frames are analysed, and each sampled file is listed
///   in the summary's skipped files with the frames left out.
/// - Without a manifest, DICOM files group into scans by StudyInstanceUID. The scan is named by a
///   keyed hash (HMAC-SHA256) of the UID, never the UID itself, under a random key created once
///   per output directory and kept beside it (``keyPath(outputDirectory:)``): the centre can map
///   a report back to its study locally, while the reports carry nothing identifying.
package enum DICOMScans {
    package static let defaultMaxFramesPerFile = 16

    /// 1-based frame numbers to analyse: all of them, or `limit` evenly spaced ones from the first
    /// to the last.
    package static func frameNumbers(count: Int, limit: Int) -> [Int] {
        guard count > limit else { return Array(1...max(1, count)) }
        guard limit > 1 else { return [1] }
        return (0..<limit).map { 1 + ($0 * (count - 1) + (limit - 1) / 2) / (limit - 1) }
    }

    /// Where the scan-naming key of `outputDirectory` lives: beside it, not inside it, so that
    /// handing over the report directory never hands over the key.
    package static func keyPath(outputDirectory: String) -> String {
        var dir = outputDirectory
        while dir.count > 1 && dir.hasSuffix("/") { dir.removeLast() }
        return dir + ".sonoqc-scan-key"
    }

    /// Reads the key at `path`, or creates it (32 bytes from the system's random source, hex,
    /// mode 0600) when absent.
    ///
    /// Several processes may ask at once (the review service's workers on several hosts share one
    /// key per batch), so the key is written whole to a private temporary file and put in place with
    /// `link(2)`, which fails when the name exists: exactly one creator wins, and nobody can read a
    /// half-written key. A loser reads the winner's.
    package static func loadOrCreateKey(at path: String) throws -> [UInt8] {
        if let existing = try readKey(at: path) { return existing }
        var key = [UInt8](repeating: 0, count: 32)
        let status = key.withUnsafeMutableBytes { getentropy($0.baseAddress, 32) }
        guard status == 0 else { throw DecodeError.unreadable(file: path, reason: "no system randomness for the scan key") }
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: .min ... .max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DecodeError.unreadable(file: path, reason: String(cString: strerror(errno))) }
        defer { unlink(temporary) }
        let text = Array((ContentDigest.hex(key) + "\n").utf8)
        let written = write(fd, text, text.count)
        let synced = written == text.count ? fsync(fd) : -1
        // Read before close(), which may set errno even when it succeeds.
        let failure = errno
        close(fd)
        guard written == text.count, synced == 0 else {
            throw DecodeError.unreadable(file: path, reason: String(cString: strerror(failure)))
        }
        if link(temporary, path) == 0 { return key }
        guard errno == EEXIST, let winner = try readKey(at: path) else {
            throw DecodeError.unreadable(file: path, reason: String(cString: strerror(errno)))
        }
        return winner
    }

    /// The key at `path`; nil when there is no file.
    private static func readKey(at path: String) throws -> [UInt8]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let existing = try FileBytes.contents(of: path)
        let hex = String(decoding: existing, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let bytes = stride(from: 0, to: hex.count - 1, by: 2).compactMap { i -> UInt8? in
            let start = hex.index(hex.startIndex, offsetBy: i)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)
        }
        guard bytes.count == 32 else {
            throw DecodeError.corrupt(file: path, library: "sonoqc", message: "scan key is not 64 hexadecimal digits")
        }
        return bytes
    }

    /// The de-identified scan name of a study.
    package static func scanName(studyInstanceUID: String, key: [UInt8]) -> String {
        "study-" + ContentDigest.hmacSHA256Hex(key: key, message: Array(studyInstanceUID.utf8)).prefix(16)
    }

    /// Expands DICOM items into frames and regroups manifest-less DICOM files by study. Files
    /// that cannot be read or parsed stay single items: the pipeline's read/decode stages report
    /// them with their error.
    package static func expand(_ plan: BatchPlan, maxFramesPerFile: Int, key: [UInt8], limits: DecodeLimits,
                              reader: (String) throws -> [UInt8] = { try FileBytes.contents(of: $0) }) -> BatchPlan {
        var scans: [ScanWork] = []
        var skipped = plan.skipped
        var studyScan: [String: Int] = [:]
        for scan in plan.scans {
            var kept: [ImageWorkItem] = []
            for item in scan.items {
                guard let bytes = try? reader(item.path), ImageDecoder.detectFormat(bytes) == .supported(.dicom),
                      let info = try? DICOMCodec.studyInfo(bytes, source: item.path, limits: limits) else {
                    kept.append(item)
                    continue
                }
                let frames = frameNumbers(count: info.numberOfFrames, limit: maxFramesPerFile)
                if frames.count < info.numberOfFrames {
                    // Counted, not listed: the frame numbers are distinct, and a set of every frame
                    // number cost memory in proportion to what the file claims.
                    let left = info.numberOfFrames - frames.count
                    skipped.append(SkippedFile(
                        file: item.path,
                        reason: "\(left) of \(info.numberOfFrames) frames not analysed (--max-frames-per-file \(maxFramesPerFile) analyses evenly spaced frames \(frames.map(String.init).joined(separator: ",")))"))
                }
                let items = frames.map { n -> ImageWorkItem in
                    var frameItem = item
                    if info.numberOfFrames > 1 {
                        frameItem.path = item.path + "#\(n)"
                        frameItem.frameNumber = n
                    }
                    return frameItem
                }
                guard scan.manifestEntry == nil, let uid = info.studyInstanceUID else {
                    kept += items
                    continue
                }
                if let i = studyScan[uid] {
                    scans[i].items += items
                } else {
                    let name = scanName(studyInstanceUID: uid, key: key)
                    let unit = [info.institutionName, info.stationName].compactMap { $0 }.joined(separator: " / ")
                    studyScan[uid] = scans.count
                    scans.append(ScanWork(index: 0, key: name, items: items))
                    scans[scans.count - 1].headerMetadata = ScanEntry(
                        scanID: name, unitID: unit.isEmpty ? nil : unit, operatorID: info.operatorsName,
                        examDate: info.studyDate, images: [])
                }
            }
            if !kept.isEmpty {
                var rest = scan
                rest.items = kept
                scans.append(rest)
            }
        }
        // Renumber: batch, scan and in-scan positions follow the new order.
        var index = 0
        for s in scans.indices {
            scans[s].index = s
            for i in scans[s].items.indices {
                scans[s].items[i].index = index
                scans[s].items[i].scanIndex = s
                scans[s].items[i].indexInScan = i
                index += 1
            }
        }
        return BatchPlan(scans: scans, skipped: skipped, discoveryFailures: plan.discoveryFailures)
    }
}
