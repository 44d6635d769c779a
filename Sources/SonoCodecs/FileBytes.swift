#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SonoCore

/// Reads whole files with POSIX calls, turning every failure into ``DecodeError/unreadable``.
///
/// `path` is in ``FileName``'s printable form (names that are not UTF-8 carry `\xNN` escapes).
/// Only regular files are read: the file is opened with `O_NONBLOCK`, so opening a FIFO or a
/// device cannot block, and `fstat` on the open descriptor (not a `stat` before it, which a
/// rename could race) decides. A FIFO in a batch is then one failed file, not a hung run.
public enum FileBytes {
    /// Files above this size are refused before reading: no ultrasound frame comes close.
    public static let maxFileBytes = 1 << 30

    public static func contents(of path: String) throws -> [UInt8] {
        let fd = FileName.withCString(path) { open($0, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) }
        guard fd >= 0 else { throw DecodeError.unreadable(file: path, reason: errnoText()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw DecodeError.unreadable(file: path, reason: errnoText()) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw DecodeError.unreadable(file: path, reason: "is a directory")
        case S_IFIFO: throw DecodeError.unreadable(file: path, reason: "is a FIFO (named pipe), not a regular file")
        case S_IFSOCK: throw DecodeError.unreadable(file: path, reason: "is a socket, not a regular file")
        case S_IFCHR, S_IFBLK: throw DecodeError.unreadable(file: path, reason: "is a device, not a regular file")
        default: throw DecodeError.unreadable(file: path, reason: "is not a regular file")
        }
        let size = Int(info.st_size)
        guard size <= maxFileBytes else {
            throw DecodeError.unreadable(file: path, reason: "file is \(size) bytes, over the \(maxFileBytes)-byte limit")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { raw in
                read(fd, raw.baseAddress! + done, size - done)
            }
            if n < 0 {
                // EAGAIN cannot happen on a regular file; retrying on EINTR keeps signals harmless.
                if errno == EINTR { continue }
                throw DecodeError.unreadable(file: path, reason: errnoText())
            }
            if n == 0 { bytes.removeSubrange(done...); break }
            done += n
        }
        return bytes
    }

    static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
