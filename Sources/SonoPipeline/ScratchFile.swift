package import Foundation

/// An anonymous file for text that a batch step writes once and reads back later, possibly in
/// another order (each scan's `images.jsonl` lines, `summary.csv` row and index page fragments),
/// so the text need not stay in memory.
///
/// The file is unlinked as soon as it is opened: it has no name, so nothing is left behind when
/// the process ends, however it ends. It lives in `directory` (the run's output folder) rather
/// than `/tmp`, which may be a small tmpfs. Not thread-safe: callers on several threads serialise
/// their calls.
package final class ScratchFile {
    private let fd: Int32
    private let directory: String
    private var length = 0

    package init(directory: String) throws {
        self.directory = directory
        let path = directory + "/" + AtomicFileWriter.temporaryPrefix + "scratch-\(getpid())-\(UInt64.random(in: 0 ... .max))"
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw WriteError(path: path, operation: "create", reason: AtomicFileWriter.errnoText()) }
        unlink(path)
    }

    deinit { close(fd) }

    /// Appends `text`; returns where its UTF-8 bytes lie, for ``read(_:)``.
    package func append(_ text: String) throws -> Range<Int> {
        var text = text
        return try text.withUTF8 { try append(UnsafeRawBufferPointer($0)) }
    }

    /// Appends `data`; returns where it lies, for ``readData(_:)``.
    package func append(_ data: Data) throws -> Range<Int> {
        try data.withUnsafeBytes { try append($0) }
    }

    private func append(_ bytes: UnsafeRawBufferPointer) throws -> Range<Int> {
        let start = length
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(start + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw WriteError(path: directory, operation: "write scratch file", reason: AtomicFileWriter.errnoText())
            }
            done += n
        }
        length += bytes.count
        return start ..< length
    }

    /// The text appended at `range`.
    package func read(_ range: Range<Int>) throws -> String {
        if range.isEmpty { return "" }
        return try String(unsafeUninitializedCapacity: range.count) { buffer in
            try read(range, into: UnsafeMutableRawBufferPointer(buffer))
            return range.count
        }
    }

    /// The bytes appended at `range`.
    package func readData(_ range: Range<Int>) throws -> Data {
        var data = Data(count: range.count)
        if !range.isEmpty { try data.withUnsafeMutableBytes { try read(range, into: $0) } }
        return data
    }

    private func read(_ range: Range<Int>, into buffer: UnsafeMutableRawBufferPointer) throws {
        var done = 0
        while done < range.count {
            let n = pread(fd, buffer.baseAddress! + done, range.count - done, off_t(range.lowerBound + done))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                throw WriteError(path: directory, operation: "read scratch file",
                                 reason: n < 0 ? AtomicFileWriter.errnoText() : "unexpected end of file")
            }
            done += n
        }
    }
}
