package import Foundation
import SonoPipeline

/// Uploaded files stored by content: `blobs/<first two hex digits>/<sha256>` under the data
/// directory. A client's file name never becomes a path here. Each blob is written to a temporary
/// name, fsynced and renamed (``AtomicFileWriter`` with `durable`), so a blob that exists is whole.
package struct BlobStore: Sendable {
    package let directory: String

    package init(directory: String) {
        self.directory = directory
    }

    package static func isDigest(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    package func path(of sha256: String) -> String {
        directory + "/" + sha256.prefix(2) + "/" + sha256
    }

    package func contains(_ sha256: String) -> Bool {
        FileManager.default.fileExists(atPath: path(of: sha256))
    }

    /// Stores `data` when its SHA-256 is `sha256`; throws ``ServiceError/digestMismatch`` otherwise.
    package func put(_ data: Data, sha256: String) throws {
        let actual = Secrets.sha256Hex(data)
        guard actual == sha256 else { throw ServiceError.digestMismatch(expected: sha256, actual: actual) }
        if contains(sha256) { return }
        let target = path(of: sha256)
        try AtomicFileWriter(durable: true).write(data, to: target)
        try Durability.syncDirectory((target as NSString).deletingLastPathComponent)
    }

    package func read(_ sha256: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path(of: sha256)) else {
            throw ServiceError.storage("blob \(sha256) is missing")
        }
        return data
    }
}

/// fsync helpers for publishing whole directories (job outputs) after a crash-safe rename.
enum Durability {
    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ServiceError.storage("cannot open directory \(path) to sync: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw ServiceError.storage("fsync \(path): \(String(cString: strerror(errno)))") }
    }

    /// fsyncs every file and directory below `root` (the analysis writes without fsync for speed;
    /// a job's outputs are published once, so they are made durable once, before the rename).
    static func syncTree(_ root: String) throws {
        guard let walker = FileManager.default.enumerator(atPath: root) else {
            throw ServiceError.storage("cannot list \(root)")
        }
        for case let relative as String in walker {
            let path = root + "/" + relative
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw ServiceError.storage("cannot open \(path) to sync: \(String(cString: strerror(errno)))") }
            let ok = fsync(fd) == 0
            close(fd)
            guard ok else { throw ServiceError.storage("fsync \(path): \(String(cString: strerror(errno)))") }
        }
        try syncDirectory(root)
    }
}

/// Errors of the service library; the CLI turns them into messages and exit codes.
package enum ServiceError: Error, Equatable, CustomStringConvertible {
    case storage(String)
    case digestMismatch(expected: String, actual: String)
    case usage(String)

    package var description: String {
        switch self {
        case .storage(let s): s
        case let .digestMismatch(expected, actual): "content has SHA-256 \(actual), not the declared \(expected)"
        case .usage(let s): s
        }
    }
}
