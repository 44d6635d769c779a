#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
package import Foundation

/// Why a report could not be written.
package struct WriteError: Error, Sendable, CustomStringConvertible {
    package var path: String
    package var operation: String
    package var reason: String

    package var description: String { "\(operation) \(path): \(reason)" }

    package init(path: String, operation: String, reason: String) {
        self.path = path
        self.operation = operation
        self.reason = reason
    }
}

/// Writes files so that a reader (or a `--resume` after a crash) sees either the old state or the
/// complete new file, never a partial one: bytes go to a temporary name in the same directory and
/// the file is then renamed over the final name (atomic on POSIX).
///
/// Without `durable`, this protects against the process dying (signal, crash) but not against
/// power loss; `durable` adds an `fsync` before the rename, which cost ≈ 7 ms per report here
/// (more than analysing the image), so per-scan reports do without it.
package struct AtomicFileWriter: Sendable {
    /// Prefix of temporary files; anything left with it after a crash is garbage, never a report.
    package static let temporaryPrefix = ".tmp-"

    package var durable: Bool

    package init(durable: Bool = false) {
        self.durable = durable
    }

    package func write(_ data: Data, to path: String) throws {
        try write(to: path) { sink in try sink.append(data) }
    }

    /// Streams content through `body` into a temporary file, then publishes it under `path`.
    package func write(to path: String, _ body: (inout Sink) throws -> Void) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try createDirectory(directory)
        }
        // The temporary name does not repeat the final name: a final name near the 255-byte limit
        // would otherwise overflow it and fail the write of a valid file.
        let temporary = (directory.isEmpty ? "" : directory + "/") + Self.temporaryPrefix
            + "\(getpid())-\(Self.counter.next())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(path: temporary, operation: "create", reason: Self.errnoText()) }
        var sink = Sink(fd: fd, path: temporary)
        // Closed exactly once on every path: a second close of a reused descriptor number would
        // close a file another worker has just opened.
        var isOpen = true
        do {
            try body(&sink)
            try sink.flushBuffer()
            guard !durable || fsync(fd) == 0 else { throw WriteError(path: temporary, operation: "fsync", reason: Self.errnoText()) }
            isOpen = false
            guard close(fd) == 0 else { throw WriteError(path: temporary, operation: "close", reason: Self.errnoText()) }
            guard rename(temporary, path) == 0 else {
                throw WriteError(path: path, operation: "rename", reason: Self.errnoText())
            }
        } catch {
            if isOpen { close(fd) }
            unlink(temporary)
            throw error
        }
    }

    /// Removes temporary files (``temporaryPrefix``) left under `directory` by a process that
    /// died before renaming them. Only safe while holding the output lock (``OutputLock``): then no
    /// other writer can own them. Returns how many were removed.
    @discardableResult
    package static func removeLeftovers(under directory: String) -> Int {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return 0 }
        var removed = 0
        while let relative = walker.nextObject() as? String {
            if (relative as NSString).lastPathComponent.hasPrefix(temporaryPrefix),
               unlink(directory + "/" + relative) == 0 {
                removed += 1
            }
        }
        return removed
    }

    package func createDirectory(_ directory: String) throws {
        // Every write calls this, and its folder usually exists (the scan's other files went there
        // first): one mkdir answers that, where FileManager's recursive create looks at the path
        // first (0.8–1.4 % of `analyze`'s perf samples). Anything else, a missing parent
        // included, goes to FileManager, which creates the parents and explains a failure.
        if mkdir(directory, 0o755) == 0 || errno == EEXIST { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw WriteError(path: directory, operation: "mkdir", reason: "\(error)")
        }
    }

    /// Temporary names only need to differ between concurrent writers in this process (the pid
    /// separates processes), so a counter is enough.
    private static let counter = TemporaryNameCounter()

    static func errnoText() -> String { String(cString: strerror(errno)) }

    /// Buffered writes to the temporary file.
    package struct Sink {
        let fd: Int32
        let path: String
        var buffer: [UInt8] = []

        package mutating func append(_ data: Data) throws {
            buffer.append(contentsOf: data)
            if buffer.count >= 1 << 16 { try flushBuffer() }
        }

        package mutating func append(_ string: String) throws {
            try append(Data(string.utf8))
        }

        mutating func flushBuffer() throws {
            var done = 0
            while done < buffer.count {
                let n = buffer.withUnsafeBytes { posixWrite(fd, $0.baseAddress! + done, buffer.count - done) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw WriteError(path: path, operation: "write", reason: AtomicFileWriter.errnoText())
                }
                done += n
            }
            buffer.removeAll(keepingCapacity: true)
        }
    }
}

private func posixWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}

// @unchecked: `value` is read and written only under `lock`.
final class TemporaryNameCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value: UInt64 = 0

    func next() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
