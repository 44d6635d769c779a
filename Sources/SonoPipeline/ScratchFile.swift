import Foundation

/// An anonymous file for text that a batch step writes once and reads back later in another
/// order (the index page's per-scan fragments), so the text need not stay in memory.
///
/// The file is unlinked as soon as it is opened: it has no name, so nothing is left behind when
/// the process ends, however it ends. It lives in `directory` (the run's output folder) rather
/// than `/tmp`, which may be a small tmpfs.
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
        let start = length
        try text.withUTF8 { bytes in
            var done = 0
            while done < bytes.count {
                let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(start + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw WriteError(path: directory, operation: "write scratch file", reason: AtomicFileWriter.errnoText())
                }
                done += n
            }
        }
        length += text.utf8.count
        return start ..< length
    }

    /// The text appended at `range`.
    package func read(_ range: Range<Int>) throws -> String {
        if range.isEmpty { return "" }
        return try String(unsafeUninitializedCapacity: range.count) { buffer in
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
            return done
        }
    }
}
