#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SonoCore

/// Reads whole files with POSIX calls, turning every failure into ``DecodeError/unreadable``.
public enum FileBytes {
    /// Files above this size are refused before reading: no ultrasound frame comes close.
    public static let maxFileBytes = 1 << 30

    public static func contents(of path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DecodeError.unreadable(file: path, reason: errnoText()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw DecodeError.unreadable(file: path, reason: errnoText()) }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw DecodeError.unreadable(file: path, reason: "is a directory")
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
